// A real filesystem failing under the server: full to the last byte, its tmp/
// removed, read-only. The tmpfs is mounted here and unmounted afterwards.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, put, putHead, request, sendAndAwaitClose, settled } from './http.test-helpers.js';
import { startCacheServer, type RunningCacheServer } from './start.js';
import { fillToLastByte, mountTmpfs, type Tmpfs } from './tmpfs.test-helpers.js';

const RW = 'rw-token-storage-failures';
const MiB = 1024 * 1024;

// Needs root (CI runs as root): a machine where mounting is refused fails here, it does not skip.
describe('a PUT meeting a storage failure (tmpfs mounted by this test)', () => {
  let tmpfs: Tmpfs;
  let server: RunningCacheServer;
  const log: string[] = [];
  const temporaryFiles = () => readdirSync(join(tmpfs.path, 'tmp'));
  const entries = () => readdirSync(join(tmpfs.path, 'entries')).sort();
  const health = async () => {
    const reply = await request(server.url, '/health');
    return { status: reply.status, error: JSON.parse(reply.body.toString()).checks.storage.error as string | undefined };
  };
  const requestLines = () => log.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['msg'] === 'request');

  beforeAll(async () => {
    tmpfs = mountTmpfs(4 * MiB);
    server = await startCacheServer({
      storage: { kind: 'filesystem', directory: tmpfs.path },
      token: RW,
      logStream: { write: (line: string) => log.push(line) },
    });
    expect((await put(server.url, '1', 'stored before the trouble', RW)).status).toBe(200);
  });
  afterAll(async () => {
    try {
      await server?.stop();
    } finally {
      tmpfs?.unmount();
    }
  });

  async function expectStillServing(): Promise<void> {
    const reply = await get(server.url, '1', RW);
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe('stored before the trouble');
  }

  it('answers 507 on a disk full to the last byte, while the body is still arriving, and reports it in /health', async () => {
    const filler = join(tmpfs.path, 'filler');
    fillToLastByte(filler);
    try {
      // 64 KiB of the 1 MiB announced: the rest is never sent, so only an early answer arrives.
      const reply = await sendAndAwaitClose(server.url, putHead('2', MiB, RW), randomBytes(64 * 1024));
      expect(reply.status).toBe(507);
      expect(reply.headers['connection']).toBe('close');
      expect(reply.body).toBe('insufficient storage: the cache storage is full, nothing was stored\n');
      expect(temporaryFiles()).toEqual([]);
      expect(entries()).toEqual(['1']);
      expect(await health()).toEqual({ status: 503, error: expect.stringMatching(/^cannot write to .*ENOSPC/) });
      await expectStillServing();
    } finally {
      rmSync(filler);
    }
    expect(requestLines().filter((line) => line['hash'] === '2')).toEqual([expect.objectContaining({ method: 'PUT', status: 507, result: 'storage-full' })]);
    expect(await health()).toEqual({ status: 200, error: undefined });
    expect((await put(server.url, '2', randomBytes(MiB), RW)).status).toBe(200);
  });

  it('answers 507 when the disk fills partway through a body, and leaves no partial entry', async () => {
    const filler = join(tmpfs.path, 'filler');
    fillToLastByte(filler);
    truncateSync(filler, statSync(filler).size - 256 * 1024);
    try {
      const reply = await sendAndAwaitClose(server.url, putHead('3', 2 * MiB, RW), randomBytes(MiB));
      expect(reply.status).toBe(507);
      expect(temporaryFiles()).toEqual([]);
      expect(entries()).toEqual(['1', '2']);
      await expectStillServing();
    } finally {
      rmSync(filler);
    }
    expect((await get(server.url, '3', RW)).status).toBe(404);
  });

  it('answers 500 when tmp/ is removed under an upload, then makes tmp/ again and stores', async () => {
    const body = randomBytes(512 * 1024);
    const url = new URL(server.url);
    const status = new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        { host: url.hostname, port: url.port, path: '/v1/cache/4', method: 'PUT', headers: { authorization: `Bearer ${RW}`, 'content-length': body.length } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, 1024));
      void settled(() => temporaryFiles().length === 1).then(() => {
        rmSync(join(tmpfs.path, 'tmp'), { recursive: true });
        req.end(body.subarray(1024));
      }, reject);
    });
    expect(await status).toBe(500);
    expect(existsSync(join(tmpfs.path, 'tmp'))).toBe(false);
    expect(entries()).not.toContain('4');
    await expectStillServing();

    expect((await put(server.url, '4', body, RW)).status).toBe(200);
    expect(temporaryFiles()).toEqual([]);
    expect((await get(server.url, '4', RW)).body.equals(body)).toBe(true);
  });

  it('answers 500 on read-only storage without reading the body, reports it in /health, and serves reads', async () => {
    // As root, permissions do not stop a write: a read-only mount does.
    tmpfs.remount('ro');
    try {
      const reply = await sendAndAwaitClose(server.url, putHead('5', MiB, RW), randomBytes(64 * 1024));
      expect(reply.status).toBe(500);
      expect(reply.headers['connection']).toBe('close');
      expect(await health()).toEqual({ status: 503, error: expect.stringMatching(/^cannot write to .*EROFS/) });
      await expectStillServing();
    } finally {
      tmpfs.remount('rw');
    }
    const errors = log.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['level'] === 'error');
    expect(errors.at(-1)).toMatchObject({ msg: 'request failed', hash: '5', err: { code: 'EROFS' } });
    expect(await health()).toEqual({ status: 200, error: undefined });
    expect((await put(server.url, '5', 'x', RW)).status).toBe(200);
    expect(temporaryFiles()).toEqual([]);
  });
});
