import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deployedDigests } from './deployment-manifests';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'imagewise-deploy-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const ciManifest = JSON.stringify({ commit: 'abc', images: [{ project: 'api', image: 'r.example.com/api', digest: A, reference: `r.example.com/api@${A}` }] });

describe('deployedDigests', () => {
  it('reads dist/deploy/manifest.json by default when it exists', async () => {
    const { digests, read } = await deployedDigests(undefined, workspace({ 'dist/deploy/manifest.json': ciManifest }));
    expect(read).toEqual(['dist/deploy/manifest.json']);
    expect([...digests]).toEqual([[A, 'dist/deploy/manifest.json']]);
  });

  it('reads nothing by default when there is no such file', async () => {
    expect(await deployedDigests(undefined, workspace({}))).toEqual({ digests: new Map(), read: [] });
  });

  it('takes every digest in listed files and URLs, whatever their format', async () => {
    const root = workspace({ 'deploy/values.yaml': `image:\n  digest: "${B.toUpperCase().replace('SHA256', 'sha256')}"\n` });
    const { digests } = await deployedDigests(['deploy/values.yaml', 'https://deploy.example.com/prod.json'], root, async () => ciManifest);
    expect(Object.fromEntries(digests)).toEqual({ [B]: 'deploy/values.yaml', [A]: 'https://deploy.example.com/prod.json' });
  });

  it('stops when a listed manifest cannot be read', async () => {
    await expect(deployedDigests(['dist/deploy/manifest.json'], workspace({}))).rejects.toThrow(
      /cannot read the deployment manifest dist\/deploy\/manifest.json \(.*ENOENT.*\); prune protects every digest it names, so nothing was pruned/,
    );
    await expect(
      deployedDigests(['https://deploy.example.com/prod.json'], workspace({}), async () => {
        throw new Error('it answered 404 Not Found');
      }),
    ).rejects.toThrow(/https:\/\/deploy.example.com\/prod.json \(it answered 404 Not Found\)/);
  });
});
