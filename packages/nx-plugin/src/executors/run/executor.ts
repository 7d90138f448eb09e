import type { ExecutorContext } from '@nx/devkit';
import { readImageMetadata } from '../../build/image-metadata';
import { contentTag } from '../../build/tag-policy';
import { connectDocker } from '../../docker/docker-client';

export interface RunExecutorOptions {
  command?: string[];
  env?: Record<string, string>;
  timeoutSeconds?: number;
}

/**
 * docker:run: the smoke test of pipelines that test inside the app image. The
 * container has no network, so a test cannot lean on anything outside it.
 */
export default async function runExecutor(options: RunExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const built = readImageMetadata(context.root, context.projectName!);
  if (!built) {
    console.error(`${context.projectName} has no build output: run its docker:build first (docker:run depends on it)`);
    return { success: false };
  }
  const image = built.digest ? `${built.image}@${built.digest}` : `${built.image}:${contentTag(built.inputHash)}`;
  try {
    const docker = await connectDocker();
    if (built.digest) await pullIfMissing(docker, image);
    const container = await docker.createContainer({
      Image: image,
      Cmd: options.command,
      Env: Object.entries(options.env ?? {}).map(([name, value]) => `${name}=${value}`),
      HostConfig: { NetworkMode: 'none' },
    });
    try {
      await container.start();
      const timeout = setTimeout(() => void container.kill().catch(() => undefined), (options.timeoutSeconds ?? 120) * 1000);
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      clearTimeout(timeout);
      const logs = await container.logs({ stdout: true, stderr: true });
      process.stdout.write(demultiplex(logs));
      if (StatusCode !== 0) console.error(`${image}: the smoke command exited ${StatusCode}`);
      return { success: StatusCode === 0 };
    } finally {
      await container.remove({ force: true });
    }
  } catch (error) {
    console.error((error as Error).message);
    return { success: false };
  }
}

async function pullIfMissing(docker: import('dockerode'), image: string): Promise<void> {
  if (await docker.getImage(image).inspect().catch(() => undefined)) return;
  const stream = await docker.pull(image);
  await new Promise((resolve, reject) => docker.modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve(undefined))));
}

/** Docker's log stream without a TTY: 8-byte frame headers before each chunk. */
function demultiplex(buffer: Buffer): string {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset + 8 <= buffer.length; ) {
    const size = buffer.readUInt32BE(offset + 4);
    chunks.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(chunks).toString('utf8');
}
