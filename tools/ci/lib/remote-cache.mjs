// @ts-check
// Nx's self-hosted remote cache from CI variables. The default branch writes
// with the read-write token; every other pipeline (merge requests, whose code
// is not reviewed yet) only reads, even when the read-write token is visible.

/** @typedef {import('./pipeline.mjs').PipelineKind} PipelineKind */

/**
 * The variables Nx reads (NX_SELF_HOSTED_REMOTE_CACHE_SERVER, …_ACCESS_TOKEN)
 * and one line for the log, which never holds a token. Variables already set
 * for Nx win: they were set on purpose.
 * @param {Record<string, string | undefined>} env
 * @param {PipelineKind} kind
 * @returns {{ env: Record<string, string>, note: string }}
 */
export function remoteCacheEnv(env, kind) {
  if (env.NX_SELF_HOSTED_REMOTE_CACHE_SERVER) {
    return { env: {}, note: `remote cache ${env.NX_SELF_HOSTED_REMOTE_CACHE_SERVER} (NX_SELF_HOSTED_REMOTE_CACHE_SERVER as set)` };
  }
  const url = env.IMAGEWISE_CACHE_URL;
  if (!url) return { env: {}, note: 'no remote cache (set IMAGEWISE_CACHE_URL to use one)' };
  const writer = kind === 'default-branch' && env.IMAGEWISE_CACHE_TOKEN;
  const token = writer ? env.IMAGEWISE_CACHE_TOKEN : env.IMAGEWISE_CACHE_READ_ONLY_TOKEN;
  if (!token) {
    return {
      env: {},
      note: `no remote cache: no ${kind === 'default-branch' ? 'IMAGEWISE_CACHE_TOKEN or ' : ''}IMAGEWISE_CACHE_READ_ONLY_TOKEN for this pipeline`,
    };
  }
  return {
    env: { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token },
    note: `remote cache ${url} (${writer ? 'read-write' : 'read-only'})`,
  };
}
