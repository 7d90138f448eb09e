import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';

export const ENGINE = resolve(import.meta.dirname, '../engine');

export interface EngineRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs tools/engine with extra environment; never rejects, the exit code is returned. */
export function runEngine(args: string[], env: NodeJS.ProcessEnv = {}): Promise<EngineRun> {
  return runBash([ENGINE, ...args], env);
}

/** Runs bash with ARGS and extra environment; never rejects, the exit code is returned. */
export function runBash(args: string[], env: NodeJS.ProcessEnv = {}): Promise<EngineRun> {
  const started = Date.now();
  return new Promise((done) => {
    execFile('bash', args, { env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** `export NAME=value` lines, as `engine start` prints them. */
export function parseExports(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const match of text.matchAll(/^export ([A-Z_]+)=(.*)$/gm)) vars[match[1]] = match[2];
  return vars;
}

/** Starts (or reuses) the shared engine, registry and mirror; fails loudly if it cannot. */
export async function startSharedEngine(): Promise<Record<string, string>> {
  const run = await runEngine(['start']);
  if (run.code !== 0) throw new Error(`tools/engine/engine start failed:\n${run.stderr}`);
  return parseExports(run.stdout);
}

export function socketPath(dockerHost: string): string {
  if (!dockerHost.startsWith('unix://')) throw new Error(`expected a unix socket, got ${dockerHost}`);
  return dockerHost.slice('unix://'.length);
}

export function networkLinks(): string[] {
  return readdirSync('/sys/class/net');
}

/**
 * The bridge tools/engine makes for an engine (lib/daemon.sh, create_bridge):
 * `iw`, 4 hex digits of the md5 of its home, `-`, the first 8 characters of its name.
 * Named exactly, since other engines (other tests' at the same time) make bridges too.
 */
export function engineBridge(home: string, name: string): string {
  return `iw${createHash('md5').update(home).digest('hex').slice(0, 4)}-${name.slice(0, 8)}`;
}

/**
 * What an engine whose exec-root is RUNDIR left on the machine: processes that
 * name it, mounts under it or DATADIR, and its bridge.
 */
export function leftovers(runDir: string, dataDir: string, bridge: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue; // exited meanwhile
    }
    if (cmdline.includes(`${runDir}/`)) found.push(`process ${pid}: ${cmdline.trim()}`);
  }
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mountPoint = line.split(' ')[4] ?? '';
    if (mountPoint.startsWith(runDir) || mountPoint.startsWith(dataDir)) found.push(`mount ${mountPoint}`);
  }
  if (networkLinks().includes(bridge)) found.push(`network link ${bridge}`);
  return found;
}
