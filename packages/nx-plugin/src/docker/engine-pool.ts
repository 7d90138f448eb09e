// A pool of Docker engines (the plugin option `engines`): each image build
// takes the least busy engine that answers. Busy means builds in flight on it
// from any process of this machine — Nx runs tasks in processes of their own,
// or many in one batch process — counted by marker files, one per build, named
// after the process that holds it so that a killed process's markers stop counting.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { parsePlatform, type Platform } from '../build/platforms';

/** One engine of the pool, as the plugin option gives it: a DOCKER_HOST-style address, or that with its TLS settings. */
export type PoolEntry = string | { host: string; tlsVerify?: boolean; certPath?: string };

/** The environment that names one pool engine, for resolveEngine: nothing of the process's own DOCKER_* settings leaks in. */
export function poolEngineEnv(entry: PoolEntry, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { host, tlsVerify, certPath } = typeof entry === 'string' ? { host: entry } : entry;
  const rest = Object.fromEntries(Object.entries(env).filter(([key]) => !/^DOCKER_(HOST|TLS_VERIFY|CERT_PATH|CONTEXT)$/.test(key)));
  return { ...rest, DOCKER_HOST: host, ...(tlsVerify ? { DOCKER_TLS_VERIFY: '1' } : {}), ...(certPath ? { DOCKER_CERT_PATH: certPath } : {}) };
}

export function poolAddress(entry: PoolEntry): string {
  return typeof entry === 'string' ? entry : entry.host;
}

/**
 * The order to try engines in: least busy first, the order the option lists
 * them breaking ties; engines already found unreachable are left out.
 */
export function engineOrder(loads: readonly number[], unreachable: ReadonlySet<number>): number[] {
  return loads
    .map((load, index) => ({ load, index }))
    .filter(({ index }) => !unreachable.has(index))
    .sort((a, b) => a.load - b.load || a.index - b.index)
    .map(({ index }) => index);
}

/** What the pool knows of one engine when a multi-platform build chooses: its own platform (undefined: it did not answer) and its builds in flight. */
export interface PoolEngine {
  native: Platform | undefined;
  load: number;
}

/**
 * Which engine builds each platform of a multi-platform image: the least busy
 * engine whose own os and architecture are the platform's (ties: the order
 * listed), or, when none is, the task's engine by emulation. The variant is
 * not compared: an engine says only its architecture (`arm`, not `arm/v7`).
 */
export function enginePerPlatform(platforms: readonly string[], engines: readonly PoolEngine[]): Record<string, number | 'emulation'> {
  const loads = engines.map((engine) => engine.load);
  return Object.fromEntries(
    platforms.map((platform) => {
      const { os, architecture } = parsePlatform(platform);
      const others = engines.flatMap((engine, index) => (engine.native?.os === os && engine.native.architecture === architecture ? [] : [index]));
      return [platform, engineOrder(loads, new Set(others))[0] ?? 'emulation'];
    }),
  );
}

/** Builds in flight per engine address, on this machine. */
export interface EngineLoad {
  count(address: string): number;
  /** Marks one build in flight on the engine; the function unmarks it. */
  mark(address: string): () => void;
}

