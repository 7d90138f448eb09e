import type { ExecutorContext, ProjectConfiguration } from 'nx/src/devkit-exports';
import { BUILD_TARGET, PRIMARY_KEY } from '../graph/dockerfile-names';
import { parseTagScheme } from '../graph/tag-scheme';
import type { WorkspaceImage } from '../graph/workspace-images';

/**
 * What createNodes leaves on an image project (metadata.imagewise), for
 * `nx show project`, createDependencies and the executors. Kept small: Nx
 * merges, copies, sends to every plugin worker and caches every key of it on
 * every command.
 */
export interface ImageProjectMetadata {
  /** The primary image's name; each image's, where there are several, in `images`. */
  imageName: string;
  /** The primary image's Dockerfile (absent in metadata of older versions: `<root>/Dockerfile`). */
  dockerfile?: string;
  /** Every image of the project, the primary first; only where there are several. */
  images?: ProjectImage[];
  /** The primary image's tag scheme with build args filled in (`cuda-{version}`, `{version}-jammy-amd64`), when it shares its repository that way. */
  tagScheme?: string;
  /** The image's version (package.json), which a FROM tag must equal to track the workspace. */
  version?: string;
  /** The build stages in order, each with what its FROM names (after ARG substitution when known). */
  stages: ImageStage[];
  /** Roots of the workspace image projects it builds on at their workspace version: its image edges. */
  baseImages: string[];
  /** The upstream images it uses, normalised, with `@digest` when the Dockerfile pins one: external nodes `docker:<reference>`. */
  upstreamImages: string[];
  /** Workspace images it names at another version or a digest: published releases, no edge; docker:drift reports them. */
  pinnedImages: ImagePin[];
  /** Bad input found in its files, formatted with file and line; only when there is some. */
  problems?: string[];
}

/** One image of a project: its key ('' for the primary), Dockerfile, image name and build target. */
export interface ProjectImage {
  key: string;
  dockerfile: string;
  imageName: string;
  buildTarget: string;
  /** Its filled tag scheme, when it shares its repository that way. */
  tagScheme?: string;
}

/** A release of a workspace image that a Dockerfile names (the graph's PinnedImage, as metadata keeps it). */
export interface ImagePin {
  /** Root of the image project whose release it uses. */
  root: string;
  /** The tag or digest it names. */
  pin: string;
  /** Line of the Dockerfile that names it. */
  line: number;
  /** That Dockerfile, where it is not the project's primary one. */
  dockerfile?: string;
}

export interface ImageStage {
  name?: string;
  from: string;
}

export interface ImageProjectEntry {
  project: ProjectConfiguration;
  metadata: ImageProjectMetadata;
}

/** An image project's images, the primary first. */
export function imagesOf(root: string, metadata: ImageProjectMetadata): ProjectImage[] {
  const dockerfile = metadata.dockerfile ?? (root === '.' ? 'Dockerfile' : `${root}/Dockerfile`);
  const tagScheme = metadata.tagScheme !== undefined ? { tagScheme: metadata.tagScheme } : {};
  return metadata.images ?? [{ key: '', dockerfile, imageName: metadata.imageName, buildTarget: 'docker:build', ...tagScheme }];
}

/** An image project's primary Dockerfile, which docker:lock and drift read. */
export function dockerfileOf(root: string, metadata: ImageProjectMetadata): string {
  return imagesOf(root, metadata)[0].dockerfile;
}

/** The image a build target builds: the one it names, else the primary. */
export function imageOfTarget(root: string, metadata: ImageProjectMetadata, target: string | undefined): ProjectImage {
  const images = imagesOf(root, metadata);
  return images.find((image) => image.buildTarget === target) ?? images[0];
}

/** An image's key as its build target names it and the executors' `image` option takes it: `primary` for the primary. */
function imageKeyOf(image: ProjectImage): string {
  return image.key || PRIMARY_KEY;
}

/**
 * The image the `image` option of docker:push, run, explain and prune selects:
 * the one whose build target `docker:build:<key>` it names, else (no option)
 * the primary. A key the project has no image for is an error listing its keys.
 */
