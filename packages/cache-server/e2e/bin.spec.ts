// The bin as an operator runs it: flags, environment, refusals, signals.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { get, put, request } from '../src/http.test-helpers.js';
import { runServerProcess, startServerProcess } from './server-process.js';

describe('imagewise-cache-server', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cache-server-bin-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('refuses to start without a token, says how to fix it, and creates nothing', async () => {
    const storage = join(root, 'cache');
    const run = await runServerProcess(['--storage', storage]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'imagewise-cache-server: no token configured: set --token (IMAGEWISE_CACHE_TOKEN) for a shared cache, or pass --open (IMAGEWISE_CACHE_OPEN=true) to run without authentication, for local use only\n',
    );
    expect(readdirSync(root)).toEqual([]);
  });

  it('runs open only when told, on loopback, and says so', async () => {
    const server = await startServerProcess(['--storage', root, '--open']);
    try {
      const listening = server.lines().find((line) => line['msg'] === 'listening')!;
      expect(listening).toMatchObject({ level: 'warn', host: '127.0.0.1' });
      expect(String(listening['access'])).toMatch(/^open: no authentication.*local use only$/);
      expect((await put(server.url, '11', 'x')).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('takes every setting from the environment, a flag winning over its variable, and never logs a token', async () => {
    const server = await startServerProcess(['--token', 'flag-token'], {
      IMAGEWISE_CACHE_STORAGE: root,
      IMAGEWISE_CACHE_TOKEN: 'env-token',
      IMAGEWISE_CACHE_READ_ONLY_TOKEN: 'env-ro-token',
      IMAGEWISE_CACHE_MAX_ENTRY_SIZE: '1KiB',
    });
    try {
      expect((await put(server.url, '21', 'x', 'env-token')).status).toBe(401);
      expect((await put(server.url, '21', 'x', 'flag-token')).status).toBe(200);
      expect((await put(server.url, '22', 'x', 'env-ro-token')).status).toBe(403);
      expect((await get(server.url, '21', 'env-ro-token')).status).toBe(200);
      expect((await put(server.url, '23', Buffer.alloc(1025), 'flag-token')).status).toBe(413);
      expect((await request(server.url, '/health')).status).toBe(200);
      await server.waitForRequests(5);
      const log = JSON.stringify(server.lines());
      expect(log).not.toMatch(/flag-token|env-token|env-ro-token/);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('rejects bad settings naming the flag and its variable', async () => {
    const run = await runServerProcess(['--storage', 's3://nx-cache', '--token', 't', '--max-age', '7d']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '--max-age (IMAGEWISE_CACHE_MAX_AGE) and --max-total-size (IMAGEWISE_CACHE_MAX_TOTAL_SIZE) evict from filesystem storage; for S3',
    );
    const bad = await runServerProcess(['--storage', root, '--token', 't', '--max-entry-size', 'huge']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--max-entry-size (IMAGEWISE_CACHE_MAX_ENTRY_SIZE): expected a size');
  });

  it('exits 1 when it cannot start, such as on a taken port', async () => {
    const first = await startServerProcess(['--storage', root, '--open']);
    try {
      const port = new URL(first.url).port;
      const second = await runServerProcess(['--storage', root, '--open', '--port', port]);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain('imagewise-cache-server: cannot start: listen EADDRINUSE');
    } finally {
      await first.stop();
    }
  });

  it('prints its usage for --help', async () => {
    const run = await runServerProcess(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: imagewise-cache-server --storage/);
  });
});
