export interface EntryInfo {
  hash: string;
  size: number;
  /** Milliseconds since the epoch of the entry's last read or its write. */
  lastUsedMs: number;
}

export interface EvictionLimits {
  /** Entries unused for longer than this go. */
  maxAgeMs?: number;
  /** Least recently used entries go until the rest fit. */
  maxTotalBytes?: number;
}

/** The entries to remove so that what is left meets the limits; oldest use first. */
export function planEviction(entries: readonly EntryInfo[], limits: EvictionLimits, nowMs: number): EntryInfo[] {
  const byLastUse = [...entries].sort((a, b) => a.lastUsedMs - b.lastUsedMs || a.hash.localeCompare(b.hash));
  const evicted: EntryInfo[] = [];
  let total = byLastUse.reduce((sum, entry) => sum + entry.size, 0);
  for (const entry of byLastUse) {
    const tooOld = limits.maxAgeMs !== undefined && nowMs - entry.lastUsedMs > limits.maxAgeMs;
    const overSize = limits.maxTotalBytes !== undefined && total > limits.maxTotalBytes;
    if (!tooOld && !overSize) break;
    evicted.push(entry);
    total -= entry.size;
  }
  return evicted;
}

export interface EvictableStorage {
  list(): Promise<EntryInfo[]>;
  remove(hash: string): Promise<void>;
}

export interface EvictionResult {
  entries: number;
  bytes: number;
  keptEntries: number;
  keptBytes: number;
}

/** One eviction pass over a storage. */
export async function evict(storage: EvictableStorage, limits: EvictionLimits, nowMs = Date.now()): Promise<EvictionResult> {
  const entries = await storage.list();
  const evicted = planEviction(entries, limits, nowMs);
  for (const entry of evicted) await storage.remove(entry.hash);
  const bytes = evicted.reduce((sum, entry) => sum + entry.size, 0);
  const totalBytes = entries.reduce((sum, entry) => sum + entry.size, 0);
  return { entries: evicted.length, bytes, keptEntries: entries.length - evicted.length, keptBytes: totalBytes - bytes };
}
