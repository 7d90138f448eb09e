import type { BuildImageOptions } from '../docker/build-image';
import type { RegistryConfig } from '../docker/build-session';
import type { ContextEntry } from './build-context';
import { classicBuilderRefusal, SecretError, type SecretSources } from './build-secrets';
import type { BuildSettings } from './content-identity';
import { pinBases, type BaseReplacement } from './exact-bases';
import type { StagedFile } from './library-packs';
import { staleness, type MaxAge, type RegistryImage, type StaleKind } from './staleness';
import { contentTag } from './tag-policy';

/** What docker:build knows about one image before it acts: all of it data, gathered by build-facts.ts. */
export interface BuildFacts {
  /** `registry/name`, or the bare image name when nothing is pushed. */
  repository: string;
  identity: string;
  /** Every tag the image gets, the content tag first (imageTags). */
  tags: string[];
  /** Whether a registry is configured and the image goes there. */
  push: boolean;
  /** The digest the registry holds under the content tag; asked only when pushing. */
  registryDigest?: string;
  /** Blobs that manifest names and the registry no longer holds: its image cannot be pulled. */
  missingBlobs?: string[];
  /** maxAge, when set: the registry image under the content tag is rebuilt once older (staleness.ts). */
  maxAge?: MaxAge;
  /** When the facts were gathered (ms since the epoch): the plan's only clock. */
  now?: number;
  /** What the registry's image under the content tag says of itself; read only under maxAge. */
  registryImage?: RegistryImage;
  /** The local image under the content tag; asked only when not pushing. */
  localImageId?: string;
  /** Whether the engine offers BuildKit; asked only when a build may follow. */
  engineHasBuildKit?: boolean;
  build: BuildSettings;
  /** The Dockerfile's path from the workspace root, for its label. */
  dockerfile?: string;
  /** The Dockerfile as written, and where its bases are replaced by exact references. */
  dockerfileText: string;
  replacements: BaseReplacement[];
  /** The exact base images, by the name the Dockerfile used. */
  baseImages: Record<string, string>;
  contextDir: string;
  contextEntries: ContextEntry[];
  stagedFiles: StagedFile[];
  /**
   * Credentials for the registries the build pulls from (registryCredentials),
   * by host; asked only when a build may follow. Passed to the engine, never recorded.
   */
  registryCredentials?: RegistryConfig;
  /** Build secrets by id: where each value comes from (read by the executor when a build follows, never here). */
  secrets?: SecretSources;
  /** The commit and the origin URL, without credentials (publicRemoteUrl). */
  git: { sha?: string; remote?: string };
}

/** What to do, and only that: reuse the registry's image, reuse a local one, or build. */
export type BuildPlan =
  | { outcome: 'reuse-registry'; digest: string; otherTags: string[] }
  | { outcome: 'reuse-local'; imageId: string; otherTags: string[] }
  | {
      outcome: 'build';
      image: Omit<BuildImageOptions, 'log' | 'secrets'>;
      /** The ids of the secrets the build gets through its session; their values are read just before it starts. */
      secrets: string[];
      /** Built once per platform, each pushed by digest, joined in one image index (platforms.ts); absent: one image. */
      platforms?: string[];
      push: boolean;
      otherTags: string[];
      /**
       * Why a content tag the registry holds is not reused: said, and its
       * manifest is replaced (the tag moves to the new build). `unpullable`:
       * a blob is gone; `too-old` / `base-moved`: stale under maxAge.
       */
      replaces?: { digest: string; kind: ReplaceKind; reason: string };
    };

export type ReplaceKind = 'unpullable' | StaleKind;

/**
 * Decides from facts alone, without Docker or a registry. The registry is the
 * cache when there is one: a content tag there means the image is built. With
 * no registry, the local engine is: an image under the content tag is reused.
 * Otherwise the image is built on exactly the bases this run produced, with
 * labels that say what it is made of and nothing that changes per run.
 */
