import { once } from 'node:events';
import { constants, createWriteStream, type WriteStream } from 'node:fs';
import { access, link, mkdir, open, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EntryInfo } from '../eviction.js';
import { guardBody } from './body-guard.js';
import type { CacheStorage, StoredEntry } from './storage.js';
import { isLeftOver, temporaryName } from './temporary-files.js';

/** Fewer, larger reads than the 64 KiB default: 50 MB hits took about a fifth less time here. */
const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * One file per entry under `<root>/entries`, written to `<root>/tmp` first and
 * hard-linked into place: link fails when the name exists, so the first whole
 * entry wins and is never replaced, and readers never see a partial one.
 */
export class FilesystemStorage implements CacheStorage {
  private readonly entries: string;
  private readonly temporary: string;
  /** Names in tmp/ this process is writing now, which a sweep leaves alone. */
  private readonly writing = new Set<string>();

  constructor(readonly root: string) {
    this.entries = join(root, 'entries');
    this.temporary = join(root, 'tmp');
  }

  get description(): string {
    return `filesystem ${this.root}`;
  }

  async init(): Promise<void> {
    await mkdir(this.entries, { recursive: true });
    await mkdir(this.temporary, { recursive: true });
    await this.check();
    await this.sweepTemporaries();
  }

  async get(hash: string): Promise<StoredEntry | undefined> {
    const path = this.entryPath(hash);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (isCode(error, 'ENOENT')) return undefined;
      throw error;
    }
    try {
      const { size, mtime } = await handle.stat();
      // The access time is the entry's last use, for eviction (mounts with noatime never set it).
      await utimes(path, new Date(), mtime).catch(() => undefined);
      return { body: handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES }), size };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  has(hash: string): Promise<boolean> {
    return fileExists(this.entryPath(hash));
  }

  async put(hash: string, body: Readable, size: number): Promise<'stored' | 'exists'> {
    const name = temporaryName(hash);
    const temporary = join(this.temporary, name);
    this.writing.add(name);
    const upload = guardBody(body);
    try {
      const file = await this.createTemporary(temporary);
      try {
        await pipeline(upload.stream, file, { signal: upload.signal });
      } catch (error) {
        // The body's own failure (a client gone), not pipeline's AbortError.
        throw upload.signal.aborted ? upload.signal.reason : error;
      }
      if (file.bytesWritten !== size) throw new Error(`body ended after ${file.bytesWritten} of ${size} bytes`);
      await syncToDisk(temporary);
      return await this.publish(temporary, this.entryPath(hash));
    } finally {
      upload.release();
      // A storage gone read-only keeps the file; the sweep retries it. The put's own error is the one to report.
      await rm(temporary, { force: true }).catch(() => undefined);
      this.writing.delete(name);
    }
  }

  /**
   * Writes, then removes, a small file in tmp/: a full disk or a read-only
   * mount fails here as it would fail a PUT (`access` alone passes both for root).
   */
  async check(): Promise<void> {
    const name = temporaryName('health');
    const probe = join(this.temporary, name);
    this.writing.add(name);
    try {
      await this.recreateTemporary();
      await access(this.entries, constants.R_OK | constants.W_OK);
      await writeFile(probe, 'ok', { flag: 'wx' });
    } catch (error) {
      throw new Error(`cannot write to ${this.root}: ${(error as Error).message}`, { cause: error });
    } finally {
      await rm(probe, { force: true }).catch(() => undefined);
      this.writing.delete(name);
    }
  }

  async close(): Promise<void> {}

  /** Every entry with its size and last use, for eviction. */
  async list(): Promise<EntryInfo[]> {
    const names = await readdir(this.entries);
    const infos = await Promise.all(
      names.map(async (hash) => {
        try {
          const { size, atimeMs, mtimeMs } = await stat(join(this.entries, hash));
          return { hash, size, lastUsedMs: Math.max(atimeMs, mtimeMs) };
        } catch (error) {
          if (isCode(error, 'ENOENT')) return undefined; // evicted meanwhile
          throw error;
        }
      }),
    );
    return infos.filter((info): info is EntryInfo => info !== undefined);
  }

  async remove(hash: string): Promise<void> {
    // An open reader keeps its file until it is done: removal never cuts a download short.
    await rm(this.entryPath(hash), { force: true });
  }

  /**
   * Removes temporary files of uploads that will never finish (a crash, a kill,
   * a removal that failed): at start and, from start.ts, every minute. Makes
   * tmp/ again if something removed it. Returns how many files went.
   */
  async sweepTemporaries(nowMs = Date.now()): Promise<number> {
    await this.recreateTemporary();
    let removed = 0;
    for (const name of await readdir(this.temporary)) {
      const path = join(this.temporary, name);
      const info = await stat(path).catch(() => undefined);
      if (!info || !isLeftOver(name, info.mtimeMs, nowMs, this.writing)) continue;
      await rm(path, { force: true, recursive: true });
      removed++;
    }
    return removed;
  }

  private async publish(temporary: string, entry: string): Promise<'stored' | 'exists'> {
    try {
      await link(temporary, entry);
      return 'stored';
    } catch (error) {
      if (isCode(error, 'EEXIST')) return 'exists';
      if (!isCode(error, 'EPERM') && !isCode(error, 'ENOTSUP') && !isCode(error, 'ENOSYS')) throw error;
    }
    // Filesystems without hard links (some network shares): rename is still
    // atomic, but two writers racing past the check both rename whole files.
    if (await fileExists(entry)) return 'exists';
    await rename(temporary, entry);
    return 'stored';
  }

  /**
   * tmp/ holds nothing that matters, so one removed under the running server
   * (a cleaner, an operator) is made again. Only tmp/, and only in place: a
   * storage whose root or entries/ went (a volume gone) fails rather than fill
   * another disk.
   */
  private async recreateTemporary(): Promise<void> {
    try {
      await mkdir(this.temporary);
    } catch (error) {
      if (!isCode(error, 'EEXIST')) throw error;
    }
  }

  /** Opened before the body is read, so the upload goes on when tmp/ had to be made again. */
  private async createTemporary(path: string): Promise<WriteStream> {
    try {
      return await opened(createWriteStream(path, { flags: 'wx' }));
    } catch (error) {
      if (!isCode(error, 'ENOENT')) throw error;
      await this.recreateTemporary();
      return opened(createWriteStream(path, { flags: 'wx' }));
    }
  }

  private entryPath(hash: string): string {
    return join(this.entries, hash);
  }
}

/**
 * On disk before it has a name, so a crash leaves no entry rather than a
 * truncated one. fsync covers the file whichever descriptor asks (the write
 * stream's `flush` option would do it, but only from Node 20.10).
 */
async function syncToDisk(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function opened(file: WriteStream): Promise<WriteStream> {
  await once(file, 'open');
  return file;
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch (error) {
    if (isCode(error, 'ENOENT')) return false;
    throw error;
  }
}

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}
