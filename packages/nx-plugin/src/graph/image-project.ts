import { basename, dirname, join } from 'node:path/posix';
import { analyseDockerfile, externalImageUses, type DockerfileAnalysis } from '../dockerfile/analyse';
import { contextInputs } from '../dockerfile/dockerignore';
import { markedAsPin } from '../library/pins';
import { parseJson } from '../library/json-text';
import { LOCK_FILE, parseLockFile } from '../lock/lock-file';
import type { Problem } from './problems';
import { DEFAULT_TAG_SCHEME, tagSchemeTemplate } from './tag-scheme';

/** The texts an image project is read from; absent files are undefined. */
export interface ImageProjectFiles {
  /** Workspace-relative path of the Dockerfile. */
  dockerfile: string;
  /** '' for the directory's primary image, else its key (dockerfile-names.ts); '' when omitted. */
  key?: string;
  /** The target that builds it, whose options set its image name and build args; `docker:build` when omitted. */
  buildTarget?: string;
  /** The name of the ignore file `dockerignoreText` is from; `.dockerignore` when omitted. */
  dockerignore?: string;
  /** Undefined when the Dockerfile could not be read; `unread` says why. */
  dockerfileText?: string;
  dockerignoreText?: string;
  projectJsonText?: string;
  packageJsonText?: string;
  lockText?: string;
  /** Files of the project that exist but were not read, and why. */
  unread?: Problem[];
}

/** Per-image settings, as options of the image's build target. */
interface BuildTargetOptions {
  imageName?: string;
  tagScheme?: string;
  buildArgs?: Record<string, string>;
}

export interface ImageProject {
  root: string;
  dockerfile: string;
  /** '' for the primary image of its directory, else its key. */
  key: string;
  buildTarget: string;
  /** Set only when no project.json or package.json defines the project already (nameImageProjects makes it unique). */
  name?: string;
  imageName: string;
  /** Template of its tags (tag-scheme.ts), build args not filled in yet: `{version}` unless set or inferred for a variant. */
  tagScheme: string;
  /** What the project's own files set: names defaults never take, tags inference does not contradict. */
  declared: { projectName?: string; imageName?: string; tagScheme?: string; tags?: string[] };
  version?: string;
  buildArgs: Record<string, string>;
  analysis: DockerfileAnalysis;
  /** Lines of image uses the Dockerfile marks as deliberate pins (`# imagewise: pin` on the line before). */
  pinMarkedLines: number[];
  /** Locked upstream digests, by normalised reference. */
  lock: Record<string, string>;
  /** Nx input globs for the build context, .dockerignore applied. */
  contextInputs: string[];
  problems: Problem[];
}

