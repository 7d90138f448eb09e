// docker:build when runs overlap or stop half-way, on the real engine and
// registry: two runners with the same inputs agree on one image, and an
// interrupted build leaves no tag anywhere.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExports, runEngine, startSharedEngine } from '../../../tools/engine/test/engine-cli';
import type { ImageMetadata } from '../src/build/image-metadata';
import { isStagingTag } from '../src/build/staging-tag';
import { MANIFEST_TYPES } from '../src/registry/registry-http';
import { Workspace, sharedTemplate } from './workspace';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

const FILES = {
  'package.json': json({ name: 'races', private: true }),
  'nx.json': json({ namedInputs: { default: ['{projectRoot}/**/*'], dockerImage: ['default'] }, plugins: ['@imagewise/nx-plugin'] }),
};

/**
 * The image both racing runners build. Its step connects to `gate` (host/port
 * on the engine's bridge) and goes on only when it is told "go", which the test
 * says once both runners are building: so both have found the content tag
 * absent, however slow the machine. The gate's port is new on every run, so the
 * step is never a cache hit. The layer is large enough that the pushes overlap.
 */
const gatedImage = (gate: string) => ({
  ...FILES,
  'services/slow/project.json': json({ name: 'slow' }),
  'services/slow/Dockerfile': `FROM debian:bookworm-slim\nRUN ["bash", "-c", "exec 3<>/dev/tcp/${gate} && read -r word <&3 && test $word = go && head -c 96M /dev/urandom > /payload"]\n`,
});

