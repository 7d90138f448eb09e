// Where the Docker Engine is and how to reach it, decided as the docker CLI
// decides it: DOCKER_HOST (with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH), else
// the Docker context named by DOCKER_CONTEXT, else the config's currentContext,
// else the default socket. Pure but for reading files through `files`: no
// connection is made here. The result is complete docker-modem options, so
// docker-modem's own defaults (which it reads from process.env) change nothing.
//
// Why DOCKER_HOST is read here and not left to docker-modem: docker-modem reads
// process.env only (a Docker context cannot be fed to it, nor a test's env); it
// takes TLS only for DOCKER_TLS_VERIFY=1 where the docker CLI takes any
// non-empty value; it has no ~/.docker default for the certificates and throws
// a bare ENOENT for a missing one; and an ssh:// address without a port becomes
// port 0. The connection itself (https, ssh with `docker system dial-stdio`,
// the upgraded /session connection) stays docker-modem's.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { DockerOptions } from 'dockerode';

export class DockerUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DockerUnavailableError';
  }
}

export type EngineTransport = 'unix' | 'tcp' | 'tls' | 'ssh';

export interface EngineEndpoint {
  /** The engine's address as the user wrote it (or the default socket): what every message names. */
  address: string;
  /** Where the address came from: `DOCKER_HOST`, `Docker context "NAME"` or `the default socket`. */
  source: string;
  transport: EngineTransport;
  /** What to check when nothing answers there: one clause, no file contents. */
  check: string;
  /** What to check when TLS fails (a certificate not trusted or refused); TLS endpoints only. */
  checkTls?: string;
  /** docker-modem options, complete: nothing left for its process.env defaults. */
  options: DockerOptions;
  /** A context's SkipTLSVerify: TLS without checking the daemon's certificate. */
  skipTlsVerify?: boolean;
}

export interface EngineFiles {
  home: string;
  /** Who ssh logs in as when the address names no user (ssh's own default). */
  user: string;
  exists(path: string): boolean;
  /** Undefined when the file does not exist. */
  read(path: string): Buffer | undefined;
}

export const localFiles: EngineFiles = {
  home: homedir(),
  get user() {
    return userInfo().username;
  },
  exists: existsSync,
  read: (path) => (existsSync(path) ? readFileSync(path) : undefined),
};

const DEFAULT_SOCKET = '/var/run/docker.sock';

/** The Docker CLI's context store keys a context's directories by the SHA-256 of its name. */
export const contextDirName = (name: string) => createHash('sha256').update(name).digest('hex');

function dockerConfigDir(env: NodeJS.ProcessEnv, files: EngineFiles): string {
  return env.DOCKER_CONFIG || join(files.home, '.docker');
}

/** Where the engine is, or a DockerUnavailableError naming the setting to fix. */
export function resolveEngine(env: NodeJS.ProcessEnv, files: EngineFiles = localFiles): EngineEndpoint {
  const configDir = dockerConfigDir(env, files);
  // DOCKER_HOST wins over DOCKER_CONTEXT, which wins over currentContext (the docker CLI's order).
  if (env.DOCKER_HOST) {
    const tlsVerify = !!env.DOCKER_TLS_VERIFY;
    const certDir = env.DOCKER_CERT_PATH || configDir;
    const tls = tlsVerify ? readTls(certDir, files, `DOCKER_CERT_PATH (${certDir})`) : undefined;
    return fromHost(env.DOCKER_HOST, 'DOCKER_HOST', env, files, tls, {
      tls: `that DOCKER_CERT_PATH (${certDir}: ca.pem, cert.pem, key.pem) holds the CA that signed the daemon's certificate and a client certificate it accepts`,
      setting: 'DOCKER_HOST',
    });
  }
  const [name, namedBy] = env.DOCKER_CONTEXT
    ? [env.DOCKER_CONTEXT, 'DOCKER_CONTEXT']
    : [currentContext(configDir, files), `currentContext in ${join(configDir, 'config.json')}`];
  if (name && name !== 'default') return fromContext(name, namedBy, configDir, env, files);
  // docker-modem's default: Docker Desktop's per-user socket if there is one, else the system one.
  const userSocket = join(files.home, '.docker', 'run', 'docker.sock');
  const socket = files.exists(userSocket) ? userSocket : DEFAULT_SOCKET;
  return {
    address: `unix://${socket}`,
    source: 'the default socket',
    transport: 'unix',
    check: 'that the daemon runs, or set DOCKER_HOST or a Docker context to one that does',
    options: unixOptions(socket),
  };
}

function currentContext(configDir: string, files: EngineFiles): string | undefined {
  const text = files.read(join(configDir, 'config.json'))?.toString('utf8');
  if (!text) return undefined;
  try {
    const value = (JSON.parse(text) as { currentContext?: unknown }).currentContext;
    return typeof value === 'string' && value ? value : undefined;
  } catch {
    throw new DockerUnavailableError(`${join(configDir, 'config.json')} is not valid JSON: fix it (docker context use default rewrites it)`);
  }
}

