import { PIN_MARKER } from '../library/pins';
import type { ImageProject } from './image-project';
import type { Problem } from './problems';
import { DEFAULT_SCHEME, DEFAULT_TAG_SCHEME, fillTagScheme, isDefaultScheme, matchRepositoryTag, schemeTag, tagConflicts, type TagScheme } from './tag-scheme';
import { DOCKER_HUB_DOMAIN, ImageReferenceError, formatImageReference, parseImageReference, type ImageReference } from '../image-reference/reference';

/** An image project as the graph sees it: its Nx name, image name, tag scheme and version. */
export interface WorkspaceImage {
  project: string;
  imageName: string;
  /** How its tags differ from those of other images in the same repository; default: none. */
  tagScheme?: TagScheme;
  version?: string;
  /** Workspace-relative Dockerfile, for messages. */
  dockerfile: string;
}

/** What one image name in a Dockerfile turns out to be. */
export type ImageUseTarget =
  /** A workspace image at the version the workspace builds: a graph edge. */
  | { kind: 'workspace'; project: string }
  /** A workspace image at another tag of its scheme or a digest: a published release, reported. */
  | { kind: 'pinned'; project: string; pin: string }
  /** Anything else: an upstream image, an external node. */
  | { kind: 'upstream'; reference: string; digest?: string }
  | { kind: 'invalid'; message: string };

interface IndexedImage extends WorkspaceImage {
  scheme: TagScheme;
}

export interface WorkspaceImageIndex {
  /** The images of each repository (image name): one, or several told apart by their tag schemes. */
  byName: Map<string, IndexedImage[]>;
  /** Images of one repository that claim the same tags, by repository: a FROM naming one is invalid, not an edge or upstream image. */
  conflicts: Map<string, WorkspaceImage[][]>;
}

export function indexWorkspaceImages(images: WorkspaceImage[]): WorkspaceImageIndex {
  const byName = new Map<string, IndexedImage[]>();
  for (const image of images) {
    const indexed = { ...image, scheme: image.tagScheme ?? DEFAULT_SCHEME };
    byName.set(image.imageName, [...(byName.get(image.imageName) ?? []), indexed]);
  }
  const conflicts = new Map<string, WorkspaceImage[][]>();
  for (const [name, shared] of byName) {
    const groups = shared.length > 1 ? tagConflicts(shared) : [];
    if (groups.length)
      conflicts.set(
        name,
        groups.map((group) => group.map(withoutScheme)),
      );
  }
  return { byName, conflicts };
}

/**
 * An image project as the graph indexes it, its tag scheme filled from its
 * build args (over the Dockerfile's global ARG defaults). A scheme that cannot
 * be filled is a problem, and the image keeps no scheme meanwhile.
 */
export function workspaceImageOf(project: ImageProject): { image: WorkspaceImage; filledScheme?: string; problem?: Problem } {
  // Known by its Dockerfile: a directory may hold several images.
  const image: WorkspaceImage = { project: project.dockerfile, imageName: project.imageName, version: project.version, dockerfile: project.dockerfile };
  if (project.tagScheme === DEFAULT_TAG_SCHEME) return { image };
  const args: Record<string, string | undefined> = { ...project.buildArgs };
  for (const arg of project.analysis.globalArgs) if (arg.value !== undefined) args[arg.name] = arg.value;
  const filled = fillTagScheme(project.tagScheme, args);
  if ('problem' in filled) return { image, problem: { file: project.dockerfile, line: 0, message: filled.problem } };
  return { image: { ...image, tagScheme: filled.scheme }, filledScheme: filled.filled };
}

function withoutScheme({ scheme: _scheme, ...image }: IndexedImage): WorkspaceImage {
  return image;
}

/**
 * Registries whose images are the workspace's own: `host[:port][/namespace]`
 * prefixes, e.g. the plugin's `registry` option. A bare name (`FROM node-base`)
 * always counts; a registry that came from an ARG counts too, since its value
 * differs between a laptop and CI.
 */
export interface ClassifyOptions {
  registries: string[];
}