/** A server at `host` that holds each connection until open(), then answers "go" to each. */
async function gateAt(host: string) {
  const held = new Set<Socket>();
  let opened = false;
  const server = createServer((socket) => (opened ? socket.end('go\n') : held.add(socket)));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const open = () => {
    opened = true;
    for (const socket of held) socket.end('go\n');
  };
  return {
    address: `${host}/${(server.address() as AddressInfo).port}`,
    open,
    close: () => {
      open();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('docker:build races and interruptions', () => {
  let template: string;
  let env: Record<string, string>;
  let namespace: string;
  const workspaces: Workspace[] = [];

  const runner = (files: Record<string, string>) => {
    const ws = new Workspace(template, files);
    ws.env = { ...env, IMAGEWISE_REGISTRY: `${env.IMAGEWISE_REGISTRY}/${namespace}` };
    workspaces.push(ws);
    return ws;
  };
  const metadata = (ws: Workspace, project: string): ImageMetadata => JSON.parse(readFileSync(join(ws.root, 'dist/images', project, 'metadata.json'), 'utf8'));
  const tags = async (image: string) => {
    const response = await fetch(`http://${env.IMAGEWISE_REGISTRY}/v2/${namespace}/${image}/tags/list`);
    return response.status === 404 ? [] : (((await response.json()) as { tags: string[] | null }).tags ?? []);
  };

  beforeAll(async () => {
    env = await startSharedEngine();
    namespace = `races-${Date.now().toString(36)}`;
    template = sharedTemplate();
  });
  afterAll(() => {
    for (const ws of workspaces) ws.dispose();
  });

  /**
   * Resolves once the running build prints `marker`: a word its RUN step echoes,
   * or part of the step's command, which the plugin prints as BuildKit reports the step.
   */
  const stepStarted = (child: ChildProcess, marker: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the build never printed ${marker}`)), 300_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes(marker)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });

  it('two runners building the same image at once both succeed and agree on the content tag digest', async () => {
    const docker = new Docker({ socketPath: env.DOCKER_HOST.slice('unix://'.length) });
    const bridge = (await docker.getNetwork('bridge').inspect()) as { IPAM: { Config: { Gateway: string }[] } };
    const gate = await gateAt(bridge.IPAM.Config[0].Gateway);
    const files = gatedImage(gate.address);
    const [a, b] = [runner(files), runner(files)];
    // On two commits (same image inputs): their revision labels make two
    // different images even when the engine shares the build step between them.
    b.git('commit', '-q', '--allow-empty', '-m', 'runner b');
    const builds = [a, b].map((ws) => ws.start('run', 'slow:docker:build', '--outputStyle=stream'));
    const runs = await Promise.all(builds.map(({ child }) => stepStarted(child, '/dev/tcp/')))
      .then(gate.open)
      .then(() => Promise.all(builds.map((build) => build.output)))
      .finally(gate.close);
    for (const run of runs) expect(run.code, run.stdout + run.stderr).toBe(0);

    const [fromA, fromB] = [metadata(a, 'slow'), metadata(b, 'slow')];
    expect(fromA.contentIdentity).toBe(fromB.contentIdentity);
    // Both really built, each its own image…
    expect([fromA.reused, fromB.reused]).toEqual([false, false]);
    expect(fromA.imageId).not.toBe(fromB.imageId);
    // …and both report the one image the content tag names.
    expect(fromA.digest).toBe(fromB.digest);
    const head = await fetch(`http://${env.IMAGEWISE_REGISTRY}/v2/${namespace}/slow/manifests/c-${fromA.contentIdentity}`, {
      method: 'HEAD',
      headers: { Accept: MANIFEST_TYPES },
    });
    expect(head.headers.get('docker-content-digest')).toBe(fromA.digest);
    // Each runner removed the staging tag it pushed through, in the registry and in the engine they share.
    expect((await tags('slow')).filter(isStagingTag)).toEqual([]);
    const local = (await docker.listImages()).flatMap((image) => image.RepoTags ?? []);
    expect(local.filter((tag) => tag.includes(`${namespace}/slow:`) && isStagingTag(tag.split(':').pop()!))).toEqual([]);
  });

  it('an interrupted build leaves no tag on a partial image, in the registry or the engine', async () => {
    const ws = runner({
      ...FILES,
      'services/interrupted/Dockerfile': 'FROM debian:bookworm-slim\nRUN echo step-started && sleep 120\n',
      'services/interrupted/project.json': json({ name: 'interrupted' }),
    });
    const { child, output } = ws.start('run', 'interrupted:docker:build', '--outputStyle=stream');
    await stepStarted(child, 'step-started');
    // Ctrl-C, as a person or a cancelled CI job does, to nx and all it started.
    process.kill(-child.pid!, 'SIGINT');
    const run = await output;
    expect(run.code).not.toBe(0);

    expect(await tags('interrupted')).toEqual([]);
    const docker = new Docker({ socketPath: env.DOCKER_HOST.slice('unix://'.length) });
    expect(await docker.listImages({ filters: JSON.stringify({ reference: [`${env.IMAGEWISE_REGISTRY}/${namespace}/interrupted`] }) })).toEqual([]);
  });

  it('an engine killed mid-build is named as gone, and leaves no tag in the registry', async () => {
    const name = `doomed-${Date.now().toString(36)}`;
    const started = await runEngine(['start-engine', name, '--fresh']);
    expect(started.code, started.stderr).toBe(0);
    try {
      const host = parseExports(started.stdout).DOCKER_HOST;
      const ws = runner({
        ...FILES,
        'services/orphaned/Dockerfile': 'FROM debian:bookworm-slim\nRUN echo orphan-step-started && sleep 120\n',
        'services/orphaned/project.json': json({ name: 'orphaned' }),
      });
      ws.env = { ...ws.env, DOCKER_HOST: host };
      const { child, output } = ws.start('run', 'orphaned:docker:build', '--outputStyle=stream');
      await stepStarted(child, 'orphan-step-started');
      // The daemon dies as an OOM kill or a crashed host would end it: no goodbye.
      const pid = Number(readFileSync(join(env.IMAGEWISE_ENGINE_HOME, 'engines', name, 'dockerd.pid'), 'utf8'));
      process.kill(pid, 'SIGKILL');
      const run = await output;
      expect(run.code).not.toBe(0);
      expect(run.stdout + run.stderr).toContain(`the Docker daemon at ${host} (DOCKER_HOST) went away during the build`);
      expect(await tags('orphaned')).toEqual([]);
    } finally {
      await runEngine(['stop-engine', name, '--purge']);
    }
  });
});