/** Marker files under the temporary directory: `<dir>/<address hash>/<pid>-<n>`. */
export function markerFileLoad(root = join(tmpdir(), 'imagewise-engine-load'), alive: (pid: number) => boolean = processAlive): EngineLoad {
  let next = 0;
  const dirOf = (address: string) => join(root, createHash('sha256').update(address).digest('hex').slice(0, 16));
  return {
    count(address) {
      let names: string[];
      try {
        names = readdirSync(dirOf(address));
      } catch {
        return 0;
      }
      return names.filter((name) => alive(Number(name.split('-')[0]))).length;
    },
    mark(address) {
      const dir = dirOf(address);
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${process.pid}-${next++}`);
      writeFileSync(file, address);
      return () => rmSync(file, { force: true });
    },
  };
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** An engine taken from the pool for one build: give it back when the build is done. */
export interface TakenEngine {
  docker: Docker;
  address: string;
  release(): void;
}

export interface PoolDeps {
  connect(entry: PoolEntry): Promise<Docker>;
  load: EngineLoad;
  /** Said once per engine that does not answer. */
  note(line: string): void;
}

/**
 * Takes the least busy engine that answers. An engine that does not is
 * skipped (one note) for the rest of this process; none answering is an
 * error naming each. Connections, and each engine's own platform, are kept
 * for the process (a batch builds many images).
 */
export class EnginePool {
  private readonly connections = new Map<number, Promise<Docker>>();
  private readonly natives = new Map<number, Promise<Platform | undefined>>();
  private readonly unreachable = new Map<number, string>();
  private readonly addresses: string[];

  constructor(
    private readonly entries: readonly PoolEntry[],
    private readonly deps: PoolDeps,
  ) {
    this.addresses = entries.map(poolAddress);
  }

  async take(): Promise<TakenEngine> {
    for (let recounts = 0; ;) {
      const order = engineOrder(this.loads(), new Set(this.unreachable.keys()));
      if (!order.length) {
        throw new Error(`no engine of the plugin option "engines" answers: ${[...this.unreachable.values()].join('; ')}`);
      }
      const index = order[0];
      const release = this.deps.load.mark(this.addresses[index]);
      // Another process may have taken the same engine at the same moment: counted
      // again with both marks, a less busy engine wins (a few times at most).
      const now = this.loads();
      if (recounts < 3 && order.slice(1).some((other) => now[other] < now[index] - 1)) {
        release();
        recounts++;
        continue;
      }
      try {
        return { docker: await this.connection(index), address: this.addresses[index], release };
      } catch (error) {
        release();
        this.skip(index, error);
      }
    }
  }

  /**
   * For each platform of a multi-platform build, the engine of that platform
   * it builds on (enginePerPlatform), marked busy from now until released; a
   * platform no engine of the pool has is left out: the task's engine builds
   * it, by emulation. Marked at once, so builds starting together spread.
   */
  async takeForPlatforms(platforms: readonly string[]): Promise<Record<string, TakenEngine>> {
    const natives = await Promise.all(this.entries.map((_, index) => this.native(index)));
    const loads = this.loads();
    const chosen = enginePerPlatform(
      platforms,
      loads.map((load, index) => ({ native: natives[index], load })),
    );
    const taken: Record<string, TakenEngine> = {};
    for (const platform of platforms) {
      const index = chosen[platform];
      if (index === 'emulation') continue;
      // Known to answer: its platform came through this connection.
      taken[platform] = { docker: await this.connection(index), address: this.addresses[index], release: this.deps.load.mark(this.addresses[index]) };
    }
    return taken;
  }

  private loads(): number[] {
    return this.addresses.map((address) => this.deps.load.count(address));
  }

  private connection(index: number): Promise<Docker> {
    let connection = this.connections.get(index);
    if (!connection) {
      connection = this.deps.connect(this.entries[index]);
      this.connections.set(index, connection);
    }
    return connection;
  }

  /** The engine's own platform, asked once (`Arch` is Go's: amd64, arm64, arm); undefined when it does not answer. */
  private native(index: number): Promise<Platform | undefined> {
    let native = this.natives.get(index);
    if (!native) {
      native = this.connection(index)
        .then((docker) => docker.version())
        .then((version): Platform | undefined => ({ os: version.Os, architecture: version.Arch }))
        .catch((error: unknown) => {
          this.skip(index, error);
          return undefined;
        });
      this.natives.set(index, native);
    }
    return native;
  }

  private skip(index: number, error: unknown): void {
    if (this.unreachable.has(index)) return;
    const why = (error as Error).message;
    this.unreachable.set(index, why);
    this.deps.note(`${why}; builds go to the other engines of the pool`);
  }
}
