// maxAge against the real engine and registry: an image is aged by rewriting
// its config's `created` in the registry (no fake clock), and docker:build
// rebuilds it, on fresh layers, with every image built on it.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExports, startSharedEngine } from '../../../tools/engine/test/engine-cli';
import type { ImageMetadata } from '../src/build/image-metadata';
import { MANIFEST_TYPES } from '../src/registry/registry-http';
import { Workspace, sharedTemplate } from './workspace';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const DAY = 86_400_000;
const IMAGES = ['node-base', 'svc-a', 'svc-b'];
const ENGINE_ENV = '/var/lib/imagewise-engine/env';

/** The shared engine's environment: the file tools/engine writes, else started (or reused) through it. */
async function sharedEngine(): Promise<Record<string, string>> {
  if (existsSync(ENGINE_ENV)) return parseExports(readFileSync(ENGINE_ENV, 'utf8'));
  return startSharedEngine();
}

describe('docker:build with maxAge, on a real engine and registry', () => {
  let template: string;
  let ws: Workspace;
  let env: Record<string, string>;
  let registry: string;
  let namespace: string;
  /** svc-a as the stale rebuild left it. */
  let svcA: ImageMetadata;

  const build = () => ws.run('run-many', '-t', 'docker:build', '--outputStyle=stream');
  const metadata = (project: string): ImageMetadata => JSON.parse(readFileSync(join(ws.root, 'dist/images', project, 'metadata.json'), 'utf8'));
  const rebuilt = () => IMAGES.filter((p) => !metadata(p).reused).sort();
  const api = (project: string) => `http://${env.IMAGEWISE_REGISTRY}/v2/${namespace}/${project}`;
  const contentTag = (project: string) => `c-${metadata(project).contentIdentity}`;

  /** The manifest and config the registry holds under a tag (a single image, as docker push makes it). */
  async function registryImage(project: string, tag = contentTag(project)) {
    const response = await fetch(`${api(project)}/manifests/${tag}`, { headers: { Accept: MANIFEST_TYPES } });
    expect(response.status, `${project}:${tag}`).toBe(200);
    const manifest = (await response.json()) as { mediaType?: string; config: { digest: string; size: number }; layers: Array<{ digest: string }> };
    const config = (await (await fetch(`${api(project)}/blobs/${manifest.config.digest}`)).json()) as {
      created: string;
      config: { Labels: Record<string, string> };
    };
    return { manifest, mediaType: response.headers.get('content-type')!, digest: response.headers.get('docker-content-digest')!, config };
  }

  /**
   * Ages the image under its content tag: its config's `created` set `days`
   * back, the new config uploaded, the manifest PUT under the same tag with the
   * new config's digest and size. Returns the aged manifest's digest.
   */
  async function age(project: string, days: number): Promise<string> {
    const { manifest, mediaType, config } = await registryImage(project);
    const bytes = Buffer.from(JSON.stringify({ ...config, created: new Date(Date.now() - days * DAY).toISOString() }));
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const started = await fetch(`${api(project)}/blobs/uploads/`, { method: 'POST' });
    expect(started.status).toBe(202);
    const location = new URL(started.headers.get('location')!, `http://${env.IMAGEWISE_REGISTRY}`);
    location.searchParams.set('digest', digest);
    const uploaded = await fetch(location, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: bytes });
    expect(uploaded.status).toBe(201);
    const body = JSON.stringify({ ...manifest, config: { ...manifest.config, digest, size: bytes.length } });
    const put = await fetch(`${api(project)}/manifests/${contentTag(project)}`, { method: 'PUT', headers: { 'Content-Type': mediaType }, body });
    expect(put.status).toBe(201);
    return put.headers.get('docker-content-digest')!;
  }

  beforeAll(async () => {
    env = await sharedEngine();
    namespace = `e2e-max-age-${Date.now().toString(36)}`;
    registry = `${env.IMAGEWISE_REGISTRY}/${namespace}`;
    template = sharedTemplate();
    ws = new Workspace(template, {
      'package.json': json({ name: 'max-age', private: true, workspaces: ['images/*', 'services/*'] }),
      'nx.json': json({
        namedInputs: { default: ['{projectRoot}/**/*'], dockerImage: ['default'] },
        plugins: [{ plugin: '@imagewise/nx-plugin', options: { maxAge: '30d' } }],
      }),
      'images/node-base/package.json': json({ name: 'node-base', version: '1.0.0', private: true }),
      // A RUN step, as a package upgrade would be: a stale rebuild must run it again, not take it from cache.
      'images/node-base/Dockerfile': 'FROM node:18-bookworm-slim\nRUN date +%s%N > /built-at\n',
      'services/svc-a/Dockerfile': 'FROM node-base\nCOPY app.js /app.js\n',
      'services/svc-a/app.js': 'console.log("a");\n',
      'services/svc-b/Dockerfile': 'FROM node-base:latest\nRUN cat /built-at > /base-built-at\n',
      // A longer maxAge on one project, over the plugin's.
      'services/svc-b/project.json': json({ name: 'svc-b', targets: { 'docker:build': { options: { maxAge: '8w' } } } }),
    });
    ws.env = { ...env, IMAGEWISE_REGISTRY: registry };
    ws.run('run-many', '-t', 'docker:lock');
  });
  afterAll(() => {
    ws?.dispose();
  });

  it('builds everything the first time and reuses everything when nothing is older than maxAge', () => {
    build();
    expect(rebuilt()).toEqual(IMAGES);
    build();
    expect(rebuilt()).toEqual([]);
  });

  it('rebuilds an aged base with no layer cache, and both services on its new digest; the content tags move', async () => {
    const before = Object.fromEntries(IMAGES.map((p) => [p, metadata(p)]));
    const original = await registryImage('node-base');
    const runLayerBefore = original.manifest.layers.at(-1)!.digest;
    const aged = await age('node-base', 60);

    const { stdout } = build();
    expect(rebuilt()).toEqual(IMAGES);
    expect(stdout).toMatch(/node-base:c-[0-9a-f]+ \(sha256:[0-9a-f]+\) is stale: created .* \(60 days ago\), older than maxAge 30d/);
    expect(stdout).toMatch(/svc-a:c-[0-9a-f]+ \(sha256:[0-9a-f]+\) is stale: built on another digest of node-base/);

    const base = metadata('node-base');
    // Same inputs, same content identity and tag; a new image under it.
    expect(base.contentIdentity).toBe(before['node-base'].contentIdentity);
    expect(base.replaced).toEqual({ digest: aged, kind: 'too-old' });
    expect(base.digest).not.toBe(aged);
    expect(base.digest).not.toBe(before['node-base'].digest);
    const fresh = await registryImage('node-base');
    expect(fresh.digest).toBe(base.digest);
    // Built anew, after the first build (compared with the image's own dates, not this machine's clock); that it is
    // not itself stale is what the next test's full reuse shows.
    expect(Date.parse(fresh.config.created)).toBeGreaterThan(Date.parse(original.config.created));
    // The RUN step ran again: its layer is new, not the cached one.
    expect(fresh.manifest.layers.at(-1)!.digest).not.toBe(runLayerBefore);
    const latest = await fetch(`${api('node-base')}/manifests/latest`, { method: 'HEAD', headers: { Accept: MANIFEST_TYPES } });
    expect(latest.headers.get('docker-content-digest')).toBe(base.digest);

    for (const service of ['svc-a', 'svc-b']) {
      const now = metadata(service);
      expect(now.contentIdentity, service).toBe(before[service].contentIdentity);
      expect(now.replaced, service).toEqual({ digest: before[service].digest, kind: 'base-moved' });
      expect(Object.values(now.baseImages), service).toContain(`${registry}/node-base@${base.digest}`);
      const labels = (await registryImage(service)).config.config.Labels;
      expect(Object.values(JSON.parse(labels['dev.imagewise.base-images'])), service).toContain(`${registry}/node-base@${base.digest}`);
    }
    svcA = metadata('svc-a');
  });

  it('then reuses everything again', () => {
    build();
    expect(rebuilt()).toEqual([]);
  });

  it('docker:explain says what made an image and whether it is stale, from the registry alone', () => {
    const explain = (ref: string) => ws.run('run', 'svc-a:docker:explain', `--ref=${ref}`, '--outputStyle=stream').stdout;
    const base = metadata('node-base');
    const sha = ws.git('rev-parse', 'HEAD').trim();
    // The build output is not what it reads: take metadata.json away.
    rmSync(join(ws.root, 'dist/images'), { recursive: true, force: true });

    const fresh = explain(`c-${svcA.contentIdentity}`);
    expect(fresh).toContain(`${registry}/svc-a@${svcA.digest}`);
    expect(fresh).toMatch(new RegExp(`commit: +${sha}`));
    expect(fresh).toMatch(/dockerfile: +services\/svc-a\/Dockerfile/);
    expect(fresh).toContain(`node-base → ${registry}/node-base@${base.digest} (created `);
    expect(fresh).toMatch(/stale: +no, under maxAge 30d/);

    // The image the stale rebuild replaced, by digest: built on the base digest that has moved since.
    const old = explain(svcA.replaced!.digest);
    expect(old).toContain(`rebuilt since: c-${base.contentIdentity} is now ${base.digest}`);
    expect(old).toMatch(/stale: +yes, under maxAge 30d: built on another digest of node-base/);
    build();
  });

  it('rebuilds an aged service alone, not its base or its sibling', async () => {
    const base = metadata('node-base').digest;
    const aged = await age('svc-a', 45);
    build();
    expect(rebuilt()).toEqual(['svc-a']);
    expect(metadata('svc-a').replaced).toEqual({ digest: aged, kind: 'too-old' });
    expect(metadata('node-base').digest).toBe(base);
  });

  it("leaves an aged image alone under a project's longer maxAge, and without maxAge", async () => {
    await age('svc-b', 45);
    build();
    expect(rebuilt()).toEqual([]);
    ws.write({ 'nx.json': json({ namedInputs: { default: ['{projectRoot}/**/*'], dockerImage: ['default'] }, plugins: ['@imagewise/nx-plugin'] }) });
    // (svc-b keeps its own maxAge: aging node-base here would move svc-b's base.)
    await age('svc-a', 90);
    build();
    expect(rebuilt()).toEqual([]);
  });
});
