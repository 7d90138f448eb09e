#!/usr/bin/env node
// Hostile inputs for image projects, and what the plugin does with them.
//
//   npx nx run nx-plugin:pack && node tools/probes/graph-inputs.mjs [--seed 1] [--fuzz 300] [--no-nx] [--watchdog-ms 30000]
//
// Builds one temporary workspace holding a healthy base image, a healthy
// service FROM it (which also uses a library) and, beside them, one image
// project per hostile input of lib/graph-catalogue.mjs: files that are not
// regular files, symlinks out of the workspace to files holding a planted
// marker, huge files, seeded binary garbage, odd encodings, long lines,
// 10,000-stage cycles, deep ARG chains, broken heredocs and escape
// directives, invalid project files, pathological .dockerignore files, image
// cycles, and a seeded fuzz set of mutated real Dockerfiles from images/ and
// services/. The plugin is the packed tarball npm-installed there.
//
// In-process: each input is handed, with the base and the healthy service, to
// the installed plugin's createNodesV2 and then createDependencies, as Nx
// calls them, in a worker thread under a watchdog (a hang is reported and the
// worker replaced, never waited on); then all inputs at once. Real Nx: `nx
// show projects` and `nx show projects --affected` (NX_DAEMON=false) over the
// same workspace, less the inputs Nx itself refuses before any plugin runs.
//
// Checked for every input: the call returns, every project is there, the
// healthy service keeps its edge to the base, at most 6 problems per file
// (5 and a count), every message under 500 characters with no raw control
// character, and the marker appears in no output. Prints a table per
// category (times are measured, not asserted); exits 1 if an invariant fails.
//
// Plain .mjs, like tools/bench: a script run with `node`, no build step; it
// drives the plugin only through its published package.
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync, lstatSync, appendFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BASE, HEALTHY, HEALTHY_SERVICE, LIBRARY, catalogue, outsideFiles } from './lib/graph-catalogue.mjs';
import { flag, git, installTemplate, markdownTable, reportFailures, runCommand, writeTree } from './lib/common.mjs';

const WORKER = fileURLToPath(new URL('./lib/graph-worker.mjs', import.meta.url));
const MAX_PROBLEMS_PER_FILE = 6;
const MAX_MESSAGE = 500;
// Raw control characters in a message would let a file drive the reader's terminal.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/**
 * Runs the probe; returns the table rows, the failures (one line each) and the counts.
 * `nx: false` skips the real-Nx run (the fast, deterministic part the tests run).
 */
