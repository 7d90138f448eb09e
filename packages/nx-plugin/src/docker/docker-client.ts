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
      `cannot reach the Docker daemon at ${host ?? 'unix:///var/run/docker.sock'} (${(error as Error).message}); ` +
        'start one (in the Imagewise repo: bash tools/engine/engine start, then source its env) or set DOCKER_HOST',
    );
  }
  return docker;
}
