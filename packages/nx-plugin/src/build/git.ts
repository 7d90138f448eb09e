import { execFileSync } from 'node:child_process';
import { withoutCredentials } from '../registry/without-credentials';

type GitFacts = { branch?: string; sha?: string; remote?: string };

// One answer per process: a batch builds many images from one checkout.
const known = new Map<string, GitFacts>();

/** Branch, commit and origin URL of the workspace's git checkout; absent when git cannot say. */
export function gitFacts(cwd: string): GitFacts {
  let facts = known.get(cwd);
  if (!facts) known.set(cwd, (facts = readGitFacts(cwd)));
  return facts;
}

function readGitFacts(cwd: string): GitFacts {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
    } catch {
      return undefined;
    }
  };
  const branch = git('rev-parse', '--abbrev-ref', 'HEAD');
  return { branch: branch === 'HEAD' ? undefined : branch, sha: git('rev-parse', 'HEAD'), remote: git('remote', 'get-url', 'origin') };
}

/**
 * An origin URL fit for an image label: without the user and password a CI
 * checkout puts in it (`https://gitlab-ci-token:<token>@host/…`). An scp-like
 * address (`git@host:org/repo.git`) carries no secret and stays as it is.
 */
export function publicRemoteUrl(remote: string | undefined): string | undefined {
  if (remote === undefined || !/^[a-z][a-z0-9+.-]*:\/\//i.test(remote)) return remote;
  try {
    return withoutCredentials(remote).toString();
  } catch {
    // Not a URL after all: say nothing rather than something that may hold a secret.
    return undefined;
  }
}
