// @ts-check
// What kind of pipeline this is, from GitLab CI or GitHub Actions variables.
// Pure: the environment comes in as data, so every CI flavour is a unit test.

/** @typedef {'gitlab' | 'github' | 'local'} Platform */
/** @typedef {'merge-request' | 'default-branch' | 'branch'} PipelineKind */

/**
 * How to ask the CI for the commits of the default branch's last green pipelines.
 * @typedef {object} GreenQuery
 * @property {'gitlab' | 'github'} api
 * @property {string} url
 * @property {Record<string, string>} headers  may hold a token: never print them
 * @property {string} describe  for messages, without secrets
 */

/**
 * @typedef {object} Pipeline
 * @property {Platform} platform
 * @property {PipelineKind} kind
 * @property {string} defaultBranch
 * @property {string | undefined} head  the commit CI says it tests (git's HEAD when unset)
 * @property {string | undefined} targetBranch  where a merge/pull request goes; the default branch otherwise
 * @property {string | undefined} mergeRequestBase  GitLab's merge-request diff base
 * @property {string | undefined} mergeRequest  merge-request IID or pull-request number
 * @property {GreenQuery | undefined} green  only on default-branch pipelines
 * @property {string} label  for messages
 */

/** Commits asked for: the newest green pipelines, one page. */
export const GREEN_PAGE = 20;

/**
 * Reads the pipeline from the environment. `defaultBase` is nx.json's `defaultBase`:
 * like the plugin's tag policy, CI_DEFAULT_BRANCH wins over it.
 * @param {Record<string, string | undefined>} env
 * @param {string} defaultBase
 * @returns {Pipeline}
 */
export function readPipeline(env, defaultBase) {
  // An empty variable counts as unset: GitHub sets GITHUB_HEAD_REF to "" outside pull requests.
  /** @param {string} name */
  const get = (name) => env[name] || undefined;
  const defaultBranch = get('CI_DEFAULT_BRANCH') ?? defaultBase;

  if (get('GITLAB_CI')) {
    const iid = get('CI_MERGE_REQUEST_IID');
    const head = get('CI_COMMIT_SHA');
    if (iid || get('CI_PIPELINE_SOURCE') === 'merge_request_event') {
      return {
        platform: 'gitlab',
        kind: 'merge-request',
        defaultBranch,
        head,
        targetBranch: get('CI_MERGE_REQUEST_TARGET_BRANCH_NAME') ?? defaultBranch,
        mergeRequestBase: get('CI_MERGE_REQUEST_DIFF_BASE_SHA'),
        mergeRequest: iid,
        green: undefined,
        label: `GitLab merge request !${iid ?? '?'}`,
      };
    }
    const branch = get('CI_COMMIT_BRANCH');
    const onDefault = branch === defaultBranch;
    return {
      platform: 'gitlab',
      kind: onDefault ? 'default-branch' : 'branch',
      defaultBranch,
      head,
      targetBranch: defaultBranch,
      mergeRequestBase: undefined,
      mergeRequest: undefined,
      green: onDefault ? gitlabGreenQuery(env, defaultBranch) : undefined,
      label: `GitLab pipeline on ${branch ?? get('CI_COMMIT_REF_NAME') ?? 'a detached commit'}`,
    };
  }

  if (get('GITHUB_ACTIONS')) {
    const head = get('GITHUB_SHA');
    const pullRequest = /^refs\/pull\/(\d+)\//.exec(get('GITHUB_REF') ?? '')?.[1];
    if (pullRequest || get('GITHUB_EVENT_NAME')?.startsWith('pull_request')) {
      return {
        platform: 'github',
        kind: 'merge-request',
        defaultBranch,
        head,
        targetBranch: get('GITHUB_BASE_REF') ?? defaultBranch,
        mergeRequestBase: undefined,
        mergeRequest: pullRequest,
        green: undefined,
        label: `GitHub pull request #${pullRequest ?? '?'}`,
      };
    }
    const branch = get('GITHUB_REF')?.startsWith('refs/heads/') ? get('GITHUB_REF_NAME') : undefined;
    const onDefault = branch === defaultBranch;
    return {
      platform: 'github',
      kind: onDefault ? 'default-branch' : 'branch',
      defaultBranch,
      head,
      targetBranch: defaultBranch,
      mergeRequestBase: undefined,
      mergeRequest: undefined,
      green: onDefault ? githubGreenQuery(env, defaultBranch) : undefined,
      label: `GitHub run on ${branch ?? get('GITHUB_REF') ?? 'a detached commit'}`,
    };
  }

  return {
    platform: 'local',
    kind: 'branch',
    defaultBranch,
    head: undefined,
    targetBranch: defaultBranch,
    mergeRequestBase: undefined,
    mergeRequest: undefined,
    green: undefined,
    label: 'local run',
  };
}

/**
 * GitLab's pipelines API, newest first. The job token may not read it (GitLab
 * lets CI_JOB_TOKEN reach only some endpoints unless fine-grained permissions
 * allow more), so a project access token with read_api in
 * IMAGEWISE_GITLAB_API_TOKEN is preferred; CI_JOB_TOKEN is the fallback.
 * @param {Record<string, string | undefined>} env
 * @param {string} branch
 * @returns {GreenQuery | undefined}
 */
function gitlabGreenQuery(env, branch) {
  const api = env.CI_API_V4_URL;
  const project = env.CI_PROJECT_ID;
  if (!api || !project) return undefined;
  const query = new URLSearchParams({ ref: branch, status: 'success', order_by: 'id', sort: 'desc', per_page: String(GREEN_PAGE) });
  const headers = env.IMAGEWISE_GITLAB_API_TOKEN
    ? { 'PRIVATE-TOKEN': env.IMAGEWISE_GITLAB_API_TOKEN }
    : env.CI_JOB_TOKEN
      ? { 'JOB-TOKEN': env.CI_JOB_TOKEN }
      : /** @type {Record<string, string>} */ ({});
  return {
    api: 'gitlab',
    url: `${api.replace(/\/+$/, '')}/projects/${encodeURIComponent(project)}/pipelines?${query}`,
    headers,
    describe: `the GitLab pipelines API (${api})`,
  };
}

/**
 * GitHub's workflow-runs API for this workflow file: successful runs of push
 * events on the default branch (a pull request from a fork's "main" is not a push).
 * @param {Record<string, string | undefined>} env
 * @param {string} branch
 * @returns {GreenQuery | undefined}
 */
function githubGreenQuery(env, branch) {
  const api = env.GITHUB_API_URL || 'https://api.github.com';
  const repository = env.GITHUB_REPOSITORY;
  // owner/repo/.github/workflows/ci.yml@refs/heads/main
  const workflow = /\/\.github\/workflows\/([^@/]+)@/.exec(env.GITHUB_WORKFLOW_REF ?? '')?.[1];
  if (!repository || !workflow) return undefined;
  const query = new URLSearchParams({ branch, event: 'push', status: 'success', per_page: String(GREEN_PAGE) });
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28' };
  if (env.GITHUB_TOKEN) headers.Authorization = `Bearer ${env.GITHUB_TOKEN}`;
  return {
    api: 'github',
    url: `${api.replace(/\/+$/, '')}/repos/${repository}/actions/workflows/${encodeURIComponent(workflow)}/runs?${query}`,
    headers,
    describe: `the GitHub Actions API (${api}, workflow ${workflow})`,
  };
}
