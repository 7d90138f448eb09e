import { afterEach, describe, expect, it, vi } from 'vitest';
import { planImageBuild, type BuildFacts } from './build-plan';
import { parseMaxAge } from './staleness';

const IDENTITY = 'ab'.repeat(32);
const CONTENT_TAG = `c-${IDENTITY}`;
const DIGEST = 'sha256:' + 'd'.repeat(64);
const IMAGE_ID = 'sha256:' + '1'.repeat(64);
const PINNED = 'reg.example.com/node-base@sha256:' + 'e'.repeat(64);
const SHA = '0123456789abcdef0123456789abcdef01234567';
const REMOTE = 'https://gitlab.example.com/org/web.git';

const base: BuildFacts = {
  repository: 'reg.example.com/web',
  identity: IDENTITY,
  tags: [CONTENT_TAG, '1.2.0', 'latest'],
  push: true,
  build: { buildArgs: { NODE_ENV: 'production' } },
  dockerfileText: 'FROM node-base\nCOPY . /app\n',
  replacements: [{ line: 1, kind: 'from', raw: 'node-base', reference: PINNED }],
  baseImages: { 'node-base': PINNED },
  contextDir: '/ws/apps/web',
  contextEntries: [
    { path: 'src', kind: 'directory' },
    { path: 'src/main.js', kind: 'file', executable: false },
  ],
  stagedFiles: [{ name: 'packs/lib.tgz', path: '/ws/dist/libs/lib/lib.tgz' }],
  git: { sha: SHA, remote: REMOTE },
};

const facts = (overrides: Partial<BuildFacts> = {}): BuildFacts => ({ ...base, ...overrides });

/** The image a build would make; fails the test when the plan is not to build. */
const built = (overrides: Partial<BuildFacts> = {}) => {
  const plan = planImageBuild(facts(overrides));
  if (plan.outcome !== 'build') throw new Error(`expected a build, got ${plan.outcome}`);
  return plan.image;
};

describe('planImageBuild: whether to build', () => {
  it('reuses the registry image when pushing and the registry holds the content tag', () => {
    expect(planImageBuild(facts({ push: true, registryDigest: DIGEST }))).toEqual({
      outcome: 'reuse-registry',
      digest: DIGEST,
      otherTags: ['1.2.0', 'latest'],
    });
  });

  it('reuses the registry image when every blob it names is there', () => {
    expect(planImageBuild(facts({ push: true, registryDigest: DIGEST, missingBlobs: [] })).outcome).toBe('reuse-registry');
  });

  it('builds again, replacing the manifest and saying why, when the registry image has lost a blob', () => {
    const lost = `sha256:${'9'.repeat(64)}`;
    const plan = planImageBuild(facts({ push: true, registryDigest: DIGEST, missingBlobs: [lost] }));
    expect(plan).toMatchObject({ outcome: 'build', push: true, replaces: { digest: DIGEST } });
    if (plan.outcome !== 'build') return;
    expect(plan.replaces!.reason).toMatch(new RegExp(`cannot be pulled: blob ${lost} is gone; building it again`));
  });

  it('says a lost blob replaces an unpullable image', () => {
    const plan = planImageBuild(facts({ push: true, registryDigest: DIGEST, missingBlobs: [`sha256:${'9'.repeat(64)}`] }));
    expect(plan.outcome === 'build' && plan.replaces?.kind).toBe('unpullable');
  });

  it('replaces nothing when the registry lacks the content tag', () => {
    const plan = planImageBuild(facts({ push: true }));
    expect(plan.outcome === 'build' && plan.replaces).toBeFalsy();
  });

  it('builds and pushes when pushing and the registry lacks the content tag', () => {
    const plan = planImageBuild(facts({ push: true }));
    expect(plan).toMatchObject({ outcome: 'build', push: true, otherTags: ['1.2.0', 'latest'] });
  });

  it('reuses the local image when not pushing and the engine has one under the content tag', () => {
    expect(planImageBuild(facts({ push: false, localImageId: IMAGE_ID }))).toEqual({
      outcome: 'reuse-local',
      imageId: IMAGE_ID,
      otherTags: ['1.2.0', 'latest'],
    });
  });

  it('builds without pushing when not pushing and there is no local image', () => {
    expect(planImageBuild(facts({ push: false }))).toMatchObject({ outcome: 'build', push: false, otherTags: ['1.2.0', 'latest'] });
  });

  it('ignores a local image when pushing: the registry is the cache', () => {
    expect(planImageBuild(facts({ push: true, localImageId: IMAGE_ID }))).toMatchObject({ outcome: 'build', push: true });
  });

  it('ignores a registry digest when not pushing', () => {
    expect(planImageBuild(facts({ push: false, registryDigest: DIGEST }))).toMatchObject({ outcome: 'build', push: false });
  });

  it('has no other tags when the content tag is the only one', () => {
    expect(planImageBuild(facts({ tags: [CONTENT_TAG], registryDigest: DIGEST })).otherTags).toEqual([]);
  });
});

