import { describe, expect, it } from 'vitest';
import { contentTag, imageTags, runFactsFromEnv, type RunFacts, type TagPolicy } from './tag-policy';

const HASH = '1234567890123456789';
const SHA = '0123456789abcdef0123456789abcdef01234567';

const tags = (facts: Partial<RunFacts>, policy: TagPolicy = {}, version?: string) =>
  imageTags({ identity: HASH, version, policy, facts: { defaultBranch: 'main', ...facts } });

describe('contentTag', () => {
  it('is c- and the content identity', () => {
    expect(contentTag('abc')).toBe('c-abc');
    expect(contentTag(HASH)).toBe(`c-${HASH}`);
  });
});

describe('imageTags', () => {
  it("puts every tag but the content tag under the tag scheme, with the scheme's version-less tag for latest", () => {
    const facts = { defaultBranch: 'main', branch: 'main', sha: SHA, pipeline: '991' };
    expect(imageTags({ identity: HASH, version: '1.2.0', scheme: { before: 'cuda-', after: '' }, policy: {}, facts })).toEqual([
      `c-${HASH}`,
      'cuda-1.2.0',
      'cuda',
      'cuda-01234567',
      'cuda-pipeline-991',
    ]);
    expect(
      imageTags({ identity: HASH, version: '8.0', scheme: { before: '', after: '-jammy-amd64' }, policy: {}, facts: { ...facts, mergeRequest: '7' } }),
    ).toEqual([`c-${HASH}`, '8.0-jammy-amd64', 'mr-7-jammy-amd64', '01234567-jammy-amd64', 'pipeline-991-jammy-amd64']);
  });

  it('gives the content tag first, then version, latest, short sha and pipeline on the default branch', () => {
    expect(tags({ branch: 'main', sha: SHA, pipeline: '991' }, {}, '1.2.0')).toEqual([`c-${HASH}`, '1.2.0', 'latest', '01234567', 'pipeline-991']);
  });

  it('gives only the content tag when nothing is known', () => {
    expect(tags({})).toEqual([`c-${HASH}`]);
  });

  it('gives latest only on the default branch', () => {
    expect(tags({ branch: 'main' })).toContain('latest');
    expect(tags({ branch: 'feature/x' })).not.toContain('latest');
    expect(tags({ branch: 'main', defaultBranch: 'trunk' })).not.toContain('latest');
    expect(tags({ branch: 'trunk', defaultBranch: 'trunk' })).toContain('latest');
  });

  it('never gives latest in a merge request, even from the default branch, but mr-<id>', () => {
    expect(tags({ branch: 'main', mergeRequest: '17' })).toEqual([`c-${HASH}`, 'mr-17']);
  });

  it('follows the policy switches one by one; absent switches are on', () => {
    const facts = { branch: 'main', sha: SHA, pipeline: '5' };
    const all = [`c-${HASH}`, '2.0.0', 'latest', '01234567', 'pipeline-5'];
    expect(tags(facts, {}, '2.0.0')).toEqual(all);
    expect(tags(facts, { version: false }, '2.0.0')).toEqual(all.filter((t) => t !== '2.0.0'));
    expect(tags(facts, { latest: false }, '2.0.0')).toEqual(all.filter((t) => t !== 'latest'));
    expect(tags(facts, { sha: false }, '2.0.0')).toEqual(all.filter((t) => t !== '01234567'));
    expect(tags(facts, { pipeline: false }, '2.0.0')).toEqual(all.filter((t) => t !== 'pipeline-5'));
    expect(tags({ mergeRequest: '3' }, { mergeRequest: false })).toEqual([`c-${HASH}`]);
    expect(tags(facts, { version: false, latest: false, sha: false, pipeline: false, mergeRequest: false }, '2.0.0')).toEqual([`c-${HASH}`]);
    expect(tags(facts, { version: true, latest: true, sha: true, pipeline: true }, '2.0.0')).toEqual(all);
  });

  it('drops tags Docker would refuse', () => {
    // Build metadata (+) is not allowed in a tag; nor a leading dot or dash; nor more than 128 characters.
    expect(tags({}, {}, '1.0.0+build.5')).toEqual([`c-${HASH}`]);
    expect(tags({}, {}, '.hidden')).toEqual([`c-${HASH}`]);
    expect(tags({}, {}, '-dash')).toEqual([`c-${HASH}`]);
    expect(tags({}, {}, 'v'.repeat(129))).toEqual([`c-${HASH}`]);
    expect(tags({}, {}, 'v'.repeat(128))).toEqual([`c-${HASH}`, 'v'.repeat(128)]);
    expect(tags({ mergeRequest: '1 2', pipeline: 'a/b' })).toEqual([`c-${HASH}`]);
    expect(tags({}, {}, '1.0.0-rc.1_x')).toEqual([`c-${HASH}`, '1.0.0-rc.1_x']);
  });

  it('gives each tag once', () => {
    expect(tags({ branch: 'main' }, {}, 'latest')).toEqual([`c-${HASH}`, 'latest']);
    const result = tags({ branch: 'main', sha: 'abcdef12', pipeline: '1' }, {}, 'abcdef12');
    expect(result).toEqual([`c-${HASH}`, 'abcdef12', 'latest', 'pipeline-1']);
  });
});

