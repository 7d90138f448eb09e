import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * A temporary file nobody has written to for this long belongs to no upload
 * under way: Node ends a request after 5 minutes (its `requestTimeout`), and an
 * upload's every write touches its file. The margin covers the fsync after the
 * last write.
 */
export const STALE_TEMPORARY_MS = 10 * 60 * 1000;

/** Who writes a temporary file: a process, on a host. */
export interface Writer {
  /** A digest of the host name: names stay short and plain whatever the host is called. */
  host: string;
  pid: number;
}

export const THIS_WRITER: Writer = { host: createHash('sha256').update(hostname()).digest('hex').slice(0, 12), pid: process.pid };

/** `<label>.<host>.<pid>.<random>`: the writer in the name lets a sweep tell a crashed writer's files from a live one's. */
export function temporaryName(label: string, writer: Writer = THIS_WRITER): string {
  return `${label}.${writer.host}.${writer.pid}.${randomBytes(8).toString('hex')}`;
}

export function writerOf(name: string): Writer | undefined {
  const match = /^[^.]+\.([0-9a-f]{12})\.([0-9]+)\.[0-9a-f]+$/.exec(name);
  return match ? { host: match[1]!, pid: Number(match[2]) } : undefined;
}

/**
 * Whether a temporary file is left over from an upload that will never finish.
 * A PID says something only on its own host: there a file is left over once
 * its writer is dead, or when it names this process but this process is not
 * writing it (a restarted container's server is PID 1 again). Files from other
 * hosts (servers sharing the directory over a network), and from live PIDs that
 * may have been reused, go by age.
 */
export function isLeftOver(
  name: string,
  mtimeMs: number,
  nowMs: number,
  writing: ReadonlySet<string>,
  isAlive: (pid: number) => boolean = pidIsAlive,
): boolean {
  if (writing.has(name)) return false;
  const writer = writerOf(name);
  if (writer?.host === THIS_WRITER.host && (writer.pid === THIS_WRITER.pid || !isAlive(writer.pid))) return true;
  return nowMs - mtimeMs > STALE_TEMPORARY_MS;
}

function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
