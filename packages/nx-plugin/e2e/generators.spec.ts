// The generators and the sync generator in a real Nx workspace with the packed
// plugin: init, base images locked at the real docker.io mirror, Node and
// Python services on them, the graph edges they make, and `nx sync:check` /
// `nx sync` after the library and a base image are released anew.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSharedEngine } from '../../../tools/engine/test/engine-cli';
import { MANIFEST_TYPES } from '../src/registry/registry-http';
import { Workspace, filesUnder, sharedTemplate } from './workspace';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

describe('generators and nx sync in a real workspace', () => {
  let template: string;
  let ws: Workspace;
  let env: Record<string, string>;
  const read = (path: string) => readFileSync(join(ws.root, path), 'utf8');
  const readJson = (path: string) => JSON.parse(read(path));
  /** `path:line` of the first line of a file that starts with `start`. */
  const at = (path: string, start: string) =>
    `${path}:${
      read(path)
        .split('\n')
        .findIndex((line) => line.startsWith(start)) + 1
    }`;
  const generate = (...args: string[]) => ws.nx('g', ...args, '--no-interactive');

  beforeAll(async () => {
    env = await startSharedEngine();
    template = sharedTemplate();
    ws = new Workspace(template, {
      'package.json': json({ name: 'generated', private: true, workspaces: ['packages/*'] }),
      'nx.json': json({}),
      'packages/common/package.json': json({ name: '@acme/common', version: '1.5.0', type: 'module' }),
      'packages/common/src/index.ts': 'export const VERSION = "1.5.0";\n',
      // The monorepo's Python library itself: the Python service's test runs against it.
      ...filesUnder(join(__dirname, '../../common-py'), 'packages/common-py', /(?:^|\/)(?:__pycache__|tests|scripts)(?:\/|$)/),
      'packages/common-py/project.json': json({ name: 'common-py' }),
      // At the version this test starts from, whatever the monorepo has released since.
      'packages/common-py/pyproject.toml': readFileSync(join(__dirname, '../../common-py/pyproject.toml'), 'utf8').replace(
        /^version = ".*"$/m,
        'version = "1.5.0"',
      ),
    });
    ws.env = { IMAGEWISE_MIRROR: env.IMAGEWISE_MIRROR };
  });
  afterAll(() => {
    ws?.dispose();
  });

  it('init adds the plugin with its options, the dockerImage input, the sync generator and .gitignore entries, and says what is next', () => {
    const said = generate('@imagewise/nx-plugin:init', '--libraries=@acme/common,common-py');
    expect(said).toMatch(/Next:[\s\S]*nx run-many -t docker:lock[\s\S]*nx affected -t docker:build/);
    expect(read('.gitignore')).toMatch(/^dist\/$/m); // .nx and node_modules were ignored already
    const nxJson = readJson('nx.json');
    expect(nxJson.plugins).toEqual([{ plugin: '@imagewise/nx-plugin', options: { libraries: ['@acme/common', 'common-py'] } }]);
    expect(nxJson.namedInputs.dockerImage).toEqual(['production']);
    expect(nxJson.sync.globalGenerators).toEqual(['@imagewise/nx-plugin:sync']);
    // No image folder exists yet: the generators add theirs when they create it.
    expect(readJson('package.json').workspaces).toEqual(['packages/*']);
    expect(ws.nx('sync:check')).toMatch(/up to date/);
    ws.commit('init');
  });

  it('base-image locks its upstream image at the digest the mirror serves; --dry-run writes nothing', async () => {
    const dryRun = generate('@imagewise/nx-plugin:base-image', 'node-base', '--dry-run', '--skipInstall');
    expect(dryRun).toMatch(/CREATE images\/node-base\/Dockerfile/);
    expect(dryRun).toMatch(/CREATE images\/node-base\/\.dockerignore/);
    expect(ws.git('status', '--porcelain')).toBe('');

    generate('@imagewise/nx-plugin:base-image', 'node-base', '--skipInstall');
    generate('@imagewise/nx-plugin:base-image', 'python-base', '--language=python', '--skipInstall');
    for (const [image, repository, tag] of [
      ['node-base', 'library/node', '18-bookworm-slim'],
      ['python-base', 'library/python', '3.11-slim-bookworm'],
    ]) {
      const response = await fetch(`http://${env.IMAGEWISE_MIRROR}/v2/${repository}/manifests/${tag}`, { method: 'HEAD', headers: { Accept: MANIFEST_TYPES } });
      expect(readJson(`images/${image}/imagewise.lock.json`)).toEqual({
        upstream: { [`docker.io/${repository}:${tag}`]: response.headers.get('docker-content-digest') },
      });
    }
    // The template's dotfile survived npm pack and the build.
    expect(read('images/node-base/.dockerignore')).toContain('node_modules');
    expect(read('images/python-base/Dockerfile')).toContain('ARG IMAGEWISE_COMMON_VERSION=1.5.0');
    expect(readJson('package.json').workspaces).toEqual(['packages/*', 'images/*']);
    const project = JSON.parse(ws.nx('show', 'project', 'node-base', '--json'));
    expect(project.tags).toEqual(expect.arrayContaining(['lang:node', 'type:base-image']));
    expect(project.targets['docker:build'].executor).toBe('@imagewise/nx-plugin:build');
    ws.commit('base images');
  });

  it('base-image without a reachable registry fails, saying how to go on, and writes nothing', () => {
    const output = ws.failing('g', '@imagewise/nx-plugin:base-image', 'offline-base', '--mirror=127.0.0.1:1', '--no-interactive', '--skipInstall');
    expect(output).toMatch(/could not resolve docker\.io\/library\/node:18-bookworm-slim at 127\.0\.0\.1:1/);
    expect(output).toMatch(/--skipLock/);
    expect(ws.git('status', '--porcelain')).toBe('');
  });

  it('service: Node and Python services FROM their bases at the current version, with tags and targets', () => {
    generate('@imagewise/nx-plugin:service', 'notifier', '--skipInstall');
    generate('@imagewise/nx-plugin:service', 'legacy', '--skipInstall');
    generate('@imagewise/nx-plugin:service', 'report', '--language=python', '--skipInstall');
    expect(read('services/notifier/Dockerfile')).toMatch(/^FROM node-base:1\.0\.0$/m);
    expect(read('services/report/Dockerfile')).toMatch(/^FROM python-base:1\.0\.0$/m);
    expect(read('services/report/requirements.txt')).toBe('imagewise-common>=1.5,<2\n');
    expect(read('services/notifier/.dockerignore')).toContain('**/*.spec.ts');

    const notifier = JSON.parse(ws.nx('show', 'project', 'notifier', '--json'));
    expect(notifier.tags).toEqual(expect.arrayContaining(['lang:node', 'type:service']));
    expect(Object.keys(notifier.targets)).toEqual(expect.arrayContaining(['build', 'test', 'docker:build']));
    expect(notifier.targets['docker:build'].dependsOn).toContain('build');
    const report = JSON.parse(ws.nx('show', 'project', 'report', '--json'));
    expect(report.tags).toEqual(expect.arrayContaining(['lang:python', 'type:service']));
    // The generated unit test passes against the workspace's Python library.
    expect(ws.run('run', 'report:test', '--skip-nx-cache').stderr).toMatch(/Ran 2 tests[\s\S]*OK/);
    expect(ws.nx('sync:check')).toMatch(/up to date/);
    ws.commit('services');
  });

  it('the graph: a base change affects its services, a library change the base bundling it and the services using it', () => {
    ws.write({ 'images/node-base/Dockerfile': `${read('images/node-base/Dockerfile')}RUN true\n` });
    expect(ws.affected()).toEqual(['legacy', 'node-base', 'notifier']);
    ws.reset();
    ws.write({ 'packages/common/src/index.ts': 'export const VERSION = "1.5.1";\n' });
    expect(ws.affected()).toEqual(['@acme/common', 'legacy', 'node-base', 'notifier']);
    ws.reset();
    ws.write({ 'packages/common-py/src/imagewise_common/log.py': `${read('packages/common-py/src/imagewise_common/log.py')}# patched\n` });
    expect(ws.affected()).toEqual(['common-py', 'python-base', 'report']);
    ws.reset();
  });

  it('after releases nx sync:check fails naming the files, nx sync fixes them, and the pinned service is left alone and reported', () => {
    // legacy stays on node-base 1.0.0 and the 1.x library on purpose.
    const dockerfile = read('services/legacy/Dockerfile').replace(/^FROM /m, '# imagewise: pin until legacy moves to 2.x\nFROM ');
    const manifest = { ...readJson('services/legacy/package.json'), imagewise: { pin: ['@acme/common'] } };
    ws.write({ 'services/legacy/Dockerfile': dockerfile, 'services/legacy/package.json': json(manifest) });
    ws.commit('pin legacy');

    ws.write({
      'packages/common/package.json': json({ ...readJson('packages/common/package.json'), version: '2.0.0' }),
      'packages/common-py/pyproject.toml': read('packages/common-py/pyproject.toml').replace(/^version = ".*"$/m, 'version = "2.0.0"'),
      'images/node-base/package.json': json({ ...readJson('images/node-base/package.json'), version: '1.1.0' }),
    });
    const nodeArg = at('images/node-base/Dockerfile', 'ARG COMMON_VERSION=');
    const pythonArg = at('images/python-base/Dockerfile', 'ARG IMAGEWISE_COMMON_VERSION=');
    const check = ws.failing('sync:check');
    expect(check).toMatch(/out of sync/);
    for (const file of [
      `${nodeArg}: @acme/common "1.5.0" → "2.0.0"`,
      `${pythonArg}: imagewise-common "1.5.0" → "2.0.0"`,
      'services/notifier/Dockerfile:2: node-base:1.0.0 → node-base:1.1.0',
      'services/notifier/package.json:11: @acme/common "^1.5.0" → "^2.0.0"',
      'services/report/requirements.txt:1: imagewise-common ">=1.5,<2" → ">=2.0,<3"',
      'services/legacy/Dockerfile:3: base image node-base pinned at 1.0.0; the workspace builds 1.1.0: pinned on purpose',
    ]) {
      expect(check).toContain(file);
    }
    // The check changed nothing: only the releases are uncommitted.
    expect(ws.git('diff', '--name-only').trim().split('\n').sort()).toEqual([
      'images/node-base/package.json',
      'packages/common-py/pyproject.toml',
      'packages/common/package.json',
    ]);
    expect(ws.git('status', '--porcelain', '--untracked-files=all')).not.toMatch(/^\?\?/m);

    const { stdout } = ws.run('sync');
    expect(stdout).toContain('[imagewise] services/legacy/package.json:11: @acme/common "^1.5.0" excludes the workspace version 2.0.0: pinned on purpose');
    expect(read('images/node-base/Dockerfile')).toContain('ARG COMMON_VERSION=2.0.0');
    expect(read('images/python-base/Dockerfile')).toContain('ARG IMAGEWISE_COMMON_VERSION=2.0.0');
    expect(read('services/notifier/Dockerfile')).toMatch(/^FROM node-base:1\.1\.0$/m);
    expect(readJson('services/notifier/package.json').dependencies).toEqual({ '@acme/common': '^2.0.0' });
    expect(read('services/report/requirements.txt')).toBe('imagewise-common>=2.0,<3\n');
    expect(read('services/legacy/Dockerfile')).toBe(dockerfile);
    expect(read('services/legacy/package.json')).toBe(json(manifest));

    // In sync now; the pins are still reported, and legacy no longer follows node-base.
    const after = ws.run('sync:check');
    expect(after.stdout).toMatch(/up to date/);
    expect(after.stdout).toContain('[imagewise] services/legacy/Dockerfile:3: base image node-base pinned at 1.0.0');
    ws.commit('synced');
    ws.write({ 'images/node-base/Dockerfile': `${read('images/node-base/Dockerfile')}RUN true\n` });
    expect(ws.affected()).toEqual(['node-base', 'notifier']);
    ws.reset();
  });
});
