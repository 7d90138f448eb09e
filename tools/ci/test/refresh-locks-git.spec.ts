// The refresh-locks stage's git and HTTP, without an engine: a stand-in `nx`
// (node_modules/.bin/nx) rewrites lock files as docker:lock would and answers
// `show projects`; the repository has a bare remote and the APIs are the fakes.
// refresh-locks.spec.ts runs the real docker:lock against the real mirror.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { REFRESH_BRANCH } from '../lib/lock-refresh.mjs';
import { runStage } from '../lib/stages.mjs';
import { startFakeCi, type FakeCi } from './fake-services.ts';

const TOKEN = 'bot-token-1234';
const digest = (n: number) => `sha256:${String(n).repeat(64)}`;
const lock = (upstream: Record<string, string>) => `${JSON.stringify({ upstream }, null, 2)}\n`;

const FAKE_NX = `#!/usr/bin/env node
const fs = require('node:fs');
const args = process.argv.slice(2);
if (args[0] === 'run-many') {
  for (const [path, text] of Object.entries(JSON.parse(process.env.FAKE_LOCKS || '{}'))) fs.writeFileSync(path, text);
  process.exit(Number(process.env.FAKE_LOCK_EXIT || 0));
}
if (args[0] === 'show') {
  const file = args.find((arg) => arg.startsWith('--files=')).slice('--files='.length);
  console.log(JSON.stringify(JSON.parse(process.env.FAKE_AFFECTS || '{}')[file] || []));
}
`;

