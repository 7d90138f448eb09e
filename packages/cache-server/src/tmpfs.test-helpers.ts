// A small real filesystem for storage failures: full, read-only. Mounting needs
// root (or CAP_SYS_ADMIN).
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmdirSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  readonly path: string;
  remount(mode: 'ro' | 'rw'): void;
  unmount(): void;
}

export function mountTmpfs(sizeBytes: number): Tmpfs {
  const path = mkdtempSync(join(tmpdir(), 'cache-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', path], { stdio: 'pipe' });
  } catch (error) {
    rmdirSync(path);
    throw error;
  }
  return {
    path,
    remount: (mode) => execFileSync('mount', ['-o', `remount,${mode}`, path], { stdio: 'pipe' }),
    unmount() {
      execFileSync('umount', [path], { stdio: 'pipe' });
      rmdirSync(path);
    },
  };
}

/** Writes `path` until the filesystem has not one byte left; ever smaller writes take the last pages. */
export function fillToLastByte(path: string): void {
  const fd = openSync(path, 'w');
  try {
    for (const size of [1024 * 1024, 64 * 1024, 4096, 1]) {
      const chunk = Buffer.alloc(size, 0xff);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
}
