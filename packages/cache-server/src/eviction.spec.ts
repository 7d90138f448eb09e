import { mkdtempSync, rmSync, utimesSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { evict, planEviction, type EntryInfo } from './eviction.js';
import { FilesystemStorage } from './storage/filesystem.js';

const DAY = 86_400_000;
const NOW = 100 * DAY;
const entry = (hash: string, size: number, daysAgo: number): EntryInfo => ({ hash, size, lastUsedMs: NOW - daysAgo * DAY });

describe('planEviction', () => {
  const entries = [entry('new', 10, 1), entry('old', 10, 30), entry('mid', 10, 7), entry('older', 10, 40)];

  it('keeps everything without limits', () => {
    expect(planEviction(entries, {}, NOW)).toEqual([]);
  });

  it('evicts entries unused for longer than the maximum age', () => {
    expect(planEviction(entries, { maxAgeMs: 14 * DAY }, NOW).map((e) => e.hash)).toEqual(['older', 'old']);
  });

  it('evicts least recently used entries until the rest fit the total size', () => {
    expect(planEviction(entries, { maxTotalBytes: 25 }, NOW).map((e) => e.hash)).toEqual(['older', 'old']);
    expect(planEviction(entries, { maxTotalBytes: 40 }, NOW)).toEqual([]);
    expect(planEviction(entries, { maxTotalBytes: 0 }, NOW)).toHaveLength(4);
  });

  it('applies both limits', () => {
    expect(planEviction(entries, { maxAgeMs: 35 * DAY, maxTotalBytes: 15 }, NOW).map((e) => e.hash)).toEqual(['older', 'old', 'mid']);
  });
});

describe('evict on filesystem storage', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('removes old entries and keeps the rest readable', async () => {
    root = mkdtempSync(join(tmpdir(), 'cache-eviction-'));
    const storage = new FilesystemStorage(root);
    await storage.init();
    for (const hash of ['1', '2', '3']) await storage.put(hash, Readable.from([Buffer.from(`entry ${hash}`)]), 7);
    const ago = (days: number) => new Date(Date.now() - days * DAY);
    utimesSync(join(root, 'entries', '1'), ago(20), ago(20));
    utimesSync(join(root, 'entries', '2'), ago(3), ago(20)); // read 3 days ago: recently used

    const result = await evict(storage, { maxAgeMs: 10 * DAY });

    expect(result).toEqual({ entries: 1, bytes: 7, keptEntries: 2, keptBytes: 14 });
    expect(readdirSync(join(root, 'entries')).sort()).toEqual(['2', '3']);
    expect(await storage.has('2')).toBe(true);
  });

  it('marks a read entry as used, so size eviction takes the others first', async () => {
    root = mkdtempSync(join(tmpdir(), 'cache-eviction-'));
    const storage = new FilesystemStorage(root);
    await storage.init();
    for (const hash of ['a', 'b']) await storage.put(hash, Readable.from([Buffer.from('12345')]), 5);
    const old = new Date(Date.now() - 5 * DAY);
    utimesSync(join(root, 'entries', 'a'), old, old);
    utimesSync(join(root, 'entries', 'b'), new Date(Date.now() - DAY), new Date(Date.now() - DAY));
    const read = await storage.get('a');
    for await (const _ of read!.body) void _;

    await evict(storage, { maxTotalBytes: 5 });

    expect(readdirSync(join(root, 'entries'))).toEqual(['a']);
  });
});
