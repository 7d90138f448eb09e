// The engines docker:build reaches, each for real on this machine: a dockerd on
// loopback TCP with mutual TLS (certificates made with openssl), the same
// daemon through a Docker context made by the docker CLI (DOCKER_HOST unset),
// through ssh (Debian's sshd on a loopback port, a throwaway key in ssh-agent),
// and Podman's Docker-compatible API (`podman system service`, no BuildKit).
// Each builds (BuildKit ones with a build secret, which only reaches the
// build through the session, so the session works over that transport),
// pushes to the local registry, and reuses on the second run. A wrong
// certificate and an address where nothing listens each give one line.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runEngine, startSharedEngine } from '../../../tools/engine/test/engine-cli';
import type { ImageMetadata } from '../src/build/image-metadata';
import { Workspace, sharedTemplate } from './workspace';
import { closedPort } from '../../../tools/engine/test/closed-port';
import { freePort } from '../../../tools/engine/test/free-port';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const run = Date.now().toString(36);
const SSHD = '/usr/sbin/sshd';
const PODMAN = ['/usr/bin/podman', '/usr/local/bin/podman'].find((path) => existsSync(path));
const DOCKER_CLI = ['/usr/local/bin/docker', '/usr/bin/docker'].find((path) => existsSync(path));
/** A case whose engine this machine lacks is skipped, except in CI: .ci/run installs every one, so there it must run. */
const lacking = (...needs: unknown[]) => !process.env.CI && needs.some((need) => !need);

/** One service; with a build secret for BuildKit (the classic builder cannot take one). */
const files = (kind: string, secret: boolean): Record<string, string> => ({
  'package.json': json({ name: `engines-${kind}`, private: true, workspaces: ['services/*'] }),
  'nx.json': json({ namedInputs: { default: ['{projectRoot}/**/*'], dockerImage: ['default'] }, plugins: ['@imagewise/nx-plugin'] }),
  'services/app/project.json': json({
    name: 'app',
    ...(secret ? { targets: { 'docker:build': { options: { secrets: { token: { env: 'ENGINE_TOKEN' } } } } } } : {}),
  }),
  'services/app/Dockerfile': [
    'FROM debian:bookworm-slim',
    'COPY kind.txt /kind.txt',
    secret ? 'RUN --mount=type=secret,id=token,required test -s /run/secrets/token && cat /kind.txt' : 'RUN cat /kind.txt',
    '',
  ].join('\n'),
  'services/app/kind.txt': `${kind} ${run}\n`,
});

function sh(command: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate; `other` is a second CA's pair. */
function makeCertificates(dir: string): void {
  const ssl = (...args: string[]) => sh('openssl', args);
  const ca = (name: string) => {
    ssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, `${name}-key.pem`),
      '-out',
      join(dir, `${name}.pem`),
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
    );
  };
  const leaf = (name: string, signer: string, ext: string) => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, `${name}-key.pem`), '-out', join(dir, `${name}.csr`), '-subj', `/CN=${name}`);
    ssl(
      'x509',
      '-req',
      '-in',
      join(dir, `${name}.csr`),
      '-CA',
      join(dir, `${signer}.pem`),
      '-CAkey',
      join(dir, `${signer}-key.pem`),
      '-CAcreateserial',
      '-out',
      join(dir, `${name}-cert.pem`),
      '-days',
      '1',
      '-extfile',
      join(dir, `${name}.ext`),
    );
  };
  ca('ca');
  ca('other-ca');
  leaf('server', 'ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'ca', 'extendedKeyUsage=clientAuth\n');
  leaf('stranger', 'other-ca', 'extendedKeyUsage=clientAuth\n');
  // DOCKER_CERT_PATH layouts: the right one, and one with a client certificate the daemon never issued.
  for (const [name, client] of [
    ['client-certs', 'client'],
    ['stranger-certs', 'stranger'],
  ] as const) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'ca.pem'), readFileSync(join(dir, 'ca.pem')));
    writeFileSync(join(dir, name, 'cert.pem'), readFileSync(join(dir, `${client}-cert.pem`)));
    writeFileSync(join(dir, name, 'key.pem'), readFileSync(join(dir, `${client}-key.pem`)));
  }
}