describe('planImageBuild: the build', () => {
  it('tags the image <repository>:c-<identity>', () => {
    expect(built().tag).toBe(`reg.example.com/web:${CONTENT_TAG}`);
  });

  it.each([
    ['the explicit option over an engine with BuildKit', 'classic', true, 'classic'],
    ['the explicit option over an engine without BuildKit', 'buildkit', false, 'buildkit'],
    ['BuildKit when the engine has it', undefined, true, 'buildkit'],
    ['the classic builder when the engine lacks BuildKit', undefined, false, 'classic'],
    ['the classic builder when the engine was not asked', undefined, undefined, 'classic'],
  ] as const)('picks %s', (_name, builder, engineHasBuildKit, expected) => {
    expect(built({ build: { buildArgs: {}, builder }, engineHasBuildKit }).builder).toBe(expected);
  });

  it('adds BUILDKIT_INLINE_CACHE=1 to the user build args with BuildKit', () => {
    expect(built({ engineHasBuildKit: true }).buildArgs).toEqual({ BUILDKIT_INLINE_CACHE: '1', NODE_ENV: 'production' });
  });

  it('passes exactly the user build args with the classic builder', () => {
    expect(built({ engineHasBuildKit: false }).buildArgs).toEqual({ NODE_ENV: 'production' });
  });

  it("keeps the user's own BUILDKIT_INLINE_CACHE value", () => {
    const buildArgs = { BUILDKIT_INLINE_CACHE: '0', NODE_ENV: 'production' };
    expect(built({ build: { buildArgs }, engineHasBuildKit: true }).buildArgs).toEqual(buildArgs);
  });

  it.each([
    [true, true, ['reg.example.com/web:latest']],
    [true, false, []],
    [false, true, []],
    [false, false, []],
  ])('caches from <repository>:latest only when pushing with BuildKit (push %s, BuildKit %s)', (push, engineHasBuildKit, cacheFrom) => {
    expect(built({ push, engineHasBuildKit }).cacheFrom).toEqual(cacheFrom);
  });

  it('sends the Dockerfile with its bases replaced by the exact images', () => {
    expect(built().dockerfileText).toBe(`FROM ${PINNED}\nCOPY . /app\n`);
  });

  it('passes target, platform and network through', () => {
    const image = built({ build: { buildArgs: {}, target: 'runtime', platform: 'linux/arm64', network: 'host' } });
    expect(image).toMatchObject({ target: 'runtime', platform: 'linux/arm64', network: 'host' });
  });

  it('passes the context directory, its entries and the staged files through', () => {
    const image = built();
    expect(image.contextDir).toBe(base.contextDir);
    expect(image.contextEntries).toEqual(base.contextEntries);
    expect(image.stagedFiles).toEqual(base.stagedFiles);
  });

  it('passes the registry credentials the facts hold to the build, as its registryConfig', () => {
    const registryCredentials = { 'reg.example.com': { username: 'ci', password: 'not-in-labels', serveraddress: 'reg.example.com' } };
    const image = built({ registryCredentials });
    expect(image.registryConfig).toEqual(registryCredentials);
    expect(JSON.stringify(image.labels)).not.toContain('not-in-labels');
  });

  it('passes no registryConfig when no registry needs credentials', () => {
    expect(built({ registryCredentials: {} })).not.toHaveProperty('registryConfig');
    expect(built()).not.toHaveProperty('registryConfig');
  });
});

