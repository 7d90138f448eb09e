// The packed plugin on each Nx major it supports (the newest release of each,
// from the registry): resolved by a plain `npm install` (where a peer conflict
// fails: ERESOLVE) and installed from the lock file it writes by `npm ci` (which
// refuses a lock out of step with package.json), one nx in the tree; then the
// generators, the graph and affected (daemon off and on) with plugins in Nx's
// isolated workers as its users run them, nx sync, nx release version with the plugin's
// version actions, docker:build on the real engine and registry (reuse, then
// affected), docker:run, and the remote cache with and without its server.
// The workspace has the layouts beyond one Dockerfile per project: a variant
// directory inside the base image's (`slim`, pushed as `node-base:slim…`) and a
// second image in the service's project (`Dockerfile.worker`, FROM the variant).
// IMAGEWISE_NX_MAJORS=21,24 picks majors.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { maxSatisfying } from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCacheServer } from '../../cache-server/src/start';
import { remoteCacheEnv } from '../../cache-server/e2e/workspace';
import { closedPort } from '../../../tools/engine/test/closed-port';
import { startSharedEngine } from '../../../tools/engine/test/engine-cli';
import type { ImageMetadata } from '../src/build/image-metadata';
import { Workspace, installTemplate } from './workspace';

const MAJORS = (process.env.IMAGEWISE_NX_MAJORS ?? '21,22,23,24').split(',').map(Number);
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const npm = (cwd: string, ...args: string[]) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The newest release of an Nx major on the registry. */
function newestNx(major: number): string {
  const versions = JSON.parse(npm(process.cwd(), 'view', `nx@>=${major} <${major + 1}`, 'version', '--json')) as string | string[];
  const newest = maxSatisfying(([] as string[]).concat(versions), `^${major}.0.0`);
  if (!newest) throw new Error(`no nx ${major}.x on the registry`);
  return newest;
}

const LIBRARY = {
  'packages/common/package.json': json({
    name: '@acme/common',
    version: '1.5.0',
    main: 'index.js',
    nx: {
      targets: {
        pack: {
          command: 'mkdir -p ../../dist/packs && npm pack --pack-destination ../../dist/packs',
          options: { cwd: 'packages/common' },
          outputs: ['{workspaceRoot}/dist/packs/acme-common-*.tgz'],
          cache: true,
        },
      },
    },
  }),
  'packages/common/index.js': 'module.exports = "acme common";\n',
};

