// Nx 23 (this workspace's version) against the real server, started from its bin.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../src/s3rver.test-helpers.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { NxWorkspace, remoteCacheEnv } from './workspace.js';

const RW = 'e2e-read-write-token';
const RO = 'e2e-read-only-token';
const TOKENS = ['--token', RW, '--read-only-token', RO];
const PROJECTS = [{ name: 'lib-a' }, { name: 'app-b', size: 1_500_000, dependsOn: ['lib-a'] }];

interface Backend {
  name: string;
  start(): Promise<{ server: ServerProcess; cleanup(): Promise<void> }>;
}

const filesystem: Backend = {
  name: 'filesystem',
  async start() {
    const directory = mkdtempSync(join(tmpdir(), 'cache-server-e2e-'));
    const server = await startServerProcess(['--storage', directory, ...TOKENS]);
    return {
      server,
      async cleanup() {
        await server.stop();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  },
};

let s3: LocalS3 | undefined;
const s3rver: Backend = {
  name: 'S3 (s3rver)',
  async start() {
    s3 ??= await startLocalS3();
    const server = await startServerProcess(['--storage', `s3://${s3.bucket}/e2e/`, '--s3-endpoint', s3.endpoint, ...TOKENS], s3.credentials);
    return { server, cleanup: async () => void (await server.stop()) };
  },
};

afterAll(async () => {
  await s3?.stop();
});

/** `status result` of each entry request with this method, in order, from the `from`th request on. */
async function outcomes(server: ServerProcess, from: number, expected: number, method: string): Promise<string[]> {
  const lines = await server.waitForRequests(from + expected);
  return lines
    .slice(from)
    .filter((line) => line['method'] === method)
    .map((line) => `${line['status']} ${line['result']}`);
}

describe.each([filesystem, s3rver])('Nx remote cache on $name storage', (backend: Backend) => {
  let server: ServerProcess;
  let cleanup: () => Promise<void>;
  let workspace: NxWorkspace;
  beforeAll(async () => {
    ({ server, cleanup } = await backend.start());
    workspace = new NxWorkspace(PROJECTS);
  });
  afterAll(async () => {
    workspace?.dispose();
    await cleanup?.();
  });

  it('stores on the first run and restores every output byte-identical from it after nx reset', async () => {
    const env = remoteCacheEnv(server.url, RW);

    const first = await workspace.nx(['run-many', '-t', 'build'], env);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(await outcomes(server, 0, 4, 'GET')).toEqual(['404 miss', '404 miss']);
    expect(await outcomes(server, 0, 4, 'PUT')).toEqual(['200 stored', '200 stored']);
    const built = workspace.outputs();
    expect(built.size).toBe(6);

    expect((await workspace.nx(['reset'])).code).toBe(0);
    workspace.removeOutputs();
    const second = await workspace.nx(['run-many', '-t', 'build'], env);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toContain('nx run lib-a:build  [remote cache]');
    expect(second.stdout).toContain('nx run app-b:build  [remote cache]');
    expect(second.stdout).toContain('Nx read the output from the cache instead of running the command for 2 out of 2 tasks');
    expect(await outcomes(server, 4, 2, 'GET')).toEqual(['200 hit', '200 hit']);
    expect(await outcomes(server, 4, 2, 'PUT')).toEqual([]);

    const restored = workspace.outputs();
    expect([...restored.keys()].sort()).toEqual([...built.keys()].sort());
    for (const [path, bytes] of built) expect(restored.get(path)!.equals(bytes), path).toBe(true);
  });

  it('lets a read-only token read hits while its stores are refused with 403, and the run passes', async () => {
    workspace.write({ 'projects/lib-a/src.txt': 'a change: new hashes for both projects' });
    const before = server.requests().length;
    const readOnly = await workspace.nx(['run-many', '-t', 'build'], remoteCacheEnv(server.url, RO));
    expect(readOnly.code, readOnly.stdout + readOnly.stderr).toBe(0);
    expect(await outcomes(server, before, 4, 'PUT')).toEqual(['403 read-only', '403 read-only']);

    // Stored by a read-write run, then read back with the read-only token.
    expect((await workspace.nx(['reset'])).code).toBe(0);
    expect((await workspace.nx(['run-many', '-t', 'build'], remoteCacheEnv(server.url, RW))).code).toBe(0);
    expect((await workspace.nx(['reset'])).code).toBe(0);
    workspace.removeOutputs();
    const hits = await workspace.nx(['run-many', '-t', 'build'], remoteCacheEnv(server.url, RO));
    expect(hits.code, hits.stdout + hits.stderr).toBe(0);
    expect(hits.stdout).toContain('for 2 out of 2 tasks');
  });

  it('answers a wrong token with 401, which Nx reports as an error', async () => {
    workspace.write({ 'projects/lib-a/src.txt': 'another change' });
    const before = server.requests().length;
    const wrong = await workspace.nx(['run', 'lib-a:build'], remoteCacheEnv(server.url, 'not-the-token'));
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout + wrong.stderr).toMatch(/401/);
    expect(await outcomes(server, before, 1, 'GET')).toEqual(['401 unauthorized']);
  });
});

describe('two Nx runs storing the same task at once', () => {
  it('both pass: one store answers 200, the other 409, and one whole entry is left', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'cache-server-e2e-'));
    const barrier = mkdtempSync(join(tmpdir(), 'cache-server-barrier-'));
    const server = await startServerProcess(['--storage', directory, '--token', RW]);
    // Identical workspaces in different directories: the same task hash.
    const runners = [new NxWorkspace([{ name: 'lib-a' }]), new NxWorkspace([{ name: 'lib-a' }])];
    try {
      const env = { ...remoteCacheEnv(server.url, RW), CACHE_E2E_BARRIER: `${barrier}:2` };
      const runs = await Promise.all(runners.map((runner) => runner.nx(['run', 'lib-a:build'], env)));
      for (const run of runs) expect(run.code, run.stdout + run.stderr).toBe(0);
      expect((await outcomes(server, 0, 4, 'GET')).sort()).toEqual(['404 miss', '404 miss']);
      expect((await outcomes(server, 0, 4, 'PUT')).sort()).toEqual(['200 stored', '409 exists']);
      const hashes = new Set(server.requests().map((line) => line['hash']));
      expect(hashes.size).toBe(1);
      expect(readdirSync(join(directory, 'entries'))).toEqual([...hashes]);
      expect(readdirSync(join(directory, 'tmp'))).toEqual([]);
    } finally {
      for (const runner of runners) runner.dispose();
      await server.stop();
      rmSync(directory, { recursive: true, force: true });
      rmSync(barrier, { recursive: true, force: true });
    }
  });
});

