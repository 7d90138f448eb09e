import { describe, expect, it } from 'vitest';
import { readPipeline, type Pipeline } from '../lib/pipeline.mjs';
import { candidateBases, chooseRange, type CommitProbe, type RangeEvidence } from '../lib/range.mjs';

const sha = (c: string) => c.repeat(40);
const HEAD = sha('f');
const ok: CommitProbe = { present: true, ancestor: true };
const missing: CommitProbe = { present: false, ancestor: false };
const notAncestor: CommitProbe = { present: true, ancestor: false };

const gitlabMergeRequest = readPipeline(
  { GITLAB_CI: 'true', CI_MERGE_REQUEST_IID: '7', CI_MERGE_REQUEST_DIFF_BASE_SHA: sha('b'), CI_COMMIT_SHA: HEAD },
  'main',
);
const githubPullRequest = readPipeline({ GITHUB_ACTIONS: 'true', GITHUB_REF: 'refs/pull/9/merge', GITHUB_BASE_REF: 'main' }, 'main');
const defaultBranch = readPipeline(
  { GITLAB_CI: 'true', CI_COMMIT_BRANCH: 'main', CI_DEFAULT_BRANCH: 'main', CI_API_V4_URL: 'http://gitlab/api/v4', CI_PROJECT_ID: '1' },
  'main',
);
const branch = readPipeline({}, 'main');

function decide(pipeline: Pipeline, evidence: Partial<RangeEvidence>) {
  return chooseRange(pipeline, { head: HEAD, override: undefined, green: undefined, mergeBase: undefined, probes: {}, ...evidence });
}

describe('chooseRange', () => {
  it("compares a GitLab merge request with its diff base, not the target branch's tip", () => {
    const decision = decide(gitlabMergeRequest, { mergeBase: sha('c'), probes: { [sha('b')]: ok, [sha('c')]: ok } });
    expect(decision).toEqual({ range: { mode: 'affected', base: sha('b'), head: HEAD, reason: "GitLab's merge-request diff base" } });
  });

  it('runs everything, with one warning naming the fetch depth, when the diff base is not in the clone', () => {
    const decision = decide(gitlabMergeRequest, { probes: { [sha('b')]: missing } });
    expect(decision.range.mode).toBe('all');
    expect(decision.warning).toMatch(/bbbbbbbb is not an ancestor of ffffffff.*GIT_DEPTH 0/);
  });

  it('compares a GitHub pull request with the merge-base of the target branch', () => {
    expect(decide(githubPullRequest, { mergeBase: sha('c'), probes: { [sha('c')]: ok } }).range).toMatchObject({
      mode: 'affected',
      base: sha('c'),
      reason: 'merge-base with main',
    });
    const lost = decide(githubPullRequest, {});
    expect(lost.range.mode).toBe('all');
    expect(lost.warning).toContain('GitHub pull request #9');
  });

  it('compares the default branch with the newest green commit that is an ancestor of head', () => {
    const decision = decide(defaultBranch, {
      green: { shas: [sha('1'), sha('2'), sha('3')] },
      probes: { [sha('1')]: missing, [sha('2')]: notAncestor, [sha('3')]: ok },
    });
    expect(decision.range).toEqual({
      mode: 'affected',
      base: sha('3'),
      head: HEAD,
      reason: 'last green pipeline on main; 2 newer green commit(s) not in this history',
    });
    expect(decision.warning).toBeUndefined();
  });

  it('compares head with itself when head is the last green commit (a re-run builds nothing)', () => {
    expect(decide(defaultBranch, { green: { shas: [HEAD] }, probes: { [HEAD]: ok } }).range).toMatchObject({ mode: 'affected', base: HEAD, head: HEAD });
  });

  it('runs everything without a warning before the first green pipeline', () => {
    expect(decide(defaultBranch, { green: { shas: [] } })).toEqual({ range: { mode: 'all', head: HEAD, reason: 'no green pipeline on main yet' } });
  });

  it('runs everything with one warning when the API cannot be asked, or no green commit is in this history', () => {
    const unreachable = decide(defaultBranch, { green: { error: 'the GitLab pipelines API did not answer (ECONNREFUSED)' } });
    expect(unreachable.range.mode).toBe('all');
    expect(unreachable.warning).toBe(
      'cannot find the last green pipeline on main: the GitLab pipelines API did not answer (ECONNREFUSED); running every project',
    );
    const rewritten = decide(defaultBranch, { green: { shas: [sha('1')] }, probes: { [sha('1')]: notAncestor } });
    expect(rewritten.range.mode).toBe('all');
    expect(rewritten.warning).toMatch(/none of the 1 last green commits on main is an ancestor/);
    expect(decide(defaultBranch, {}).warning).toMatch(/no API variables/);
  });

  it('compares another branch with its merge-base with the default branch', () => {
    expect(decide(branch, { mergeBase: sha('c'), probes: { [sha('c')]: ok } }).range).toMatchObject({ mode: 'affected', base: sha('c') });
    expect(decide(branch, {}).range.mode).toBe('all');
  });

  it('takes NX_BASE/NX_HEAD as given, whatever the pipeline', () => {
    for (const pipeline of [gitlabMergeRequest, defaultBranch, branch]) {
      expect(decide(pipeline, { override: { base: 'origin/main~3' } }).range).toEqual({
        mode: 'affected',
        base: 'origin/main~3',
        head: HEAD,
        reason: 'NX_BASE/NX_HEAD from the environment',
      });
    }
    expect(decide(branch, { override: { base: 'x', head: 'y' } }).range).toMatchObject({ base: 'x', head: 'y' });
  });
});

describe('candidateBases', () => {
  it('lists the diff base, the merge-base and the green commits, each once', () => {
    expect(candidateBases(gitlabMergeRequest, { override: undefined, green: undefined, mergeBase: sha('b') })).toEqual([sha('b')]);
    expect(candidateBases(defaultBranch, { override: undefined, green: { shas: [sha('1'), sha('2')] }, mergeBase: undefined })).toEqual([sha('1'), sha('2')]);
    expect(candidateBases(defaultBranch, { override: undefined, green: { error: 'x' }, mergeBase: undefined })).toEqual([]);
  });
});
