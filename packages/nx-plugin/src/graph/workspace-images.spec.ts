import { describe, expect, it } from 'vitest';
import { classifyImageUse, indexWorkspaceImages, type WorkspaceImage } from './workspace-images';

const DIGEST = `sha256:${'a'.repeat(64)}`;

const NODE_BASE: WorkspaceImage = { project: 'images/node-base', imageName: 'node-base', version: '1.2.0', dockerfile: 'images/node-base/Dockerfile' };
const PYTHON_BASE: WorkspaceImage = { project: 'images/python-base', imageName: 'python-base', dockerfile: 'images/python-base/Dockerfile' };
const TEAM_TOOLS: WorkspaceImage = { project: 'images/tools', imageName: 'team/tools', version: '3.0.0', dockerfile: 'images/tools/Dockerfile' };

const index = indexWorkspaceImages([NODE_BASE, PYTHON_BASE, TEAM_TOOLS]);
const classify = (value: string, registries: string[] = [], registryFromArg = false) => classifyImageUse(value, registryFromArg, index, { registries });

describe('indexWorkspaceImages', () => {
  it('indexes the images of each repository', () => {
    expect([...index.byName.keys()].sort()).toEqual(['node-base', 'python-base', 'team/tools']);
    expect(index.byName.get('node-base')).toEqual([{ ...NODE_BASE, scheme: { before: '', after: '' } }]);
    expect(index.conflicts.size).toBe(0);
  });

  it('groups the images of one repository that claim the same tags as one conflict, with every claimant', () => {
    const other = { project: 'services/node-base', imageName: 'node-base', dockerfile: 'services/node-base/Dockerfile' };
    const third = { project: 'legacy/node-base', imageName: 'node-base', dockerfile: 'legacy/node-base/Dockerfile' };
    const conflicted = indexWorkspaceImages([NODE_BASE, other, PYTHON_BASE, third]);
    expect(conflicted.conflicts.get('node-base')).toEqual([[NODE_BASE, other, third]]);
    expect(conflicted.conflicts.has('python-base')).toBe(false);
  });
});

