// tools/engine fails fast, with one clear line, and leaves nothing behind.
// Each case runs in its own home, run directory and ports, beside the shared engine.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { engineBridge, leftovers, runEngine, startSharedEngine } from './engine-cli.js';

/** The lines tools/engine prints as errors (the log tail follows them, indented). */
function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('engine: error:'));
}

function listen(): Promise<Server> {
  return new Promise((done) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => done(server));
  });
}

function portOf(server: Server): number {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('tools/engine faults', () => {
  let home: string;
  let runRoot: string;
  const servers: Server[] = [];
  const scratch: string[] = [];
  const scratchDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    scratch.push(dir);
    return dir;
  };

  beforeAll(async () => {
    // The shared setup makes sure the packages are installed, so each case
    // reaches the step it is about.
    await startSharedEngine();
  });

  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(runRoot, { recursive: true, force: true });
    for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function isolated(extra: Record<string, string> = {}): Promise<Record<string, string>> {
    home = mkdtempSync(join(tmpdir(), 'imagewise-engine-'));
    runRoot = mkdtempSync('/run/iwt-');
    const [mirror, registry] = [await listen(), await listen()];
    const ports = [portOf(mirror), portOf(registry)];
    await Promise.all([mirror, registry].map((server) => new Promise((done) => server.close(done))));
    return {
      IMAGEWISE_ENGINE_HOME: home,
      IMAGEWISE_ENGINE_RUN: runRoot,
      IMAGEWISE_MIRROR_PORT: String(ports[0]),
      IMAGEWISE_REGISTRY_PORT: String(ports[1]),
      ...extra,
    };
  }

  it('names a taken port and how to free it', async () => {
    const squatter = await listen();
    servers.push(squatter);
    const run = await runEngine(['start'], await isolated({ IMAGEWISE_MIRROR_PORT: String(portOf(squatter)) }));
    expect(run.code).toBe(1);
    expect(errorLines(run.stderr)).toEqual([
      `engine: error: port ${portOf(squatter)} for the mirror is taken by pid ${process.pid} (node); free it or set IMAGEWISE_MIRROR_PORT to a free port`,
    ]);
  });

  it('says apt could not install the missing packages, with apt’s last lines', async () => {
    const fakeApt = join(scratchDir('apt-'), 'apt-get');
    writeFileSync(fakeApt, '#!/bin/sh\necho "E: Unable to locate package docker-registry" >&2\nexit 100\n');
    chmodSync(fakeApt, 0o755);
    const run = await runEngine(['start'], await isolated({ IMAGEWISE_REGISTRY_BIN: '/nonexistent/docker-registry', IMAGEWISE_APT_GET: fakeApt }));
    expect(run.code).toBe(1);
    expect(errorLines(run.stderr)).toEqual([
      'engine: error: apt-get could not install docker-registry: check the apt sources and network, or install them by hand',
    ]);
    expect(run.stderr).toContain('E: Unable to locate package docker-registry');
  });

  it('reports a dockerd that exits during start-up, with its log, and cleans up', async () => {
    const run = await runEngine(['start-engine', 'broken'], await isolated({ IMAGEWISE_DOCKERD_FLAGS: '--storage-driver=no-such-driver' }));
    expect(run.code).toBe(1);
    expect(errorLines(run.stderr)).toEqual(['engine: error: dockerd for engine broken exited during start-up']);
    expect(run.stderr).toContain('no-such-driver');
    expect(leftovers(`${runRoot}/broken`, join(home, 'engines/broken/data'), engineBridge(home, 'broken'))).toEqual([]);
  });

  it('gives up on a dockerd that never answers, within the timeout, and ends it', async () => {
    const fake = join(scratchDir('fake-'), 'dockerd');
    writeFileSync(fake, '#!/bin/bash\necho "pretending to start"\nwhile :; do sleep 0.2; done\n');
    chmodSync(fake, 0o755);
    const run = await runEngine(['start-engine', 'silent'], await isolated({ IMAGEWISE_DOCKERD: fake, IMAGEWISE_ENGINE_TIMEOUT: '3' }));
    expect(run.code).toBe(1);
    expect(errorLines(run.stderr)).toEqual(['engine: error: dockerd for engine silent did not answer within 3s (IMAGEWISE_ENGINE_TIMEOUT)']);
    expect(run.stderr).toContain('pretending to start');
    expect(leftovers(`${runRoot}/silent`, join(home, 'engines/silent/data'), engineBridge(home, 'silent'))).toEqual([]);
  });
});
