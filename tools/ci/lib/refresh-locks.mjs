// @ts-check
// The refresh-locks stage: `nx run-many -t docker:lock`, then the facts (which
// lock files changed, what they affect, the open merge/pull request), the plan
// (lock-refresh.mjs, pure), and the git and HTTP that carry it out.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tryGit } from './git.mjs';
import { REFRESH_BRANCH, actionRequest, changedLockPaths, digestChanges, listRequest, openRequestIn, planRefresh, pushUrl } from './lock-refresh.mjs';
import { nxJson, runNx } from './nx.mjs';

/** @typedef {import('./lock-refresh.mjs').RequestApi} RequestApi */

/**
 * Where the merge/pull request goes and with which token; undefined outside CI.
 * GitLab's CI_JOB_TOKEN can neither push nor open merge requests: a project
 * access token (write_repository, api) in IMAGEWISE_BOT_TOKEN does both. GitHub:
 * IMAGEWISE_BOT_TOKEN when set, else GITHUB_TOKEN (whose pushes start no workflow runs).
 * @param {import('./pipeline.mjs').Pipeline} pipeline @param {NodeJS.ProcessEnv} env
 * @returns {{ api: RequestApi, pushUser: string } | undefined}
 */
export function refreshApi(pipeline, env) {
  if (pipeline.platform === 'gitlab') {
    const token = env.IMAGEWISE_BOT_TOKEN;
    if (!env.CI_API_V4_URL || !env.CI_PROJECT_ID) throw new Error('CI_API_V4_URL and CI_PROJECT_ID are not set: run refresh-locks in a GitLab job');
    if (!token)
      throw new Error(
        'IMAGEWISE_BOT_TOKEN is not set: give the schedule a project access token with write_repository and api (CI_JOB_TOKEN can neither push nor open merge requests)',
      );
    return { api: { platform: 'gitlab', base: env.CI_API_V4_URL, project: env.CI_PROJECT_ID, token }, pushUser: 'oauth2' };
  }
  if (pipeline.platform === 'github') {
    const token = env.IMAGEWISE_BOT_TOKEN || env.GITHUB_TOKEN;
    if (!env.GITHUB_REPOSITORY) throw new Error('GITHUB_REPOSITORY is not set: run refresh-locks in a GitHub Actions job');
    if (!token)
      throw new Error('neither IMAGEWISE_BOT_TOKEN nor GITHUB_TOKEN is set: the workflow must pass one (with contents: write and pull-requests: write)');
    return {
      api: { platform: 'github', base: env.GITHUB_API_URL || 'https://api.github.com', project: env.GITHUB_REPOSITORY, token },
      pushUser: 'x-access-token',
    };
  }
  return undefined;
}

/**
 * Runs the stage; its exit code.
 * @param {string} root @param {import('./pipeline.mjs').Pipeline} pipeline @param {NodeJS.ProcessEnv} env
 * @param {(line: string) => void} say
 */
