#!/usr/bin/env node
// Faults injected into real docker:build runs, then a look for partial tags.
//
//   source /var/lib/imagewise-engine/env   # tools/engine running
//   npx nx run nx-plugin:pack && node tools/probes/build-faults.mjs [--faults 25] [--seed 1]
//
// A temporary workspace (the packed plugin npm-installed) holds a base image
// FROM debian:bookworm-slim and a service FROM it, each with a few MiB of
// random bytes, so that every build has layers to push. The registry is a
// docker-registry (distribution 2.8) this script starts on its own port and
// storage, so that it can stop it; the plugin and the engine reach it only
// through a TCP proxy in this process. The engine is tools/engine's (used,
// never started or stopped here). The faults, seeded, in turn:
//
//   push-cut       new content; the proxy cuts the traffic after a random
//                  number of bytes of what a clean build sends (one connection,
//                  or that one and every later one until the fault ends)
//   reuse-cut      nothing changed, so the run checks and reuses what the
//                  registry holds; the proxy cuts after a random number of bytes of that
//   sigint/sigkill nx (its whole process group) interrupted at a random moment of a build
//   registry-stop  the registry killed (SIGKILL) at a random moment of a build, started again after
//
// After each fault: every tag of both repositories in the registry names a
// manifest whose blobs all answer HEAD (a pullable image); a content tag
// c-<identity> names an image whose dev.imagewise.content-identity label is
// that identity, and so does every such tag in the engine; every other tag
// names an image whose content tag is there too. Then a clean re-run (the
// proxy passing everything) must succeed, and the same checks hold, and the
// digest its metadata.json reports is what the content tag names.
//
// Plain .mjs, like tools/bench: a script run with `node`, no build step.
// Not part of `npm test`: it takes minutes and the shared engine.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flag, git, installTemplate, markdownTable, runCommand, seededRandom, sleep, writeTree } from './lib/common.mjs';

const REGISTRY_BIN = process.env.IMAGEWISE_REGISTRY_BIN || '/usr/bin/docker-registry';
const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');
const NAMESPACE = 'probes';
const REPOSITORIES = ['pbase', 'psvc'];
const KINDS = ['push-cut', 'reuse-cut', 'sigint', 'sigkill', 'registry-stop'];
const json = (value) => `${JSON.stringify(value, null, 2)}\n`;

/** The engine's environment: from this process, else from tools/engine's env file. */
function engineEnv() {
  if (process.env.DOCKER_HOST) return { DOCKER_HOST: process.env.DOCKER_HOST };
  const home = process.env.IMAGEWISE_ENGINE_HOME || '/var/lib/imagewise-engine';
  const text = readFileSync(join(home, 'env'), 'utf8');
  return Object.fromEntries([...text.matchAll(/^export ([A-Z_]+)=(.*)$/gm)].map((match) => [match[1], match[2]]));
}

