import type { ExecutorContext, ProjectConfiguration } from 'nx/src/devkit-exports';
import { parseTagScheme } from '../graph/tag-scheme';
import type { WorkspaceImage } from '../graph/workspace-images';

/**
 * What createNodes leaves on an image project (metadata.imagewise), for
 * `nx show project`, createDependencies and the executors. Kept small: Nx
 * merges, copies, sends to every plugin worker and caches every key of it on
 * every command.
 */
export interface ImageProjectMetadata {
  imageName: string;
  /** Its tag scheme with build args filled in (`cuda-{version}`, `{version}-jammy-amd64`), when it shares its repository that way. */
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

/** A release of a workspace image that a Dockerfile names (the graph's PinnedImage, as metadata keeps it). */
export interface ImagePin {
  /** Root of the image project whose release it uses. */
  root: string;
  /** The tag or digest it names. */
  pin: string;
  /** Line of the Dockerfile that names it. */
  line: number;
}

export interface ImageStage {
  name?: string;
  from: string;
}

export interface ImageProjectEntry {
  project: ProjectConfiguration;
  metadata: ImageProjectMetadata;
}

/** An image project's Dockerfile: createNodes matches only files named so, at the project root. */
export function dockerfileOf(root: string): string {
  return root === '.' ? 'Dockerfile' : `${root}/Dockerfile`;
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

/** The image projects as the graph code indexes them: name, image name, version and Dockerfile. */
const workspaceImagesByEntries = new WeakMap<Map<string, ImageProjectEntry>, WorkspaceImage[]>();

export function workspaceImagesOf(images: Map<string, ImageProjectEntry>): WorkspaceImage[] {
  let found = workspaceImagesByEntries.get(images);
  if (!found) {
    found = listWorkspaceImages(images);
    workspaceImagesByEntries.set(images, found);
  }
  return found;
}

function listWorkspaceImages(images: Map<string, ImageProjectEntry>): WorkspaceImage[] {
  return [...images].map(([name, { project, metadata }]) => ({
    project: name,
    imageName: metadata.imageName,
    ...(metadata.tagScheme !== undefined ? { tagScheme: parseTagScheme(metadata.tagScheme) } : {}),
    version: metadata.version,
    dockerfile: dockerfileOf(project.root),
  }));
}
