import { DOCKER_HUB_DOMAIN, ImageReferenceError, formatImageReference, parseImageReference, type ImageReference } from '../image-reference/reference';

/** An image project as the graph sees it: its Nx name, image name and version. */
export interface WorkspaceImage {
  project: string;
  imageName: string;
  version?: string;
  /** Workspace-relative Dockerfile, for messages. */
  dockerfile: string;
}

/** What one image name in a Dockerfile turns out to be. */
export type ImageUseTarget =
  /** A workspace image at the version the workspace builds: a graph edge. */
  | { kind: 'workspace'; project: string }
  /** A workspace image at another tag or a digest: a published release, reported. */
  | { kind: 'pinned'; project: string; pin: string }
  /** Anything else: an upstream image, an external node. */
  | { kind: 'upstream'; reference: string; digest?: string }
  | { kind: 'invalid'; message: string };

export interface WorkspaceImageIndex {
  byName: Map<string, WorkspaceImage>;
  /** Image names claimed by more than one project: a FROM naming one is invalid, not an edge or upstream image. */
  conflicts: Map<string, WorkspaceImage[]>;
}

export function indexWorkspaceImages(images: WorkspaceImage[]): WorkspaceImageIndex {
  const claims = new Map<string, WorkspaceImage[]>();
  for (const image of images) claims.set(image.imageName, [...(claims.get(image.imageName) ?? []), image]);
  const byName = new Map<string, WorkspaceImage>();
  const conflicts = new Map<string, WorkspaceImage[]>();
  for (const [name, claimants] of claims) {
    if (claimants.length === 1) byName.set(name, claimants[0]);
    else conflicts.set(name, claimants);
  }
  return { byName, conflicts };
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

export function classifyImageUse(value: string, registryFromArg: boolean, index: WorkspaceImageIndex, options: ClassifyOptions): ImageUseTarget {
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
  const claimants = index.conflicts.get(name);
  if (claimants) {
    // Neither an edge (to which project?) nor an upstream image (it is the workspace's).
    return {
      kind: 'invalid',
      message: `"${value}" names image ${name}, which several projects build (${claimants.map((c) => c.dockerfile).join(', ')})`,
    };
  }
  const image = index.byName.get(name)!;
  if (reference.digest) return { kind: 'pinned', project: image.project, pin: reference.digest };
  const tag = reference.tag;
  if (tag === undefined || tag === 'latest' || tag === image.version) return { kind: 'workspace', project: image.project };
  return { kind: 'pinned', project: image.project, pin: tag };
}

/** The workspace image name (claimed by one project or by several) a reference names, if any. */
function findWorkspaceImageName(
  value: string,
  reference: ImageReference,
  registryFromArg: boolean,
  index: WorkspaceImageIndex,
  options: ClassifyOptions,
): string | undefined {
  const claimed = (name: string) => index.byName.has(name) || index.conflicts.has(name);
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
    if (index.byName.has(name) || index.conflicts.has(name)) return { name, prefix: parts.slice(0, start).join('/') };
  }
  return undefined;
}

/** `${REGISTRY}/node-base`: the registry part comes from an ARG, so any registry may hold a workspace image. */
export function registryFromArg(raw: string): boolean {
  return raw.includes('/') && raw.split('/')[0].includes('$');
}
