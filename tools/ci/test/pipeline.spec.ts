import { describe, expect, it } from 'vitest';
import { readPipeline } from '../lib/pipeline.mjs';

const SHA = 'a'.repeat(40);
const BASE = 'b'.repeat(40);

describe('readPipeline', () => {
  it('reads a GitLab merge-request pipeline: diff base, target branch, IID, no API query', () => {
    const pipeline = readPipeline(
      {
        GITLAB_CI: 'true',
        CI_PIPELINE_SOURCE: 'merge_request_event',
        CI_MERGE_REQUEST_IID: '7',
        CI_MERGE_REQUEST_DIFF_BASE_SHA: BASE,
        CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'release',
        CI_COMMIT_SHA: SHA,
        CI_DEFAULT_BRANCH: 'main',
        CI_API_V4_URL: 'https://gitlab.example.com/api/v4',
        CI_PROJECT_ID: '42',
      },
      'trunk',
    );
    expect(pipeline).toMatchObject({
      platform: 'gitlab',
      kind: 'merge-request',
      head: SHA,
      mergeRequestBase: BASE,
      targetBranch: 'release',
      mergeRequest: '7',
      defaultBranch: 'main',
    });
    expect(pipeline.green).toBeUndefined();
  });

  it('reads a GitLab default-branch pipeline with a query for green pipelines, preferring the API token', () => {
    const env = {
      GITLAB_CI: 'true',
      CI_PIPELINE_SOURCE: 'push',
      CI_COMMIT_BRANCH: 'main',
      CI_DEFAULT_BRANCH: 'main',
      CI_COMMIT_SHA: SHA,
      CI_API_V4_URL: 'https://gitlab.example.com/api/v4/',
      CI_PROJECT_ID: 'group/project',
      CI_JOB_TOKEN: 'job-token',
    };
    const withJobToken = readPipeline(env, 'main');
    expect(withJobToken.kind).toBe('default-branch');
    const url = new URL(withJobToken.green!.url);
    expect(url.pathname).toBe('/api/v4/projects/group%2Fproject/pipelines');
    expect(Object.fromEntries(url.searchParams)).toEqual({ ref: 'main', status: 'success', order_by: 'id', sort: 'desc', per_page: '20' });
    expect(withJobToken.green!.headers).toEqual({ 'JOB-TOKEN': 'job-token' });
    expect(readPipeline({ ...env, IMAGEWISE_GITLAB_API_TOKEN: 'pat' }, 'main').green!.headers).toEqual({ 'PRIVATE-TOKEN': 'pat' });
    expect(withJobToken.green!.describe).not.toContain('job-token');
  });

  it('counts a GitLab branch other than the default as a branch pipeline, with no API query', () => {
    const pipeline = readPipeline(
      { GITLAB_CI: 'true', CI_COMMIT_BRANCH: 'feature', CI_DEFAULT_BRANCH: 'main', CI_API_V4_URL: 'x', CI_PROJECT_ID: '1' },
      'main',
    );
    expect(pipeline).toMatchObject({ kind: 'branch', targetBranch: 'main', green: undefined });
  });

  it('reads a GitHub pull request: number from GITHUB_REF, target from GITHUB_BASE_REF', () => {
    const pipeline = readPipeline(
      {
        GITHUB_ACTIONS: 'true',
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_REF: 'refs/pull/9/merge',
        GITHUB_BASE_REF: 'main',
        GITHUB_HEAD_REF: 'feature',
        GITHUB_SHA: SHA,
      },
      'main',
    );
    expect(pipeline).toMatchObject({
      platform: 'github',
      kind: 'merge-request',
      mergeRequest: '9',
      targetBranch: 'main',
      head: SHA,
      mergeRequestBase: undefined,
    });
  });

  it("reads a GitHub push to the default branch with a query for this workflow file's successful push runs", () => {
    const pipeline = readPipeline(
      {
        GITHUB_ACTIONS: 'true',
        GITHUB_EVENT_NAME: 'push',
        GITHUB_REF: 'refs/heads/main',
        GITHUB_REF_NAME: 'main',
        GITHUB_HEAD_REF: '',
        GITHUB_SHA: SHA,
        GITHUB_REPOSITORY: 'acme/platform',
        GITHUB_WORKFLOW_REF: 'acme/platform/.github/workflows/ci.yml@refs/heads/main',
        GITHUB_TOKEN: 'gh-token',
        CI_DEFAULT_BRANCH: 'main',
      },
      'trunk',
    );
    expect(pipeline.kind).toBe('default-branch');
    const url = new URL(pipeline.green!.url);
    expect(url.origin + url.pathname).toBe('https://api.github.com/repos/acme/platform/actions/workflows/ci.yml/runs');
    expect(Object.fromEntries(url.searchParams)).toEqual({ branch: 'main', event: 'push', status: 'success', per_page: '20' });
    expect(pipeline.green!.headers.Authorization).toBe('Bearer gh-token');
  });

  it("takes nx.json's defaultBase when CI_DEFAULT_BRANCH is unset, as the plugin's tag policy does", () => {
    const env = {
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REF: 'refs/heads/trunk',
      GITHUB_REF_NAME: 'trunk',
      GITHUB_REPOSITORY: 'a/b',
      GITHUB_WORKFLOW_REF: 'a/b/.github/workflows/ci.yml@refs/heads/trunk',
    };
    expect(readPipeline(env, 'trunk').kind).toBe('default-branch');
    expect(readPipeline(env, 'main').kind).toBe('branch');
  });

  it('treats a tag push on GitHub as a branch pipeline, not the default branch', () => {
    const pipeline = readPipeline({ GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/tags/main', GITHUB_REF_NAME: 'main' }, 'main');
    expect(pipeline.kind).toBe('branch');
  });

  it('is a local branch run outside CI', () => {
    expect(readPipeline({}, 'main')).toMatchObject({ platform: 'local', kind: 'branch', head: undefined, targetBranch: 'main' });
  });
});
