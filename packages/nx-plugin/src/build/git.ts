import { execFileSync } from 'node:child_process';

/** Branch, commit and origin URL of the workspace's git checkout; absent when git cannot say. */
export function gitFacts(cwd: string): { branch?: string; sha?: string; remote?: string } {
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