describe('refresh-locks: git and the APIs', () => {
  let fake: FakeCi;
  const dirs: string[] = [];
  let remote: string;

  const git = (dir: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=dev', '-c', 'user.email=dev@example.test', ...args], { cwd: dir, encoding: 'utf8' }).trim();
  const tip = () => git(remote, 'for-each-ref', '--format=%(objectname)', `refs/heads/${REFRESH_BRANCH}`) || undefined;

  beforeAll(async () => {
    fake = await startFakeCi({ api: TOKEN, cacheReadWrite: 'x', cacheReadOnly: 'y' });
    const dev = mkdtempSync(join(tmpdir(), 'imagewise-refresh-dev-'));
    remote = mkdtempSync(join(tmpdir(), 'imagewise-refresh-remote-'));
    dirs.push(dev, remote);
    const files: Record<string, string> = {
      '.gitignore': 'node_modules\n',
      'nx.json': '{ "defaultBase": "main" }\n',
      'images/base/imagewise.lock.json': lock({ 'docker.io/library/debian:12': digest(1) }),
      'services/other/imagewise.lock.json': lock({ 'docker.io/library/alpine:3': digest(2) }),
      'services/other/Dockerfile': 'FROM alpine:3\n',
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dev, path)), { recursive: true });
      writeFileSync(join(dev, path), text);
    }
    git(dev, 'init', '-q', '-b', 'main');
    git(dev, 'add', '-A');
    git(dev, 'commit', '-q', '-m', 'initial');
    git(remote, 'clone', '-q', '--bare', dev, '.');
  });
  afterAll(async () => {
    await fake?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => vi.restoreAllMocks());

  /** A fresh detached clone with the stand-in nx; runs the stage in it. */
  async function run(vars: Record<string, string>) {
    const dir = mkdtempSync(join(tmpdir(), 'imagewise-refresh-clone-'));
    dirs.push(dir);
    git(tmpdir(), 'clone', '-q', remote, dir);
    git(dir, 'checkout', '-q', '--detach', 'origin/main');
    mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
    writeFileSync(join(dir, 'node_modules/.bin/nx'), FAKE_NX);
    const lines: string[] = [];
    const log = (...args: unknown[]) => lines.push(args.join(' '));
    vi.spyOn(console, 'error').mockImplementation(log);
    vi.spyOn(console, 'log').mockImplementation(log);
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(CI|CI_.*|GITLAB_.*|GITHUB_.*|GIT_.*)$/.test(name)));
    const code = await runStage('refresh-locks', { root: dir, env: { ...inherited, ...vars } });
    vi.restoreAllMocks();
    return { code, log: lines.join('\n'), dir };
  }

  const gitlab = (extra: Record<string, string> = {}) => ({
    GITLAB_CI: 'true',
    CI_PIPELINE_SOURCE: 'schedule',
    CI_COMMIT_BRANCH: 'main',
    CI_DEFAULT_BRANCH: 'main',
    CI_API_V4_URL: `${fake.url}/api/v4`,
    CI_PROJECT_ID: '42',
    CI_PIPELINE_ID: '7',
    IMAGEWISE_BOT_TOKEN: TOKEN,
    ...extra,
  });
  const moved = {
    FAKE_LOCKS: JSON.stringify({ 'images/base/imagewise.lock.json': lock({ 'docker.io/library/debian:12': digest(3) }) }),
    FAKE_AFFECTS: JSON.stringify({ 'images/base/imagewise.lock.json': ['base', 'app'] }),
  };
  const calls = (since: number) => fake.requests.slice(since).map((request) => `${request.method} ${request.path.split('?')[0]}`);

  it('no lock moved: no push, no API call', async () => {
    const seen = fake.requests.length;
    const { code, log } = await run(gitlab());
    expect(code, log).toBe(0);
    expect(log).toContain('every lock file is up to date: nothing pushed, no merge request');
    expect(tip()).toBeUndefined();
    expect(calls(seen)).toEqual([]);
  });

  it('a failing docker:lock fails the job and pushes nothing, even with a changed lock', async () => {
    const { code, log } = await run(gitlab({ ...moved, FAKE_LOCK_EXIT: '1' }));
    expect(code).toBe(1);
    expect(log).toContain('nothing is pushed');
    expect(tip()).toBeUndefined();
  });

  it('a moved lock: one commit of that file alone on the branch, one merge request created; then updated, same commit', async () => {
    const seen = fake.requests.length;
    const first = await run(gitlab(moved));
    expect(first.code, first.log).toBe(0);
    expect(first.log).not.toContain(TOKEN);
    const pushed = tip()!;
    expect(git(remote, 'diff', '--name-only', 'main', pushed)).toBe('images/base/imagewise.lock.json');
    expect(git(remote, 'rev-parse', `${pushed}^`)).toBe(git(remote, 'rev-parse', 'main'));
    expect(calls(seen)).toEqual(['GET /api/v4/projects/42/merge_requests', 'POST /api/v4/projects/42/merge_requests']);
    expect(fake.mergeRequests).toEqual([
      expect.objectContaining({
        api: 'gitlab',
        source: REFRESH_BRANCH,
        target: 'main',
        description: expect.stringContaining(`\`${digest(1)}\` → \`${digest(3)}\``),
      }),
    ]);
    expect(fake.mergeRequests[0].description).toContain('Affects: `app`, `base`');
    // The job's clone was clean but for the lock: nothing else in the commit.
    expect(git(first.dir, 'status', '--porcelain')).toBe('');

    const again = fake.requests.length;
    const second = await run(gitlab(moved));
    expect(second.code, second.log).toBe(0);
    expect(calls(again)).toEqual(['GET /api/v4/projects/42/merge_requests', 'PUT /api/v4/projects/42/merge_requests/1']);
    expect(fake.mergeRequests).toHaveLength(1);
    expect(tip()).toBe(pushed);
  });

  it('GitHub: a pull request with GITHUB_TOKEN; a refused token fails the job without printing it', async () => {
    const github = {
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: 'schedule',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      CI_DEFAULT_BRANCH: 'main',
      GITHUB_API_URL: fake.url,
      GITHUB_REPOSITORY: 'acme/platform',
      GITHUB_TOKEN: TOKEN,
    };
    const seen = fake.requests.length;
    const opened = await run({ ...github, ...moved });
    expect(opened.code, opened.log).toBe(0);
    expect(calls(seen)).toEqual(['GET /repos/acme/platform/pulls', 'POST /repos/acme/platform/pulls']);
    expect(fake.mergeRequests.filter((request) => request.api === 'github')).toHaveLength(1);

    const refused = await run({ ...github, ...moved, IMAGEWISE_BOT_TOKEN: 'wrong-secret' }).catch((error: Error) => ({
      code: -1,
      log: error.message,
      dir: '',
    }));
    expect(refused.code).toBe(-1);
    expect(refused.log).toContain('GET /repos/acme/platform/pulls answered 401');
    expect(refused.log).not.toContain('wrong-secret');
  });

  it('refuses pipelines other than the default branch', async () => {
    await expect(run(gitlab({ CI_COMMIT_BRANCH: 'feature' }))).rejects.toThrow('refresh-locks runs on the default branch (main) only');
  });
});