function fromContext(name: string, namedBy: string, configDir: string, env: NodeJS.ProcessEnv, files: EngineFiles): EngineEndpoint {
  const source = `Docker context "${name}"`;
  const metaPath = join(configDir, 'contexts', 'meta', contextDirName(name), 'meta.json');
  const text = files.read(metaPath)?.toString('utf8');
  if (text === undefined) {
    throw new DockerUnavailableError(`${source} (${namedBy}) is not in ${join(configDir, 'contexts')}: check the name (docker context ls), or set DOCKER_HOST`);
  }
  let endpoint: { Host?: unknown; SkipTLSVerify?: unknown } | undefined;
  try {
    endpoint = (JSON.parse(text) as { Endpoints?: { docker?: typeof endpoint } }).Endpoints?.docker;
  } catch {
    throw new DockerUnavailableError(`${source}: ${metaPath} is not valid JSON; recreate the context (docker context rm, docker context create)`);
  }
  if (typeof endpoint?.Host !== 'string' || !endpoint.Host) {
    throw new DockerUnavailableError(`${source} names no Docker endpoint: check it (docker context inspect ${name})`);
  }
  const tlsDir = join(configDir, 'contexts', 'tls', contextDirName(name), 'docker');
  const skipTlsVerify = endpoint.SkipTLSVerify === true;
  const hasTls = ['ca.pem', 'cert.pem', 'key.pem'].some((file) => files.exists(join(tlsDir, file)));
  const tls = hasTls || skipTlsVerify ? readTls(tlsDir, files, `the TLS material of ${source}`) : undefined;
  const resolved = fromHost(endpoint.Host, source, env, files, tls, {
    tls: `that the TLS material of ${source} (docker context inspect ${name}) is the daemon's CA and a client certificate it accepts`,
    setting: `the endpoint of ${source} (docker context inspect ${name})`,
  });
  return skipTlsVerify && resolved.transport === 'tls' ? { ...resolved, skipTlsVerify } : resolved;
}

interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** ca.pem, cert.pem and key.pem, each if present (as the docker CLI: a missing CA means the system's). */
function readTls(dir: string, files: EngineFiles, what: string): TlsMaterial {
  const [ca, cert, key] = ['ca.pem', 'cert.pem', 'key.pem'].map((file) => files.read(join(dir, file)));
  if (!!cert !== !!key) {
    throw new DockerUnavailableError(`${what} has ${cert ? 'cert.pem but no key.pem' : 'key.pem but no cert.pem'}: a client certificate needs both`);
  }
  return { ca, cert, key };
}

function unixOptions(socketPath: string): DockerOptions {
  return { socketPath, host: undefined, port: undefined, protocol: undefined, ca: undefined, cert: undefined, key: undefined, username: undefined };
}

function fromHost(
  host: string,
  source: string,
  env: NodeJS.ProcessEnv,
  files: EngineFiles,
  tls: TlsMaterial | undefined,
  checks: { tls: string; setting: string },
): EngineEndpoint {
  const bad = (why: string) =>
    new DockerUnavailableError(`${source} is ${host}, which ${why}: use unix:///path/to/docker.sock, tcp://HOST:PORT or ssh://USER@HOST[:PORT]`);
  if (host.startsWith('unix://')) {
    const socket = host.slice('unix://'.length) || DEFAULT_SOCKET;
    return {
      address: `unix://${socket}`,
      source,
      transport: 'unix',
      check: `that the daemon runs and ${socket} is its socket (${checks.setting})`,
      options: unixOptions(socket),
    };
  }
  let url: URL;
  try {
    // As docker-modem: an address with no scheme is tcp.
    url = new URL(host.includes('://') ? host : `tcp://${host}`);
  } catch {
    throw bad('is not an address');
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!hostname) throw bad('names no host');
  if (url.protocol === 'ssh:') {
    const port = Number(url.port || 22);
    return {
      address: host,
      source,
      transport: 'ssh',
      check: `that ssh to ${url.username ? decodeURIComponent(url.username) : files.user}@${hostname} port ${port} works with a key in ssh-agent (SSH_AUTH_SOCK) or ~/.ssh, and that \`docker system dial-stdio\` runs there (${checks.setting})`,
      options: {
        ...unixOptions(''),
        socketPath: undefined,
        protocol: 'ssh',
        host: hostname,
        port,
        username: url.username ? decodeURIComponent(url.username) : files.user,
        sshOptions: sshOptions(env, files),
      },
    };
  }
  if (url.protocol !== 'tcp:') throw bad(`has a scheme (${url.protocol}) the Docker Engine API is not reached by`);
  // docker-modem's rule kept: port 2376 is Docker's TLS port, so it is spoken to with TLS.
  const useTls = tls !== undefined || url.port === '2376';
  const port = Number(url.port || (useTls ? 2376 : 2375));
  return {
    address: host,
    source,
    transport: useTls ? 'tls' : 'tcp',
    check: `that the daemon listens on ${hostname} port ${port} and nothing blocks the way (${checks.setting})`,
    ...(useTls ? { checkTls: checks.tls } : {}),
    options: { ...unixOptions(''), socketPath: undefined, protocol: useTls ? 'https' : 'http', host: hostname, port, ...(useTls ? tls : {}) },
  };
}

/**
 * docker-modem's ssh (the ssh2 package) asks only ssh-agent for a key; the ssh
 * the docker CLI runs also tries ~/.ssh/id_*: the first such key is offered
 * when no agent is there.
 */
function sshOptions(env: NodeJS.ProcessEnv, files: EngineFiles): NonNullable<DockerOptions['sshOptions']> {
  if (env.SSH_AUTH_SOCK) return { agent: env.SSH_AUTH_SOCK };
  for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
    const key = files.read(join(files.home, '.ssh', name));
    if (key) return { privateKey: key };
  }
  return {};
}
