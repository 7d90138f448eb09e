// docker:build against the real engine and registry from tools/engine: only
// what changed builds, in dependency order, on exactly the bases this run
// produced; what the registry holds is reused without a pull, on any engine.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExports, runEngine, startSharedEngine } from '../../../tools/engine/test/engine-cli';
import type { ImageMetadata } from '../src/build/image-metadata';
import { MANIFEST_TYPES } from '../src/registry/registry-http';
import { Workspace, sharedTemplate } from './workspace';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const SERVICES = ['notifier', 'bruin-bridge', 'outage-monitor'];

describe('docker:build with a real engine and registry', () => {
  let template: string;
  let ws: Workspace;
  let env: Record<string, string>;
  let registry: string;

  const build = () => ws.run('run-many', '-t', 'docker:build', '--outputStyle=stream');
  const metadata = (project: string): ImageMetadata => JSON.parse(readFileSync(join(ws.root, 'dist/images', project, 'metadata.json'), 'utf8'));
  const rebuilt = () => ['node-base', ...SERVICES].filter((p) => !metadata(p).reused).sort();

  beforeAll(async () => {
    env = await startSharedEngine();
    registry = `${env.IMAGEWISE_REGISTRY}/e2e-${Date.now().toString(36)}`;
    template = sharedTemplate();
    ws = new Workspace(template, {
      'package.json': json({ name: 'builds', private: true, workspaces: ['images/*', 'services/*'] }),
      'nx.json': json({ namedInputs: { default: ['{projectRoot}/**/*'], dockerImage: ['default'] }, plugins: ['@imagewise/nx-plugin'] }),
      'images/node-base/package.json': json({ name: 'node-base', version: '1.0.0', private: true }),
      'images/node-base/Dockerfile': 'FROM node:18-bookworm-slim\nCOPY base.txt /base.txt\n',
      'images/node-base/base.txt': 'base v1\n',
      'services/notifier/Dockerfile': 'FROM node-base:latest\nCOPY app.js /app.js\nCMD ["node", "/app.js"]\n',
      'services/notifier/app.js': 'console.log(require("fs").readFileSync("/base.txt", "utf8").trim());\n',
      'services/bruin-bridge/Dockerfile': 'FROM node-base\nCOPY app.js /app.js\n',
      'services/bruin-bridge/app.js': 'console.log("bruin");\n',
      'services/outage-monitor/Dockerfile':
        'FROM node:18-bookworm-slim AS build\nRUN echo built > /out.txt\nFROM debian:bookworm-slim\nCOPY --from=node-base /base.txt /base.txt\nCOPY --from=build /out.txt /out.txt\n',
    });
    ws.env = { ...env, IMAGEWISE_REGISTRY: registry };
    ws.run('run-many', '-t', 'docker:lock');
  });
  afterAll(() => {
    ws?.dispose();
  });

  it('builds everything the first time, services on the exact base digest, pushed under content and policy tags', () => {
    build();
    expect(rebuilt()).toEqual(['bruin-bridge', 'node-base', 'notifier', 'outage-monitor']);
    const base = metadata('node-base');
    expect(base.tags).toEqual(expect.arrayContaining([`c-${base.contentIdentity}`, '1.0.0']));
    for (const service of SERVICES) {
      expect(Object.values(metadata(service).baseImages), service).toContain(`${registry}/node-base@${base.digest}`);
    }
  });

  it('builds nothing when nothing changed', () => {
    build();
    expect(rebuilt()).toEqual([]);
  });

  it('rebuilds only a changed service', () => {
    ws.write({ 'services/bruin-bridge/app.js': 'console.log("bruin v2");\n' });
    build();
    expect(rebuilt()).toEqual(['bruin-bridge']);
  });

  it('rebuilds the base and everything built on it when the base changes, on the new base', async () => {
    ws.write({ 'images/node-base/base.txt': 'base v2\n' });
    build();
    expect(rebuilt()).toEqual(['node-base', 'notifier', 'outage-monitor', 'bruin-bridge'].sort());
    const base = metadata('node-base');
    expect(Object.values(metadata('notifier').baseImages)).toContain(`${registry}/node-base@${base.digest}`);
    const docker = new Docker({ socketPath: env.DOCKER_HOST.slice('unix://'.length) });
    const container = await docker.createContainer({
      Image: `${registry}/notifier:c-${metadata('notifier').contentIdentity}`,
      HostConfig: { NetworkMode: 'none' },
    });
    await container.start();
    await container.wait();
    const output = (await container.logs({ stdout: true })).toString('utf8');
    await container.remove();
    expect(output).toContain('base v2');
  });

  it("builds the project's own build target first, so the Dockerfile can copy what it makes", () => {
    ws.write({
      'services/reporter/package.json': json({
        name: 'reporter',
        private: true,
        scripts: {
          build: `node -e "require('fs').mkdirSync('dist',{recursive:true});require('fs').writeFileSync('dist/report.txt','made by build ${Date.now()}')"`,
        },
      }),
      'services/reporter/Dockerfile': 'FROM node-base\nCOPY dist/report.txt /report.txt\nCMD ["cat", "/report.txt"]\n',
      'services/reporter/project.json': json({ name: 'reporter', targets: { 'docker:run': { options: {} } } }),
    });
    expect(ws.run('run', 'reporter:docker:run', '--outputStyle=stream').stdout).toMatch(/made by build \d+/);
    ws.git('clean', '-q', '-fdx', 'services/reporter');
  });

  it('stages the packed library into the build context, so a base image bundles the version its ARG names', () => {
    ws.write({
      'packages/acme-lib/package.json': json({ name: '@acme/lib', version: '1.2.0' }),
      'packages/acme-lib/index.js': 'module.exports = "acme lib";\n',
      'packages/acme-lib/project.json': json({
        name: 'acme-lib',
        projectType: 'library',
        targets: {
          pack: {
            command: 'mkdir -p ../../dist/packs && npm pack --pack-destination ../../dist/packs',
            options: { cwd: 'packages/acme-lib' },
            outputs: ['{workspaceRoot}/dist/packs/acme-lib-*.tgz'],
          },
        },
      }),
      'images/lib-base/package.json': json({ name: 'lib-base', version: '1.0.0', private: true }),
      'images/lib-base/Dockerfile': [
        'FROM node:18-bookworm-slim',
        'ARG LIB_VERSION=1.2.0',
        'WORKDIR /app',
        'COPY .imagewise/packs/acme-lib-${LIB_VERSION}.tgz /tmp/lib.tgz',
        'RUN npm install --offline --no-audit --no-fund /tmp/lib.tgz && rm /tmp/lib.tgz',
        '',
      ].join('\n'),
      'images/lib-base/project.json': json({
        name: 'lib-base',
        targets: { 'docker:run': { options: { command: ['node', '-p', 'require("@acme/lib")'] } } },
      }),
    });
    ws.run('run', 'lib-base:docker:lock');
    expect(ws.run('run', 'lib-base:docker:run', '--outputStyle=stream').stdout).toContain('acme lib');
    ws.git('clean', '-q', '-fdx', 'packages/acme-lib', 'images/lib-base');
  });

  it('builds with the classic builder on request, with the same labels and tags', async () => {
    ws.write({
      'services/classic/Dockerfile': 'FROM node-base\nCOPY app.js /app.js\nCMD ["node", "/app.js"]\n',
      'services/classic/app.js': 'console.log(require("fs").readFileSync("/base.txt", "utf8").trim());\n',
      'services/classic/project.json': json({
        name: 'classic',
        targets: { 'docker:build': { options: { builder: 'classic' } }, 'docker:run': { options: {} } },
      }),
    });
    expect(ws.run('run', 'classic:docker:run', '--outputStyle=stream').stdout).toContain('base v2');
    const built = metadata('classic');
    expect(built.reused).toBe(false);
    expect(built.tags).toContain(`c-${built.contentIdentity}`);
    expect(Object.values(built.baseImages)).toContain(`${registry}/node-base@${metadata('node-base').digest}`);
    const docker = new Docker({ socketPath: env.DOCKER_HOST.slice('unix://'.length) });
    const labels = (await docker.getImage(`${registry}/classic:c-${built.contentIdentity}`).inspect()).Config.Labels;
    expect(labels).toMatchObject({ 'dev.imagewise.content-identity': built.contentIdentity });
    ws.git('clean', '-q', '-fdx', 'services/classic');
  });

  it('runs the smoke command in the built image, with no network', () => {
    ws.write({ 'services/notifier/project.json': json({ name: 'notifier', targets: { 'docker:run': { options: { command: ['node', '/app.js'] } } } }) });
    expect(ws.run('run', 'notifier:docker:run').stdout).toContain('base v2');
    ws.write({
      'services/notifier/project.json': json({
        name: 'notifier',
        targets: { 'docker:run': { options: { command: ['node', '-e', 'require("http").get("http://127.0.0.1:1").on("error", () => process.exit(3))'] } } },
      }),
    });
    expect(() => ws.run('run', 'notifier:docker:run')).toThrow(/the smoke command exited 3/);
    ws.git('checkout', '-q', '--', '.');
    ws.git('clean', '-q', '-f', 'services/notifier/project.json');
  });

  it('without a registry builds locally and says so once; docker:push then publishes it', async () => {
    // Unique content: the shared engine keeps local images from earlier runs.
    ws.write({ 'services/bruin-bridge/app.js': `console.log("bruin laptop ${Date.now()}");\n` });
    ws.env = { ...ws.env, IMAGEWISE_REGISTRY: '' };
    try {
      const { stdout } = ws.run('run', 'bruin-bridge:docker:build', '--outputStyle=stream');
      expect(stdout.match(/no registry configured/g), stdout).toHaveLength(1);
      expect(metadata('bruin-bridge')).toMatchObject({ image: 'bruin-bridge', reused: false });
      expect(metadata('bruin-bridge').digest).toBeUndefined();
    } finally {
      ws.env = { ...ws.env, IMAGEWISE_REGISTRY: registry };
    }
    ws.run('run', 'bruin-bridge:docker:push');
    const pushed = metadata('bruin-bridge');
    expect(pushed.image).toBe(`${registry}/bruin-bridge`);
    const repository = `${registry.slice(env.IMAGEWISE_REGISTRY.length + 1)}/bruin-bridge`;
    const head = await fetch(`http://${env.IMAGEWISE_REGISTRY}/v2/${repository}/manifests/c-${pushed.contentIdentity}`, {
      method: 'HEAD',
      headers: { Accept: MANIFEST_TYPES },
    });
    expect(head.headers.get('docker-content-digest')).toBe(pushed.digest);
  });

  it('on a fresh engine with an empty data-root, builds and pulls nothing: it only retags', async () => {
    const name = `fresh-${Date.now().toString(36)}`;
    const started = await runEngine(['start-engine', name, '--fresh']);
    expect(started.code, started.stderr).toBe(0);
    const freshHost = parseExports(started.stdout).DOCKER_HOST;
    try {
      ws.env = { ...ws.env, DOCKER_HOST: freshHost };
      const { stdout } = build();
      expect(rebuilt()).toEqual([]);
      expect(stdout).toMatch(/reused, nothing built or pulled/);
      const fresh = new Docker({ socketPath: freshHost.slice('unix://'.length) });
      expect(await fresh.listImages()).toEqual([]);
    } finally {
      ws.env = { ...ws.env, DOCKER_HOST: env.DOCKER_HOST };
      await runEngine(['stop-engine', name, '--purge']);
    }
  });

  it('rebuilds an image whose content tag was deleted from the registry', async () => {
    const notifier = metadata('notifier');
    const repository = `${registry.slice(env.IMAGEWISE_REGISTRY.length + 1)}/notifier`;
    const deleted = await fetch(`http://${env.IMAGEWISE_REGISTRY}/v2/${repository}/manifests/${notifier.digest}`, {
      method: 'DELETE',
      headers: { Accept: MANIFEST_TYPES },
    });
    expect(deleted.status).toBe(202);
    build();
    expect(rebuilt()).toEqual(['notifier']);
  });

  it('rebuilds an image whose content tag names a layer the registry lost, and leaves it pullable', async () => {
    const bruin = metadata('bruin-bridge');
    const repository = `${registry.slice(env.IMAGEWISE_REGISTRY.length + 1)}/bruin-bridge`;
    const api = `http://${env.IMAGEWISE_REGISTRY}/v2/${repository}`;
    const layersOf = async (digest: string) =>
      ((await (await fetch(`${api}/manifests/${digest}`, { headers: { Accept: MANIFEST_TYPES } })).json()) as { layers: Array<{ digest: string }> }).layers.map(
        (l) => l.digest,
      );
    const lost = (await layersOf(bruin.digest!)).pop()!;
    expect((await fetch(`${api}/blobs/${lost}`, { method: 'DELETE' })).status).toBe(202);

    const { stdout } = build();
    expect(stdout).toContain(`cannot be pulled: blob ${lost} is gone; building it again`);
    expect(rebuilt()).toEqual(['bruin-bridge']);
    const rebuiltImage = metadata('bruin-bridge');
    expect(rebuiltImage.contentIdentity).toBe(bruin.contentIdentity);
    for (const layer of await layersOf(`c-${rebuiltImage.contentIdentity}`)) {
      expect((await fetch(`${api}/blobs/${layer}`, { method: 'HEAD' })).status, layer).toBe(200);
    }
  });

  it('keeps a token in the origin URL out of the image, its metadata and the output', async () => {
    const secret = 'glcbt-PLANTED-SECRET-7f3a';
    ws.git('remote', 'add', 'origin', `https://gitlab-ci-token:${secret}@gitlab.example.com/acme/app.git`);
    try {
      ws.write({ 'services/bruin-bridge/app.js': 'console.log("bruin with a remote");\n' });
      const { stdout, stderr } = build();
      expect(rebuilt()).toEqual(['bruin-bridge']);
      const built = metadata('bruin-bridge');
      const docker = new Docker({ socketPath: env.DOCKER_HOST.slice('unix://'.length) });
      const image = docker.getImage(`${registry}/bruin-bridge:c-${built.contentIdentity}`);
      const inspected = await image.inspect();
      expect(inspected.Config.Labels['org.opencontainers.image.source']).toBe('https://gitlab.example.com/acme/app.git');
      const seen = [stdout, stderr, JSON.stringify(built), JSON.stringify(inspected), JSON.stringify(await image.history())].join('\n');
      expect(seen).not.toContain(secret);
    } finally {
      ws.git('remote', 'remove', 'origin');
    }
  });

  it('fails on a failing step, shows it with its last lines, and leaves no tag behind', async () => {
    ws.write({
      'services/broken/Dockerfile': 'FROM node-base\nRUN echo "about to fail" && echo "disk full" >&2 && exit 3\n',
      'services/broken/project.json': json({ name: 'broken' }),
    });
    let output = '';
    try {
      ws.run('run', 'broken:docker:build', '--outputStyle=stream');
    } catch (error) {
      output = (error as Error).message;
    }
    expect(output).toMatch(/RUN echo "about to fail".* failed: .*exit code: 3/);
    expect(output).toMatch(/\| disk full/);
    const tags = await fetch(`http://${env.IMAGEWISE_REGISTRY}/v2/${registry.slice(env.IMAGEWISE_REGISTRY.length + 1)}/broken/tags/list`);
    expect(tags.status).toBe(404);
    ws.git('clean', '-q', '-fdx', 'services/broken');
  });

  it('says what to do when the daemon is unreachable', () => {
    ws.write({ 'services/notifier/app.js': 'console.log("changed");\n' });
    ws.env = { ...ws.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
    try {
      // The address, where it came from, and what to check, on one line.
      expect(() => build()).toThrow(
        /cannot reach the Docker daemon at unix:\/\/\/nonexistent\/docker\.sock \(DOCKER_HOST\) \(.*\): check that the daemon runs and \/nonexistent\/docker\.sock is its socket \(DOCKER_HOST\)/,
      );
    } finally {
      ws.env = { ...ws.env, DOCKER_HOST: env.DOCKER_HOST };
    }
  });
});
