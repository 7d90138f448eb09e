// Benchmark: 20 images in 3 levels (2 bases → 4 mid-level bases → 14 services),
// built (a) by plain `docker build` in dependency order, then by
// `nx run-many -t docker:build`: (b) cold, (c) after a one-service change,
// (d) after a base change, (e) with no change, (f) on a fresh engine with
// everything already in the registry. Needs tools/engine (it starts it).
//   node tools/bench/build/run.mjs
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { installTemplate, pluginTarball } from '../graph/measure.mjs';

const repo = resolve(import.meta.dirname, '../../..');
const engine = join(repo, 'tools/engine/engine');
const exportsOf = (text) => Object.fromEntries([...text.matchAll(/^export ([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
const env = exportsOf(execFileSync('bash', [engine, 'start'], { encoding: 'utf8' }));
const run = Date.now().toString(36);
const registry = `${env.IMAGEWISE_REGISTRY}/bench-${run}`;

const template = installTemplate(pluginTarball());

// The images: each writes a little data so every build does real work.
const images = [];
const add = (dir, name, from, deps) => images.push({ dir, name, from, deps });
for (const i of [0, 1]) add('images', `base-${i}`, i ? 'python:3.11-slim-bookworm' : 'node:18-bookworm-slim', []);
for (const i of [0, 1, 2, 3]) add('images', `mid-${i}`, `base-${i % 2}`, [`base-${i % 2}`]);
for (let i = 0; i < 14; i++) add('services', `svc-${String(i).padStart(2, '0')}`, `mid-${i % 4}`, [`mid-${i % 4}`]);

const ws = mkdtempSync(join(tmpdir(), 'imagewise-build-bench-'));
const write = (path, text) => {
  mkdirSync(dirname(join(ws, path)), { recursive: true });
  writeFileSync(join(ws, path), text);
};
write('package.json', JSON.stringify({ name: 'bench', private: true, workspaces: ['images/*', 'services/*'] }));
write('nx.json', JSON.stringify({ namedInputs: { default: ['{projectRoot}/**/*'], dockerImage: ['default'] }, plugins: ['@imagewise/nx-plugin'] }));
for (const image of images) {
  write(`${image.dir}/${image.name}/package.json`, JSON.stringify({ name: image.name, version: '1.0.0', private: true }));
  // The run id makes every layer new: no engine cache from an earlier run helps (a) or (b).
  write(`${image.dir}/${image.name}/data.txt`, `${image.name} v1 ${run}\n`);
  write(
    `${image.dir}/${image.name}/Dockerfile`,
    `FROM ${image.from}\nCOPY data.txt /${image.name}.txt\nRUN head -c 4000000 /dev/urandom > /${image.name}.bin\n`,
  );
}
symlinkSync(join(template, 'node_modules'), join(ws, 'node_modules'));
execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: ws });
execFileSync('git', ['-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-q', '--allow-empty', '-m', 'bench'], { cwd: ws });

function timed(label, command, args, extraEnv = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: ws,
    encoding: 'utf8',
    env: { ...process.env, ...env, IMAGEWISE_REGISTRY: registry, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', ...extraEnv },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${label} failed:\n${result.stdout}\n${result.stderr}`);
  const built = (result.stdout.match(/pushed \S+:h-/g) ?? []).length;
  const reused = (result.stdout.match(/reused, nothing built/g) ?? []).length;
  return { label, seconds, built, reused };
}
const nx = (label, extraEnv) =>
  timed(label, process.execPath, [join(ws, 'node_modules/.bin/nx'), 'run-many', '-t', 'docker:build', '--outputStyle=stream'], extraEnv);

const rows = [];
// (a) plain docker build of every image, in dependency order, tags as FROM names them.
const docker = (args) => execFileSync('/usr/bin/docker', args, { cwd: ws, env: { ...process.env, ...env, DOCKER_BUILDKIT: '1' }, stdio: 'ignore' });
{
  const started = process.hrtime.bigint();
  for (const image of images) docker(['build', '-q', '-t', image.name, `${image.dir}/${image.name}`]);
  rows.push({ label: '(a) plain docker build, 20 images in order (no push)', seconds: Number(process.hrtime.bigint() - started) / 1e9, built: 20, reused: 0 });
}
execFileSync(process.execPath, [join(ws, 'node_modules/.bin/nx'), 'run-many', '-t', 'docker:lock'], {
  cwd: ws,
  env: { ...process.env, ...env, NX_DAEMON: 'false' },
  stdio: 'ignore',
});
rows.push(nx('(b) nx run-many -t docker:build, cold (build + push)'));
write('services/svc-05/data.txt', 'svc-05 v2\n');
rows.push(nx('(c) after a one-service change'));
write('images/base-0/data.txt', 'base-0 v2\n');
rows.push(nx('(d) after a base change (base-0: 2 mid bases, 7 services)'));
rows.push(nx('(e) no change'));
const fresh = `bench-${run}`;
const freshHost = exportsOf(execFileSync('bash', [engine, 'start-engine', fresh, '--fresh'], { encoding: 'utf8' })).DOCKER_HOST;
try {
  rows.push(nx('(f) fresh engine, everything in the registry', { DOCKER_HOST: freshHost }));
} finally {
  execFileSync('bash', [engine, 'stop-engine', fresh, '--purge'], { stdio: 'ignore' });
}

rows.push(timed("Nx's own start-up, for reference: nx show projects", process.execPath, [join(ws, 'node_modules/.bin/nx'), 'show', 'projects']));

const a = rows[0].seconds;
console.log('| run | seconds | built | reused | vs (a) |');
console.log('| --- | --- | --- | --- | --- |');
for (const row of rows) console.log(`| ${row.label} | ${row.seconds.toFixed(2)} | ${row.built} | ${row.reused} | ${(row.seconds / a).toFixed(2)} |`);
rmSync(ws, { recursive: true, force: true });
rmSync(template, { recursive: true, force: true });
