// Helpers the probes share: a seeded random source, a temporary Nx workspace
// with the packed plugin installed, a watchdog, and the table and failures they print.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const PACKS = join(REPO_ROOT, 'dist/packs');

/** mulberry32: small, fast and the same on every machine; enough for choosing inputs and moments. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
    bytes: (length) => {
      const buffer = Buffer.alloc(length);
      for (let i = 0; i < length; i++) buffer[i] = Math.floor(next() * 256);
      return buffer;
    },
  };
}

/** `--name value` or `--name=value` from argv, else the fallback. */
export function flag(name, fallback) {
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}`) return argv[i + 1];
    if (argv[i].startsWith(`--${name}=`)) return argv[i].slice(name.length + 3);
  }
  return fallback;
}

export function pluginTarball() {
  const name = readdirSync(PACKS).find((file) => /^imagewise-nx-plugin-.*\.tgz$/.test(file));
  if (!name) throw new Error(`no @imagewise/nx-plugin tarball in ${PACKS}: run npx nx run nx-plugin:pack`);
  return join(PACKS, name);
}

/** A directory with nx and the packed plugin npm-installed, as a user's workspace would have them. */
export function installTemplate() {
  const template = mkdtempSync(join(tmpdir(), 'imagewise-probes-template-'));
  writeFileSync(
    join(template, 'package.json'),
    JSON.stringify({ name: 'probes-template', private: true, devDependencies: { nx: '23.2.1', '@imagewise/nx-plugin': `file:${pluginTarball()}` } }),
  );
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: template,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return template;
}

export function writeTree(root, files) {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

export function git(cwd, ...args) {
  return execFileSync('git', ['-c', 'user.email=probes@imagewise.test', '-c', 'user.name=probes', ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

/**
 * Runs a command in a process group of its own, stdout and stderr captured;
 * after `timeoutMs` the whole group is killed and `hung` is set. Never rejects.
 */
export function runCommand(command, args, { cwd, env, timeoutMs = 600_000 } = {}) {
  const started = performance.now();
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, timeoutMs);
  return new Promise((done) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr, hung, ms: performance.now() - started });
    }),
  );
}

/** The failed checks (the first `limit` of them) and exit code 1; else `allHeld`. */
export function reportFailures(failures, { noun = 'check', allHeld, limit = Infinity }) {
  if (failures.length) {
    console.log(`\n${failures.length} ${noun}(s) failed:`);
    for (const failure of failures.slice(0, limit)) console.log(`- ${failure}`);
    process.exitCode = 1;
  } else console.log(`\n${allHeld}`);
}

/** A Markdown table. */
export function markdownTable(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