async function freePort() {
  const server = createServer();
  await new Promise((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address();
  await new Promise((closed) => server.close(closed));
  return port;
}

/** A docker-registry of our own: started, killed and started again on the same storage and port. */
class Registry {
  constructor(dir, port) {
    this.dir = dir;
    this.port = port;
    mkdirSync(join(dir, 'storage'), { recursive: true });
    writeFileSync(
      join(dir, 'config.yml'),
      `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/storage\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n`,
    );
  }

  async start() {
    this.child = spawn(REGISTRY_BIN, ['serve', join(this.dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'ignore'] });
    for (let i = 0; i < 100; i++) {
      if (this.child.exitCode !== null) throw new Error(`docker-registry exited ${this.child.exitCode}`);
      try {
        if ((await fetch(`http://127.0.0.1:${this.port}/v2/`)).ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error('docker-registry did not answer');
  }

  async kill(signal = 'SIGKILL') {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise((exited) => {
      child.once('exit', exited);
      child.kill(signal);
    });
  }
}

/**
 * A TCP proxy to the registry that counts the bytes it forwards (both ways)
 * and, when armed, cuts the connection that crosses the budget; with `all`,
 * it also refuses every later connection until disarmed.
 */
class CuttingProxy {
  constructor(upstreamPort) {
    this.upstreamPort = upstreamPort;
    this.sockets = new Set();
    this.disarm();
    this.server = createServer((client) => this.connect(client));
  }

  async listen() {
    await new Promise((listening) => this.server.listen(0, '127.0.0.1', listening));
    return this.server.address().port;
  }

  arm(after, all) {
    Object.assign(this, { bytes: 0, budget: after, all, cut: false, refusing: false });
  }

  disarm() {
    Object.assign(this, { bytes: 0, budget: Infinity, all: false, cut: false, refusing: false });
  }

  /** Resolves at the next connection: the first one after Nx starts is docker:build's executor asking the registry. */
  nextConnection() {
    return new Promise((done) => (this.onConnection = done));
  }

  connect(client) {
    this.onConnection?.(performance.now());
    this.onConnection = undefined;
    if (this.refusing) return client.resetAndDestroy();
    const upstream = require_connect(this.upstreamPort);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    const forward = (from, to) =>
      from.on('data', (chunk) => {
        if (this.cut && this.all) return;
        const left = this.budget - this.bytes;
        if (chunk.length >= left) {
          if (left > 0) to.write(chunk.subarray(0, left));
          this.bytes += Math.max(0, left);
          this.cut = true;
          this.refusing = this.all;
          // One connection cut: the ones after it pass, as after a network blip.
          if (!this.all) this.budget = Infinity;
          client.resetAndDestroy();
          upstream.resetAndDestroy();
          return;
        }
        this.bytes += chunk.length;
        to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  async close() {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((closed) => this.server.close(closed));
  }
}

import { connect as netConnect } from 'node:net';
function require_connect(port) {
  return netConnect(port, '127.0.0.1');
}

/** The Engine API over its unix socket. */
function engine(dockerHost, method, path) {
  return new Promise((done, fail) => {
    const req = request({ socketPath: dockerHost.replace(/^unix:\/\//, ''), path, method }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        done({ status: res.statusCode, body: text && res.headers['content-type']?.includes('json') ? JSON.parse(text) : text });
      });
    });
    req.on('error', fail);
    req.end();
  });
}

/** What a registry repository's tags name, checked blob by blob. Returns failures and counts. */
async function checkRegistry(registryPort) {
  const failures = [];
  const base = `http://127.0.0.1:${registryPort}/v2/${NAMESPACE}`;
  const tags = {};
  let checked = 0;
  let staging = 0;
  for (const repository of REPOSITORIES) {
    const list = await fetch(`${base}/${repository}/tags/list`);
    const names = list.status === 404 ? [] : ((await list.json()).tags ?? []);
    const digests = {};
    const identities = {};
    for (const tag of names) {
      checked++;
      if (tag === 'imagewise-staging') staging++;
      const response = await fetch(`${base}/${repository}/manifests/${tag}`, { headers: { Accept: MANIFEST_TYPES } });
      if (!response.ok) {
        failures.push(`${repository}:${tag}: manifest answers ${response.status}`);
        continue;
      }
      digests[tag] = response.headers.get('docker-content-digest');
      const manifest = await response.json();
      const manifests = manifest.manifests
        ? await Promise.all(
            manifest.manifests.map(async (entry) =>
              (await fetch(`${base}/${repository}/manifests/${entry.digest}`, { headers: { Accept: MANIFEST_TYPES } })).json(),
            ),
          )
        : [manifest];
      for (const image of manifests) {
        const blobs = [image.config, ...(image.layers ?? [])].filter(Boolean);
        const heads = await Promise.all(
          blobs.map(async (blob) => [blob.digest, (await fetch(`${base}/${repository}/blobs/${blob.digest}`, { method: 'HEAD' })).status]),
        );
        for (const [digest, status] of heads)
          if (status !== 200) failures.push(`${repository}:${tag}: blob ${digest.slice(0, 19)}… answers HEAD ${status} (not pullable)`);
        if (!image.config) continue;
        const config = await fetch(`${base}/${repository}/blobs/${image.config.digest}`);
        if (!config.ok) continue;
        identities[tag] = (await config.json()).config?.Labels?.['dev.imagewise.content-identity'];
      }
    }
    for (const [tag, identity] of Object.entries(identities)) {
      if (tag.startsWith('c-') && identity !== tag.slice(2)) failures.push(`${repository}:${tag} names an image of content ${identity}`);
      if (!tag.startsWith('c-') && tag !== 'imagewise-staging' && !digests[`c-${identity}`])
        failures.push(`${repository}:${tag} names an image whose content tag c-${identity} is not there`);
    }
    tags[repository] = digests;
  }
  return { failures, checked, staging, tags };
}

/** Every tag of both repositories in the engine: a content tag names an image of that identity. */
async function checkEngine(dockerHost, prefix) {
  const failures = [];
  let checked = 0;
  let staging = 0;
  const { body: images } = await engine(dockerHost, 'GET', '/images/json');
  for (const image of images) {
    for (const tag of image.RepoTags ?? []) {
      if (!tag.startsWith(prefix)) continue;
      checked++;
      const name = tag.slice(tag.lastIndexOf(':') + 1);
      if (name === 'imagewise-staging') staging++;
      const { status, body } = await engine(dockerHost, 'GET', `/images/${encodeURIComponent(tag)}/json`);
      if (status !== 200) {
        failures.push(`engine ${tag}: inspect answers ${status}`);
        continue;
      }
      const identity = body.Config?.Labels?.['dev.imagewise.content-identity'];
      if (name.startsWith('c-') && identity !== name.slice(2)) failures.push(`engine ${tag} names an image of content ${identity}`);
    }
  }
  return { failures, checked, staging };
}

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
  const env = { ...process.env, ...engineEnv(), NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0' };
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

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const faults = Number(flag('faults', '25'));
  const seed = Number(flag('seed', '1'));
  const started = Date.now();
  const summary = await probeBuildFaults({ faults, seed, log: (line) => process.stderr.write(`${line}\n`) });
  const { results, failures } = summary;
  console.log(`build-faults: seed ${seed}, ${faults} faults, ${cpus().length} cores, ${Math.round((Date.now() - started) / 1000)} s`);
  console.log(
    `clean build ${Math.round(summary.buildMs)} ms from the first docker:build (${summary.pushBytes} bytes via the proxy), clean reuse ${Math.round(summary.reuseMs)} ms (${summary.reuseBytes} bytes)`,
  );
  console.log(`registry tags checked: ${summary.tagsChecked}; engine tags checked: ${summary.engineTagsChecked}\n`);
  const byKind = KINDS.map((kind) => {
    const rows = results.filter((row) => row.kind === kind);
    return [
      kind,
      rows.length,
      rows.filter((row) => row.exit !== 0).length,
      rows.filter((row) => row.tagsOk).length,
      rows.filter((row) => row.rerun).length,
      rows.filter((row) => row.engineStaging > 0).length,
      Math.max(0, ...rows.map((row) => Number(row.faultSeconds))),
    ];
  });
  console.log(
    markdownTable(['fault', 'injected', 'nx failed', 'all tags whole after', 'clean re-run ok', 'engine kept a staging tag', 'slowest fault run (s)'], byKind),
  );
  console.log('');
  console.log(
    markdownTable(
      ['#', 'fault', 'what', 'nx exit (s)', 'why, as nx said', 'tags whole', 'engine staging tag', 'clean re-run', 'total s'],
      results.map((row) => [
        row.fault,
        row.kind,
        row.detail,
        `${row.exit} (${row.faultSeconds})`,
        row.why.replaceAll('|', '/'),
        row.tagsOk,
        row.engineStaging,
        row.rerun,
        row.seconds,
      ]),
    ),
  );
  if (failures.length) {
    console.log(`\n${failures.length} check(s) failed:`);
    for (const failure of failures) console.log(`- ${failure}`);
    process.exitCode = 1;
  } else console.log('\nevery check held');
}
