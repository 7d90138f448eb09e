// End to end: pipelines as GitLab and GitHub would run them, on the real engine
// and registry from tools/engine. A developer's repository (with a default-branch
// history and a merge-request branch) is cloned afresh for every pipeline, the
// CI variables are set as the CI sets them, and the GitLab jobs' script lines
// (and GitHub's run steps) are run as written in the templates. The CI APIs and
// the remote cache are small fakes on loopback (fake-services.ts).
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSharedEngine } from '../../engine/test/engine-cli.ts';
import { Workspace, sharedTemplate } from '../../../packages/nx-plugin/e2e/workspace.ts';
import { MANIFEST_TYPES } from '../../../packages/nx-plugin/src/registry/registry-http.ts';
import { closedPort } from '../../engine/test/closed-port.ts';
import { parse } from 'yaml';
import { CHILD_PIPELINE } from '../lib/fan-out.mjs';
import { startFakeCi, type FakeCi } from './fake-services.ts';
import { ciScriptFiles, jobEnv, runJobLines } from './ci-job.ts';
import { githubScriptLines, gitlabJobs } from './templates.ts';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const testScript = (name: string) => ({ test: `node -e "console.log('tested ${name}')"` });

const WORKSPACE: Record<string, string> = {
  'package.json': json({ name: 'ci-e2e', private: true, workspaces: ['images/*', 'services/*'] }),
  'nx.json': json({
    defaultBase: 'main',
    namedInputs: { default: ['{projectRoot}/**/*'], dockerImage: ['default'] },
    targetDefaults: { test: { cache: true } },
    plugins: ['@imagewise/nx-plugin'],
    sync: { globalGenerators: ['./tools/stamp/generators.json:stamp'] },
  }),
  // A sync generator of the workspace's own: out of sync while a STAMP file says anything but "ok".
  'tools/stamp/generators.json': json({ generators: { stamp: { factory: './stamp.cjs', schema: './schema.json', description: 'STAMP says ok' } } }),
  'tools/stamp/schema.json': json({ type: 'object', properties: {} }),
  'tools/stamp/stamp.cjs': [
    'module.exports = async (tree) => {',
    "  const stamp = tree.read('STAMP', 'utf8');",
    "  if (stamp !== null && stamp !== 'ok\\n') {",
    "    tree.write('STAMP', 'ok\\n');",
    "    return { outOfSyncMessage: 'STAMP must say ok' };",
    '  }',
    '};',
    '',
  ].join('\n'),
  'images/base/package.json': json({ name: 'base', version: '1.0.0', private: true, scripts: testScript('base') }),
  'images/base/Dockerfile': 'FROM debian:bookworm-slim\nCOPY b.txt /b.txt\n',
  'images/base/b.txt': 'base v1\n',
  'services/app/package.json': json({
    name: 'app',
    private: true,
    scripts: testScript('app'),
    nx: { targets: { 'docker:run': { options: { command: ['cat', '/b.txt', '/a.txt'] } } } },
  }),
  'services/app/Dockerfile': 'FROM base\nCOPY a.txt /a.txt\n',
  'services/app/a.txt': 'app v1\n',
  'services/other/package.json': json({ name: 'other', private: true, scripts: testScript('other') }),
  'services/other/Dockerfile': 'FROM debian:bookworm-slim\nCOPY o.txt /o.txt\n',
  'services/other/o.txt': 'other v1\n',
  ...ciScriptFiles(),
};

const IMAGES = ['app', 'base', 'other'];

