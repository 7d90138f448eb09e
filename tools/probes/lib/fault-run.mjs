// The fault run of build-faults.mjs (its header says what and why): a warm-up
// that measures a clean build and a reuse, then the seeded faults in turn,
// each followed by the checks and a clean re-run.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git, installTemplate, runCommand, seededRandom, sleep, writeTree } from './common.mjs';
import { NAMESPACE, checkEngine, checkRegistry, engine, engineEnv } from './fault-checks.mjs';
import { CuttingProxy, Registry, freePort } from './fault-network.mjs';

export const KINDS = ['push-cut', 'reuse-cut', 'sigint', 'sigkill', 'registry-stop'];
const json = (value) => `${JSON.stringify(value, null, 2)}\n`;

/** The line of nx's output that says why the build failed, shortened. */
function reason(output) {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const line =
    lines
      .filter((text) => !/no locked digest/.test(text))
      .find(
        (text) => /error|failed|cannot|refused|reset|socket|ECONN|EPIPE|interrupt|unreachable/i.test(text) && !/^NX\s|Failed tasks|Running target/.test(text),
      ) ??
    lines.at(-1) ??
    '';
  return line.length > 140 ? `${line.slice(0, 140)}…` : line;
}

export async function probeBuildFaults({ faults = 25, seed = 1, log = () => undefined } = {}) {
  // Nx's cache in the workspace, not shared under ~/.nx (see CHECKOUT_NX_CACHE in tools/engine/test/real-nx-suite.ts).
  const env = { ...process.env, ...engineEnv(), NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0', NX_CACHE_DIRECTORY: '.nx/cache' };
  const random = seededRandom(seed);
  const work = mkdtempSync(join(tmpdir(), 'imagewise-probes-faults-'));
  const registry = new Registry(join(work, 'registry'), await freePort());
  await registry.start();
  const proxy = new CuttingProxy(registry.port);
  const proxyPort = await proxy.listen();
  const prefix = `127.0.0.1:${proxyPort}/${NAMESPACE}/`;
  env.IMAGEWISE_REGISTRY = `127.0.0.1:${proxyPort}/${NAMESPACE}`;
  log(`registry 127.0.0.1:${registry.port} (pid ${registry.child.pid}), proxy 127.0.0.1:${proxyPort}; installing nx and the packed plugin…`);
  const template = installTemplate();
  const root = join(work, 'ws');
  // Interrupted: the registry and proxy go, and the finally below is not waited for.
  let current;
  const onSignal = async (signal) => {
    if (current) process.kill(-current.pid, 'SIGKILL');
    await registry.kill('SIGTERM');
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const results = [];
  const failures = [];
  let tagsChecked = 0;
  let engineTagsChecked = 0;
  try {
    mkdirSync(root);
    writeTree(root, {
      '.gitignore': 'node_modules\n.nx\ndist\n',
      'package.json': json({ name: 'faults', private: true }),
      'nx.json': json({ namedInputs: { default: ['{projectRoot}/**/*'], dockerImage: ['default'] }, plugins: ['@imagewise/nx-plugin'] }),
      'images/pbase/Dockerfile': 'FROM debian:bookworm-slim\nCOPY seed.txt /base-seed.txt\nRUN head -c 3M /dev/urandom > /base-payload\n',
      'images/pbase/seed.txt': 'base 0\n',
      'services/psvc/Dockerfile': 'FROM pbase\nCOPY seed.txt /seed.txt\nRUN head -c 4M /dev/urandom > /payload\n',
      'services/psvc/seed.txt': 'service 0\n',
    });
    symlinkSync(join(template, 'node_modules'), join(root, 'node_modules'));
    git(root, 'init', '-q', '-b', 'main');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'faults');
    const nx = (timeoutMs = 600_000) =>
      runCommand(process.execPath, [join(root, 'node_modules/.bin/nx'), 'run', 'psvc:docker:build', '--outputStyle=stream'], { cwd: root, env, timeoutMs });
    const startNx = () => {
      const child = spawn(process.execPath, [join(root, 'node_modules/.bin/nx'), 'run', 'psvc:docker:build', '--outputStyle=stream'], {
        cwd: root,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const spawned = performance.now();
      // docker:build has started when the executor first asks the registry (Nx's own
      // output is no clock: in stream mode it may print a task's header late).
      let markBuildStarted;
      const buildStarted = new Promise((done) => (markBuildStarted = done));
      proxy.nextConnection().then((at) => markBuildStarted(at - spawned));
      current = child;
      const onOutput = (chunk) => (output += chunk);
      child.stdout.on('data', onOutput);
      child.stderr.on('data', onOutput);
      const exited = new Promise((done) =>
        child.on('close', (code, signal) => {
          markBuildStarted(undefined);
          current = undefined;
          done({ code, signal, output, ms: performance.now() - spawned });
        }),
      );
      return { child, exited, buildStarted };
    };
    let generation = 0;
    const newContent = (base) => {
      generation++;
      writeFileSync(join(root, 'services/psvc/seed.txt'), `service ${seed}-${generation}\n`);
      if (base) writeFileSync(join(root, 'images/pbase/seed.txt'), `base ${seed}-${generation}\n`);
    };
    const metadataDigest = (project) => JSON.parse(readFileSync(join(root, 'dist/images', project, 'metadata.json'), 'utf8'));
    const verify = async (label) => {
      const fromRegistry = await checkRegistry(registry.port);
      const fromEngine = await checkEngine(env.DOCKER_HOST, prefix);
      tagsChecked += fromRegistry.checked;
      engineTagsChecked += fromEngine.checked;
      for (const failure of [...fromRegistry.failures, ...fromEngine.failures]) failures.push(`${label}: ${failure}`);
      return { ...fromRegistry, engineStaging: fromEngine.staging, ok: fromRegistry.failures.length + fromEngine.failures.length === 0 };
    };
    const cleanRun = async (label) => {
      proxy.disarm();
      const run = await nx();
      if (run.code !== 0) {
        failures.push(`${label}: the clean re-run failed (${run.code}): ${run.stdout.slice(-800)}${run.stderr.slice(-400)}`);
        return { ok: false, run };
      }
      const checked = await verify(`${label}, after the clean re-run`);
      for (const [project, repository] of [
        ['pbase', 'pbase'],
        ['psvc', 'psvc'],
      ]) {
        const metadata = metadataDigest(project);
        const named = checked.tags[repository]?.[`c-${metadata.contentIdentity}`];
        if (named !== metadata.digest) failures.push(`${label}: ${project} metadata.json says ${metadata.digest}, the content tag names ${named}`);
      }
      return { ok: checked.ok, run };
    };

    // Warm-up: a clean build (bytes and time of a push), then a clean reuse (bytes of a reuse check).
    log('warm-up: a clean build, then a reuse…');
    newContent(true);
    proxy.disarm();
    let started = performance.now();
    const first = await nx();
    if (first.code !== 0) throw new Error(`the warm-up build failed:\n${first.stdout}\n${first.stderr}`);
    newContent(true);
    proxy.disarm();
    const timed = startNx();
    const buildStartMs = await timed.buildStarted;
    const build = await timed.exited;
    // From the moment Nx starts the first docker:build to the end: where the interruptions land.
    const buildMs = build.ms - (buildStartMs ?? 0);
    const pushBytes = proxy.bytes;
    if (build.code !== 0) throw new Error(`the warm-up build failed:\n${build.output}`);
    proxy.disarm();
    started = performance.now();
    const reuse = await nx();
    const reuseMs = performance.now() - started;
    const reuseBytes = proxy.bytes;
    if (reuse.code !== 0 || !/reus/i.test(reuse.stdout)) throw new Error(`the warm-up reuse failed:\n${reuse.stdout}\n${reuse.stderr}`);
    await verify('warm-up');
    log(
      `clean build ${Math.round(buildMs)} ms from the first docker:build, ${pushBytes} bytes through the proxy; clean reuse ${Math.round(reuseMs)} ms, ${reuseBytes} bytes`,
    );

    for (let i = 0; i < faults; i++) {
      const kind = KINDS[i % KINDS.length];
      const label = `fault ${i + 1} (${kind})`;
      const faultStarted = performance.now();
      let detail = '';
      let outcome;
      if (kind === 'push-cut' || kind === 'reuse-cut') {
        if (kind === 'push-cut') newContent(random.next() < 0.4);
        const budget = random.int(0, kind === 'push-cut' ? pushBytes : reuseBytes);
        const all = random.next() < 0.5;
        proxy.arm(budget, all);
        outcome = await nx();
        detail = `cut after ${budget} bytes${all ? ', then refused' : ', one connection'}`;
      } else {
        newContent(random.next() < 0.4);
        const delay = random.int(0, Math.round(buildMs));
        const { child, exited, buildStarted } = startNx();
        if ((await buildStarted) === undefined) failures.push(`${label}: nx exited before docker:build started`);
        await sleep(delay);
        if (kind === 'registry-stop') {
          await registry.kill('SIGKILL');
          outcome = await exited;
          await registry.start();
          detail = `registry killed ${delay} ms into docker:build`;
        } else {
          try {
            process.kill(-child.pid, kind === 'sigint' ? 'SIGINT' : 'SIGKILL');
          } catch {
            // already exited
          }
          outcome = await exited;
          detail = `${kind === 'sigint' ? 'SIGINT' : 'SIGKILL'} ${delay} ms into docker:build`;
        }
        // What the engine still does for a client that is gone (a push, a build) settles.
        await sleep(2000);
      }
      const faultMs = performance.now() - faultStarted;
      proxy.disarm();
      const after = await verify(label);
      const clean = await cleanRun(label);
      const row = {
        fault: i + 1,
        kind,
        detail,
        exit: outcome.code ?? outcome.signal,
        tagsOk: after.ok,
        why: outcome.code === 0 ? '' : reason(`${outcome.output ?? ''}${outcome.stdout ?? ''}${outcome.stderr ?? ''}`),
        engineStaging: after.engineStaging,
        rerun: clean.ok,
        faultSeconds: (faultMs / 1000).toFixed(1),
        seconds: ((performance.now() - faultStarted) / 1000).toFixed(1),
      };
      results.push(row);
      log(
        `${label}: ${detail}; nx exited ${row.exit} after ${row.faultSeconds} s (${row.why}); tags ${row.tagsOk ? 'whole' : 'BROKEN'}; clean re-run ${row.rerun ? 'ok' : 'FAILED'} (${row.seconds} s)`,
      );
    }
    return { results, failures, tagsChecked, engineTagsChecked, buildMs, pushBytes, reuseMs, reuseBytes };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await proxy.close();
    await registry.kill('SIGTERM');
    // The engine's images of this run: ours to remove.
    try {
      const { body: images } = await engine(env.DOCKER_HOST, 'GET', '/images/json');
      for (const image of images)
        for (const tag of image.RepoTags ?? [])
          if (tag.startsWith(prefix)) await engine(env.DOCKER_HOST, 'DELETE', `/images/${encodeURIComponent(tag)}?noprune=false`);
    } catch (error) {
      log(`could not remove this run's images from the engine: ${error}`);
    }
    rmSync(work, { recursive: true, force: true });
    rmSync(template, { recursive: true, force: true });
  }
}
