// Shared by the benchmarks (graph/, identity/, build/): a template with nx and
// the packed plugin, generated workspaces linked to it, and cold `nx show
// projects` runs, interleaved across variants, with the machine's load reported.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateWorkspace } from './generate.mjs';

/** The plugin tarball: the one given, else the pack in dist/packs. */
export function pluginTarball(given) {
  if (given) return resolve(given);
  const packs = resolve(import.meta.dirname, '../../../dist/packs');
  const packed = readdirSync(packs).find((f) => f.startsWith('imagewise-nx-plugin-'));
  if (!packed) throw new Error(`no plugin tarball in ${packs}: run npx nx run nx-plugin:pack`);
  return join(packs, packed);
}

/** npm-installs nx, the plugin and `more` devDependencies into a new directory. */
export function installTemplate(tarball, more = {}) {
  const template = mkdtempSync(join(tmpdir(), 'imagewise-bench-template-'));
  writeFileSync(
    join(template, 'package.json'),
    JSON.stringify({
      name: 'bench-template',
      private: true,
      devDependencies: { nx: '23.2.1', '@imagewise/nx-plugin': `file:${tarball}`, ...more },
    }),
  );
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: template,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return template;
}

/**
 * One generated workspace per variant (label → nx.json plugins), each linked
 * to the template's node_modules: label → { root, projects it must list }.
 * `generate(root, plugins)` writes one and returns that count.
 */
export function makeWorkspaces(template, variants, generate) {
  return Object.fromEntries(
    Object.entries(variants).map(([label, plugins]) => {
      const root = mkdtempSync(join(tmpdir(), 'imagewise-bench-ws-'));
      const projects = generate(root, plugins);
      symlinkSync(join(template, 'node_modules'), join(root, 'node_modules'));
      return [label, { root, projects }];
    }),
  );
}

/** The services layout of generate.mjs, for makeWorkspaces. */
export const servicesLayout = (services) => (root, plugins) => generateWorkspace(root, { services, plugins });

/** One `nx show projects`: cold removes .nx first (Nx's caches and the plugin's); warm keeps what the last run left. */
function timedRun({ root, projects: expected }, cold) {
  if (cold) rmSync(join(root, '.nx'), { recursive: true, force: true });
  const started = process.hrtime.bigint();
  // The list goes to a file: through a pipe, nx 23 sometimes exits before it
  // has written all of a long list (seen here with and without plugins).
  const listFile = join(root, 'projects.txt');
  const out = openSync(listFile, 'w');
  const result = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, join(root, 'node_modules/.bin/nx'), 'show', 'projects'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', out, 'pipe'],
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  closeSync(out);
  if (result.status !== 0) throw new Error(`nx failed in ${root}:\n${result.stderr}`);
  const projects = readFileSync(listFile, 'utf8').split('\n').filter(Boolean).length;
  // Every variant must see the workspace it was generated as.
  if (projects !== expected) throw new Error(`nx listed ${projects} projects in ${root}, expected ${expected}:\n${result.stderr}`);
  const peakKb = Number(result.stderr.trim().split('\n').pop());
  return { ms, projects, peakMb: peakKb / 1024 };
}

/**
 * Cold runs of every workspace (or warm ones: `.nx` kept from the run
 * before), variants interleaved after one warm-up run each (the OS file
 * cache, and for warm runs Nx's and the plugin's caches); prints a table
 * against the first variant, and the load average, since others' work on a
 * shared machine moves wall times.
 */
export function measure(workspaces, { runs, cold = true }) {
  const labels = Object.keys(workspaces);
  const results = Object.fromEntries(labels.map((label) => [label, []]));
  const loadBefore = loadavg()[0];
  console.log(`\n${cold ? 'Cold (.nx removed before each run)' : 'Warm (.nx kept from the run before)'}, ${runs} runs:\n`);
  for (const label of labels) timedRun(workspaces[label], cold);
  for (let i = 0; i < runs; i++) for (const label of labels) results[label].push(timedRun(workspaces[label], cold));

  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  };
  const base = median(results[labels[0]].map((r) => r.ms));
  console.log(`| variant | projects | median (ms) | min–max (ms) | added vs ${labels[0]} | peak RSS, largest process (MB) |`);
  console.log(`| --- | --- | --- | --- | --- | --- |`);
  for (const [label, rs] of Object.entries(results)) {
    const ms = rs.map((r) => r.ms);
    const m = median(ms);
    const added = label === labels[0] ? '—' : `${Math.round(m - base)} ms (${Math.round(((m - base) / base) * 100)}%)`;
    console.log(
      `| ${label} | ${rs[0].projects} | ${Math.round(m)} | ${Math.round(Math.min(...ms))}–${Math.round(Math.max(...ms))} | ${added} | ${Math.round(Math.max(...rs.map((r) => r.peakMb)))} |`,
    );
  }
  console.log(`\nLoad average (1 min) before the runs ${loadBefore.toFixed(2)}, after ${loadavg()[0].toFixed(2)}, on ${availableParallelism()} cores.`);
  return Object.fromEntries(Object.entries(results).map(([label, rs]) => [label, median(rs.map((r) => r.ms))]));
}

/** Removes workspaces (as makeWorkspaces returns them) and directories. */
export function removeAll(...entries) {
  for (const entry of entries) rmSync(typeof entry === 'string' ? entry : entry.root, { recursive: true, force: true });
}
