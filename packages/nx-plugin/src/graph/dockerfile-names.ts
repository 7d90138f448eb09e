import type { Problem } from './problems';

/**
 * Which files are images, and what each image of a directory is called: the
 * one rule the plugin, the executors and the generators share.
 */

/** Every Dockerfile by the names BuildKit users give them; the `dockerfiles` option narrows or widens it. */
export const DEFAULT_DOCKERFILES = ['**/Dockerfile', '**/Dockerfile.*', '**/*.Dockerfile', '**/Containerfile'];

/** What createNodes looks at; the `dockerfiles` option and dockerfileKey then select. */
export const DOCKERFILE_GLOB = '**/{Dockerfile,Dockerfile.*,*.Dockerfile,Containerfile}';

/** The build target of a single-image project, and the aggregate of a multi-image one. */
export const BUILD_TARGET = 'docker:build';

/** The key of the primary image's own target where a project has several images. */
export const PRIMARY_KEY = 'primary';

/**
 * The image key a file name gives: '' for `Dockerfile` and `Containerfile`,
 * `worker` for `Dockerfile.worker` and `worker.Dockerfile`; undefined for a
 * file that is no Dockerfile (a `*.dockerignore`, an empty key).
 */
export function dockerfileKey(fileName: string): string | undefined {
  if (fileName === 'Dockerfile' || fileName === 'Containerfile') return '';
  if (fileName.endsWith('.dockerignore')) return undefined;
  const key = fileName.startsWith('Dockerfile.')
    ? fileName.slice('Dockerfile.'.length)
    : fileName.endsWith('.Dockerfile')
      ? fileName.slice(0, -'.Dockerfile'.length)
      : '';
  return key === '' ? undefined : key;
}

/** The file names of the Dockerfiles among `paths` (selected already), by directory, in the order given. */
export function dockerfilesByDirectory(paths: Iterable<string>): Map<string, string[]> {
  const byRoot = new Map<string, string[]>();
  for (const path of paths) {
    const slash = path.lastIndexOf('/');
    const [root, name] = slash < 0 ? ['.', path] : [path.slice(0, slash), path.slice(slash + 1)];
    if (dockerfileKey(name) !== undefined) byRoot.set(root, [...(byRoot.get(root) ?? []), name]);
  }
  return byRoot;
}

/** One image of a directory. */
export interface DirectoryImage {
  /** Workspace-relative path of its Dockerfile. */
  dockerfile: string;
  /** '' for the primary image; else from the file name (`worker`). */
  key: string;
  /** The file beside the Dockerfile that sets its context rule: `<Dockerfile>.dockerignore` if there is one, else `.dockerignore`. */
  dockerignore: string;
  /** Its build target: `docker:build` alone, else `docker:build:<key>` (the primary's key being `primary`). */
  buildTarget: string;
}

export interface DirectoryImages {
  images: DirectoryImage[];
  problems: Problem[];
}

/**
 * The images of one directory, from the names of its selected Dockerfiles and
 * the other files beside them. The primary image is `Dockerfile`, else
 * `Containerfile`, else the directory's only Dockerfile; it comes first. A
 * project with one image is built by `docker:build`; with several, each has a
 * target of its own and `docker:build` builds them all.
 */
export function imagesOfDirectory(root: string, dockerfiles: string[], otherFiles: ReadonlySet<string>): DirectoryImages {
  const path = (name: string) => (root === '.' ? name : `${root}/${name}`);
  const named = dockerfiles
    .map((name) => ({ name, key: dockerfileKey(name) }))
    .filter((file): file is { name: string; key: string } => file.key !== undefined)
    .sort((a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : 1));
  const problems: Problem[] = [];
  const byKey = new Map<string, string>();
  named.forEach((file, index) => {
    // A second unnamed file (Containerfile beside Dockerfile), or the only file: named apart, or the primary.
    let key = file.key === '' && index > 0 ? file.name.toLowerCase() : file.key;
    if (index === 0 && (file.key === '' || named.length === 1)) key = '';
    const clash = byKey.get(key);
    // `primary` names the primary image's own target where there are several.
    if (clash !== undefined || (key === PRIMARY_KEY && named.length > 1)) {
      const why = clash !== undefined ? `as ${clash} does` : "which names the primary image's own target";
      problems.push({ file: path(file.name), line: 0, message: `makes image "${key}" of ${root}, ${why}; rename it so each image has its own key` });
      return;
    }
    byKey.set(key, file.name);
  });
  const several = byKey.size > 1;
  const images = [...byKey].map(([key, name]): DirectoryImage => {
    return {
      dockerfile: path(name),
      key,
      dockerignore: dockerignoreOf(name, (file) => otherFiles.has(file)),
      buildTarget: several ? `${BUILD_TARGET}:${key || PRIMARY_KEY}` : BUILD_TARGET,
    };
  });
  return { images, problems };
}

/** The ignore file BuildKit applies for a Dockerfile: `<Dockerfile>.dockerignore` beside it if there is one, else `.dockerignore`. */
export function dockerignoreOf(dockerfileName: string, exists: (fileName: string) => boolean): string {
  const own = `${dockerfileName}.dockerignore`;
  return exists(own) ? own : '.dockerignore';
}

/** Where an image's build leaves metadata.json, under the workspace root: its own folder for a secondary image. */
export function imageOutputDir(projectName: string, key: string): string {
  return key === '' ? `dist/images/${projectName}` : `dist/images/${projectName}/${key}`;
}

// Dockerfile first, then Containerfile, then the others by name.
function rank(name: string): number {
  return name === 'Dockerfile' ? 0 : name === 'Containerfile' ? 1 : 2;
}
