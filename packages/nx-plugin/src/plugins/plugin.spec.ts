import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateNodesContextV2 } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { formatLockFile } from '../lock/lock-file';
import type { ImagewisePluginOptions } from './options';
import { createNodes, createNodesV2 } from './plugin';
import { projectOf, tempWorkspacePerTest } from './temp-workspace.test-helpers';

const NODE_DIGEST = `sha256:${'1'.repeat(64)}`;
const PYTHON_DIGEST = `sha256:${'2'.repeat(64)}`;
const REDIS_DIGEST = `sha256:${'3'.repeat(64)}`;

const lock = (upstream: Record<string, string>) => formatLockFile({ upstream });

const workspace = tempWorkspacePerTest('imagewise-plugin-');

function context(dockerImageInput = true): CreateNodesContextV2 {
  return { workspaceRoot: workspace.root, nxJsonConfiguration: dockerImageInput ? { namedInputs: { dockerImage: ['default'] } } : {} };
}

/** The globs this workspace's images are under (the default takes every Dockerfile, tools/ci's too). */
const IMAGE_DOCKERFILES = ['images/**/Dockerfile', 'services/**/Dockerfile'];

async function run(dockerfiles: string[], options?: ImagewisePluginOptions, ctx = context()) {
  return createNodesV2[1](dockerfiles, { dockerfiles: IMAGE_DOCKERFILES, ...options }, ctx);
}

/** A small workspace: two base images, two services, a library. */
const WORKSPACE = {
  'images/node-base/Dockerfile': 'FROM node:18-bookworm-slim\nRUN corepack enable\n',
  'images/node-base/imagewise.lock.json': lock({ 'docker.io/library/node:18-bookworm-slim': NODE_DIGEST }),
  'images/python-base/Dockerfile': 'FROM python:3.11-slim AS build\nFROM build\n',
  'images/python-base/.dockerignore': '# local files\nnode_modules\n*.md\n',
  'images/python-base/imagewise.lock.json': lock({ 'docker.io/library/python:3.11-slim': PYTHON_DIGEST }),
  'services/notifier/Dockerfile': 'FROM node-base AS build\nCOPY --from=python-base /opt /opt\nFROM redis:7\n',
  'services/notifier/package.json': JSON.stringify({ name: '@acme/notifier', version: '2.1.0', dependencies: { '@acme/common': '^1.4.0' } }),
  'services/bruin-bridge/Dockerfile': 'FROM node-base:0.9.0\n',
  'services/bruin-bridge/project.json': JSON.stringify({
    name: 'bruin-bridge',
    targets: { 'docker:build': { options: { imageName: 'acme/bruin-bridge' } } },
  }),
  'tools/ci/Dockerfile': 'FROM alpine:3.20\n',
  'packages/common/package.json': JSON.stringify({ name: '@acme/common', version: '1.5.0' }),
};
const DOCKERFILES = [
  'images/node-base/Dockerfile',
  'images/python-base/Dockerfile',
  'services/notifier/Dockerfile',
  'services/bruin-bridge/Dockerfile',
  'tools/ci/Dockerfile',
];

