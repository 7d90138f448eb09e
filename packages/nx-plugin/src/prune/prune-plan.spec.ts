import { describe, expect, it } from 'vitest';
import { bytesText, isReleaseVersion, parseAge, planPrune, type ManifestFacts, type PruneRules, type RepositoryFacts } from './prune-plan';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T00:00:00Z');
const digest = (name: string) => `sha256:${name.padEnd(64, '0')}`;

/** An image manifest `daysOld` days old with its own config and one layer of its own (plus any shared layers). */
function image(name: string, daysOld: number | undefined, shared: Record<string, number> = {}): ManifestFacts {
  return {
    digest: digest(name),
    created: daysOld === undefined ? undefined : NOW - daysOld * DAY,
    children: [],
    blobs: { [digest(`c${name}`)]: 10, [digest(`l${name}`)]: 1000, ...shared },
    size: 1,
  };
}

function index(name: string, children: ManifestFacts[]): ManifestFacts {
  return { digest: digest(name), created: children[0].created, children: children.map((c) => c.digest), blobs: {}, size: 1 };
}

function repository(tags: Record<string, string>, manifests: ManifestFacts[]): RepositoryFacts {
  return {
    repository: 'registry.example.com/team/app',
    tags: Object.entries(tags).map(([tag, name]) => ({ tag, digest: digest(name) })),
    manifests: Object.fromEntries(manifests.map((m) => [m.digest, m])),
  };
}

const rules = (more: Partial<PruneRules> = {}): PruneRules => ({ olderThanMs: 14 * DAY, keep: 0, protect: [], deployed: new Map(), now: NOW, ...more });

/** tag → `remove: reason` or `keep: reason` */
function decisions(facts: RepositoryFacts, r: PruneRules): Record<string, string> {
  return Object.fromEntries(planPrune(facts, r).tags.map((t) => [t.tag, `${t.remove ? 'remove' : 'keep'}: ${t.reason}`]));
}

