import { createHash } from 'node:crypto';

/**
 * Everything that reaches an image, as hashes: what its content identity is
 * made of, and nothing else. Not Nx's global inputs, not npm packages the
 * build context does not hold, not values that change from run to run.
 */
export interface ImageInputs {
  /** Hash of the Dockerfile as written (the bases it names are in `bases`). */
  dockerfile: string;
  /** What the build context sends (listBuildContext), each with a hash of what it holds. */
  context: ContextItem[];
  /** Files staged into the context (library packs), by path inside it: hash of their bytes. */
  staged: Record<string, string>;
  /** Executor options that change the image. */
  build: BuildSettings;
  /**
   * Each base a FROM / COPY --from / RUN --mount names, as written: the
   * content identity of a workspace image, the release of one, or the locked
   * digest of an upstream image.
   */
  bases: Record<string, BaseIdentity>;
  /**
   * Build secrets by id: where each comes from (`env NPM_TOKEN`), never its
   * value, so adding a secret changes the identity and rotating one does not.
   */
  secrets?: Record<string, string>;
}

export type ContextItem =
  { path: string; kind: 'file'; hash: string; executable: boolean } | { path: string; kind: 'directory' } | { path: string; kind: 'symlink'; target: string };

export interface BuildSettings {
  buildArgs: Record<string, string>;
  target?: string;
  platform?: string;
  /** Several platforms joined in one image index (buildPlatforms: sorted, no repeats). */
  platforms?: string[];
  network?: string;
  builder?: 'buildkit' | 'classic';
  labels?: Record<string, string>;
}

export type BaseIdentity = { image: string } | { release: string } | { upstream: string; digest?: string };

/**
 * Bumped whenever what goes into an identity, or how, changes: every content
 * tag moves once, and no image is reused under a tag that meant something else.
 */
export const IDENTITY_SCHEME = 1;

/**
 * The image's content identity: a SHA-256 over its inputs in a fixed order
 * (records by sorted key, the context by path), so equal inputs give equal
 * identities on any runner, and any input that differs gives another one.
 */
export function contentIdentity(inputs: ImageInputs): string {
  const hash = createHash('sha256');
  // Name and value are each length-prefixed (names hold paths and keys, which
  // may hold anything): no two different inputs serialise alike.
  const field = (name: string, value: string) => hash.update(`${name.length}:${name}${value.length}:${value}`);
  const record = (name: string, values: Record<string, string | undefined> = {}) => {
    for (const key of Object.keys(values).sort()) if (values[key] !== undefined) field(`${name}[${key}]`, values[key]);
  };

  field('scheme', String(IDENTITY_SCHEME));
  field('dockerfile', inputs.dockerfile);
  for (const item of [...inputs.context].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    if (item.kind === 'file') field(`file[${item.path}]`, `${item.executable ? 'x' : '-'}${item.hash}`);
    else if (item.kind === 'symlink') field(`symlink[${item.path}]`, item.target);
    else field(`directory[${item.path}]`, '');
  }
  record('staged', inputs.staged);
  const { buildArgs, labels, platforms, ...settings } = inputs.build;
  record('buildArg', buildArgs);
  record('label', labels);
  record('setting', settings);
  // Adds nothing for a single-platform image: their identities stay as they were.
  if (platforms) field('platforms', [...platforms].sort().join(','));
  for (const name of Object.keys(inputs.bases).sort()) field(`base[${name}]`, baseText(inputs.bases[name]));
  // Adds nothing without secrets: the identities of images that have none stay as they were.
  record('secret', inputs.secrets);
  return hash.digest('hex');
}

function baseText(base: BaseIdentity): string {
  if ('image' in base) return `image ${base.image}`;
  if ('release' in base) return `release ${base.release}`;
  // Unlocked, an upstream image is only its (moving) tag: docker:lock fixes it.
  return `upstream ${base.upstream}${base.digest ? `@${base.digest}` : ''}`;
}