export async function probeGraphInputs({ seed = 1, fuzz = 300, nx = true, watchdogMs = 30_000, log = () => undefined } = {}) {
  const marker = `PLANTED-${seed}-${Math.random().toString(36).slice(2, 10)}-MARKER`;
  process.env.IMAGEWISE_PROBE_MARKER = marker; // what /proc/self/environ would show
  const outside = mkdtempSync(join(tmpdir(), 'imagewise-probes-outside-'));
  writeTree(outside, outsideFiles(marker));
  const inputs = catalogue({ seed, fuzz, outside });
  log(`${inputs.length} inputs; installing nx and the packed plugin…`);
  const template = installTemplate();
  const root = mkdtempSync(join(tmpdir(), 'imagewise-probes-graph-'));
  const failures = [];
  const rows = [];
  try {
    writeTree(root, HEALTHY);
    for (const input of inputs) writeTree(root, input.files);
    symlinkSync(join(template, 'node_modules'), join(root, 'node_modules'));
    git(root, 'init', '-q', '-b', 'main');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'hostile inputs');
    for (const input of inputs) makeSpecialFiles(root, input);
    log(`workspace ${root}`);

    const nxJson = JSON.parse(HEALTHY['nx.json']);
    const runner = new InProcess({ workspaceRoot: root, nxJson, marker, watchdogMs, library: LIBRARY });
    const byCategory = new Map();
    const results = new Map();
    try {
      for (const input of inputs) {
        const dockerfiles = input.dirs.map((dir) => `${dir}/Dockerfile`).filter((file) => exists(join(root, file)));
        const all = ['images/base/Dockerfile', 'services/healthy/Dockerfile', ...dockerfiles];
        const reply = await runner.run(input.id, all);
        const verdict = judge(reply, all);
        results.set(input.id, reply);
        for (const failure of verdict.failures) failures.push(`${input.category} / ${input.id}: ${failure}`);
        const row = byCategory.get(input.category) ?? { tried: 0, survived: 0, problems: 0, message: 0, slowest: 0, slowestId: '' };
        row.tried++;
        if (verdict.failures.length === 0) row.survived++;
        row.problems = Math.max(row.problems, verdict.maxProblems);
        row.message = Math.max(row.message, verdict.maxMessage);
        if (reply.ms > row.slowest) Object.assign(row, { slowest: reply.ms, slowestId: input.id });
        byCategory.set(input.category, row);
      }
      for (const [category, row] of byCategory)
        rows.push([category, row.tried, row.survived, row.problems, row.message, `${Math.round(row.slowest)} (${row.slowestId})`]);

      // Everything at once, as one Nx command would see the workspace.
      const everything = [
        'images/base/Dockerfile',
        'services/healthy/Dockerfile',
        ...inputs.flatMap((input) => input.dirs.map((dir) => `${dir}/Dockerfile`).filter((file) => exists(join(root, file)))),
      ];
      const whole = await runner.run('all inputs at once', everything, watchdogMs * 4);
      const verdict = judge(whole, everything);
      for (const failure of verdict.failures) failures.push(`all inputs at once: ${failure}`);
      rows.push([
        'all at once, in-process',
        everything.length,
        verdict.failures.length ? 0 : everything.length,
        verdict.maxProblems,
        verdict.maxMessage,
        Math.round(whole.ms),
      ]);
      results.set('*', whole);
    } finally {
      await runner.close();
    }

    if (nx) rows.push(...(await probeRealNx({ root, inputs, names: results.get('*').names ?? {}, marker, failures, log })));
    return { rows, failures, inputs: inputs.length, marker };
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(template, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
}

function exists(path) {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function makeSpecialFiles(root, input) {
  for (const path of input.fifos ?? []) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    execFileSync('mkfifo', [join(root, path)]);
  }
  for (const path of input.directories ?? []) {
    mkdirSync(join(root, path), { recursive: true });
    writeFileSync(join(root, path, 'inside'), 'FROM base\n');
  }
  for (const [path, target] of Object.entries(input.links ?? {})) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    symlinkSync(target, join(root, path));
  }
}

/** The invariants for one reply; the worst counts seen. */
function judge(reply, dockerfiles) {
  const failures = [];
  if (reply.hung) failures.push(`no answer within ${Math.round(reply.ms)} ms (hang)`);
  if (reply.crashed) failures.push(`the worker died: ${reply.crashed}`);
  if (reply.threw) failures.push(`threw: ${reply.threw.split('\n').slice(0, 3).join(' ')}`);
  const said = reply.said ?? [];
  if (!reply.roots) return { failures, maxProblems: 0, maxMessage: Math.max(0, ...said.map((line) => line.length)) };

  const roots = new Set(reply.roots);
  for (const file of dockerfiles) {
    const root = file.slice(0, -'/Dockerfile'.length);
    if (!roots.has(root)) failures.push(`no project for ${root}`);
  }
  if (!reply.edges.some(([source, target]) => source === HEALTHY_SERVICE && target === BASE)) failures.push('the healthy service lost its edge to the base');
  if (!reply.edges.some(([source, target]) => source === HEALTHY_SERVICE && target === LIBRARY.name))
    failures.push('the healthy service lost its edge to the library');

  const warnings = said.filter((line) => line.startsWith('[imagewise] ')).map((line) => line.slice('[imagewise] '.length));
  const others = said.filter((line) => !line.startsWith('[imagewise] '));
  if (others.length) failures.push(`printed something not a problem: ${JSON.stringify(others[0].slice(0, 120))}`);
  const maxProblems = Math.max(perFileMax(warnings), perFileMax(reply.problems));
  if (maxProblems > MAX_PROBLEMS_PER_FILE) failures.push(`${maxProblems} problems for one file`);
  const messages = [...said, ...reply.problems];
  const maxMessage = Math.max(0, ...messages.map((line) => line.length));
  if (maxMessage >= MAX_MESSAGE) failures.push(`a message of ${maxMessage} characters`);
  const raw = messages.find((line) => CONTROL.test(line));
  if (raw) failures.push(`a raw control character in ${JSON.stringify(raw.slice(0, 120))}`);
  if (reply.markerSeen) failures.push('the planted marker appears in the output');
  return { failures, maxProblems, maxMessage };
}