describe('planPrune', () => {
  it('removes images older than olderThan and keeps younger ones, saying the age of each', () => {
    const facts = repository({ 'mr-1': 'a', 'mr-2': 'b' }, [image('a', 20), image('b', 3)]);
    expect(decisions(facts, rules())).toEqual({
      'mr-1': 'remove: created 20d ago, older than 14d and not among the newest 0',
      'mr-2': 'keep: created 3d ago, younger than 14d',
    });
    expect(planPrune(facts, rules()).deletes).toEqual([digest('a')]);
  });

  it('keeps the newest `keep` images however old, counting protected ones', () => {
    const facts = repository({ latest: 'a', 'mr-1': 'b', 'mr-2': 'c', 'mr-3': 'd' }, [image('a', 30), image('b', 40), image('c', 50), image('d', 60)]);
    const plan = decisions(facts, rules({ keep: 3 }));
    expect(plan.latest).toBe('keep: protected: latest');
    expect(plan['mr-1']).toBe('keep: among the newest 3 images (#2), created 40d ago');
    expect(plan['mr-2']).toBe('keep: among the newest 3 images (#3), created 50d ago');
    expect(plan['mr-3']).toMatch(/^remove: created 60d ago/);
  });

  it('keeps the latest and release versions of every tag scheme sharing the repository', () => {
    const facts = repository({ cuda: 'a', 'cuda-1.4.0': 'b', 'latest-jammy-amd64': 'c', '8.0.1-jammy-amd64': 'd', 'cuda-mr-9': 'e', 'cuda-1.4': 'f' }, [
      image('a', 100),
      image('b', 100),
      image('c', 100),
      image('d', 100),
      image('e', 100),
      image('f', 100),
    ]);
    const schemes = [
      { before: '', after: '' },
      { before: 'cuda-', after: '' },
      { before: '', after: '-jammy-amd64' },
    ];
    expect(decisions(facts, rules({ schemes }))).toEqual({
      cuda: 'keep: protected: latest of tag scheme cuda-{version}',
      'cuda-1.4.0': 'keep: protected: release version of tag scheme cuda-{version}',
      'latest-jammy-amd64': 'keep: protected: latest of tag scheme {version}-jammy-amd64',
      '8.0.1-jammy-amd64': 'keep: protected: release version of tag scheme {version}-jammy-amd64',
      'cuda-mr-9': 'remove: created 100d ago, older than 14d and not among the newest 0',
      'cuda-1.4': 'remove: created 100d ago, older than 14d and not among the newest 0',
    });
  });

  it('always keeps latest, release versions and protected patterns, however old', () => {
    const facts = repository({ latest: 'a', '1.4.0': 'b', 'v2.0.0-rc.1': 'c', 'release-7': 'd', 'mr-9': 'e' }, [
      image('a', 100),
      image('b', 100),
      image('c', 100),
      image('d', 100),
      image('e', 100),
    ]);
    expect(decisions(facts, rules({ protect: ['release-*'] }))).toEqual({
      latest: 'keep: protected: latest',
      '1.4.0': 'keep: protected: release version',
      'v2.0.0-rc.1': 'keep: protected: release version',
      'release-7': 'keep: protected: matches "release-*"',
      'mr-9': 'remove: created 100d ago, older than 14d and not among the newest 0',
    });
  });

  it('never deletes a digest a protected tag shares: the other tags on it stay and say why', () => {
    const facts = repository({ '1.0.0': 'a', 'c-aaa': 'a', 'mr-3': 'a', 'mr-4': 'b' }, [image('a', 90), image('b', 90)]);
    const plan = planPrune(facts, rules());
    expect(decisions(facts, rules())).toMatchObject({
      'c-aaa': 'keep: shares its digest with 1.0.0, protected: release version',
      'mr-3': 'keep: shares its digest with 1.0.0, protected: release version',
    });
    expect(plan.deletes).toEqual([digest('b')]);
  });

  it('removes every tag of a removable image together: one delete by digest', () => {
    const facts = repository({ 'c-bbb': 'b', 'mr-4': 'b', '0a1b2c3d': 'b' }, [image('b', 30)]);
    const plan = planPrune(facts, rules());
    expect(plan.tags.map((t) => [t.tag, t.remove])).toEqual([
      ['0a1b2c3d', true],
      ['c-bbb', true],
      ['mr-4', true],
    ]);
    expect(plan.deletes).toEqual([digest('b')]);
  });

  it('keeps every digest a deployment manifest names, and the index that holds one', () => {
    const child = image('k', 60);
    const facts = repository({ 'mr-1': 'a', 'mr-2': 'i' }, [image('a', 60), index('i', [child]), child]);
    const deployed = new Map([
      [digest('a'), 'dist/deploy/manifest.json'],
      [digest('k'), 'https://deploy.example.com/prod.json'],
    ]);
    expect(decisions(facts, rules({ deployed }))).toEqual({
      'mr-1': 'keep: protected: deployed (the digest is in dist/deploy/manifest.json)',
      'mr-2': `keep: protected: deployed (its image ${digest('k')} is in https://deploy.example.com/prod.json)`,
    });
    expect(planPrune(facts, rules({ deployed })).deletes).toEqual([]);
  });

  it('keeps an image whose age is unknown', () => {
    expect(decisions(repository({ old: 'a' }, [image('a', undefined)]), rules())).toEqual({ old: 'keep: age unknown (its image config has no created time)' });
  });

  it("removes Imagewise's leftover staging tags whatever their age, unless a kept tag shares their digest", () => {
    const facts = repository({ 'imagewise-staging': 's', 'imagewise-staging-0a1b2c3d': 't', 'mr-1': 'a' }, [
      image('s', undefined),
      image('t', undefined),
      image('a', 1),
    ]);
    expect(decisions(facts, rules({ keep: 1 }))).toEqual({
      'imagewise-staging': "remove: Imagewise's leftover staging tag; no other tag names its digest",
      'imagewise-staging-0a1b2c3d': "remove: Imagewise's leftover staging tag; no other tag names its digest",
      'mr-1': 'keep: among the newest 1 images (#1), created 1d ago',
    });
    const shared = repository({ 'imagewise-staging': 'a', latest: 'a' }, [image('a', 40)]);
    expect(decisions(shared, rules())['imagewise-staging']).toBe('keep: shares its digest with latest, protected: latest');
    expect(planPrune(shared, rules()).deletes).toEqual([]);
  });

  it('deletes a removed index before the images it names, but none that a kept index also names', () => {
    const amd = image('amd', 30);
    const arm = image('arm', 30);
    const arm2 = image('arm2', 1);
    const facts = repository({ 'mr-1': 'old', latest: 'new' }, [index('old', [amd, arm]), index('new', [arm2, arm]), amd, arm, arm2]);
    const plan = planPrune(facts, rules());
    expect(plan.tags.find((t) => t.tag === 'mr-1')?.reason).toMatch(/created 30d ago/);
    expect(plan.deletes).toEqual([digest('old'), digest('amd')]);
    // The old index and its own image: manifests, config and layer; arm's blobs stay with latest.
    expect(plan.reclaimableBytes).toBe(1 + 1 + 10 + 1000);
  });

  it('keeps a tagged image a kept index names, so the index stays pullable', () => {
    const amd = image('amd', 30);
    const facts = repository({ latest: 'idx', 'amd-only': 'amd' }, [index('idx', [amd]), amd]);
    const plan = planPrune(facts, rules());
    expect(plan.tags.find((t) => t.tag === 'amd-only')).toMatchObject({ remove: false, reason: `named by the kept index ${digest('idx')} (latest)` });
    expect(plan.deletes).toEqual([]);
  });

  it('counts as reclaimable only blobs no kept image uses', () => {
    const base = { [digest('base')]: 50_000 };
    const facts = repository({ 'mr-1': 'a', 'mr-2': 'b', latest: 'c' }, [image('a', 30, base), image('b', 20, base), image('c', 1, base)]);
    const plan = planPrune(facts, rules());
    expect(plan.deletes).toEqual([digest('a'), digest('b')]);
    expect(plan.reclaimableBytes).toBe(2 * (1 + 10 + 1000));
  });

  it('lists tags oldest image first and deletes oldest first', () => {
    const facts = repository({ x: 'b', y: 'a', z: 'c' }, [image('a', 50), image('b', 40), image('c', 30)]);
    const plan = planPrune(facts, rules());
    expect(plan.tags.map((t) => t.tag)).toEqual(['y', 'x', 'z']);
    expect(plan.deletes).toEqual([digest('a'), digest('b'), digest('c')]);
  });
});

describe('parseAge', () => {
  it('reads minutes, hours, days and weeks', () => {
    expect([parseAge('30m'), parseAge('12h'), parseAge('14d'), parseAge('2w'), parseAge('0d')]).toEqual([30 * 60_000, 12 * 3_600_000, 14 * DAY, 14 * DAY, 0]);
  });

  it('refuses anything else, saying how to write it', () => {
    expect(() => parseAge('14 days')).toThrow(/olderThan "14 days" is not an age: write a number and m, h, d or w/);
    expect(() => parseAge('-1d')).toThrow(/not an age/);
  });
});

describe('isReleaseVersion', () => {
  it('takes semantic versions, with or without v, and nothing else', () => {
    expect(['1.0.0', 'v2.3.4', '1.0.0-rc.1', '1.0.0+build.5'].every(isReleaseVersion)).toBe(true);
    expect(['latest', 'mr-12', '1.0', '0a1b2c3d', 'c-1.0.0', '01.0.0'].some(isReleaseVersion)).toBe(false);
  });
});

describe('bytesText', () => {
  it('says bytes in SI units', () => {
    expect([bytesText(999), bytesText(1500), bytesText(67_239_867)]).toEqual(['999 B', '1.5 kB', '67.2 MB']);
  });
});