describe('planImageBuild: build secrets', () => {
  const secrets = { npm_token: { env: 'NPM_TOKEN' }, pip: { file: '.secrets/pip.conf' } };

  it('names the secrets the build gets, and puts none in build args or labels', () => {
    const plan = planImageBuild(facts({ secrets, engineHasBuildKit: true }));
    if (plan.outcome !== 'build') throw new Error(`expected a build, got ${plan.outcome}`);
    expect(plan.secrets).toEqual(['npm_token', 'pip']);
    expect(plan.image.builder).toBe('buildkit');
    expect(Object.keys(plan.image.buildArgs)).toEqual(['BUILDKIT_INLINE_CACHE', 'NODE_ENV']);
    expect(JSON.stringify(plan.image.labels)).not.toMatch(/npm_token|NPM_TOKEN|pip\.conf/);
  });

  it('builds with no secrets when none is configured', () => {
    const plan = planImageBuild(facts());
    expect(plan).toMatchObject({ outcome: 'build', secrets: [] });
  });

  it('refuses builder "classic" with secrets, even when the registry holds the image', () => {
    for (const registryDigest of [undefined, DIGEST]) {
      expect(() => planImageBuild(facts({ secrets, registryDigest, build: { buildArgs: {}, builder: 'classic' } }))).toThrow(
        /^the classic builder cannot take secrets \(npm_token, pip\), and docker:build option "builder" is "classic"; remove "builder": "classic"/,
      );
    }
  });

  it('refuses to build with secrets on an engine without BuildKit, but still reuses', () => {
    expect(() => planImageBuild(facts({ secrets, engineHasBuildKit: false }))).toThrow(/the engine does not offer BuildKit; build on an engine with BuildKit/);
    expect(planImageBuild(facts({ secrets, registryDigest: DIGEST })).outcome).toBe('reuse-registry');
    expect(planImageBuild(facts({ engineHasBuildKit: false })).outcome).toBe('build');
  });
});

describe('planImageBuild: labels', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('labels the content identity, the exact bases, the Dockerfile, the library packs, the revision and the source', () => {
    const labels = built({ dockerfile: 'apps/web/Dockerfile' }).labels;
    expect(labels).toEqual({
      'org.opencontainers.image.revision': SHA,
      'org.opencontainers.image.source': REMOTE,
      'dev.imagewise.content-identity': IDENTITY,
      'dev.imagewise.base-images': JSON.stringify({ 'node-base': PINNED }),
      'dev.imagewise.dockerfile': 'apps/web/Dockerfile',
      'dev.imagewise.library-packs': JSON.stringify(['lib.tgz']),
    });
    expect(JSON.parse(labels['dev.imagewise.base-images'])).toEqual(base.baseImages);
  });

  it('leaves out revision and source when git does not give them', () => {
    expect(Object.keys(built({ git: {}, stagedFiles: [] }).labels).sort()).toEqual(['dev.imagewise.base-images', 'dev.imagewise.content-identity']);
  });

  it('merges user labels last, over the ones it sets', () => {
    const labels = built({ build: { buildArgs: {}, labels: { team: 'web', 'org.opencontainers.image.source': 'https://mirror.example.com/web' } } }).labels;
    expect(labels).toMatchObject({ team: 'web', 'org.opencontainers.image.source': 'https://mirror.example.com/web' });
  });

  it('carries no per-run value: no created label, and the same plan at another time', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2020-01-01T00:00:00Z'));
    const earlier = planImageBuild(facts());
    vi.setSystemTime(new Date('2031-06-15T12:00:00Z'));
    const later = planImageBuild(facts());
    expect(later).toEqual(earlier);
    expect(built().labels).not.toHaveProperty(['org.opencontainers.image.created']);
  });
});

