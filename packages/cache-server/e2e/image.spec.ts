// The container image as this workspace builds it, on the shared engine.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSharedEngine } from '../../../tools/engine/test/engine-cli.js';
import { get, put, request } from '../src/http.test-helpers.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../scripts/image.mjs', import.meta.url));
const TAG = `imagewise-cache-server:e2e-${Date.now().toString(36)}`;

describe('the container image', () => {
  let env: NodeJS.ProcessEnv;
  let container: string | undefined;
  const docker = async (...args: string[]) => (await run('/usr/bin/docker', args, { env })).stdout.trim();

  beforeAll(async () => {
    env = { ...process.env, DOCKER_HOST: (await startSharedEngine())['DOCKER_HOST'] };
    await run(process.execPath, [SCRIPT, '--tag', TAG], { env, maxBuffer: 64 * 1024 * 1024 });
  });
  afterAll(async () => {
    if (container) await docker('rm', '--force', container);
    await docker('rmi', '--force', TAG).catch(() => undefined);
  });

  it('refuses to start without a token', async () => {
    const refused = await run('/usr/bin/docker', ['run', '--rm', TAG], { env }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused?.code).toBe(2);
    expect(refused?.stderr).toContain('no token configured');
  });

  it('serves the cache as a non-root user from its volume', async () => {
    container = await docker('run', '--detach', '--publish', '127.0.0.1::3000', '--env', 'IMAGEWISE_CACHE_TOKEN=image-token', TAG);
    const url = `http://${await docker('port', container, '3000/tcp')}`;
    let health = 0;
    for (let i = 0; i < 100 && health !== 200; i++) {
      health = await request(url, '/health').then(
        (reply) => reply.status,
        () => 0,
      );
      if (health !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(health).toBe(200);
    expect((await put(url, '314', 'entry bytes', 'image-token')).status).toBe(200);
    expect((await get(url, '314', 'image-token')).body.toString()).toBe('entry bytes');
    expect(await docker('exec', container, 'id', '-u')).toBe('10001');
    expect(await docker('exec', container, 'ls', '/var/cache/imagewise/entries')).toBe('314');
  });
});
