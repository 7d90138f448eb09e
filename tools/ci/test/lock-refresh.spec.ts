import { describe, expect, it } from 'vitest';
import {
  REFRESH_BRANCH,
  actionRequest,
  changedLockPaths,
  describeRefresh,
  digestChanges,
  listRequest,
  openRequestIn,
  planRefresh,
  pushUrl,
  type LockChange,
} from '../lib/lock-refresh.mjs';
import { refreshApi } from '../lib/refresh-locks.mjs';
import { readPipeline } from '../lib/pipeline.mjs';

const digest = (n: number) => `sha256:${String(n).repeat(64)}`;
const lock = (upstream: Record<string, string>) => `${JSON.stringify({ upstream }, null, 2)}\n`;
const BASE = 'b'.repeat(40);
const change: LockChange = {
  path: 'images/base/imagewise.lock.json',
  digests: [{ reference: 'docker.io/library/debian:bookworm-slim', from: digest(1), to: digest(2) }],
  affects: ['app', 'base'],
};

describe('changedLockPaths', () => {
  it('takes modified and new lock files from git status -z, nothing else', () => {
    const status = [
      ' M images/base/imagewise.lock.json',
      '?? services/new/imagewise.lock.json',
      ' M services/app/Dockerfile',
      ' D services/gone/imagewise.lock.json',
      'M  imagewise.lock.json',
      '?? services/app/imagewise.lock.json.123.tmp',
      '',
    ].join('\0');
    expect(changedLockPaths(status)).toEqual(['images/base/imagewise.lock.json', 'imagewise.lock.json', 'services/new/imagewise.lock.json']);
  });

  it('skips the source path that follows a rename', () => {
    expect(changedLockPaths(['R  a/imagewise.lock.json', 'b/imagewise.lock.json', ''].join('\0'))).toEqual(['a/imagewise.lock.json']);
  });

  it('is empty for a clean tree', () => {
    expect(changedLockPaths('')).toEqual([]);
  });
});

describe('digestChanges', () => {
  it('lists moved, added and dropped references, sorted, and leaves unchanged ones out', () => {
    const before = lock({ 'docker.io/library/a:1': digest(1), 'docker.io/library/b:1': digest(2), 'docker.io/library/c:1': digest(3) });
    const after = lock({ 'docker.io/library/a:1': digest(4), 'docker.io/library/b:1': digest(2), 'docker.io/library/d:1': digest(5) });
    expect(digestChanges(before, after)).toEqual([
      { reference: 'docker.io/library/a:1', from: digest(1), to: digest(4) },
      { reference: 'docker.io/library/c:1', from: digest(3), to: undefined },
      { reference: 'docker.io/library/d:1', from: undefined, to: digest(5) },
    ]);
  });

  it('counts every reference of a new or unreadable old file as new', () => {
    expect(digestChanges(undefined, lock({ x: digest(1) }))).toEqual([{ reference: 'x', from: undefined, to: digest(1) }]);
    expect(digestChanges('{ not json', lock({ x: digest(1) }))).toEqual([{ reference: 'x', from: undefined, to: digest(1) }]);
  });
});

