// The plugin's preTasksExecution hook, loaded by Nx from a local plugin file
// that re-exports it from @imagewise/nx-plugin's source.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../../../tools/engine/test/closed-port.js';
import { startCacheServer } from '../src/index.js';
import { NxWorkspace, remoteCacheEnv } from './workspace.js';

const HOOK = fileURLToPath(new URL('../../nx-plugin/src/plugins/remote-cache.ts', import.meta.url));
/** A local plugin (CommonJS) re-exporting the hook from its TypeScript source, compiled by swc as Nx does for this repo's plugin. */
const LOCAL_PLUGIN = `require('@swc-node/register');\nmodule.exports = require(${JSON.stringify(HOOK)});\n`;

describe('an unreachable remote cache', () => {
  let withHook: NxWorkspace;
  let withoutHook: NxWorkspace;
  let url: string;
  beforeAll(async () => {
    url = `http://127.0.0.1:${await closedPort()}`;
    withHook = new NxWorkspace([{ name: 'lib-a' }], { 'tools/remote-cache-plugin.js': LOCAL_PLUGIN }, { plugins: ['./tools/remote-cache-plugin.js'] });
    withoutHook = new NxWorkspace([{ name: 'lib-a' }]);
  });
  afterAll(() => {
    withHook?.dispose();
    withoutHook?.dispose();
  });

  it('fails a plain Nx run', async () => {
    const run = await withoutHook.nx(['run', 'lib-a:build'], remoteCacheEnv(url, 'token'));
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toContain('Failed to send request');
  });

  it('with the plugin hook: the run uses the local cache and warns once', async () => {
    const first = await withHook.nx(['run', 'lib-a:build'], remoteCacheEnv(url, 'sekrit-token'));
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const output = first.stdout + first.stderr;
    const warnings = output.split('\n').filter((line) => line.includes('remote cache'));
    expect(warnings).toEqual([`[imagewise] remote cache ${url} is unreachable (ECONNREFUSED); this run uses the local cache only.`]);
    expect(output).not.toContain('sekrit-token');
    expect(withHook.outputs().size).toBe(3);

    // The local cache still works: the second run is a local hit.
    const second = await withHook.nx(['run', 'lib-a:build'], remoteCacheEnv(url, 'sekrit-token'));
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toContain('[local cache]');
  });

  it('with the plugin hook and a reachable server: the remote cache is used as usual', async () => {
    const storage = mkdtempSync(join(tmpdir(), 'cache-server-e2e-'));
    const server = await startCacheServer({ storage: { kind: 'filesystem', directory: storage }, token: 'rw', logStream: { write: () => true } });
    try {
      withHook.write({ 'projects/lib-a/src.txt': 'changed' });
      const run = await withHook.nx(['run', 'lib-a:build'], remoteCacheEnv(server.url, 'rw'));
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout + run.stderr).not.toContain('[imagewise]');
      expect(server.metrics.stored.value).toBe(1);
    } finally {
      await server.stop();
      rmSync(storage, { recursive: true, force: true });
    }
  });
});
