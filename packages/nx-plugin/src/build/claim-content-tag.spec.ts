import { describe, expect, it } from 'vitest';
import { claimContentTag, type TagStore } from './claim-content-tag';

const reference = { domain: 'registry.test:5000', path: 'team/notifier', tag: 'h-123' };
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Tags in memory; every write takes `writeMs`, as a manifest PUT would. */
class FakeRegistry implements TagStore {
  readonly tags = new Map<string, string>();
  writes = 0;
  constructor(private readonly writeMs = 0) {}
  async manifestDigest() {
    return this.tags.get(reference.tag);
  }
  async retag(_ref: unknown, from: string, tags: string[]) {
    this.writes++;
    await delay(this.writeMs);
    const digest = from.startsWith('sha256:') ? from : this.tags.get(from)!;
    for (const tag of tags) this.tags.set(tag, digest);
    return digest;
  }
}

describe('claimContentTag', () => {
  it('points an absent content tag at the candidate', async () => {
    const registry = new FakeRegistry();
    await expect(claimContentTag(registry, reference, 'sha256:aaa', { minSettleMs: 1 })).resolves.toBe('sha256:aaa');
    expect(registry.tags.get('h-123')).toBe('sha256:aaa');
  });

  it("uses another runner's image when the content tag exists, without writing", async () => {
    const registry = new FakeRegistry();
    registry.tags.set('h-123', 'sha256:bbb');
    await expect(claimContentTag(registry, reference, 'sha256:aaa', { minSettleMs: 1 })).resolves.toBe('sha256:bbb');
    expect(registry.writes).toBe(0);
  });

  it('overwrites a content tag whose image cannot be pulled', async () => {
    const registry = new FakeRegistry();
    registry.tags.set(reference.tag, 'sha256:bad');
    await expect(claimContentTag(registry, reference, 'sha256:aaa', { broken: 'sha256:bad', minSettleMs: 1 })).resolves.toBe('sha256:aaa');
    expect(registry.tags.get(reference.tag)).toBe('sha256:aaa');
  });

  it('two runners that both found the tag absent end with the same digest', async () => {
    const registry = new FakeRegistry(5);
    const [a, b] = await Promise.all([
      claimContentTag(registry, reference, 'sha256:aaa', { minSettleMs: 1 }),
      claimContentTag(registry, reference, 'sha256:bbb', { minSettleMs: 1 }),
    ]);
    expect(registry.writes).toBe(2);
    expect(a).toBe(b);
    expect(registry.tags.get('h-123')).toBe(a);
  });

  it('waits ten times its own read-and-write before reading back', async () => {
    const registry = new FakeRegistry();
    let clock = 0;
    const waits: number[] = [];
    const now = () => (clock += 30);
    await claimContentTag(registry, reference, 'sha256:aaa', { minSettleMs: 100, now, sleep: async (ms) => void waits.push(ms) });
    expect(waits).toEqual([300]);
  });

  it('fails clearly when the tag disappears while it is claimed', async () => {
    const registry = new FakeRegistry();
    const sleep = async () => void registry.tags.clear();
    await expect(claimContentTag(registry, reference, 'sha256:aaa', { sleep })).rejects.toThrow(/team\/notifier:h-123 vanished from registry\.test:5000/);
  });

  it('gives up on a tag that keeps moving', async () => {
    const registry = new FakeRegistry();
    let n = 0;
    const sleep = async () => void registry.tags.set('h-123', `sha256:${n++}`);
    await expect(claimContentTag(registry, reference, 'sha256:aaa', { sleep, rounds: 3 })).rejects.toThrow(/kept changing for 3 reads/);
  });
});
