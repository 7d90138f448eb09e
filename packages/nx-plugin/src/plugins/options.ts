import type { PoolEntry } from '../docker/engine-pool';
import { DEFAULT_DOCKERFILES } from '../graph/dockerfile-names';

/** Options of `@imagewise/nx-plugin` in nx.json `plugins`. */
export interface ImagewisePluginOptions {
  /** Globs of the Dockerfiles that are images; default: every `Dockerfile`, `Dockerfile.*`, `*.Dockerfile` and `Containerfile`. */
  dockerfiles?: string[];
  /** Where workspace images are pushed: `host[:port][/namespace]`. A FROM under it names a workspace image. */
  registry?: string;
  /** More registries whose images count as the workspace's (mirrors, old hosts). */
  registries?: string[];
  /** Projects that count as internal libraries; default: every non-image project with a package version. */
  libraries?: string[];
  /** Tag of base images: image projects another workspace image builds FROM. */
  baseImageTag?: string;
  /** Tag of the other image projects (services). */
  serviceTag?: string;
  /** docker:build rebuilds an image the registry holds once it is older than this (`30d`), and every image built on it. */
  maxAge?: string;
  /** Engines to build on, least busy first: DOCKER_HOST-style addresses, or `{ host, tlsVerify, certPath }`. Needs a registry. */
  engines?: PoolEntry[];
}

export type NormalisedOptions = Required<Omit<ImagewisePluginOptions, 'registry' | 'libraries' | 'maxAge' | 'engines'>> &
  Pick<ImagewisePluginOptions, 'registry' | 'libraries' | 'maxAge' | 'engines'>;

export function normaliseOptions(options: ImagewisePluginOptions | undefined): NormalisedOptions {
  return {
    dockerfiles: options?.dockerfiles ?? DEFAULT_DOCKERFILES,
    registry: options?.registry,
    registries: [...(options?.registry ? [options.registry] : []), ...(options?.registries ?? [])],
    libraries: options?.libraries,
    baseImageTag: options?.baseImageTag ?? 'type:base-image',
    serviceTag: options?.serviceTag ?? 'type:service',
    maxAge: options?.maxAge,
    engines: options?.engines,
  };
}

/** The plugin's options as nx.json gives them, for executors (which Nx does not hand them). */
export function pluginOptionsFromNxJson(nxJson: { plugins?: unknown[] } | undefined): ImagewisePluginOptions {
  for (const entry of nxJson?.plugins ?? []) {
    if (entry === '@imagewise/nx-plugin') return {};
    const { plugin, options } = (entry ?? {}) as { plugin?: string; options?: ImagewisePluginOptions };
    if (plugin === '@imagewise/nx-plugin') return options ?? {};
  }
  return {};
}