describe.each(MAJORS)('Nx %i', (major) => {
  let version: string;
  let template: string;
  let ws: Workspace;
  let env: Record<string, string>;
  const timings: string[] = [];
  const read = (path: string) => readFileSync(join(ws.root, path), 'utf8');
  const readJson = (path: string) => JSON.parse(read(path));
  const metadata = (project: string): ImageMetadata => JSON.parse(read(`dist/images/${project}/metadata.json`));
  const timed = <T>(what: string, run: () => T): T => {
    const started = Date.now();
    const result = run();
    timings.push(`${what} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  };

  beforeAll(async () => {
    env = await startSharedEngine();
    version = newestNx(major);
    // One install per major, not two: npm install only resolves and writes the
    // lock (installing twice cost a minute per major on a busy runner).
    template = timed('npm install', () => installTemplate(version, { lockOnly: true }));
    timed('npm ci', () => npm(template, 'ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'));
    ws = new Workspace(template, {
      'package.json': json({ name: `nx-${major}`, private: true, workspaces: ['packages/*'] }),
      'nx.json': json({}),
      ...LIBRARY,
    });
    ws.env = { IMAGEWISE_MIRROR: env.IMAGEWISE_MIRROR };
    ws.isolatedPlugins = true; // each major's plugin workers, as its users run them (up to the sync case)
  });
  afterAll(() => {
    if (ws?.daemon) ws.stopDaemon();
    ws?.dispose();
    if (template) rmSync(template, { recursive: true, force: true });
    console.log(`Nx ${version}: ${timings.join(', ')}`);
  });

  it('installs with a plain npm install and npm ci, with one nx in the tree and no invalid peer', () => {
    const copies = npm(template, 'ls', 'nx', '--all', '--parseable')
      .trim()
      .split('\n')
      .filter((line) => /node_modules\/nx$/.test(line));
    expect(copies).toEqual([join(template, 'node_modules/nx')]);
    expect(JSON.parse(readFileSync(join(template, 'node_modules/nx/package.json'), 'utf8')).version).toBe(version);
    npm(template, 'ls', '--all'); // exits non-zero on an invalid or missing (peer) dependency
    expect(npm(template, 'ls', '@nx/devkit', '--all', '--parseable').trim()).toBe('');
  });

  it('init and base-image generate; the sync generator is in place', () => {
    ws.nx('g', '@imagewise/nx-plugin:init', '--libraries=@acme/common', '--no-interactive');
    expect(readJson('nx.json').sync.globalGenerators).toEqual(['@imagewise/nx-plugin:sync']);
    ws.nx('g', '@imagewise/nx-plugin:base-image', 'node-base', '--skipInstall', '--no-interactive');
    expect(read('images/node-base/Dockerfile')).toMatch(/^ARG \w+=1\.5\.0$/m);
    expect(read('images/node-base/.dockerignore')).toContain('node_modules');
    expect(Object.keys(readJson('images/node-base/imagewise.lock.json').upstream)).toEqual(['docker.io/library/node:18-bookworm-slim']);
    ws.write({
      'services/notifier/package.json': json({ name: 'notifier', version: '0.1.0', private: true, dependencies: { '@acme/common': '^1.5.0' } }),
      'services/notifier/Dockerfile': 'FROM node-base:1.0.0\nCOPY app.js /app/app.js\nCMD ["node", "/app/app.js"]\n',
      'services/notifier/app.js': `console.log(require("@acme/common") + " on Nx ${major}");\n`,
      // The variant's files are its own context, not the base's.
      'images/node-base/.dockerignore': `${read('images/node-base/.dockerignore')}slim\n`,
      'images/node-base/slim/Dockerfile': 'FROM node-base\nLABEL variant=slim\n',
      'services/notifier/Dockerfile.worker': 'FROM node-base:slim\nCOPY app.js /app/worker.js\nCMD ["node", "/app/worker.js"]\n',
    });
    expect(ws.nx('sync:check')).toMatch(/up to date/);
    ws.commit('generated');
  });

  it.each([false, true])('the graph and affected, daemon %s', (daemon) => {
    ws.daemon = daemon;
    try {
      expect((JSON.parse(ws.nx('show', 'projects', '--json')) as string[]).sort()).toEqual(['@acme/common', 'node-base', 'notifier', 'slim']);
      ws.write({ 'images/node-base/Dockerfile': `${read('images/node-base/Dockerfile')}RUN true\n` });
      expect(ws.affected()).toEqual(['node-base', 'notifier', 'slim']);
      ws.reset();
      // The variant reaches only the service whose worker image is built FROM it.
      ws.write({ 'images/node-base/slim/Dockerfile': `${read('images/node-base/slim/Dockerfile')}LABEL changed=yes\n` });
      expect(ws.affected()).toEqual(['notifier', 'slim']);
      ws.reset();
      ws.write({ 'packages/common/index.js': 'module.exports = "acme common, patched";\n' });
      expect(ws.affected()).toEqual(['@acme/common', 'node-base', 'notifier', 'slim']);
      ws.reset();
    } finally {
      if (daemon) ws.stopDaemon();
    }
  });

  it("nx sync moves the base's library ARG and the service's range after a major library release", () => {
    // From here on plugins load in Nx's own process, the suites' default: what
    // only isolation exercises (createNodes and createDependencies through this
    // major's plugin workers) the cases above have shown, daemon off and on; the
    // sync generator, version actions and executors below run in Nx's process
    // either way, and each isolated command starts a worker per plugin (on Nx
    // 23, 3.5 CPU-s against 1.5 for a small command: real-nx-suite.ts).
    ws.isolatedPlugins = false;
    ws.write({ 'packages/common/package.json': json({ ...readJson('packages/common/package.json'), version: '2.0.0' }) });
    expect(ws.failing('sync:check')).toMatch(/out of sync/);
    ws.nx('sync');
    expect(read('images/node-base/Dockerfile')).toMatch(/^ARG \w+=2\.0\.0$/m);
    expect(readJson('services/notifier/package.json').dependencies).toEqual({ '@acme/common': '^2.0.0' });
    expect(ws.nx('sync:check')).toMatch(/up to date/);
    ws.commit('common 2.0.0');
  });

  it("nx release version bumps the base with the plugin's version actions, and the service's FROM follows", () => {
    ws.write({
      'nx.json': json({
        ...readJson('nx.json'),
        release: {
          projects: ['node-base'],
          version: { versionActions: '@imagewise/nx-plugin/src/release/version-actions', currentVersionResolver: 'disk' },
          changelog: { workspaceChangelog: false, projectChangelogs: false },
        },
      }),
    });
    ws.commit('release config');
    ws.nx('release', 'version', 'minor');
    expect(readJson('images/node-base/package.json').version).toBe('1.1.0');
    expect(read('services/notifier/Dockerfile')).toMatch(/^FROM node-base:1\.1\.0$/m);
    // The version subcommand neither commits nor tags.
    expect(
      ws
        .git('status', '--porcelain')
        .trim()
        .split('\n')
        .map((line) => line.slice(3))
        .sort(),
    ).toEqual(['images/node-base/package.json', 'services/notifier/Dockerfile']);
    ws.commit('node-base 1.1.0');
  });

  it('docker:build builds every image in order, then reuses them; affected rebuilds all four after a library fix; docker:run runs the service', () => {
    ws.env = { ...env, IMAGEWISE_REGISTRY: `${env.IMAGEWISE_REGISTRY}/nx${major}-${Date.now().toString(36)}` };
    const build = (...args: string[]) => ws.run(...args, '--outputStyle=stream');
    const IMAGES = ['node-base', 'notifier', 'notifier/worker', 'slim'];
    const rebuilt = () => IMAGES.filter((image) => !metadata(image).reused);
    const builtOn = (image: string, base: string) =>
      expect(Object.values(metadata(image).baseImages), image).toContain(`${ws.env.IMAGEWISE_REGISTRY}/node-base@${metadata(base).digest}`);

    timed('first docker:build', () => build('run-many', '-t', 'docker:build'));
    expect(rebuilt()).toEqual(IMAGES);
    builtOn('notifier', 'node-base');
    builtOn('slim', 'node-base');
    builtOn('notifier/worker', 'slim');
    expect(metadata('node-base').tags).toEqual(expect.arrayContaining(['1.1.0']));
    expect(metadata('slim').tags).toEqual(expect.arrayContaining(['slim']));
    timed('second docker:build', () => build('run-many', '-t', 'docker:build'));
    expect(rebuilt()).toEqual([]);

    // A library fix reaches the base bundling it, and the service on that base.
    ws.write({ 'packages/common/index.js': 'module.exports = "acme common, fixed";\n' });
    timed('affected docker:build', () => build('affected', '-t', 'docker:build', '--base=HEAD'));
    expect(rebuilt()).toEqual(IMAGES);
    builtOn('notifier', 'node-base');
    builtOn('notifier/worker', 'slim');
    expect(ws.run('run', 'notifier:docker:run', '--outputStyle=stream').stdout).toContain(`acme common, fixed on Nx ${major}`);
    ws.reset();
  });

  it('the remote cache: an unreachable server leaves the run on the local cache with one warning; a reachable one stores', async () => {
    const token = 'nx-versions-token';
    const unreachable = `http://127.0.0.1:${await closedPort()}`;
    ws.env = { ...ws.env, ...remoteCacheEnv(unreachable, token) };
    ws.write({ 'packages/common/index.js': 'module.exports = "acme common, cached";\n' });
    const offline = await ws.start('run', '@acme/common:pack').output;
    expect(offline.code, offline.stdout + offline.stderr).toBe(0);
    const warnings = (offline.stdout + offline.stderr).split('\n').filter((line) => line.includes('remote cache'));
    expect(warnings).toEqual([`[imagewise] remote cache ${unreachable} is unreachable (ECONNREFUSED); this run uses the local cache only.`]);

    const storage = join(ws.root, '.nx/test-cache-server');
    const server = await startCacheServer({ storage: { kind: 'filesystem', directory: storage }, token, logStream: { write: () => true } });
    try {
      ws.env = { ...ws.env, ...remoteCacheEnv(server.url, token) };
      ws.write({ 'packages/common/index.js': 'module.exports = "acme common, stored";\n' });
      const online = await ws.start('run', '@acme/common:pack').output;
      expect(online.code, online.stdout + online.stderr).toBe(0);
      expect(online.stdout + online.stderr).not.toContain('[imagewise]');
      expect(server.metrics.stored.value).toBe(1);
    } finally {
      await server.stop();
      ws.reset();
    }
  });
});
