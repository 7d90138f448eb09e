// Multi-platform images (issue 16 item 4) on the real engine (dockerd 20.10,
// amd64, no binfmt_misc entries, no QEMU) and registry: a FROM scratch + COPY
// base and a dependent, each built for linux/amd64 and linux/arm64 without
// emulation, joined in one OCI image index; and a RUN for arm64, which this
// engine cannot run, failing with one line saying what to install.
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSharedEngine } from '../../../tools/engine/test/engine-cli';
import type { ImageMetadata } from '../src/build/image-metadata';
import { Workspace, sharedTemplate } from './workspace';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const PLATFORMS = ['linux/arm64', 'linux/amd64'];
const buildFor = (platforms: string[]) => json({ targets: { 'docker:build': { options: { platforms } } } });
const ACCEPT = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'].join(', ');

interface Manifest {
  mediaType: string;
  manifests?: Array<{ digest: string; platform: { os: string; architecture: string } }>;
  config?: { digest: string };
  layers?: Array<{ digest: string }>;
}

describe('multi-platform images on a real engine and registry', () => {
  let template: string;
  let ws: Workspace;
  let env: Record<string, string>;
  let registry: string;

  const metadata = (project: string): ImageMetadata => JSON.parse(readFileSync(join(ws.root, 'dist/images', project, 'metadata.json'), 'utf8'));
  const v2 = (image: string, path: string) => `http://${env.IMAGEWISE_REGISTRY}/v2/${registry.slice(env.IMAGEWISE_REGISTRY.length + 1)}/${image}/${path}`;
  const manifest = async (image: string, reference: string) => {
    const response = await fetch(v2(image, `manifests/${reference}`), { headers: { Accept: ACCEPT } });
    expect(response.status).toBe(200);
    return { digest: response.headers.get('docker-content-digest')!, ...((await response.json()) as Manifest) };
  };
  const architecture = async (image: string, config: string) =>
    ((await (await fetch(v2(image, `blobs/${config}`))).json()) as { architecture: string }).architecture;
  const byPlatform = async (image: string, index: Manifest) =>
    Object.fromEntries(await Promise.all(index.manifests!.map(async (entry) => [entry.platform.architecture, await manifest(image, entry.digest)] as const)));
  const docker = (...args: string[]) => execFileSync('/usr/bin/docker', args, { encoding: 'utf8', env: { ...process.env, ...env } }).trim();

  beforeAll(async () => {
    env = await startSharedEngine();
    registry = `${env.IMAGEWISE_REGISTRY}/e2e-platforms-${Date.now().toString(36)}`;
    template = sharedTemplate();
    ws = new Workspace(template, {
      'package.json': json({ name: 'platforms', private: true, workspaces: ['images/*', 'services/*'] }),
      'nx.json': json({
        namedInputs: { default: ['{projectRoot}/**/*'], dockerImage: ['default'] },
        plugins: [{ plugin: '@imagewise/nx-plugin', options: { registry } }],
      }),
      // Each platform's base holds another file: its layers tell the platforms apart.
      'images/base/package.json': json({ name: 'base', version: '1.0.0', private: true }),
      'images/base/project.json': buildFor(PLATFORMS),
      'images/base/Dockerfile': 'FROM scratch\nARG TARGETARCH\nCOPY ${TARGETARCH}.txt /arch.txt\n',
      'images/base/amd64.txt': 'amd64\n',
      'images/base/arm64.txt': 'arm64\n',
      'services/app/project.json': buildFor(PLATFORMS),
      'services/app/Dockerfile': 'FROM base\nCOPY app.txt /app.txt\n',
      'services/app/app.txt': 'app\n',
      // An executable this engine cannot run as arm64: the kernel refuses it (exec format error).
      'services/runner/project.json': buildFor(['linux/arm64']),
      'services/runner/Dockerfile': 'FROM scratch\nCOPY tool /tool\nRUN ["/tool"]\n',
      'services/runner/tool': 'not a program of any platform\n',
    });
    chmodSync(join(ws.root, 'services/runner/tool'), 0o755);
    const noCi = Object.fromEntries(
      ['CI_COMMIT_BRANCH', 'GITHUB_HEAD_REF', 'GITHUB_REF_NAME', 'GITHUB_REF', 'CI_MERGE_REQUEST_IID', 'CI_PIPELINE_ID', 'GITHUB_RUN_ID'].map((name) => [
        name,
        '',
      ]),
    );
    ws.env = { ...env, ...noCi, IMAGEWISE_REGISTRY: registry };
  });
  afterAll(() => {
    ws?.dispose();
  });

  it('pushes one OCI image index per image, under every tag, naming each platform with its own image', async () => {
    const out = ws.run('run-many', '-t', 'docker:build', '-p', 'base', 'app', '--outputStyle=stream').stdout;
    expect(out).toMatch(/building \S+\/base:c-\w+ for linux\/amd64/);
    expect(out).toMatch(/building \S+\/base:c-\w+ for linux\/arm64/);
    const base = metadata('base');
    const content = `c-${base.contentIdentity}`;
    const index = await manifest('base', content);
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.digest).toBe(base.digest);
    expect(index.manifests!.map((entry) => entry.platform)).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ]);
    expect(base.platforms).toEqual(Object.fromEntries(index.manifests!.map((entry) => [`linux/${entry.platform.architecture}`, entry.digest])));
    for (const tag of base.tags) expect((await manifest('base', tag)).digest).toBe(base.digest);
    const images = await byPlatform('base', index);
    expect(await architecture('base', images.amd64.config!.digest)).toBe('amd64');
    expect(await architecture('base', images.arm64.config!.digest)).toBe('arm64');
    expect(images.amd64.layers).not.toEqual(images.arm64.layers);
    // No tag is left on a platform's own manifest: only the index names it.
    const tags = ((await (await fetch(v2('base', 'tags/list'))).json()) as { tags: string[] }).tags;
    expect(tags.sort()).toEqual([...base.tags].sort());
  });

  it("builds the dependent's arm64 image on the base's arm64 image, and amd64 on amd64", async () => {
    const base = await byPlatform('base', await manifest('base', metadata('base').digest!));
    const app = metadata('app');
    expect(Object.values(app.baseImages)).toEqual([`${registry}/base@${metadata('base').digest}`]);
    const images = await byPlatform('app', await manifest('app', app.digest!));
    for (const arch of ['amd64', 'arm64']) {
      expect(await architecture('app', images[arch].config!.digest)).toBe(arch);
      expect(images[arch].layers![0]).toEqual(base[arch].layers![0]);
      expect(images[arch].layers).toHaveLength(2);
    }
  });

  it('pulls back per platform with the docker CLI', () => {
    const reference = `${registry}/app@${metadata('app').digest}`;
    docker('pull', '-q', '--platform', 'linux/arm64', reference);
    expect(docker('image', 'inspect', '--format', '{{.Os}}/{{.Architecture}}', reference)).toBe('linux/arm64');
    docker('image', 'rm', reference);
  });

  it('reuses both indexes on the next run: nothing built', () => {
    const before = { base: metadata('base').digest, app: metadata('app').digest };
    const out = ws.run('run-many', '-t', 'docker:build', '-p', 'base', 'app', '--skip-nx-cache', '--outputStyle=stream').stdout;
    expect(out).not.toMatch(/building .* for linux/);
    for (const project of ['base', 'app'] as const) {
      expect(metadata(project)).toMatchObject({ reused: true, digest: before[project] });
      expect(Object.keys(metadata(project).platforms!)).toEqual(['linux/amd64', 'linux/arm64']);
    }
  });

  it('fails a RUN for arm64 on this amd64 engine with one line naming the platform and what to install', () => {
    let failure = '';
    try {
      ws.run('run', 'runner:docker:build', '--outputStyle=stream');
    } catch (error) {
      failure = (error as Error).message;
    }
    const line = failure.split('\n').find((text) => text.includes('a RUN step for'));
    // Nx's stream output puts the project's name before each line.
    expect(line).toMatch(
      /^runner: services\/runner\/Dockerfile: a RUN step for linux\/arm64 cannot run on this engine \(linux\/amd64\), which has no emulation for arm64: install QEMU user emulation/,
    );
  });
});
