import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import { EnginePool, engineOrder, markerFileLoad, enginePerPlatform, poolEngineEnv, type EngineLoad, type PoolEntry } from './engine-pool';

describe('engineOrder', () => {
  it('puts the least busy first, the listed order breaking ties', () => {
    expect(engineOrder([2, 0, 1, 0], new Set())).toEqual([1, 3, 2, 0]);
  });

  it('leaves out engines found unreachable', () => {
    expect(engineOrder([0, 0, 0], new Set([0, 2]))).toEqual([1]);
    expect(engineOrder([0], new Set([0]))).toEqual([]);
  });
});

describe('enginePerPlatform', () => {
  const amd64 = { os: 'linux', architecture: 'amd64' };
  const arm64 = { os: 'linux', architecture: 'arm64' };
  const arm = { os: 'linux', architecture: 'arm' };

  it('sends each platform to an engine of that platform, however busy, before any other', () => {
    const engines = [
      { native: amd64, load: 0 },
      { native: arm64, load: 5 },
    ];
    expect(enginePerPlatform(['linux/amd64', 'linux/arm64'], engines)).toEqual({ 'linux/amd64': 0, 'linux/arm64': 1 });
  });

  it('takes the least busy of the engines of that platform, the listed order breaking ties', () => {
    expect(
      enginePerPlatform(
        ['linux/amd64'],
        [
          { native: amd64, load: 3 },
          { native: arm64, load: 0 },
          { native: amd64, load: 1 },
        ],
      ),
    ).toEqual({ 'linux/amd64': 2 });
    expect(
      enginePerPlatform(
        ['linux/amd64'],
        [
          { native: arm64, load: 0 },
          { native: amd64, load: 1 },
          { native: amd64, load: 1 },
        ],
      ),
    ).toEqual({ 'linux/amd64': 1 });
  });

  it("leaves a platform no engine has (another architecture or os) to the task's engine, by emulation", () => {
    const engines = [{ native: amd64, load: 0 }];
    expect(enginePerPlatform(['linux/arm64', 'windows/amd64', 'linux/amd64'], engines)).toEqual({
      'linux/arm64': 'emulation',
      'windows/amd64': 'emulation',
      'linux/amd64': 0,
    });
  });

  it("skips an engine that did not answer: the next of that platform, else the task's engine", () => {
    expect(
      enginePerPlatform(
        ['linux/arm64'],
        [
          { native: undefined, load: 0 },
          { native: arm64, load: 2 },
        ],
      ),
    ).toEqual({ 'linux/arm64': 1 });
    expect(enginePerPlatform(['linux/arm64'], [{ native: undefined, load: 0 }])).toEqual({ 'linux/arm64': 'emulation' });
  });

  it('matches a platform with a variant to an engine of its architecture (an engine names no variant)', () => {
    const engines = [
      { native: arm64, load: 0 },
      { native: arm, load: 4 },
    ];
    expect(enginePerPlatform(['linux/arm/v7', 'linux/arm64/v8'], engines)).toEqual({ 'linux/arm/v7': 1, 'linux/arm64/v8': 0 });
  });
});

describe('poolEngineEnv', () => {
  const env = { PATH: '/bin', DOCKER_HOST: 'unix:///other.sock', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs', DOCKER_CONTEXT: 'remote' };

  it("names the pool engine alone: none of the process's DOCKER_* settings leaks in", () => {
    expect(poolEngineEnv('tcp://10.0.0.2:2375', env)).toEqual({ PATH: '/bin', DOCKER_HOST: 'tcp://10.0.0.2:2375' });
  });

  it('carries the TLS settings an entry gives', () => {
    expect(poolEngineEnv({ host: 'tcp://b:2376', tlsVerify: true, certPath: '/pool/b' }, env)).toEqual({
      PATH: '/bin',
      DOCKER_HOST: 'tcp://b:2376',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: '/pool/b',
    });
  });
});

describe('markerFileLoad', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('counts builds marked in flight per engine, and forgets one when unmarked', () => {
    root = mkdtempSync(join(tmpdir(), 'imagewise-load-'));
    const load = markerFileLoad(root);
    const first = load.mark('unix:///a.sock');
    load.mark('unix:///a.sock');
    load.mark('tcp://b:2375');
    expect([load.count('unix:///a.sock'), load.count('tcp://b:2375'), load.count('tcp://c:2375')]).toEqual([2, 1, 0]);
    first();
    expect(load.count('unix:///a.sock')).toBe(1);
  });

  it('does not count the marks of a process that is gone', () => {
    root = mkdtempSync(join(tmpdir(), 'imagewise-load-'));
    const load = markerFileLoad(root, (pid) => pid === process.pid);
    load.mark('unix:///a.sock');
    const [dir] = readdirSync(root);
    mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, dir, '999999999-0'), 'unix:///a.sock');
    expect(load.count('unix:///a.sock')).toBe(1);
  });
});

/**
 * An in-memory load, and engines that connect or fail as told, each of the
 * platform `platforms` gives it (linux/amd64 unless told); `racedOn`: another
 * process marks that engine the moment this one first does.
 */
