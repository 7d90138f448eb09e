// The scale-out story: two CI runners — separate clones with their own Nx
// caches and their own Docker engines — share one cache server and one
// registry. After runner A, runner B runs no test, no pack and no image build.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCacheServer, type RunningCacheServer } from '../../cache-server/src/start';
import { parseExports, runEngine, startSharedEngine } from '../../../tools/engine/test/engine-cli';
import type { ImageMetadata } from '../src/build/image-metadata';
import { Workspace, sharedTemplate } from './workspace';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const IMAGES = ['lib-base', 'reporter'];
const TOKEN = 'two-runners-token';

const FILES = {
  'package.json': json({ name: 'scale-out', private: true, workspaces: ['packages/*', 'images/*', 'services/*'] }),
  'nx.json': json({
    namedInputs: { default: ['{projectRoot}/**/*'], dockerImage: ['default'] },
    targetDefaults: { test: { cache: true }, pack: { cache: true }, build: { cache: true } },
    plugins: ['@imagewise/nx-plugin'],
  }),
  'packages/acme-lib/package.json': json({ name: '@acme/lib', version: '1.0.0' }),
  'packages/acme-lib/index.js': 'module.exports = "acme lib";\n',
  'packages/acme-lib/project.json': json({
    name: 'acme-lib',
    projectType: 'library',
    targets: {
      test: { command: "node -e \"require('assert').strictEqual(require('./index.js'), 'acme lib')\"", options: { cwd: 'packages/acme-lib' } },
      pack: {
        command: 'mkdir -p ../../dist/packs && npm pack --pack-destination ../../dist/packs',
        options: { cwd: 'packages/acme-lib' },
        outputs: ['{workspaceRoot}/dist/packs/acme-lib-*.tgz'],
      },
    },
  }),
  'images/lib-base/package.json': json({ name: 'lib-base', version: '1.0.0', private: true }),
  'images/lib-base/Dockerfile': 'FROM debian:bookworm-slim\nARG LIB_VERSION=1.0.0\nCOPY .imagewise/packs/acme-lib-${LIB_VERSION}.tgz /opt/acme-lib.tgz\n',
  'services/reporter/package.json': json({ name: 'reporter', version: '0.1.0', private: true }),
  'services/reporter/project.json': json({
    name: 'reporter',
    targets: {
      build: {
        command: "node -e \"require('fs').mkdirSync('dist',{recursive:true});require('fs').writeFileSync('dist/report.txt','report')\"",
        options: { cwd: 'services/reporter' },
        outputs: ['{projectRoot}/dist'],
      },
      test: { command: 'node -e "process.exit(0)"', options: { cwd: 'services/reporter' } },
    },
  }),
  'services/reporter/Dockerfile': 'FROM lib-base\nCOPY dist/report.txt /report.txt\n',
};

describe('two runners sharing one cache server and one registry', () => {
  let template: string;
  let env: Record<string, string>;
  let cache: RunningCacheServer;
  let cacheDir: string;
  let engineB: string | undefined;
  const runners: Workspace[] = [];

  beforeAll(async () => {
    env = await startSharedEngine();
    template = sharedTemplate();
    cacheDir = mkdtempSync(join(tmpdir(), 'imagewise-shared-cache-'));
    cache = await startCacheServer({ storage: { kind: 'filesystem', directory: cacheDir }, token: TOKEN, logStream: { write: () => true } });
  });
  afterAll(async () => {
    for (const ws of runners) ws.dispose();
    await cache?.stop();
    if (engineB) await runEngine(['stop-engine', engineB, '--purge']);
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('runner B, on a fresh clone and a fresh engine, executes no test, pack or image build after runner A', async () => {
    const registry = `${env.IMAGEWISE_REGISTRY}/scale-out-${Date.now().toString(36)}`;
    const shared = { IMAGEWISE_REGISTRY: registry, NX_SELF_HOSTED_REMOTE_CACHE_SERVER: cache.url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: TOKEN };
    // Asynchronously: the cache server answers from this process's event loop.
    const run = async (ws: Workspace) => {
      const started = Date.now();
      const { code, stdout, stderr } = await ws.start('run-many', '-t', 'test', 'pack', 'docker:build', '--outputStyle=stream').output;
      expect(code, stdout + stderr).toBe(0);
      expect(stderr).not.toContain('uses the local cache only');
      return { stdout, seconds: (Date.now() - started) / 1000 };
    };
    const metadata = (ws: Workspace, project: string): ImageMetadata =>
      JSON.parse(readFileSync(join(ws.root, 'dist/images', project, 'metadata.json'), 'utf8'));

    const a = new Workspace(template, FILES);
    runners.push(a);
    a.env = { ...env, ...shared };
    const first = await run(a);
    expect(IMAGES.map((p) => metadata(a, p).reused)).toEqual([false, false]);

    engineB = `runner-b-${Date.now().toString(36)}`;
    const started = await runEngine(['start-engine', engineB, '--fresh']);
    expect(started.code, started.stderr).toBe(0);
    const b = new Workspace(template, FILES);
    runners.push(b);
    b.env = { ...env, ...shared, DOCKER_HOST: parseExports(started.stdout).DOCKER_HOST };
    const second = await run(b);

    // Every cacheable task (tests, packs, the service's build) came from the shared cache…
    const cacheable = ['acme-lib:test', 'acme-lib:pack', 'reporter:build', 'reporter:test'];
    for (const task of cacheable) expect(second.stdout).toContain(`nx run ${task}  [remote cache]`);
    expect(second.stdout).toContain(`Nx read the output from the cache instead of running the command for ${cacheable.length} out of`);
    // …and every image from the registry, by the same content tag, without a layer pulled.
    for (const project of IMAGES) {
      expect(metadata(b, project)).toMatchObject({ reused: true, digest: metadata(a, project).digest });
    }
    const engine = new Docker({ socketPath: b.env.DOCKER_HOST.slice('unix://'.length) });
    expect(await engine.listImages()).toEqual([]);
    expect(cache.metrics.hits.value).toBeGreaterThanOrEqual(cacheable.length);
    console.log(`two runners: runner A ${first.seconds.toFixed(1)} s (everything built), runner B ${second.seconds.toFixed(1)} s (all hits)`);
  });
});
