import { readJson, writeJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildImageGraph } from '../../graph/image-graph';
import { findLibraryUses, matchLibraryUse } from '../../library';
import baseImageGenerator from '../base-image/generator';
import { declarationFiles, readTreeWorkspace } from '../shared/workspace';
import serviceGenerator, { NODE_TOOLS } from './generator';

async function workspace(): Promise<Tree> {
  const tree = createTreeWithEmptyWorkspace({ formatter: 'none' });
  writeJson(tree, 'package.json', { name: 'ws', workspaces: ['packages/*', 'images/*', 'services/*'], devDependencies: { typescript: '6.0.3' } });
  writeJson(tree, 'packages/common/package.json', { name: '@acme/common', version: '1.5.0' });
  writeJson(tree, 'packages/common-py/project.json', { name: 'common-py', root: 'packages/common-py' });
  tree.write('packages/common-py/pyproject.toml', '[project]\nname = "acme-common"\nversion = "1.4.2"\n');
  await baseImageGenerator(tree, { name: 'node-base', version: '2.1.0', skipLock: true, skipInstall: true });
  await baseImageGenerator(tree, { name: 'python-base', language: 'python', skipLock: true, skipInstall: true });
  return tree;
}

/** Edges the graph core finds for an image: workspace images it tracks, libraries whose version it accepts. */
function edgesOf(tree: Tree, root: string) {
  const { images, libraries, options } = readTreeWorkspace(tree);
  const graph = buildImageGraph(images, { registries: options.registries });
  const { uses } = findLibraryUses(declarationFiles(tree, root), libraries);
  return {
    images: graph.dependencies.get(`${root}/Dockerfile`)!.images.map((image) => image.root),
    pinned: graph.dependencies.get(`${root}/Dockerfile`)!.pinned,
    libraries: uses
      .filter(
        (use) =>
          matchLibraryUse(
            use,
            libraries.find((l) => l.project === use.library)!,
          ).tracksWorkspace,
      )
      .map((use) => use.library),
    problems: graph.problems.filter((problem) => problem.file.startsWith(root)),
  };
}

