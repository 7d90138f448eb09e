// @ts-check
// The scheduled upstream refresh, decided: which lock files changed and how,
// what the merge/pull request says, and what to do about it. Pure: the git and
// HTTP facts come in as data (refresh-locks.mjs gathers them and acts).

/** The branch the refresh commits to, force-pushed on every run that finds a change. */
export const REFRESH_BRANCH = 'imagewise/refresh-upstream-locks';
export const REFRESH_TITLE = 'Refresh upstream image locks';
export const LOCK_FILE = 'imagewise.lock.json';

/**
 * One lock file the refresh changed.
 * @typedef {object} LockChange
 * @property {string} path  from the workspace root
 * @property {{ reference: string, from: string | undefined, to: string | undefined }[]} digests  references whose digest moved, added (from undefined) or dropped (to undefined)
 * @property {string[]} affects  image projects `nx show projects --affected` names for this file
 */

/**
 * An open merge/pull request from the refresh branch.
 * @typedef {object} OpenRequest
 * @property {number} id  GitLab IID or GitHub number
 * @property {string} url
 */

/**
 * @typedef {{ kind: 'commit', paths: string[], message: string }
 *   | { kind: 'push', branch: string }
 *   | { kind: 'create', branch: string, target: string, title: string, description: string }
 *   | { kind: 'update', id: number, title: string, description: string }} Action
 */

/** Is this path a lock file? @param {string} path */
export const isLockFile = (path) => path === LOCK_FILE || path.endsWith(`/${LOCK_FILE}`);

/**
 * The lock-file paths in `git status --porcelain=v1 -z --untracked-files=all`
 * output: modified or new (a project that had no lock), sorted.
 * @param {string} status
 */
export function changedLockPaths(status) {
  /** @type {string[]} */
  const paths = [];
  const entries = status.split('\0').filter(Boolean);
  for (let i = 0; i < entries.length; i++) {
    const code = entries[i].slice(0, 2);
    const path = entries[i].slice(3);
    // A rename or copy is followed by its source path: skip that one.
    if (code.includes('R') || code.includes('C')) i++;
    if (code.includes('D')) continue;
    if (isLockFile(path)) paths.push(path);
  }
  return [...new Set(paths)].sort();
}

/**
 * The `upstream` map of a lock file's text; empty for a missing or unreadable file.
 * @param {string | undefined} text
 * @returns {Record<string, string>}
 */
export function upstreamOf(text) {
  if (text === undefined) return {};
  try {
    const upstream = JSON.parse(text)?.upstream;
    return upstream && typeof upstream === 'object' && !Array.isArray(upstream) ? upstream : {};
  } catch {
    return {};
  }
}

/**
 * The references whose digest differs between two lock files' texts, sorted.
 * @param {string | undefined} before  undefined: the file is new
 * @param {string} after
 * @returns {LockChange['digests']}
 */
export function digestChanges(before, after) {
  const from = upstreamOf(before);
  const to = upstreamOf(after);
  return [...new Set([...Object.keys(from), ...Object.keys(to)])]
    .sort()
    .filter((reference) => from[reference] !== to[reference])
    .map((reference) => ({ reference, from: from[reference], to: to[reference] }));
}

/**
 * The merge/pull request's description: per lock file, each reference's old
 * and new digest, and the images it makes affected.
 * @param {LockChange[]} changes
 * @param {{ base: string, pipeline?: string }} run  the commit the refresh started from; the CI pipeline/run id
 */