describe('planRefresh', () => {
  it('does nothing when no lock changed, and says so', () => {
    const plan = planRefresh({ changes: [], existing: undefined, target: 'main', base: BASE });
    expect(plan.actions).toEqual([]);
    expect(plan.summary).toBe('every lock file is up to date: nothing pushed, no merge request');
  });

  it('leaves an open request alone when nothing changed', () => {
    const plan = planRefresh({ changes: [], existing: { id: 3, url: 'https://gitlab.example/mr/3' }, target: 'main', base: BASE });
    expect(plan.actions).toEqual([]);
    expect(plan.summary).toContain('the open one, https://gitlab.example/mr/3, is left as it is');
  });

  it('commits exactly the changed lock files, force-pushes the branch and opens a request into the default branch', () => {
    const other: LockChange = { path: 'services/other/imagewise.lock.json', digests: [], affects: ['other'] };
    const plan = planRefresh({ changes: [change, other], existing: undefined, target: 'main', base: BASE, pipeline: '77' });
    expect(plan.actions.map((action) => action.kind)).toEqual(['commit', 'push', 'create']);
    expect(plan.actions[0]).toMatchObject({ kind: 'commit', paths: [change.path, other.path] });
    expect(plan.actions[1]).toEqual({ kind: 'push', branch: REFRESH_BRANCH });
    expect(plan.actions[2]).toMatchObject({
      kind: 'create',
      branch: REFRESH_BRANCH,
      target: 'main',
      description: describeRefresh([change, other], { base: BASE, pipeline: '77' }),
    });
    expect(plan.summary).toBe(`2 lock files changed (${change.path}, ${other.path}): opening a merge request into main`);
  });

  it('updates the open request instead of opening another', () => {
    const plan = planRefresh({ changes: [change], existing: { id: 3, url: 'u' }, target: 'main', base: BASE });
    expect(plan.actions.map((action) => action.kind)).toEqual(['commit', 'push', 'update']);
    expect(plan.actions[2]).toMatchObject({ kind: 'update', id: 3 });
  });
});

describe('describeRefresh', () => {
  it('names each lock file, each reference with its old and new digest, and the images it affects', () => {
    const text = describeRefresh(
      [change, { path: 'services/x/imagewise.lock.json', digests: [{ reference: 'r', from: undefined, to: digest(3) }], affects: [] }],
      { base: BASE, pipeline: '9' },
    );
    expect(text).toContain('changed 2 lock files');
    expect(text).toContain(
      `### \`images/base/imagewise.lock.json\`\n\n- \`docker.io/library/debian:bookworm-slim\`: \`${digest(1)}\` → \`${digest(2)}\`\n\nAffects: \`app\`, \`base\``,
    );
    expect(text).toContain(`- \`r\`: (new) → \`${digest(3)}\``);
    expect(text).toContain('Affects: (no image project)');
    expect(text).toContain('(pipeline 9)');
  });
});

describe('pushUrl', () => {
  it("puts the token in an https remote's user info, replacing the job token's", () => {
    expect(pushUrl('https://gitlab-ci-token:job@gitlab.example.com/group/p.git', 'oauth2', 'tok')).toBe('https://oauth2:tok@gitlab.example.com/group/p.git');
    expect(pushUrl('https://github.com/acme/platform', 'x-access-token', 'tok')).toBe('https://x-access-token:tok@github.com/acme/platform');
  });

  it('leaves local remotes alone', () => {
    expect(pushUrl('/tmp/remote.git', 'oauth2', 'tok')).toBe('/tmp/remote.git');
    expect(pushUrl('file:///tmp/remote.git', 'oauth2', 'tok')).toBe('file:///tmp/remote.git');
  });
});

