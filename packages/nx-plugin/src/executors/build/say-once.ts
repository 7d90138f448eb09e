import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Nx runs each task in a process of its own, forked from the one nx command:
 * a marker named after that parent (its PID and start time, since PIDs are
 * reused) makes a note appear once per command.
 */
export function sayOncePerRun(log: (line: string) => void, line: string): void {
  const parent = `${process.ppid}-${processStartTime(process.ppid)}`;
  try {
    writeFileSync(join(tmpdir(), `imagewise-said-${parent}-${createHash('sha256').update(line).digest('hex').slice(0, 8)}`), '', { flag: 'wx' });
    log(line);
  } catch {
    // Already said in this run.
  }
}

function processStartTime(pid: number): string {
  try {
    // Field 22 of /proc/PID/stat, counted after the parenthesised command name.
    return (
      readFileSync(`/proc/${pid}/stat`, 'utf8')
        .replace(/^.*\) /, '')
        .split(' ')[19] ?? ''
    );
  } catch {
    return '';
  }
}
