// A private registry for e2e tests: distribution behind htpasswd on a free
// loopback port, as every real one is, with the docker config `docker login`
// would write for it (runners use it through DOCKER_CONFIG).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../tools/engine/test/free-port';

const REGISTRY_BIN = process.env.IMAGEWISE_REGISTRY_BIN || '/usr/bin/docker-registry';

export interface PrivateRegistry {
  /** `127.0.0.1:<port>` */
  host: string;
  user: string;
  /** Planted: a test checks it shows up nowhere. */
  password: string;
  /** A DOCKER_CONFIG directory whose config.json logs in to the registry. */
  dockerConfig: string;
  /** What the registry has written so far. */
  log(): string;
  stop(): Promise<void>;
}

/** GET /v2/ until the registry answers; returns the status (401: it asks for credentials). */
async function waitForRegistry(url: string, child: ChildProcess, log: () => string): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited ${child.exitCode}:\n${log()}`);
    const status = await fetch(url).then(
      (response) => response.status,
      () => undefined,
    );
    if (status !== undefined) return status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`docker-registry did not answer at ${url}:\n${log()}`);
}

/**
 * Starts docker-registry with htpasswd auth and a fresh password; fails unless it asks for credentials.
 * `deletes: false` starts it as registries are by default: manifest DELETE answers 405 UNSUPPORTED.
 */
export async function startPrivateRegistry(user = 'ci-runner', { deletes = true }: { deletes?: boolean } = {}): Promise<PrivateRegistry> {
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'imagewise-private-registry-'));
  const host = `127.0.0.1:${await freePort()}`;
  writeFileSync(join(dir, 'htpasswd'), execFileSync('htpasswd', ['-Bbn', user, password], { encoding: 'utf8' }));
  mkdirSync(join(dir, 'storage'));
  writeFileSync(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'storage')}`,
      '  delete:',
      `    enabled: ${deletes}`,
      'auth:',
      '  htpasswd:',
      '    realm: imagewise-e2e',
      `    path: ${join(dir, 'htpasswd')}`,
      'http:',
      `  addr: ${host}`,
      '',
    ].join('\n'),
  );
  let output = '';
  const child = spawn(REGISTRY_BIN, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const status = await waitForRegistry(`http://${host}/v2/`, child, () => output);
    if (status !== 401) throw new Error(`docker-registry at ${host} answered ${status} without credentials; expected 401`);
  } catch (error) {
    await stop();
    throw error;
  }
  const dockerConfig = join(dir, 'docker-config');
  mkdirSync(dockerConfig);
  writeFileSync(
    join(dockerConfig, 'config.json'),
    `${JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${user}:${password}`).toString('base64') } } }, null, 2)}\n`,
  );
  return { host, user, password, dockerConfig, log: () => output, stop };
}
