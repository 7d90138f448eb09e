// Repository layouts beyond one `Dockerfile` per directory: `Dockerfile.*`,
// `*.Dockerfile`, several images in one project (one built FROM another through
// an ARG), an image's own `<Dockerfile>.dockerignore`, directories that share a
// name (one per architecture, as many repositories have). Exact affected projects
// per Dockerfile change, and every image built in order on the real engine and registry.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSharedEngine } from '../../../tools/engine/test/engine-cli';
import type { ImageMetadata } from '../src/build/image-metadata';
import { MANIFEST_TYPES } from '../src/registry/registry-http';
import { Workspace, sharedTemplate } from './workspace';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

const FILES: Record<string, string> = {
  'package.json': json({ name: 'layouts', private: true }),
  // No `dockerfiles` option: the default takes every Dockerfile.
  'nx.json': json({ namedInputs: { default: ['{projectRoot}/**/*'], dockerImage: ['default'] }, plugins: ['@imagewise/nx-plugin'] }),
  'services/api/Dockerfile': 'FROM scratch\nCOPY api.txt /api.txt\n',
  'services/api/api.txt': 'api\n',
  'services/api/Dockerfile.worker': 'ARG BASE=api\nFROM ${BASE}\nCOPY worker.txt /worker.txt\n',
  'services/api/worker.txt': 'worker\n',
  // Each image's own ignore rule: the worker's file wins over .dockerignore, as in BuildKit
  // (the worker copies worker.txt, which .dockerignore leaves out of the primary image).
  'services/api/.dockerignore': 'worker.txt\n',
  'services/api/Dockerfile.worker.dockerignore': 'api.txt\n',
  'services/web/Dockerfile': 'FROM api-worker\nCOPY web.txt /web.txt\n',
  'services/web/web.txt': 'web\n',
  'tools/jobs/report.Dockerfile': 'FROM scratch\nCOPY report.txt /report.txt\n',
  'tools/jobs/report.txt': 'report\n',
  // Two directories named amd64: their projects and images take the path segments that tell them apart.
  'images/x/amd64/Dockerfile': 'FROM scratch\nCOPY x.txt /x.txt\n',
  'images/x/amd64/x.txt': 'x\n',
  'images/y/amd64/Dockerfile': 'FROM x-amd64\nCOPY y.txt /y.txt\n',
  'images/y/amd64/y.txt': 'y\n',
};

describe('Dockerfile layouts', () => {
  let template: string;
  let ws: Workspace;

  beforeAll(() => {
    template = sharedTemplate();
    ws = new Workspace(template, FILES);
  });
  afterEach(() => ws.reset());
  afterAll(() => {
    ws?.dispose();
  });

  it('a change to each Dockerfile affects exactly its project and the projects built on its image', () => {
    const changed = (file: string) => {
      ws.reset();
      ws.write({ [file]: `${FILES[file]}LABEL changed=yes\n` });
      return ws.affected().filter((project) => project !== 'layouts');
    };
    expect(changed('services/api/Dockerfile')).toEqual(['api', 'web']);
    expect(changed('services/api/Dockerfile.worker')).toEqual(['api', 'web']);
    expect(changed('services/web/Dockerfile')).toEqual(['web']);
    expect(changed('tools/jobs/report.Dockerfile')).toEqual(['jobs']);
    expect(changed('images/x/amd64/Dockerfile')).toEqual(['x-amd64', 'y-amd64']);
    expect(changed('images/y/amd64/Dockerfile')).toEqual(['y-amd64']);
  });

  it('each image of a project takes its own Dockerfile and its own ignore file as inputs', () => {
    const worker = ws.inputs('api:docker:build:worker').files;
    expect(worker).toContain('services/api/Dockerfile.worker');
    expect(worker).toContain('services/api/worker.txt');
    expect(worker).not.toContain('services/api/api.txt');
    const primary = ws.inputs('api:docker:build:primary').files;
    expect(primary).toContain('services/api/api.txt');
    expect(primary).not.toContain('services/api/worker.txt');
  });

  it('docker:build builds every image in order, each on the exact image it builds FROM, and pushes each; affected builds only what a change reaches', async () => {
    const env = await startSharedEngine();
    const registry = `${env.IMAGEWISE_REGISTRY}/e2e-layouts-${Date.now().toString(36)}`;
    ws.env = { ...env, IMAGEWISE_REGISTRY: registry };
    ws.run('run-many', '-t', 'docker:build', '--outputStyle=stream');
    const metadata = (dir: string): ImageMetadata => JSON.parse(readFileSync(join(ws.root, 'dist/images', dir, 'metadata.json'), 'utf8'));
    const api = metadata('api');
    const worker = metadata('api/worker');
    const web = metadata('web');
    const jobs = metadata('jobs');
    const x = metadata('x-amd64');
    const y = metadata('y-amd64');
    expect([api.image, worker.image, web.image, jobs.image, x.image, y.image]).toEqual([
      `${registry}/api`,
      `${registry}/api-worker`,
      `${registry}/web`,
      `${registry}/jobs`,
      `${registry}/x-amd64`,
      `${registry}/y-amd64`,
    ]);
    expect(y.baseImages).toEqual({ 'x-amd64': `${registry}/x-amd64@${x.digest}` });
    expect(worker.baseImages).toEqual({ '${BASE}': `${registry}/api@${api.digest}` });
    expect(web.baseImages).toEqual({ 'api-worker': `${registry}/api-worker@${worker.digest}` });
    for (const built of [api, worker, web, jobs, x, y]) {
      const repository = built.image.slice(env.IMAGEWISE_REGISTRY.length + 1);
      const head = await fetch(`http://${env.IMAGEWISE_REGISTRY}/v2/${repository}/manifests/c-${built.contentIdentity}`, {
        method: 'HEAD',
        headers: { Accept: MANIFEST_TYPES },
      });
      expect(head.headers.get('docker-content-digest'), built.image).toBe(built.digest);
    }
    // One image by its own target: Nx reads `api:docker:build:worker` as that target, and the registry has it already.
    ws.run('run', 'api:docker:build:worker', '--outputStyle=stream');
    expect(metadata('api/worker')).toMatchObject({ digest: worker.digest, reused: true });

    // docker:explain of the worker by its key: its own repository, the digest its build left, its own Dockerfile.
    const explained = ws.run('run', 'api:docker:explain', '--image=worker', `--ref=c-${worker.contentIdentity}`, '--outputStyle=stream').stdout;
    expect(explained).toContain(`${registry}/api-worker@${worker.digest}`);
    expect(explained).toMatch(/dockerfile: +services\/api\/Dockerfile\.worker/);

    // A change that reaches the worker alone: affected builds it and what is built on it; the primary image is reused.
    ws.write({ 'services/api/worker.txt': 'worker v2\n' });
    ws.run('affected', '-t', 'docker:build', '--base=HEAD', '--outputStyle=stream');
    const rebuilt = metadata('api/worker');
    expect([metadata('api').reused, rebuilt.reused, metadata('web').reused, metadata('jobs'), metadata('y-amd64')]).toEqual([true, false, false, jobs, y]);
    expect(rebuilt.digest).not.toBe(worker.digest);
    expect(metadata('web').baseImages).toEqual({ 'api-worker': `${registry}/api-worker@${rebuilt.digest}` });
  });
});
