// @ts-check
// The git facts the range decision needs, read from the job's clone.
import { spawnSync } from 'node:child_process';

/**
 * Runs git; its trimmed stdout, or undefined when it fails.
 * @param {string} root
 * @param {string[]} args
 */
export function tryGit(root, args) {
  const result = spawnSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** The full SHA of a commit the clone has; undefined when it has not. @param {string} root @param {string} ref */
export function resolveCommit(root, ref) {
  return tryGit(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]) || undefined;
}

/**
 * Is `sha` in the clone, and an ancestor of (or equal to) `head`?
 * @param {string} root @param {string} sha @param {string} head
 * @returns {import('./range.mjs').CommitProbe}
 */
export function probeCommit(root, sha, head) {
  if (!resolveCommit(root, sha)) return { present: false, ancestor: false };
  const result = spawnSync('git', ['merge-base', '--is-ancestor', sha, head], { cwd: root, stdio: 'ignore' });
  return { present: true, ancestor: result.status === 0 };
}

/**
 * Where `head` left `branch`: the merge-base with origin/<branch>, else with a
 * local <branch> (a developer's clone).
 * @param {string} root @param {string} head @param {string} branch
 */
export function mergeBase(root, head, branch) {
  for (const ref of [`refs/remotes/origin/${branch}`, `refs/heads/${branch}`]) {
    if (!resolveCommit(root, ref)) continue;
    const base = tryGit(root, ['merge-base', head, ref]);
    if (base) return base;
  }
  return undefined;
}

/**
 * A shallow clone cannot show ancestry: fetch the rest of the history once.
 * The templates clone everything; this is the safety net for a runner that does not.
 * @param {string} root
 * @param {(line: string) => void} say
 */
export function unshallow(root, say) {
  if (tryGit(root, ['rev-parse', '--is-shallow-repository']) !== 'true') return;
  say('the clone is shallow: fetching the whole history (set GIT_DEPTH: 0 / fetch-depth: 0 to save this step)');
  const result = spawnSync('git', ['fetch', '--quiet', '--unshallow', '--no-tags', 'origin'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (result.status !== 0) say(`git fetch --unshallow failed: ${result.stderr.trim().split('\n').pop()}`);
}