describe('limits seen from Nx', () => {
  it('refuses a 40 MB store with a read-only token once, with 403, and the run passes', async () => {
    // A refusal sent while Nx was still uploading reached it as a reset: it retried and failed the task.
    const directory = mkdtempSync(join(tmpdir(), 'cache-server-e2e-'));
    const server = await startServerProcess(['--storage', directory, ...TOKENS]);
    const workspace = new NxWorkspace([{ name: 'big', size: 40_000_000 }]);
    try {
      const run = await workspace.nx(['run', 'big:build'], remoteCacheEnv(server.url, RO));
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(await outcomes(server, 0, 2, 'PUT')).toEqual(['403 read-only']);
      expect(readdirSync(join(directory, 'entries'))).toEqual([]);
    } finally {
      workspace.dispose();
      await server.stop();
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('answers an entry over --max-entry-size with 413: Nx retries, then fails the task, and nothing is stored', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'cache-server-e2e-'));
    const server = await startServerProcess(['--storage', directory, '--token', RW, '--max-entry-size', '100KiB']);
    const workspace = new NxWorkspace([{ name: 'big', size: 300_000 }]);
    try {
      const run = await workspace.nx(['run', 'big:build'], remoteCacheEnv(server.url, RW));
      expect(run.code).not.toBe(0);
      expect(run.stdout + run.stderr).toContain('413 Payload Too Large');
      const puts = (await server.waitForRequests(2)).filter((line) => line['method'] === 'PUT');
      expect(puts.length).toBeGreaterThan(0);
      expect(puts.every((line) => line['status'] === 413)).toBe(true);
      expect(readdirSync(join(directory, 'entries'))).toEqual([]);
    } finally {
      workspace.dispose();
      await server.stop();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
