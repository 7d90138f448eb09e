import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Nx runs each task in a process of its own, forked from the one nx command:
 * a marker named after that parent (its PID and start time, since PIDs are
 * reused) makes a note appear once per command. Markers share one directory,
 * and those of commands that have ended are removed when a note is said: what
 * stays is the last command's few empty files, not one more per run.
 */
export function sayOncePerRun(log: (line: string) => void, line: string, markers = join(tmpdir(), 'imagewise-said')): void {
  try {
    mkdirSync(markers, { recursive: true });
    writeFileSync(join(markers, `${runOf(process.ppid)}-${createHash('sha256').update(line).digest('hex').slice(0, 8)}`), '', { flag: 'wx' });
  } catch {
    return; // Already said in this run (or nowhere to remember it: then never repeated).
  }
  log(line);
  forgetEndedRuns(markers);
}

/** A command, as a marker names it: `<pid>-<start time>`. */
function runOf(pid: number): string {
  return `${pid}-${processStartTime(pid)}`;
}

function forgetEndedRuns(markers: string): void {
  try {
    for (const name of readdirSync(markers)) {
      const [pid, start] = name.split('-');
      if (runOf(Number(pid)) !== `${pid}-${start}`) rmSync(join(markers, name), { force: true });
    }
  } catch {
    // Another command tidied up meanwhile: nothing is lost.
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
