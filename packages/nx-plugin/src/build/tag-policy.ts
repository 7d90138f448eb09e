/**
 * Which tags an image gets, as in the pipelines we studied: the content hash
 * always; the image's semver version (base images); `latest` on the default
 * branch; `mr-<id>` on merge and pull requests; the short git SHA; the CI
 * pipeline id. Pure: the CI facts come in as data.
 */
export interface TagPolicy {
  version?: boolean;
  latest?: boolean;
  mergeRequest?: boolean;
  sha?: boolean;
  pipeline?: boolean;
}

/** What the CI environment (or git) says about this run. */
export interface RunFacts {
  branch?: string;
  defaultBranch: string;
  /** GitLab merge request IID or GitHub pull request number. */
  mergeRequest?: string;
  sha?: string;
  pipeline?: string;
}

export interface TagInputs {
  inputHash: string;
  version?: string;
  policy: TagPolicy;
  facts: RunFacts;
}

const TAG = /^[\w][\w.-]{0,127}$/;

/** The content tag first; then the policy's tags, each valid and once. */
export function imageTags({ inputHash, version, policy, facts }: TagInputs): string[] {
  const tags = [contentTag(inputHash)];
  if (policy.version !== false && version) tags.push(version);
  if (policy.latest !== false && facts.branch && facts.branch === facts.defaultBranch && !facts.mergeRequest) tags.push('latest');
  if (policy.mergeRequest !== false && facts.mergeRequest) tags.push(`mr-${facts.mergeRequest}`);
  if (policy.sha !== false && facts.sha) tags.push(facts.sha.slice(0, 8));
  if (policy.pipeline !== false && facts.pipeline) tags.push(`pipeline-${facts.pipeline}`);
  return [...new Set(tags)].filter((tag) => TAG.test(tag));
}

/** The tag that names an image by its inputs: the same inputs, the same tag, on any runner. */
export function contentTag(inputHash: string): string {
  return `h-${inputHash}`;
}

/** Run facts from GitLab CI or GitHub Actions variables; git fills what they leave out. */
export function runFactsFromEnv(env: Record<string, string | undefined>, git: { branch?: string; sha?: string }, defaultBase: string): RunFacts {
  const pullRequest = /^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? '')?.[1];
  return {
    branch: env.CI_COMMIT_BRANCH ?? env.GITHUB_HEAD_REF ?? env.GITHUB_REF_NAME ?? git.branch,
    defaultBranch: env.CI_DEFAULT_BRANCH ?? defaultBase,
    mergeRequest: env.CI_MERGE_REQUEST_IID ?? pullRequest,
    sha: env.CI_COMMIT_SHA ?? env.GITHUB_SHA ?? git.sha,
    pipeline: env.CI_PIPELINE_ID ?? env.GITHUB_RUN_ID,
  };
}
