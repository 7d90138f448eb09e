// Images sharing one repository, told apart by tag scheme (issue 13 item 3):
// a variant directory inside its image's (an inferred `cuda-` prefix) and two
// Dockerfiles of one image name with a `{version}-{OS}-{ARCH}` template. Each
// FROM of a scheme's tag is an edge to the image producing it; the build
// pushes every image under its scheme, bases first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSharedEngine } from '../../../tools/engine/test/engine-cli';
import type { ImageMetadata } from '../src/build/image-metadata';
import { Workspace, sharedTemplate } from './workspace';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const sdk = (arch: string) => ({
  [`images/sdk-${arch}/package.json`]: json({ name: `sdk-${arch}`, version: '8.0.0', private: true }),
  [`images/sdk-${arch}/project.json`]: json({
    targets: { 'docker:build': { options: { imageName: 'sdk', tagScheme: '{version}-{OS}-{ARCH}', buildArgs: { ARCH: arch } } } },
  }),
  [`images/sdk-${arch}/Dockerfile`]: 'ARG OS=jammy\nARG ARCH\nFROM scratch\nCOPY sdk.txt /sdk.txt\n',
  [`images/sdk-${arch}/sdk.txt`]: `sdk for ${arch}\n`,
});

describe('variants and tag schemes on a real engine and registry', () => {
  let template: string;
  let ws: Workspace;
  let env: Record<string, string>;
  let registry: string;

  const metadata = (project: string): ImageMetadata => JSON.parse(readFileSync(join(ws.root, 'dist/images', project, 'metadata.json'), 'utf8'));
  const registryTags = async (image: string) => {
    const response = await fetch(`http://${env.IMAGEWISE_REGISTRY}/v2/${registry.slice(env.IMAGEWISE_REGISTRY.length + 1)}/${image}/tags/list`);
    return (((await response.json()) as { tags: string[] | null }).tags ?? []).sort();
  };

  beforeAll(async () => {
    env = await startSharedEngine();
    registry = `${env.IMAGEWISE_REGISTRY}/e2e-variants-${Date.now().toString(36)}`;
    template = sharedTemplate();
    ws = new Workspace(template, {
      'package.json': json({ name: 'variants', private: true, workspaces: ['images/*', 'images/*/*', 'services/*'] }),
      'nx.json': json({
        namedInputs: { default: ['{projectRoot}/**/*'], dockerImage: ['default'] },
        plugins: [{ plugin: '@imagewise/nx-plugin', options: { registry } }],
      }),
      // Image x and its variant directory: the variant is x with tags `cuda-…`.
      'images/x/package.json': json({ name: 'x', version: '1.0.0', private: true }),
      'images/x/Dockerfile': 'FROM scratch\nCOPY x.txt /x.txt\n',
      'images/x/x.txt': 'x\n',
      // The variant's files are its own build context, not x's.
      'images/x/.dockerignore': 'cuda\n',
      'images/x/cuda/package.json': json({ name: 'x-cuda', version: '1.2.0', private: true }),
      'images/x/cuda/Dockerfile': 'FROM x\nCOPY cuda.txt /cuda.txt\n',
      'images/x/cuda/cuda.txt': 'cuda\n',
      'services/gpu/Dockerfile': 'FROM x:cuda-1.2.0\nCOPY gpu.txt /gpu.txt\n',
      'services/gpu/gpu.txt': 'gpu\n',
      // One image name, two Dockerfiles: told apart by the template's ARCH.
      ...sdk('amd64'),
      ...sdk('arm64'),
      'services/app/Dockerfile': `ARG REPO=${registry}/sdk\nARG TAG=8.0.0-jammy-arm64\nFROM $REPO:$TAG\nCOPY app.txt /app.txt\n`,
      'services/app/app.txt': 'app\n',
    });
    // The run's branch is the workspace's own (main, the default): no CI variables of this machine's.
    const noCi = Object.fromEntries(
      [
        'CI_COMMIT_BRANCH',
        'GITHUB_HEAD_REF',
        'GITHUB_REF_NAME',
        'GITHUB_REF',
        'CI_MERGE_REQUEST_IID',
        'CI_COMMIT_SHA',
        'GITHUB_SHA',
        'CI_PIPELINE_ID',
        'GITHUB_RUN_ID',
      ].map((name) => [name, '']),
    );
    ws.env = { ...env, ...noCi, IMAGEWISE_REGISTRY: registry };
  });
  afterAll(() => {
    ws?.dispose();
  });

  it("shows each image's tag scheme, filled from its build args", () => {
    const scheme = (project: string) => JSON.parse(ws.nx('show', 'project', project, '--json')).metadata.imagewise;
    expect(scheme('x')).toMatchObject({ imageName: 'x', baseImages: [] });
    expect(scheme('x').tagScheme).toBeUndefined();
    expect(scheme('x-cuda')).toMatchObject({ imageName: 'x', tagScheme: 'cuda-{version}', baseImages: ['images/x'] });
    expect(scheme('sdk-amd64')).toMatchObject({ imageName: 'sdk', tagScheme: '{version}-jammy-amd64' });
    expect(scheme('sdk-arm64')).toMatchObject({ imageName: 'sdk', tagScheme: '{version}-jammy-arm64' });
    expect(scheme('gpu')).toMatchObject({ baseImages: ['images/x/cuda'], pinnedImages: [] });
    expect(scheme('app')).toMatchObject({ baseImages: ['images/sdk-arm64'], pinnedImages: [] });
  });

  it.each([
    ['images/x/Dockerfile', ['gpu', 'x', 'x-cuda']],
    ['images/x/cuda/Dockerfile', ['gpu', 'x-cuda']],
    ['services/gpu/Dockerfile', ['gpu']],
    ['images/sdk-amd64/Dockerfile', ['sdk-amd64']],
    ['images/sdk-arm64/Dockerfile', ['app', 'sdk-arm64']],
    ['services/app/Dockerfile', ['app']],
  ])('a change to %s affects exactly %j', (dockerfile, affected) => {
    ws.write({ [dockerfile]: `${readFileSync(join(ws.root, dockerfile), 'utf8')}LABEL changed=yes\n` });
    try {
      expect(ws.affected()).toEqual(affected);
    } finally {
      ws.reset();
    }
  });

  it("builds bases first and pushes each image under its scheme's tags", async () => {
    ws.run('run-many', '-t', 'docker:build', '--outputStyle=stream');
    const sha = ws.git('rev-parse', 'HEAD').slice(0, 8);
    const content = (project: string) => `c-${metadata(project).contentIdentity}`;

    // Each dependent was built on the exact digest its base's build pushed moments before.
    expect(Object.values(metadata('x-cuda').baseImages)).toEqual([`${registry}/x@${metadata('x').digest}`]);
    expect(Object.values(metadata('gpu').baseImages)).toEqual([`${registry}/x@${metadata('x-cuda').digest}`]);
    expect(Object.values(metadata('app').baseImages)).toEqual([`${registry}/sdk@${metadata('sdk-arm64').digest}`]);

    expect(metadata('x').tags).toEqual([content('x'), '1.0.0', 'latest', sha]);
    expect(metadata('x-cuda').tags).toEqual([content('x-cuda'), 'cuda-1.2.0', 'cuda', `cuda-${sha}`]);
    expect(await registryTags('x')).toEqual([...metadata('x').tags, ...metadata('x-cuda').tags].sort());
    expect(metadata('sdk-amd64').tags).toEqual([content('sdk-amd64'), '8.0.0-jammy-amd64', 'jammy-amd64', `${sha}-jammy-amd64`]);
    expect(metadata('sdk-arm64').tags).toEqual([content('sdk-arm64'), '8.0.0-jammy-arm64', 'jammy-arm64', `${sha}-jammy-arm64`]);
    expect(await registryTags('sdk')).toEqual([...metadata('sdk-amd64').tags, ...metadata('sdk-arm64').tags].sort());
  });

  it('takes a release of a scheme, and a tag no scheme produces marked as a pin, as pins that drift reports', () => {
    ws.write({
      'services/legacy/Dockerfile': `FROM x:cuda-1.1.0\n# imagewise: pin until focal is retired\nFROM ${registry}/sdk:7.0.0-focal-amd64\nFROM x:rocm-1.0.0\n`,
    });
    try {
      const legacy = JSON.parse(ws.nx('show', 'project', 'legacy', '--json')).metadata.imagewise;
      expect(legacy.baseImages).toEqual([]);
      expect(legacy.pinnedImages).toEqual([
        { root: 'images/x/cuda', pin: 'cuda-1.1.0', line: 1 },
        { root: 'images/sdk-amd64', pin: '7.0.0-focal-amd64', line: 3 },
        { root: 'images/x', pin: 'rocm-1.0.0', line: 4 },
      ]);
      const drift = ws.run('run', 'legacy:docker:drift');
      expect(drift.stdout).toContain('services/legacy/Dockerfile:1: base image x pinned at cuda-1.1.0; the workspace builds cuda-1.2.0');
    } finally {
      ws.reset();
    }
  });
});
