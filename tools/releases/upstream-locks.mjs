#!/usr/bin/env node
// Runs a command (the image builds, the tests) on upstream locks this machine's
// registry can serve, and leaves the committed lock files as it found them.
//
// Here docker.io is a mirror that tools/engine seeds on each fresh machine: a new
// seed has new digests, and the committed ones exist only where they were
// resolved. (Docker Hub keeps old digests; this stand-in cannot.) So when a
// locked digest is missing, the locks are re-resolved with docker:lock for the
// length of the command, then each lock file it changed is put back, but only
// while it still holds what docker:lock wrote: an edit made meanwhile is kept.
// Before re-resolving, a journal (in .git, never in the work tree) records what
// each lock file held, and after it what each now holds; a run killed before it
// restored is restored by the next run, or by --restore.
//   node tools/releases/upstream-locks.mjs -- <command> [args…]   (IMAGEWISE_MIRROR set)
//   node tools/releases/upstream-locks.mjs --restore
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { headManifest } from './manifest-head.mjs';

const LOCK_FILE = 'imagewise.lock.json';
// Where this repository's image projects live (the plugin's default dockerfiles globs).
const IMAGE_GROUPS = ['images', 'services'];
const SIGNALS = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']);

/**
 * Runs docker:lock in `dir` when a locked upstream digest is missing; says which one.
 * Leaves the re-resolved files in place (a release worktree is thrown away after
 * its build; the work tree goes through withUpstreamLocks instead).
 * @param {string} dir
 * @param {NodeJS.ProcessEnv} [env]
 */
export async function relockIfMissing(dir, env = process.env) {
  const missing = await firstMissingDigest(dir, env);
  if (!missing) return false;
  console.log(`upstream-locks: ${missing} is not in the registry serving it (a freshly seeded mirror?): re-resolving the locks with docker:lock`);
  runLock(dir, env);
  return true;
}

/**
 * Runs `command` in the checkout at `root` with its upstream locks re-resolved if
 * the registry lacks a locked digest, then restores what the re-resolving changed.
 * Resolves to the command's exit code (128 + n when a signal ended it or the run).
 * @param {string} root
 * @param {string[]} command
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {Promise<number>}
 */
export async function withUpstreamLocks(root, command, env = process.env) {
  /** @type {NodeJS.Signals | undefined} */
  let interrupted;
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let child;
  // Until the lock files are back, a signal reaches the command, not this process.
  const onSignal = (/** @type {NodeJS.Signals} */ signal) => {
    interrupted ??= signal;
    child?.kill(signal);
  };
  // First what an earlier run left (it was killed before it could restore).
  restoreUpstreamLocks(root);
  for (const signal of SIGNALS) process.on(signal, onSignal);
  try {
    const missing = await firstMissingDigest(root, env);
    if (missing) {
      console.log(
        `upstream-locks: ${missing} is not in the registry serving it (a freshly seeded mirror?): re-resolving the locks with docker:lock for this run; the lock files are put back when it ends`,
      );
      const before = snapshot(root);
      writeJournal(root, { ...owner(), state: 'relocking', files: [...before].map(([path, text]) => ({ path, before: text })) });
      let relocked = true;
      try {
        runLock(root, env);
      } catch {
        relocked = false;
      }
      const after = snapshot(root);
      const changed = [...new Set([...before.keys(), ...after.keys()])]
        .filter((path) => before.get(path) !== after.get(path))
        .map((path) => ({ path, before: before.get(path) ?? null, after: after.get(path) ?? null }));
      writeJournal(root, { ...owner(), state: 'relocked', files: changed });
      // A signal that came while docker:lock ran (this process blocked) is handled now.
      await new Promise((done) => setImmediate(done));
      if (!relocked || interrupted) {
        if (!relocked) console.error('upstream-locks: docker:lock failed (output above); nothing was run');
        return interrupted ? exitCodeOf(interrupted) : 1;
      }
    }
    if (interrupted) return exitCodeOf(interrupted);
    const [file, ...args] = command;
    const started = spawn(file, args, { cwd: root, env, stdio: 'inherit' });
    child = started;
    return await new Promise((done) => {
      started.on('error', (error) => {
        console.error(`upstream-locks: could not run ${file}: ${error.message}`);
        done(127);
      });
      started.on('exit', (code, signal) => done(code ?? exitCodeOf(signal ?? 'SIGTERM')));
    });
  } finally {
    restoreUpstreamLocks(root);
    for (const signal of SIGNALS) process.off(signal, onSignal);
  }
}

/**
 * Puts back the lock files a run re-resolved, as its journal records them: a file
 * that still holds what docker:lock wrote gets its earlier text (or is removed if
 * it did not exist); one that holds its earlier text again is done already (an
 * interrupted restore); one that holds anything else was edited during the run
 * and is kept. Does nothing when there is no journal.
 * @param {string} root
 */
