// @ts-check
// Asks GitLab or GitHub for the commits of the default branch's last green
// pipelines. Never throws: an unreachable or unexpected API is an `error`
// that the range decision turns into one warning and a full run.

/** @typedef {import('./pipeline.mjs').GreenQuery} GreenQuery */

/**
 * @param {GreenQuery} query
 * @param {{ timeoutMs?: number }} [options]
 * @returns {Promise<{ shas: string[] } | { error: string }>}
 */
export async function fetchGreenCommits(query, { timeoutMs = 15_000 } = {}) {
  /** @type {Response} */
  let response;
  try {
    response = await fetch(query.url, { headers: { Accept: 'application/json', ...query.headers }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return { error: `${query.describe} did not answer (${reasonOf(error)})` };
  }
  if (!response.ok) {
    const hint = response.status === 401 || response.status === 403 ? `; ${tokenHint(query.api)}` : '';
    return { error: `${query.describe} answered ${response.status} ${response.statusText}${hint}` };
  }
  let body;
  try {
    body = await response.json();
  } catch {
    return { error: `${query.describe} answered something that is not JSON` };
  }
  const shas = greenShas(query.api, body);
  return shas ? { shas } : { error: `${query.describe} answered JSON of an unexpected shape` };
}

/**
 * The commits in an API answer, newest first, each once; undefined when the
 * answer is not the list the API documents.
 * @param {'gitlab' | 'github'} api
 * @param {unknown} body
 * @returns {string[] | undefined}
 */
export function greenShas(api, body) {
  /** @type {unknown} */
  const items = api === 'gitlab' ? body : /** @type {{ workflow_runs?: unknown }} */ (body)?.workflow_runs;
  if (!Array.isArray(items)) return undefined;
  const field = api === 'gitlab' ? 'sha' : 'head_sha';
  const shas = items.map((item) => item?.[field]);
  if (!shas.every((sha) => typeof sha === 'string' && /^[0-9a-f]{7,64}$/.test(sha))) return undefined;
  return [...new Set(/** @type {string[]} */ (shas))];
}

/** @param {'gitlab' | 'github'} api */
function tokenHint(api) {
  return api === 'gitlab'
    ? 'set IMAGEWISE_GITLAB_API_TOKEN to a project access token with read_api (the job token may not read pipelines)'
    : 'give the workflow `permissions: actions: read` and pass GITHUB_TOKEN';
}

/** @param {unknown} error */
function reasonOf(error) {
  const cause = /** @type {{ cause?: { code?: string, message?: string } }} */ (error)?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
