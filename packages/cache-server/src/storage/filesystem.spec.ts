import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settled } from '../http.test-helpers.js';
import { FilesystemStorage } from './filesystem.js';
import { STALE_TEMPORARY_MS, temporaryName, THIS_WRITER } from './temporary-files.js';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('FilesystemStorage', () => {
  let root: string;
  let storage: FilesystemStorage;
  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'cache-fs-'));
    storage = new FilesystemStorage(root);
    await storage.init();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('stores an entry and reads it back whole', async () => {
    const data = randomBytes(300_000);
    expect(await storage.put('42', Readable.from([data.subarray(0, 1000), data.subarray(1000)]), data.length)).toBe('stored');
    const entry = await storage.get('42');
    expect(entry?.size).toBe(data.length);
    expect((await readAll(entry!.body)).equals(data)).toBe(true);
    expect(await storage.has('42')).toBe(true);
    expect(await storage.get('43')).toBeUndefined();
    expect(await storage.has('43')).toBe(false);
  });

  it('never replaces an entry', async () => {
    await storage.put('7', Readable.from([Buffer.from('first')]), 5);
    expect(await storage.put('7', Readable.from([Buffer.from('other')]), 5)).toBe('exists');
    expect(readFileSync(join(root, 'entries', '7'), 'utf8')).toBe('first');
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it('leaves one whole entry when writers race on one hash', async () => {
    const bodies = Array.from({ length: 8 }, (_, i) => Buffer.alloc(200_000, i));
    const results = await Promise.all(bodies.map((body) => storage.put('99', Readable.from([body.subarray(0, 100_000), body.subarray(100_000)]), body.length)));
    expect(results.filter((result) => result === 'stored')).toHaveLength(1);
    const stored = readFileSync(join(root, 'entries', '99'));
    expect(bodies.some((body) => body.equals(stored))).toBe(true);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it('stores nothing when the body fails or ends short', async () => {
    const failing = new PassThrough();
    const put = storage.put('5', failing, 10);
    failing.write(Buffer.from('12345'));
    failing.destroy(new Error('connection reset'));
    await expect(put).rejects.toThrow('connection reset');

    await expect(storage.put('6', Readable.from([Buffer.from('12345')]), 10)).rejects.toThrow('body ended after 5 of 10 bytes');

    expect(readdirSync(join(root, 'entries'))).toEqual([]);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it('removes at start what crashed uploads left in tmp/, and nothing another live server is writing', async () => {
    const tmp = join(root, 'tmp');
    // A PID known to be dead: a process that has exited.
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    const otherHost = { host: 'abcdef012345', pid: process.pid };
    const leftOver = [temporaryName('1', { ...THIS_WRITER, pid: deadPid }), temporaryName('2'), temporaryName('3', otherHost), 'old-style.1234'];
    const kept = [temporaryName('4', otherHost), 'recent-old-style.5678'];
    for (const name of [...leftOver, ...kept]) writeFileSync(join(tmp, name), 'partial');
    const old = new Date(Date.now() - STALE_TEMPORARY_MS - 60_000);
    for (const name of leftOver.slice(2)) utimesSync(join(tmp, name), old, old);

    await new FilesystemStorage(root).init();

    expect(readdirSync(tmp).sort()).toEqual([...kept].sort());
  });

  it('sweeps without touching an upload under way, and makes tmp/ again if it was removed', async () => {
    const body = new PassThrough();
    const put = storage.put('8', body, 10);
    body.write(Buffer.from('12345'));
    await settled(() => readdirSync(join(root, 'tmp')).length === 1);
    expect(await storage.sweepTemporaries()).toBe(0);
    body.end(Buffer.from('67890'));
    expect(await put).toBe('stored');

    rmSync(join(root, 'tmp'), { recursive: true });
    expect(await storage.put('9', Readable.from([Buffer.from('x')]), 1)).toBe('stored');
    rmSync(join(root, 'tmp'), { recursive: true });
    expect(await storage.sweepTemporaries()).toBe(0);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it('checks that it can write, leaving nothing behind', async () => {
    await storage.check();
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it('fails init on a directory it cannot create', async () => {
    writeFileSync(join(root, 'a-file'), '');
    await expect(new FilesystemStorage(join(root, 'a-file', 'cache')).init()).rejects.toThrow(/ENOTDIR/);
  });
});