describe('service generator', () => {
  let tree: Tree;
  beforeEach(async () => {
    tree = await workspace();
  });

  it('node: FROM the node base at its current version, the library at a range its version satisfies, build and test targets, tags', async () => {
    await serviceGenerator(tree, { name: 'notifier', skipInstall: true });
    const dockerfile = tree.read('services/notifier/Dockerfile', 'utf-8')!;
    expect(dockerfile).toMatch(/^FROM node-base:2\.1\.0$/m);
    expect(dockerfile).toContain('COPY package.json ./\nCOPY dist ./dist\n');
    expect(dockerfile).toContain('CMD ["node", "dist/main.js"]');
    expect(readJson(tree, 'services/notifier/package.json')).toMatchObject({
      name: 'notifier',
      version: '0.1.0',
      type: 'module',
      scripts: { build: 'tsc -p tsconfig.lib.json', test: 'vitest run' },
      dependencies: { '@acme/common': '^1.5.0' },
      nx: { tags: ['type:service', 'lang:node'] },
    });
    for (const file of ['src/main.ts', 'src/service.ts', 'src/service.spec.ts', 'tsconfig.json', 'tsconfig.lib.json', '.dockerignore']) {
      expect(tree.exists(`services/notifier/${file}`), file).toBe(true);
    }
    expect(tree.read('services/notifier/src/service.ts', 'utf-8')).toContain("from '@acme/common';");
    expect(readJson(tree, 'services/notifier/tsconfig.json').extends).toBe('../../tsconfig.base.json');
    expect(edgesOf(tree, 'services/notifier')).toEqual({ images: ['images/node-base'], pinned: [], libraries: ['@acme/common'], problems: [] });
  });

  it("node: a base image's second Dockerfile is an image of the same project, not another base to choose from", async () => {
    tree.write('images/node-base/Dockerfile.dev', tree.read('images/node-base/Dockerfile', 'utf-8')!);
    await serviceGenerator(tree, { name: 'notifier', skipInstall: true });
    expect(tree.read('services/notifier/Dockerfile', 'utf-8')).toMatch(/^FROM node-base:2\.1\.0$/m);
  });

  it('node: adds the build and test tools the root package.json lacks, keeping the versions it has', async () => {
    await serviceGenerator(tree, { name: 'notifier', skipInstall: true });
    expect(readJson(tree, 'package.json').devDependencies).toEqual({ ...NODE_TOOLS, typescript: '6.0.3' });
  });

  it('node: a workspace without tsconfig.base.json gets a tsconfig of its own', async () => {
    tree.delete('tsconfig.base.json');
    await serviceGenerator(tree, { name: 'notifier', skipInstall: true });
    const tsconfig = readJson(tree, 'services/notifier/tsconfig.json');
    expect(tsconfig.extends).toBeUndefined();
    expect(tsconfig.compilerOptions).toMatchObject({ module: 'nodenext', strict: true });
  });

  it('python: requirements.txt at a PEP 440 range the library satisfies, a unittest, FROM the python base', async () => {
    await serviceGenerator(tree, { name: 'last-contact-report', language: 'python', tags: 'team:data', skipInstall: true });
    const root = 'services/last-contact-report';
    expect(tree.read(`${root}/requirements.txt`, 'utf-8')).toBe('acme-common>=1.4,<2\n');
    expect(tree.read(`${root}/Dockerfile`, 'utf-8')).toMatch(/^FROM python-base:1\.0\.0$/m);
    expect(tree.read(`${root}/src/service.py`, 'utf-8')).toContain('from acme_common import LOG_LEVELS, ConfigError, create_health_server');
    expect(tree.read(`${root}/src/test_service.py`, 'utf-8')).toContain('self.assertEqual(SERVICE, "last-contact-report")');
    expect(readJson(tree, `${root}/package.json`)).toMatchObject({
      name: 'last-contact-report',
      version: '0.1.0',
      // The tests import the workspace's copy of the library.
      nx: {
        tags: ['type:service', 'lang:python', 'team:data'],
        targets: { test: { options: { cwd: root, env: { PYTHONPATH: '../../packages/common-py' } } } },
      },
    });
    expect(edgesOf(tree, root)).toEqual({ images: ['images/python-base'], pinned: [], libraries: ['common-py'], problems: [] });
    expect(readJson(tree, 'package.json').devDependencies).toEqual({ typescript: '6.0.3' });
  });

  it('python: a library in a src/ layout is imported from there', async () => {
    tree.write('packages/common-py/src/acme_common/__init__.py', '');
    await serviceGenerator(tree, { name: 'report', language: 'python', skipInstall: true });
    expect(readJson(tree, 'services/report/package.json').nx.targets.test.options.env).toEqual({ PYTHONPATH: '../../packages/common-py/src' });
  });

  it("the base is chosen by --base when several bundle the language's library, and named when there are none", async () => {
    await baseImageGenerator(tree, { name: 'node-base-2', skipLock: true, skipInstall: true });
    await expect(serviceGenerator(tree, { name: 'a', skipInstall: true })).rejects.toThrow(
      /several base images bundle a node library \(node-base, node-base-2\); pass --base=<name>/,
    );
    await serviceGenerator(tree, { name: 'a', base: 'node-base-2', skipInstall: true });
    expect(tree.read('services/a/Dockerfile', 'utf-8')).toMatch(/^FROM node-base-2:1\.0\.0$/m);
    await expect(serviceGenerator(tree, { name: 'b', base: 'nope', skipInstall: true })).rejects.toThrow(/--base=nope: no image has that name/);

    // A directory name two images share picks neither; an image name picks one.
    for (const [root, name] of [
      ['images/sdk/amd64', 'sdk-amd64'],
      ['images/node/amd64', 'node-amd64'],
    ]) {
      writeJson(tree, `${root}/package.json`, { name, version: '1.0.0' });
      tree.write(`${root}/Dockerfile`, 'FROM node-base\n');
    }
    await expect(serviceGenerator(tree, { name: 'c', base: 'amd64', skipInstall: true })).rejects.toThrow(
      /--base=amd64 names several images \(node-amd64 in images\/node\/amd64, sdk-amd64 in images\/sdk\/amd64\); pass the image name/,
    );
    await serviceGenerator(tree, { name: 'c', base: 'sdk-amd64', skipInstall: true });
    expect(tree.read('services/c/Dockerfile', 'utf-8')).toMatch(/^FROM sdk-amd64:1\.0\.0$/m);

    const empty = createTreeWithEmptyWorkspace({ formatter: 'none' });
    writeJson(empty, 'packages/common/package.json', { name: '@acme/common', version: '1.5.0' });
    await expect(serviceGenerator(empty, { name: 'a', skipInstall: true })).rejects.toThrow(
      /no base image \(an image others build FROM, or one whose Dockerfile bundles a library\) bundles a node library; create one with nx g @imagewise\/nx-plugin:base-image <name> --language=node/,
    );
  });

  it('a base without a version cannot be followed: says what to add', async () => {
    writeJson(tree, 'images/node-base/package.json', { name: 'node-base', private: true });
    await expect(serviceGenerator(tree, { name: 'a', skipInstall: true })).rejects.toThrow(/images\/node-base\/package.json has no "version"/);
  });

  it('refuses an existing directory and a taken image name', async () => {
    await expect(serviceGenerator(tree, { name: 'node-base', skipInstall: true })).rejects.toThrow(/already built by images\/node-base\/Dockerfile/);
    tree.write('services/x/notes.md', '');
    await expect(serviceGenerator(tree, { name: 'x', skipInstall: true })).rejects.toThrow(/services\/x already exists/);
  });
});
