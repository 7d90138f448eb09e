import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createHealthServer, runHealthChecks, type HealthServer, type HealthServerOptions } from './health.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(port: number, path: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('createHealthServer', () => {
  let health: HealthServer | undefined;

  afterEach(async () => {
    await health?.close();
    health = undefined;
  });

  async function start(options: Partial<HealthServerOptions> = {}): Promise<number> {
    health = createHealthServer({ port: 0, host: '127.0.0.1', service: 'thumbs', version: '2.3.4', ...options });
    const address = await health.listen();
    return address.port;
  }

  it('answers GET /health with 200 and the report when every check passes', async () => {
    const port = await start({ checks: { db: async () => 'pong', cache: () => undefined } });
    const reply = await call(port, '/health');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(reply.body)).toEqual({
      status: 'ok',
      service: 'thumbs',
      version: '2.3.4',
      checks: {
        db: { status: 'ok', durationMs: expect.any(Number) },
        cache: { status: 'ok', durationMs: expect.any(Number) },
      },
    });
  });

  it('answers 503 with the failing check and its error', async () => {
    const port = await start({
      checks: {
        db: async () => {
          throw new Error('connection refused');
        },
        disk: () => true,
      },
    });
    const reply = await call(port, '/healthz?probe=liveness');
    expect(reply.status).toBe(503);
    const report = JSON.parse(reply.body);
    expect(report.status).toBe('fail');
    expect(report.checks.db).toMatchObject({ status: 'fail', error: 'connection refused' });
    expect(report.checks.disk).toMatchObject({ status: 'ok' });
  });

  it('answers HEAD with headers only', async () => {
    const port = await start();
    const reply = await call(port, '/health', 'HEAD');
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('');
  });

  it('answers 404 for unknown paths and 405 for other methods', async () => {
    const port = await start();
    const missing = await call(port, '/metrics');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ error: 'not found' });
    const post = await call(port, '/health', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
  });

  it('rejects listen when the port is taken, and close resolves even if never started', async () => {
    const port = await start();
    const clash = createHealthServer({ port, host: '127.0.0.1' });
    await expect(clash.listen()).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await expect(clash.close()).resolves.toBeUndefined();
  });

  it('closes with an idle keep-alive connection open, not waiting for the client to leave', async () => {
    const port = await start();
    // The server never times an idle connection out itself: only close() can end it.
    health!.server.keepAliveTimeout = 0;
    await call(port, '/health');
    const connections = () =>
      new Promise<number>((resolve, reject) => health!.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
    expect(await connections()).toBe(1);
    let stalled: NodeJS.Timeout | undefined;
    const stall = new Promise<never>((_, reject) => {
      // Far beyond any busy runner's delay. On Node 18 (the oldest this library supports) close() leaves
      // idle connections open and, without closeIdleConnections, would wait here until the client left;
      // Node 19+ closes them in close() itself.
      stalled = setTimeout(() => reject(new Error('close() waited on the idle keep-alive connection')), 30_000);
    });
    await Promise.race([health!.close(), stall]).finally(() => clearTimeout(stalled));
    expect(health!.server.listening).toBe(false);
    expect(await connections()).toBe(0);
    health = undefined;
  }, 60_000);
});

describe('runHealthChecks', () => {
  it('fails a check that exceeds the timeout and aborts its signal', async () => {
    let aborted: unknown;
    const report = await runHealthChecks({
      timeoutMs: 20,
      checks: {
        slow: (signal) =>
          new Promise<void>((resolve) => {
            signal.addEventListener('abort', () => {
              aborted = signal.reason;
              resolve();
            });
          }),
      },
    });
    expect(report.status).toBe('fail');
    expect(report.checks['slow']).toMatchObject({ status: 'fail', error: 'timed out after 20ms' });
    expect(aborted).toBeInstanceOf(Error);
  });

  it('is ok with no checks, and reports synchronous throws and non-Error rejections', async () => {
    expect(await runHealthChecks({})).toEqual({ status: 'ok', service: undefined, version: undefined, checks: {} });
    const report = await runHealthChecks({
      checks: {
        sync: () => {
          throw new Error('boom');
        },
        odd: () => Promise.reject('plain string'),
      },
    });
    expect(report.checks).toMatchObject({ sync: { error: 'boom' }, odd: { error: 'plain string' } });
  });
});
