// tools/releases/upstream-locks.mjs in a fresh clone of this repository whose
// committed lock files name digests the mirror lacks (as every fresh machine's
// mirror lacks the committed ones): the command runs on locks re-resolved by the
// real docker:lock against the real mirror, and the work tree ends as it began,
// whether the command passes, fails, is signalled or the script itself is killed.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSharedEngine } from '../../engine/test/engine-cli.ts';
import { headManifest } from '../manifest-head.mjs';

const REPOSITORY = resolve(import.meta.dirname, '../../..');
const SCRIPT = resolve(import.meta.dirname, '../upstream-locks.mjs');
const NODE_LOCK = 'images/node-base/imagewise.lock.json';
const PYTHON_LOCK = 'images/python-base/imagewise.lock.json';
const NODE = 'docker.io/library/node:18-bookworm-slim';
const PYTHON = 'docker.io/library/python:3.11-slim-bookworm';

const missingDigest = (seed: string) => `sha256:${createHash('sha256').update(`not in any registry: ${seed} ${Date.now()}`).digest('hex')}`;
const lockText = (reference: string, digest: string) => `${JSON.stringify({ upstream: { [reference]: digest } }, null, 2)}\n`;

interface Run {
  code: number | null;
  output: string;
}

describe('upstream locks re-resolved for a run, then put back', () => {
  let env: NodeJS.ProcessEnv;
  let mirrorDigests: Record<string, string>;
  const scratch: string[] = [];
  const running: ChildProcess[] = [];

  beforeAll(async () => {
    env = { ...process.env, ...(process.env.IMAGEWISE_MIRROR ? {} : await startSharedEngine()), NX_NO_CLOUD: 'true', FORCE_COLOR: '0' };
    mirrorDigests = {};
    for (const reference of [NODE, PYTHON]) {
      const [, repository, tag] = /^docker\.io\/(.+):([^:]+)$/.exec(reference)!;
      const response = await headManifest(env.IMAGEWISE_MIRROR!, repository, tag);
      expect(response.ok, `${reference} in the mirror`).toBe(true);
      mirrorDigests[reference] = response.headers.get('docker-content-digest')!;
    }
  });

  afterEach(() => {
    for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A clone of this repository at HEAD, using its installed packages, with lock files committed at digests nobody has. */
  function checkout(): { root: string; committed: Record<string, string>; git: (...args: string[]) => string } {
    const root = mkdtempSync(join(tmpdir(), 'imagewise-locks-'));
    scratch.push(root);
    execFileSync('git', ['clone', '-q', REPOSITORY, root]);
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { cwd: root, encoding: 'utf8' });
    symlinkSync(join(REPOSITORY, 'node_modules'), join(root, 'node_modules'));
    for (const group of ['packages', 'services', 'images']) {
      for (const name of readdirSync(join(REPOSITORY, group))) {
        const installed = join(REPOSITORY, group, name, 'node_modules');
        if (existsSync(installed) && existsSync(join(root, group, name))) symlinkSync(installed, join(root, group, name, 'node_modules'));
      }
    }
    // The links are the test's, not the checkout's (.gitignore's `node_modules/` matches directories only).
    writeFileSync(join(root, '.git/info/exclude'), 'node_modules\n');
    const committed = { [NODE_LOCK]: lockText(NODE, missingDigest('node')), [PYTHON_LOCK]: lockText(PYTHON, missingDigest('python')) };
    for (const [path, text] of Object.entries(committed)) writeFileSync(join(root, path), text);
    git('commit', '-q', '-am', 'locks at digests this mirror lacks');
    expect(git('status', '--porcelain')).toBe('');
    return { root, committed, git };
  }

  function start(root: string, args: string[], { group = false } = {}): { child: ChildProcess; done: Promise<Run> } {
    // group: a process group of its own, as a terminal's foreground job is (Ctrl-C signals all of it).
    const child = spawn(process.execPath, [SCRIPT, ...args], { cwd: root, env, detached: group });
    running.push(child);
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const done = new Promise<Run>((settle) => child.on('close', (code) => settle({ code, output })));
    return { child, done };
  }

  const run = (root: string, args: string[]) => start(root, args).done;

  /** Starts a run whose build writes its pid next to `root` and sleeps a minute; resolves once that build runs. */
  async function startSleepingBuild(root: string, { group = false, what = 'the build to start' } = {}) {
    const pidFile = join(root, '../', `${root.split('/').pop()}-pid`);
    rmSync(pidFile, { force: true });
    scratch.push(pidFile);
    const started = start(
      root,
      ['--', process.execPath, '-e', `require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setTimeout(() => {}, 60_000);`],
      { group },
    );
    await until(() => existsSync(pidFile), what);
    return { ...started, buildPid: () => Number(readFileSync(pidFile, 'utf8')) };
  }
  const read = (root: string, path: string) => readFileSync(join(root, path), 'utf8');
  const journal = (root: string) =>
    resolve(root, execFileSync('git', ['rev-parse', '--git-path', 'imagewise-upstream-locks.json'], { cwd: root, encoding: 'utf8' }).trim());

  /** A command (node -e) that records the lock files it sees into `seen`, then does `then`. */
  function build(seen: string, then = ''): string[] {
    const script = `const fs = require('node:fs');
      fs.writeFileSync(${JSON.stringify(seen)}, JSON.stringify({ node: fs.readFileSync(${JSON.stringify(NODE_LOCK)}, 'utf8'), python: fs.readFileSync(${JSON.stringify(PYTHON_LOCK)}, 'utf8') }));
      ${then}`;
    return ['--', process.execPath, '-e', script];
  }

  async function until(condition: () => boolean, what: string): Promise<void> {
    for (let waited = 0; !condition(); waited += 100) {
      if (waited > 60_000) throw new Error(`timed out waiting for ${what}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  }

  it('the command sees locks the mirror serves; afterwards the work tree is clean', async () => {
    const { root, committed, git } = checkout();
    const seen = join(root, '../', `${root.split('/').pop()}-seen.json`);
    scratch.push(seen);

    const result = await run(root, build(seen));

    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/is not in the registry serving it .* re-resolving the locks with docker:lock for this run/);
    const during = JSON.parse(readFileSync(seen, 'utf8'));
    expect(during.node).toBe(lockText(NODE, mirrorDigests[NODE]));
    expect(during.python).toBe(lockText(PYTHON, mirrorDigests[PYTHON]));
    expect(git('status', '--porcelain')).toBe('');
    expect(read(root, NODE_LOCK)).toBe(committed[NODE_LOCK]);
    expect(existsSync(journal(root))).toBe(false);
  });

  it('a failing build: the lock files are put back and the run fails with its exit code', async () => {
    const { root, git } = checkout();
    const seen = join(root, '../', `${root.split('/').pop()}-seen.json`);
    scratch.push(seen);

    const result = await run(root, build(seen, 'process.exit(3);'));

    expect(result.code, result.output).toBe(3);
    expect(JSON.parse(readFileSync(seen, 'utf8')).node).toBe(lockText(NODE, mirrorDigests[NODE]));
    expect(git('status', '--porcelain')).toBe('');
    expect(existsSync(journal(root))).toBe(false);
  });

  it("the user's own edits are kept: one made to a lock file during the run, and one made before it", async () => {
    const { root, committed, git } = checkout();
    const seen = join(root, '../', `${root.split('/').pop()}-seen.json`);
    scratch.push(seen);
    // Before the run: an uncommitted edit (at a digest the mirror lacks too, so the run re-resolves over it).
    const mine = lockText(PYTHON, missingDigest('my own python'));
    writeFileSync(join(root, PYTHON_LOCK), mine);
    // During the run (while the images build): an edit to the other lock file.
    const meanwhile = lockText(NODE, missingDigest('my own node'));

    const result = await run(root, build(seen, `fs.writeFileSync(${JSON.stringify(NODE_LOCK)}, ${JSON.stringify(meanwhile)});`));

    expect(result.code, result.output).toBe(0);
    expect(JSON.parse(readFileSync(seen, 'utf8')).python).toBe(lockText(PYTHON, mirrorDigests[PYTHON]));
    expect(read(root, NODE_LOCK)).toBe(meanwhile);
    expect(read(root, PYTHON_LOCK)).toBe(mine);
    expect(result.output).toContain(`upstream-locks: ${NODE_LOCK} was edited while the re-resolved locks were in place; kept as it is`);
    expect(git('status', '--porcelain')).toBe(` M ${NODE_LOCK}\n M ${PYTHON_LOCK}\n`);
    expect(committed[PYTHON_LOCK]).not.toBe(mine);
  });

  it('a signal during the build reaches the build; the locks are put back before the run ends, and no second run touches them meanwhile', async () => {
    const { root, git } = checkout();
    const { child, done, buildPid } = await startSleepingBuild(root);
    expect(git('status', '--porcelain')).toBe(` M ${NODE_LOCK}\n M ${PYTHON_LOCK}\n`);

    const second = await run(root, ['--restore']);
    expect(second.code).toBe(1);
    expect(second.output).toMatch(
      new RegExp(`the run with pid ${child.pid} re-resolved this checkout's lock files and puts them back when it ends; wait for it`),
    );
    expect(read(root, NODE_LOCK)).toBe(lockText(NODE, mirrorDigests[NODE]));

    child.kill('SIGTERM');
    const result = await done;
    expect(result.code, result.output).toBe(128 + 15);
    expect(git('status', '--porcelain')).toBe('');
    const build = buildPid();
    expect(() => process.kill(build, 0)).toThrow();
  });

  it('Ctrl-C (SIGINT to the whole foreground job): the build ends, then the locks are put back', async () => {
    const { root, git } = checkout();
    const { child, done } = await startSleepingBuild(root, { group: true });
    expect(git('status', '--porcelain')).toBe(` M ${NODE_LOCK}\n M ${PYTHON_LOCK}\n`);

    process.kill(-child.pid!, 'SIGINT');
    const result = await done;

    expect(result.code, result.output).toBe(128 + 2);
    expect(git('status', '--porcelain')).toBe('');
    expect(existsSync(journal(root))).toBe(false);
  });

  it('killed before it could put the locks back, the next run does; a restore cut short resumes without undoing what it already did', async () => {
    const { root, committed, git } = checkout();
    const { child, done, buildPid } = await startSleepingBuild(root);
    child.kill('SIGKILL');
    // The build holds the dead script's output pipes open until it ends too.
    process.kill(buildPid(), 'SIGKILL');
    await done;
    expect(git('status', '--porcelain')).toBe(` M ${NODE_LOCK}\n M ${PYTHON_LOCK}\n`);
    expect(existsSync(journal(root))).toBe(true);

    // As if a restore had put node-base back and then been cut short.
    writeFileSync(join(root, NODE_LOCK), committed[NODE_LOCK]);
    const restored = await run(root, ['--restore']);

    expect(restored.code, restored.output).toBe(0);
    expect(restored.output).toContain(`upstream-locks: put back ${PYTHON_LOCK}, left re-resolved by a run that did not finish`);
    expect(restored.output).not.toContain(NODE_LOCK);
    expect(git('status', '--porcelain')).toBe('');
    expect(existsSync(journal(root))).toBe(false);

    // And a whole run after a killed one starts from the committed files again.
    const again = await startSleepingBuild(root, { what: 'the second build to start' });
    again.child.kill('SIGKILL');
    process.kill(again.buildPid(), 'SIGKILL');
    await again.done;
    const seen = join(root, '../', `${root.split('/').pop()}-seen.json`);
    scratch.push(seen);
    const next = await run(root, build(seen));
    expect(next.code, next.output).toBe(0);
    expect(next.output).toContain(`upstream-locks: put back ${NODE_LOCK}, left re-resolved by a run that did not finish`);
    expect(JSON.parse(readFileSync(seen, 'utf8')).node).toBe(lockText(NODE, mirrorDigests[NODE]));
    expect(git('status', '--porcelain')).toBe('');
  });
});