describe('runFactsFromEnv', () => {
  const git = { branch: 'local-branch', sha: 'f'.repeat(40) };

  it('takes GitLab CI variables for a branch pipeline', () => {
    const env = {
      GITLAB_CI: 'true',
      CI_COMMIT_BRANCH: 'main',
      CI_DEFAULT_BRANCH: 'main',
      CI_COMMIT_SHA: SHA,
      CI_PIPELINE_ID: '4242',
    };
    expect(runFactsFromEnv(env, git, 'master')).toEqual({ branch: 'main', defaultBranch: 'main', mergeRequest: undefined, sha: SHA, pipeline: '4242' });
    expect(imageTags({ identity: HASH, policy: {}, facts: runFactsFromEnv(env, git, 'master') })).toEqual([`c-${HASH}`, 'latest', '01234567', 'pipeline-4242']);
  });

  it('takes the merge request IID in a GitLab merge request pipeline (no CI_COMMIT_BRANCH there)', () => {
    const env = { CI_DEFAULT_BRANCH: 'main', CI_MERGE_REQUEST_IID: '17', CI_COMMIT_SHA: SHA, CI_PIPELINE_ID: '9' };
    const facts = runFactsFromEnv(env, {}, 'main');
    expect(facts).toEqual({ branch: undefined, defaultBranch: 'main', mergeRequest: '17', sha: SHA, pipeline: '9' });
    expect(imageTags({ identity: HASH, policy: {}, facts })).toEqual([`c-${HASH}`, 'mr-17', '01234567', 'pipeline-9']);
  });

  it('takes GitHub Actions variables for a push, where GITHUB_HEAD_REF is set but empty', () => {
    const env = {
      GITHUB_ACTIONS: 'true',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      GITHUB_HEAD_REF: '',
      GITHUB_BASE_REF: '',
      GITHUB_SHA: SHA,
      GITHUB_RUN_ID: '777',
    };
    const facts = runFactsFromEnv(env, { branch: undefined, sha: undefined }, 'main');
    expect(facts).toEqual({ branch: 'main', defaultBranch: 'main', mergeRequest: undefined, sha: SHA, pipeline: '777' });
    expect(imageTags({ identity: HASH, policy: {}, facts })).toContain('latest');
  });

  it('takes the pull request number from GITHUB_REF and the branch from GITHUB_HEAD_REF for a pull_request', () => {
    const env = {
      GITHUB_REF: 'refs/pull/42/merge',
      GITHUB_REF_NAME: '42/merge',
      GITHUB_HEAD_REF: 'feature/login',
      GITHUB_BASE_REF: 'main',
      GITHUB_SHA: SHA,
      GITHUB_RUN_ID: '778',
    };
    const facts = runFactsFromEnv(env, git, 'main');
    expect(facts).toEqual({ branch: 'feature/login', defaultBranch: 'main', mergeRequest: '42', sha: SHA, pipeline: '778' });
    expect(imageTags({ identity: HASH, policy: {}, facts })).toEqual([`c-${HASH}`, 'mr-42', '01234567', 'pipeline-778']);
  });

  it('gives no latest to a pull request whose head branch has the default branch name (a fork)', () => {
    const facts = runFactsFromEnv({ GITHUB_REF: 'refs/pull/8/merge', GITHUB_HEAD_REF: 'main' }, {}, 'main');
    expect(facts.branch).toBe('main');
    expect(imageTags({ identity: HASH, policy: {}, facts })).toEqual([`c-${HASH}`, 'mr-8']);
  });

  it('reads no pull request from a branch or tag ref', () => {
    expect(runFactsFromEnv({ GITHUB_REF: 'refs/heads/pull/3/x' }, {}, 'main').mergeRequest).toBeUndefined();
    expect(runFactsFromEnv({ GITHUB_REF: 'refs/tags/v1' }, {}, 'main').mergeRequest).toBeUndefined();
  });

  it('falls back to git and the default base outside CI', () => {
    expect(runFactsFromEnv({}, git, 'main')).toEqual({
      branch: 'local-branch',
      defaultBranch: 'main',
      mergeRequest: undefined,
      sha: git.sha,
      pipeline: undefined,
    });
    expect(runFactsFromEnv({}, {}, 'develop')).toEqual({
      branch: undefined,
      defaultBranch: 'develop',
      mergeRequest: undefined,
      sha: undefined,
      pipeline: undefined,
    });
  });

  it('prefers CI variables over git, and counts empty variables as unset', () => {
    expect(runFactsFromEnv({ CI_COMMIT_BRANCH: 'ci-branch', CI_COMMIT_SHA: SHA }, git, 'main')).toMatchObject({ branch: 'ci-branch', sha: SHA });
    expect(
      runFactsFromEnv({ CI_COMMIT_BRANCH: '', CI_COMMIT_SHA: '', CI_DEFAULT_BRANCH: '', CI_MERGE_REQUEST_IID: '', CI_PIPELINE_ID: '' }, git, 'main'),
    ).toEqual({
      branch: 'local-branch',
      defaultBranch: 'main',
      mergeRequest: undefined,
      sha: git.sha,
      pipeline: undefined,
    });
  });
});
