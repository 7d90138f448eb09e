// End to end: the scheduled lock refresh as GitLab and GitHub would run it. A
// workspace whose locks name digests in the real mirror (tools/engine) is pushed
// to a bare remote; each scheduled job clones it afresh and runs the template's
// lines. The upstream image is re-seeded by pushing a new manifest under its tag
// in the mirror. The merge/pull-request APIs are the fakes of fake-services.ts.
// No image is built: docker:lock and nx affected only read the registry and git.
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSharedEngine } from '../../engine/test/engine-cli.ts';
import { Workspace, sharedTemplate } from '../../../packages/nx-plugin/e2e/workspace.ts';
import { REFRESH_BRANCH } from '../lib/lock-refresh.mjs';
import { startFakeCi, type FakeCi } from './fake-services.ts';
import { ciScriptFiles, jobEnv, runJobLines } from './ci-job.ts';
import { githubScriptLines, gitlabJobs } from './templates.ts';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const TOKEN = 'bot-secret-7f3a';
const BASE_LOCK = 'images/base/imagewise.lock.json';

const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

describe('the scheduled lock refresh on the real mirror', () => {
  let engine: Record<string, string>;
  let fake: FakeCi;
  let template: string;
  let dev: Workspace;
  let remote: string;
  let home: string;
  const dirs: string[] = [];
  // Upstream repositories of this run's own in the shared mirror: moving their tags disturbs no other test.
  const suffix = Date.now().toString(36);
  const upstream = { base: `iw-refresh-${suffix}-base`, other: `iw-refresh-${suffix}-other` };
  const digests: Record<string, string> = {};

  /** Pushes a small image (one config, one layer; never run) as library/<repo>:1 to the mirror; its manifest digest. */
  async function seed(repo: string, generation: string): Promise<string> {
    const mirror = `http://${engine.IMAGEWISE_MIRROR}/v2/library/${repo}`;
    const upload = async (data: Buffer) => {
      const start = await fetch(`${mirror}/blobs/uploads/`, { method: 'POST' });
      expect(start.status, `upload to ${mirror}`).toBe(202);
      const location = new URL(start.headers.get('location')!, mirror);
      location.searchParams.set('digest', sha256(data));
      const put = await fetch(location, { method: 'PUT', body: data, headers: { 'content-type': 'application/octet-stream' } });
      expect(put.status).toBe(201);
      return { digest: sha256(data), size: data.length };
    };
    const layer = await upload(Buffer.from(`${repo} ${generation}\n`));
    const config = await upload(
      Buffer.from(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          config: {},
          rootfs: { type: 'layers', diff_ids: [layer.digest] },
          history: [{ created_by: generation }],
        }),
      ),
    );
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', ...layer }],
    });
    const put = await fetch(`${mirror}/manifests/1`, {
      method: 'PUT',
      body: manifest,
      headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    expect(put.status, await put.text()).toBe(201);
    return sha256(manifest);
  }

  beforeAll(async () => {
    engine = await startSharedEngine();
    fake = await startFakeCi({ api: TOKEN, cacheReadWrite: 'unused-rw', cacheReadOnly: 'unused-ro' });
    digests.base1 = await seed(upstream.base, 'v1');
    digests.other = await seed(upstream.other, 'v1');
    template = sharedTemplate();
    dev = new Workspace(template, {
      'package.json': json({ name: 'refresh-e2e', private: true, workspaces: ['images/*', 'services/*'] }),
      'nx.json': json({ defaultBase: 'main', namedInputs: { default: ['{projectRoot}/**/*'], dockerImage: ['default'] }, plugins: ['@imagewise/nx-plugin'] }),
      'images/base/package.json': json({ name: 'base', version: '1.0.0', private: true }),
      'images/base/Dockerfile': `FROM ${upstream.base}:1\nCOPY b.txt /b.txt\n`,
      'images/base/b.txt': 'base\n',
      'services/app/package.json': json({ name: 'app', private: true }),
      'services/app/Dockerfile': 'FROM base\nCOPY a.txt /a.txt\n',
      'services/app/a.txt': 'app\n',
      'services/other/package.json': json({ name: 'other', private: true }),
      'services/other/Dockerfile': `FROM ${upstream.other}:1\nCOPY o.txt /o.txt\n`,
      'services/other/o.txt': 'other\n',
      ...ciScriptFiles(),
    });
    dev.env = { ...engine };
    dev.run('run-many', '-t', 'docker:lock');
    dev.git('add', '-A');
    dev.git('commit', '-q', '-m', 'lock the upstream images');
    expect(JSON.parse(readFileSync(join(dev.root, BASE_LOCK), 'utf8')).upstream).toEqual({ [`docker.io/library/${upstream.base}:1`]: digests.base1 });
    remote = mkdtempSync(join(tmpdir(), 'imagewise-refresh-remote-'));
    home = mkdtempSync(join(tmpdir(), 'imagewise-refresh-home-'));
    dirs.push(remote, home);
    execFileSync('git', ['clone', '-q', '--bare', dev.root, remote]);
  });
  afterAll(async () => {
    await fake?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    dev?.dispose();
  });

  const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  const main = () => git(remote, 'rev-parse', 'main');
  const branchTip = () => {
    const line = git(remote, 'ls-remote', remote, `refs/heads/${REFRESH_BRANCH}`);
    return line ? line.split('\t')[0] : undefined;
  };

  /** A fresh clone of the remote, detached at main's tip as CI checks out. */
  function checkout(): string {
    const dir = mkdtempSync(join(tmpdir(), 'imagewise-refresh-job-'));
    dirs.push(dir);
    execFileSync('git', ['clone', '-q', remote, dir]);
    execFileSync('git', ['checkout', '-q', '--detach', 'origin/main'], { cwd: dir });
    symlinkSync(join(template, 'node_modules'), join(dir, 'node_modules'));
    return dir;
  }

  // HOME without a git identity: the commit's author must come from the script.
  const env = (vars: Record<string, string>) => jobEnv({ ...engine, HOME: home, ...vars });
  const runLines = (lines: string[], dir: string, vars: Record<string, string>) => runJobLines(lines, dir, env(vars));

  const gitlabSchedule = () =>
    runLines(gitlabJobs()['refresh locks'].script!, checkout(), {
      CI: 'true',
      GITLAB_CI: 'true',
      CI_PIPELINE_SOURCE: 'schedule',
      CI_COMMIT_BRANCH: 'main',
      CI_COMMIT_REF_NAME: 'main',
      CI_DEFAULT_BRANCH: 'main',
      CI_COMMIT_SHA: main(),
      CI_PIPELINE_ID: '301',
      CI_API_V4_URL: `${fake.url}/api/v4`,
      CI_PROJECT_ID: '42',
      CI_JOB_TOKEN: 'job-token',
      IMAGEWISE_BOT_TOKEN: TOKEN,
    });

  function githubSchedule() {
    return runLines(githubScriptLines('.github/workflows/refresh-locks.yml', 'refresh-locks'), checkout(), {
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: 'schedule',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      GITHUB_SHA: main(),
      GITHUB_RUN_ID: '901',
      CI_DEFAULT_BRANCH: 'main',
      GITHUB_API_URL: fake.url,
      GITHUB_REPOSITORY: 'acme/platform',
      GITHUB_TOKEN: TOKEN,
    });
  }

  const apiCalls = (since: number) =>
    fake.requests
      .slice(since)
      .filter((request) => /merge_requests|pulls/.test(request.path))
      .map((request) => `${request.method} ${request.path.split('?')[0]}`);

  it('no upstream moved: nothing pushed, no API call, a line saying so', async () => {
    const seen = fake.requests.length;
    const { code, log } = await gitlabSchedule();
    expect(code, log).toBe(0);
    expect(log).toContain('ci: every lock file is up to date: nothing pushed, no merge request');
    expect(branchTip()).toBeUndefined();
    expect(apiCalls(seen)).toEqual([]);
  });

  it('after a re-seeded upstream image: exactly its lock file is pushed, and one merge request lists it and the images it affects', async () => {
    digests.base2 = await seed(upstream.base, 'v2');
    expect(digests.base2).not.toBe(digests.base1);
    const seen = fake.requests.length;
    const { code, log } = await gitlabSchedule();
    expect(code, log).toBe(0);
    expect(log).not.toContain(TOKEN);

    const tip = branchTip()!;
    expect(tip).toBeDefined();
    expect(git(remote, 'rev-parse', `${tip}^`)).toBe(main());
    expect(git(remote, 'diff', '--name-only', 'main', tip).split('\n')).toEqual([BASE_LOCK]);
    expect(JSON.parse(git(remote, 'show', `${tip}:${BASE_LOCK}`)).upstream).toEqual({ [`docker.io/library/${upstream.base}:1`]: digests.base2 });
    expect(git(remote, 'log', '-1', '--format=%an', tip)).toBe('Imagewise lock refresh');

    expect(apiCalls(seen)).toEqual(['GET /api/v4/projects/42/merge_requests', 'POST /api/v4/projects/42/merge_requests']);
    expect(fake.mergeRequests).toHaveLength(1);
    const [mr] = fake.mergeRequests;
    expect(mr).toMatchObject({ api: 'gitlab', source: REFRESH_BRANCH, target: 'main', title: 'Refresh upstream image locks', state: 'open' });
    expect(mr.description).toContain(`### \`${BASE_LOCK}\``);
    expect(mr.description).toContain(`- \`docker.io/library/${upstream.base}:1\`: \`${digests.base1}\` → \`${digests.base2}\``);
    expect(mr.description).toContain('Affects: `app`, `base`');
    expect(mr.description).not.toContain('services/other');
    expect(fake.requests.filter((request) => /merge_requests/.test(request.path)).every((request) => request.token === TOKEN)).toBe(true);

    // What CI's merge-request pipeline will build: the lock's project and what builds FROM it.
    const clone = checkout();
    const affected = execFileSync(
      process.execPath,
      [join(clone, 'node_modules/.bin/nx'), 'show', 'projects', '--affected', '--base=origin/main', `--head=origin/${REFRESH_BRANCH}`, '--json'],
      { cwd: clone, encoding: 'utf8', env: env({ NX_DAEMON: 'false', NX_NO_CLOUD: 'true' }) },
    );
    expect((JSON.parse(affected.trim().split('\n').pop()!) as string[]).sort()).toEqual(['app', 'base']);
  });

  it('the next scheduled run updates the open merge request instead of opening another; the branch is the same commit', async () => {
    const tip = branchTip();
    const seen = fake.requests.length;
    const { code, log } = await gitlabSchedule();
    expect(code, log).toBe(0);
    expect(apiCalls(seen)).toEqual(['GET /api/v4/projects/42/merge_requests', 'PUT /api/v4/projects/42/merge_requests/1']);
    expect(fake.mergeRequests).toHaveLength(1);
    expect(fake.mergeRequests[0].description).toContain('(pipeline 301)');
    expect(branchTip()).toBe(tip);
  });

  it('GitHub: the scheduled workflow opens one pull request with the same changed lock', async () => {
    const seen = fake.requests.length;
    const { code, log } = await githubSchedule();
    expect(code, log).toBe(0);
    expect(log).not.toContain(TOKEN);
    expect(apiCalls(seen)).toEqual(['GET /repos/acme/platform/pulls', 'POST /repos/acme/platform/pulls']);
    expect(fake.requests.find((request) => request.method === 'GET' && request.path.startsWith('/repos/acme/platform/pulls'))?.path).toContain(
      `head=acme%3A${encodeURIComponent(REFRESH_BRANCH)}`,
    );
    const pr = fake.mergeRequests.find((request) => request.api === 'github')!;
    expect(pr).toMatchObject({ source: REFRESH_BRANCH, target: 'main' });
    expect(pr.description).toContain(`\`${digests.base1}\` → \`${digests.base2}\``);
    expect(pr.description).toContain('(pipeline 901)');
  });

  it('once the refresh is merged, the next run finds nothing to do', async () => {
    git(remote, 'update-ref', 'refs/heads/main', branchTip()!);
    const seen = fake.requests.length;
    const { code, log } = await gitlabSchedule();
    expect(code, log).toBe(0);
    expect(log).toContain('every lock file is up to date');
    expect(apiCalls(seen)).toEqual([]);
  });
});