describe('the merge/pull request API calls', () => {
  const gitlab = { platform: 'gitlab' as const, base: 'https://gitlab.example.com/api/v4/', project: 'group/p', token: 'tok' };
  const github = { platform: 'github' as const, base: 'https://api.github.com', project: 'acme/platform', token: 'tok' };
  const create = { kind: 'create' as const, branch: REFRESH_BRANCH, target: 'main', title: 'T', description: 'D' };
  const update = { kind: 'update' as const, id: 5, title: 'T', description: 'D' };

  it('GitLab: lists open MRs from the branch, POSTs a new one, PUTs an update, with PRIVATE-TOKEN', () => {
    const list = listRequest(gitlab, REFRESH_BRANCH);
    expect(list.url).toBe(`https://gitlab.example.com/api/v4/projects/group%2Fp/merge_requests?source_branch=imagewise%2Frefresh-upstream-locks&state=opened`);
    expect(list.headers['PRIVATE-TOKEN']).toBe('tok');
    const post = actionRequest(gitlab, create);
    expect([post.method, post.url]).toEqual(['POST', 'https://gitlab.example.com/api/v4/projects/group%2Fp/merge_requests']);
    expect(JSON.parse(post.body!)).toEqual({ source_branch: REFRESH_BRANCH, target_branch: 'main', title: 'T', description: 'D', remove_source_branch: true });
    const put = actionRequest(gitlab, update);
    expect([put.method, put.url, JSON.parse(put.body!)]).toEqual([
      'PUT',
      'https://gitlab.example.com/api/v4/projects/group%2Fp/merge_requests/5',
      { title: 'T', description: 'D' },
    ]);
  });

  it('GitHub: lists open PRs with head=owner:branch, POSTs a new one, PATCHes an update, with a Bearer token', () => {
    const list = listRequest(github, REFRESH_BRANCH);
    expect(list.url).toBe('https://api.github.com/repos/acme/platform/pulls?head=acme%3Aimagewise%2Frefresh-upstream-locks&state=open');
    expect(list.headers.Authorization).toBe('Bearer tok');
    const post = actionRequest(github, create);
    expect([post.method, post.url, JSON.parse(post.body!)]).toEqual([
      'POST',
      'https://api.github.com/repos/acme/platform/pulls',
      { head: REFRESH_BRANCH, base: 'main', title: 'T', body: 'D' },
    ]);
    const patch = actionRequest(github, update);
    expect([patch.method, patch.url, JSON.parse(patch.body!)]).toEqual([
      'PATCH',
      'https://api.github.com/repos/acme/platform/pulls/5',
      { title: 'T', body: 'D' },
    ]);
  });

  it('reads the open request from either list answer', () => {
    expect(openRequestIn('gitlab', [{ iid: 4, web_url: 'https://g/mr/4' }])).toEqual({ id: 4, url: 'https://g/mr/4' });
    expect(openRequestIn('github', [{ number: 8, html_url: 'https://h/pull/8' }])).toEqual({ id: 8, url: 'https://h/pull/8' });
    expect(openRequestIn('gitlab', [])).toBeUndefined();
    expect(() => openRequestIn('github', { message: 'Not Found' })).toThrow('not a JSON array');
  });
});

describe('refreshApi', () => {
  const gitlabEnv = {
    GITLAB_CI: 'true',
    CI_COMMIT_BRANCH: 'main',
    CI_DEFAULT_BRANCH: 'main',
    CI_API_V4_URL: 'https://g/api/v4',
    CI_PROJECT_ID: '42',
    CI_JOB_TOKEN: 'job',
  };

  it('GitLab needs IMAGEWISE_BOT_TOKEN: the job token can neither push nor open merge requests', () => {
    expect(() => refreshApi(readPipeline(gitlabEnv, 'main'), gitlabEnv)).toThrow('IMAGEWISE_BOT_TOKEN is not set');
    const env = { ...gitlabEnv, IMAGEWISE_BOT_TOKEN: 'bot' };
    expect(refreshApi(readPipeline(env, 'main'), env)).toEqual({
      api: { platform: 'gitlab', base: 'https://g/api/v4', project: '42', token: 'bot' },
      pushUser: 'oauth2',
    });
  });

  it('GitHub prefers IMAGEWISE_BOT_TOKEN over GITHUB_TOKEN; outside CI there is no API', () => {
    const env = { GITHUB_ACTIONS: 'true', GITHUB_REF: 'refs/heads/main', GITHUB_REF_NAME: 'main', GITHUB_REPOSITORY: 'acme/p', GITHUB_TOKEN: 'gh' };
    expect(refreshApi(readPipeline(env, 'main'), env)?.api.token).toBe('gh');
    expect(refreshApi(readPipeline(env, 'main'), { ...env, IMAGEWISE_BOT_TOKEN: 'bot' })?.api.token).toBe('bot');
    expect(refreshApi(readPipeline({}, 'main'), {})).toBeUndefined();
  });
});
