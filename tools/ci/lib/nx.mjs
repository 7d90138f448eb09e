// @ts-check
// Nx command lines for a range (pure), and running them in the workspace.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** @typedef {import('./range.mjs').Range} Range */

/** `nx affected -t …` between the range's commits, or `nx run-many -t …` for every project. @param {Range} range @param {string[]} targets */
export function runTargetsArgs(range, targets) {
  return range.mode === 'affected' ? ['affected', '-t', ...targets, `--base=${range.base}`, `--head=${range.head}`] : ['run-many', '-t', ...targets];
}

/** Projects with `target` that the range touches, as a JSON list. @param {Range} range @param {string} target */
export function showProjectsArgs(range, target) {
  return range.mode === 'affected'
    ? ['show', 'projects', '--affected', `--base=${range.base}`, `--head=${range.head}`, '-t', target, '--json']
    : ['show', 'projects', '-t', target, '--json'];
}

/** @param {Range} range */
export function formatCheckArgs(range) {
  return range.mode === 'affected' ? ['format:check', `--base=${range.base}`, `--head=${range.head}`] : ['format:check', '--all'];
}

/** nx.json's `defaultBase`, `main` without one. @param {string} root */
export function defaultBase(root) {
  const path = join(root, 'nx.json');
  if (!existsSync(path)) return 'main';
  try {
    return JSON.parse(readFileSync(path, 'utf8')).defaultBase ?? 'main';
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${/** @type {Error} */ (error).message}); fix it`, { cause: error });
  }
}

/**
 * The workspace's own Nx, never npx: the job runs what package-lock.json pins.
 * @param {string} root
 */
function nxBin(root) {
  const bin = join(root, 'node_modules/.bin/nx');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm ci in the workspace before tools/ci/ci.mjs`);
  return bin;
}

/**
 * Runs nx with the job's output; its exit code.
 * @param {string} root @param {string[]} args @param {NodeJS.ProcessEnv} env
 */
export function runNx(root, args, env) {
  console.error(`ci: $ nx ${args.join(' ')}`);
  const result = spawnSync(process.execPath, [nxBin(root), ...args], { cwd: root, env, stdio: 'inherit' });
  return result.status ?? 1;
}

/**
 * Runs nx for its JSON answer. Its stdout goes through a file: through a pipe,
 * Nx 23 sometimes exits before it has written all of it.
 * @param {string} root @param {string[]} args @param {NodeJS.ProcessEnv} env
 * @returns {unknown}
 */
export function nxJson(root, args, env) {
  return inTempDir((dir) => {
    const text = quietNx(root, args, env, join(dir, 'stdout'));
    // Plugins may print lines before Nx's JSON; the answer is its last line.
    const last = text.trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(last);
    } catch {
      throw new Error(`nx ${args.join(' ')} printed no JSON:\n${text}`);
    }
  });
}

/** @param {string} root @param {string[]} args @param {NodeJS.ProcessEnv} env @param {string} out */
function quietNx(root, args, env, out) {
  const fd = openSync(out, 'w');
  const result = spawnSync(process.execPath, [nxBin(root), ...args], { cwd: root, env, stdio: ['ignore', fd, 'inherit'] });
  closeSync(fd);
  const text = readFileSync(out, 'utf8');
  if (result.status !== 0) throw new Error(`nx ${args.join(' ')} exited ${result.status}:\n${text}`);
  return text;
}

/**
 * @template T
 * @param {(dir: string) => T} use
 */
function inTempDir(use) {
  const dir = mkdtempSync(join(tmpdir(), 'imagewise-ci-'));
  try {
    return use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
