import { createHash, hash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { workspaceDataDirectoryForWorkspace } from 'nx/src/utils/cache-directory';

/**
 * Results of the graph code from earlier Nx commands, by a key that hashes
 * everything a result depends on, in Nx's workspace data directory (so
 * `nx reset` clears them). Reading and analysing 1,000 Dockerfiles and their
 * manifests is most of the plugin's time on every command; with these a
 * command reads the files and works out only what changed.
 */
export class GraphCache<V> {
  private readonly used: Record<string, V> = {};
  private changed = false;

  /** `persist` false: the entries live in this process only (a daemon's plugin worker keeps them). */
  constructor(
    readonly path: string,
    readonly persist: boolean,
    private readonly stored: Record<string, V>,
  ) {}

  get(key: string, compute: () => V): V {
    let value = key in this.used ? this.used[key] : this.stored[key];
    if (value === undefined) {
      value = compute();
      this.changed = true;
    }
    this.used[key] = value;
    return value;
  }

  /**
   * Keeps the entries asked for since the cache was opened and drops the
   * rest, so the file holds what the workspace has now. Whole or not at all:
   * a temporary file renamed over the old one; a failure, or the process
   * ending first, leaves the old one. Serialised a few entries per turn of
   * the event loop, so that the messages Nx is sending go out meanwhile.
   */
  async save(): Promise<void> {
    remembered.set(this.path, this.used);
    const dropped = Object.keys(this.stored).some((key) => !(key in this.used));
    if (!this.persist || (!this.changed && !dropped)) return;
    const temporary = `${this.path}.${process.pid}.tmp`;
    pendingFiles.add(temporary);
    try {
      const parts: string[] = [];
      const entries = Object.entries(this.used);
      for (let start = 0; start < entries.length; start += ENTRIES_PER_TURN) {
        if (start > 0) await new Promise((resolve) => setImmediate(resolve));
        for (const [key, value] of entries.slice(start, start + ENTRIES_PER_TURN)) parts.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
      }
      mkdirSync(dirname(this.path), { recursive: true });
      await writeFile(temporary, `{"format":${FORMAT},"entries":{${parts.join(',')}}}`);
      await rename(temporary, this.path);
    } catch {
      // A cache only spares work: a read-only or full disk costs a slower next command, nothing else.
      removeQuietly(temporary);
    } finally {
      pendingFiles.delete(temporary);
    }
  }
}

/** About 50 KB of JSON: well under a millisecond of one turn of the event loop. */
const ENTRIES_PER_TURN = 64;

/** Temporary files being written: removed if the process ends first (Nx ends its plugin workers when done). */
const pendingFiles = new Set<string>();
process.once('exit', () => pendingFiles.forEach(removeQuietly));

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Nothing was written where nothing can be removed.
  }
}

/** Bumped whenever a cached result's shape or meaning changes, so old entries are never read as new. */
const FORMAT = 1;

interface StoredCache<V> {
  format: number;
  entries: Record<string, V>;
}

// A packed plugin's version names its code; loaded from TypeScript source, the
// code may change under one version, so its caches stay in memory.
const PLUGIN_VERSION = (require('../../package.json') as { version: string }).version;
const PERSIST = !__filename.endsWith('.ts');

/** The entries each cache file held after the last command in this process: a daemon's worker reads the disk once. */
const remembered = new Map<string, Record<string, unknown>>();
/** By file: a cache opened again (a daemon's next command) replaces the one before. */
const unsaved = new Map<string, GraphCache<unknown>>();

/**
 * The cache of one kind of result for one plugin entry (its options name the
 * file, as two entries read different projects). Opened caches are saved by
 * {@link saveGraphCachesSoon}.
 */
export function openGraphCache<V>(kind: string, workspaceRoot: string, options: unknown, persist = PERSIST): GraphCache<V> {
  const path = graphCachePath(workspaceDataDirectoryForWorkspace(workspaceRoot), kind, PLUGIN_VERSION, options);
  const stored = (remembered.get(path) as Record<string, V> | undefined) ?? (persist ? loadEntries<V>(path) : {});
  const cache = new GraphCache<V>(path, persist, stored);
  unsaved.set(path, cache as GraphCache<unknown>);
  return cache;
}

/**
 * Saves the caches opened since the last save, after the current message: Nx
 * waits for createNodes' results and for every plugin's dependencies, not for
 * this. createDependencies calls it once its edges are computed.
 */
export async function saveGraphCachesSoon(): Promise<void> {
  const caches = [...unsaved.values()];
  unsaved.clear();
  await new Promise((resolve) => setImmediate(resolve));
  await Promise.all(caches.map((cache) => cache.save()));
}

export function graphCachePath(workspaceDataDirectory: string, kind: string, version: string, options: unknown): string {
  const optionsHash = createHash('sha1').update(JSON.stringify(options ?? null)).digest('hex').slice(0, 12);
  return join(workspaceDataDirectory, `imagewise-${kind}-${version}-${optionsHash}.json`);
}

/** A cache key for results computed from these texts: absent (undefined) and empty texts differ. */
export function keyOfTexts(texts: Array<string | undefined>): string {
  return hash('sha1', texts.map((text) => (text === undefined ? '\u0000' : `\u0001${text.length}:${text}`)).join(''), 'base64');
}

function loadEntries<V>(path: string): Record<string, V> {
  try {
    const stored = JSON.parse(readFileSync(path, 'utf8')) as Partial<StoredCache<V>>;
    if (stored.format === FORMAT && typeof stored.entries === 'object' && stored.entries !== null) return stored.entries;
  } catch {
    // Missing, unreadable or edited by hand: start empty, and write a good one.
  }
  return {};
}