export function restoreUpstreamLocks(root) {
  const path = journalPath(root);
  if (!existsSync(path)) return;
  /** @type {Journal} */
  const journal = JSON.parse(readFileSync(path, 'utf8'));
  if (journal.pid !== process.pid && runsStill(journal)) {
    throw new Error(
      `upstream-locks: the run with pid ${journal.pid} re-resolved this checkout's lock files and puts them back when it ends; wait for it (its journal: ${path})`,
    );
  }
  const earlier = journal.pid !== process.pid;
  for (const file of journal.files) {
    const current = read(join(root, file.path));
    if (journal.state === 'relocking') {
      // Killed while docker:lock wrote: what it wrote is not recorded, so a change cannot be told from the user's own.
      if (current !== file.before)
        console.error(
          `upstream-locks: ${file.path} changed during a run that was killed while re-resolving the locks; left as it is (git diff -- ${file.path})`,
        );
    } else if (current === file.after) {
      put(join(root, file.path), file.before);
      console.log(`upstream-locks: put back ${file.path}${earlier ? ', left re-resolved by a run that did not finish' : ''}`);
    } else if (current !== file.before) {
      console.error(`upstream-locks: ${file.path} was edited while the re-resolved locks were in place; kept as it is`);
    }
  }
  rmSync(path, { force: true });
}

/**
 * @typedef {{ path: string, before: string | null, after?: string | null }} JournalFile
 * @typedef {{ pid: number, boot: string, state: 'relocking' | 'relocked', files: JournalFile[] }} Journal
 */

/** A shell's exit code for a process a signal ended. */
function exitCodeOf(/** @type {NodeJS.Signals} */ signal) {
  return 128 + (constants.signals[signal] ?? 0);
}

function runLock(/** @type {string} */ dir, /** @type {NodeJS.ProcessEnv} */ env) {
  execFileSync(join(dir, 'node_modules/.bin/nx'), ['run-many', '-t', 'docker:lock', '--outputStyle=stream', '--skipNxCache'], {
    cwd: dir,
    env: { ...env, NX_DAEMON: 'false' },
    stdio: 'inherit',
  });
}

/** Each image project's lock file path (relative to `root`) and its text, or null where it has none yet. */
function snapshot(/** @type {string} */ root) {
  /** @type {Map<string, string | null>} */
  const files = new Map();
  /** @param {string} dir */
  const walk = (dir) => {
    const entries = readdirSync(dir, { withFileTypes: true });
    if (entries.some((entry) => entry.name === 'Dockerfile' || entry.name === LOCK_FILE)) {
      const path = relative(root, join(dir, LOCK_FILE));
      files.set(path, read(join(root, path)));
    }
    for (const entry of entries) {
      if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'dist' && !entry.name.startsWith('.')) walk(join(dir, entry.name));
    }
  };
  for (const group of IMAGE_GROUPS) if (existsSync(join(root, group))) walk(join(root, group));
  return files;
}

async function firstMissingDigest(/** @type {string} */ dir, /** @type {NodeJS.ProcessEnv} */ env) {
  for (const [path, text] of snapshot(dir)) {
    if (text === null) continue;
    for (const [reference, digest] of Object.entries(JSON.parse(text).upstream ?? {})) {
      if (!(await digestExists(reference, String(digest), env))) return `${reference}@${digest} (${path})`;
    }
  }
  return undefined;
}

async function digestExists(/** @type {string} */ reference, /** @type {string} */ digest, /** @type {NodeJS.ProcessEnv} */ env) {
  const [domain, ...rest] = reference.replace(/:[^/:]+$/, '').split('/');
  const host = domain === 'docker.io' ? env.IMAGEWISE_MIRROR : domain;
  if (!host) throw new Error('upstream-locks: IMAGEWISE_MIRROR is not set; start tools/engine and source its env file');
  const response = await headManifest(host, rest.join('/'), digest);
  return response.ok;
}

/** The journal's place: inside this checkout's git directory (per worktree), never in the work tree. */
function journalPath(/** @type {string} */ root) {
  const path = execFileSync('git', ['rev-parse', '--git-path', 'imagewise-upstream-locks.json'], { cwd: root, encoding: 'utf8' }).trim();
  return resolve(root, path);
}

function writeJournal(/** @type {string} */ root, /** @type {Journal} */ journal) {
  const path = journalPath(root);
  mkdirSync(dirname(path), { recursive: true });
  put(path, `${JSON.stringify(journal, null, 2)}\n`);
}

function owner() {
  return { pid: process.pid, boot: bootId() };
}

/** Whether the run that wrote `journal` is still going (same boot, that pid is this script). */
function runsStill(/** @type {Journal} */ journal) {
  if (journal.boot !== bootId()) return false;
  const commandLine = read(`/proc/${journal.pid}/cmdline`);
  return commandLine !== null && commandLine.includes('upstream-locks');
}

function bootId() {
  return read('/proc/sys/kernel/random/boot_id')?.trim() ?? '';
}

/** @returns {string | null} */
function read(/** @type {string} */ path) {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT') return null;
    throw error;
  }
}

/** Writes `text` to `path` whole (a temporary file renamed over it), or removes it for null. */
function put(/** @type {string} */ path, /** @type {string | null} */ text) {
  if (text === null) {
    rmSync(path, { force: true });
    return;
  }
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
  const [flag, ...command] = process.argv.slice(2);
  try {
    if (flag === '--restore' && command.length === 0) {
      restoreUpstreamLocks(root);
    } else if (flag === '--' && command.length > 0) {
      process.exitCode = await withUpstreamLocks(root, command);
    } else {
      console.error('usage: node tools/releases/upstream-locks.mjs -- <command> [args…] | --restore');
      process.exitCode = 2;
    }
  } catch (error) {
    console.error(/** @type {Error} */ (error).message);
    process.exitCode = 1;
  }
}
