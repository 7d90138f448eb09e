import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCK_FILE, parseLockFile } from './lock-file';

/** The project's locked digests; empty when there is no valid lock (createNodes reported why). */
export function readLockFile(workspaceRoot: string, projectRoot: string): Record<string, string> {
  const path = join(workspaceRoot, projectRoot, LOCK_FILE);
  if (!existsSync(path)) return {};
  const read = parseLockFile(readFileSync(path, 'utf8'), join(projectRoot, LOCK_FILE));
  return 'lock' in read ? read.lock.upstream : {};
}
