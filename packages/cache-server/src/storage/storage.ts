import type { Readable } from 'node:stream';

export interface StoredEntry {
  body: Readable;
  size: number;
}

/** Where entries live. Hashes reaching a storage are already validated (see hash.ts). */
export interface CacheStorage {
  /** Human-readable location for the startup line, without credentials. */
  readonly description: string;
  /** Prepares the storage; fails when it is unusable (missing bucket, unwritable directory). */
  init(): Promise<void>;
  get(hash: string): Promise<StoredEntry | undefined>;
  has(hash: string): Promise<boolean>;
  /**
   * Stores `size` bytes from `body` as one whole entry, or nothing: readers
   * never see a partial entry, and an existing entry is never replaced.
   * Rejects when the body ends early or fails.
   */
  put(hash: string, body: Readable, size: number): Promise<'stored' | 'exists'>;
  /** Throws when the storage cannot serve requests (for /health). */
  check(): Promise<void>;
  close(): Promise<void>;
}