export function imageOfOption(projectName: string, root: string, metadata: ImageProjectMetadata, key: string | undefined): ProjectImage {
  // The target `docker:build:<key>` names the image; a key no target has falls back to the primary, whose key differs.
  const image = imageOfTarget(root, metadata, key === undefined ? undefined : `${BUILD_TARGET}:${key}`);
  if (key === undefined || imageKeyOf(image) === key) return image;
  const keys = imagesOf(root, metadata).map(imageKeyOf);
  throw new Error(
    keys.length === 1
      ? `${projectName} has no image "${key}": it has one image, built by ${BUILD_TARGET}; leave out --image`
      : `${projectName} has no image "${key}": its images are ${keys.join(', ')} (its ${BUILD_TARGET}:<key> targets); pass --image=<one of them>`,
  );
}

/**
 * Where a project has several images and no `image` option chose one, the
 * line saying which image a target acts on and how to choose another.
 */
export function otherImagesNote(target: string, projectName: string, metadata: ImageProjectMetadata, key: string | undefined): string | undefined {
  const [primary, ...others] = metadata.images ?? [];
  if (key !== undefined || !others.length) return undefined;
  const choices = others.map((image) => `--image=${imageKeyOf(image)} for ${image.imageName}`).join(', ');
  return `${projectName} has ${others.length + 1} images: ${target} acts on ${primary.imageName} (pass ${choices})`;
}

/** The image projects among `projects` (by name): those createNodes left metadata on. */
export function imageProjects(projects: Record<string, ProjectConfiguration>): Map<string, ImageProjectEntry> {
  const images = new Map<string, ImageProjectEntry>();
  for (const [name, project] of Object.entries(projects)) {
    const metadata = (project.metadata as { imagewise?: ImageProjectMetadata } | undefined)?.imagewise;
    if (metadata) images.set(name, { project, metadata });
  }
  return images;
}

const imagesByGraph = new WeakMap<object, Map<string, ImageProjectEntry>>();

/**
 * The image projects of the project graph Nx hands an executor, worked out
 * once per graph: a batch runs every image's task against the same graph, and
 * doing it per task costs time in the square of the images.
 */
export function imageProjectsOfGraph(graph: Pick<ExecutorContext['projectGraph'], 'nodes'>): Map<string, ImageProjectEntry> {
  let images = imagesByGraph.get(graph.nodes);
  if (!images) {
    images = imageProjects(Object.fromEntries(Object.entries(graph.nodes).map(([name, node]) => [name, node.data])));
    imagesByGraph.set(graph.nodes, images);
  }
  return images;
}

/** The image project an executor runs for, as the project graph Nx hands the executor has it. */
export function imageProjectOf(context: Pick<ExecutorContext, 'projectGraph' | 'projectName'>): ImageProjectEntry | undefined {
  const node = context.projectName ? context.projectGraph?.nodes[context.projectName] : undefined;
  const metadata = (node?.data.metadata as { imagewise?: ImageProjectMetadata } | undefined)?.imagewise;
  return node && metadata ? { project: node.data, metadata } : undefined;
}

/** One image of the workspace: the project it belongs to, the image, and the image as the graph code indexes it. */
export interface WorkspaceImageEntry {
  projectName: string;
  image: ProjectImage;
  workspaceImage: WorkspaceImage;
}

const entriesByImages = new WeakMap<Map<string, ImageProjectEntry>, Map<string, WorkspaceImageEntry>>();

/**
 * Every image of the workspace by its Dockerfile, worked out once per map of
 * image projects: a batch builds every image against the same one.
 */
export function workspaceImageEntries(images: Map<string, ImageProjectEntry>): Map<string, WorkspaceImageEntry> {
  let entries = entriesByImages.get(images);
  if (!entries) {
    entries = new Map(
      [...images].flatMap(([projectName, { project, metadata }]) =>
        imagesOf(project.root, metadata).map((image): [string, WorkspaceImageEntry] => [
          image.dockerfile,
          {
            projectName,
            image,
            workspaceImage: {
              // Known by its Dockerfile, as the graph knows it: a project may have several images.
              project: image.dockerfile,
              imageName: image.imageName,
              ...(image.tagScheme !== undefined ? { tagScheme: parseTagScheme(image.tagScheme) } : {}),
              version: metadata.version,
              dockerfile: image.dockerfile,
            },
          },
        ]),
      ),
    );
    entriesByImages.set(images, entries);
  }
  return entries;
}

/** The images as the graph code indexes them, each known by its Dockerfile. */
export function workspaceImagesOf(images: Map<string, ImageProjectEntry>): WorkspaceImage[] {
  return [...workspaceImageEntries(images).values()].map((entry) => entry.workspaceImage);
}