function fakePool(
  entries: PoolEntry[],
  { failing = [], racedOn, platforms = {} }: { failing?: string[]; racedOn?: string; platforms?: Record<string, string> } = {},
) {
  const inFlight = new Map<string, number>();
  let raced = false;
  const load: EngineLoad = {
    count: (address) => inFlight.get(address) ?? 0,
    mark: (address) => {
      if (address === racedOn && !raced) {
        raced = true;
        inFlight.set(address, (inFlight.get(address) ?? 0) + 1);
      }
      inFlight.set(address, (inFlight.get(address) ?? 0) + 1);
      return () => inFlight.set(address, inFlight.get(address)! - 1);
    },
  };
  const notes: string[] = [];
  const connects: string[] = [];
  const asked: string[] = [];
  const pool = new EnginePool(entries, {
    load,
    note: (line) => notes.push(line),
    connect: async (entry) => {
      const address = typeof entry === 'string' ? entry : entry.host;
      connects.push(address);
      if (failing.includes(address)) throw new Error(`the Docker daemon at ${address} (DOCKER_HOST) did not answer (ECONNREFUSED)`);
      const version = async () => {
        asked.push(address);
        const [Os, Arch] = (platforms[address] ?? 'linux/amd64').split('/');
        return { Os, Arch };
      };
      return { address, version } as unknown as Docker;
    },
  });
  return { pool, inFlight, notes, connects, asked };
}

describe('EnginePool', () => {
  it('spreads concurrent builds over the engines, least busy first, and reuses connections', async () => {
    const { pool, inFlight, connects } = fakePool(['unix:///a.sock', { host: 'tcp://b:2376', tlsVerify: true }]);
    const first = await pool.take();
    const second = await pool.take();
    const third = await pool.take();
    expect([first.address, second.address, third.address]).toEqual(['unix:///a.sock', 'tcp://b:2376', 'unix:///a.sock']);
    expect(inFlight.get('unix:///a.sock')).toBe(2);
    first.release();
    third.release();
    expect((await pool.take()).address).toBe('unix:///a.sock');
    expect(connects).toEqual(['unix:///a.sock', 'tcp://b:2376']);
  });

  it('skips an engine that does not answer, with one note, and keeps it skipped', async () => {
    const { pool, notes, inFlight } = fakePool(['tcp://down:2375', 'unix:///a.sock'], { failing: ['tcp://down:2375'] });
    expect((await pool.take()).address).toBe('unix:///a.sock');
    expect((await pool.take()).address).toBe('unix:///a.sock');
    expect(notes).toEqual(['the Docker daemon at tcp://down:2375 (DOCKER_HOST) did not answer (ECONNREFUSED); builds go to the other engines of the pool']);
    expect(inFlight.get('tcp://down:2375')).toBe(0);
  });

  it('fails naming every engine when none answers', async () => {
    const { pool } = fakePool(['tcp://x:2375', 'tcp://y:2375'], { failing: ['tcp://x:2375', 'tcp://y:2375'] });
    await expect(pool.take()).rejects.toThrow(
      'no engine of the plugin option "engines" answers: the Docker daemon at tcp://x:2375 (DOCKER_HOST) did not answer (ECONNREFUSED); the Docker daemon at tcp://y:2375 (DOCKER_HOST) did not answer (ECONNREFUSED)',
    );
  });

  it('moves to a less busy engine when another process took the same one at the same moment', async () => {
    const { pool, inFlight } = fakePool(['unix:///a.sock', 'unix:///b.sock'], { racedOn: 'unix:///a.sock' });
    expect((await pool.take()).address).toBe('unix:///b.sock');
    expect(inFlight.get('unix:///a.sock')).toBe(1);
  });
});

describe('EnginePool.takeForPlatforms', () => {
  const platforms = { 'unix:///a.sock': 'linux/amd64', 'tcp://b:2375': 'linux/arm64', 'tcp://c:2375': 'linux/arm64' };

  it('takes for each platform the least busy engine of that platform, asking each engine its platform once', async () => {
    const { pool, inFlight, asked } = fakePool(Object.keys(platforms), { platforms });
    const first = await pool.takeForPlatforms(['linux/amd64', 'linux/arm64']);
    expect([first['linux/amd64'].address, first['linux/arm64'].address]).toEqual(['unix:///a.sock', 'tcp://b:2375']);
    const second = await pool.takeForPlatforms(['linux/arm64']);
    expect(second['linux/arm64'].address).toBe('tcp://c:2375');
    expect(Object.fromEntries(inFlight)).toEqual({ 'unix:///a.sock': 1, 'tcp://b:2375': 1, 'tcp://c:2375': 1 });
    first['linux/arm64'].release();
    expect((await pool.takeForPlatforms(['linux/arm64']))['linux/arm64'].address).toBe('tcp://b:2375');
    expect(asked).toEqual(Object.keys(platforms));
  });

  it("leaves out a platform no engine of the pool has, taking nothing for it: the task's engine builds it", async () => {
    const { pool, inFlight } = fakePool(Object.keys(platforms), { platforms });
    expect(await pool.takeForPlatforms(['linux/s390x'])).toEqual({});
    expect(inFlight.size).toBe(0);
  });

  it('skips an engine that does not answer, with one note, for this and every later take', async () => {
    const { pool, notes, connects } = fakePool(['tcp://down:2375', 'tcp://c:2375'], { failing: ['tcp://down:2375'], platforms });
    expect((await pool.takeForPlatforms(['linux/arm64']))['linux/arm64'].address).toBe('tcp://c:2375');
    expect((await pool.take()).address).toBe('tcp://c:2375');
    expect(await pool.takeForPlatforms(['linux/amd64'])).toEqual({});
    expect(notes).toEqual(['the Docker daemon at tcp://down:2375 (DOCKER_HOST) did not answer (ECONNREFUSED); builds go to the other engines of the pool']);
    expect(connects).toEqual(['tcp://down:2375', 'tcp://c:2375']);
  });
});
