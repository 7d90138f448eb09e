import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchGreenCommits, greenShas } from '../lib/green-commits.mjs';
import { readPipeline, type GreenQuery } from '../lib/pipeline.mjs';
import { closedPort } from '../../engine/test/closed-port.ts';
import { startFakeCi, type FakeCi } from './fake-services.ts';

const sha = (c: string) => c.repeat(40);

describe('greenShas', () => {
  it("reads GitLab's pipeline list and GitHub's workflow runs, newest first, each commit once", () => {
    expect(greenShas('gitlab', [{ sha: sha('1') }, { sha: sha('2') }, { sha: sha('1') }])).toEqual([sha('1'), sha('2')]);
    expect(greenShas('github', { total_count: 2, workflow_runs: [{ head_sha: sha('3') }, { head_sha: sha('4') }] })).toEqual([sha('3'), sha('4')]);
    expect(greenShas('gitlab', [])).toEqual([]);
  });

  it('refuses answers of another shape', () => {
    expect(greenShas('gitlab', { message: '403 Forbidden' })).toBeUndefined();
    expect(greenShas('github', [{ head_sha: sha('3') }])).toBeUndefined();
    expect(greenShas('gitlab', [{ sha: 'not a sha; rm -rf /' }])).toBeUndefined();
    expect(greenShas('gitlab', [{ id: 1 }])).toBeUndefined();
  });
});

describe('fetchGreenCommits', () => {
  let fake: FakeCi;
  let odd: Server;
  let oddUrl: string;

  beforeAll(async () => {
    fake = await startFakeCi({ api: 'api-token', cacheReadWrite: 'rw', cacheReadOnly: 'ro' });
    fake.green.set('main', [sha('1'), sha('2')]);
    // Answers that are not the API's: a server error and an HTML page.
    odd = createServer((req, res) => {
      if (req.url?.includes('html')) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>sign in</html>');
      } else {
        res.writeHead(502, 'Bad Gateway');
        res.end();
      }
    });
    await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', resolve));
    oddUrl = `http://127.0.0.1:${(odd.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await fake?.close();
    odd?.closeAllConnections();
    await new Promise((resolve) => odd?.close(resolve));
  });

  const gitlab = (api: string, token = 'api-token') =>
    readPipeline(
      { GITLAB_CI: 'true', CI_COMMIT_BRANCH: 'main', CI_DEFAULT_BRANCH: 'main', CI_API_V4_URL: api, CI_PROJECT_ID: '42', IMAGEWISE_GITLAB_API_TOKEN: token },
      'main',
    ).green!;
  const github = (api: string) =>
    readPipeline(
      {
        GITHUB_ACTIONS: 'true',
        GITHUB_REF: 'refs/heads/main',
        GITHUB_REF_NAME: 'main',
        GITHUB_API_URL: api,
        GITHUB_REPOSITORY: 'acme/platform',
        GITHUB_WORKFLOW_REF: 'acme/platform/.github/workflows/ci.yml@refs/heads/main',
        GITHUB_TOKEN: 'api-token',
      },
      'main',
    ).green!;

  it('asks GitLab with the token and returns the green commits', async () => {
    expect(await fetchGreenCommits(gitlab(`${fake.url}/api/v4`))).toEqual({ shas: [sha('1'), sha('2')] });
    expect(fake.requests.at(-1)).toMatchObject({
      path: '/api/v4/projects/42/pipelines?ref=main&status=success&order_by=id&sort=desc&per_page=20',
      token: 'api-token',
      status: 200,
    });
  });

  it('asks GitHub with the token and returns the green commits', async () => {
    expect(await fetchGreenCommits(github(fake.url))).toEqual({ shas: [sha('1'), sha('2')] });
    expect(fake.requests.at(-1)).toMatchObject({
      path: '/repos/acme/platform/actions/workflows/ci.yml/runs?branch=main&event=push&status=success&per_page=20',
      token: 'api-token',
    });
  });

  it('says what to do about a refused token, without printing it', async () => {
    const answer = await fetchGreenCommits(gitlab(`${fake.url}/api/v4`, 'wrong-token'));
    expect(answer).toEqual({
      error: expect.stringMatching(/answered 401 Unauthorized; set IMAGEWISE_GITLAB_API_TOKEN to a project access token with read_api/),
    });
    expect(JSON.stringify(answer)).not.toContain('wrong-token');
  });

  it('turns an unreachable API, a server error, a non-JSON page and a timeout into errors, never a throw', async () => {
    expect(await fetchGreenCommits(gitlab(`http://127.0.0.1:${await closedPort()}/api/v4`))).toEqual({
      error: expect.stringContaining('did not answer (ECONNREFUSED)'),
    });
    expect(await fetchGreenCommits(gitlab(`${oddUrl}/api/v4`))).toEqual({ error: expect.stringContaining('answered 502 Bad Gateway') });
    const html: GreenQuery = { api: 'gitlab', url: `${oddUrl}/html`, headers: {}, describe: 'the html page' };
    expect(await fetchGreenCommits(html)).toEqual({ error: 'the html page answered something that is not JSON' });
    // A server that accepts the connection and never answers.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const query: GreenQuery = { api: 'github', url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`, headers: {}, describe: 'the silent API' };
    expect(await fetchGreenCommits(query, { timeoutMs: 200 })).toEqual({
      error: expect.stringMatching(/^the silent API did not answer \(.*(timeout|aborted).*\)$/i),
    });
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  });
});
