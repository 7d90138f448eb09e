import { externalImageUses, type DockerfileAnalysis } from '../dockerfile/analyse';
import { parseImageReference } from '../image-reference/reference';
import { classifyImageUse, indexWorkspaceImages, registryFromArg, type WorkspaceImage, type WorkspaceImageIndex } from '../graph/workspace-images';
import type { BaseReplacement } from './exact-bases';

/**
 * An image a Dockerfile builds on, and where it names it: a workspace project
 * at its workspace version, a published release of one (a pin), or an upstream reference.
 */
export type BaseImageUse = Omit<BaseReplacement, 'reference'> & ({ project: string } | { pinned: string; pin: string } | { upstream: string });

/**
 * The images a Dockerfile builds on, as the graph classified them: workspace
 * images at their workspace version (pinned to what this run built), releases
 * of workspace images (pinned to what the registry holds for that release) and
 * upstream images (pinned to their locked digest).
 */
const indexes = new WeakMap<WorkspaceImage[], WorkspaceImageIndex>();

export function baseImageUses(
  analysis: DockerfileAnalysis,
  images: WorkspaceImage[],
  registries: string[],
  markedAsPin: (line: number) => boolean = () => false,
): BaseImageUse[] {
  // Indexed once per list: a batch asks this for every image of one workspace.
  let index = indexes.get(images);
  if (!index) {
    index = indexWorkspaceImages(images);
    indexes.set(images, index);
  }
  const uses: BaseImageUse[] = [];
  for (const use of externalImageUses(analysis)) {
    if (use.value === undefined) continue;
    const target = classifyImageUse(use.value, registryFromArg(use.raw), index, { registries }, markedAsPin(use.line));
    if (target.kind === 'workspace') uses.push({ line: use.line, kind: use.kind, raw: use.raw, project: target.project });
    if (target.kind === 'pinned') uses.push({ line: use.line, kind: use.kind, raw: use.raw, pinned: target.project, pin: target.pin });
    // Already pinned by digest in the Dockerfile: nothing to do.
    if (target.kind === 'upstream' && !target.digest) uses.push({ line: use.line, kind: use.kind, raw: use.raw, upstream: target.reference });
  }
  return uses;
}

/**
 * The registry hosts a build of this Dockerfile pulls from once its bases are
 * pinned: each image it names, as the exact reference in baseImages (by the
 * name as written) where there is one, else as written (an upstream image
 * without a locked digest, or one the Dockerfile pins itself). Sorted, each once.
 */
export function pulledRegistryHosts(analysis: DockerfileAnalysis, baseImages: Record<string, string>): string[] {
  const hosts = new Set<string>();
  for (const use of externalImageUses(analysis)) {
    const reference = baseImages[use.raw] ?? use.value;
    if (reference === undefined) continue;
    try {
      hosts.add(parseImageReference(reference).domain);
    } catch {
      // Not a reference the engine could pull either: the build reports it.
    }
  }
  return [...hosts].sort();
}
