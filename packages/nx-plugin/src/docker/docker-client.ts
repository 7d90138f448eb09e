import type Docker from 'dockerode';

export class DockerUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DockerUnavailableError';
  }
}

/** The engine at DOCKER_HOST (unix:// or tcp://), else the default socket; checked with one ping. */
export async function connectDocker(env: NodeJS.ProcessEnv = process.env): Promise<Docker> {
  // Loaded on demand: a build that the registry already holds never needs the engine.
  const { default: Docker } = await import('dockerode');
  const host = env.DOCKER_HOST;
  const docker = host?.startsWith('unix://')
    ? new Docker({ socketPath: host.slice('unix://'.length) })
    : host
      ? new Docker({ host: new URL(host.replace(/^tcp:/, 'http:')).hostname, port: Number(new URL(host.replace(/^tcp:/, 'http:')).port) })
      : new Docker();
  try {
    await docker.ping();
  } catch (error) {
    throw new DockerUnavailableError(
      `cannot reach the Docker daemon at ${engineAddress(env)} (${(error as Error).message}); ` +
        'start it, or set DOCKER_HOST to one that runs',
    );
  }
  return docker;
}

function engineAddress(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
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
