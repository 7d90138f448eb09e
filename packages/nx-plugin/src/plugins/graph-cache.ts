import { createHash, hash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFile, writeFileSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';

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

  constructor(
    readonly path: string,
    private readonly stored: Record<string, V>,
  ) {}

  get(key: string, compute: () => V): V {
    let value = Object.hasOwn(this.used, key) ? this.used[key] : Object.hasOwn(this.stored, key) ? this.stored[key] : undefined;
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
   * a temporary file renamed over the old one; a failure leaves the old one.
   * Serialised a few entries per turn of the event loop, so that the messages
   * Nx is sending go out meanwhile. If the process ends first (Nx ends its
   * plugin workers when the command is done, sooner than this on a busy
   * machine), {@link saveSync} finishes it on the way out.
   */
  async save(): Promise<void> {
    if (!this.needsSaving()) return;
    pendingSaves.add(this as GraphCache<unknown>);
    const temporary = temporaryPath(this.path);
    pendingFiles.add(temporary);
    try {
      const parts: string[] = [];
      const entries = Object.entries(this.used);
      for (let start = 0; start < entries.length; start += ENTRIES_PER_TURN) {
        if (start > 0) await new Promise((resolve) => setImmediate(resolve));
        for (const [key, value] of entries.slice(start, start + ENTRIES_PER_TURN)) parts.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
      }
      mkdirSync(dirname(this.path), { recursive: true });
      // Created on this thread, not in libuv's pool: an open still queued there
      // when the process ends would create the file after the exit handler removed it.
      const file = openSync(temporary, 'w');
      try {
        await writeToFile(file, `{"entries":{${parts.join(',')}}}`);
      } finally {
        closeSync(file);
      }
      await rename(temporary, this.path);
    } catch {
      // A cache only spares work: a read-only or full disk costs a slower next command, nothing else.
      removeQuietly(temporary);
    } finally {
      pendingFiles.delete(temporary);
      pendingSaves.delete(this as GraphCache<unknown>);
    }
  }

  /** The same save, at once: for a process about to end. */
  saveSync(): void {
    if (!this.needsSaving()) return;
    const temporary = temporaryPath(this.path);
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(temporary, JSON.stringify({ entries: this.used }));
      renameSync(temporary, this.path);
    } catch {
      removeQuietly(temporary);
    }
  }

  private needsSaving(): boolean {
    remembered.set(this.path, this.used);
    const dropped = Object.keys(this.stored).some((key) => !Object.hasOwn(this.used, key));
    return this.changed || dropped;
  }
}

const writeToFile = promisify(writeFile);

/** About 50 KB of JSON: well under a millisecond of one turn of the event loop. */
const ENTRIES_PER_TURN = 64;

let saves = 0;
/** Each save its own file: a daemon's next command may save while this one still writes. */
const temporaryPath = (path: string) => `${path}.${process.pid}-${++saves}.tmp`;
/** Temporary files being written, and the caches whose save has not finished. */
const pendingFiles = new Set<string>();
const pendingSaves = new Set<GraphCache<unknown>>();
// Nx ends its plugin workers with process.exit when the command is done: what
// was not saved yet is saved now, at once, and no temporary file stays behind.
process.once('exit', () => {
  for (const cache of [...pendingSaves, ...unsaved.values()]) cache.saveSync();
  pendingFiles.forEach(removeQuietly);
});

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Nothing was written where nothing can be removed.
  }
}

/**
 * The code whose results are cached, as a hash of its files: a file written
 * by other code (another version, a rebuilt pack, edited source) has another
 * name, so it is never read. Computed once, on the first cache opened.
 */
let codeHash: string | undefined;
function analysisCodeHash(): string {
  if (codeHash === undefined) {
    const sources = join(__dirname, '..');
    const files = ['dockerfile', 'graph', 'image-reference', 'library', 'lock', 'plugins'].flatMap((dir) =>
      readdirSync(join(sources, dir))
        .filter((name) => extname(name) === extname(__filename) && !name.includes('.spec.'))
        .sort()
        .map((name) => join(dir, name)),
    );
    const digest = createHash('sha1');
    for (const file of files) digest.update(`${file}\u0000${readFileSync(join(sources, file), 'utf8')}\u0000`);
    codeHash = digest.digest('hex').slice(0, 12);
  }
  return codeHash;
}

/** The entries each cache file held after the last command in this process: a daemon's worker reads the disk once. */
const remembered = new Map<string, Record<string, unknown>>();
/** By file: a cache opened again (a daemon's next command) replaces the one before. */
const unsaved = new Map<string, GraphCache<unknown>>();

/**
 * The cache of one kind of result for one plugin entry (its options name the
 * file, as two entries read different projects). Opened caches are saved by
 * {@link saveGraphCachesSoon}.
 */
export function openGraphCache<V>(kind: string, workspaceRoot: string, options: unknown): GraphCache<V> {
  const path = graphCachePath(workspaceDataDirectory(workspaceRoot), kind, analysisCodeHash(), options);
  const stored = (remembered.get(path) as Record<string, V> | undefined) ?? loadEntries<V>(path);
  const cache = new GraphCache<V>(path, stored);
  unsaved.set(path, cache as GraphCache<unknown>);
  return cache;
}

/** Every save started so far, one after another (a save never throws): what is awaited is on disk. */
let saving: Promise<void> = Promise.resolve();

/**
 * Saves the caches opened since the last save, after the current message: Nx
 * waits for createNodes' results and for every plugin's dependencies, not for
 * this. createDependencies calls it once its edges are computed. Resolves once
 * this and every earlier save is done.
 */
export function saveGraphCachesSoon(): Promise<void> {
  const caches = [...unsaved.values()];
  unsaved.clear();
  saving = saving.then(async () => {
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all(caches.map((cache) => cache.save()));
  });
  return saving;
}

export function graphCachePath(workspaceDataDirectory: string, kind: string, code: string, options: unknown): string {
  const optionsHash = createHash('sha1')
    .update(JSON.stringify(options ?? null))
    .digest('hex')
    .slice(0, 12);
  return join(workspaceDataDirectory, `imagewise-${kind}-${code}-${optionsHash}.json`);
}

/** A cache key for results computed from these texts: absent (undefined) and empty texts differ. */
export function keyOfTexts(texts: Array<string | undefined>): string {
  return hash('sha1', texts.map((text) => (text === undefined ? '\u0000' : `\u0001${text.length}:${text}`)).join(''), 'base64');
}

/**
 * Nx's workspace data directory, as Nx works it out (NX_WORKSPACE_DATA_DIRECTORY,
 * else .nx/workspace-data); Nx's own default if its internal module moves.
 */
function workspaceDataDirectory(workspaceRoot: string): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- Nx's internal module may move: required in a try
    const nx = require('nx/src/utils/cache-directory') as { workspaceDataDirectoryForWorkspace(root: string): string };
    return nx.workspaceDataDirectoryForWorkspace(workspaceRoot);
  } catch {
    const configured = process.env.NX_WORKSPACE_DATA_DIRECTORY;
    if (configured) return isAbsolute(configured) ? configured : join(workspaceRoot, configured);
    return join(workspaceRoot, '.nx', 'workspace-data');
  }
}

function loadEntries<V>(path: string): Record<string, V> {
  try {
    const { entries } = JSON.parse(readFileSync(path, 'utf8')) as { entries?: unknown };
    if (typeof entries === 'object' && entries !== null && !Array.isArray(entries)) return entries as Record<string, V>;
  } catch {
    // Missing, unreadable or edited by hand: start empty, and write a good one.
  }
  return {};
}
