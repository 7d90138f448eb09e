import type { SemaphoreInterface } from 'async-mutex';
import type Docker from 'dockerode';
import type { Engine } from '../../build/build-facts';
import type { PlatformEngine, PlatformEngines } from '../../build/publish-platforms';
import { connectDocker } from '../../docker/docker-client';
import { sayOncePerRun } from './say-once';
import { EnginePool, markerFileLoad, poolEngineEnv, type PoolEntry, type TakenEngine } from '../../docker/engine-pool';

/** The engine one docker:build task uses: connected (or taken from the pool) on first use, given back when the task ends. */
export interface TaskEngine {
  get: Engine;
  /** Each platform's engine: the task's without a pool; with one, the pool's of that platform, else the task's (emulation). */
  platforms: PlatformEngines;
  /** The pool engine the task took; undefined without a pool or before one was needed. */
  address(): string | undefined;
  release(): void;
}

/** One pool per process and option value: a batch's tasks share its connections and its notes. */
const pools = new Map<string, EnginePool>();

/**
 * `slots`: engine work allowed at once in this process (a batch checks many
 * images against the registry at a time, but builds only a few): taken with
 * the engine, given back with it.
 */
export function taskEngine(entries: PoolEntry[] | undefined, log: (line: string) => void, slots?: SemaphoreInterface): TaskEngine {
  let freeSlot = () => undefined as void;
  const takeSlot = async () => {
    if (slots) [, freeSlot] = await slots.acquire();
  };
  if (!entries?.length) {
    let docker: Promise<Docker> | undefined;
    const get = () => (docker ??= takeSlot().then(() => connectDocker()));
    return {
      get,
      platforms: async (platforms) => onTaskEngine(platforms, { docker: await get(), release: () => undefined }),
      address: () => undefined,
      release: () => freeSlot(),
    };
  }
  const key = JSON.stringify(entries);
  let pool = pools.get(key);
  if (!pool) {
    pool = new EnginePool(entries, {
      connect: (entry) => connectDocker(poolEngineEnv(entry)),
      load: markerFileLoad(),
      note: (line) => sayOncePerRun(log, line),
    });
    pools.set(key, pool);
  }
  let taken: Promise<TakenEngine> | undefined;
  let address: string | undefined;
  let release = () => undefined as void;
  const get = async () => {
    taken ??= takeSlot()
      .then(() => pool.take())
      .then((engine) => {
        address = engine.address;
        release = engine.release;
        return engine;
      });
    return (await taken).docker;
  };
  return {
    get,
    platforms: async (platforms) => {
      // The task's own engine stays taken: it builds the platforms no engine of the pool has.
      const own = { docker: await get(), address, release: () => undefined };
      return { ...onTaskEngine(platforms, own), ...(await pool.takeForPlatforms(platforms)) };
    },
    address: () => address,
    release: () => {
      release();
      freeSlot();
    },
  };
}

function onTaskEngine(platforms: string[], engine: PlatformEngine): Record<string, PlatformEngine> {
  return Object.fromEntries(platforms.map((platform) => [platform, engine]));
}
