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
    tree.write('images/node-base/Dockerfile', 'FROM node:22\n');
    tree.write('services/api/Dockerfile', 'FROM node-base\n');
    await initGenerator(tree, {
      registry: 'registry.example.com/platform/',
      registries: 'docker.io/acme/, ghcr.io/acme',
      dockerfiles: 'images/**/Dockerfile, services/**/Dockerfile,docker/**/*.Dockerfile',
      libraries: '@acme/common, common-py',
    });
    const nxJson = readNxJson(tree)!;
    expect(nxJson.plugins).toEqual([
      {
        plugin: '@imagewise/nx-plugin',
        options: {
          registry: 'registry.example.com/platform',
          registries: ['docker.io/acme', 'ghcr.io/acme'],
          dockerfiles: ['images/**/Dockerfile', 'services/**/Dockerfile', 'docker/**/*.Dockerfile'],
          libraries: ['@acme/common', 'common-py'],
        },
      },
    ]);
    expect(nxJson.namedInputs).toEqual({ production: DEFAULT_PRODUCTION, dockerImage: ['production'] });
    expect(nxJson.sync?.globalGenerators).toEqual(['@imagewise/nx-plugin:sync']);
    expect(nxJson.targetDefaults?.build).toEqual({ cache: true }); // the rest is kept
    expect(readJson(tree, 'package.json').workspaces).toEqual(['images/*', 'services/*']);
  });

  it('runs twice without duplicating anything', async () => {
    tree.write('services/api/Dockerfile', 'FROM scratch\n');
    await initGenerator(tree, {});
    const read = () => ({ nx: tree.read('nx.json', 'utf-8'), pkg: tree.read('package.json', 'utf-8'), ignore: tree.read('.gitignore', 'utf-8') });
    const once = read();
    await initGenerator(tree, {});
    expect(read()).toEqual(once);
    expect(readNxJson(tree)!.plugins).toEqual(['@imagewise/nx-plugin']);
  });

  it('keeps what the workspace has: its production input, other sync generators, workspaces, plugin options and include globs', async () => {
    writeJson(tree, 'nx.json', {
      namedInputs: { production: ['default', '!{projectRoot}/docs/**'] },
      sync: { globalGenerators: ['@acme/tools:sync'], applyChanges: true },
      plugins: [{ plugin: '@imagewise/nx-plugin', include: ['services/**'], options: { registry: 'old.example.com', serviceTag: 'svc' } }],
    });
    writeJson(tree, 'package.json', { name: 'ws', workspaces: ['packages/*', 'services/*'] });
    tree.write('images/base/Dockerfile', 'FROM scratch\n');
    tree.write('services/api/Dockerfile', 'FROM base\n');
    await initGenerator(tree, { registry: 'new.example.com' });
    const nxJson = readNxJson(tree)!;
    expect(nxJson.plugins).toEqual([{ plugin: '@imagewise/nx-plugin', include: ['services/**'], options: { registry: 'new.example.com', serviceTag: 'svc' } }]);
    expect(nxJson.namedInputs).toEqual({ production: ['default', '!{projectRoot}/docs/**'], dockerImage: ['production'] });
    expect(nxJson.sync).toEqual({ globalGenerators: ['@acme/tools:sync', '@imagewise/nx-plugin:sync'], applyChanges: true });
    expect(readJson(tree, 'package.json').workspaces).toEqual(['packages/*', 'services/*', 'images/*']);
  });

  it("adds to yarn's object form of workspaces", async () => {
    writeJson(tree, 'package.json', { name: 'ws', workspaces: { packages: ['libs/*'], nohoist: ['**/x'] } });
    tree.write('images/base/Dockerfile', 'FROM scratch\n');
    tree.write('services/api/Dockerfile', 'FROM base\n');
    await initGenerator(tree, {});
    expect(readJson(tree, 'package.json').workspaces).toEqual({ packages: ['libs/*', 'images/*', 'services/*'], nohoist: ['**/x'] });
  });

  it('adds workspaces only for image folders that exist', async () => {
    tree.write('services/api/Dockerfile', 'FROM scratch\n');
    await initGenerator(tree, {});
    expect(readJson(tree, 'package.json').workspaces).toEqual(['services/*']);
    const bare = createTreeWithEmptyWorkspace({ formatter: 'none' });
    await initGenerator(bare, { dockerfiles: 'docker/**/Dockerfile' });
    expect(readJson(bare, 'package.json').workspaces).toBeUndefined();
  });

  it('sets up a repository that has no nx.json yet, and ignores what Nx writes', async () => {
    tree.delete('nx.json');
    tree.write('.gitignore', '/node_modules\n*.log');
    await initGenerator(tree, {});
    expect(readNxJson(tree)!.plugins).toEqual(['@imagewise/nx-plugin']);
    expect(tree.read('.gitignore', 'utf-8')).toBe('/node_modules\n*.log\n.nx/\ndist/\n');
  });

  it('takes the place of @nx/docker, or keeps it under other target names', async () => {
    writeJson(tree, 'nx.json', { plugins: ['@nx/docker', '@nx/js/typescript'] });
    await initGenerator(tree, {});
    expect(readNxJson(tree)!.plugins).toEqual(['@nx/js/typescript', '@imagewise/nx-plugin']);

    writeJson(tree, 'nx.json', { plugins: [{ plugin: '@nx/docker', options: { runTarget: 'container:run' } }] });
    await initGenerator(tree, { replaceNxDocker: false });
    expect(readNxJson(tree)!.plugins).toEqual([
      { plugin: '@nx/docker', options: { runTarget: 'container:run', buildTarget: 'nx-docker:build' } },
      '@imagewise/nx-plugin',
    ]);
  });
});
