// The built server (dist/bin.js) as a child process, the way an operator starts it.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { settled } from '../src/http.test-helpers.js';

export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

export interface ServerProcess {
  url: string;
  /** Every JSON log line so far. */
  lines(): Array<Record<string, unknown>>;
  /** Request log lines so far. */
  requests(): Array<Record<string, unknown>>;
  /** Every request line once at least `count` are in (a line follows its response by a moment), or after a minute. */
  waitForRequests(count: number): Promise<Array<Record<string, unknown>>>;
  stop(): Promise<number | null>;
  /** `kill -9`: no chance to clean up. */
  kill(): Promise<void>;
}

/** Starts the bin on a free port; resolves once it listens, rejects with its stderr if it exits. */
export function startServerProcess(args: string[], env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = () =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const requests = () => lines().filter((line) => line['msg'] === 'request');
  return new Promise((resolvePromise, reject) => {
    const onExit = (code: number | null) => reject(new Error(`server exited ${code}:\n${stdout}${stderr}`));
    child.once('exit', onExit);
    child.stdout.on('data', () => {
      const listening = lines().find((line) => line['msg'] === 'listening');
      if (!listening) return;
      child.off('exit', onExit);
      resolvePromise({
        url: `http://127.0.0.1:${listening['port']}`,
        lines,
        requests,
        waitForRequests: async (count) => {
          await settled(() => requests().length >= count).catch(() => undefined);
          return requests();
        },
        stop: () => stopChild(child),
        kill: () =>
          new Promise((resolveKill) => {
            child.once('exit', () => resolveKill());
            child.kill('SIGKILL');
          }),
      });
    });
  });
}

function stopChild(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolvePromise) => {
    child.once('exit', (code) => resolvePromise(code));
    child.kill('SIGTERM');
  });
}

/** Runs the bin to completion (for the ways it refuses to start). */
export function runServerProcess(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolvePromise) => child.once('exit', (code) => resolvePromise({ code, stdout, stderr })));
}