export function planImageBuild(facts: BuildFacts): BuildPlan {
  const tag = contentTag(facts.identity);
  const otherTags = facts.tags.filter((t) => t !== tag);
  const missing = facts.missingBlobs ?? [];
  const secrets = facts.secrets ?? {};
  // Options that can never build are refused even when this run would reuse the image.
  const refusal = facts.build.builder ? classicBuilderRefusal(secrets, facts.build.builder, true) : undefined;
  if (refusal) throw new SecretError(refusal);
  const stale =
    facts.push && facts.registryDigest && !missing.length
      ? staleness({ maxAge: facts.maxAge, now: facts.now ?? 0, image: facts.registryImage, baseImages: facts.baseImages })
      : undefined;
  if (facts.push && facts.registryDigest && !missing.length && !stale) return { outcome: 'reuse-registry', digest: facts.registryDigest, otherTags };
  if (!facts.push && facts.localImageId) return { outcome: 'reuse-local', imageId: facts.localImageId, otherTags };

  const builder = facts.build.builder ?? (facts.engineHasBuildKit ? 'buildkit' : 'classic');
  const noBuildKit = classicBuilderRefusal(secrets, builder, false);
  if (noBuildKit) throw new SecretError(noBuildKit);
  const buildArgs = { ...facts.build.buildArgs };
  const platforms = facts.build.platforms;
  // The engine's image store holds one platform per name: an index exists only in a registry.
  if (platforms && !facts.push) {
    throw new Error(
      `${facts.dockerfile ?? facts.repository}: "platforms" joins each platform's image in one image index, which only a registry holds: set the plugin option "registry" (or IMAGEWISE_REGISTRY) and leave push on, or build one "platform"`,
    );
  }
  return {
    outcome: 'build',
    push: facts.push,
    ...(platforms ? { platforms } : {}),
    otherTags,
    secrets: Object.keys(secrets),
    ...(facts.push && facts.registryDigest
      ? {
          replaces: stale
            ? {
                digest: facts.registryDigest,
                kind: stale.kind,
                reason: `${facts.repository}:${tag} (${facts.registryDigest}) is stale: ${stale.reason}; rebuilding it with no layer cache, pulling its bases, and moving its tags to the new build`,
              }
            : {
                digest: facts.registryDigest,
                kind: 'unpullable' as const,
                reason: `${facts.repository}:${tag} is in the registry but cannot be pulled: ${missing.length === 1 ? 'blob' : 'blobs'} ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} gone; building it again`,
              },
        }
      : {}),
    image: {
      contextDir: facts.contextDir,
      contextEntries: facts.contextEntries,
      dockerfileText: pinBases(facts.dockerfileText, facts.replacements),
      stagedFiles: facts.stagedFiles,
      tag: `${facts.repository}:${tag}`,
      // BuildKit writes its cache metadata into the image, so the next build can reuse its layers.
      buildArgs: builder === 'buildkit' ? { BUILDKIT_INLINE_CACHE: '1', ...buildArgs } : buildArgs,
      labels: {
        ...(facts.git.sha ? { 'org.opencontainers.image.revision': facts.git.sha } : {}),
        ...(facts.git.remote ? { 'org.opencontainers.image.source': facts.git.remote } : {}),
        'dev.imagewise.content-identity': facts.identity,
        'dev.imagewise.base-images': JSON.stringify(facts.baseImages),
        ...(facts.dockerfile ? { 'dev.imagewise.dockerfile': facts.dockerfile } : {}),
        // The library packs the context held: their file names carry each library's version.
        ...(facts.stagedFiles.length
          ? { 'dev.imagewise.library-packs': JSON.stringify(facts.stagedFiles.map((file) => file.name.split('/').pop()).sort()) }
          : {}),
        ...facts.build.labels,
      },
      target: facts.build.target,
      platform: facts.build.platform,
      network: facts.build.network,
      // A stale image is rebuilt from its bases up: steps such as `apt-get upgrade` run again, not from cache.
      // A multi-platform latest names an index, not one platform's image: no layer cache is taken from it.
      cacheFrom: facts.push && builder === 'buildkit' && !stale && !platforms ? [`${facts.repository}:latest`] : [],
      ...(stale ? { noCache: true, pull: true } : {}),
      builder,
      ...(facts.registryCredentials && Object.keys(facts.registryCredentials).length ? { registryConfig: facts.registryCredentials } : {}),
    },
  };
}
