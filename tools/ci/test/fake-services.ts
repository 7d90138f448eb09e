// Unit-level fakes on loopback, answering as the real services do for the
// few requests the CI script and Nx make: GitLab's pipelines API, GitHub's
// workflow-runs API and Nx's self-hosted remote cache.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  /** The token the request carried, whichever header it used. */
  token: string | undefined;
  status: number;
}

export interface FakeCi {
  url: string;
  /** Commits whose pipeline went green, newest first, by branch. */
  green: Map<string, string[]>;
  /** The token the APIs accept. */
  token: string;
  requests: Recorded[];
  close(): Promise<void>;
}

/**
 * GitLab: GET /api/v4/projects/:id/pipelines?ref=&status=success → [{ id, sha, ref, status }].
 * GitHub: GET /repos/:owner/:repo/actions/workflows/:file/runs?branch=&status=success&event=push → { total_count, workflow_runs: [{ head_sha }] }.
 * Nx cache: GET /v1/cache/:hash → 404 (always a miss); PUT → 200 with the read-write token, 403 with the read-only one.
 */
export async function startFakeCi(tokens: { api: string; cacheReadWrite: string; cacheReadOnly: string }): Promise<FakeCi> {
  const green = new Map<string, string[]>();
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const token = req.headers['private-token'] ?? req.headers['job-token'] ?? req.headers.authorization?.replace(/^Bearer /, '');
    const answer = (status: number, body?: unknown) => {
      requests.push({ method: req.method ?? '', path: url.pathname + url.search, token: token as string | undefined, status });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    drain(req).then(
      () => route(url, token as string | undefined, req.method ?? '', answer),
      () => answer(500),
    );
  });
  const route = (url: URL, token: string | undefined, method: string, answer: (status: number, body?: unknown) => void) => {
    const gitlab = /^\/api\/v4\/projects\/[^/]+\/pipelines$/.exec(url.pathname);
    const github = /^\/repos\/[^/]+\/[^/]+\/actions\/workflows\/[^/]+\/runs$/.exec(url.pathname);
    if (gitlab || github) {
      if (token !== tokens.api) return answer(401, { message: '401 Unauthorized' });
      if (url.searchParams.get('status') !== 'success') return answer(400, { message: 'only status=success is faked' });
      const shas = green.get((gitlab ? url.searchParams.get('ref') : url.searchParams.get('branch')) ?? '') ?? [];
      return gitlab
        ? answer(
            200,
            shas.map((sha, i) => ({ id: 1000 - i, sha, ref: url.searchParams.get('ref'), status: 'success' })),
          )
        : answer(200, {
            total_count: shas.length,
            workflow_runs: shas.map((sha, i) => ({ id: 1000 - i, head_sha: sha, status: 'completed', conclusion: 'success' })),
          });
    }
    if (url.pathname.startsWith('/v1/cache/')) {
      if (token !== tokens.cacheReadWrite && token !== tokens.cacheReadOnly) return answer(401);
      if (method === 'GET') return answer(404);
      if (method === 'PUT') return answer(token === tokens.cacheReadWrite ? 200 : 403);
    }
    return answer(404, { message: 'not faked' });
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    green,
    token: tokens.api,
    requests,
    close: () => closeServer(server),
  };
}

function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    req.on('data', () => undefined);
    req.on('end', resolve);
    req.on('error', reject);
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A loopback port nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
