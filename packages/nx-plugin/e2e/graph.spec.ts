// nx show projects --affected and task inputs, in a real workspace with the
// packed plugin: a change reaches exactly the images built on it.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE, NODE_DIGEST_PATCHED } from './fixture';
import { Workspace, sharedTemplate } from './workspace';

describe('the image graph in a real Nx workspace', () => {
  let template: string;
  let ws: Workspace;

  beforeAll(() => {
    template = sharedTemplate();
    ws = new Workspace(template, FIXTURE);
  });
  afterEach(() => ws.reset());
  afterAll(() => {
    ws.dispose();
  });

  it('a base image change affects exactly the images that track it, transitively through COPY --from and ARG-built FROMs', () => {
    ws.write({ 'images/node-base/Dockerfile': `${FIXTURE['images/node-base/Dockerfile']}RUN echo patched\n` });
    expect(ws.affected()).toEqual(['bruin-bridge', 'node-base', 'notifier', 'service-outage-monitor']);
  });

  it('a library change affects the base images bundling it and the services whose range it satisfies', () => {
    ws.write({ 'packages/common/src/index.ts': 'export const VERSION = "1.5.1";\n' });
    expect(ws.affected()).toEqual(['@acme/common', 'bruin-bridge', 'node-base', 'notifier', 'service-outage-monitor']);
  });

  it('a Python library change follows PEP 440 pins: ==1.5.0 and >=1.4,<2 track it, ==1.2.0 does not', () => {
    ws.write({ 'packages/common-py/acme_common/__init__.py': 'VERSION = "1.5.0"  # patched\n' });
    expect(ws.affected()).toEqual(['common-py', 'last-contact-report', 'python-base']);
  });

  it('a refreshed lock affects the image and all built on it, and changes the upstream node it depends on', () => {
    const before = ws.inputs('notifier:docker:build');
    ws.write({
      'images/node-base/imagewise.lock.json': `${JSON.stringify({ upstream: { 'docker.io/library/node:18-bookworm-slim': NODE_DIGEST_PATCHED } })}\n`,
    });
    expect(ws.affected()).toEqual(['bruin-bridge', 'node-base', 'notifier', 'service-outage-monitor']);
    expect(before.external).toContain('docker:docker.io/library/node:18-bookworm-slim');
    expect(before.files).toContain('images/node-base/imagewise.lock.json');
  });

  it('a file .dockerignore excludes is no input of any image build', () => {
    for (const task of ['node-base:docker:build', 'notifier:docker:build', 'bruin-bridge:docker:build']) {
      const { files } = ws.inputs(task);
      expect(files, task).toContain('images/node-base/Dockerfile');
      expect(files, task).not.toContain('images/node-base/NOTES.md');
    }
  });

  it('a service pinned to an older base release, or to an older library, is not affected by them', () => {
    ws.write({ 'services/t7-bridge/Dockerfile': 'FROM registry.example.com/platform/node-base:1.9.0\nRUN true\n' });
    expect(ws.affected()).toEqual(['t7-bridge']);
    ws.reset();
    ws.write({ 'services/service-affecting-monitor/Dockerfile': 'FROM node:18-bookworm-slim\nRUN true\n' });
    expect(ws.affected()).toEqual(['service-affecting-monitor']);
  });

  it('a stage named like a workspace image is the stage, not the image', () => {
    const { files } = ws.inputs('notifications-bridge:docker:build');
    expect(files.filter((file) => file.startsWith('images/'))).toEqual([]);
  });

  it("a base image's files and the library's shipped files are inputs of a dependent's build, its tests are not", () => {
    const { files, external } = ws.inputs('notifier:docker:build');
    expect(files).toEqual(expect.arrayContaining(['images/node-base/Dockerfile', 'packages/common/src/index.ts', 'services/notifier/Dockerfile']));
    expect(files).not.toContain('packages/common/src/index.spec.ts');
    expect(external).toContain('docker:docker.io/library/node:18-bookworm-slim');
  });

  it('a later command takes unchanged projects from the cache and reads changed ones anew', async () => {
    ws.affected(); // as every command does, fills the caches in Nx's workspace data
    // The plugin's worker writes them after the command's last message, and may still
    // be writing when nx has exited (a busy machine): wait for its temporary files to go.
    const dataDirectory = join(ws.root, '.nx/workspace-data');
    const saving = () => readdirSync(dataDirectory).filter((name) => name.startsWith('imagewise-') && name.endsWith('.tmp'));
    for (let waited = 0; saving().length && waited < 600; waited++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(saving(), 'the previous command is still writing its caches').toEqual([]);
    const caches = readdirSync(dataDirectory).filter((name) => name.startsWith('imagewise-'));
    expect(caches.map((name) => name.replace(/-[0-9a-f]{12}-[0-9a-f]{12}\.json$/, '')).sort()).toEqual([
      'imagewise-library-matches',
      'imagewise-library-uses',
      'imagewise-projects',
    ]);
    // A mark only a read from the cache can show: what the file says of bruin-bridge, whose files stay as they are.
    const projectsCache = join(
      ws.root,
      '.nx/workspace-data',
      caches.find((name) => name.startsWith('imagewise-projects-'))!,
    );
    const cached = JSON.parse(readFileSync(projectsCache, 'utf8')) as { entries: Record<string, { root: string; version?: string }> };
    const bridge = Object.values(cached.entries).find((entry) => entry.root === 'services/bruin-bridge')!;
    bridge.version = '0.0.0-from-the-cache';
    writeFileSync(projectsCache, JSON.stringify(cached));
    // notifier moves from node-base to a release of it plus python-base, and to a library range that excludes 1.5.0.
    ws.write({
      'services/notifier/Dockerfile': 'FROM registry.example.com/platform/node-base:1.9.0 AS old\nFROM python-base\n',
      'services/notifier/package.json': `${JSON.stringify({ name: 'notifier', version: '0.1.0', private: true, dependencies: { '@acme/common': '~1.2.0' } })}\n`,
    });
    ws.nx('graph', '--file=graph.json');
    const graph = JSON.parse(readFileSync(join(ws.root, 'graph.json'), 'utf8')).graph as {
      nodes: Record<string, { data: { metadata: { imagewise?: unknown } } }>;
      dependencies: Record<string, { target: string }[]>;
    };
    const targets = (project: string) => graph.dependencies[project].map((d) => d.target).sort();
    expect(graph.nodes.notifier.data.metadata.imagewise).toEqual({
      imageName: 'notifier',
      dockerfile: 'services/notifier/Dockerfile',
      version: '0.1.0',
      stages: [{ name: 'old', from: 'registry.example.com/platform/node-base:1.9.0' }, { from: 'python-base' }],
      baseImages: ['images/python-base'],
      upstreamImages: [],
      pinnedImages: [{ root: 'images/node-base', pin: '1.9.0', line: 1 }],
    });
    expect(targets('notifier')).toEqual(['python-base']);
    // Unchanged, from the cache (nx graph's file leaves external nodes out).
    expect((graph.nodes['bruin-bridge'].data.metadata.imagewise as { version?: string }).version).toBe('0.0.0-from-the-cache');
    expect(targets('bruin-bridge')).toEqual(['node-base']);
    expect(targets('service-outage-monitor')).toEqual(['node-base']);
  });
});
