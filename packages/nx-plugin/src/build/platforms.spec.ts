import { describe, expect, it } from 'vitest';
import { buildPlatforms, emulationMissing, imageIndex, indexPlatforms, missingBasePlatforms, parsePlatform } from './platforms';

const digest = (digit: string) => `sha256:${digit.repeat(64)}`;
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

describe('buildPlatforms', () => {
  it('is undefined for a single-platform image', () => {
    expect(buildPlatforms({})).toBeUndefined();
    expect(buildPlatforms({ platform: 'linux/arm64' })).toBeUndefined();
  });

  it('sorts the platforms and drops repeats: the order written changes nothing', () => {
    expect(buildPlatforms({ platforms: ['linux/arm64', 'linux/amd64', 'linux/arm64'] })).toEqual(['linux/amd64', 'linux/arm64']);
  });

  it('refuses platform with platforms, an empty list, and a platform not of the form os/architecture', () => {
    expect(() => buildPlatforms({ platform: 'linux/amd64', platforms: ['linux/arm64'] })).toThrow(/"platform" \(one\) or "platforms" \(several\), not both/);
    expect(() => buildPlatforms({ platforms: [] })).toThrow(/"platforms" is empty/);
    expect(() => buildPlatforms({ platforms: ['arm64'] })).toThrow(/platform "arm64" is not of the form os\/architecture\[\/variant\]/);
  });
});

describe('imageIndex', () => {
  const manifests = [
    { platform: 'linux/arm/v7', digest: digest('c'), size: 700, mediaType: DOCKER_MANIFEST },
    { platform: 'linux/amd64', digest: digest('a'), size: 523, mediaType: DOCKER_MANIFEST },
  ];

  it('is an OCI image index naming each platform with its manifest, in platform order', () => {
    expect(JSON.parse(imageIndex(manifests).toString())).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: DOCKER_MANIFEST, digest: digest('a'), size: 523, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: DOCKER_MANIFEST, digest: digest('c'), size: 700, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
      ],
    });
  });

  it('is the same bytes whatever order the platforms were built in', () => {
    expect(imageIndex([...manifests].reverse()).equals(imageIndex(manifests))).toBe(true);
  });

  it('reads back as each platform’s digest', () => {
    expect(indexPlatforms(imageIndex(manifests))).toEqual({ 'linux/amd64': digest('a'), 'linux/arm/v7': digest('c') });
  });
});

describe('indexPlatforms', () => {
  it('leaves out attestations and is undefined for an image manifest', () => {
    const index = {
      manifests: [
        { digest: digest('a'), platform: { os: 'linux', architecture: 'arm64' } },
        { digest: digest('b'), platform: { os: 'unknown', architecture: 'unknown' } },
      ],
    };
    expect(indexPlatforms(Buffer.from(JSON.stringify(index)))).toEqual({ 'linux/arm64': digest('a') });
    expect(indexPlatforms(Buffer.from(JSON.stringify({ config: { digest: digest('c') }, layers: [] })))).toBeUndefined();
  });
});

describe('missingBasePlatforms', () => {
  const base = { project: 'base', platforms: { 'linux/amd64': digest('a') } };

  it('names the platforms a multi-platform base lacks and what to do', () => {
    expect(missingBasePlatforms('apps/web/Dockerfile:1', base, ['linux/amd64', 'linux/arm64'])).toBe(
      'apps/web/Dockerfile:1: base image base is built for linux/amd64, not linux/arm64: add linux/arm64 to its "platforms" option, or leave it out of this image\'s',
    );
  });

  it('is nothing when the base has every platform, or either image is single-platform', () => {
    expect(missingBasePlatforms('D:1', base, ['linux/amd64'])).toBeUndefined();
    expect(missingBasePlatforms('D:1', base, undefined)).toBeUndefined();
    expect(missingBasePlatforms('D:1', { project: 'base' }, ['linux/arm64'])).toBeUndefined();
  });
});

describe('emulationMissing', () => {
  const engine = parsePlatform('linux/amd64');
  const failure = 'RUN ["/x"] failed: executor failed running [/x]: exit code: 1\n  | exec /x: exec format error';

  it('says, in one line, which platform cannot run and what to install', () => {
    const message = emulationMissing('linux/arm64', engine, 'apps/web/Dockerfile', failure)!;
    expect(message).not.toContain('\n');
    expect(message).toMatch(
      /^apps\/web\/Dockerfile: a RUN step for linux\/arm64 cannot run on this engine \(linux\/amd64\), which has no emulation for arm64: /,
    );
    expect(message).toMatch(/install QEMU user emulation .*binfmt_misc.*--install arm64/);
  });

  it('leaves other failures, and failures on the engine’s own platform, as they are', () => {
    expect(emulationMissing('linux/amd64', engine, 'D', failure)).toBeUndefined();
    expect(emulationMissing('linux/arm64', engine, 'D', 'RUN make failed: exit code: 2')).toBeUndefined();
  });
});
