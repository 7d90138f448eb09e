import { jsonKeyLines, parseJson } from '../library/json-text';

/**
 * The lock file of an image project: the digest each upstream reference resolved
 * to when it was last locked. It is committed, so a refreshed digest (a patched
 * upstream image) is a file change that makes the image, and all built on it,
 * affected.
 */
export const LOCK_FILE = 'imagewise.lock.json';

export interface ImageLock {
  /** Normalised upstream reference (docker.io/library/node:18-bookworm-slim) → sha256 digest. */
  upstream: Record<string, string>;
}

export type LockReadResult = { lock: ImageLock } | { problem: { line: number; message: string } };

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Parses lock file text; bad input becomes a problem with a line, never an exception. */
export function parseLockFile(text: string, path: string): LockReadResult {
  const parsed = parseJson(text);
  if ('error' in parsed) {
    return { problem: { line: parsed.line, message: `${path} is not valid JSON (${parsed.error}); fix it or delete it and run the docker:lock target` } };
  }
  const data = parsed.value;
  const upstream = (data as { upstream?: unknown } | null)?.upstream;
  if (typeof upstream !== 'object' || upstream === null || Array.isArray(upstream)) {
    return { problem: { line: 1, message: `${path}: expected {"upstream": {"<image reference>": "sha256:…"}}; run the docker:lock target to rewrite it` } };
  }
  for (const [reference, digest] of Object.entries(upstream)) {
    if (typeof digest !== 'string' || !DIGEST.test(digest)) {
      return {
        problem: {
          line: jsonKeyLines(text)(['upstream', reference]) ?? 1,
          message: `${path}: "${reference}" has no valid sha256 digest; run the docker:lock target to refresh it`,
        },
      };
    }
  }
  return { lock: { upstream: { ...(upstream as Record<string, string>) } } };
}

/** Stable text: sorted keys and a trailing newline, so refreshes make minimal diffs. */
export function formatLockFile(lock: ImageLock): string {
  // Code-point order: localeCompare follows the machine's locale, and the file must not churn between machines.
  const upstream = Object.fromEntries(Object.entries(lock.upstream).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify({ upstream }, null, 2)}\n`;
}
