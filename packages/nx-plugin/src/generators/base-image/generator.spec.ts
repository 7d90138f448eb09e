import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readJson, writeJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { closedPort } from '../../../../../tools/engine/test/closed-port';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findLibraryUses, matchLibraryUse } from '../../library';
import { parseLockFile } from '../../lock/lock-file';
import { declarationFiles, readTreeWorkspace } from '../shared/workspace';
import baseImageGenerator from './generator';

const NODE_DIGEST = `sha256:${'a'.repeat(64)}`;
const PYTHON_DIGEST = `sha256:${'b'.repeat(64)}`;

/** A registry that knows two upstream tags, as the engine's docker.io mirror does. */
let registry: Server;
let mirror = '';
beforeAll(async () => {
  const digests: Record<string, string> = {
    '/v2/library/node/manifests/18-bookworm-slim': NODE_DIGEST,
    '/v2/library/python/manifests/3.11-slim-bookworm': PYTHON_DIGEST,
  };
  registry = createServer((request, response) => {
    const digest = digests[request.url ?? ''];
    response.writeHead(digest ? 200 : 404, digest ? { 'docker-content-digest': digest } : {}).end();
  });
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  mirror = `127.0.0.1:${(registry.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => registry.close(() => resolve())));

function workspace(): Tree {
  const tree = createTreeWithEmptyWorkspace({ formatter: 'none' });
  writeJson(tree, 'package.json', { name: 'ws', workspaces: ['packages/*', 'images/*', 'services/*'] });
  writeJson(tree, 'packages/common/package.json', { name: '@acme/common', version: '1.5.0' });
  writeJson(tree, 'packages/common-py/project.json', { name: 'common-py', root: 'packages/common-py' });
  tree.write('packages/common-py/pyproject.toml', '[project]\nname = "acme-common"\nversion = "1.4.2"\n');
  return tree;
}

describe('base-image generator', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = workspace();
  });

  it('node: FROM the locked upstream image, bundling the npm library at its current version through its ARG', async () => {
    await baseImageGenerator(tree, { name: 'node-base', mirror, skipInstall: true });
    const dockerfile = tree.read('images/node-base/Dockerfile', 'utf-8')!;
    expect(dockerfile).toContain('\nFROM node:18-bookworm-slim\n');
    expect(dockerfile).toContain('\nARG COMMON_VERSION=1.5.0\n');
    expect(dockerfile).toContain('COPY .imagewise/packs/acme-common-${COMMON_VERSION}.tgz /tmp/\n');
    expect(dockerfile).toContain('npm install --offline --no-audit --no-fund --no-save /tmp/acme-common-${COMMON_VERSION}.tgz');
    expect(readJson(tree, 'images/node-base/package.json')).toEqual({
      name: 'node-base',
      version: '1.0.0',
      private: true,
      nx: { tags: ['type:base-image', 'lang:node'] },
    });
    expect(parseLockFile(tree.read('images/node-base/imagewise.lock.json', 'utf-8')!, 'lock')).toEqual({
      lock: { upstream: { 'docker.io/library/node:18-bookworm-slim': NODE_DIGEST } },
    });
    expect(tree.exists('images/node-base/.dockerignore')).toBe(true);
  });

  it('the graph reads what it wrote: an image project at its version, tracking the library', async () => {
    await baseImageGenerator(tree, { name: 'node-base', mirror, version: '2.3.0', skipInstall: true });
    const { images, libraries } = readTreeWorkspace(tree);
    const image = images.find((i) => i.root === 'images/node-base')!;
    expect(image).toMatchObject({ imageName: 'node-base', version: '2.3.0', problems: [] });
    const { uses, problems } = findLibraryUses(declarationFiles(tree, image.root), libraries);
    expect(problems).toEqual([]);
    expect(
      uses.map((use) => [
        use.library,
        matchLibraryUse(
          use,
          libraries.find((l) => l.project === use.library)!,
        ),
      ]),
    ).toEqual([['@acme/common', { tracksWorkspace: true }]]);
  });

  it("python: the Python library's wheel through its ARG, pip offline", async () => {
    await baseImageGenerator(tree, { name: 'python-base', language: 'python', mirror, tags: 'team:data', skipInstall: true });
    const dockerfile = tree.read('images/python-base/Dockerfile', 'utf-8')!;
    expect(dockerfile).toContain('\nFROM python:3.11-slim-bookworm\n');
    expect(dockerfile).toContain('\nARG ACME_COMMON_VERSION=1.4.2\n');
    expect(dockerfile).toContain('COPY .imagewise/packs/acme_common-${ACME_COMMON_VERSION}-*.whl /tmp/\n');
    expect(dockerfile).toContain('pip install --no-index --no-cache-dir /tmp/acme_common-${ACME_COMMON_VERSION}-*.whl');
    expect(readJson(tree, 'images/python-base/package.json').nx.tags).toEqual(['type:base-image', 'lang:python', 'team:data']);
    expect(tree.read('images/python-base/imagewise.lock.json', 'utf-8')).toContain(PYTHON_DIGEST);
  });

  it('an unreachable registry fails before anything is written, saying how to go on', async () => {
    const port = await closedPort();
    const error = await baseImageGenerator(tree, { name: 'node-base', mirror: `127.0.0.1:${port}`, skipInstall: true }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/could not resolve docker\.io\/library\/node:18-bookworm-slim at 127\.0\.0\.1:\d+/);
    expect((error as Error).message).toMatch(
      /connection refused; check that the registry runs.*--mirror=<host:port>.*--skipLock.*nx run node-base:docker:lock/s,
    );
    expect((error as Error).message).not.toContain('tools/engine');
    expect(tree.exists('images/node-base')).toBe(false);
  });

  it('an upstream tag the registry does not have is named', async () => {
    await expect(baseImageGenerator(tree, { name: 'old', from: 'node:12', mirror, skipInstall: true })).rejects.toThrow(
      /docker\.io\/library\/node:12 does not exist at 127\.0\.0\.1:\d+/,
    );
  });

  it('--skipLock writes no lock, a digest FROM needs none', async () => {
    await baseImageGenerator(tree, { name: 'node-base', skipLock: true, skipInstall: true });
    expect(tree.exists('images/node-base/imagewise.lock.json')).toBe(false);
    await baseImageGenerator(tree, { name: 'pinned-base', from: `node@${NODE_DIGEST}`, mirror: '127.0.0.1:1', skipInstall: true });
    expect(readJson(tree, 'images/pinned-base/imagewise.lock.json')).toEqual({ upstream: {} });
  });

  it('several libraries of a language need --library; a name that is none is refused', async () => {
    writeJson(tree, 'packages/other/package.json', { name: '@acme/other', version: '0.1.0' });
    await expect(baseImageGenerator(tree, { name: 'b', mirror, skipInstall: true })).rejects.toThrow(
      /several internal node libraries could be meant \(@acme\/common, @acme\/other\); pass --library=<name>/,
    );
    await expect(baseImageGenerator(tree, { name: 'b', library: 'nope', mirror, skipInstall: true })).rejects.toThrow(
      /--library=nope: no internal node library/,
    );
    await baseImageGenerator(tree, { name: 'b', library: '@acme/other', mirror, skipInstall: true });
    expect(tree.read('images/b/Dockerfile', 'utf-8')).toContain('ARG OTHER_VERSION=0.1.0');
  });

  it('refuses names Docker cannot take, existing directories, taken image names and bad versions', async () => {
    await expect(baseImageGenerator(tree, { name: 'Node_Base', mirror })).rejects.toThrow(/cannot name an image/);
    await expect(baseImageGenerator(tree, { name: 'b', version: 'one', mirror })).rejects.toThrow(/--version=one is not a semver version/);
    tree.write('images/b/README.md', 'x');
    await expect(baseImageGenerator(tree, { name: 'b', mirror })).rejects.toThrow(/images\/b already exists/);
    tree.write('services/node-base/Dockerfile', 'FROM scratch\n');
    await expect(baseImageGenerator(tree, { name: 'node-base', mirror })).rejects.toThrow(/already built by services\/node-base\/Dockerfile/);
  });

  it("puts a new base image where the workspace's base images are, or where --directory says, if the plugin would see it", async () => {
    writeJson(tree, 'nx.json', { plugins: [{ plugin: '@imagewise/nx-plugin', options: { dockerfiles: ['docker/**/Dockerfile'] } }] });
    tree.write('docker/bases/runtime/Dockerfile', 'FROM scratch\n');
    tree.write('docker/apps/api/Dockerfile', 'FROM runtime\n');
    await baseImageGenerator(tree, { name: 'node-base', skipLock: true, skipInstall: true });
    expect(tree.exists('docker/bases/node-base/Dockerfile')).toBe(true);
    await baseImageGenerator(tree, { name: 'edge-base', directory: 'docker/edge', skipLock: true, skipInstall: true });
    expect(tree.exists('docker/edge/edge-base/Dockerfile')).toBe(true);
    await expect(baseImageGenerator(tree, { name: 'lost', directory: 'images', skipLock: true, skipInstall: true })).rejects.toThrow(
      /^images\/lost\/Dockerfile would not be an image project: the plugin's "dockerfiles" globs \(docker\/\*\*\/Dockerfile\) do not select it/,
    );
    expect(tree.exists('images/lost')).toBe(false);
  });
});
