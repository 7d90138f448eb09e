import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import dockerignore from '@balena/dockerignore';
import { parseDockerignore } from '../dockerfile/dockerignore';

/** One path the build sends in its context, relative to the context directory (`/`-separated). */
export type ContextEntry =
  { path: string; kind: 'file'; executable: boolean } | { path: string; kind: 'directory' } | { path: string; kind: 'symlink'; target: string };

/**
 * What a build sends: every path under the context directory that
 * `.dockerignore` lets through, and the directories that hold one. The
 * packer sends exactly this list and the content identity hashes exactly
 * this list, so the two cannot disagree. Sorted by path.
 *
 * An ignored directory is left unread unless a `!` exception could bring
 * something inside it back (Docker's reading: `node_modules` ignored is not
 * walked, `docs` with `!docs/keep.md` is).
 */
export function listBuildContext(contextDir: string, dockerignoreText: string | undefined): ContextEntry[] {
  const ignore = dockerignore().add(dockerignoreText ?? '');
  const hasExceptions = parseDockerignore(dockerignoreText ?? '').some((rule) => rule.exception);
  const entries: ContextEntry[] = [];

  const walk = (relativeDir: string): boolean => {
    let sentAny = false;
    for (const dirent of readdirSync(join(contextDir, relativeDir), { withFileTypes: true })) {
      const path = relativeDir ? `${relativeDir}/${dirent.name}` : dirent.name;
      const ignored = ignore.ignores(path);
      if (dirent.isDirectory()) {
        if (ignored && !hasExceptions) continue;
        const at = entries.length;
        const sentInside = walk(path);
        // A directory is sent when it is not ignored, or to hold what an exception brought back.
        if (!ignored || sentInside) {
          entries.splice(at, 0, { path, kind: 'directory' });
          sentAny = true;
        }
        continue;
      }
      if (ignored) continue;
      if (dirent.isSymbolicLink()) entries.push({ path, kind: 'symlink', target: readlinkSync(join(contextDir, path)) });
      else if (dirent.isFile()) entries.push({ path, kind: 'file', executable: (lstatSync(join(contextDir, path)).mode & 0o100) !== 0 });
      // Sockets, FIFOs and devices are not sent: tar has no use for them in a build context.
      else continue;
      sentAny = true;
    }
    return sentAny;
  };
  walk('');
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The mode a context entry is sent with: what git keeps (executable or not),
 * not the checkout's umask, so every runner sends the same bytes.
 */
export function normalisedMode(entry: ContextEntry): number {
  if (entry.kind === 'file') return entry.executable ? 0o755 : 0o644;
  return entry.kind === 'directory' ? 0o755 : 0o777;
}

/**
 * The modification time every sent entry carries, instead of the checkout's:
 * COPY keeps it in the layer, and a per-checkout time would make two builds of
 * the same inputs differ. After 1980, which zip (Python wheels) cannot go below.
 */
export const CONTEXT_MTIME = new Date('2000-01-01T00:00:00Z');