/** The most lines that name one file (`file[:line]: …`). */
function perFileMax(lines) {
  const counts = new Map();
  for (const line of lines) {
    const file = line.slice(0, line.indexOf(': ')).replace(/:\d+$/, '');
    counts.set(file, (counts.get(file) ?? 0) + 1);
  }
  return Math.max(0, ...counts.values());
}

/** The plugin in a worker thread; a call that outlives the watchdog ends the worker, and the next call gets a new one. */
class InProcess {
  constructor(workerData) {
    this.workerData = workerData;
    this.worker = undefined;
  }

  async start() {
    const worker = new Worker(WORKER, { workerData: this.workerData, resourceLimits: { maxOldGenerationSizeMb: 2048 }, stdout: true, stderr: true });
    worker.stdout.resume();
    worker.stderr.resume();
    await new Promise((ready, fail) => {
      worker.once('message', ready);
      worker.once('error', fail);
    });
    this.worker = worker;
  }

  async run(id, dockerfiles, timeoutMs = this.workerData.watchdogMs) {
    if (!this.worker) await this.start();
    const worker = this.worker;
    const started = performance.now();
    return new Promise((done) => {
      const finish = (reply) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        done(reply);
      };
      const onMessage = (reply) => reply.id === id && finish(reply);
      const onError = (error) => {
        this.worker = undefined;
        finish({ id, ms: performance.now() - started, crashed: String(error?.message ?? error) });
      };
      const onExit = (code) => onError(new Error(`exited ${code}`));
      const timer = setTimeout(() => {
        this.worker = undefined;
        worker.terminate();
        finish({ id, ms: performance.now() - started, hung: true });
      }, timeoutMs);
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage({ id, dockerfiles });
    });
  }

  async close() {
    await this.worker?.terminate();
  }
}

