// Unit-level fakes on loopback, answering as the real services do for the
// few requests the CI script and Nx make: GitLab's pipelines and merge-requests
// APIs, GitHub's workflow-runs and pulls APIs and Nx's self-hosted remote cache.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  /** The token the request carried, whichever header it used. */
  token: string | undefined;
  status: number;
  /** The request body, for requests that send one. */
  body?: string;
}

/** A merge request (GitLab) or pull request (GitHub) the fake holds. */
export interface FakeRequest {
  api: 'gitlab' | 'github';
  id: number;
  source: string;
  target: string;
  title: string;
  description: string;
  state: 'open' | 'closed';
}

export interface FakeCi {
  url: string;
  /** Commits whose pipeline went green, newest first, by branch. */
  green: Map<string, string[]>;
  /** The token the APIs accept. */
  token: string;
  /** Merge and pull requests opened through the APIs, both kinds in one list. */
  mergeRequests: FakeRequest[];
  requests: Recorded[];
  close(): Promise<void>;
}

/**
 * GitLab: GET /api/v4/projects/:id/pipelines?ref=&status=success → [{ id, sha, ref, status }].
 * GitHub: GET /repos/:owner/:repo/actions/workflows/:file/runs?branch=&status=success&event=push → { total_count, workflow_runs: [{ head_sha }] }.
 * Nx cache: GET /v1/cache/:hash → 404 (always a miss); PUT → 200 with the read-write token, 403 with the read-only one.
 * GitLab MRs: GET /api/v4/projects/:id/merge_requests?source_branch=&state=opened, POST (409 when one is open
 * for the branch), PUT …/:iid. GitHub PRs: GET /repos/:owner/:repo/pulls?head=owner:branch&state=open,
 * POST (422 when one is open), PATCH …/:number. All with the API token.
 */
export async function startFakeCi(tokens: { api: string; cacheReadWrite: string; cacheReadOnly: string }): Promise<FakeCi> {
  const green = new Map<string, string[]>();
  const requests: Recorded[] = [];
  const mergeRequests: FakeRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const token = req.headers['private-token'] ?? req.headers['job-token'] ?? req.headers.authorization?.replace(/^Bearer /, '');
    let text: string | undefined;
    const answer = (status: number, body?: unknown) => {
      requests.push({ method: req.method ?? '', path: url.pathname + url.search, token: token as string | undefined, status, ...(text ? { body: text } : {}) });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    drain(req).then(
      (body) => {
        text = body;
        route(url, token as string | undefined, req.method ?? '', answer, body);
      },
      () => answer(500),
    );
  });
  const route = (url: URL, token: string | undefined, method: string, answer: (status: number, body?: unknown) => void, text: string) => {
    const gitlabMrs = /^\/api\/v4\/projects\/[^/]+\/merge_requests(?:\/(\d+))?$/.exec(url.pathname);
    const githubPulls = /^\/repos\/([^/]+)\/[^/]+\/pulls(?:\/(\d+))?$/.exec(url.pathname);
    if (gitlabMrs || githubPulls) {
      if (token !== tokens.api) return answer(401, { message: '401 Unauthorized' });
      const api = gitlabMrs ? 'gitlab' : 'github';
      const id = Number((gitlabMrs ?? githubPulls)![gitlabMrs ? 1 : 2]) || undefined;
      const body = text ? (JSON.parse(text) as Record<string, string>) : {};
      const show = (mr: FakeRequest) =>
        api === 'gitlab'
          ? {
              iid: mr.id,
              source_branch: mr.source,
              target_branch: mr.target,
              title: mr.title,
              description: mr.description,
              state: 'opened',
              web_url: `${fakeUrl}/mr/${mr.id}`,
            }
          : {
              number: mr.id,
              head: { ref: mr.source },
              base: { ref: mr.target },
              title: mr.title,
              body: mr.description,
              state: 'open',
              html_url: `${fakeUrl}/pull/${mr.id}`,
            };
      const open = mergeRequests.filter((mr) => mr.api === api && mr.state === 'open');
      if (method === 'GET' && !id) {
        const source = gitlabMrs ? url.searchParams.get('source_branch') : url.searchParams.get('head')?.replace(`${githubPulls![1]}:`, '');
        if (!source) return answer(400, { message: 'only lists by source branch are faked' });
        return answer(200, open.filter((mr) => mr.source === source).map(show));
      }
      if (method === 'POST' && !id) {
        const source = gitlabMrs ? body.source_branch : body.head;
        if (open.some((mr) => mr.source === source)) {
          return gitlabMrs
            ? answer(409, { message: ['Another open merge request already exists for this source branch'] })
            : answer(422, { message: 'Validation Failed', errors: [{ message: `A pull request already exists for ${source}.` }] });
        }
        const mr: FakeRequest = {
          api,
          id: mergeRequests.filter((other) => other.api === api).length + 1,
          source,
          target: gitlabMrs ? body.target_branch : body.base,
          title: body.title,
          description: (gitlabMrs ? body.description : body.body) ?? '',
          state: 'open',
        };
        mergeRequests.push(mr);
        return answer(201, show(mr));
      }
      const mr = open.find((candidate) => candidate.id === id);
      if (id && mr && method === (gitlabMrs ? 'PUT' : 'PATCH')) {
        mr.title = body.title ?? mr.title;
        mr.description = (gitlabMrs ? body.description : body.body) ?? mr.description;
        return answer(200, show(mr));
      }
      return answer(404, { message: 'not faked' });
    }
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
  const fakeUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: fakeUrl,
    green,
    token: tokens.api,
    mergeRequests,
    requests,
    close: () => closeServer(server),
  };
}

function drain(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
