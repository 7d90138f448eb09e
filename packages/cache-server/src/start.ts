import { createLogger, type Logger, type LogSink } from '@imagewise/common';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuthorizer, type AuthOptions } from './auth.js';
import { evict, type EvictionLimits } from './eviction.js';
import { Metrics } from './metrics.js';
import { createCacheHandler } from './server.js';
import { FilesystemStorage } from './storage/filesystem.js';
import { S3Storage, type S3Location } from './storage/s3.js';
import type { CacheStorage } from './storage/storage.js';

export type StorageOption = { kind: 'filesystem'; directory: string } | ({ kind: 's3' } & S3Location);

export interface CacheServerOptions extends AuthOptions {
  storage: StorageOption;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Larger PUTs answer 413. Defaults to 1 GiB. */
  maxEntryBytes?: number;
  /** Filesystem storage only. */
  eviction?: EvictionLimits & { intervalMs?: number };
  /** Where JSON log lines go; defaults to stdout. */
  logStream?: LogSink;
}

export interface RunningCacheServer {
  /** `http://host:port`, what NX_SELF_HOSTED_REMOTE_CACHE_SERVER takes. */
  readonly url: string;
  readonly port: number;
  readonly storage: CacheStorage;
  readonly metrics: Metrics;
  readonly logger: Logger;
  stop(): Promise<void>;
}

export const DEFAULT_MAX_ENTRY_BYTES = 1024 ** 3;
const DEFAULT_EVICTION_INTERVAL_MS = 10 * 60 * 1000;
/** How often tmp/ is swept for what interrupted uploads left (init sweeps it at start). */
const TEMPORARY_SWEEP_INTERVAL_MS = 60 * 1000;
const KEEP_ALIVE_TIMEOUT_MS = 120_000;

/** Starts a cache server; `await startCacheServer({ storage, open: true })` is enough for a test. */
export async function startCacheServer(options: CacheServerOptions): Promise<RunningCacheServer> {
  const authorize = createAuthorizer(options);
  const eviction = evictionOf(options);
  const logger = createLogger({ service: 'imagewise-cache-server', stream: options.logStream });
  const storage = options.storage.kind === 'filesystem' ? new FilesystemStorage(options.storage.directory) : new S3Storage(options.storage);
  await storage.init();
  const metrics = new Metrics();
  const server = createServer(
    // Longer than Nx's client keeps an idle connection (reqwest: 90 s), so the
    // client drops it first: a server closing it as a request goes out fails that request.
    { keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS },
    createCacheHandler({ storage, authorize, metrics, logger, maxEntryBytes: options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES }),
  );
  const stopEviction = eviction && storage instanceof FilesystemStorage ? scheduleEviction(storage, eviction, metrics, logger) : () => {};
  const stopSweep = storage instanceof FilesystemStorage ? scheduleTemporarySweep(storage, logger) : () => {};
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    stopEviction();
    stopSweep();
    await storage.close();
    throw error;
  }
  const { port, address, family } = server.address() as AddressInfo;
  const host = family === 'IPv6' ? `[${address}]` : address;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host}:${port}`,
    port,
    storage,
    metrics,
    logger,
    async stop() {
      stopEviction();
      stopSweep();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await storage.close();
    },
  };
}

type Eviction = NonNullable<CacheServerOptions['eviction']>;

function evictionOf(options: CacheServerOptions): Eviction | undefined {
  const { eviction } = options;
  if (!eviction || (eviction.maxAgeMs === undefined && eviction.maxTotalBytes === undefined)) return undefined;
  if (options.storage.kind !== 'filesystem') {
    throw new Error('eviction (--max-age, --max-total-size) applies to filesystem storage; for S3 use a lifecycle rule on the bucket');
  }
  return eviction;
}

/** Runs an eviction pass now and then every interval; returns how to stop it. */
function scheduleEviction(storage: FilesystemStorage, eviction: Eviction, metrics: Metrics, logger: Logger): () => void {
  const pass = async () => {
    try {
      const result = await evict(storage, eviction);
      metrics.evicted.value += result.entries;
      logger.info('eviction', { ...result });
    } catch (error) {
      logger.error('eviction failed', { err: error });
    }
  };
  return every(eviction.intervalMs ?? DEFAULT_EVICTION_INTERVAL_MS, pass, { now: true });
}

/** Sweeps tmp/ every minute (init swept it at start); returns how to stop it. */
function scheduleTemporarySweep(storage: FilesystemStorage, logger: Logger): () => void {
  return every(TEMPORARY_SWEEP_INTERVAL_MS, async () => {
    try {
      const removed = await storage.sweepTemporaries();
      if (removed > 0) logger.info('temporary files removed', { count: removed });
    } catch (error) {
      logger.error('temporary file sweep failed', { err: error });
    }
  });
}

/** Runs `task` every interval (and at once with `now`), never two at once, without keeping the process alive; returns how to stop it. */
function every(intervalMs: number, task: () => Promise<void>, { now = false } = {}): () => void {
  let running = false;
  const run = () => {
    if (running) return;
    running = true;
    void task().finally(() => (running = false));
  };
  if (now) run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