/** Resolves once GET /_ping on a unix socket answers 200. */
async function waitForPing(socketPath: string, what: string, child: ChildProcess, log: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited ${child.exitCode}: ${readFileSync(log, 'utf8').slice(-2000)}`);
    const ok = await new Promise<boolean>((resolve) => {
      const req = request({ socketPath, path: '/_ping' }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.end();
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} did not answer on ${socketPath}: ${readFileSync(log, 'utf8').slice(-2000)}`);
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Podman's storage mounts overlays under its root; they go before the directory does. */
function unmountUnder(dir: string): void {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mountPoint) => mountPoint.startsWith(`${dir}/`))
    .sort()
    .reverse();
  for (const mountPoint of mounts) spawnSync('umount', ['-l', mountPoint]);
}

describe('docker:build on every kind of engine', () => {
  let env: Record<string, string>;
  let template: string;
  let dir: string;
  let port: number;
  const engine = `engines-tls-${run}`;
  let engineSocket: string;
  const children: ChildProcess[] = [];
  const workspaces: Workspace[] = [];

  beforeAll(async () => {
    env = await startSharedEngine();
    dir = mkdtempSync(join(tmpdir(), 'imagewise-engines-'));
    makeCertificates(dir);
    port = await freePort();
    const flags = [
      `--host tcp://127.0.0.1:${port}`,
      '--tlsverify',
      `--tlscacert ${join(dir, 'ca.pem')}`,
      `--tlscert ${join(dir, 'server-cert.pem')}`,
      `--tlskey ${join(dir, 'server-key.pem')}`,
    ].join(' ');
    const started = await runEngine(['start-engine', engine, '--fresh'], { IMAGEWISE_DOCKERD_FLAGS: flags });
    if (started.code !== 0) throw new Error(`start-engine ${engine} failed:\n${started.stderr}`);
    engineSocket = started.stdout.match(/DOCKER_HOST=unix:\/\/(\S+)/)![1];
    template = sharedTemplate();
  });

  afterAll(async () => {
    for (const ws of workspaces) ws.dispose();
    for (const child of children) await stop(child);
    await runEngine(['stop-engine', engine, '--purge']);
    if (dir) {
      unmountUnder(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const metadata = (ws: Workspace): ImageMetadata => JSON.parse(readFileSync(join(ws.root, 'dist/images/app/metadata.json'), 'utf8'));

  /** A workspace for one kind of engine, pushing to a repository of its own; returns it locked. */
  function workspace(kind: string, engineEnv: Record<string, string>, secret = true): { ws: Workspace; repository: string } {
    const repository = `${env.IMAGEWISE_REGISTRY}/engines-${kind}-${run}`;
    const ws = new Workspace(template, files(kind, secret));
    workspaces.push(ws);
    ws.env = { ...env, IMAGEWISE_REGISTRY: repository, ENGINE_TOKEN: `token-${run}`, ...engineEnv };
    ws.run('run-many', '-t', 'docker:lock');
    return { ws, repository };
  }

  /** Builds and pushes, then reuses what the registry holds; returns the first run's output. */
  async function buildPushReuse(kind: string, engineEnv: Record<string, string>, secret = true): Promise<string> {
    const { ws, repository } = workspace(kind, engineEnv, secret);
    const first = ws.run('run-many', '-t', 'docker:build', '--outputStyle=stream');
    const built = metadata(ws);
    expect(built, first.stdout).toMatchObject({ image: `${repository}/app`, reused: false });
    expect(built.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(first.stdout + first.stderr).not.toMatch(/DeprecationWarning|BEGIN [A-Z ]*PRIVATE KEY/);
    // In the registry, by the digest the build recorded.
    const manifest = await fetch(`http://${repository.split('/')[0]}/v2/${repository.split('/').slice(1).join('/')}/app/manifests/${built.digest}`, {
      method: 'HEAD',
      headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' },
    });
    expect(manifest.status).toBe(200);
    ws.run('run-many', '-t', 'docker:build', '--outputStyle=stream', '--skip-nx-cache');
    expect(metadata(ws)).toMatchObject({ reused: true, digest: built.digest });
    return first.stdout;
  }

  /** docker:build's one line about the engine, from a run that fails. */
  function failureLine(kind: string, engineEnv: Record<string, string>, pattern: RegExp): string {
    const { ws } = workspace(kind, engineEnv);
    let output = '';
    try {
      ws.run('run-many', '-t', 'docker:build', '--outputStyle=stream');
    } catch (error) {
      output = (error as Error).message;
    }
    const lines = output.split('\n').filter((line) => pattern.test(line));
    expect(lines, output).toHaveLength(1);
    expect(output).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY|at .*\.js:\d+/);
    return lines[0].trim();
  }

  const tlsEnv = () => ({ DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(dir, 'client-certs') });

  it('TCP with mutual TLS (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH): BuildKit and its session, push, reuse', async () => {
    await buildPushReuse('tls', tlsEnv());
  });

  it.skipIf(lacking(DOCKER_CLI))('the current Docker context (made by the docker CLI, DOCKER_HOST unset): the same TLS daemon', async () => {
    const config = join(dir, 'docker-config');
    mkdirSync(config);
    const certs = join(dir, 'client-certs');
    sh(DOCKER_CLI!, [
      '--config',
      config,
      'context',
      'create',
      'tls-engine',
      '--docker',
      `host=tcp://127.0.0.1:${port},ca=${certs}/ca.pem,cert=${certs}/cert.pem,key=${certs}/key.pem`,
    ]);
    sh(DOCKER_CLI!, ['--config', config, 'context', 'use', 'tls-engine']);
    expect(JSON.parse(readFileSync(join(config, 'config.json'), 'utf8')).currentContext).toBe('tls-engine');
    await buildPushReuse('context', { DOCKER_HOST: '', DOCKER_TLS_VERIFY: '', DOCKER_CERT_PATH: '', DOCKER_CONFIG: config });
  });

  it.skipIf(lacking(existsSync(SSHD), DOCKER_CLI))('ssh (sshd on loopback, a key in ssh-agent, docker system dial-stdio on the far side)', async () => {
    const ssh = join(dir, 'ssh');
    mkdirSync(ssh, { mode: 0o700 });
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(ssh, 'host_key')]);
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(ssh, 'user_key')]);
    writeFileSync(join(ssh, 'authorized_keys'), readFileSync(join(ssh, 'user_key.pub')), { mode: 0o600 });
    const sshPort = await freePort();
    writeFileSync(
      join(ssh, 'sshd_config'),
      [
        `Port ${sshPort}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(ssh, 'host_key')}`,
        `AuthorizedKeysFile ${join(ssh, 'authorized_keys')}`,
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'UsePAM no',
        'StrictModes no',
        `PidFile ${join(ssh, 'sshd.pid')}`,
        // The far side's docker CLI dials the TLS test daemon's unix socket.
        `SetEnv DOCKER_HOST=unix://${engineSocket}`,
        '',
      ].join('\n'),
    );
    mkdirSync('/run/sshd', { recursive: true });
    const sshd = spawn(SSHD, ['-D', '-e', '-f', join(ssh, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(sshd);
    const agentSocket = join(ssh, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', agentSocket], { stdio: 'ignore' });
    children.push(agent);
    await vi.waitFor(() => expect(existsSync(agentSocket)).toBe(true), { timeout: 60_000, interval: 100 });
    sh('ssh-add', ['-q', join(ssh, 'user_key')], { SSH_AUTH_SOCK: agentSocket });
    const user = sh('id', ['-un']).trim();
    await buildPushReuse('ssh', { DOCKER_HOST: `ssh://${user}@127.0.0.1:${sshPort}`, SSH_AUTH_SOCK: agentSocket, DOCKER_TLS_VERIFY: '', DOCKER_CERT_PATH: '' });
  });

  it.skipIf(lacking(PODMAN))("Podman's Docker-compatible API: the classic builder, push, reuse", async () => {
    const podman = join(dir, 'podman');
    mkdirSync(podman);
    // The mirror stands in for docker.io; both local registries speak plain HTTP.
    writeFileSync(
      join(podman, 'registries.conf'),
      [
        'unqualified-search-registries = ["docker.io"]',
        '[[registry]]',
        'prefix = "docker.io"',
        `location = "${env.IMAGEWISE_MIRROR}"`,
        'insecure = true',
        '[[registry]]',
        `location = "${env.IMAGEWISE_REGISTRY}"`,
        'insecure = true',
        '',
      ].join('\n'),
    );
    // runc and cgroupfs: Debian's crun refuses this machine's hybrid cgroups.
    writeFileSync(join(podman, 'containers.conf'), '[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n');
    const socket = join(podman, 'podman.sock');
    const log = join(podman, 'service.log');
    const service = spawn(PODMAN!, ['--root', join(podman, 'root'), '--runroot', join(podman, 'run'), 'system', 'service', '--time=0', `unix://${socket}`], {
      env: { ...process.env, CONTAINERS_CONF: join(podman, 'containers.conf'), CONTAINERS_REGISTRIES_CONF: join(podman, 'registries.conf') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(service);
    let errors = '';
    service.stderr!.on('data', (chunk) => (errors += chunk));
    service.on('exit', () => writeFileSync(log, errors));
    await waitForPing(socket, 'podman system service', service, log).catch((error) => {
      throw new Error(`${(error as Error).message}\n${errors}`);
    });
    const output = await buildPushReuse('podman', { DOCKER_HOST: `unix://${socket}`, DOCKER_TLS_VERIFY: '', DOCKER_CERT_PATH: '' }, false);
    // Buildah's own step lines: the classic path, not BuildKit's "[2/2] RUN".
    expect(output).toMatch(/STEP \d+\/\d+: RUN cat \/kind\.txt/);
  });

  it('a client certificate the daemon never issued: one line, the address and what to check', () => {
    const line = failureLine('stranger', { ...tlsEnv(), DOCKER_CERT_PATH: join(dir, 'stranger-certs') }, /TLS with the Docker daemon/);
    expect(line).toContain(`TLS with the Docker daemon at tcp://127.0.0.1:${port} (DOCKER_HOST) failed (`);
    expect(line).toContain(
      `check that DOCKER_CERT_PATH (${join(dir, 'stranger-certs')}: ca.pem, cert.pem, key.pem) holds the CA that signed the daemon's certificate`,
    );
  });

  it('a CA that did not sign the daemon: one line', () => {
    const certs = join(dir, 'wrong-ca');
    mkdirSync(certs);
    writeFileSync(join(certs, 'ca.pem'), readFileSync(join(dir, 'other-ca.pem')));
    writeFileSync(join(certs, 'cert.pem'), readFileSync(join(dir, 'client-cert.pem')));
    writeFileSync(join(certs, 'key.pem'), readFileSync(join(dir, 'client-key.pem')));
    const line = failureLine('wrong-ca', { ...tlsEnv(), DOCKER_CERT_PATH: certs }, /TLS with the Docker daemon/);
    expect(line).toMatch(new RegExp(`TLS with the Docker daemon at tcp://127\\.0\\.0\\.1:${port} \\(DOCKER_HOST\\) failed \\((unable to verify|self.signed)`));
  });

  it('an address where nothing listens: one line', async () => {
    const closed = await closedPort();
    const line = failureLine(
      'unreachable',
      { DOCKER_HOST: `tcp://127.0.0.1:${closed}`, DOCKER_TLS_VERIFY: '', DOCKER_CERT_PATH: '' },
      /cannot reach the Docker daemon/,
    );
    expect(line).toContain(
      `cannot reach the Docker daemon at tcp://127.0.0.1:${closed} (DOCKER_HOST) (connect ECONNREFUSED 127.0.0.1:${closed}): check that the daemon listens on 127.0.0.1 port ${closed} and nothing blocks the way (DOCKER_HOST)`,
    );
  });
});
