import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { createLogger } from '@imagewise/common';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, put, putHead, request, sendAndAwaitClose, settled } from './http.test-helpers.js';
import { createAuthorizer } from './auth.js';
import { Metrics } from './metrics.js';
import { createCacheHandler } from './server.js';
import { startCacheServer, type RunningCacheServer } from './start.js';
import { FilesystemStorage } from './storage/filesystem.js';
import type { CacheStorage } from './storage/storage.js';

const RW = 'rw-token-0123456789';
const RO = 'ro-token-9876543210';

describe('cache server over HTTP (filesystem storage)', () => {
  let root: string;
  let server: RunningCacheServer;
  const log: string[] = [];
  const entries = () => readdirSync(join(root, 'entries')).sort();

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cache-server-'));
    server = await startCacheServer({
      storage: { kind: 'filesystem', directory: root },
      token: RW,
      readOnlyToken: RO,
      maxEntryBytes: 64 * 1024,
      logStream: { write: (line: string) => log.push(line) },
    });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers 404 on a miss, 200 on a store, then the same bytes on a hit', async () => {
    const data = randomBytes(10_000);
    const miss = await get(server.url, '1001', RW);
    expect(miss.status).toBe(404);
    expect((await put(server.url, '1001', data, RW)).status).toBe(200);
    const hit = await get(server.url, '1001', RW);
    expect(hit.status).toBe(200);
    expect(hit.headers['content-type']).toBe('application/octet-stream');
    expect(hit.headers['content-length']).toBe(String(data.length));
    expect(hit.body.equals(data)).toBe(true);
  });

  it('keeps an entry immutable: a second PUT answers 409 and changes nothing', async () => {
    await put(server.url, '1002', 'first', RW);
    const again = await put(server.url, '1002', 'second', RW);
    expect(again.status).toBe(409);
    expect(readFileSync(join(root, 'entries', '1002'), 'utf8')).toBe('first');
  });

  it('answers 401 in text/plain without a token or with a wrong one, for reads and writes', async () => {
    for (const token of [undefined, 'wrong', `${RW}x`]) {
      for (const reply of [await get(server.url, '1001', token), await put(server.url, '1003', 'x', token)]) {
        expect(reply.status).toBe(401);
        expect(reply.headers['content-type']).toMatch(/^text\/plain/);
        expect(reply.headers['www-authenticate']).toBe('Bearer');
      }
    }
    const basic = await request(server.url, '/v1/cache/1001', { headers: { authorization: `Basic ${Buffer.from(`x:${RW}`).toString('base64')}` } });
    expect(basic.status).toBe(401);
    expect(entries()).not.toContain('1003');
  });

  it('lets a read-only token read but answers 403 to its writes', async () => {
    expect((await get(server.url, '1001', RO)).status).toBe(200);
    const write = await put(server.url, '1004', 'x', RO);
    expect(write.status).toBe(403);
    expect(entries()).not.toContain('1004');
  });

  it('answers 400 to bad hashes and writes nothing outside its entries', async () => {
    const paths = [
      '/v1/cache/..',
      '/v1/cache/%2e%2e',
      '/v1/cache/%2e%2e%2fescape',
      '/v1/cache/a%00b',
      '/v1/cache/a.b',
      '/v1/cache/',
      `/v1/cache/${'9'.repeat(129)}`,
    ];
    for (const path of paths) {
      for (const method of ['GET', 'PUT']) {
        const reply = await request(server.url, path, { method, token: RW, body: method === 'PUT' ? 'x' : undefined });
        expect(reply.status, `${method} ${path}`).toBe(400);
      }
    }
    // Deeper paths are no entry at all.
    expect((await request(server.url, '/v1/cache/../../escape', { method: 'PUT', token: RW, body: 'x' })).status).toBe(404);
    expect(readdirSync(root).sort()).toEqual(['entries', 'tmp']);
    expect(readdirSync(join(root, '..')).filter((name) => name === 'escape')).toEqual([]);
    expect(entries().every((name) => /^[0-9]+$/.test(name))).toBe(true);
  });

  it('answers 413 to an entry over the size limit and stores it not', async () => {
    const over = await put(server.url, '1005', Buffer.alloc(64 * 1024 + 1), RW);
    expect(over.status).toBe(413);
    expect(over.body.toString()).toContain('limit of 65536 bytes');
    expect(entries()).not.toContain('1005');
    expect((await put(server.url, '1006', Buffer.alloc(64 * 1024), RW)).status).toBe(200);
  });

  it('answers 411 to a PUT without Content-Length', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(server.url);
      const req = httpRequest(
        { host: url.hostname, port: url.port, path: '/v1/cache/1007', method: 'PUT', headers: { authorization: `Bearer ${RW}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write('chunked body');
      req.end();
    });
    expect(status).toBe(411);
  });

  it('answers what it refuses before reading the body, and closes the connection', async () => {
    // 300 MiB announced, none sent: only an answer that reads no body can arrive.
    const huge = 300 * 1024 * 1024;
    const refusals: Array<[string, number]> = [
      [putHead('1020', huge), 401],
      [putHead('1020', huge, 'wrong'), 401],
      [putHead('1020', huge, RO), 403],
      [`PUT /v1/cache/1020 HTTP/1.1\r\nHost: cache\r\nAuthorization: Bearer ${RW}\r\nTransfer-Encoding: chunked\r\n\r\n`, 411],
      [putHead('1020', huge, RW), 413],
      [putHead('a.b', huge, RW), 400],
      [`POST /v1/cache/1020 HTTP/1.1\r\nHost: cache\r\nAuthorization: Bearer ${RW}\r\nContent-Length: ${huge}\r\n\r\n`, 405],
      [`PUT /upload HTTP/1.1\r\nHost: cache\r\nContent-Length: ${huge}\r\n\r\n`, 404],
      [`POST /metrics HTTP/1.1\r\nHost: cache\r\nContent-Length: ${huge}\r\n\r\n`, 405],
    ];
    for (const [head, status] of refusals) {
      const reply = await sendAndAwaitClose(server.url, head);
      expect(reply.status, head.split('\r\n')[0]).toBe(status);
      expect(reply.headers['connection']).toBe('close');
    }
    expect(entries()).not.toContain('1020');
    expect((await get(server.url, '1001', RW)).status).toBe(200);
  });

  it('keeps the connection open after refusing a request without a body', async () => {
    const reply = await get(server.url, '1001', 'wrong');
    expect(reply.status).toBe(401);
    expect(reply.headers['connection']).not.toBe('close');
  });

  it("reads a read-only client's whole body before its 403, and keeps the connection for the next request", async () => {
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const body = Buffer.alloc(40_000, 7);
    socket.write(putHead('1030', body.length, RO));
    socket.write(body.subarray(0, 20_000));
    // Half the body sent: a 403 now would reach a client still sending as a reset.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received).toBe('');
    socket.write(body.subarray(20_000));
    await settled(() => expect(received).toMatch(/^HTTP\/1\.1 403 [^]*this token may only read\n$/));
    expect(received.toLowerCase()).not.toContain('connection: close');
    // The same connection answers the next request.
    received = '';
    socket.write(`GET /v1/cache/1001 HTTP/1.1\r\nHost: cache\r\nAuthorization: Bearer ${RO}\r\n\r\n`);
    await settled(() => expect(received).toMatch(/^HTTP\/1\.1 200 /));
    socket.destroy();
    expect(entries()).not.toContain('1030');
  });

  it('leaves one whole entry when clients race to store one hash', async () => {
    const bodies = Array.from({ length: 12 }, (_, i) => Buffer.alloc(40_000, i + 1));
    const replies = await Promise.all(bodies.map((body) => put(server.url, '1008', body, RW)));
    expect(replies.map((reply) => reply.status).sort()).toEqual([200, ...Array(11).fill(409)]);
    const stored = readFileSync(join(root, 'entries', '1008'));
    expect(bodies.filter((body) => body.equals(stored))).toHaveLength(1);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it('stores nothing from a client that goes away mid-upload, and keeps serving', async () => {
    const url = new URL(server.url);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`PUT /v1/cache/1009 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${RW}\r\nContent-Length: 50000\r\n\r\n`);
    socket.write(Buffer.alloc(1000));
    const logged = log.length;
    socket.destroy();
    // The request's log line is written once the server has dealt with the abort.
    await settled(() => log.slice(logged).some((line) => line.includes('"1009"')));
    expect(log.slice(logged).map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ hash: '1009', status: 499, result: 'client-closed' })]);
    expect(entries()).not.toContain('1009');
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    expect((await get(server.url, '1009', RW)).status).toBe(404);
  });

  it('answers other methods with 405 and unknown paths with 404', async () => {
    expect((await request(server.url, '/v1/cache/1001', { method: 'DELETE', token: RW })).status).toBe(405);
    expect((await request(server.url, '/v2/things', { token: RW })).status).toBe(404);
  });

  it('serves /health', async () => {
    const reply = await request(server.url, '/health');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body.toString())).toMatchObject({ status: 'ok', checks: { storage: { status: 'ok' } } });
  });

  it('counts hits, misses and bytes in /metrics', async () => {
    const before = metricValues((await request(server.url, '/metrics')).body.toString());
    await put(server.url, '1010', Buffer.alloc(300), RW);
    await get(server.url, '1010', RW);
    await get(server.url, '1010', RW);
    await get(server.url, '1011', RW);
    // Bytes out are counted once the body is out, which can be just after the client has it.
    await settled(async () => {
      const reply = await request(server.url, '/metrics');
      expect(reply.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const after = metricValues(reply.body.toString());
      const added = (name: string) => after[`imagewise_cache_${name}_total`]! - before[`imagewise_cache_${name}_total`]!;
      expect({ hits: added('hits'), misses: added('misses'), in: added('bytes_in'), out: added('bytes_out') }).toEqual({
        hits: 2,
        misses: 1,
        in: 300,
        out: 600,
      });
    });
  });

  it('logs one line per entry request with hash, size, result and duration, and never a token', async () => {
    const logged = log.length;
    await get(server.url, '1001', RW);
    // Written once the response is out, so possibly just after the client has it.
    const lines = () =>
      log
        .slice(logged)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line['hash'] === '1001');
    await settled(() => lines().length > 0);
    expect(lines()).toHaveLength(1);
    const [line] = lines();
    expect(line).toMatchObject({ msg: 'request', method: 'GET', hash: '1001', status: 200, result: 'hit', size: 10_000 });
    expect(typeof line!['durationMs']).toBe('number');
    const all = log.join('');
    expect(all).not.toContain(RW);
    expect(all).not.toContain(RO);
  });
});

describe('a failing storage', () => {
  it('answers 500 in text/plain, logs the cause, and reports unhealthy', async () => {
    const failure = new Error('disk on fire');
    const storage: CacheStorage = {
      description: 'broken',
      init: async () => undefined,
      get: async () => Promise.reject(failure),
      has: async () => Promise.reject(failure),
      put: async () => Promise.reject(failure),
      check: async () => Promise.reject(failure),
      close: async () => undefined,
    };
    const log: string[] = [];
    const handler = createCacheHandler({
      storage,
      authorize: createAuthorizer({ token: RW }),
      maxEntryBytes: 1000,
      metrics: new Metrics(),
      logger: createLogger({ service: 'test', stream: { write: (line: string) => log.push(line) } }),
    });
    const server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const reply of [await get(url, '1', RW), await put(url, '1', 'x', RW)]) {
        expect(reply.status).toBe(500);
        expect(reply.headers['content-type']).toMatch(/^text\/plain/);
        expect(reply.body.toString()).not.toContain('disk on fire');
      }
      const errors = log.map((line) => JSON.parse(line)).filter((line) => line.level === 'error');
      expect(errors).toHaveLength(2);
      expect(errors[0]).toMatchObject({ msg: 'request failed', hash: '1', err: { message: 'disk on fire' } });
      const health = await request(url, '/health');
      expect(health.status).toBe(503);
      expect(JSON.parse(health.body.toString())).toMatchObject({ status: 'fail', checks: { storage: { status: 'fail', error: 'disk on fire' } } });
    } finally {
      server.close();
    }
  });
});

describe('starting', () => {
  it('refuses to start without a token unless open', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cache-server-'));
    try {
      await expect(startCacheServer({ storage: { kind: 'filesystem', directory: root } })).rejects.toThrow(/no token configured.*--open/);
      const open = await startCacheServer({ storage: { kind: 'filesystem', directory: root }, open: true, logStream: { write: () => true } });
      expect(open.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await put(open.url, '1', 'x')).status).toBe(200);
      await open.stop();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('evicts by age at start and counts it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cache-server-'));
    try {
      const storage = new FilesystemStorage(root);
      await storage.init();
      for (const hash of ['1', '2']) await storage.put(hash, Readable.from([Buffer.from('x')]), 1);
      const monthAgo = new Date(Date.now() - 30 * 86_400_000);
      utimesSync(join(root, 'entries', '1'), monthAgo, monthAgo);
      const server = await startCacheServer({
        storage: { kind: 'filesystem', directory: root },
        open: true,
        eviction: { maxAgeMs: 7 * 86_400_000 },
        logStream: { write: () => true },
      });
      await settled(() => server.metrics.evicted.value === 1);
      expect(readdirSync(join(root, 'entries'))).toEqual(['2']);
      await server.stop();
      await expect(startCacheServer({ storage: { kind: 's3', bucket: 'b', prefix: '' }, open: true, eviction: { maxAgeMs: 1 } })).rejects.toThrow(
        /for S3 use a lifecycle rule/,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

function metricValues(text: string): Record<string, number> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line && !line.startsWith('#') && !line.includes('{'))
      .map((line) => {
        const [name, value] = line.split(' ');
        return [name!, Number(value)];
      }),
  );
}
