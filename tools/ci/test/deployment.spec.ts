import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deploymentManifest, writeManifest } from '../lib/deployment.mjs';

const run = { commit: 'c'.repeat(40), branch: 'main', pipeline: '123', createdAt: '2025-01-01T00:00:00.000Z' };
const digest = (n: number) => `sha256:${String(n).repeat(64)}`;
const metadata = (image: string, n: number) => ({ image, digest: digest(n), tags: ['c-1', 'latest'], contentIdentity: '1', reused: n === 2 });

describe('deploymentManifest', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('lists each image by digest, sorted by project', () => {
    const manifest = deploymentManifest(run, [
      { project: 'notifier', metadata: metadata('reg/notifier', 1) },
      { project: 'node-base', metadata: metadata('reg/node-base', 2) },
    ]);
    expect(manifest).toEqual({
      ...run,
      images: [
        { project: 'node-base', image: 'reg/node-base', digest: digest(2), reference: `reg/node-base@${digest(2)}`, tags: ['c-1', 'latest'], reused: true },
        { project: 'notifier', image: 'reg/notifier', digest: digest(1), reference: `reg/notifier@${digest(1)}`, tags: ['c-1', 'latest'], reused: false },
      ],
    });
  });

  it('names every project without a pushed build, and what to do', () => {
    const { digest: _, ...local } = metadata('notifier', 1);
    expect(() =>
      deploymentManifest(run, [
        { project: 'node-base', metadata: undefined },
        { project: 'notifier', metadata: local },
      ]),
    ).toThrow(
      'cannot write the deployment manifest:\n' +
        '  node-base: no dist/images/node-base/metadata.json; run the build-images stage first and pass dist/images/ on to this job\n' +
        '  notifier: notifier was built but not pushed (no registry); set IMAGEWISE_REGISTRY',
    );
  });

  it('writes the manifest whole, leaving no temporary file', () => {
    dir = mkdtempSync(join(tmpdir(), 'ci-deploy-'));
    const path = writeManifest(dir, deploymentManifest(run, []));
    expect(path).toBe(join(dir, 'dist/deploy/manifest.json'));
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ ...run, images: [] });
    expect(readdirSync(join(dir, 'dist/deploy'))).toEqual(['manifest.json']);
  });
});
