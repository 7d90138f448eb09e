// @ts-check
// Which commits `nx affected` compares: the decision alone, on facts gathered
// elsewhere (git, the CI's API). Pure, so every case is a unit test.

/** @typedef {import('./pipeline.mjs').Pipeline} Pipeline */

/**
 * @typedef {{ mode: 'affected', base: string, head: string, reason: string }
 *         | { mode: 'all', head: string, reason: string }} Range
 */

/** @typedef {{ present: boolean, ancestor: boolean }} CommitProbe */

/**
 * @typedef {object} RangeEvidence
 * @property {string} head  the commit under test, resolved in the clone
 * @property {{ base: string, head?: string } | undefined} override  NX_BASE / NX_HEAD, as nx-set-shas users set them
 * @property {{ shas: string[] } | { error: string } | undefined} green  the default branch's last green commits, newest first
 * @property {string | undefined} mergeBase  where HEAD left the target branch, when git knows
 * @property {Record<string, CommitProbe>} probes  every candidate base: in the clone, and an ancestor of head?
 */

/** @typedef {{ range: Range, warning?: string }} RangeDecision */

/**
 * Merge requests compare with where they branched off (GitLab's diff base, else
 * the merge-base with the target branch); the default branch with the last
 * commit whose pipeline was green, so a red pipeline's changes are built again;
 * other branches with the merge-base. A base that is not an ancestor of head in
 * this clone cannot be trusted: then every project runs, with one warning.
 * @param {Pipeline} pipeline
 * @param {RangeEvidence} evidence
 * @returns {RangeDecision}
 */
export function chooseRange(pipeline, evidence) {
  const { head, probes } = evidence;
  /** @param {string} sha */
  const usable = (sha) => probes[sha]?.present === true && probes[sha]?.ancestor === true;
  /** @param {string} base @param {string} reason @returns {RangeDecision} */
  const affected = (base, reason) => ({ range: { mode: 'affected', base, head, reason } });
  /** @param {string} reason @param {string} [warning] @returns {RangeDecision} */
  const all = (reason, warning) => (warning ? { range: { mode: 'all', head, reason }, warning } : { range: { mode: 'all', head, reason } });

  if (evidence.override) {
    return { range: { mode: 'affected', base: evidence.override.base, head: evidence.override.head ?? head, reason: 'NX_BASE/NX_HEAD from the environment' } };
  }

  if (pipeline.kind === 'merge-request') {
    const base = pipeline.mergeRequestBase ?? evidence.mergeBase;
    const source = pipeline.mergeRequestBase ? "GitLab's merge-request diff base" : `merge-base with ${pipeline.targetBranch}`;
    if (!base) {
      return all(
        'no merge-request base',
        `cannot tell where ${pipeline.label} left ${pipeline.targetBranch} (the branch is not in this clone): running every project`,
      );
    }
    if (usable(base)) return affected(base, source);
    return all(
      'merge-request base not in this clone',
      `${source} ${short(base)} is not an ancestor of ${short(head)} in this clone (fetch the whole history: GIT_DEPTH 0, fetch-depth: 0): running every project`,
    );
  }

  if (pipeline.kind === 'default-branch') {
    const green = evidence.green;
    if (!green) {
      return all('no CI API to ask', `cannot ask the CI for the last green pipeline on ${pipeline.defaultBranch} (no API variables): running every project`);
    }
    if ('error' in green) {
      return all('CI API unreachable', `cannot find the last green pipeline on ${pipeline.defaultBranch}: ${green.error}; running every project`);
    }
    if (green.shas.length === 0) return all(`no green pipeline on ${pipeline.defaultBranch} yet`);
    const index = green.shas.findIndex(usable);
    if (index === -1) {
      return all(
        'no green commit in this history',
        `none of the ${green.shas.length} last green commits on ${pipeline.defaultBranch} is an ancestor of ${short(head)} in this clone (history rewritten, or a shallow clone): running every project`,
      );
    }
    const skipped = index === 0 ? '' : `; ${index} newer green commit(s) not in this history`;
    return affected(green.shas[index], `last green pipeline on ${pipeline.defaultBranch}${skipped}`);
  }

  const base = evidence.mergeBase;
  if (base && usable(base)) return affected(base, `merge-base with ${pipeline.defaultBranch}`);
  return all('no merge-base', `cannot find where this branch left ${pipeline.defaultBranch} in this clone: running every project`);
}

/** The candidate bases `chooseRange` looks at, so the shell probes exactly those. */
export function candidateBases(/** @type {Pipeline} */ pipeline, /** @type {Omit<RangeEvidence, 'probes' | 'head'>} */ evidence) {
  const candidates = [];
  if (pipeline.mergeRequestBase) candidates.push(pipeline.mergeRequestBase);
  if (evidence.mergeBase) candidates.push(evidence.mergeBase);
  if (evidence.green && 'shas' in evidence.green) candidates.push(...evidence.green.shas);
  return [...new Set(candidates)];
}

/** @param {string} sha */
export function short(sha) {
  return /^[0-9a-f]{40,64}$/.test(sha) ? sha.slice(0, 8) : sha;
}

/** One line for the job log. @param {Range} range */
export function describeRange(range) {
  return range.mode === 'affected'
    ? `affected between base ${range.base} and head ${range.head} (${range.reason})`
    : `every project at head ${range.head} (${range.reason})`;
}
