import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { ExecutorContext } from 'nx/src/devkit-exports';
import { exactReference } from '../../build/image-metadata';
import { connectDocker } from '../../docker/docker-client';
import { buildOutputOf, selectImage } from '../selected-image';

export interface RunExecutorOptions {
  /** The image's key (`worker` for `docker:build:worker`); default: the primary. */
  image?: string;
  command?: string[];
  env?: Record<string, string>;
  timeoutSeconds?: number;
}

/**
 * docker:run: the smoke test of pipelines that test inside the app image. The
 * container has no network, so a test cannot lean on anything outside it. It
 * runs the smoke command to its exit, or, with none given, the image's own CMD
 * until its HEALTHCHECK passes (a service answering its health endpoint).
 */
export default async function runExecutor(options: RunExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const selected = selectImage(context, 'docker:run', options.image);
    const built = buildOutputOf(context, selected.image);
    if (selected.note) console.log(selected.note);
    const image = exactReference(built);
    const docker = await connectDocker();
    if (built.digest) await pullIfMissing(docker, image);
    const container = await docker.createContainer({
      Image: image,
      Cmd: options.command,
      Env: Object.entries(options.env ?? {}).map(([name, value]) => `${name}=${value}`),
      HostConfig: { NetworkMode: 'none' },
    });
    const timeoutMs = (options.timeoutSeconds ?? 120) * 1000;
    try {
      await container.start();
      // A server's CMD never exits: with no smoke command, its HEALTHCHECK is the test.
      const hasHealthcheck = !options.command && Boolean((await container.inspect()).Config.Healthcheck?.Test?.length);
      const outcome = hasHealthcheck ? await untilHealthy(container, timeoutMs) : await untilExit(container, timeoutMs);
      const logs = await container.logs({ stdout: true, stderr: true });
      await printLogs(docker, logs);
      if (!outcome.success) console.error(`${image}: ${outcome.failure}`);
      else if (hasHealthcheck) console.log(`${image}: healthy`);
      return { success: outcome.success };
    } finally {
      await container.remove({ force: true });
    }
  } catch (error) {
    console.error((error as Error).message);
    return { success: false };
  }
}

type Outcome = { success: true } | { success: false; failure: string };

async function untilExit(container: import('dockerode').Container, timeoutMs: number): Promise<Outcome> {
  const timeout = setTimeout(() => void container.kill().catch(() => undefined), timeoutMs);
  const { StatusCode } = (await container.wait()) as { StatusCode: number };
  clearTimeout(timeout);
  return StatusCode === 0 ? { success: true } : { success: false, failure: `the smoke command exited ${StatusCode}` };
}

/** Polls Docker's health status until healthy; unhealthy, an exit or the timeout fail with the last probe's output. */
async function untilHealthy(container: import('dockerode').Container, timeoutMs: number): Promise<Outcome> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { State } = await container.inspect();
    const health = State.Health;
    const lastProbe = health?.Log?.at(-1)?.Output?.trim();
    if (health?.Status === 'healthy') return { success: true };
    if (health?.Status === 'unhealthy') return { success: false, failure: `the health check failed${lastProbe ? `: ${lastProbe}` : ''}` };
    if (!State.Running) return { success: false, failure: `the container exited ${State.ExitCode} before its health check passed` };
    if (Date.now() > deadline) return { success: false, failure: `not healthy after ${timeoutMs / 1000} s${lastProbe ? `; last probe: ${lastProbe}` : ''}` };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function pullIfMissing(docker: import('dockerode'), image: string): Promise<void> {
  if (
    await docker
      .getImage(image)
      .inspect()
      .catch(() => undefined)
  )
    return;
  const stream = await docker.pull(image);
  await new Promise((resolve, reject) => docker.modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve(undefined))));
}

/**
 * The container's output, its stdout to stdout and its stderr to stderr. Docker frames each chunk of a
 * log without a TTY with an 8-byte header naming its stream; docker-modem's demuxStream (dockerode's own
 * transport) takes the frames apart, chunks split across reads and a TTY container's raw log included.
 */
async function printLogs(docker: import('dockerode'), logs: Buffer): Promise<void> {
  const stream = Readable.from([logs]);
  docker.modem.demuxStream(stream, process.stdout, process.stderr);
  await finished(stream);
}