export function readImageProject(files: ImageProjectFiles): ImageProject {
  const root = dirname(files.dockerfile);
  const problems: Problem[] = [...(files.unread ?? [])];
  const projectJson = readProjectFile(files.projectJsonText, join(root, 'project.json'), problems);
  const packageJson = readProjectFile(files.packageJsonText, join(root, 'package.json'), problems);
  const buildTarget = files.buildTarget ?? 'docker:build';
  const buildOptions: BuildTargetOptions = {
    ...packageJson?.nx?.targets?.[buildTarget]?.options,
    ...projectJson?.targets?.[buildTarget]?.options,
  };
  if (buildTarget !== 'docker:build' && files.key === '') {
    // With several images, docker:build only waits for them: its options would apply to nothing.
    for (const [file, declared] of [
      [join(root, 'project.json'), projectJson?.targets],
      [join(root, 'package.json'), packageJson?.nx?.targets],
    ] as const) {
      if (Object.keys(declared?.['docker:build']?.options ?? {}).length) {
        problems.push({
          file,
          line: 0,
          message: `sets options of docker:build, which builds no image itself now that ${root} has several images; move them to ${buildTarget} (the primary image) or to the image target they are for`,
        });
      }
    }
  }
  const buildArgs = stringRecord(buildOptions.buildArgs);
  // An unread Dockerfile is reported once, as unread, not again as empty.
  const analysis = files.dockerfileText === undefined ? NOTHING_READ : analyseDockerfile(files.dockerfileText, buildArgs);
  for (const problem of analysis.problems) {
    problems.push({ file: files.dockerfile, line: problem.line, message: problem.message });
  }

  let lock: Record<string, string> = {};
  if (files.lockText !== undefined) {
    const lockPath = join(root, LOCK_FILE);
    const read = parseLockFile(files.lockText, lockPath);
    if ('lock' in read) lock = read.lock.upstream;
    // The Problem carries the path: drop it from the message, with or without its colon.
    else problems.push({ file: lockPath, line: read.problem.line, message: withoutPathPrefix(read.problem.message, lockPath) });
  }

  // What BuildKit reads besides the context: this image's own Dockerfile and ignore file.
  const dockerignore = files.dockerignore ?? '.dockerignore';
  const context = contextInputs(files.dockerignoreText, [basename(files.dockerfile), dockerignore, LOCK_FILE]);
  for (const problem of context.problems) problems.push({ file: join(root, dockerignore), ...problem });

  const definesProject = files.projectJsonText !== undefined || files.packageJsonText !== undefined;
  const declaredName = [projectJson?.name, packageJson?.name].find((name): name is string => typeof name === 'string');
  const declaredImageName = typeof buildOptions.imageName === 'string' ? buildOptions.imageName : undefined;
  const declaredTagScheme = typeof buildOptions.tagScheme === 'string' ? tagSchemeTemplate(buildOptions.tagScheme) : undefined;
  const declaredTags = [projectJson?.tags, packageJson?.nx?.tags].flatMap((tags) =>
    Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [],
  );
  return {
    root,
    dockerfile: files.dockerfile,
    key: files.key ?? '',
    buildTarget,
    name: definesProject ? undefined : basename(root),
    imageName: declaredImageName ?? basename(root),
    tagScheme: declaredTagScheme ?? DEFAULT_TAG_SCHEME,
    declared: {
      ...(declaredName !== undefined ? { projectName: declaredName } : {}),
      ...(declaredImageName !== undefined ? { imageName: declaredImageName } : {}),
      ...(declaredTagScheme !== undefined ? { tagScheme: declaredTagScheme } : {}),
      ...(declaredTags.length ? { tags: declaredTags } : {}),
    },
    version: typeof packageJson?.version === 'string' ? packageJson.version : undefined,
    buildArgs,
    analysis,
    pinMarkedLines: pinMarkedLines(files.dockerfileText, analysis),
    lock,
    contextInputs: context.inputs,
    problems,
  };
}

const NOTHING_READ: DockerfileAnalysis = Object.freeze({ globalArgs: [], stages: [], imageUses: [], problems: [] });

// The subset of project.json / package.json this reads.
interface ProjectFile {
  name?: unknown;
  version?: unknown;
  tags?: unknown;
  targets?: Record<string, { options?: BuildTargetOptions }>;
  nx?: { tags?: unknown; targets?: Record<string, { options?: BuildTargetOptions }> };
}

function readProjectFile(text: string | undefined, file: string, problems: Problem[]): ProjectFile | undefined {
  if (text === undefined) return undefined;
  const parsed = parseJson(text);
  if ('error' in parsed) {
    problems.push({ file, line: parsed.line, message: `is not valid JSON (${parsed.error}); fix it so its image settings apply` });
    return undefined;
  }
  return typeof parsed.value === 'object' && parsed.value !== null ? (parsed.value as ProjectFile) : undefined;
}

function pinMarkedLines(text: string | undefined, analysis: DockerfileAnalysis): number[] {
  return text === undefined ? [] : externalImageUses(analysis).flatMap((use) => (markedAsPin(text, use.line, false) ? [use.line] : []));
}

function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function withoutPathPrefix(message: string, path: string): string {
  return message.startsWith(path) ? message.slice(path.length).replace(/^:?\s*/, '') : message;
}