describe('planImageBuild: maxAge', () => {
  const NOW = Date.parse('2025-06-30T12:00:00Z');
  const daysAgo = (days: number) => new Date(NOW - days * 86_400_000).toISOString();
  const MOVED = 'reg.example.com/node-base@sha256:' + 'f'.repeat(64);
  const aged = (overrides: Partial<BuildFacts> = {}) =>
    facts({ push: true, registryDigest: DIGEST, missingBlobs: [], maxAge: parseMaxAge('30d'), now: NOW, engineHasBuildKit: true, ...overrides });

  it('reuses an image younger than maxAge built on the same bases', () => {
    expect(planImageBuild(aged({ registryImage: { created: daysAgo(3), baseImages: base.baseImages } })).outcome).toBe('reuse-registry');
  });

  it('rebuilds an image older than maxAge, replacing the manifest under the content tag and saying why', () => {
    const plan = planImageBuild(aged({ registryImage: { created: daysAgo(60) } }));
    expect(plan).toMatchObject({ outcome: 'build', push: true, otherTags: ['1.2.0', 'latest'], replaces: { digest: DIGEST, kind: 'too-old' } });
    if (plan.outcome !== 'build') return;
    expect(plan.replaces!.reason).toBe(
      `reg.example.com/web:${CONTENT_TAG} (${DIGEST}) is stale: created ${daysAgo(60)} (60 days ago), older than maxAge 30d; ` +
        'rebuilding it with no layer cache, pulling its bases, and moving its tags to the new build',
    );
  });

  it('builds a stale image with no layer cache and fresh bases, on the same exact bases and labels', () => {
    const image = built(aged({ registryImage: { created: daysAgo(60) } }));
    expect(image).toMatchObject({ noCache: true, pull: true, cacheFrom: [] });
    expect(image.dockerfileText).toBe(`FROM ${PINNED}\nCOPY . /app\n`);
    expect(image.labels['dev.imagewise.content-identity']).toBe(IDENTITY);
  });

  it('rebuilds a young image built on another digest of a base than this run has (a base rebuilt as stale)', () => {
    const plan = planImageBuild(aged({ registryImage: { created: daysAgo(1), baseImages: { 'node-base': MOVED } } }));
    expect(plan).toMatchObject({ outcome: 'build', replaces: { digest: DIGEST, kind: 'base-moved' }, image: { noCache: true } });
  });

  it('keeps the layer cache for an ordinary build', () => {
    const image = built(aged({ registryDigest: undefined }));
    expect(image).not.toHaveProperty('noCache');
    expect(image.cacheFrom).toEqual(['reg.example.com/web:latest']);
  });

  it('ignores age without maxAge', () => {
    expect(planImageBuild(aged({ maxAge: undefined, registryImage: { created: daysAgo(600) } })).outcome).toBe('reuse-registry');
  });

  it('lets a lost blob win over age: the image is unpullable, whatever its age', () => {
    const plan = planImageBuild(aged({ missingBlobs: ['sha256:' + '9'.repeat(64)], registryImage: { created: daysAgo(60) } }));
    expect(plan.outcome === 'build' && plan.replaces?.kind).toBe('unpullable');
  });
});

describe('planImageBuild: several platforms', () => {
  const platforms = ['linux/amd64', 'linux/arm64'];

  it('builds each platform of the image, with no layer cache from latest (an index), when the registry lacks the content tag', () => {
    const plan = planImageBuild(facts({ build: { buildArgs: {}, platforms } }));
    expect(plan).toMatchObject({ outcome: 'build', platforms, push: true });
    if (plan.outcome !== 'build') return;
    expect(plan.image.cacheFrom).toEqual([]);
    expect(plan.image.platform).toBeUndefined();
  });

  it('reuses the index the registry holds under the content tag', () => {
    expect(planImageBuild(facts({ build: { buildArgs: {}, platforms }, registryDigest: DIGEST, missingBlobs: [] }))).toEqual({
      outcome: 'reuse-registry',
      digest: DIGEST,
      otherTags: ['1.2.0', 'latest'],
    });
  });

  it('refuses without a registry: only a registry holds an image index', () => {
    expect(() => planImageBuild(facts({ push: false, dockerfile: 'apps/web/Dockerfile', build: { buildArgs: {}, platforms } }))).toThrow(
      /^apps\/web\/Dockerfile: "platforms" joins each platform's image in one image index, which only a registry holds: set the plugin option "registry"/,
    );
  });
});