describe('createNodesV2', () => {
  it('exports one tuple under both names, looking at every Dockerfile', () => {
    expect(createNodes).toBe(createNodesV2);
    expect(createNodesV2[0]).toBe('**/{Dockerfile,Dockerfile.*,*.Dockerfile,Containerfile}');
  });

  it('makes a project of each Dockerfile the dockerfiles globs select, keyed by the Dockerfile', async () => {
    workspace.write(WORKSPACE);
    const results = await run(DOCKERFILES);
    expect(results.map(([file]) => file)).toEqual(DOCKERFILES.slice(0, 4));
    expect(results.map(([, result]) => Object.keys(result.projects ?? {}))).toEqual([
      ['images/node-base'],
      ['images/python-base'],
      ['services/notifier'],
      ['services/bruin-bridge'],
    ]);
  });

  it('configures a base image project: name, tag, inputs, targets and metadata', async () => {
    workspace.write(WORKSPACE);
    const [[, result]] = await run(DOCKERFILES);
    expect(projectOf(result, 'images/node-base')).toEqual({
      name: 'node-base',
      projectType: 'application',
      tags: ['type:base-image'],
      namedInputs: {
        dockerImage: ['{projectRoot}/**/*'],
      },
      targets: {
        'docker:build': {
          executor: '@imagewise/nx-plugin:build',
          dependsOn: ['^docker:build', 'build', '^pack'],
          inputs: ['dockerImage', '^dockerImage', { externalDependencies: [] }],
          outputs: ['{workspaceRoot}/dist/images/{projectName}'],
          cache: false,
        },
        'docker:push': { executor: '@imagewise/nx-plugin:push' },
        'docker:run': { executor: '@imagewise/nx-plugin:run', dependsOn: ['docker:build'] },
        'docker:drift': { executor: '@imagewise/nx-plugin:drift' },
        'docker:explain': { executor: '@imagewise/nx-plugin:explain' },
        'docker:prune': { executor: '@imagewise/nx-plugin:prune' },
        'docker:lock': { executor: '@imagewise/nx-plugin:lock' },
      },
      metadata: {
        technologies: ['docker'],
        imagewise: {
          imageName: 'node-base',
          dockerfile: 'images/node-base/Dockerfile',
          stages: [{ from: 'node:18-bookworm-slim' }],
          baseImages: [],
          upstreamImages: ['docker.io/library/node:18-bookworm-slim'],
          pinnedImages: [],
        },
      },
    });
  });

  it('infers docker:lock only where there is something to lock: an upstream image by tag, or a lock file', async () => {
    workspace.write({
      ...WORKSPACE,
      'services/digest-only/Dockerfile': `FROM redis:7@${REDIS_DIGEST}\n`,
      'services/stale-lock/Dockerfile': 'FROM node-base\n',
      'services/stale-lock/imagewise.lock.json': lock({ 'docker.io/library/node:16': NODE_DIGEST }),
    });
    const results = Object.fromEntries(await run([...DOCKERFILES, 'services/digest-only/Dockerfile', 'services/stale-lock/Dockerfile']));
    const hasLock = (root: string) => 'docker:lock' in (projectOf(results[`${root}/Dockerfile`], root).targets ?? {});
    expect(['images/node-base', 'images/python-base', 'services/notifier', 'services/stale-lock'].filter(hasLock)).toHaveLength(4);
    expect(['services/bruin-bridge', 'services/digest-only'].filter(hasLock)).toEqual([]);
    expect(Object.keys(projectOf(results['services/bruin-bridge/Dockerfile'], 'services/bruin-bridge').targets ?? {})).toEqual([
      'docker:build',
      'docker:push',
      'docker:run',
      'docker:drift',
      'docker:explain',
      'docker:prune',
    ]);
  });

  it('honours .dockerignore in the dockerImage input', async () => {
    workspace.write(WORKSPACE);
    const [, [, result]] = await run(DOCKERFILES);
    const project = projectOf(result, 'images/python-base');
    expect(project.namedInputs?.dockerImage).toEqual([
      '{projectRoot}/**/*',
      '!{projectRoot}/node_modules',
      '!{projectRoot}/node_modules/**',
      '!{projectRoot}/*.md',
      '!{projectRoot}/*.md/**',
    ]);
  });

  it('leaves the name to package.json or project.json, and records stages, base images and upstream images', async () => {
    workspace.write(WORKSPACE);
    const results = Object.fromEntries(await run(DOCKERFILES));

    const notifier = projectOf(results['services/notifier/Dockerfile'], 'services/notifier');
    expect(notifier).not.toHaveProperty('name');
    expect(notifier.tags).toEqual(['type:service']);
    expect(notifier.metadata.imagewise).toEqual({
      imageName: 'notifier',
      dockerfile: 'services/notifier/Dockerfile',
      version: '2.1.0',
      stages: [{ name: 'build', from: 'node-base' }, { from: 'redis:7' }],
      baseImages: ['images/node-base', 'images/python-base'],
      upstreamImages: ['docker.io/library/redis:7'],
      pinnedImages: [],
      problems: ['services/notifier/Dockerfile: upstream image docker.io/library/redis:7 has no locked digest; run the docker:lock target'],
    });

    // A pinned release is neither an edge nor an upstream image; docker:drift reports it.
    const bridge = projectOf(results['services/bruin-bridge/Dockerfile'], 'services/bruin-bridge');
    expect(bridge).not.toHaveProperty('name');
    expect(bridge.metadata.imagewise).toEqual({
      imageName: 'acme/bruin-bridge',
      dockerfile: 'services/bruin-bridge/Dockerfile',
      stages: [{ from: 'node-base:0.9.0' }],
      baseImages: [],
      upstreamImages: [],
      pinnedImages: [{ root: 'images/node-base', pin: '0.9.0', line: 1 }],
    });
  });

  it('puts the upstream images on the first result as external nodes, hashed by their locked digest', async () => {
    workspace.write({
      ...WORKSPACE,
      'services/notifier/Dockerfile': `FROM node-base\nFROM redis:7@${REDIS_DIGEST}\nFROM busybox\n`,
    });
    const results = await run(DOCKERFILES);
    expect(results[0][1].externalNodes).toEqual({
      'docker:docker.io/library/node:18-bookworm-slim': {
        type: 'docker',
        name: 'docker:docker.io/library/node:18-bookworm-slim',
        data: { packageName: 'docker.io/library/node:18-bookworm-slim', version: NODE_DIGEST, hash: NODE_DIGEST },
      },
      'docker:docker.io/library/python:3.11-slim': {
        type: 'docker',
        name: 'docker:docker.io/library/python:3.11-slim',
        data: { packageName: 'docker.io/library/python:3.11-slim', version: PYTHON_DIGEST, hash: PYTHON_DIGEST },
      },
      [`docker:docker.io/library/redis:7@${REDIS_DIGEST}`]: {
        type: 'docker',
        name: `docker:docker.io/library/redis:7@${REDIS_DIGEST}`,
        data: { packageName: 'docker.io/library/redis:7', version: REDIS_DIGEST, hash: REDIS_DIGEST },
      },
      'docker:docker.io/library/busybox': {
        type: 'docker',
        name: 'docker:docker.io/library/busybox',
        data: { packageName: 'docker.io/library/busybox', version: 'unlocked', hash: 'unlocked:docker.io/library/busybox' },
      },
    });
    expect(results.slice(1).map(([, result]) => result.externalNodes)).toEqual([undefined, undefined, undefined]);
    // The project names its external nodes: `docker:` and each of these.
    expect(projectOf(results[2][1], 'services/notifier').metadata.imagewise.upstreamImages).toEqual([
      `docker.io/library/redis:7@${REDIS_DIGEST}`,
      'docker.io/library/busybox',
    ]);
  });

  it('changes an external node hash when the lock file changes', async () => {
    workspace.write(WORKSPACE);
    const before = (await run(DOCKERFILES))[0][1].externalNodes?.['docker:docker.io/library/node:18-bookworm-slim'];
    const refreshed = `sha256:${'9'.repeat(64)}`;
    workspace.write({ 'images/node-base/imagewise.lock.json': lock({ 'docker.io/library/node:18-bookworm-slim': refreshed }) });
    const after = (await run(DOCKERFILES))[0][1].externalNodes?.['docker:docker.io/library/node:18-bookworm-slim'];
    expect(before?.data.hash).toBe(NODE_DIGEST);
    expect(after?.data.hash).toBe(refreshed);
  });

  it('follows the options: dockerfiles globs, tags and registries', async () => {
    workspace.write({
      ...WORKSPACE,
      'tools/ci/Dockerfile': 'FROM registry.example.com/acme/node-base\n',
    });
    const results = await run(DOCKERFILES, {
      dockerfiles: ['images/*/Dockerfile', 'tools/**/Dockerfile'],
      baseImageTag: 'layer:base',
      serviceTag: 'layer:app',
      registry: 'registry.example.com/acme',
    });
    expect(results.map(([file]) => file)).toEqual(['images/node-base/Dockerfile', 'images/python-base/Dockerfile', 'tools/ci/Dockerfile']);
    const ci = projectOf(results[2][1], 'tools/ci');
    expect(ci.name).toBe('ci');
    expect(ci.tags).toEqual(['layer:app']);
    expect(ci.metadata.imagewise.baseImages).toEqual(['images/node-base']);
    expect(projectOf(results[0][1], 'images/node-base').tags).toEqual(['layer:base']);
  });

  it('takes all files of dependencies as inputs, with a warning, when nx.json has no dockerImage input', async () => {
    workspace.write(WORKSPACE);
    await run(DOCKERFILES);
    expect(workspace.warn).not.toHaveBeenCalledWith(expect.stringContaining('nx.json defines no "dockerImage" named input'));

    const [[, result]] = await run(DOCKERFILES, undefined, context(false));
    expect(projectOf(result, 'images/node-base').targets?.['docker:build']?.inputs).toEqual(['dockerImage', '^default', { externalDependencies: [] }]);
    expect(workspace.warn).toHaveBeenCalledWith(expect.stringContaining('nx.json defines no "dockerImage" named input'));
  });

  it('logs each problem and keeps it on its own project only', async () => {
    workspace.write({
      'images/a/Dockerfile': 'FROM a\n',
      'images/b/Dockerfile': 'FROM Alpine\n',
      'images/b/imagewise.lock.json': '{"upstream": ',
    });
    const results = await run(['images/a/Dockerfile', 'images/b/Dockerfile']);
    expect(projectOf(results[0][1], 'images/a').metadata.imagewise.problems).toEqual([
      'images/a/Dockerfile:1: the image builds FROM itself ("a"); name a base image',
    ]);
    const problems = projectOf(results[1][1], 'images/b').metadata.imagewise.problems ?? [];
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^images\/b\/Dockerfile:1: FROM "Alpine" is not a valid image reference/);
    expect(problems[1]).toMatch(/^images\/b\/imagewise\.lock\.json:1: is not valid JSON/);
    expect(workspace.warn.mock.calls.map(([message]) => message).sort()).toEqual(
      ['images/a/Dockerfile:1: the image builds FROM itself ("a"); name a base image', ...problems].map((p) => `[imagewise] ${p}`).sort(),
    );
  });

  it('turns each unreadable, oversized, non-regular or garbage file into one problem, and reads the rest', async () => {
    const garbage = Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919 + 13) % 256));
    workspace.write({
      'images/base/Dockerfile': 'FROM scratch\n',
      'images/garbage/README.md': 'its Dockerfile is written below',
      'images/pipe/Dockerfile': 'FROM base\n',
      'images/folder/Dockerfile': 'FROM base\n',
      'images/folder/project.json/readme.txt': 'a directory, not a file',
      'images/dangling/Dockerfile': 'FROM base\n',
      'images/huge/Dockerfile': `FROM base\n${'# padding\n'.repeat(200_000)}`,
      'images/ignore/Dockerfile': 'FROM base\n',
      'images/ignore/.dockerignore': `node_modules\n${'*'.repeat(70_000)}\n`,
    });
    writeFileSync(join(workspace.root, 'images/garbage/Dockerfile'), garbage, { flag: 'w' });
    execFileSync('mkfifo', [join(workspace.root, 'images/pipe/package.json')]);
    symlinkSync('missing.json', join(workspace.root, 'images/dangling/project.json'));
    workspace.write({ 'shared/Dockerfile': 'FROM base\n', 'images/linked/README.md': 'its Dockerfile is a link inside the workspace' });
    symlinkSync('../../shared/Dockerfile', join(workspace.root, 'images/linked/Dockerfile'));
    mkdirSync(join(workspace.root, 'images/passwd'));
    symlinkSync('/etc/passwd', join(workspace.root, 'images/passwd/Dockerfile'));
    const roots = ['base', 'pipe', 'folder', 'dangling', 'huge', 'ignore', 'garbage', 'linked', 'passwd'].map((name) => `images/${name}`);
    const results = await run(roots.map((root) => `${root}/Dockerfile`));
    const problemsOf = (root: string) => projectOf(results[roots.indexOf(root)][1], root).metadata.imagewise.problems ?? [];

    expect(problemsOf('images/base')).toEqual([]);
    expect(problemsOf('images/pipe')).toEqual(['images/pipe/package.json: is a named pipe (FIFO), not a regular file: make it a file or remove it']);
    expect(problemsOf('images/folder')).toEqual(['images/folder/project.json: is a directory, not a regular file: make it a file or remove it']);
    expect(problemsOf('images/dangling')).toEqual([
      'images/dangling/project.json: is a symlink to a file that does not exist: point it at a file or remove it',
    ]);
    expect(problemsOf('images/huge')).toEqual([
      expect.stringMatching(/^images\/huge\/Dockerfile: is 2000010 bytes, more than the 1048576 bytes Imagewise reads/),
    ]);
    expect(problemsOf('images/ignore')).toEqual([
      expect.stringMatching(/^images\/ignore\/\.dockerignore:2: a pattern of 70000 characters is longer than any path/),
    ]);
    expect(problemsOf('images/passwd')).toEqual([
      'images/passwd/Dockerfile: is a symlink to a file outside the workspace, which Imagewise does not read: put the file itself here',
    ]);
    expect(problemsOf('images/linked')).toEqual([]);
    // The projects beside a bad file keep their edges.
    for (const root of ['images/pipe', 'images/folder', 'images/dangling', 'images/ignore', 'images/linked']) {
      expect(projectOf(results[roots.indexOf(root)][1], root).metadata.imagewise.baseImages).toEqual(['images/base']);
    }
    // Garbage: a few problems and a count, each message short.
    const garbageProblems = problemsOf('images/garbage');
    expect(garbageProblems.length).toBeGreaterThan(1);
    expect(garbageProblems.length).toBeLessThanOrEqual(6);
    expect(garbageProblems.at(-1)).toMatch(/^images\/garbage\/Dockerfile: has \d+ more problems, not shown: fix the ones above first$/);
    for (const problem of garbageProblems) expect(problem.length).toBeLessThan(300);
  });

  it('reports images that build FROM each other on the FROM line that closes the cycle, in metadata too', async () => {
    workspace.write({ 'images/a/Dockerfile': 'FROM scratch\nFROM b\n', 'images/b/Dockerfile': 'FROM a\n' });
    const results = await run(['images/a/Dockerfile', 'images/b/Dockerfile']);
    const [a, b] = [projectOf(results[0][1], 'images/a'), projectOf(results[1][1], 'images/b')];
    expect(a.metadata.imagewise.baseImages).toEqual(['images/b']);
    expect(b.metadata.imagewise.baseImages).toEqual([]);
    expect(b.metadata.imagewise.problems).toEqual(['images/b/Dockerfile:1: images build FROM each other in a cycle (a → b → a); break it']);
    expect(a.metadata.imagewise.problems ?? []).toEqual([]);
  });

  it('tags as base images what other images build FROM, whatever the folder, and never contradicts a declared kind', async () => {
    workspace.write({
      'services/runtime/Dockerfile': 'FROM scratch\n',
      'services/app/Dockerfile': 'FROM runtime\n',
      'images/fresh-base/Dockerfile': 'FROM scratch\n',
      'images/fresh-base/package.json': JSON.stringify({ name: 'fresh-base', version: '1.0.0', nx: { tags: ['type:base-image'] } }),
    });
    const roots = ['services/runtime', 'services/app', 'images/fresh-base'];
    const results = await run(roots.map((root) => `${root}/Dockerfile`));
    const tags = roots.map((root, i) => projectOf(results[i][1], root).tags);
    expect(tags).toEqual([['type:base-image'], ['type:service'], []]);
  });

  it('makes no projects and no external nodes when no Dockerfile is selected', async () => {
    workspace.write({ 'tools/ci/Dockerfile': 'FROM alpine\n' });
    expect(await run(['tools/ci/Dockerfile'])).toEqual([]);
  });
});
