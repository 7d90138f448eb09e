/**
 * Multi-platform images, the pure part: which platforms an image is built for,
 * the OCI image index joining their manifests, and what a failure on a
 * platform the engine cannot run means.
 */

/** An OCI platform, as an index entry names it. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** One platform's image as the registry holds it: what an index entry points at. */
export interface PlatformManifest {
  platform: string;
  digest: string;
  size: number;
  mediaType: string;
}

export const IMAGE_INDEX_TYPE = 'application/vnd.oci.image.index.v1+json';

const PLATFORM = /^([a-z0-9]+)\/([a-z0-9_]+)(?:\/([a-z0-9]+))?$/;

/** `linux/arm64/v8` → its parts; throws a message saying the expected form. */
export function parsePlatform(text: string): Platform {
  const match = PLATFORM.exec(text);
  if (!match) throw new Error(`platform "${text}" is not of the form os/architecture[/variant], e.g. linux/amd64 or linux/arm/v7`);
  return { os: match[1], architecture: match[2], ...(match[3] ? { variant: match[3] } : {}) };
}

export function platformText(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/**
 * The platforms of docker:build's `platforms` option: checked, without
 * repeats, sorted (the order they are written in changes nothing). Undefined
 * for a single-platform image; `platform` and `platforms` together are refused.
 */
export function buildPlatforms(options: { platform?: string; platforms?: string[] }): string[] | undefined {
  if (!options.platforms) return undefined;
  if (options.platform !== undefined) throw new Error('docker:build takes "platform" (one) or "platforms" (several), not both: keep one');
  if (!options.platforms.length) throw new Error('docker:build option "platforms" is empty: name at least one platform, e.g. ["linux/amd64", "linux/arm64"]');
  return [...new Set(options.platforms.map((text) => platformText(parsePlatform(text))))].sort();
}

/**
 * The OCI image index joining one image's platforms, entries in platform
 * order: the same manifests give the same bytes, hence the same digest, on
 * every runner.
 */
export function imageIndex(manifests: PlatformManifest[]): Buffer {
  const entries = [...manifests]
    .sort((a, b) => (a.platform < b.platform ? -1 : a.platform > b.platform ? 1 : 0))
    .map((manifest) => ({ mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size, platform: parsePlatform(manifest.platform) }));
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: IMAGE_INDEX_TYPE, manifests: entries }));
}

/**
 * Each platform's manifest digest in an index (or manifest list), by
 * `os/architecture[/variant]`; entries without a platform, or BuildKit's
 * attestations (`unknown/unknown`), are left out. Undefined for a manifest
 * that is no index.
 */
export function indexPlatforms(bytes: Buffer): Record<string, string> | undefined {
  const parsed = JSON.parse(bytes.toString('utf8')) as { manifests?: Array<{ digest: string; platform?: Platform }> };
  if (!parsed.manifests) return undefined;
  const found: Record<string, string> = {};
  for (const entry of parsed.manifests) {
    if (!entry.platform || entry.platform.os === 'unknown') continue;
    found[platformText(entry.platform)] = entry.digest;
  }
  return found;
}

/**
 * A build for `platforms` on a workspace base built for other ones: the
 * platforms the base lacks, as a message naming what to do; undefined when it
 * has them all (or is single-platform: BuildKit then uses it on every platform).
 */
export function missingBasePlatforms(
  where: string,
  base: { project: string; platforms?: Record<string, string> },
  platforms: string[] | undefined,
): string | undefined {
  if (!platforms || !base.platforms) return undefined;
  const missing = platforms.filter((platform) => !(platform in base.platforms!));
  if (!missing.length) return undefined;
  return `${where}: base image ${base.project} is built for ${Object.keys(base.platforms).join(', ')}, not ${missing.join(', ')}: add ${missing.join(', ')} to its "platforms" option, or leave ${missing.length === 1 ? 'it' : 'them'} out of this image's`;
}

/**
 * A build for a platform of another architecture than the engine's that
 * failed running a program of that platform ("exec format error"): the
 * engine has no emulation for it. One line naming the platform and what to
 * install; undefined for any other failure.
 */
export function emulationMissing(platform: string, engine: Platform, dockerfile: string, failure: string): string | undefined {
  const target = parsePlatform(platform);
  if (target.architecture === engine.architecture && target.os === engine.os) return undefined;
  if (!/exec format error/.test(failure)) return undefined;
  return (
    `${dockerfile}: a RUN step for ${platform} cannot run on this engine (${platformText(engine)}), which has no emulation for ${target.architecture}: ` +
    `install QEMU user emulation on the engine's host (binfmt_misc; e.g. docker run --privileged --rm tonistiigi/binfmt --install ${target.architecture}), ` +
    `or build ${platform} on an engine of that platform, or keep RUN out of that platform's stages`
  );
}
