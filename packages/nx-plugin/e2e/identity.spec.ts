// Content identity and a graph that is never stale, on the real engine,
// registry and Nx runs: edits that reach no image rebuild nothing; a context
// change rebuilds exactly what is built on it; config-only edits move edges
// at once, with the Nx daemon off and on, and no `nx reset`.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSharedEngine } from '../../../tools/engine/test/engine-cli';
import type { ImageMetadata } from '../src/build/image-metadata';
import { Workspace, sharedTemplate } from './workspace';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const IMAGES = ['alt-base', 'api', 'base', 'web', 'worker'];

describe('content identity and a graph that is never stale', () => {
  let template: string;
  let ws: Workspace;

  const build = () => ws.run('run-many', '-t', 'docker:build', '--outputStyle=stream');
  const metadata = (project: string): ImageMetadata => JSON.parse(readFileSync(join(ws.root, 'dist/images', project, 'metadata.json'), 'utf8'));
  const rebuilt = (images = IMAGES) => images.filter((p) => !metadata(p).reused);
  const digests = (images = IMAGES) => Object.fromEntries(images.map((p) => [p, metadata(p).digest]));
  /** What a change to each of these files would affect, with the graph as it is now. */
  const affectedBy = (file: string) => {
    ws.write({ [file]: `${readFileSync(join(ws.root, file), 'utf8')}changed\n` });
    try {
      return ws.affected();
    } finally {
      ws.git('checkout', '-q', '--', file);
    }
  };
  const exactBase = (project: string) => `${metadata(project).image}@${metadata(project).digest}`;

  beforeAll(async () => {
    const env = await startSharedEngine();
    template = sharedTemplate();
    const templatePackage = JSON.parse(readFileSync(join(template, 'package.json'), 'utf8'));
    ws = new Workspace(template, {
      // The template's real lock file: npm packages with integrity hashes that no image installs.
      'package.json': json({ ...templatePackage, name: 'identity', workspaces: ['images/*', 'services/*', 'packages/*'] }),
      'package-lock.json': readFileSync(join(template, 'package-lock.json'), 'utf8'),
      'nx.json': json({ namedInputs: { default: ['{projectRoot}/**/*'], dockerImage: ['default'] }, plugins: ['@imagewise/nx-plugin'] }),
      'images/base/package.json': json({ name: 'base', version: '1.0.0', private: true }),
      'images/base/Dockerfile': 'FROM debian:bookworm-slim\nCOPY base.txt /base.txt\n',
      'images/base/base.txt': 'base v1\n',
      'images/alt-base/package.json': json({ name: 'alt-base', version: '1.0.0', private: true }),
      'images/alt-base/Dockerfile': 'FROM debian:bookworm-slim\nCOPY alt.txt /alt.txt\n',
      'images/alt-base/alt.txt': 'alt v1\n',
      // Its base comes from a build arg: project.json can move it to another base.
      'services/api/project.json': json({ name: 'api' }),
      'services/api/Dockerfile': 'ARG BASE=base\nFROM ${BASE}\nCOPY app.txt /app.txt\n',
      'services/api/app.txt': 'api v1\n',
      // Tracks base while base's version is 1.0.0; pins that release once base moves on.
      'services/web/project.json': json({ name: 'web' }),
      'services/web/Dockerfile': 'FROM base:1.0.0\nCOPY web.txt /web.txt\n',
      'services/web/web.txt': 'web v1\n',
      'services/worker/project.json': json({ name: 'worker' }),
      'services/worker/Dockerfile': 'FROM debian:bookworm-slim\nCOPY . /worker\n',
      'services/worker/.dockerignore': 'notes.md\n',
      'services/worker/notes.md': 'maintainers only\n',
      'services/worker/run.sh': '#!/bin/sh\necho worker\n',
    });
    ws.env = { ...env, IMAGEWISE_REGISTRY: `${env.IMAGEWISE_REGISTRY}/identity-${Date.now().toString(36)}` };
    ws.run('run-many', '-t', 'docker:lock');
    ws.commit('locks');
  });
  afterAll(() => {
    if (ws?.daemon) ws.stopDaemon();
    ws?.dispose();
  });

  it("declares only what reaches the image as Nx inputs: no npm package, the upstream images' nodes", () => {
    const { files, external } = ws.inputs('api:docker:build');
    expect(external).toEqual(['docker:docker.io/library/debian:bookworm-slim']);
    expect(files).toEqual(expect.arrayContaining(['images/base/Dockerfile', 'images/base/base.txt', 'services/api/Dockerfile', 'services/api/app.txt']));
    expect(files.filter((file) => file.startsWith('images/alt-base/') || file.startsWith('services/web/') || file === 'package-lock.json')).toEqual([]);
    expect(ws.inputs('worker:docker:build').files).not.toContain('services/worker/notes.md');
  });

  it('builds every image once, cold', () => {
    build();
    expect(rebuilt()).toEqual(IMAGES);
  });

  it.each([
    ['a comment in .gitignore', () => ws.write({ '.gitignore': `${readFileSync(join(ws.root, '.gitignore'), 'utf8')}# build outputs\n` })],
    [
      'an unrelated nx.json entry',
      () => ws.write({ 'nx.json': json({ ...JSON.parse(readFileSync(join(ws.root, 'nx.json'), 'utf8')), targetDefaults: { lint: { cache: true } } }) }),
    ],
    [
      'a new unrelated project',
      () => ws.write({ 'packages/util/package.json': json({ name: 'util', version: '0.1.0' }), 'packages/util/index.js': 'module.exports = 1;\n' }),
    ],
    ['another integrity of a dev dependency in package-lock.json', () => changeLockedIntegrity(ws)],
    ['an edit to a file .dockerignore excludes', () => ws.write({ 'services/worker/notes.md': 'maintainers only, edited\n' })],
  ])('rebuilds nothing after %s: every image reused, same digests', (_what, edit) => {
    const before = digests();
    edit();
    build();
    expect(rebuilt()).toEqual([]);
    expect(digests()).toEqual(before);
    ws.commit(_what);
  });

  it('rebuilds exactly the image whose context changed, with a new content tag', () => {
    const before = metadata('worker').contentIdentity;
    ws.write({ 'services/worker/run.sh': '#!/bin/sh\necho worker v2\n' });
    build();
    expect(rebuilt()).toEqual(['worker']);
    expect(metadata('worker').contentIdentity).not.toBe(before);
    ws.commit('worker v2');
  });

  it('rebuilds a base and exactly the images built on it', () => {
    const before = Object.fromEntries(IMAGES.map((p) => [p, metadata(p).contentIdentity]));
    ws.write({ 'images/base/base.txt': 'base v2\n' });
    build();
    expect(rebuilt()).toEqual(['api', 'base', 'web']);
    for (const image of ['api', 'base', 'web']) expect(metadata(image).contentIdentity, image).not.toBe(before[image]);
    ws.commit('base v2');
  });

  describe.each([
    ['with the Nx daemon off', false],
    ['with the Nx daemon on', true],
  ])('config-only edits, no nx reset in between, %s', (_mode, daemon) => {
    beforeAll(() => {
      ws.daemon = daemon;
    });
    afterAll(() => {
      if (daemon) ws.stopDaemon();
    });

    it('buildArgs in project.json move a service to another base, and back', () => {
      const onBase = metadata('api').contentIdentity;
      expect(affectedBy('images/alt-base/alt.txt')).toEqual(['alt-base']);
      ws.write({ 'services/api/project.json': json({ name: 'api', targets: { 'docker:build': { options: { buildArgs: { BASE: 'alt-base' } } } } }) });
      expect(ws.affected()).toEqual(['api']);
      build();
      expect(metadata('api').contentIdentity).not.toBe(onBase);
      expect(metadata('api').baseImages).toEqual({ '${BASE}': exactBase('alt-base') });
      ws.commit('api on alt-base');
      expect(affectedBy('images/alt-base/alt.txt')).toEqual(['alt-base', 'api']);
      expect(affectedBy('images/base/base.txt')).toEqual(['base', 'web']);

      ws.write({ 'services/api/project.json': json({ name: 'api' }) });
      expect(ws.affected()).toEqual(['api']);
      build();
      expect(metadata('api').contentIdentity).toBe(onBase);
      expect(metadata('api').baseImages).toEqual({ '${BASE}': exactBase('base') });
      ws.commit('api back on base');
      expect(affectedBy('images/alt-base/alt.txt')).toEqual(['alt-base']);
      expect(affectedBy('images/base/base.txt')).toEqual(['api', 'base', 'web']);
    });

    it("a base's version flips a FROM between tracking and pinned, and back", () => {
      const tracking = metadata('web').contentIdentity;
      ws.write({ 'images/base/package.json': json({ name: 'base', version: '1.1.0', private: true }) });
      // web now names release 1.0.0 of base: no edge, so the change does not reach it.
      expect(ws.affected()).toEqual(['api', 'base']);
      build();
      expect(metadata('web').baseImages['base:1.0.0']).toMatch(/\/base@sha256:[0-9a-f]{64}$/);
      expect(metadata('web').baseImages['base:1.0.0']).not.toBe(exactBase('base'));
      ws.commit('base 1.1.0');
      expect(affectedBy('images/base/base.txt')).toEqual(['api', 'base']);

      ws.write({ 'images/base/package.json': json({ name: 'base', version: '1.0.0', private: true }) });
      expect(ws.affected()).toEqual(['api', 'base', 'web']);
      build();
      expect(metadata('web').baseImages).toEqual({ 'base:1.0.0': exactBase('base') });
      expect(metadata('web').contentIdentity).toBe(tracking);
      ws.commit('base 1.0.0 again');
      expect(affectedBy('images/base/base.txt')).toEqual(['api', 'base', 'web']);
    });

    it('renaming an image builds it under its new name', () => {
      const name = daemon ? 'worker-daemon' : 'worker-renamed';
      ws.write({ 'services/worker/project.json': json({ name: 'worker', targets: { 'docker:build': { options: { imageName: name } } } }) });
      expect(ws.affected()).toEqual(['worker']);
      build();
      expect(rebuilt()).toEqual(['worker']);
      expect(metadata('worker').image).toMatch(new RegExp(`/${name}$`));
      ws.commit(`worker as ${name}`);
    });

    it('adding and deleting an image project moves its edges at once', () => {
      ws.write({
        'services/extra/project.json': json({ name: 'extra' }),
        'services/extra/Dockerfile': 'FROM base\nCOPY extra.txt /extra.txt\n',
        'services/extra/extra.txt': 'extra\n',
      });
      expect(ws.affected()).toEqual(['extra']);
      build();
      expect(metadata('extra').baseImages).toEqual({ base: exactBase('base') });
      ws.commit('extra');
      expect(affectedBy('images/base/base.txt')).toEqual(['api', 'base', 'extra', 'web']);

      ws.git('rm', '-q', '-r', 'services/extra');
      rmSync(join(ws.root, 'dist/images/extra'), { recursive: true, force: true });
      ws.commit('no extra');
      expect(affectedBy('images/base/base.txt')).toEqual(['api', 'base', 'web']);
      build();
      expect(rebuilt()).toEqual([]);
    });
  });
});

/** Another integrity for one dev dependency in package-lock.json: what a dependency bot's routine bump looks like to Nx. */
function changeLockedIntegrity(ws: Workspace): void {
  const path = join(ws.root, 'package-lock.json');
  const lock = JSON.parse(readFileSync(path, 'utf8')) as { packages: Record<string, { integrity?: string; dev?: boolean }> };
  const [name, entry] = Object.entries(lock.packages).find(([key, value]) => key.startsWith('node_modules/') && value.integrity)!;
  lock.packages[name] = { ...entry, integrity: `sha512-${Buffer.alloc(64, 7).toString('base64')}` };
  ws.write({ 'package-lock.json': json(lock) });
}