/** `nx show projects` and `--affected` over the same workspace, less what Nx itself refuses. */
async function probeRealNx({ root, inputs, names, marker, failures, log }) {
  const refused = inputs.filter((input) => input.nx === false);
  for (const input of refused) for (const dir of input.dirs) rmSync(join(root, dir), { recursive: true, force: true });
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'without what Nx itself refuses');
  const kept = inputs.filter((input) => input.nx !== false);
  // A project for each directory whose Dockerfile is a file, or a link to one.
  const expected = [BASE, HEALTHY_SERVICE];
  for (const input of kept) {
    for (const dir of input.dirs) {
      let isFile = false;
      try {
        isFile = statSync(join(root, dir, 'Dockerfile')).isFile();
      } catch {
        // dangling, a loop: Nx lists no such file
      }
      if (isFile) expected.push(names[dir] ?? dir.split('/').pop());
    }
  }
  const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0', IMAGEWISE_PROBE_MARKER: marker };
  const nxBin = join(root, 'node_modules/.bin/nx');
  const rows = [];
  const check = (label, run) => {
    const problems = run.stderr
      .split('\n')
      .filter((line) => line.startsWith('[imagewise] '))
      .map((line) => line.slice(12));
    const maxProblems = perFileMax(problems);
    const maxMessage = Math.max(0, ...problems.map((line) => line.length + 12));
    const local = [];
    if (run.hung) local.push('hung');
    if (run.code !== 0) local.push(`exited ${run.code}: ${run.stderr.slice(-500)}`);
    if (maxProblems > MAX_PROBLEMS_PER_FILE) local.push(`${maxProblems} problems for one file`);
    if (maxMessage >= MAX_MESSAGE) local.push(`a message of ${maxMessage} characters`);
    if (problems.some((line) => CONTROL.test(line))) local.push('a raw control character in a message');
    if (`${run.stdout}${run.stderr}`.includes(marker)) local.push('the planted marker appears in the output');
    for (const failure of local) failures.push(`real Nx, ${label}: ${failure}`);
    return { ok: local.length === 0, maxProblems, maxMessage };
  };

  log('real Nx: nx show projects…');
  const shown = await runCommand(process.execPath, [nxBin, 'show', 'projects', '--json'], { cwd: root, env });
  const listed = check('show projects', shown);
  let projects = [];
  try {
    projects = JSON.parse(shown.stdout);
  } catch {
    failures.push(`real Nx, show projects: not JSON: ${shown.stdout.slice(0, 200)}`);
  }
  const missing = expected.filter((name) => !projects.includes(name));
  if (missing.length)
    failures.push(`real Nx, show projects: missing ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''}`);
  rows.push([
    'real Nx: show projects',
    expected.length,
    missing.length || !listed.ok ? expected.length - missing.length : expected.length,
    listed.maxProblems,
    listed.maxMessage,
    Math.round(shown.ms),
  ]);

  log('real Nx: nx show projects --affected…');
  appendFileSync(join(root, 'images/base/Dockerfile'), 'LABEL changed=yes\n');
  const affected = await runCommand(process.execPath, [nxBin, 'show', 'projects', '--affected', '--base=HEAD', '--json'], { cwd: root, env });
  const affectedCheck = check('show projects --affected', affected);
  let names2 = [];
  try {
    names2 = JSON.parse(affected.stdout);
  } catch {
    failures.push(`real Nx, --affected: not JSON: ${affected.stdout.slice(0, 200)}`);
  }
  for (const name of [BASE, HEALTHY_SERVICE]) if (!names2.includes(name)) failures.push(`real Nx, --affected: a change to the base does not list ${name}`);
  const edgeKept = names2.includes(BASE) && names2.includes(HEALTHY_SERVICE);
  rows.push([
    'real Nx: show projects --affected',
    names2.length,
    affectedCheck.ok && edgeKept ? names2.length : 0,
    affectedCheck.maxProblems,
    affectedCheck.maxMessage,
    Math.round(affected.ms),
  ]);
  git(root, 'checkout', '-q', '--', 'images/base/Dockerfile');
  return rows;
}

export const TABLE_HEADER = ['category', 'tried', 'survived', 'max problems per file', 'max message length', 'slowest ms'];

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const seed = Number(flag('seed', '1'));
  const fuzz = Number(flag('fuzz', '300'));
  const watchdogMs = Number(flag('watchdog-ms', '30000'));
  const nx = !process.argv.includes('--no-nx');
  const started = Date.now();
  const { rows, failures, inputs } = await probeGraphInputs({ seed, fuzz, nx, watchdogMs, log: (line) => process.stderr.write(`${line}\n`) });
  console.log(`graph-inputs: seed ${seed}, ${inputs} inputs, ${cpus().length} cores, ${Math.round((Date.now() - started) / 1000)} s\n`);
  console.log(markdownTable(TABLE_HEADER, rows));
  reportFailures(failures, { noun: 'invariant', allHeld: 'every invariant held' });
}
