import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closedPort } from '../../../../tools/engine/test/closed-port';
import { PROBE_TIMEOUT, preTasksExecution, probeRemoteCache, REMOTE_CACHE_SERVER, REMOTE_CACHE_TOKEN } from './remote-cache';

const context = { id: 'run', workspaceRoot: '/ws', nxJsonConfiguration: {}, argv: [] };

/** A local server answering every request with `status`; records the requests. */
async function serve(status: number | 'hang'): Promise<{ url: string; requests: Array<{ url?: string; authorization?: string }>; server: Server }> {
  const requests: Array<{ url?: string; authorization?: string }> = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url, authorization: req.headers.authorization });
    if (status === 'hang') return;
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end('body');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await closedPort()}`;
}

describe('probeRemoteCache', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      server.close();
    }
  });
  const start = async (status: number | 'hang') => {
    const served = await serve(status);
    servers.push(served.server);
    return served;
  };

  it('accepts a miss or a hit, asking with the bearer token', async () => {
    for (const status of [404, 200]) {
      const { url, requests } = await start(status);
      expect(await probeRemoteCache(`${url}/`, 'sekrit', 1000)).toBeUndefined();
      expect(requests).toEqual([{ url: '/v1/cache/0', authorization: 'Bearer sekrit' }]);
    }
  });

  it('reports a refused token, a server error and no connection', async () => {
    expect(await probeRemoteCache((await start(401)).url, 'bad', 1000)).toMatch(
      /refused the access token \(HTTP 401; check NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN\)/,
    );
    expect(await probeRemoteCache((await start(503)).url, undefined, 1000)).toBe('answered HTTP 503');
    expect(await probeRemoteCache(await closedPortUrl(), undefined, 1000)).toBe('is unreachable (ECONNREFUSED)');
    expect(await probeRemoteCache('not a url', undefined, 1000)).toMatch(/is not a URL/);
    expect(await probeRemoteCache('ftp://cache.example', undefined, 1000)).toMatch(/is not an http\(s\) URL/);
  });

  it('gives up on a server that does not answer', async () => {
    expect(await probeRemoteCache((await start('hang')).url, undefined, 100)).toBe('is unreachable (no answer within 100 ms)');
  });
});

describe('preTasksExecution', () => {
  let warnings: string[];
  beforeEach(() => {
    warnings = [];
    vi.spyOn(console, 'warn').mockImplementation((message: string) => void warnings.push(message));
    vi.stubEnv(REMOTE_CACHE_TOKEN, 'sekrit');
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('does nothing without a configured server', async () => {
    vi.stubEnv(REMOTE_CACHE_SERVER, '');
    await preTasksExecution(undefined, context);
    expect(warnings).toEqual([]);
  });

  it('keeps a reachable server', async () => {
    const { url, server } = await serve(404);
    vi.stubEnv(REMOTE_CACHE_SERVER, url);
    await preTasksExecution(undefined, context);
    server.close();
    expect(process.env[REMOTE_CACHE_SERVER]).toBe(url);
    expect(warnings).toEqual([]);
  });

  it('turns the remote cache off for the run with one warning when the server is unreachable, never printing credentials', async () => {
    const url = await closedPortUrl();
    const withCredentials = url.replace('http://', 'http://user:pass@');
    vi.stubEnv(REMOTE_CACHE_SERVER, withCredentials);
    await preTasksExecution(undefined, context);
    expect(process.env[REMOTE_CACHE_SERVER]).toBe('');
    expect(warnings).toEqual([`[imagewise] remote cache ${url} is unreachable (ECONNREFUSED); this run uses the local cache only.`]);
    expect(warnings.join('')).not.toMatch(/sekrit|pass/);
  });

  it('says so when the probe timeout is not a number', async () => {
    const { url, server } = await serve(404);
    vi.stubEnv(REMOTE_CACHE_SERVER, url);
    vi.stubEnv(PROBE_TIMEOUT, 'soon');
    await preTasksExecution(undefined, context);
    server.close();
    expect(warnings).toEqual(['[imagewise] IMAGEWISE_REMOTE_CACHE_PROBE_TIMEOUT_MS="soon" is not a positive number of milliseconds; using 3000.']);
  });
});
