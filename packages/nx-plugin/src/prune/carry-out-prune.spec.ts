import { describe, expect, it } from 'vitest';
import { parseImageReference } from '../image-reference/reference';
import { DeleteRefusedError, type RegistryClient } from '../registry/registry-client';
import { carryOutPrune, describePlan } from './carry-out-prune';
import type { PrunePlan } from './prune-plan';
import { gatherRepositoryFacts } from './repository-facts';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const ref = parseImageReference('127.0.0.1:5000/team/app');

const plan: PrunePlan = {
  repository: '127.0.0.1:5000/team/app',
  tags: [
    { tag: 'mr-1', digest: d('a'), remove: true, reason: 'old' },
    { tag: 'mr-2', digest: d('b'), remove: true, reason: 'old' },
    { tag: 'latest', digest: d('c'), remove: false, reason: 'protected: latest' },
  ],
  deletes: [d('a'), d('b')],
  reclaimableBytes: 2048,
};

/** A registry whose tags name `tags`, that refuses deletes from the `refuseAt`-th on (the probe is the first). */
function fakeRegistry(tags: Record<string, string>, refuseAt = Infinity) {
  const deletes: string[] = [];
  const registry = {
    registryHost: () => '127.0.0.1:5000',
    tags: async () => Object.keys(tags),
    manifestDigest: async (reference: { tag?: string }) => tags[reference.tag!],
    deleteManifest: async (_: unknown, digest: string) => {
      if (deletes.length + 1 >= refuseAt) throw new DeleteRefusedError('registry 127.0.0.1:5000 does not allow deletes (405)');
      deletes.push(digest);
      return deletes.length === 1 ? 'absent' : 'deleted';
    },
  };
  return { registry: registry as unknown as RegistryClient, deletes };
}

describe('carryOutPrune', () => {
  it('asks the registry with a probe first, then deletes digest by digest', async () => {
    const { registry, deletes } = fakeRegistry({ 'mr-1': d('a'), 'mr-2': d('b'), latest: d('c') });
    const outcome = await carryOutPrune(registry, ref, plan, () => undefined);
    expect(deletes.slice(1)).toEqual([d('a'), d('b')]);
    expect(deletes[0]).not.toBe(d('a'));
    expect(outcome).toEqual({ deleted: [d('a'), d('b')], skipped: [], removedTags: ['mr-1', 'mr-2'], reclaimableBytes: 2048 });
  });

  it('deletes nothing on a registry that refuses deletes, and says so', async () => {
    const { registry, deletes } = fakeRegistry({ 'mr-1': d('a') }, 1);
    await expect(carryOutPrune(registry, ref, plan, () => undefined)).rejects.toThrow(
      /does not allow deletes \(405\)\. Nothing was deleted from 127\.0\.0\.1:5000\/team\/app\./,
    );
    expect(deletes).toEqual([]);
  });

  it('leaves a digest that a tag outside the plan names now', async () => {
    const { registry, deletes } = fakeRegistry({ 'mr-1': d('a'), 'mr-2': d('b'), latest: d('b') });
    const lines: string[] = [];
    const outcome = await carryOutPrune(registry, ref, plan, (line) => lines.push(line));
    expect(deletes.slice(1)).toEqual([d('a')]);
    expect(outcome).toMatchObject({ skipped: [d('b')], removedTags: ['mr-1'], reclaimableBytes: undefined });
    expect(lines).toContain(`left ${d('b')}: latest names it now (tagged since the plan was made)`);
  });

  it('stops at a refusal mid-way, naming what was deleted and what is left', async () => {
    const { registry } = fakeRegistry({ 'mr-1': d('a'), 'mr-2': d('b') }, 3);
    await expect(carryOutPrune(registry, ref, plan, () => undefined)).rejects.toThrow(`Stopped at ${d('b')}; deleted before it: ${d('a')}; left: ${d('b')}`);
  });
});

describe('describePlan', () => {
  it('lists each tag with its digest and reason, then what would go', () => {
    expect(describePlan(plan, true)).toEqual([
      '127.0.0.1:5000/team/app: 3 tag(s)',
      `  remove mr-1    ${d('a').slice(0, 19)}  old`,
      `  remove mr-2    ${d('b').slice(0, 19)}  old`,
      `  keep   latest  ${d('c').slice(0, 19)}  protected: latest`,
      'dry run: would delete 2 manifest(s) by digest, 2 tag(s); the registry can then reclaim up to 2.0 kB (2048 bytes) by garbage collection',
    ]);
  });
});

describe('gatherRepositoryFacts', () => {
  it('reads each digest once and dates an index by its first image, not an attestation', async () => {
    const json = (value: unknown) => ({ bytes: Buffer.from(JSON.stringify(value)), mediaType: '', digest: '' });
    const manifests: Record<string, unknown> = {
      [d('i')]: {
        manifests: [
          { digest: d('t'), platform: { os: 'unknown', architecture: 'unknown' } },
          { digest: d('m'), platform: { os: 'linux', architecture: 'amd64' } },
        ],
      },
      [d('t')]: { config: { digest: d('1'), size: 5 }, layers: [] },
      [d('m')]: {
        config: { digest: d('2'), size: 7 },
        layers: [
          { digest: d('3'), size: 100 },
          { digest: d('4'), size: 9, urls: ['https://foreign'] },
        ],
      },
    };
    const configs: Record<string, string> = { [d('1')]: '{"created":"1970-01-01T00:00:00Z"}', [d('2')]: '{"created":"2026-05-01T00:00:00Z"}' };
    const reads: string[] = [];
    const registry = {
      tags: async () => ['latest', 'mr-1'],
      manifestDigest: async () => d('i'),
      getManifest: async (_: unknown, digest: string) => (reads.push(digest), json(manifests[digest])),
      getBlob: async (_: unknown, digest: string) => Buffer.from(configs[digest]),
    } as unknown as RegistryClient;
    const facts = await gatherRepositoryFacts(registry, ref, 'r');
    expect(facts.tags).toEqual([
      { tag: 'latest', digest: d('i') },
      { tag: 'mr-1', digest: d('i') },
    ]);
    expect(reads.sort()).toEqual([d('i'), d('m'), d('t')].sort());
    expect(facts.manifests[d('i')]).toMatchObject({ created: Date.parse('2026-05-01T00:00:00Z'), children: [d('t'), d('m')] });
    expect(facts.manifests[d('m')].blobs).toEqual({ [d('2')]: 7, [d('3')]: 100 });
  });
});
