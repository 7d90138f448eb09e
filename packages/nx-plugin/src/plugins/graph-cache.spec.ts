import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GraphCache, graphCachePath, keyOfTexts, openGraphCache, saveGraphCachesSoon } from './graph-cache';

let workspaceRoot = '';
let options: { run: number };
beforeEach(() => {
  workspaceRoot = mkdtempSync(join(tmpdir(), 'imagewise-cache-'));
  // Options name the file: one per test, as the module remembers entries per file (a daemon's worker does).
  options = { run: Math.random() };
});
afterEach(async () => {
  // Caches left unsaved are saved now, not at the process's exit into a removed root.
  await saveGraphCachesSoon();
  rmSync(workspaceRoot, { recursive: true, force: true });
});

const dataDirectory = () => join(workspaceRoot, '.nx', 'workspace-data');
const stored = (cache: GraphCache<unknown>) => JSON.parse(readFileSync(cache.path, 'utf8')) as { entries: Record<string, unknown> };
const open = (root = workspaceRoot) => openGraphCache<{ n: number }>('projects', root, options);

describe('GraphCache', () => {
  it("computes what it lacks, and keeps it in Nx's workspace data directory for the next command", async () => {
    const cache = open();
    expect(cache.path.startsWith(`${dataDirectory()}/imagewise-projects-`)).toBe(true);
    const compute = vi.fn(() => ({ n: 1 }));
    expect(cache.get('a', compute)).toEqual({ n: 1 });
    expect(cache.get('a', compute)).toEqual({ n: 1 });
    expect(compute).toHaveBeenCalledTimes(1);
    expect(existsSync(cache.path)).toBe(false);
    await cache.save();
    expect(stored(cache).entries).toEqual({ a: { n: 1 } });
  });

  it('saves at once what a process ending first would lose, the same file as the save in turns', async () => {
    const cache = open();
    cache.get('a', () => ({ n: 1 }));
    cache.saveSync();
    expect(stored(cache).entries).toEqual({ a: { n: 1 } });
    expect(readdirSync(dataDirectory()).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    // Nothing new: nothing written.
    rmSync(cache.path);
    const again = open();
    again.get('a', () => ({ n: 2 }));
    again.saveSync();
    expect(existsSync(again.path)).toBe(false);
  });

  it('serves a later command from the file, without computing', async () => {
    const first = open();
    first.get('a', () => ({ n: 1 }));
    await first.save();
    // The file as another process finds it: this one remembers its own entries,
    // so the same file under another workspace, with a value only the file holds.
    const elsewhere = mkdtempSync(join(tmpdir(), 'imagewise-cache-'));
    try {
      const path = join(elsewhere, '.nx', 'workspace-data', basename(first.path));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, JSON.stringify({ entries: { a: { n: 2 } } }));
      const compute = vi.fn(() => ({ n: 3 }));
      expect(open(elsewhere).get('a', compute)).toEqual({ n: 2 });
      expect(compute).not.toHaveBeenCalled();
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('keeps only the entries the last command asked for, so the file follows the workspace', async () => {
    const first = open();
    first.get('a', () => ({ n: 1 }));
    first.get('b', () => ({ n: 2 }));
    await first.save();
    const second = open();
    second.get('b', () => ({ n: 0 }));
    await second.save();
    expect(stored(second).entries).toEqual({ b: { n: 2 } });
  });

  it('starts empty from a torn file, and replaces it whole, leaving no temporary file', async () => {
    const { path } = open(); // not saved: nothing remembered yet
    mkdirSync(dataDirectory(), { recursive: true });
    writeFileSync(path, '{"entries": {"a": ');
    const cache = open();
    const compute = vi.fn(() => ({ n: 1 }));
    expect(cache.get('a', compute)).toEqual({ n: 1 });
    expect(compute).toHaveBeenCalled();
    await cache.save();
    expect(stored(cache)).toEqual({ entries: { a: { n: 1 } } });
    expect(readdirSync(dataDirectory()).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('never fails a command over the disk: where the file cannot be written, it stays in memory', async () => {
    writeFileSync(join(workspaceRoot, 'a-file'), '');
    const cache = new GraphCache<{ n: number }>(join(workspaceRoot, 'a-file', 'cache.json'), {});
    cache.get('a', () => ({ n: 1 }));
    await expect(cache.save()).resolves.toBeUndefined();
    expect(readdirSync(workspaceRoot)).toEqual(['a-file']);
  });

  it('keeps its entries in memory for the next command, as a daemon keeps its plugin worker', async () => {
    const cache = open();
    const first = cache.get('a', () => ({ n: 1 }));
    await cache.save();
    rmSync(cache.path);
    expect(open().get('a', () => ({ n: 2 }))).toBe(first);
  });

  it('saves what was opened after the current message, not before', async () => {
    const cache = open();
    cache.get('a', () => ({ n: 1 }));
    const saved = saveGraphCachesSoon();
    expect(existsSync(cache.path)).toBe(false);
    await saved;
    expect(stored(cache).entries).toEqual({ a: { n: 1 } });
  });

  it('writes many entries whole, a few per turn of the event loop', async () => {
    const cache = open();
    for (let n = 0; n < 1000; n++) cache.get(`key-${n}`, () => ({ n }));
    // Other work gets turns while it serialises: 1,000 entries take 16.
    let turns = 0;
    let saving = true;
    const other = () => {
      if (!saving) return;
      turns++;
      setImmediate(other);
    };
    setImmediate(other);
    await cache.save();
    saving = false;
    expect(Object.keys(stored(cache).entries)).toHaveLength(1000);
    expect(stored(cache).entries['key-999']).toEqual({ n: 999 });
    expect(turns).toBeGreaterThanOrEqual(15);
  });

  it('names one file per kind, code and options', async () => {
    const a = graphCachePath('/ws/.nx/workspace-data', 'projects', 'c0de', { registry: 'r' });
    expect(a).toMatch(/^\/ws\/\.nx\/workspace-data\/imagewise-projects-c0de-[0-9a-f]{12}\.json$/);
    expect(graphCachePath('/ws/.nx/workspace-data', 'library-uses', 'c0de', { registry: 'r' })).not.toBe(a);
    expect(graphCachePath('/ws/.nx/workspace-data', 'projects', 'c0df', { registry: 'r' })).not.toBe(a);
    expect(graphCachePath('/ws/.nx/workspace-data', 'projects', 'c0de', { registry: 's' })).not.toBe(a);
    // The code part is a hash of the plugin's graph code, so a rebuilt plugin reads none of an old one's files.
    expect(basename(open().path)).toMatch(/^imagewise-projects-[0-9a-f]{12}-[0-9a-f]{12}\.json$/);
  });

  it('keys texts so that no two different lists collide, absent and empty included', async () => {
    const keys = [[], [''], [undefined], ['', ''], ['a', 'b'], ['ab'], ['a', undefined], [undefined, 'a']].map(keyOfTexts);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keyOfTexts(['a', 'b'])).toBe(keyOfTexts(['a', 'b']));
  });
});
