// The plugin option "engines" (issue 16, builder pool): two real engines on
// this machine and one address where nothing answers. Concurrent docker:build
// tasks land on both engines, the dead one is skipped with one note, a
// dependent built on one engine gets its base (built on the other) through
// the registry, and without the pool the same images are reused as they are.
// A multi-platform image builds each platform on an engine of that platform.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../../../tools/engine/test/closed-port';
import { parseExports, runEngine, socketPath, startSharedEngine } from '../../../tools/engine/test/engine-cli';
import type { ImageMetadata } from '../src/build/image-metadata';
import { Workspace, sharedTemplate } from './workspace';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const IMAGES = ['one', 'two', 'three', 'four'];

function files(engines: string[] | undefined): Record<string, string> {
  return {
    'package.json': json({ name: 'pool', private: true }),
    'nx.json': json({
      namedInputs: { default: ['{projectRoot}/**/*'], dockerImage: ['default'] },
      plugins: [{ plugin: '@imagewise/nx-plugin', options: engines ? { engines } : {} }],
    }),
  };
}

describe('a pool of engines', () => {
  let template: string;
  let env: Record<string, string>;
  let engineB: string | undefined;
  let secondHost: Promise<string> | undefined;
  let ws: Workspace;
  let multi: Workspace | undefined;

  /** The second engine, started once for this file's cases. */
  const secondEngine = () =>
    (secondHost ??= (async () => {
      engineB = `pool-b-${Date.now().toString(36)}`;
      const started = await runEngine(['start-engine', engineB, '--fresh']);
      expect(started.code, started.stderr).toBe(0);
      return parseExports(started.stdout).DOCKER_HOST;
    })());

  beforeAll(async () => {
    env = await startSharedEngine();
    template = sharedTemplate();
  });
  afterAll(async () => {
    ws?.dispose();
    multi?.dispose();
    if (engineB) await runEngine(['stop-engine', engineB, '--purge']);
  });

  it('spreads builds over the engines that answer, one note for the one that does not; without the pool every image is reused', async () => {
    const hostA = env.DOCKER_HOST;
    const hostB = await secondEngine();
    const dead = `tcp://127.0.0.1:${await closedPort()}`;

    // Images FROM scratch (no pull), each with a few MiB to push, so a build outlasts the moment the next one takes an engine.
    const images: Record<string, string> = {};
    for (const name of IMAGES) {
      images[`images/${name}/Dockerfile`] = 'FROM scratch\nCOPY payload.bin /payload.bin\n';
      images[`images/${name}/payload.bin`] = randomBytes(3 * 1024 * 1024).toString('base64');
    }
    images['services/app/Dockerfile'] = 'FROM one\nCOPY app.txt /app.txt\n';
    images['services/app/app.txt'] = 'app\n';
    // The dead address first: it is tried, noted and skipped, then the two live ones share the work.
    ws = new Workspace(template, { ...files([dead, hostA, hostB]), ...images });
    // Without a registry, images built on different engines could not reach each other: refused before anything is built.
    ws.env = { ...env, IMAGEWISE_REGISTRY: '' };
    const unshared = await ws.start('run', 'one:docker:build', '--outputStyle=stream').output;
    expect(unshared.code).not.toBe(0);
    expect(unshared.stdout + unshared.stderr).toContain('the plugin option "engines" builds on several engines, which share images only through a registry');
    ws.env = { ...env, IMAGEWISE_REGISTRY: `${env.IMAGEWISE_REGISTRY}/pool-${Date.now().toString(36)}` };
    const metadata = (project: string): ImageMetadata => JSON.parse(readFileSync(join(ws.root, 'dist/images', project, 'metadata.json'), 'utf8'));

    const pooled = await ws.start('run-many', '-t', 'docker:build', '--outputStyle=stream').output;
    expect(pooled.code, pooled.stdout + pooled.stderr).toBe(0);
    const all = [...IMAGES, 'app'];
    for (const project of all) expect(metadata(project), project).toMatchObject({ reused: false, engine: expect.stringMatching(/^unix:\/\//) });
    expect(new Set(all.map((project) => metadata(project).engine))).toEqual(new Set([hostA, hostB]));
    const notes = (pooled.stdout + pooled.stderr).split('\n').filter((line) => line.includes(dead));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('builds go to the other engines of the pool');
    // What an engine built is on that engine.
    const dockerB = new Docker({ socketPath: socketPath(hostB) });
    const onB = all.filter((project) => metadata(project).engine === hostB);
    const tagsOnB = (await dockerB.listImages()).flatMap((image) => image.RepoTags ?? []);
    for (const project of onB)
      expect(
        tagsOnB.some((tag) => tag.includes(`/${project}:c-`)),
        project,
      ).toBe(true);

    // The same workspace without the pool: one engine, every image reused by its content tag.
    const digests = Object.fromEntries(all.map((project) => [project, metadata(project).digest]));
    ws.write(files(undefined));
    ws.env = { ...ws.env, DOCKER_HOST: hostA };
    const single = await ws.start('run-many', '-t', 'docker:build', '--outputStyle=stream').output;
    expect(single.code, single.stdout + single.stderr).toBe(0);
    for (const project of all) expect(metadata(project), project).toMatchObject({ reused: true, digest: digests[project] });
    expect(metadata('one').engine).toBeUndefined();
  });

  it("builds each platform of a multi-platform image on a pool engine of that platform, and one no engine has on the task's engine", async () => {
    const hostA = env.DOCKER_HOST;
    const hostB = await secondEngine();
    const dead = `tcp://127.0.0.1:${await closedPort()}`;
    // FROM scratch + COPY: arm64 needs no emulation on these amd64 engines.
    multi = new Workspace(template, {
      ...files([hostA, hostB, dead]),
      'images/multi/Dockerfile': 'FROM scratch\nCOPY multi.txt /multi.txt\n',
      'images/multi/multi.txt': 'multi\n',
      'images/multi/project.json': json({ targets: { 'docker:build': { options: { platforms: ['linux/amd64', 'linux/arm64'] } } } }),
    });
    multi.env = { ...env, IMAGEWISE_REGISTRY: `${env.IMAGEWISE_REGISTRY}/pool-platforms-${Date.now().toString(36)}` };
    const run = await multi.start('run', 'multi:docker:build', '--outputStyle=stream').output;
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const built: ImageMetadata = JSON.parse(readFileSync(join(multi.root, 'dist/images/multi/metadata.json'), 'utf8'));
    expect(built.reused).toBe(false);
    expect([hostA, hostB]).toContain(built.engine);
    // Both engines are amd64, so either is native for linux/amd64; none is arm64, so the task's engine builds it.
    expect([hostA, hostB]).toContain(built.platformEngines?.['linux/amd64']);
    expect(built.platformEngines?.['linux/arm64']).toBe(built.engine);
    // Asking each engine its platform finds the dead one: skipped with one note.
    expect((run.stdout + run.stderr).split('\n').filter((line) => line.includes(dead))).toHaveLength(1);

    // The index the content tag names holds both platforms, each platform's image as metadata.json records it.
    const [registryHost, ...repository] = built.image.split('/');
    const response = await fetch(`http://${registryHost}/v2/${repository.join('/')}/manifests/${built.digest}`, {
      headers: { Accept: 'application/vnd.oci.image.index.v1+json' },
    });
    expect(response.status).toBe(200);
    const index = (await response.json()) as { mediaType: string; manifests: Array<{ digest: string; platform: { os: string; architecture: string } }> };
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(Object.fromEntries(index.manifests.map((entry) => [`${entry.platform.os}/${entry.platform.architecture}`, entry.digest]))).toEqual(built.platforms);
    expect(Object.keys(built.platforms!)).toEqual(['linux/amd64', 'linux/arm64']);
  });
});
