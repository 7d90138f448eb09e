// Benchmark (issue 16 item 5): `nx run-many -t docker:build` on a fresh
// runner whose registry already holds every image — N images (default 1,000:
// 10 bases FROM scratch, the rest FROM one of them), a fresh clone's state
// (.nx and dist removed), every image a reuse. Next to it: Nx's own start-up
// (`nx show projects` on the same workspace) and one registry HEAD. The
// images are built once first (that takes minutes; not measured).
// Needs tools/engine (it starts it).
//   node tools/bench/build/fresh-runner.mjs [--images 1000] [--runs 3] [--keep]
// --keep leaves the workspace (and its template) for profiling; it prints where.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { installTemplate, pluginTarball } from '../graph/measure.mjs';

const { values } = parseArgs({
  options: { images: { type: 'string', default: '1000' }, runs: { type: 'string', default: '3' }, keep: { type: 'boolean', default: false } },
});
const count = Number(values.images);
const repo = resolve(import.meta.dirname, '../../..');
const exportsOf = (text) => Object.fromEntries([...text.matchAll(/^export ([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
const env = exportsOf(execFileSync('bash', [join(repo, 'tools/engine/engine'), 'start'], { encoding: 'utf8' }));
const run = Date.now().toString(36);
const registry = `${env.IMAGEWISE_REGISTRY}/fresh-${run}`;

const template = installTemplate(pluginTarball());

const ws = mkdtempSync(join(tmpdir(), 'imagewise-fresh-bench-'));
const write = (path, text) => {
  mkdirSync(dirname(join(ws, path)), { recursive: true });
  writeFileSync(join(ws, path), text);
};
write('package.json', JSON.stringify({ name: 'bench', private: true }));
write('nx.json', JSON.stringify({ namedInputs: { default: ['{projectRoot}/**/*'], dockerImage: ['default'] }, plugins: ['@imagewise/nx-plugin'] }));
const BASES = 10;
for (let i = 0; i < count; i++) {
  const base = i < BASES;
  const name = base ? `base-${i}` : `svc-${String(i).padStart(4, '0')}`;
  write(`${base ? 'images' : 'services'}/${name}/Dockerfile`, `FROM ${base ? 'scratch' : `base-${i % BASES}`}\nCOPY data.txt /${name}.txt\n`);
  write(`${base ? 'images' : 'services'}/${name}/data.txt`, `${name} ${run}\n`);
}
symlinkSync(join(template, 'node_modules'), join(ws, 'node_modules'));
execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: ws });
execFileSync('git', ['add', '-A'], { cwd: ws });
execFileSync('git', ['-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-q', '-m', 'bench'], { cwd: ws });

const nxEnv = { ...process.env, ...env, IMAGEWISE_REGISTRY: registry, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
function nx(...args) {
  // A fresh clone: no Nx cache, no metadata from an earlier run.
  rmSync(join(ws, '.nx'), { recursive: true, force: true });
  rmSync(join(ws, 'dist'), { recursive: true, force: true });
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [join(ws, 'node_modules/.bin/nx'), ...args], {
    cwd: ws,
    encoding: 'utf8',
    env: nxEnv,
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`nx ${args.join(' ')} failed:\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`);
  return { seconds, reused: (result.stdout.match(/reused, nothing built or pulled/g) ?? []).length };
}
const build = () => nx('run-many', '-t', 'docker:build', '--outputStyle=stream');

const fill = build();
console.log(`filled the registry: ${count} images built and pushed in ${fill.seconds.toFixed(0)} s`);

/** One HEAD of a content tag, as a reuse asks it: the median of 200 in a row. */
async function registryHead() {
  const tags = await (await fetch(`http://${env.IMAGEWISE_REGISTRY}/v2/fresh-${run}/base-0/tags/list`)).json();
  const url = `http://${env.IMAGEWISE_REGISTRY}/v2/fresh-${run}/base-0/manifests/${tags.tags.find((t) => t.startsWith('c-'))}`;
  const accept = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
  const times = [];
  for (let i = 0; i < 200; i++) {
    const started = process.hrtime.bigint();
    const response = await fetch(url, { method: 'HEAD', headers: { Accept: accept } });
    if (!response.ok) throw new Error(`HEAD ${url}: ${response.status}`);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(times);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const loadBefore = loadavg()[0];
const builds = [];
const startups = [];
for (let i = 0; i < Number(values.runs); i++) {
  const reuse = build();
  if (reuse.reused !== count) throw new Error(`expected ${count} reuses, saw ${reuse.reused}`);
  builds.push(reuse.seconds);
  startups.push(nx('show', 'projects').seconds);
}
const head = await registryHead();
const buildS = median(builds);
const startupS = median(startups);
console.log(`\n| ${count} images, fresh runner, all in the registry | seconds (median of ${values.runs}) |`);
console.log('| --- | --- |');
console.log(`| nx run-many -t docker:build (every image reused) | ${buildS.toFixed(2)} |`);
console.log(`| Nx start-up: nx show projects | ${startupS.toFixed(2)} |`);
console.log(`| beyond Nx start-up, per image | ${(((buildS - startupS) / count) * 1000).toFixed(1)} ms |`);
console.log(`| one registry HEAD (median of 200, loopback) | ${head.toFixed(2)} ms |`);
console.log(`\nruns: ${builds.map((s) => s.toFixed(2)).join(', ')} s; start-ups: ${startups.map((s) => s.toFixed(2)).join(', ')} s`);
console.log(`Load average (1 min) before ${loadBefore.toFixed(2)}, after ${loadavg()[0].toFixed(2)}, on ${availableParallelism()} cores.`);
if (values.keep) console.log(`kept: ${ws} (registry ${registry}, template ${template})`);
else {
  rmSync(ws, { recursive: true, force: true });
  rmSync(template, { recursive: true, force: true });
}