describe('classifyImageUse', () => {
  describe('bare names (Docker Hub by grammar)', () => {
    it('makes a workspace image name without a tag, with latest, or with its version an edge', () => {
      for (const value of ['node-base', 'node-base:latest', 'node-base:1.2.0']) {
        expect(classify(value), value).toEqual({ kind: 'workspace', project: 'images/node-base' });
      }
    });

    it('matches a name with a namespace, and the explicit library/ namespace only by that name', () => {
      expect(classify('team/tools:3.0.0')).toEqual({ kind: 'workspace', project: 'images/tools' });
      expect(classify('library/node-base')).toEqual({ kind: 'upstream', reference: 'docker.io/library/node-base' });
    });

    it('makes another tag or a digest of a workspace image a pinned release', () => {
      expect(classify('node-base:1.1.0')).toEqual({ kind: 'pinned', project: 'images/node-base', pin: '1.1.0' });
      expect(classify(`node-base@${DIGEST}`)).toEqual({ kind: 'pinned', project: 'images/node-base', pin: DIGEST });
      expect(classify(`node-base:1.2.0@${DIGEST}`)).toEqual({ kind: 'pinned', project: 'images/node-base', pin: DIGEST });
    });

    it('treats any tag but latest as pinned when the workspace image has no version', () => {
      expect(classify('python-base')).toEqual({ kind: 'workspace', project: 'images/python-base' });
      expect(classify('python-base:3.11')).toEqual({ kind: 'pinned', project: 'images/python-base', pin: '3.11' });
    });

    it('makes other names upstream references, normalised, with the digest apart', () => {
      expect(classify('node:18-bookworm-slim')).toEqual({ kind: 'upstream', reference: 'docker.io/library/node:18-bookworm-slim' });
      expect(classify('bitnami/redis')).toEqual({ kind: 'upstream', reference: 'docker.io/bitnami/redis' });
      expect(classify(`node:18@${DIGEST}`)).toEqual({ kind: 'upstream', reference: 'docker.io/library/node:18', digest: DIGEST });
    });

    it('treats an explicitly written Docker Hub name as upstream, even if it matches a workspace image', () => {
      expect(classify('docker.io/node-base')).toEqual({ kind: 'upstream', reference: 'docker.io/library/node-base' });
      expect(classify('index.docker.io/library/node-base:1.2.0')).toEqual({ kind: 'upstream', reference: 'docker.io/library/node-base:1.2.0' });
    });

    it('only treats docker.io as written when it is the registry, not the start of a name', () => {
      const dotted = indexWorkspaceImages([{ project: 'images/mirror', imageName: 'docker.io-mirror', dockerfile: 'images/mirror/Dockerfile' }]);
      expect(classifyImageUse('docker.io-mirror', false, dotted, { registries: [] })).toEqual({ kind: 'workspace', project: 'images/mirror' });
    });
  });

  describe('registries option', () => {
    it('matches names under a workspace registry, with or without a namespace and trailing slash', () => {
      expect(classify('registry.example.com:5000/node-base', ['registry.example.com:5000'])).toEqual({ kind: 'workspace', project: 'images/node-base' });
      expect(classify('registry.example.com/acme/node-base:1.2.0', ['registry.example.com/acme/'])).toEqual({
        kind: 'workspace',
        project: 'images/node-base',
      });
      expect(classify('registry.example.com/acme/team/tools', ['registry.example.com/acme'])).toEqual({ kind: 'workspace', project: 'images/tools' });
    });

    it('compares registry host names case-insensitively', () => {
      expect(classify('Registry.Example.com/node-base', ['registry.example.com'])).toEqual({ kind: 'workspace', project: 'images/node-base' });
      expect(classify('registry.example.com/node-base', ['REGISTRY.example.com'])).toEqual({ kind: 'workspace', project: 'images/node-base' });
    });

    it('classifies tags and digests under a workspace registry like bare names', () => {
      expect(classify('localhost:5000/node-base:0.9.0', ['localhost:5000'])).toEqual({ kind: 'pinned', project: 'images/node-base', pin: '0.9.0' });
      expect(classify(`localhost:5000/node-base@${DIGEST}`, ['localhost:5000'])).toEqual({ kind: 'pinned', project: 'images/node-base', pin: DIGEST });
    });

    it('leaves images of other registries, and unknown names under a workspace registry, upstream', () => {
      expect(classify('ghcr.io/acme/node-base', ['registry.example.com'])).toEqual({ kind: 'upstream', reference: 'ghcr.io/acme/node-base' });
      expect(classify('registry.example.com/other/node-base', ['registry.example.com/acme'])).toEqual({
        kind: 'upstream',
        reference: 'registry.example.com/other/node-base',
      });
      expect(classify('registry.example.com/redis:7', ['registry.example.com'])).toEqual({ kind: 'upstream', reference: 'registry.example.com/redis:7' });
    });

    it('tries every registry whose prefix matches, not only the first', () => {
      const registries = ['registry.example.com', 'registry.example.com/acme'];
      expect(classify('registry.example.com/acme/node-base', registries)).toEqual({ kind: 'workspace', project: 'images/node-base' });
    });

    it('matches a short Docker Hub name under a Docker Hub namespace registry', () => {
      expect(classify('acme/node-base', ['docker.io/acme'])).toEqual({ kind: 'workspace', project: 'images/node-base' });
      expect(classify('docker.io/acme/node-base', ['docker.io/acme'])).toEqual({ kind: 'workspace', project: 'images/node-base' });
      expect(classify('acme/node-base')).toEqual({ kind: 'upstream', reference: 'docker.io/acme/node-base' });
    });
  });

  describe('registry from an ARG', () => {
    it('matches the longest path suffix that is a workspace image name, under any registry', () => {
      expect(classify('ci-registry.internal:5000/node-base:1.2.0', [], true)).toEqual({ kind: 'workspace', project: 'images/node-base' });
      expect(classify('ghcr.io/acme/team/tools', [], true)).toEqual({ kind: 'workspace', project: 'images/tools' });
      expect(classify('ghcr.io/acme/node-base:2.0.0', [], true)).toEqual({ kind: 'pinned', project: 'images/node-base', pin: '2.0.0' });
      expect(classify('acme/node-base', [], true)).toEqual({ kind: 'workspace', project: 'images/node-base' });
    });

    it('is needed: the same names from a literal registry are upstream', () => {
      expect(classify('ci-registry.internal:5000/node-base', [], false)).toEqual({
        kind: 'upstream',
        reference: 'ci-registry.internal:5000/node-base',
      });
      expect(classify('ghcr.io/acme/redis', [], true)).toEqual({ kind: 'upstream', reference: 'ghcr.io/acme/redis' });
    });
  });

  describe('names several projects claim', () => {
    const conflicted = indexWorkspaceImages([
      NODE_BASE,
      { project: 'services/node-base', imageName: 'node-base', dockerfile: 'services/node-base/Dockerfile' },
    ]);

    it('are invalid, naming the claimants, rather than an edge or an upstream Docker Hub image', () => {
      for (const [value, registries, fromArg] of [
        ['node-base', [], false],
        ['localhost:5000/node-base', ['localhost:5000'], false],
        ['ghcr.io/acme/node-base', [], true],
      ] as const) {
        const target = classifyImageUse(value, fromArg, conflicted, { registries: [...registries] });
        expect(target.kind, value).toBe('invalid');
        expect(target).toMatchObject({ message: expect.stringContaining('images/node-base/Dockerfile, services/node-base/Dockerfile') });
      }
    });
  });

  it('reports an invalid reference with the parser message', () => {
    const target = classify('Node-Base:1');
    expect(target.kind).toBe('invalid');
    expect(target).toMatchObject({ message: expect.stringContaining('invalid image reference "Node-Base:1"') });
    expect(classify('node-base:bad tag').kind).toBe('invalid');
  });

  describe('repositories shared by variants (tag schemes)', () => {
    const X: WorkspaceImage = { project: 'images/x', imageName: 'x', version: '1.2.0', dockerfile: 'images/x/Dockerfile' };
    const CUDA: WorkspaceImage = { ...X, project: 'images/x/cuda', tagScheme: { before: 'cuda-', after: '' }, dockerfile: 'images/x/cuda/Dockerfile' };
    const AMD64: WorkspaceImage = {
      project: 'images/sdk-amd64',
      imageName: 'sdk',
      version: '8.0',
      tagScheme: { before: '', after: '-jammy-amd64' },
      dockerfile: 'images/sdk-amd64/Dockerfile',
    };
    const ARM64: WorkspaceImage = {
      ...AMD64,
      project: 'images/sdk-arm64',
      tagScheme: { before: '', after: '-jammy-arm64' },
      dockerfile: 'images/sdk-arm64/Dockerfile',
    };
    const shared = indexWorkspaceImages([X, CUDA, AMD64, ARM64]);
    const classifyShared = (value: string, fromArg = false) => classifyImageUse(value, fromArg, shared, { registries: ['registry.example.com/team'] });

    it('makes a tag an image of the repository tracks an edge to that image', () => {
      for (const value of ['x:cuda-1.2.0', 'x:cuda', 'x:cuda-latest', 'registry.example.com/team/x:cuda']) {
        expect(classifyShared(value), value).toEqual({ kind: 'workspace', project: 'images/x/cuda' });
      }
      expect(classifyShared('x:1.2.0')).toEqual({ kind: 'workspace', project: 'images/x' });
      expect(classifyShared('127.0.0.1:5000/sdk:8.0-jammy-arm64', true)).toEqual({ kind: 'workspace', project: 'images/sdk-arm64' });
    });

    it('makes a release of a scheme, or a digest, a pin of that image', () => {
      expect(classifyShared('x:cuda-1.1.0')).toEqual({ kind: 'pinned', project: 'images/x/cuda', pin: 'cuda-1.1.0' });
      expect(classifyShared('sdk:7.0-jammy-amd64')).toEqual({ kind: 'pinned', project: 'images/sdk-amd64', pin: '7.0-jammy-amd64' });
      expect(classifyShared(`x:cuda@${DIGEST}`)).toEqual({ kind: 'pinned', project: 'images/x/cuda', pin: DIGEST });
      expect(classifyShared(`x@${DIGEST}`)).toEqual({ kind: 'pinned', project: 'images/x', pin: DIGEST });
    });

    it('reports a tag no image of the repository produces, and a digest alone where it cannot tell which', () => {
      expect(classifyShared('sdk:8.0-focal-amd64')).toEqual({
        kind: 'invalid',
        message: expect.stringMatching(
          /"sdk:8.0-focal-amd64" names repository sdk at a tag none of its workspace images produces \(tags: \{version\}-jammy-amd64 \(images\/sdk-amd64\/Dockerfile\), /,
        ),
      });
      expect(classifyShared('sdk')).toEqual({ kind: 'invalid', message: expect.stringMatching(/at a tag none of its workspace images produces/) });
      expect(classifyShared(`sdk@${DIGEST}`)).toEqual({ kind: 'invalid', message: expect.stringMatching(/by digest alone; write the tag before the digest/) });
    });

    it('makes a tag or digest no scheme accounts for a release when the Dockerfile marks a deliberate pin', () => {
      const marked = (value: string) => classifyImageUse(value, false, shared, { registries: [] }, true);
      expect(marked('sdk:8.0-focal-amd64')).toEqual({ kind: 'pinned', project: 'images/sdk-amd64', pin: '8.0-focal-amd64' });
      expect(marked(`sdk@${DIGEST}`)).toEqual({ kind: 'pinned', project: 'images/sdk-amd64', pin: DIGEST });
      expect(marked('x:cuda')).toEqual({ kind: 'workspace', project: 'images/x/cuda' });
      expect(marked('sdk')).toEqual({ kind: 'invalid', message: expect.stringMatching(/or mark a deliberate pin \(# imagewise: pin on the line before\)$/) });
    });

    it('makes a FROM of two images with the same scheme invalid, and leaves the others of the repository alone', () => {
      const twin = { ...CUDA, project: 'images/y/cuda', dockerfile: 'images/y/cuda/Dockerfile' };
      const conflicted = indexWorkspaceImages([X, CUDA, twin]);
      expect(conflicted.conflicts.get('x')).toEqual([[CUDA, twin]]);
      expect(classifyImageUse('x:cuda', false, conflicted, { registries: [] })).toEqual({
        kind: 'invalid',
        message: expect.stringMatching(/several projects build \(images\/x\/cuda\/Dockerfile, images\/y\/cuda\/Dockerfile\)/),
      });
      expect(classifyImageUse('x', false, conflicted, { registries: [] })).toEqual({ kind: 'workspace', project: 'images/x' });
    });
  });
});