export function describeRefresh(changes, run) {
  const lines = [
    `Upstream images moved: \`nx run-many -t docker:lock\` on ${run.base.slice(0, 12)} changed ${changes.length} lock file${changes.length === 1 ? '' : 's'}.`,
    'Merging rebuilds exactly the images listed (this merge request builds them first).',
    '',
  ];
  for (const change of changes) {
    lines.push(`### \`${change.path}\``, '');
    for (const { reference, from, to } of change.digests) {
      lines.push(`- \`${reference}\`: ${from ? `\`${from}\`` : '(new)'} → ${to ? `\`${to}\`` : '(removed)'}`);
    }
    if (change.digests.length === 0) lines.push('- (formatting only)');
    lines.push('', `Affects: ${change.affects.length > 0 ? change.affects.map((project) => `\`${project}\``).join(', ') : '(no image project)'}`, '');
  }
  lines.push(`Opened by \`node tools/ci/ci.mjs refresh-locks\`${run.pipeline ? ` (pipeline ${run.pipeline})` : ''}; the next scheduled run updates it.`);
  return `${lines.join('\n')}\n`;
}

/**
 * Decide-then-act: what the refresh does, from the changed locks and the open
 * merge/pull request from the refresh branch (if any).
 * No change: nothing at all (an open request is left as it is: merging it is
 * still right, or a person closes it). A change: one commit of exactly the
 * changed lock files, a force-push of the branch, and a new request or the
 * open one's description brought up to date.
 * @param {{ changes: LockChange[], existing: OpenRequest | undefined, target: string, base: string, pipeline?: string }} facts
 * @returns {{ actions: Action[], summary: string }}
 */
export function planRefresh({ changes, existing, target, base, pipeline }) {
  if (changes.length === 0) {
    return {
      actions: [],
      summary: `every lock file is up to date: nothing pushed, no merge request${existing ? ` (the open one, ${existing.url}, is left as it is)` : ''}`,
    };
  }
  const description = describeRefresh(changes, { base, pipeline });
  const paths = changes.map((change) => change.path);
  /** @type {Action[]} */
  const actions = [
    { kind: 'commit', paths, message: `${REFRESH_TITLE}\n\n${paths.map((path) => `- ${path}`).join('\n')}\n` },
    { kind: 'push', branch: REFRESH_BRANCH },
    existing
      ? { kind: 'update', id: existing.id, title: REFRESH_TITLE, description }
      : { kind: 'create', branch: REFRESH_BRANCH, target, title: REFRESH_TITLE, description },
  ];
  return {
    actions,
    summary: `${paths.length} lock file${paths.length === 1 ? '' : 's'} changed (${paths.join(', ')}): ${existing ? `updating ${existing.url}` : `opening a merge request into ${target}`}`,
  };
}

/**
 * The URL to push with: the clone's remote URL with the token as its password.
 * Local paths and file:// URLs are returned as they are (no credentials there).
 * @param {string} remote  `git remote get-url origin`
 * @param {string} user  `oauth2` (GitLab) or `x-access-token` (GitHub)
 * @param {string | undefined} token
 */
export function pushUrl(remote, user, token) {
  if (!/^https?:\/\//i.test(remote) || !token) return remote;
  const url = new URL(remote);
  url.username = user;
  url.password = token;
  return url.toString();
}

/**
 * The HTTP requests of the GitLab and GitHub APIs for the refresh's merge/pull
 * request. The headers hold the token: never print them.
 * @typedef {object} RequestApi
 * @property {'gitlab' | 'github'} platform
 * @property {string} base  API root: CI_API_V4_URL, or GITHUB_API_URL
 * @property {string} project  CI_PROJECT_ID, or owner/repo
 * @property {string} token
 */

/** @param {RequestApi} api @returns {Record<string, string>} */
function headers(api) {
  return api.platform === 'gitlab'
    ? { 'PRIVATE-TOKEN': api.token, 'Content-Type': 'application/json' }
    : { Authorization: `Bearer ${api.token}`, Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28', 'Content-Type': 'application/json' };
}

/** @param {RequestApi} api */
const root = (api) =>
  api.platform === 'gitlab'
    ? `${api.base.replace(/\/+$/, '')}/projects/${encodeURIComponent(api.project)}/merge_requests`
    : `${api.base.replace(/\/+$/, '')}/repos/${api.project}/pulls`;

/**
 * @typedef {{ method: string, url: string, headers: Record<string, string>, body?: string }} ApiRequest
 */

/** Lists the open requests from `branch`. @param {RequestApi} api @param {string} branch @returns {ApiRequest} */
export function listRequest(api, branch) {
  const query =
    api.platform === 'gitlab'
      ? new URLSearchParams({ source_branch: branch, state: 'opened' })
      : new URLSearchParams({ head: `${api.project.split('/')[0]}:${branch}`, state: 'open' });
  return { method: 'GET', url: `${root(api)}?${query}`, headers: headers(api) };
}

/**
 * The open request in a list answer; undefined for an empty list.
 * @param {RequestApi['platform']} platform @param {unknown} body
 * @returns {OpenRequest | undefined}
 */
export function openRequestIn(platform, body) {
  if (!Array.isArray(body)) throw new Error('the merge-request list is not a JSON array');
  const first = body[0];
  if (!first) return undefined;
  const id = platform === 'gitlab' ? first.iid : first.number;
  if (typeof id !== 'number') throw new Error('the merge-request list names a request without a number');
  return { id, url: String(first.web_url ?? first.html_url ?? `#${id}`) };
}

/**
 * The request that carries out a create or update action.
 * @param {RequestApi} api @param {Extract<Action, { kind: 'create' | 'update' }>} action
 * @returns {ApiRequest}
 */
export function actionRequest(api, action) {
  if (action.kind === 'create') {
    const body =
      api.platform === 'gitlab'
        ? { source_branch: action.branch, target_branch: action.target, title: action.title, description: action.description, remove_source_branch: true }
        : { head: action.branch, base: action.target, title: action.title, body: action.description };
    return { method: 'POST', url: root(api), headers: headers(api), body: JSON.stringify(body) };
  }
  const body = api.platform === 'gitlab' ? { title: action.title, description: action.description } : { title: action.title, body: action.description };
  return { method: api.platform === 'gitlab' ? 'PUT' : 'PATCH', url: `${root(api)}/${action.id}`, headers: headers(api), body: JSON.stringify(body) };
}
