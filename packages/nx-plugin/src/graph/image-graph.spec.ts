import { describe, expect, it } from 'vitest';
import { formatLockFile } from '../lock/lock-file';
import { buildImageGraph } from './image-graph';
import { readImageProject, type ImageProjectFiles } from './image-project';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const PINNED = `sha256:${'3'.repeat(64)}`;

const lock = (upstream: Record<string, string>) => formatLockFile({ upstream });
const project = (dockerfile: string, dockerfileText: string, files: Partial<ImageProjectFiles> = {}) =>
  readImageProject({ dockerfile, dockerfileText, ...files });

const NODE_BASE = project('images/node-base/Dockerfile', 'FROM node:18\n', {
  packageJsonText: '{"name": "node-base", "version": "1.0.0"}',
  lockText: lock({ 'docker.io/library/node:18': D1 }),
});
const PYTHON_BASE = project('images/python-base/Dockerfile', 'FROM python:3.11-slim\n', {
  lockText: lock({ 'docker.io/library/python:3.11-slim': D2 }),
});

describe('buildImageGraph', () => {
  it('classifies every image use of every project: edges, upstream images and pinned releases', () => {
    const notifier = project(
      'services/notifier/Dockerfile',
      [
        'FROM node-base AS build', // 1: workspace image
        'COPY --from=python-base /opt /opt', // 2: workspace image through COPY --from
        'FROM node-base:0.9.0', // 3: a release of a workspace image
        'COPY --from=build /app /app', // 4: a stage, not an image
        `FROM redis:7@${PINNED}`, // 5: upstream, pinned by digest
        'FROM scratch', // 6: nothing
        'FROM node:18', // 7: upstream, locked
      ].join('\n'),
      { lockText: lock({ 'docker.io/library/node:18': D1 }) },
    );
    const graph = buildImageGraph([NODE_BASE, PYTHON_BASE, notifier], { registries: [] });

    expect(graph.dependencies.get('services/notifier/Dockerfile')).toEqual({
      images: [
        { root: 'images/node-base', dockerfile: 'images/node-base/Dockerfile', line: 1 },
        { root: 'images/python-base', dockerfile: 'images/python-base/Dockerfile', line: 2 },
      ],
      upstream: [
        { node: `docker:docker.io/library/redis:7@${PINNED}`, reference: 'docker.io/library/redis:7', line: 5 },
        { node: 'docker:docker.io/library/node:18', reference: 'docker.io/library/node:18', line: 7 },
      ],
      pinned: [{ root: 'images/node-base', imageName: 'node-base', pin: '0.9.0', workspaceVersion: '1.0.0', line: 3 }],
    });
    expect(graph.dependencies.get('images/node-base/Dockerfile')).toEqual({
      images: [],
      upstream: [{ node: 'docker:docker.io/library/node:18', reference: 'docker.io/library/node:18', line: 1 }],
      pinned: [],
    });
    expect(graph.upstreamNodes).toEqual(
      new Map([
        ['docker:docker.io/library/node:18', { name: 'docker:docker.io/library/node:18', reference: 'docker.io/library/node:18', digest: D1 }],
        [
          'docker:docker.io/library/python:3.11-slim',
          { name: 'docker:docker.io/library/python:3.11-slim', reference: 'docker.io/library/python:3.11-slim', digest: D2 },
        ],
        [
          `docker:docker.io/library/redis:7@${PINNED}`,
          { name: `docker:docker.io/library/redis:7@${PINNED}`, reference: 'docker.io/library/redis:7', digest: PINNED },
        ],
      ]),
    );
    expect(graph.problems).toEqual([]);
  });

  it('keeps the image name of a pinned project set in its docker:build options', () => {
    const base = project('images/base/Dockerfile', 'FROM node:18\n', {
      projectJsonText: JSON.stringify({ targets: { 'docker:build': { options: { imageName: 'acme/base' } } } }),
      lockText: lock({ 'docker.io/library/node:18': D1 }),
    });
    const app = project('services/app/Dockerfile', `FROM acme/base@${PINNED}\n`);
    const graph = buildImageGraph([base, app], { registries: [] });
    expect(graph.dependencies.get('services/app/Dockerfile')?.pinned).toEqual([{ root: 'images/base', imageName: 'acme/base', pin: PINNED, line: 1 }]);
    expect(graph.upstreamNodes.size).toBe(1);
  });

  it('matches workspace images under the registries given, and under a registry an ARG names', () => {
    const app = project(
      'services/app/Dockerfile',
      ['ARG REGISTRY=ci.internal:5000', 'FROM ${REGISTRY}/node-base', 'FROM localhost:5000/python-base:latest', 'FROM ${REGISTRY}/redis:7'].join('\n'),
      { lockText: lock({ 'ci.internal:5000/redis:7': D2 }) },
    );
    const graph = buildImageGraph([NODE_BASE, PYTHON_BASE, app], { registries: ['localhost:5000'] });
    expect(graph.dependencies.get('services/app/Dockerfile')).toEqual({
      images: [
        { root: 'images/node-base', dockerfile: 'images/node-base/Dockerfile', line: 2 },
        { root: 'images/python-base', dockerfile: 'images/python-base/Dockerfile', line: 3 },
      ],
      upstream: [{ node: 'docker:ci.internal:5000/redis:7', reference: 'ci.internal:5000/redis:7', line: 4 }],
      pinned: [],
    });
    expect(graph.problems).toEqual([]);

    // Without the registry option, a literal registry is somebody else's.
    const without = buildImageGraph([NODE_BASE, PYTHON_BASE, app], { registries: [] });
    expect(without.dependencies.get('services/app/Dockerfile')?.images).toEqual([
      { root: 'images/node-base', dockerfile: 'images/node-base/Dockerfile', line: 2 },
    ]);
    expect(without.upstreamNodes.has('docker:localhost:5000/python-base:latest')).toBe(true);
  });

  it('does not treat an image named whole by an ARG as coming from a workspace registry', () => {
    const app = project('services/app/Dockerfile', 'ARG BASE=ghcr.io/acme/node-base\nFROM ${BASE}\n');
    const graph = buildImageGraph([NODE_BASE, app], { registries: [] });
    expect(graph.dependencies.get('services/app/Dockerfile')).toMatchObject({ images: [], upstream: [{ reference: 'ghcr.io/acme/node-base' }] });
  });

  it('reports a project that builds FROM itself, without a self edge', () => {
    const base = project('images/node-base/Dockerfile', 'FROM node:18 AS deps\nFROM node-base\n', { lockText: lock({ 'docker.io/library/node:18': D1 }) });
    const graph = buildImageGraph([base], { registries: [] });
    expect(graph.dependencies.get('images/node-base/Dockerfile')?.images).toEqual([]);
    expect(graph.problems).toEqual([
      { file: 'images/node-base/Dockerfile', line: 2, message: 'the image builds FROM itself ("node-base"); name a base image' },
    ]);
  });

  it('allows FROM an earlier release of itself (a pinned release)', () => {
    const base = project('images/node-base/Dockerfile', 'FROM node-base:0.9.0\n', { packageJsonText: '{"version": "1.0.0"}' });
    const graph = buildImageGraph([base], { registries: [] });
    expect(graph.dependencies.get('images/node-base/Dockerfile')?.pinned).toMatchObject([{ root: 'images/node-base', pin: '0.9.0' }]);
    expect(graph.problems).toEqual([]);
  });

  describe('image names claimed twice', () => {
    const a = project('images/a/Dockerfile', `FROM node:18@${PINNED}\n`, {
      projectJsonText: '{"targets": {"docker:build": {"options": {"imageName": "base"}}}}',
    });
    const b = project('images/b/Dockerfile', `FROM node:18@${PINNED}\n`, {
      projectJsonText: '{"targets": {"docker:build": {"options": {"imageName": "base"}}}}',
    });
    const app = project('services/app/Dockerfile', 'FROM base\n');
    const graph = buildImageGraph([a, b, app], { registries: [] });

    it('are reported on each claimant, naming the others', () => {
      expect(graph.problems.filter((p) => p.file !== 'services/app/Dockerfile')).toEqual([
        {
          file: 'images/a/Dockerfile',
          line: 0,
          message: 'image name "base" is also claimed by images/b/Dockerfile; give each project its own imageName or tagScheme (docker:build options)',
        },
        {
          file: 'images/b/Dockerfile',
          line: 0,
          message: 'image name "base" is also claimed by images/a/Dockerfile; give each project its own imageName or tagScheme (docker:build options)',
        },
      ]);
    });

    it('make a FROM naming them a problem, neither an edge nor an upstream Docker Hub image', () => {
      expect(graph.dependencies.get('services/app/Dockerfile')).toEqual({ images: [], upstream: [], pinned: [] });
      expect([...graph.upstreamNodes.keys()]).toEqual([`docker:docker.io/library/node:18@${PINNED}`]);
      const problems = graph.problems.filter((p) => p.file === 'services/app/Dockerfile');
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ line: 1 });
      expect(problems[0].message).toContain('images/a/Dockerfile, images/b/Dockerfile');
      expect(problems[0].message).toMatch(/; fix the image name$/);
    });
  });

  describe('lock digests per upstream node', () => {
    it('gives a node the digest its lock files agree on, and keeps a project without one unlocked and reported', () => {
      const a = project('services/a/Dockerfile', 'FROM node:18\n', { lockText: lock({ 'docker.io/library/node:18': D1 }) });
      const b = project('services/b/Dockerfile', 'FROM node:18\nRUN true\nFROM node:18\n', { lockText: lock({ 'docker.io/library/node:18': D1 }) });
      const c = project('services/c/Dockerfile', 'FROM node:18\nFROM node:18\n');
      const graph = buildImageGraph([a, b, c], { registries: [] });
      expect(graph.upstreamNodes.get('docker:docker.io/library/node:18')?.digest).toBe(D1);
      // Once for c, though it names the image twice.
      expect(graph.problems).toEqual([
        { file: 'services/c/Dockerfile', line: 0, message: 'upstream image docker.io/library/node:18 has no locked digest; run the docker:lock target' },
      ]);
    });

    it('says which option to check when an unlocked image looks like a workspace image under another registry', () => {
      const service = project('services/a/Dockerfile', 'FROM registry.acme.example/platform/node-base:1.0\n');
      const graph = buildImageGraph([NODE_BASE, service], { registries: ['ci-registry:5000'] });
      expect(graph.problems.filter((p) => p.file === 'services/a/Dockerfile')).toEqual([
        {
          file: 'services/a/Dockerfile',
          line: 0,
          message: expect.stringMatching(
            /^registry\.acme\.example\/platform\/node-base:1\.0 looks like workspace image "node-base" under registry\.acme\.example\/platform, which the workspace does not recognise as its own: if it is, add "registry\.acme\.example\/platform" to the plugin option "registries"/,
          ),
        },
      ]);
      // Recognised, it is an edge.
      expect(
        buildImageGraph([NODE_BASE, service], { registries: ['registry.acme.example/platform'] }).dependencies.get('services/a/Dockerfile')?.pinned,
      ).toHaveLength(1);
    });

    it('leaves an unlocked node without a digest', () => {
      const graph = buildImageGraph([project('services/a/Dockerfile', 'FROM node:18\n', { lockText: lock({ 'docker.io/library/node:20': D1 }) })], {
        registries: [],
      });
      expect(graph.upstreamNodes.get('docker:docker.io/library/node:18')).toEqual({
        name: 'docker:docker.io/library/node:18',
        reference: 'docker.io/library/node:18',
        digest: undefined,
      });
      expect(graph.problems.map((p) => p.message)).toEqual(['upstream image docker.io/library/node:18 has no locked digest; run the docker:lock target']);
    });

    it('looks digests up by normalised reference, whatever the FROM spelling', () => {
      const a = project('services/a/Dockerfile', 'FROM docker.io/library/node:18\nFROM index.docker.io/library/node:18\n', {
        lockText: lock({ 'docker.io/library/node:18': D2 }),
      });
      const graph = buildImageGraph([a], { registries: [] });
      expect([...graph.upstreamNodes.values()]).toEqual([{ name: 'docker:docker.io/library/node:18', reference: 'docker.io/library/node:18', digest: D2 }]);
    });

    it('reports lock files that disagree once, and gives the node no digest', () => {
      const a = project('services/a/Dockerfile', 'FROM node:18\n', { lockText: lock({ 'docker.io/library/node:18': D1 }) });
      const b = project('services/b/Dockerfile', 'FROM node:18\nFROM node:18\n', { lockText: lock({ 'docker.io/library/node:18': D2 }) });
      const c = project('services/c/Dockerfile', 'FROM node:18\n', { lockText: lock({ 'docker.io/library/node:18': D1 }) });
      const graph = buildImageGraph([a, b, c], { registries: [] });
      expect(graph.upstreamNodes.get('docker:docker.io/library/node:18')?.digest).toBeUndefined();
      expect(graph.problems).toEqual([
        {
          file: 'services/a/Dockerfile',
          line: 0,
          message: `lock files disagree on docker.io/library/node:18 (services/a/Dockerfile, services/c/Dockerfile → ${D1.slice(0, 19)}…; services/b/Dockerfile → ${D2.slice(0, 19)}…); run docker:lock for all of them`,
        },
      ]);
    });

    it('needs no lock for a FROM that names a digest, and keeps such a node apart from the tag', () => {
      const a = project('services/a/Dockerfile', `FROM node:18@${PINNED}\nFROM node:18\n`, { lockText: lock({ 'docker.io/library/node:18': D1 }) });
      const b = project('services/b/Dockerfile', `FROM node:18@${PINNED}\n`);
      const graph = buildImageGraph([a, b], { registries: [] });
      expect(graph.upstreamNodes.get(`docker:docker.io/library/node:18@${PINNED}`)?.digest).toBe(PINNED);
      expect(graph.upstreamNodes.get('docker:docker.io/library/node:18')?.digest).toBe(D1);
      expect(graph.problems).toEqual([]);
    });
  });

  it('passes on the problems of the projects themselves', () => {
    const broken = project('services/broken/Dockerfile', 'FROM Node:18\n', { lockText: '{' });
    const graph = buildImageGraph([broken], { registries: [] });
    expect(graph.problems.map((p) => [p.file, p.line])).toEqual([
      ['services/broken/Dockerfile', 1],
      ['services/broken/imagewise.lock.json', 1],
    ]);
    expect(graph.dependencies.get('services/broken/Dockerfile')).toEqual({ images: [], upstream: [], pinned: [] });
  });

  describe('images sharing a repository by tag scheme', () => {
    const sdk = (arch: string, scheme = '{version}-{OS}-{ARCH}') =>
      project(`images/sdk-${arch}/Dockerfile`, `ARG OS=jammy\nFROM scratch\n`, {
        projectJsonText: JSON.stringify({ targets: { 'docker:build': { options: { imageName: 'sdk', tagScheme: scheme, buildArgs: { ARCH: arch } } } } }),
        packageJsonText: '{"version": "8.0"}',
      });
    const app = project('services/app/Dockerfile', 'ARG REPO=registry.example.com/sdk\nARG TAG=8.0-jammy-arm64\nFROM $REPO:$TAG\nFROM $REPO:7.0-jammy-amd64\n');
    const graph = buildImageGraph([sdk('amd64'), sdk('arm64'), app], { registries: ['registry.example.com'] });

    it('fills each scheme from the build args and the ARG defaults, for the metadata', () => {
      expect(graph.tagSchemes).toEqual(
        new Map([
          ['images/sdk-amd64/Dockerfile', '{version}-jammy-amd64'],
          ['images/sdk-arm64/Dockerfile', '{version}-jammy-arm64'],
        ]),
      );
      expect(graph.problems).toEqual([]);
    });

    it('makes an ARG-built FROM of one tag an edge to the image producing it, and a release of a scheme a pin', () => {
      expect(graph.dependencies.get('services/app/Dockerfile')).toEqual({
        images: [{ root: 'images/sdk-arm64', dockerfile: 'images/sdk-arm64/Dockerfile', line: 3 }],
        upstream: [],
        pinned: [{ root: 'images/sdk-amd64', imageName: 'sdk', pin: '7.0-jammy-amd64', workspaceVersion: '8.0', line: 4 }],
      });
      expect([...graph.baseImages]).toEqual(['images/sdk-arm64']);
    });

    it('takes a tag no scheme produces as a deliberate pin only where the Dockerfile marks it', () => {
      const old = project(
        'services/old/Dockerfile',
        'FROM registry.example.com/sdk:7.0-focal-amd64\n# imagewise: pin until focal is gone\nFROM registry.example.com/sdk:7.0-focal-amd64\n',
      );
      const found = buildImageGraph([sdk('amd64'), sdk('arm64'), old], { registries: ['registry.example.com'] });
      expect(found.dependencies.get('services/old/Dockerfile')!.pinned).toEqual([
        { root: 'images/sdk-amd64', imageName: 'sdk', pin: '7.0-focal-amd64', workspaceVersion: '8.0', line: 3 },
      ]);
      expect(found.problems).toEqual([
        {
          file: 'services/old/Dockerfile',
          line: 1,
          message: expect.stringMatching(/names repository sdk at a tag none of its workspace images produces .*; fix the image name$/),
        },
      ]);
    });

    it('reports a scheme it cannot fill on the image, which keeps no scheme meanwhile', () => {
      const broken = project('images/broken/Dockerfile', 'FROM scratch\n', {
        projectJsonText: JSON.stringify({ targets: { 'docker:build': { options: { tagScheme: '{version}-{FLAVOUR}' } } } }),
      });
      const problems = buildImageGraph([broken], { registries: [] }).problems;
      expect(problems).toEqual([
        { file: 'images/broken/Dockerfile', line: 0, message: expect.stringMatching(/tag scheme "\{version\}-\{FLAVOUR\}" names \{FLAVOUR\}/) },
      ]);
    });
  });
});
