// Benchmark: cold `nx show projects` (daemon off, .nx removed) on one generated
// workspace with no plugin, with @imagewise/nx-plugin and with @nx/docker,
// interleaved; median and spread of wall time, and peak RSS of the nx process tree.
//   node tools/bench/graph/run.mjs [--services 1000] [--runs 5]
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateWorkspace } from './generate.mjs';

const { values } = parseArgs({ options: { services: { type: 'string', default: '1000' }, runs: { type: 'string', default: '5' } } });
const services = Number(values.services);
const runs = Number(values.runs);
const packs = resolve(import.meta.dirname, '../../../dist/packs');
const tarball = readdirSync(packs).find((f) => f.startsWith('imagewise-nx-plugin-'));
if (!tarball) throw new Error(`no plugin tarball in ${packs}: run npx nx run nx-plugin:pack`);

const template = mkdtempSync(join(tmpdir(), 'imagewise-bench-template-'));
writeFileSync(join(template, 'package.json'), JSON.stringify({
  name: 'bench-template', private: true,
  devDependencies: { nx: '23.2.1', '@nx/docker': '23.2.1', '@imagewise/nx-plugin': `file:${join(packs, tarball)}` },
}));
execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: template, stdio: ['ignore', 'ignore', 'inherit'] });

const variants = {
  'no plugin': [],
  '@imagewise/nx-plugin': ['@imagewise/nx-plugin'],
  '@nx/docker 23.2.1': ['@nx/docker'],
};
const workspaces = Object.fromEntries(Object.entries(variants).map(([label, plugins]) => {
  const root = mkdtempSync(join(tmpdir(), 'imagewise-bench-ws-'));
  generateWorkspace(root, { services, plugins });
  symlinkSync(join(template, 'node_modules'), join(root, 'node_modules'));
  return [label, root];
}));

function coldRun(root) {
  rmSync(join(root, '.nx'), { recursive: true, force: true });
  const started = process.hrtime.bigint();
  // The list goes to a file: through a pipe, nx 23 sometimes exits before it
  // has written all of a long list (seen here with and without plugins).
  const listFile = join(root, 'projects.txt');
  const out = openSync(listFile, 'w');
  const result = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, join(root, 'node_modules/.bin/nx'), 'show', 'projects'], {
    cwd: root, encoding: 'utf8', stdio: ['ignore', out, 'pipe'],
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  closeSync(out);
  if (result.status !== 0) throw new Error(`nx failed in ${root}:\n${result.stderr}`);
  const projects = readFileSync(listFile, 'utf8').split('\n').filter(Boolean).length;
  // Every variant must see the same workspace: the library, 30 bases and the services.
  if (projects !== 31 + services) throw new Error(`nx listed ${projects} projects in ${root}, expected ${31 + services}:\n${result.stderr}`);
  const peakKb = Number(result.stderr.trim().split('\n').pop());
  return { ms, projects, peakMb: peakKb / 1024 };
}

const results = Object.fromEntries(Object.keys(variants).map((label) => [label, []]));
for (const label of Object.keys(variants)) coldRun(workspaces[label]); // warm the OS file cache once
for (let i = 0; i < runs; i++) for (const label of Object.keys(variants)) results[label].push(coldRun(workspaces[label]));

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const base = median(results['no plugin'].map((r) => r.ms));
console.log(`| variant | projects | median (ms) | min–max (ms) | added vs no plugin | peak RSS, largest process (MB) |`);
console.log(`| --- | --- | --- | --- | --- | --- |`);
for (const [label, rs] of Object.entries(results)) {
  const ms = rs.map((r) => r.ms);
  const m = median(ms);
  const added = label === 'no plugin' ? '—' : `${Math.round(m - base)} ms (${Math.round(((m - base) / base) * 100)}%)`;
  console.log(`| ${label} | ${rs[0].projects} | ${Math.round(m)} | ${Math.round(Math.min(...ms))}–${Math.round(Math.max(...ms))} | ${added} | ${Math.round(Math.max(...rs.map((r) => r.peakMb)))} |`);
}
for (const root of [...Object.values(workspaces), template]) rmSync(root, { recursive: true, force: true });