describe('CI pipelines on the real engine and registry', () => {
  let engine: Record<string, string>;
  let namespace: string;
  let fake: FakeCi;
  let template: string;
  let dev: Workspace;
  const clones: string[] = [];
  const commits: Record<string, string> = {};
  const firstDigests: Record<string, string> = {};

  beforeAll(async () => {
    engine = await startSharedEngine();
    namespace = `ci-${Date.now().toString(36)}`;
    fake = await startFakeCi({ api: 'api-token', cacheReadWrite: 'cache-rw', cacheReadOnly: 'cache-ro' });
    template = sharedTemplate();
    dev = new Workspace(template, WORKSPACE);
    dev.env = { ...engine, IMAGEWISE_REGISTRY: registry() };
    dev.run('run-many', '-t', 'docker:lock');
    commits.c1 = commit('lock the upstream images');
  });
  afterAll(async () => {
    await fake?.close();
    for (const dir of clones) rmSync(dir, { recursive: true, force: true });
    dev?.dispose();
  });

  const registry = () => `${engine.IMAGEWISE_REGISTRY}/${namespace}`;

  function commit(message: string): string {
    dev.git('add', '-A');
    dev.git('commit', '-q', '-m', message);
    return dev.git('rev-parse', 'HEAD').trim();
  }

  /** A fresh clone at `sha`, detached as CI checks out; `shallow` clones main's tip only. */
  function checkout(sha: string, { shallow = false } = {}): string {
    const dir = mkdtempSync(join(tmpdir(), 'imagewise-ci-job-'));
    clones.push(dir);
    execFileSync('git', ['clone', '-q', ...(shallow ? ['--depth=1', '--branch=main'] : []), `file://${dev.root}`, dir]);
    execFileSync('git', ['checkout', '-q', '--detach', sha], { cwd: dir });
    symlinkSync(join(template, 'node_modules'), join(dir, 'node_modules'));
    return dir;
  }

  /** Shell lines as a CI job runs them, with the engine, this run's registry and the pipeline's variables. */
  const runLines = (lines: string[], dir: string, vars: Record<string, string>) =>
    runJobLines(lines, dir, jobEnv({ ...engine, IMAGEWISE_REGISTRY: registry(), ...vars }));

  /**
   * A job of .gitlab-ci.yml, by its script lines. The trigger job runs the child
   * pipeline `plan builds` wrote, its jobs one after another in the file's order
   * (level by level), each in a fresh clone as on its own runner, with what
   * GitLab gives a child pipeline: an id of its own, no merge-request variables,
   * the trigger job's variables. What each job built is gathered into `dir` for
   * the checks (GitLab's parent never sees it: child-pipeline.spec.ts runs a
   * child pipeline with gitlab-ci-local, in parallel, and deploy after it).
   */
  async function gitlabJob(name: string, dir: string, vars: Record<string, string>): Promise<{ code: number; log: string }> {
    const job = gitlabJobs()[name];
    if (!job.trigger) return runLines(job.script!, dir, vars);
    const plan = await gitlabJob('plan builds', dir, vars);
    if (plan.code !== 0) return plan;
    const passed = Object.fromEntries(Object.entries(job.variables ?? {}).map(([variable, value]) => [variable, vars[value.slice(1)] ?? '']));
    const inChild = Object.fromEntries(Object.entries(vars).filter(([variable]) => !variable.startsWith('CI_MERGE_REQUEST_')));
    const child = parse(readFileSync(join(dir, CHILD_PIPELINE), 'utf8')) as Record<string, { script?: string[]; variables?: Record<string, string> }>;
    let log = plan.log;
    for (const childJob of Object.values(child).filter((value) => value.script)) {
      const jobDir = checkout(vars.CI_COMMIT_SHA);
      const ran = await runLines(childJob.script!, jobDir, {
        ...inChild,
        CI_PIPELINE_SOURCE: 'parent_pipeline',
        CI_PIPELINE_ID: `${vars.CI_PIPELINE_ID}0`,
        ...passed,
        ...childJob.variables,
      });
      log += ran.log;
      if (ran.code !== 0) return { code: ran.code, log };
      for (const project of childJob.variables!.IMAGEWISE_PROJECTS.split(',')) {
        cpSync(join(jobDir, 'dist/images', project), join(dir, 'dist/images', project), { recursive: true });
      }
    }
    return { code: 0, log };
  }

  /** A job of the GitHub workflow, by its step that calls the script. */
  const githubStep = (job: string, dir: string, vars: Record<string, string>) => runLines(githubScriptLines('.github/workflows/ci.yml', job), dir, vars);

  /**
   * The GitHub build stage as Actions runs it: the plan job (its outputs through
   * GITHUB_OUTPUT), then each level job's matrix entries, level by level, each
   * in a fresh clone as on its own runner with IMAGEWISE_PROJECTS from its entry;
   * what each built is gathered into `dir` for the checks. Returns the matrices run.
   */
  async function githubBuildStage(dir: string, vars: Record<string, string>) {
    const outputFile = join(dir, '.github-output');
    const plan = await githubStep('plan-builds', dir, { ...vars, GITHUB_OUTPUT: outputFile });
    if (plan.code !== 0) return { ...plan, matrices: [] };
    const outputs = Object.fromEntries(
      readFileSync(outputFile, 'utf8')
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    let log = plan.log;
    const matrices: { name: string; projects: string }[][] = [];
    for (const level of [1, 2, 3, 4]) {
      if (!outputs[`level${level}`]) continue;
      const matrix = (JSON.parse(outputs[`level${level}`]) as { include: { name: string; projects: string }[] }).include;
      matrices.push(matrix);
      for (const entry of matrix) {
        const jobDir = checkout(vars.GITHUB_SHA);
        const ran = await githubStep(`build-level-${level}`, jobDir, { ...vars, IMAGEWISE_PROJECTS: entry.projects });
        log += ran.log;
        if (ran.code !== 0) return { code: ran.code, log, matrices };
        for (const project of entry.projects.split(',')) {
          cpSync(join(jobDir, 'dist/images', project), join(dir, 'dist/images', project), { recursive: true });
        }
      }
    }
    return { code: 0, log, matrices };
  }

  const cache = () => ({ IMAGEWISE_CACHE_URL: fake.url, IMAGEWISE_CACHE_TOKEN: 'cache-rw', IMAGEWISE_CACHE_READ_ONLY_TOKEN: 'cache-ro' });
  const gitlab = () => ({
    CI: 'true',
    GITLAB_CI: 'true',
    CI_DEFAULT_BRANCH: 'main',
    CI_API_V4_URL: `${fake.url}/api/v4`,
    CI_PROJECT_ID: '42',
    IMAGEWISE_GITLAB_API_TOKEN: fake.token,
    ...cache(),
  });
  const gitlabDefaultBranch = (sha: string, pipeline: string) => ({
    ...gitlab(),
    CI_PIPELINE_SOURCE: 'push',
    CI_COMMIT_BRANCH: 'main',
    CI_COMMIT_REF_NAME: 'main',
    CI_COMMIT_SHA: sha,
    CI_PIPELINE_ID: pipeline,
  });
  const gitlabMergeRequest = (sha: string, diffBase: string, pipeline: string) => ({
    ...gitlab(),
    CI_PIPELINE_SOURCE: 'merge_request_event',
    CI_MERGE_REQUEST_IID: '7',
    CI_MERGE_REQUEST_DIFF_BASE_SHA: diffBase,
    CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
    CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'feature',
    CI_COMMIT_REF_NAME: 'feature',
    CI_COMMIT_SHA: sha,
    CI_PIPELINE_ID: pipeline,
  });
  const github = () => ({
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    CI_DEFAULT_BRANCH: 'main',
    GITHUB_API_URL: fake.url,
    GITHUB_REPOSITORY: 'acme/platform',
    GITHUB_WORKFLOW_REF: 'acme/platform/.github/workflows/ci.yml@refs/heads/main',
    GITHUB_TOKEN: fake.token,
    GITHUB_RUN_ID: '555',
  });

  const metadata = (dir: string, project: string) => JSON.parse(readFileSync(join(dir, 'dist/images', project, 'metadata.json'), 'utf8'));
  const imagesWithMetadata = (dir: string) => readdirSync(join(dir, 'dist/images')).sort();
  const rebuilt = (dir: string) => imagesWithMetadata(dir).filter((project) => !metadata(dir, project).reused);
  // Nx quotes a target name with a colon: nx run app:"docker:run".
  const ran = (log: string, target: string) => IMAGES.filter((project) => log.includes(`nx run ${project}:${target.includes(':') ? `"${target}"` : target}`));

  async function tags(image: string): Promise<string[]> {
    const response = await fetch(`http://${engine.IMAGEWISE_REGISTRY}/v2/${namespace}/${image}/tags/list`);
    return response.status === 404 ? [] : (((await response.json()) as { tags: string[] | null }).tags ?? []);
  }
  async function digest(image: string, tag: string): Promise<string | undefined> {
    const response = await fetch(`http://${engine.IMAGEWISE_REGISTRY}/v2/${namespace}/${image}/manifests/${tag}`, {
      method: 'HEAD',
      headers: { Accept: MANIFEST_TYPES },
    });
    return response.ok ? (response.headers.get('docker-content-digest') ?? undefined) : undefined;
  }

  it('first default-branch pipeline: no green pipeline yet, so every project; all four jobs pass and the images get latest', async () => {
    const dir = checkout(commits.c1);
    const vars = gitlabDefaultBranch(commits.c1, '101');
    const logs: Record<string, string> = {};
    for (const job of ['validation', 'unit test', 'build images', 'deploy']) {
      const { code, log } = await gitlabJob(job, dir, vars);
      expect(code, `${job}:\n${log}`).toBe(0);
      logs[job] = log;
    }
    expect(logs.validation).toContain(`every project at head ${commits.c1} (no green pipeline on main yet)`);
    expect(logs.validation).not.toContain('warning');
    expect(ran(logs['unit test'], 'test'), logs['unit test']).toEqual(IMAGES);
    expect(rebuilt(dir)).toEqual(IMAGES);
    // The smoke runs: every image's docker:run; app's command ran in its image.
    expect(ran(logs['build images'], 'docker:run'), logs['build images']).toEqual(IMAGES);
    expect(logs['build images']).toContain('base v1\napp v1');

    for (const image of IMAGES) {
      expect(await tags(image), image).toEqual(expect.arrayContaining(['latest', 'pipeline-101', commits.c1.slice(0, 8)]));
      expect(
        (await tags(image)).some((tag) => tag.startsWith('mr-')),
        image,
      ).toBe(false);
      firstDigests[image] = (await digest(image, 'latest'))!;
    }
    const manifest = JSON.parse(readFileSync(join(dir, 'dist/deploy/manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ commit: commits.c1, branch: 'main', pipeline: '101' });
    expect(manifest.images.map((image: { project: string; reference: string }) => [image.project, image.reference])).toEqual(
      IMAGES.map((image) => [image, `${registry()}/${image}@${firstDigests[image]}`]),
    );
    // Nx used the remote cache, with the read-write token, and stored what it ran.
    const cacheRequests = fake.requests.filter((request) => request.path.startsWith('/v1/cache/'));
    expect(cacheRequests.some((request) => request.method === 'PUT' && request.status === 200)).toBe(true);
    expect(new Set(cacheRequests.map((request) => request.token))).toEqual(new Set(['cache-rw']));
    fake.green.set('main', [commits.c1]);
  });

  it("compares the default branch with the last green commit, so a red pipeline's changes are built again", async () => {
    dev.write({ 'services/other/o.txt': 'other v2\n' });
    commits.c2 = commit('other v2'); // its pipeline failed: never green
    dev.write({ 'services/app/a.txt': 'app v2\n' });
    commits.c3 = commit('app v2');
    const dir = checkout(commits.c3);
    const vars = gitlabDefaultBranch(commits.c3, '103');
    const test = await gitlabJob('unit test', dir, vars);
    expect(test.code, test.log).toBe(0);
    expect(test.log).toContain(`affected between base ${commits.c1} and head ${commits.c3} (last green pipeline on main)`);
    expect(ran(test.log, 'test'), test.log).toEqual(['app', 'other']);
    const build = await gitlabJob('build images', dir, vars);
    expect(build.code, build.log).toBe(0);
    // base's docker:build runs as app's dependency, in app's job, and reuses what the registry holds.
    expect(rebuilt(dir)).toEqual(['app', 'other']);
    expect(build.log).toContain(`/base:`);
    expect(build.log).toContain(` is in the registry (${firstDigests.base}): reused`);
    const deploy = await gitlabJob('deploy', dir, vars);
    expect(deploy.code, deploy.log).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, 'dist/deploy/manifest.json'), 'utf8'));
    expect(manifest.images.map((image: { project: string }) => image.project)).toEqual(['app', 'other']);
    fake.green.set('main', [commits.c3, commits.c1]);
  });

  it('merge request: only its images, from the diff base, tagged mr-<iid>, with the read-only cache; latest untouched', async () => {
    dev.git('checkout', '-q', '-b', 'feature');
    dev.write({ 'images/base/b.txt': 'base v2\n' });
    commits.f1 = commit('base v2');
    dev.git('checkout', '-q', 'main');
    dev.write({ 'services/other/o.txt': 'other v3\n' });
    commits.c4 = commit('other v3'); // main moves on after the branch left it
    const dir = checkout(commits.f1);
    const dockerConfig = mkdtempSync(join(tmpdir(), 'imagewise-ci-docker-config-'));
    clones.push(dockerConfig);
    const vars = {
      ...gitlabMergeRequest(commits.f1, commits.c3, '104'),
      IMAGEWISE_REGISTRY_USER: 'ci',
      IMAGEWISE_REGISTRY_PASSWORD: 'secret',
      DOCKER_CONFIG: dockerConfig,
    };
    const cacheSeen = fake.requests.length;

    const logs: Record<string, string> = {};
    for (const job of ['validation', 'unit test', 'build images']) {
      const { code, log } = await gitlabJob(job, dir, vars);
      expect(code, `${job}:\n${log}`).toBe(0);
      logs[job] = log;
    }
    expect(logs.validation).toContain(`affected between base ${commits.c3} and head ${commits.f1} (GitLab's merge-request diff base)`);
    expect(ran(logs['unit test'], 'test'), logs['unit test']).toEqual(['app', 'base']);
    expect(rebuilt(dir)).toEqual(['app', 'base']);
    expect(imagesWithMetadata(dir)).not.toContain('other');
    expect(logs['build images']).not.toContain('secret');

    expect(await tags('base')).toContain('mr-7');
    expect(await tags('app')).toContain('mr-7');
    expect(await tags('other')).not.toContain('mr-7');
    expect(await digest('base', 'mr-7')).toBe(metadata(dir, 'base').digest);
    expect(await digest('base', 'latest')).toBe(firstDigests.base);
    expect(JSON.parse(readFileSync(join(dockerConfig, 'config.json'), 'utf8')).auths).toHaveProperty([engine.IMAGEWISE_REGISTRY]);

    // Merge requests read the cache and may not write it: the 403s do not fail the jobs.
    const cacheRequests = fake.requests.slice(cacheSeen).filter((request) => request.path.startsWith('/v1/cache/'));
    expect(cacheRequests.length).toBeGreaterThan(0);
    expect(new Set(cacheRequests.map((request) => request.token))).toEqual(new Set(['cache-ro']));
    expect(cacheRequests.some((request) => request.method === 'PUT' && request.status === 403)).toBe(true);

    // The deploy job is not part of merge-request pipelines, and the script refuses it too.
    const deploy = await runLines(['node tools/ci/ci.mjs deploy'], dir, vars);
    expect(deploy.code).toBe(1);
    expect(deploy.log).toContain('ci: error: deploy runs on the default branch (main) only; this is a merge-request pipeline (GitLab merge request !7)');
  });

  it('fails validation when the workspace is out of sync', async () => {
    dev.git('checkout', '-q', 'feature');
    dev.write({ STAMP: 'stale\n' });
    commits.f2 = commit('a stale stamp');
    dev.git('checkout', '-q', 'main');
    const dir = checkout(commits.f2);
    const { code, log } = await gitlabJob('validation', dir, gitlabMergeRequest(commits.f2, commits.c3, '105'));
    expect(code).not.toBe(0);
    expect(log).toContain('STAMP must say ok');
    expect(log).toContain('ci: the workspace is out of sync: run `nx sync` and commit the result');
  });

  it('GitHub pull request: merge-base with origin/main; the registry already holds its images, which get mr-<number>', async () => {
    const dir = checkout(commits.f1);
    const vars = {
      ...github(),
      ...cache(),
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_REF: 'refs/pull/9/merge',
      GITHUB_BASE_REF: 'main',
      GITHUB_HEAD_REF: 'feature',
      GITHUB_SHA: commits.f1,
    };
    const build = await githubBuildStage(dir, vars);
    expect(build.code, build.log).toBe(0);
    expect(build.log).toContain(`affected between base ${commits.c3} and head ${commits.f1} (merge-base with main)`);
    // One matrix per graph level: the base, then the app built on it.
    expect(build.matrices).toEqual([[{ name: 'build base', projects: 'base' }], [{ name: 'build app', projects: 'app' }]]);
    expect(imagesWithMetadata(dir)).toEqual(['app', 'base']);
    expect(rebuilt(dir)).toEqual([]);
    expect(await tags('base')).toContain('mr-9');
    expect(await tags('app')).toContain('mr-9');
  });

  it('GitHub push: the last green workflow run, in a shallow clone deepened first; an unreachable API means every project and one warning', async () => {
    const dir = checkout(commits.c4, { shallow: true });
    const vars = { ...github(), GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main', GITHUB_REF_NAME: 'main', GITHUB_SHA: commits.c4 };
    const found = await runLines(['node tools/ci/ci.mjs range'], dir, vars);
    expect(found.code, found.log).toBe(0);
    expect(found.log).toContain('ci: the clone is shallow: fetching the whole history');
    expect(JSON.parse(found.log.trim().split('\n').pop()!)).toEqual({
      kind: 'default-branch',
      mode: 'affected',
      base: commits.c3,
      head: commits.c4,
      reason: 'last green pipeline on main',
    });
    expect(fake.requests.at(-1)).toMatchObject({
      path: expect.stringContaining('/repos/acme/platform/actions/workflows/ci.yml/runs?branch=main&event=push&status=success'),
      token: fake.token,
    });

    const api = `http://127.0.0.1:${await closedPort()}`;
    const unreachable = await runLines(['node tools/ci/ci.mjs unit-test'], dir, { ...vars, GITHUB_API_URL: api });
    expect(unreachable.code, unreachable.log).toBe(0);
    expect(unreachable.log.match(/^::warning::.*$/gm)).toEqual([
      `::warning::cannot find the last green pipeline on main: the GitHub Actions API (${api}, workflow ci.yml) did not answer (ECONNREFUSED); running every project`,
    ]);
    expect(ran(unreachable.log, 'test'), unreachable.log).toEqual(IMAGES);
  });
});
