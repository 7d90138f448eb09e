import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync, type Stats } from 'node:fs';

/** The largest file the graph reads: far beyond any real Dockerfile, manifest or lock file. */
const GRAPH_FILE_LIMIT = 1024 * 1024;

/** A file's text, or why it was not read (what follows the file's path in a problem). */
export type GraphFileRead = { text: string } | { problem: string };

/**
 * Reads a file the graph needs, refusing what could hang or flood it. Only
 * regular files: reading a FIFO would block every Nx command, and opening one
 * with O_NONBLOCK returns at once so fstat can tell. At most
 * GRAPH_FILE_LIMIT bytes. A symlink is read as what it points to; given
 * `workspaceRoot`, only if that is inside the workspace: a problem quotes a
 * little of a file, and a merge request must not make CI print the runner's
 * files (`/etc/passwd`, `/proc/self/environ`, its Docker config).
 */
export function readGraphFile(path: string, workspaceRoot?: string): GraphFileRead {
  if (workspaceRoot !== undefined && !resolvesInside(path, workspaceRoot)) {
    return { problem: 'is a symlink to a file outside the workspace, which Imagewise does not read: put the file itself here' };
  }
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { problem: whyUnreadable(path, error) };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { problem: `is ${kindOf(stats)}, not a regular file: make it a file or remove it` };
    if (stats.size > GRAPH_FILE_LIMIT) {
      return { problem: `is ${stats.size} bytes, more than the ${GRAPH_FILE_LIMIT} bytes Imagewise reads: shorten it (is it the file you meant?)` };
    }
    const buffer = Buffer.alloc(stats.size);
    let length = 0;
    for (let read = -1; read !== 0 && length < stats.size; length += read) {
      read = readSync(fd, buffer, length, stats.size - length, null);
    }
    return { text: buffer.toString('utf8', 0, length) };
  } catch (error) {
    return { problem: whyUnreadable(path, error) };
  } finally {
    closeSync(fd);
  }
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  return 'a device';
}

// The error's code only: its message adds nothing the path does not say.
function whyUnreadable(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' && isSymlink(path)) return 'is a symlink to a file that does not exist: point it at a file or remove it';
  if (code === 'ELOOP') return 'is a symlink loop: point it at a file or remove it';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot be read (permission denied): make it readable';
  return `cannot be read (${code ?? 'unknown error'}): check the file`;
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Whether the path, links followed, stays in the workspace; a dangling link counts as inside (reading it says why). */
function resolvesInside(path: string, workspaceRoot: string): boolean {
  let target: string;
  try {
    target = realpathSync(path);
  } catch {
    return true;
  }
  const root = realWorkspaceRoot(workspaceRoot);
  return target === root || target.startsWith(`${root}/`);
}

let realRoot: { workspaceRoot: string; real: string } | undefined;

function realWorkspaceRoot(workspaceRoot: string): string {
  if (realRoot?.workspaceRoot !== workspaceRoot) realRoot = { workspaceRoot, real: realpathSync(workspaceRoot) };
  return realRoot.real;
}