export async function refreshLocks(root, pipeline, env, say) {
  const target = pipeline.defaultBranch;
  if (pipeline.platform !== 'local' && pipeline.kind !== 'default-branch') {
    throw new Error(`refresh-locks runs on the default branch (${target}) only, from a schedule; this is a ${pipeline.kind} pipeline (${pipeline.label})`);
  }
  const remote = refreshApi(pipeline, env);
  const base = tryGit(root, ['rev-parse', 'HEAD']);
  if (!base) throw new Error(`${root} has no commit checked out`);

  const locked = runNx(root, ['run-many', '-t', 'docker:lock', '--outputStyle=static'], env);
  if (locked !== 0) {
    say('docker:lock failed for at least one image (above): nothing is pushed, so no merge request carries a partial refresh');
    return locked;
  }

  // Not through tryGit: its trim would eat the status code of the first entry (" M path").
  const status = spawnSync('git', ['status', '--porcelain=v1', '-z', '--untracked-files=all'], { cwd: root, encoding: 'utf8' });
  if (status.status !== 0) throw new Error(`git status failed: ${status.stderr.trim()}`);
  const paths = changedLockPaths(status.stdout);
  const changes = paths.map((path) => ({
    path,
    digests: digestChanges(tryGit(root, ['show', `HEAD:${path}`]), readFileSync(join(root, path), 'utf8')),
    affects: /** @type {string[]} */ (nxJson(root, ['show', 'projects', '--affected', `--files=${path}`, '-t', 'docker:build', '--json'], env)).sort(),
  }));
  const existing = remote && changes.length > 0 ? await findOpenRequest(remote.api) : undefined;
  const plan = planRefresh({ changes, existing, target, base, pipeline: env.CI_PIPELINE_ID || env.GITHUB_RUN_ID || undefined });
  say(plan.summary);
  for (const change of changes) {
    for (const { reference, from, to } of change.digests) say(`  ${change.path}: ${reference} ${from ?? '(new)'} → ${to ?? '(removed)'}`);
    say(`  ${change.path} affects: ${change.affects.join(', ') || '(no image project)'}`);
  }
  if (!remote) {
    if (plan.actions.length > 0) say('outside CI: nothing committed, pushed or opened (the lock files are refreshed in this clone)');
    return 0;
  }

  for (const action of plan.actions) {
    switch (action.kind) {
      case 'commit':
        commit(root, action.paths, action.message, env);
        break;
      case 'push': {
        const origin = tryGit(root, ['remote', 'get-url', 'origin']);
        if (!origin) throw new Error('the clone has no origin remote to push to');
        push(root, pushUrl(origin, remote.pushUser, remote.api.token), action.branch, remote.api.token);
        say(`pushed ${tryGit(root, ['rev-parse', 'HEAD'])} to ${action.branch}`);
        break;
      }
      case 'create':
      case 'update': {
        const answer = await call(remote.api, actionRequest(remote.api, action));
        const url = /** @type {{ web_url?: string, html_url?: string }} */ (answer)?.web_url ?? /** @type {{ html_url?: string }} */ (answer)?.html_url;
        say(`${action.kind === 'create' ? 'opened' : 'updated'} ${url ?? 'the merge request'}`);
        break;
      }
    }
  }
  return 0;
}

/** @param {RequestApi} api */
async function findOpenRequest(api) {
  return openRequestIn(api.platform, await call(api, listRequest(api, REFRESH_BRANCH)));
}

/**
 * One API call; its JSON answer. A refusal throws with the status, never the token.
 * @param {RequestApi} api @param {import('./lock-refresh.mjs').ApiRequest} request
 */
async function call(api, request) {
  const what = `${request.method} ${new URL(request.url).pathname}`;
  /** @type {Response} */
  let response;
  try {
    response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    throw new Error(`${what}: no answer (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const text = await response.text();
  if (!response.ok) {
    const hint =
      response.status === 401 || response.status === 403
        ? ` (${api.platform === 'gitlab' ? 'IMAGEWISE_BOT_TOKEN needs the api scope' : 'the token needs pull-requests: write'})`
        : '';
    throw new Error(`${what} answered ${response.status} ${response.statusText}${hint}: ${text.slice(0, 300).replaceAll(api.token, '***')}`);
  }
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    throw new Error(`${what} answered something that is not JSON`);
  }
}

/**
 * Commits exactly `paths`, on top of HEAD, dated as HEAD: the same refresh of
 * the same commit is the same commit, so pushing it again changes nothing.
 * @param {string} root @param {string[]} paths @param {string} message @param {NodeJS.ProcessEnv} env
 */
function commit(root, paths, message, env) {
  const date = tryGit(root, ['show', '-s', '--format=%cI', 'HEAD']);
  const gitEnv = {
    GIT_AUTHOR_NAME: 'Imagewise lock refresh',
    GIT_AUTHOR_EMAIL: 'imagewise-lock-refresh@users.noreply.invalid',
    GIT_COMMITTER_NAME: 'Imagewise lock refresh',
    GIT_COMMITTER_EMAIL: 'imagewise-lock-refresh@users.noreply.invalid',
    ...env,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
  };
  git(root, ['add', '--', ...paths], gitEnv);
  git(root, ['commit', '--quiet', '--no-verify', '--file=-', '--only', '--', ...paths], gitEnv, message);
}

/**
 * Force-pushes HEAD to `branch`; git's messages go to the log with the token masked.
 * @param {string} root @param {string} url @param {string} branch @param {string} token
 */
function push(root, url, branch, token) {
  const result = spawnSync('git', ['push', '--force', '--quiet', url, `HEAD:refs/heads/${branch}`], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = `${result.stdout}${result.stderr}`.replaceAll(token, '***').trim();
  if (result.status !== 0) throw new Error(`git push to ${branch} failed: ${output}`);
}

/** @param {string} root @param {string[]} args @param {NodeJS.ProcessEnv} env @param {string} [input] */
function git(root, args, env, input) {
  const result = spawnSync('git', args, { cwd: root, env, encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  if (result.status !== 0) throw new Error(`git ${args[0]} failed: ${result.stderr.trim()}`);
}
