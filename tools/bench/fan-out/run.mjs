// Benchmark (issue 16 item 6): a base change that affects every image of a
// 3-level graph, its builds fanned out over 1, 2 and 4 runners along the plan
// the ci-pipeline generator writes (one job per image, `needs:` as FROM).
// Each build waits a fixed time (`RUN sleep`), so the figure is the schedule
// rather than this machine's 2 cores. A runner is a clone of the workspace
// running one job at a time (`nx run-many -t docker:build --projects=<job>`);
// a job goes to the next free runner once the jobs it needs have ended, as
// GitLab hands jobs out. All runners share the engine and the registry.
// Reported: wall time, the critical path (the longest chain of measured job
// times along `needs`), and the sum of all job times.
//   node tools/bench/fan-out/run.mjs [--images 40] [--sleep 5] [--runners 1,2,4]
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { installTemplate, pluginTarball } from '../graph/measure.mjs';

const { values } = parseArgs({
  options: { images: { type: 'string', default: '40' }, sleep: { type: 'string', default: '5' }, runners: { type: 'string', default: '1,2,4' } },
});
const count = Number(values.images);
const repo = resolve(import.meta.dirname, '../../..');
const exportsOf = (text) => Object.fromEntries([...text.matchAll(/^export ([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
const env = exportsOf(execFileSync('bash', [join(repo, 'tools/engine/engine'), 'start'], { encoding: 'utf8' }));
const template = installTemplate(pluginTarball());

// Levels: 1/20 bases FROM debian, 1/5 mid-level images FROM a base, the rest FROM a mid-level image.
const bases = Math.max(1, Math.round(count / 20));
const mids = Math.max(1, Math.round(count / 5));
function writeWorkspace(root, version) {
  const write = (path, text) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('package.json', JSON.stringify({ name: 'fan-out-bench', private: true }));
  write('.gitignore', 'node_modules\n.nx\ndist\nplan.json\n.runner-*\n');
  write('nx.json', JSON.stringify({ namedInputs: { default: ['{projectRoot}/**/*'], dockerImage: ['default'] }, plugins: ['@imagewise/nx-plugin'] }));
  for (let i = 0; i < count; i++) {
    const [name, from] =
      i < bases ? [`base-${i}`, 'debian:bookworm-slim'] : i < bases + mids ? [`mid-${i}`, `base-${i % bases}`] : [`app-${i}`, `mid-${bases + (i % mids)}`];
    write(`images/${name}/Dockerfile`, `FROM ${from}\nCOPY version.txt /${name}.txt\nRUN sleep ${values.sleep}\n`);
    // The base change: every base's version.txt, so every image is rebuilt.
    write(`images/${name}/version.txt`, i < bases ? `${version}\n` : `${name}\n`);
  }
}

const nxEnv = (namespace) => ({
  ...process.env,
  ...env,
  IMAGEWISE_REGISTRY: `${env.IMAGEWISE_REGISTRY}/${namespace}`,
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
});
const nx = (cwd, args, environment) =>
  execFileSync(process.execPath, [join(cwd, 'node_modules/.bin/nx'), ...args], { cwd, env: environment, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

/** One fan-out: a fresh namespace (nothing reusable), the plan, then the jobs over `runners` clones. */
async function fanOut(runners) {
  const namespace = `fan-out-${runners}-${Date.now().toString(36)}`;
  const root = mkdtempSync(join(tmpdir(), 'imagewise-fan-out-bench-'));
  writeWorkspace(root, namespace);
  symlinkSync(join(template, 'node_modules'), join(root, 'node_modules'));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: root });
  const environment = nxEnv(namespace);
  nx(root, ['run-many', '-t', 'docker:lock'], environment);
  execFileSync('git', ['add', '-A'], { cwd: root });
  execFileSync('git', ['-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-q', '-m', 'bench'], { cwd: root });
  nx(root, ['g', '@imagewise/nx-plugin:ci-pipeline', '--output=plan.json', '--no-interactive'], environment);
  const plan = JSON.parse(readFileSync(join(root, 'plan.json'), 'utf8').replace(/^#.*\n/, ''));
  const jobs = Object.entries(plan).filter(([name]) => name.startsWith('build '));
  const clones = Array.from({ length: runners }, (_, i) => {
    const dir = join(root, `.runner-${i}`);
    execFileSync('git', ['clone', '-q', root, dir]);
    symlinkSync(join(template, 'node_modules'), join(dir, 'node_modules'));
    return dir;
  });

  const times = new Map();
  const ended = new Set();
  const pending = jobs.map(([name, job]) => ({ name, needs: job.needs ?? [], projects: job.variables.IMAGEWISE_PROJECTS }));
  const running = new Map();
  const started = process.hrtime.bigint();
  const run = (clone, job) =>
    new Promise((done, fail) => {
      const t0 = process.hrtime.bigint();
      const child = spawn(
        process.execPath,
        [join(clone, 'node_modules/.bin/nx'), 'run-many', '-t', 'docker:build', `--projects=${job.projects}`, '--outputStyle=static'],
        { cwd: clone, env: environment, stdio: 'ignore' },
      );
      child.on('close', (code) => {
        if (code !== 0) return fail(new Error(`${job.name} failed (exit ${code})`));
        times.set(job.name, Number(process.hrtime.bigint() - t0) / 1e9);
        ended.add(job.name);
        done(clone);
      });
    });
  while (pending.length || running.size) {
    for (const clone of clones.filter((c) => !running.has(c))) {
      const next = pending.find((job) => job.needs.every((need) => ended.has(need)));
      if (!next) break;
      pending.splice(pending.indexOf(next), 1);
      running.set(clone, run(clone, next));
    }
    running.delete(await Promise.race(running.values()));
  }
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  // The longest chain of job times along needs.
  const finish = new Map();
  for (const [name, job] of jobs) finish.set(name, Math.max(0, ...(job.needs ?? []).map((need) => finish.get(need))) + times.get(name));
  const critical = Math.max(...finish.values());
  const total = [...times.values()].reduce((a, b) => a + b, 0);
  rmSync(root, { recursive: true, force: true });
  return { runners, jobs: jobs.length, wall, critical, total };
}

const loadBefore = loadavg()[0];
const rows = [];
for (const runners of values.runners.split(',').map(Number)) rows.push(await fanOut(runners));
console.log(`\n${count} images in 3 levels (${bases} bases, ${mids} mid-level, ${count - bases - mids} on those), RUN sleep ${values.sleep} each:\n`);
console.log('| runners | jobs | wall (s) | critical path (s) | wall / critical path | sum of job times (s) | sum / runners (s) |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(
    `| ${r.runners} | ${r.jobs} | ${r.wall.toFixed(1)} | ${r.critical.toFixed(1)} | ${(r.wall / r.critical).toFixed(2)} | ${r.total.toFixed(1)} | ${(r.total / r.runners).toFixed(1)} |`,
  );
}
console.log(`\nLoad average (1 min) before ${loadBefore.toFixed(2)}, after ${loadavg()[0].toFixed(2)}, on ${availableParallelism()} cores.`);
rmSync(template, { recursive: true, force: true });