/** `markedAsPin`: the Dockerfile marks the use a deliberate pin (`# imagewise: pin` on the line before). */
export function classifyImageUse(
  value: string,
  registryFromArg: boolean,
  index: WorkspaceImageIndex,
  options: ClassifyOptions,
  markedAsPin = false,
): ImageUseTarget {
  let reference: ImageReference;
  try {
    reference = parseImageReference(value);
  } catch (error) {
    if (error instanceof ImageReferenceError) return { kind: 'invalid', message: error.message };
    throw error;
  }
  const name = findWorkspaceImageName(value, reference, registryFromArg, index, options);
  if (name === undefined) {
    return { kind: 'upstream', reference: formatImageReference(withoutDigest(reference)), digest: reference.digest };
  }
  const images = index.byName.get(name)!;
  const matched = reference.tag === undefined && reference.digest ? byDigestAlone(images) : matchRepositoryTag(reference.tag ?? '', images);
  // What no scheme accounts for (a release of a variant since removed, say) is a release still where the Dockerfile marks a deliberate pin.
  const deliberate =
    markedAsPin && (reference.tag || reference.digest) ? { image: byDigestAlone(images)?.image ?? images[0], match: 'release' as const } : undefined;
  const found = matched ?? deliberate;
  if (found === undefined && reference.tag === undefined && reference.digest) {
    return {
      kind: 'invalid',
      message: `"${value}" names repository ${name}, which several workspace images share, by digest alone; write the tag before the digest, or mark a deliberate pin (${PIN_MARKER} on the line before)`,
    };
  }
  if (found === undefined) {
    const schemes = images.map((image) => `${schemeTag(image.scheme, '{version}')} (${image.dockerfile})`).join(', ');
    return {
      kind: 'invalid',
      message: `"${value}" names repository ${name} at a tag none of its workspace images produces (tags: ${schemes}); name one of those tags, or mark a deliberate pin (${PIN_MARKER} on the line before)`,
    };
  }
  const claimants = index.conflicts.get(name)?.find((group) => group.some((image) => image.project === found.image.project));
  if (claimants) {
    // Neither an edge (to which project?) nor an upstream image (it is the workspace's).
    return {
      kind: 'invalid',
      message: `"${value}" names image ${name}, which several projects build (${claimants.map((c) => c.dockerfile).join(', ')})`,
    };
  }
  if (reference.digest) return { kind: 'pinned', project: found.image.project, pin: reference.digest };
  return found.match === 'current'
    ? { kind: 'workspace', project: found.image.project }
    : { kind: 'pinned', project: found.image.project, pin: reference.tag! };
}

/** A digest without a tag names a release of the repository's only image, or of the one without a tag scheme. */
function byDigestAlone(images: IndexedImage[]): { image: IndexedImage; match: 'release' } | undefined {
  const image = images.length === 1 ? images[0] : images.find((candidate) => isDefaultScheme(candidate.scheme));
  return image && { image, match: 'release' };
}

/** The workspace image name (claimed by one project or by several) a reference names, if any. */
function findWorkspaceImageName(
  value: string,
  reference: ImageReference,
  registryFromArg: boolean,
  index: WorkspaceImageIndex,
  options: ClassifyOptions,
): string | undefined {
  const claimed = (name: string) => index.byName.has(name);
  // Written without a registry (`node-base`, `team/node-base`): Docker Hub by
  // grammar, but a workspace image name wins.
  const familiar = reference.domain === DOCKER_HUB_DOMAIN && !value.startsWith(`${DOCKER_HUB_DOMAIN}/`) && !value.startsWith('index.docker.io/');
  if (familiar) {
    const path = reference.path.startsWith('library/') && !value.includes('library/') ? reference.path.slice('library/'.length) : reference.path;
    if (claimed(path)) return path;
    // Else it may still be under a Docker Hub namespace the workspace pushes to (`docker.io/acme`).
  }
  // Host names compare case-insensitively; repository paths are lowercase already.
  const name = `${reference.domain}/${reference.path}`.toLowerCase();
  for (const registry of options.registries) {
    const prefix = `${registry.replace(/\/+$/, '')}/`.toLowerCase();
    // Several registries may share a prefix (`host` and `host/team`): try them all.
    if (name.startsWith(prefix) && claimed(name.slice(prefix.length))) return name.slice(prefix.length);
  }
  if (registryFromArg) {
    // Any registry an ARG names: match the longest path suffix that is an image name.
    const parts = reference.path.split('/');
    for (let start = 0; start < parts.length; start++) {
      const candidate = parts.slice(start).join('/');
      if (claimed(candidate)) return candidate;
    }
  }
  return undefined;
}

function withoutDigest(reference: ImageReference): ImageReference {
  const { digest: _digest, ...rest } = reference;
  return rest;
}

/**
 * The workspace image an upstream reference looks like: its path ends in a
 * workspace image's name (`docker.io/acme/node-base` and image `node-base`),
 * though its registry is none the workspace recognises. Usually a missing
 * `registries` entry rather than an image to lock.
 */
export function lookalikeImage(reference: string, index: WorkspaceImageIndex): { name: string; prefix: string } | undefined {
  const parts = reference.replace(/[:@][^/]*$/, '').split('/');
  // The shortest prefix first: the longest matching image name wins.
  for (let start = 1; start < parts.length; start++) {
    const name = parts.slice(start).join('/');
    if (index.byName.has(name)) return { name, prefix: parts.slice(0, start).join('/') };
  }
  return undefined;
}

/** `${REGISTRY}/node-base`: the registry part comes from an ARG, so any registry may hold a workspace image. */
export function registryFromArg(raw: string): boolean {
  return raw.includes('/') && raw.split('/')[0].includes('$');
}
