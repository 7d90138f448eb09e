import { Agent } from 'node:https';
import type Docker from 'dockerode';
import { DockerUnavailableError, resolveEngine, type EngineEndpoint, type EngineFiles, localFiles } from './engine-endpoint';

export { DockerUnavailableError } from './engine-endpoint';

/** How long the first ping may take before the engine counts as unreachable. */
const PING_TIMEOUT_MS = 20_000;

/**
 * The engine that DOCKER_HOST, DOCKER_CONTEXT, the Docker config's
 * currentContext or the default socket names (see resolveEngine), checked with
 * one ping; if it does not answer, one line naming the address and what to check.
 */
export async function connectDocker(env: NodeJS.ProcessEnv = process.env, files: EngineFiles = localFiles): Promise<Docker> {
  const endpoint = resolveEngine(env, files);
  // Loaded on demand: a build that the registry already holds never needs the engine.
  const { default: Docker } = await import('dockerode');
  const docker = new Docker({
    ...endpoint.options,
    // A context's SkipTLSVerify: docker-modem has no option for it, an agent does.
    ...(endpoint.skipTlsVerify ? { agent: new Agent({ rejectUnauthorized: false }) } : {}),
  } as Docker.DockerOptions);
  if (endpoint.transport === 'ssh') quietSshUrlWarning(docker);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), PING_TIMEOUT_MS);
  try {
    // dockerode takes the options; its types leave them out.
    await (docker as unknown as { ping(options: { abortSignal: AbortSignal }): Promise<unknown> }).ping({ abortSignal: abort.signal });
  } catch (error) {
    throw unreachable(abort.signal.aborted ? Object.assign(new Error(`no answer within ${PING_TIMEOUT_MS / 1000} s`), { code: 'ETIMEDOUT' }) : error, endpoint);
  } finally {
    clearTimeout(timer);
  }
  return docker;
}

/**
 * docker-modem, in its ssh mode, formats each request's URL as "ssh:HOST:PORTHOST"
 * and parses it again (only the path is used), which makes Node print DEP0170
 * on the build's output. That warning alone is silenced, during that call only.
 */
function quietSshUrlWarning(docker: Docker): void {
  const modem = docker.modem as { dial: (...args: unknown[]) => unknown };
  const dial = modem.dial.bind(modem);
  modem.dial = (...args: unknown[]) => {
    const before = process.noDeprecation;
    process.noDeprecation = true;
    try {
      return dial(...args);
    } finally {
      process.noDeprecation = before;
    }
  };
}

interface ConnectionError {
  code?: string;
  message?: string;
  level?: string;
  statusCode?: number;
}

const firstLine = (text: string) => text.split('\n')[0].trim();

/** OpenSSL's words for a TLS alert ("tlsv1 alert unknown ca"), without its file and line. */
function tlsReason(error: ConnectionError): string {
  const message = error.message ?? '';
  return message.match(/SSL routines:[^:]*:([^:]+):/)?.[1] ?? firstLine(message) ?? error.code ?? 'TLS failed';
}

/** One line for an engine that did not answer: the address, where it came from, and what to check. */
export function unreachable(error: unknown, endpoint: EngineEndpoint): DockerUnavailableError {
  const e = (error ?? {}) as ConnectionError;
  const code = e.code ?? '';
  const message = firstLine(e.message ?? String(error));
  const at = `the Docker daemon at ${endpoint.address} (${endpoint.source})`;
  // The daemon's certificate is not trusted, or it refused ours.
  if (/^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_CERT_)/.test(code) || /^ERR_SSL_.*(CA|CERTIFICATE|HANDSHAKE)/.test(code)) {
    return new DockerUnavailableError(`TLS with ${at} failed (${tlsReason(e)}): check ${endpoint.checkTls ?? endpoint.check}`);
  }
  if (/^ERR_SSL_(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST)/.test(code)) {
    return new DockerUnavailableError(
      `${at} does not speak TLS there (${tlsReason(e)}): check the address and port, or leave TLS off for it (DOCKER_TLS_VERIFY unset)`,
    );
  }
  if (e.statusCode === 400 && /HTTPS server/i.test(message)) {
    return new DockerUnavailableError(
      `${at} speaks TLS only: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to its client certificates (or use a Docker context with its TLS material)`,
    );
  }
  if (e.statusCode) {
    return new DockerUnavailableError(`${at} answers HTTP ${e.statusCode}, not as a Docker daemon: check ${endpoint.check}`);
  }
  if (e.level === 'client-authentication') {
    return new DockerUnavailableError(`ssh to ${at} refused every key offered (${message}): check ${endpoint.check}`);
  }
  return new DockerUnavailableError(`cannot reach ${at} (${message || code}): check ${endpoint.check}`);
}

function engineAddress(env: NodeJS.ProcessEnv): string {
  try {
    const endpoint = resolveEngine(env);
    return `${endpoint.address} (${endpoint.source})`;
  } catch {
    return env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  }
}

/**
 * What a lost connection to the engine in the middle of a build or push means
 * (the daemon stopped or was killed): the engine's own words are "aborted" or
 * "socket hang up". Other errors pass through as they are.
 */
export function engineGone(error: unknown, env: NodeJS.ProcessEnv = process.env): unknown {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  const lost = ['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ENOENT'].includes(code ?? '') || /^(aborted|socket hang up)$/i.test(message ?? '');
  if (!lost) return error;
  return new DockerUnavailableError(
    `the Docker daemon at ${engineAddress(env)} went away during the build (${message || code}): it stopped or was killed; check it and run the build again`,
  );
}
