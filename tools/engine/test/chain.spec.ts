// A two-level chain on the real engine and registry: a base image FROM a seeded
// upstream image (bundling @imagewise/common from its packed tarball), a service
// FROM that base, both pushed; then a second, empty engine pulls and runs the
// service, as a brand-new CI runner would.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineBridge, leftovers, networkLinks, parseExports, runEngine, socketPath, startSharedEngine } from './engine-cli.js';

const PACKS = resolve(import.meta.dirname, '../../../dist/packs');
const runId = `${Date.now().toString(36)}`;

function commonTarball(): string {
  const name = readdirSync(PACKS).find((file) => /^imagewise-common-.*\.tgz$/.test(file));
  if (!name) throw new Error(`no @imagewise/common tarball in ${PACKS}: run nx run @imagewise/common:pack`);
  return join(PACKS, name);
}

/** Resolves when the daemon's JSON stream ends; rejects on an error inside the stream. */
function followStream(docker: Docker, stream: NodeJS.ReadableStream): Promise<unknown[]> {
  return new Promise((done, fail) => {
    docker.modem.followProgress(stream, (error: Error | null, output: unknown[]) => {
      const failed = output.find((event) => (event as { error?: string }).error) as { error?: string } | undefined;
      if (error || failed) fail(error ?? new Error(failed?.error));
      else done(output);
    });
  });
}

async function build(docker: Docker, context: string, tag: string): Promise<void> {
  // version 2 selects BuildKit inside dockerd 20.10.
  const stream = await docker.buildImage({ context, src: readdirSync(context) }, { t: tag, version: '2' } as Docker.ImageBuildOptions);
  await followStream(docker, stream);
}

async function push(docker: Docker, reference: string, registry: string): Promise<void> {
  const stream = await docker.getImage(reference).push({ authconfig: { serveraddress: registry } });
  await followStream(docker, stream);
}

describe('a base and a service image, shared through the registry', () => {
  let env: Record<string, string>;
  let workdir: string;
  let docker: Docker;

  beforeAll(async () => {
    env = await startSharedEngine();
    workdir = mkdtempSync(join(tmpdir(), 'imagewise-chain-'));
    docker = new Docker({ socketPath: socketPath(env.DOCKER_HOST) });
  });

  afterAll(() => rmSync(workdir, { recursive: true, force: true }));

  it('starting again is a no-op that keeps the same daemons', async () => {
    const before = await runEngine(['status']);
    const again = await runEngine(['start']);
    expect(again.code).toBe(0);
    expect(parseExports(again.stdout)).toEqual(env);
    expect((await runEngine(['status'])).stdout).toBe(before.stdout);
  });

  it('builds, pushes, and runs the service on a fresh engine', async () => {
    const registry = env.IMAGEWISE_REGISTRY;
    const base = `${registry}/engine-test-base:${runId}`;
    const service = `${registry}/engine-test-service:${runId}`;

    const baseContext = join(workdir, 'base');
    const serviceContext = join(workdir, 'service');
    writeFiles(baseContext, {
      Dockerfile: [
        'FROM node:18-bookworm-slim',
        'WORKDIR /opt/app',
        'COPY common.tgz /tmp/common.tgz',
        // --offline: the tarball has no dependencies, so nothing needs the network.
        'RUN npm install --offline --no-audit --no-fund /tmp/common.tgz && rm /tmp/common.tgz',
      ].join('\n'),
    });
    copyFileSync(commonTarball(), join(baseContext, 'common.tgz'));
    writeFiles(serviceContext, {
      Dockerfile: [`FROM ${base}`, 'COPY smoke.mjs ./', 'CMD ["node", "smoke.mjs"]'].join('\n'),
      'smoke.mjs': [
        "import { createHealthServer, createLogger, VERSION } from '@imagewise/common';",
        "const log = createLogger({ service: 'engine-test' });",
        "const health = createHealthServer({ port: 0, host: '127.0.0.1', service: 'engine-test', version: VERSION });",
        'const { port } = await health.listen();',
        'const body = await (await fetch(`http://127.0.0.1:${port}/health`)).json();',
        "log.info('health', { body });",
        'await health.close();',
      ].join('\n'),
    });

    await build(docker, baseContext, base);
    await push(docker, base, registry);
    await build(docker, serviceContext, service);
    await push(docker, service, registry);

    const bridge = engineBridge(env.IMAGEWISE_ENGINE_HOME, `runner-${runId}`);
    const second = await runEngine(['start-engine', `runner-${runId}`, '--fresh']);
    expect(second.code, second.stderr).toBe(0);
    const secondHost = parseExports(second.stdout).DOCKER_HOST;
    const runDir = dirname(socketPath(secondHost));
    const dataDir = join(env.IMAGEWISE_ENGINE_HOME, 'engines', `runner-${runId}`, 'data');
    try {
      // The bridge is there while the engine runs: leftovers() looks for it by the right name.
      expect(networkLinks()).toContain(bridge);
      const fresh = new Docker({ socketPath: socketPath(secondHost) });
      expect(await fresh.listImages()).toEqual([]);

      await followStream(fresh, await fresh.pull(service));
      const container = await fresh.createContainer({
        Image: service,
        HostConfig: { NetworkMode: 'none' },
      });
      await container.start();
      const { StatusCode } = await container.wait();
      const logs = (await container.logs({ stdout: true, stderr: true })).toString('utf8');
      await container.remove();
      expect(StatusCode, logs).toBe(0);

      const line = JSON.parse(logs.slice(logs.indexOf('{')));
      expect(line).toMatchObject({
        level: 'info',
        service: 'engine-test',
        msg: 'health',
        body: { status: 'ok', service: 'engine-test', version: '1.5.0' },
      });
    } finally {
      const stopped = await runEngine(['stop-engine', `runner-${runId}`, '--purge']);
      expect(stopped.code, stopped.stderr).toBe(0);
    }
    expect(leftovers(runDir, dataDir, bridge)).toEqual([]);
  });
});

function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${text}\n`);
  }
}
