// Benchmark: what docker:build costs to decide, per image, on a fresh runner
// whose registry already holds every image: the content identity (context
// listed, each file hashed by its bytes, bases' identities folded in), the tags,
// and the one registry question, answered here at once so the figure is the
// plugin's own work. Each run: a fresh checkout's state (.nx and dist removed),
// one `nx show projects` (the graph any nx command builds first), then a new
// process, as Nx's task process is, that runs docker:build's fact-gathering for
// every image in dependency order.
//   node tools/bench/identity/run.mjs [--services 1000] [--runs 3] [--tarball path/to/imagewise-nx-plugin.tgz]
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { installTemplate, makeWorkspaces, pluginTarball, removeAll, servicesLayout } from '../graph/measure.mjs';

const { values } = parseArgs({
  options: { services: { type: 'string', default: '1000' }, runs: { type: 'string', default: '3' }, tarball: { type: 'string' } },
});
const template = installTemplate(pluginTarball(values.tarball));
const workspace = makeWorkspaces(template, { workspace: ['@imagewise/nx-plugin'] }, servicesLayout(Number(values.services))).workspace.root;
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', IMAGEWISE_REGISTRY: 'registry.invalid/bench' };

const loadBefore = loadavg()[0];
const results = [];
for (let run = 0; run < Number(values.runs); run++) {
  rmSync(join(workspace, '.nx'), { recursive: true, force: true });
  rmSync(join(workspace, 'dist'), { recursive: true, force: true });
  const graph = spawnSync(process.execPath, [join(workspace, 'node_modules/.bin/nx'), 'show', 'projects'], {
    cwd: workspace,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (graph.status !== 0) throw new Error('nx show projects failed');
  const decided = spawnSync(process.execPath, [join(import.meta.dirname, 'decide.cjs')], {
    cwd: workspace,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (decided.status !== 0) throw new Error('decide.cjs failed');
  results.push(JSON.parse(decided.stdout));
}
removeAll(workspace, template);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const images = results[0].images;
console.log(`${images} images (30 bases in 3 levels, ${values.services} services), ${results.length} fresh runs:\n`);
console.log('| step | median (ms) | min–max (ms) | per image (ms) |');
console.log('| --- | --- | --- | --- |');
for (const [label, key] of [['facts and content identity of every image', 'factsMs']]) {
  const ms = results.map((r) => r[key]);
  console.log(`| ${label} | ${Math.round(median(ms))} | ${Math.round(Math.min(...ms))}–${Math.round(Math.max(...ms))} | ${(median(ms) / images).toFixed(2)} |`);
}
console.log(`\nLoad average (1 min) before ${loadBefore.toFixed(2)}, after ${loadavg()[0].toFixed(2)}, on ${availableParallelism()} cores.`);
