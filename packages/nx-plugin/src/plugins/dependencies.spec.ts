import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  DependencyType,
  validateDependency,
  type CreateDependenciesContext,
  type FileData,
  type ProjectConfiguration,
  type ProjectGraphExternalNode,
  type RawProjectGraphDependency,
} from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { formatLockFile } from '../lock/lock-file';
import { createDependencies } from './dependencies';
import type { ImagewisePluginOptions } from './options';
import { createNodesV2 } from './plugin';
import { tempWorkspacePerTest } from './temp-workspace.test-helpers';

const NODE_DIGEST = `sha256:${'1'.repeat(64)}`;
const lock = (upstream: Record<string, string>) => formatLockFile({ upstream });

const workspace = tempWorkspacePerTest('imagewise-deps-');

function filesUnder(root: string): string[] {
  if (!existsSync(join(workspace.root, root))) return [];
  return readdirSync(join(workspace.root, root)).flatMap((name) => {
    const path = join(root, name);
    return statSync(join(workspace.root, path)).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Libraries are plain projects, as Nx's JS plugin would leave them. */
const LIBRARIES: Record<string, ProjectConfiguration> = {
  common: { root: 'packages/common', metadata: { js: { packageName: '@acme/common', packageVersion: '1.5.0' } } as ProjectConfiguration['metadata'] },
};

/**
 * Runs createNodes over the workspace's Dockerfiles, merges the projects the way
 * Nx would (the name from project.json / package.json when they give one), then
 * runs createDependencies. Each edge is also checked with Nx's own validation.
 */
async function graph(
  options: ImagewisePluginOptions = {},
  extra: { libraries?: Record<string, ProjectConfiguration>; externalNodes?: Record<string, ProjectGraphExternalNode> } = {},
) {
  const dockerfiles = filesUnder('.').filter((file) => file === 'Dockerfile' || file.endsWith('/Dockerfile'));
  const nodes = await createNodesV2[1](dockerfiles, options, {
    workspaceRoot: workspace.root,
    nxJsonConfiguration: { namedInputs: { dockerImage: ['default'] } },
  });
  const projects: Record<string, ProjectConfiguration> = { ...(extra.libraries ?? LIBRARIES) };
  let externalNodes: Record<string, ProjectGraphExternalNode> = {};
  for (const [, result] of nodes) {
    externalNodes = { ...externalNodes, ...result.externalNodes };
    for (const [root, config] of Object.entries(result.projects ?? {})) {
      const name = config.name ?? nameFromFiles(root);
      projects[name] = { ...config, name, root };
    }
  }
  if (extra.externalNodes) externalNodes = extra.externalNodes;
  const projectFileMap: Record<string, FileData[]> = Object.fromEntries(
    Object.entries(projects).map(([name, project]) => [name, filesUnder(project.root).map((file) => ({ file, hash: '0' }))]),
  );
  const context = {
    projects,
    externalNodes,
    workspaceRoot: workspace.root,
    nxJsonConfiguration: { namedInputs: { dockerImage: ['default'] } },
    fileMap: { projectFileMap: {}, nonProjectFiles: [] },
    filesToProcess: { projectFileMap: {}, nonProjectFiles: [] },
  } as unknown as CreateDependenciesContext;
  const edges = (await createDependencies(options, context)) as RawProjectGraphDependency[];
  for (const edge of edges) {
    expect(() => validateDependency(edge, { ...context, fileMap: { projectFileMap, nonProjectFiles: [] } })).not.toThrow();
  }
  return { edges, projects, externalNodes };
}

/** The name Nx gives a project that project.json or package.json defines. */
function nameFromFiles(root: string): string {
  for (const file of ['project.json', 'package.json']) {
    const path = join(workspace.root, root, file);
    const name = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { name?: string }).name : undefined;
    if (name) return name;
  }
  throw new Error(`${root}: no name`);
}

const edge = (source: string, target: string): RawProjectGraphDependency => ({ source, target, type: DependencyType.implicit });
const internal = (edges: RawProjectGraphDependency[]) => edges.filter((e) => !e.target.startsWith('docker:'));
const pairs = (edges: RawProjectGraphDependency[]) => edges.map((e) => `${e.source} → ${e.target}`).sort();

describe('createDependencies', () => {
  it('links image to image, implicitly (no source file whose cached edges Nx would restore)', async () => {
    workspace.write({
      'images/node-base/Dockerfile': 'FROM node:18\n',
      'images/node-base/imagewise.lock.json': lock({ 'docker.io/library/node:18': NODE_DIGEST }),
      'images/python-base/Dockerfile': 'FROM node-base\n',
      // node-base twice: one edge.
      'services/notifier/Dockerfile': 'FROM python-base AS build\nFROM node-base\nCOPY --from=build /a /b\nCOPY --from=node-base /c /d\n',
      'services/notifier/package.json': JSON.stringify({ name: '@acme/notifier' }),
    });
    const { edges } = await graph();
    expect(edges).toEqual(
      expect.arrayContaining([edge('python-base', 'node-base'), edge('@acme/notifier', 'python-base'), edge('@acme/notifier', 'node-base')]),
    );
    expect(pairs(edges.filter((e) => !e.target.startsWith('docker:')))).toEqual([
      '@acme/notifier → node-base',
      '@acme/notifier → python-base',
      'python-base → node-base',
    ]);
  });

  it('links an image at the workspace root to its base', async () => {
    workspace.write({
      'images/node-base/Dockerfile': 'FROM node:18\n',
      Dockerfile: 'FROM node-base\n',
      'package.json': JSON.stringify({ name: 'monolith' }),
    });
    const { edges } = await graph({ dockerfiles: ['**/Dockerfile'] });
    expect(edges.filter((e) => e.source === 'monolith')).toEqual([edge('monolith', 'node-base')]);
  });

  it('adds no edge for a pinned release of a workspace image', async () => {
    workspace.write({
      'images/node-base/Dockerfile': 'FROM node:18\n',
      'images/node-base/package.json': JSON.stringify({ name: 'node-base', version: '2.0.0' }),
      'services/app/Dockerfile': 'FROM node-base:1.0.0\n',
    });
    const { edges } = await graph();
    expect(edges.filter((e) => e.source === 'app')).toEqual([]);
  });

  it('links an image to the external node of each upstream image it uses', async () => {
    workspace.write({
      'images/node-base/Dockerfile': 'FROM node:18\nFROM alpine:3.20\n',
      'images/node-base/imagewise.lock.json': lock({ 'docker.io/library/node:18': NODE_DIGEST }),
    });
    const { edges, externalNodes } = await graph();
    expect(Object.keys(externalNodes).sort()).toEqual(['docker:docker.io/library/alpine:3.20', 'docker:docker.io/library/node:18']);
    expect(externalNodes['docker:docker.io/library/node:18'].data.hash).toBe(NODE_DIGEST);
    expect(edges).toEqual([edge('node-base', 'docker:docker.io/library/node:18'), edge('node-base', 'docker:docker.io/library/alpine:3.20')]);
  });

  it('links no external node that the graph does not have', async () => {
    workspace.write({ 'images/node-base/Dockerfile': 'FROM node:18\n' });
    const { edges } = await graph({}, { externalNodes: {} });
    expect(edges).toEqual([]);
  });

  describe('internal libraries', () => {
    it('links an image to a library whose version its package.json range accepts', async () => {
      workspace.write({
        'packages/common/package.json': JSON.stringify({ name: '@acme/common', version: '1.5.0' }),
        'services/notifier/Dockerfile': 'FROM node:18@sha256:' + '2'.repeat(64) + '\n',
        'services/notifier/package.json': JSON.stringify({ name: '@acme/notifier', dependencies: { '@acme/common': '^1.4.0' } }, null, 2),
      });
      const { edges } = await graph();
      expect(edges).toContainEqual(edge('@acme/notifier', 'common'));
    });

    it('adds no edge when the range excludes the workspace version (a published release)', async () => {
      workspace.write({
        'packages/common/package.json': JSON.stringify({ name: '@acme/common', version: '1.5.0' }),
        'services/notifier/Dockerfile': 'FROM node:18@sha256:' + '2'.repeat(64) + '\n',
        'services/notifier/package.json': JSON.stringify({ name: '@acme/notifier', dependencies: { '@acme/common': '^2.0.0' } }),
      });
      const { edges } = await graph();
      expect(edges.filter((e) => e.target === 'common')).toEqual([]);
    });

    it('reads the version ARG of the Dockerfile too, with the Dockerfile as source file', async () => {
      workspace.write({
        'services/worker/Dockerfile': `FROM node:18@sha256:${'2'.repeat(64)}\nARG COMMON_VERSION=1.5.0\nRUN npm i @acme/common@\${COMMON_VERSION}\n`,
        'services/other/Dockerfile': `FROM node:18@sha256:${'2'.repeat(64)}\nARG COMMON_VERSION=1.4.9\n`,
      });
      const { edges } = await graph();
      expect(edges.filter((e) => e.target === 'common')).toEqual([edge('worker', 'common')]);
    });

    it('finds Python libraries by their pyproject.toml, used from requirements files', async () => {
      workspace.write({
        'packages/common-py/pyproject.toml': '[project]\nname = "acme-common"\nversion = "1.2.0"\n',
        'services/py/Dockerfile': `FROM python:3.11@sha256:${'2'.repeat(64)}\n`,
        'services/py/requirements.txt': 'requests==2.32.0\nAcme_Common>=1.0,<2\n',
        'services/py-old/Dockerfile': `FROM python:3.11@sha256:${'2'.repeat(64)}\n`,
        'services/py-old/requirements-prod.txt': 'acme-common==1.0.0\n',
      });
      const { edges } = await graph({}, { libraries: { 'common-py': { root: 'packages/common-py' } } });
      expect(edges.filter((e) => e.target === 'common-py')).toEqual([edge('py', 'common-py')]);
    });

    it('only considers the projects the libraries option names', async () => {
      workspace.write({
        'packages/common/package.json': JSON.stringify({ name: '@acme/common', version: '1.5.0' }),
        'services/notifier/Dockerfile': `FROM node:18@sha256:${'2'.repeat(64)}\n`,
        'services/notifier/package.json': JSON.stringify({ name: '@acme/notifier', dependencies: { '@acme/common': '*' } }),
      });
      expect(internal((await graph({ libraries: ['something-else'] })).edges)).toEqual([]);
      expect(internal((await graph({ libraries: ['common'] })).edges)).toEqual([edge('@acme/notifier', 'common')]);
    });

    it('never treats an image project as a library', async () => {
      workspace.write({
        'images/node-base/Dockerfile': `FROM node:18@sha256:${'2'.repeat(64)}\n`,
        'images/node-base/package.json': JSON.stringify({ name: 'node-base', version: '1.0.0' }),
        'services/notifier/Dockerfile': `FROM node:18@sha256:${'2'.repeat(64)}\n`,
        'services/notifier/package.json': JSON.stringify({ name: '@acme/notifier', dependencies: { 'node-base': '^1.0.0' } }),
      });
      const libraries = { ...LIBRARIES };
      const { edges, projects } = await graph({}, { libraries });
      // Give the image project JS metadata, as Nx's JS plugin would.
      projects['node-base'].metadata = {
        ...projects['node-base'].metadata,
        js: { packageName: 'node-base', packageVersion: '1.0.0' },
      } as ProjectConfiguration['metadata'];
      expect(edges.filter((e) => e.target === 'node-base')).toEqual([]);
      const again = await createDependencies({}, {
        projects,
        externalNodes: {},
        workspaceRoot: workspace.root,
        nxJsonConfiguration: {},
        fileMap: { projectFileMap: {}, nonProjectFiles: [] },
        filesToProcess: { projectFileMap: {}, nonProjectFiles: [] },
      } as unknown as CreateDependenciesContext);
      expect(again).toEqual([]);
    });
  });

  it('drops the edge that closes a cycle of images, and warns about the cycle', async () => {
    workspace.write({
      'services/a/Dockerfile': 'FROM b\n',
      'services/b/Dockerfile': 'FROM c\n',
      'services/c/Dockerfile': 'FROM a\n',
    });
    // Named by directory (no project.json / package.json): a, b, c.
    const { edges } = await graph();
    expect(pairs(edges)).toEqual(['a → b', 'b → c']);
    expect(workspace.warn).toHaveBeenCalledWith('[imagewise] services/c/Dockerfile:1: images build FROM each other in a cycle (a → b → c → a); break it');
  });
});
