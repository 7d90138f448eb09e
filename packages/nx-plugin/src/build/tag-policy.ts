import { DEFAULT_SCHEME, latestTag, schemeTag, type TagScheme } from '../graph/tag-scheme';

/**
 * Which tags an image gets, as in the pipelines we studied: the content hash
 * always; the image's semver version (base images); `latest` on the default
 * branch; `mr-<id>` on merge and pull requests; the short git SHA; the CI
 * pipeline id. Pure: the CI facts come in as data. Every tag but the
 * content tag carries the image's tag scheme (`cuda-1.2.0`, `cuda`,
 * `cuda-mr-7`): images sharing a repository never overwrite each other's.
 * The content tag needs none: its identity already tells any two images apart.
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
  /** The image's content identity. */
  identity: string;
  version?: string;
  /** Default: none, `<version>` and `latest`. */
  scheme?: TagScheme;
  policy: TagPolicy;
  facts: RunFacts;
}

const TAG = /^[\w][\w.-]{0,127}$/;

/** The content tag first; then the policy's tags, each valid and once. */
export function imageTags({ identity, version, scheme = DEFAULT_SCHEME, policy, facts }: TagInputs): string[] {
  const tags = [contentTag(identity)];
  const tag = (name: string) => schemeTag(scheme, name);
  if (policy.version !== false && version) tags.push(tag(version));
  if (policy.latest !== false && facts.branch && facts.branch === facts.defaultBranch && !facts.mergeRequest) tags.push(latestTag(scheme));
  if (policy.mergeRequest !== false && facts.mergeRequest) tags.push(tag(`mr-${facts.mergeRequest}`));
  if (policy.sha !== false && facts.sha) tags.push(tag(facts.sha.slice(0, 8)));
  if (policy.pipeline !== false && facts.pipeline) tags.push(tag(`pipeline-${facts.pipeline}`));
  return [...new Set(tags)].filter((tag) => TAG.test(tag));
}

/** The tag that names an image by its content identity: the same inputs, the same tag, on any runner. */
export function contentTag(identity: string): string {
  return `c-${identity}`;
}

/**
 * Run facts from GitLab CI or GitHub Actions variables; git fills what they leave out.
 * An empty variable counts as unset: GitHub Actions sets GITHUB_HEAD_REF to "" outside
 * pull requests, and that must not hide GITHUB_REF_NAME (the pushed branch).
 */
export function runFactsFromEnv(env: Record<string, string | undefined>, git: { branch?: string; sha?: string }, defaultBase: string): RunFacts {
  const get = (name: string) => env[name] || undefined;
  const pullRequest = /^refs\/pull\/(\d+)\//.exec(get('GITHUB_REF') ?? '')?.[1];
  return {
    branch: get('CI_COMMIT_BRANCH') ?? get('GITHUB_HEAD_REF') ?? get('GITHUB_REF_NAME') ?? (git.branch || undefined),
    defaultBranch: get('CI_DEFAULT_BRANCH') ?? defaultBase,
    mergeRequest: get('CI_MERGE_REQUEST_IID') ?? pullRequest,
    sha: get('CI_COMMIT_SHA') ?? get('GITHUB_SHA') ?? (git.sha || undefined),
    pipeline: get('CI_PIPELINE_ID') ?? get('GITHUB_RUN_ID'),
  };
}
