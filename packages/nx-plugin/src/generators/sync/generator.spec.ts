import { readJson, updateJson, writeJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import baseImageGenerator from '../base-image/generator';
import serviceGenerator from '../service/generator';
import syncGenerator from './generator';

/** A workspace made by the generators, in sync, then with the library and node-base released anew. */
async function workspace(): Promise<Tree> {
  const tree = createTreeWithEmptyWorkspace({ formatter: 'none' });
  writeJson(tree, 'package.json', { name: 'ws', workspaces: ['packages/*', 'images/*', 'services/*'] });
  writeJson(tree, 'nx.json', { plugins: [{ plugin: '@imagewise/nx-plugin', options: { registry: 'registry.example.com/platform' } }] });
  writeJson(tree, 'packages/common/package.json', { name: '@acme/common', version: '1.5.0' });
  writeJson(tree, 'packages/common-py/project.json', { name: 'common-py', root: 'packages/common-py' });
  tree.write('packages/common-py/pyproject.toml', '[project]\nname = "acme-common"\nversion = "1.5.0"\n');
  const quiet = { skipLock: true, skipInstall: true, skipFormat: true };
  await baseImageGenerator(tree, { name: 'node-base', ...quiet });
  await baseImageGenerator(tree, { name: 'python-base', language: 'python', ...quiet });
  await serviceGenerator(tree, { name: 'notifier', ...quiet });
  await serviceGenerator(tree, { name: 'report', language: 'python', ...quiet });
  await serviceGenerator(tree, { name: 'legacy', ...quiet });
  return tree;
}

function release(tree: Tree, path: string, version: string): void {
  if (path.endsWith('.toml')) tree.write(path, tree.read(path, 'utf-8')!.replace(/version = ".*"/, `version = "${version}"`));
  else updateJson(tree, path, (json) => ({ ...json, version }));
}

describe('sync generator', () => {
  let tree: Tree;
  beforeEach(async () => {
    tree = await workspace();
    vi.spyOn(console, 'info').mockImplementation(() => undefined);
  });

  it('a workspace the generators just made is in sync', async () => {
    expect(await syncGenerator(tree)).toBeUndefined();
    expect(tree.listChanges().filter((change) => change.type === 'UPDATE' && change.path.endsWith('Dockerfile'))).toEqual([]);
  });

  it('after releases: FROM lines, the bundled ARGs and the service ranges follow; a second run changes nothing', async () => {
    release(tree, 'packages/common/package.json', '2.0.0');
    release(tree, 'packages/common-py/pyproject.toml', '2.1.0');
    release(tree, 'images/node-base/package.json', '1.1.0');
    const before = tree.read('services/notifier/package.json', 'utf-8')!;

    const result = await syncGenerator(tree);
    expect(tree.read('images/node-base/Dockerfile', 'utf-8')).toContain('\nARG COMMON_VERSION=2.0.0\n');
    expect(tree.read('images/python-base/Dockerfile', 'utf-8')).toContain('\nARG ACME_COMMON_VERSION=2.1.0\n');
    expect(tree.read('services/notifier/Dockerfile', 'utf-8')).toMatch(/^FROM node-base:1\.1\.0$/m);
    expect(readJson(tree, 'services/notifier/package.json').dependencies).toEqual({ '@acme/common': '^2.0.0' });
    // Only the range moved: the file is otherwise byte for byte the same.
    expect(tree.read('services/notifier/package.json', 'utf-8')).toBe(before.replace('"^1.5.0"', '"^2.0.0"'));
    expect(tree.read('services/report/requirements.txt', 'utf-8')).toBe('acme-common>=2.1,<3\n');
    expect(tree.read('services/report/Dockerfile', 'utf-8')).toMatch(/^FROM python-base:1\.0\.0$/m);

    expect(result!.outOfSyncMessage).toBe("7 files ask for a base image or library version other than the workspace's current one");
    expect(result!.outOfSyncDetails).toEqual(
      expect.arrayContaining([
        "services/notifier/Dockerfile:2: node-base:1.0.0 → node-base:1.1.0, the base image's current version",
        'services/notifier/package.json:11: @acme/common "^1.5.0" → "^2.0.0", which the current version 2.0.0 satisfies',
        'images/node-base/Dockerfile:5: @acme/common "1.5.0" → "2.0.0", which the current version 2.0.0 satisfies',
        'services/report/requirements.txt:1: acme-common ">=1.5,<2" → ">=2.1,<3", which the current version 2.1.0 satisfies',
      ]),
    );
    expect(await syncGenerator(tree)).toBeUndefined();
  });

  it('deliberate pins are left alone and reported: a marker before FROM, a package.json pin, a trailing requirements marker', async () => {
    const legacy = 'services/legacy';
    tree.write(
      `${legacy}/Dockerfile`,
      tree.read(`${legacy}/Dockerfile`, 'utf-8')!.replace('FROM node-base', '# imagewise: pin until legacy moves to v2\nFROM node-base'),
    );
    updateJson(tree, `${legacy}/package.json`, (json) => ({ ...json, imagewise: { pin: ['@acme/common'] } }));
    tree.write('services/report/requirements.txt', 'acme-common>=1.5,<2  # imagewise: pin\n');
    release(tree, 'packages/common/package.json', '2.0.0');
    release(tree, 'packages/common-py/pyproject.toml', '2.0.0');
    release(tree, 'images/node-base/package.json', '1.1.0');
    const pinned = {
      dockerfile: tree.read(`${legacy}/Dockerfile`, 'utf-8'),
      manifest: tree.read(`${legacy}/package.json`, 'utf-8'),
      requirements: tree.read('services/report/requirements.txt', 'utf-8'),
    };
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);

    const result = await syncGenerator(tree);
    expect({
      dockerfile: tree.read(`${legacy}/Dockerfile`, 'utf-8'),
      manifest: tree.read(`${legacy}/package.json`, 'utf-8'),
      requirements: tree.read('services/report/requirements.txt', 'utf-8'),
    }).toEqual(pinned);
    const leftAlone = [
      'services/legacy/Dockerfile:3: base image node-base pinned at 1.0.0; the workspace builds 1.1.0: pinned on purpose (# imagewise: pin), left alone',
      'services/legacy/package.json:11: @acme/common "^1.5.0" excludes the workspace version 2.0.0: pinned on purpose ("imagewise": { "pin": [...] }), left alone',
      'services/report/requirements.txt:1: acme-common ">=1.5,<2" excludes the workspace version 2.0.0: pinned on purpose (# imagewise: pin), left alone',
    ];
    expect(result!.outOfSyncDetails).toEqual(expect.arrayContaining(leftAlone));
    expect(info.mock.calls.flat().join('\n')).toContain(leftAlone[0]);
    expect(tree.read('services/notifier/Dockerfile', 'utf-8')).toMatch(/^FROM node-base:1\.1\.0$/m); // the others still follow
  });

  it('FROM forms: a registry-qualified tag and an ARG-given tag move; a digest and a non-version tag are reported', async () => {
    tree.write('services/a/Dockerfile', 'FROM registry.example.com/platform/node-base:0.9.0 AS run\nCOPY --from=node-base:0.9.0 /app /app\n');
    tree.write(
      'services/b/Dockerfile',
      'ARG REGISTRY=registry.example.com/platform\nARG BASE_TAG="0.9.0"\nFROM ${REGISTRY}/node-base:${BASE_TAG}\nFROM ${REGISTRY}/node-base:$BASE_TAG\n',
    );
    tree.write('services/c/Dockerfile', `FROM node-base@sha256:${'c'.repeat(64)}\nFROM node-base:mr-42\n`);
    const result = await syncGenerator(tree);
    expect(tree.read('services/a/Dockerfile', 'utf-8')).toBe(
      'FROM registry.example.com/platform/node-base:1.0.0 AS run\nCOPY --from=node-base:1.0.0 /app /app\n',
    );
    expect(tree.read('services/b/Dockerfile', 'utf-8')).toBe(
      'ARG REGISTRY=registry.example.com/platform\nARG BASE_TAG="1.0.0"\nFROM ${REGISTRY}/node-base:${BASE_TAG}\nFROM ${REGISTRY}/node-base:$BASE_TAG\n',
    );
    expect(result!.outOfSyncDetails).toEqual(
      expect.arrayContaining([
        "services/b/Dockerfile:2: ARG BASE_TAG: node-base:0.9.0 → node-base:1.0.0, the base image's current version",
        `services/c/Dockerfile:1: base image node-base pinned at sha256:${'c'.repeat(64)}; the workspace builds 1.0.0: a digest, left alone`,
        'services/c/Dockerfile:2: base image node-base pinned at mr-42; the workspace builds 1.0.0: "mr-42" is not a version, left alone',
      ]),
    );
    expect(result!.outOfSyncDetails.filter((line) => line.startsWith('services/b/'))).toHaveLength(1);
  });

  it('a release of a variant moves within its tag scheme', async () => {
    tree.write('images/node-base/cuda/Dockerfile', 'FROM node-base\n');
    writeJson(tree, 'images/node-base/cuda/package.json', { name: 'node-base-cuda', version: '2.0.0' });
    tree.write('services/legacy/Dockerfile', 'FROM node-base:cuda-1.9.0\n');
    await syncGenerator(tree);
    expect(tree.read('services/legacy/Dockerfile', 'utf-8')).toBe('FROM node-base:cuda-2.0.0\n');
  });

  it('library uses that are no version are reported, not rewritten', async () => {
    updateJson(tree, 'services/legacy/package.json', (json) => ({ ...json, dependencies: { '@acme/common': 'github:acme/common#v1' } }));
    const before = tree.read('services/legacy/package.json', 'utf-8');
    const result = await syncGenerator(tree);
    expect(result).toBeUndefined();
    expect(tree.read('services/legacy/package.json', 'utf-8')).toBe(before);
  });

  it('run by nx g (with options) it writes the same edits and returns no result, which nx g would call', async () => {
    release(tree, 'images/node-base/package.json', '1.1.0');
    expect(await syncGenerator(tree, {})).toBeUndefined();
    expect(tree.read('services/notifier/Dockerfile', 'utf-8')).toMatch(/^FROM node-base:1\.1\.0$/m);
  });
});
