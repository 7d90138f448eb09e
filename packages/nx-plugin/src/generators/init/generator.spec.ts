import { readJson, readNxJson, writeJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import initGenerator from './generator';
import { DEFAULT_PRODUCTION } from './nx-json';

describe('init generator', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace({ formatter: 'none' });
  });

  it('adds the plugin with its options, the dockerImage input, the sync generator and the image workspaces', async () => {
    await initGenerator(tree, { registry: 'registry.example.com/platform/', libraries: '@acme/common, common-py' });
    const nxJson = readNxJson(tree)!;
    expect(nxJson.plugins).toEqual([
      { plugin: '@imagewise/nx-plugin', options: { registry: 'registry.example.com/platform', libraries: ['@acme/common', 'common-py'] } },
    ]);
    expect(nxJson.namedInputs).toEqual({ production: DEFAULT_PRODUCTION, dockerImage: ['production'] });
    expect(nxJson.sync?.globalGenerators).toEqual(['@imagewise/nx-plugin:sync']);
    expect(nxJson.targetDefaults?.build).toEqual({ cache: true }); // the rest is kept
    expect(readJson(tree, 'package.json').workspaces).toEqual(['images/*', 'services/*']);
  });

  it('runs twice without duplicating anything', async () => {
    await initGenerator(tree, {});
    const once = { nx: tree.read('nx.json', 'utf-8'), pkg: tree.read('package.json', 'utf-8') };
    await initGenerator(tree, {});
    expect({ nx: tree.read('nx.json', 'utf-8'), pkg: tree.read('package.json', 'utf-8') }).toEqual(once);
    expect(readNxJson(tree)!.plugins).toEqual(['@imagewise/nx-plugin']);
  });

  it('keeps what the workspace has: its production input, other sync generators, workspaces, plugin options and include globs', async () => {
    writeJson(tree, 'nx.json', {
      namedInputs: { production: ['default', '!{projectRoot}/docs/**'] },
      sync: { globalGenerators: ['@acme/tools:sync'], applyChanges: true },
      plugins: [{ plugin: '@imagewise/nx-plugin', include: ['services/**'], options: { registry: 'old.example.com', serviceTag: 'svc' } }],
    });
    writeJson(tree, 'package.json', { name: 'ws', workspaces: ['packages/*', 'services/*'] });
    await initGenerator(tree, { registry: 'new.example.com' });
    const nxJson = readNxJson(tree)!;
    expect(nxJson.plugins).toEqual([
      { plugin: '@imagewise/nx-plugin', include: ['services/**'], options: { registry: 'new.example.com', serviceTag: 'svc' } },
    ]);
    expect(nxJson.namedInputs).toEqual({ production: ['default', '!{projectRoot}/docs/**'], dockerImage: ['production'] });
    expect(nxJson.sync).toEqual({ globalGenerators: ['@acme/tools:sync', '@imagewise/nx-plugin:sync'], applyChanges: true });
    expect(readJson(tree, 'package.json').workspaces).toEqual(['packages/*', 'services/*', 'images/*']);
  });

  it('adds to yarn\'s object form of workspaces', async () => {
    writeJson(tree, 'package.json', { name: 'ws', workspaces: { packages: ['libs/*'], nohoist: ['**/x'] } });
    await initGenerator(tree, {});
    expect(readJson(tree, 'package.json').workspaces).toEqual({ packages: ['libs/*', 'images/*', 'services/*'], nohoist: ['**/x'] });
  });

  it('refuses to run outside an Nx workspace', async () => {
    tree.delete('nx.json');
    await expect(initGenerator(tree, {})).rejects.toThrow(/nx.json not found/);
  });
});
