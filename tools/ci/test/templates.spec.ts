// The CI templates parse, and every job calls tools/ci/ci.mjs with its stage,
// after a full-history checkout. (pipelines.spec.ts runs the GitLab jobs' script lines.)
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MANIFEST_PATH } from '../lib/deployment.mjs';
import { BUILD_JOB, BUILD_JOB_FILE, CHILD_PIPELINE } from '../lib/fan-out.mjs';
import { STAGES } from '../lib/stages.mjs';
import { gitlabJobs, readTemplate as read } from './templates.ts';

const script = (stage: string) => `node tools/ci/ci.mjs ${stage}`;

describe('.gitlab-ci.yml', () => {
  const config = read('.gitlab-ci.yml');
  const jobs = gitlabJobs();

  it('has the four stages and the scheduled refresh, calling the script with the stage (the build stage through a child pipeline)', () => {
    expect(config.stages).toEqual(['validation', 'unit test', 'build images', 'deploy', 'refresh locks']);
    for (const stage of config.stages as string[]) {
      const inStage = Object.entries(jobs).filter(([, job]) => job.stage === stage && job.script);
      expect(inStage, stage).toHaveLength(1);
      const scriptStage = stage === 'build images' ? 'plan-builds' : stage.replace(' ', '-');
      expect(STAGES).toContain(scriptStage);
      expect(inStage[0][1].script).toEqual([script(scriptStage)]);
    }
  });

  it('clones the whole history and installs the workspace before each job', () => {
    expect(config.variables.GIT_DEPTH).toBe('0');
    expect(config.default.before_script).toEqual(['npm ci --prefer-offline --no-audit --no-fund']);
  });

  it('runs merge-request pipelines and default-branch pipelines', () => {
    expect(config.workflow.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }, { if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }]);
  });

  it('runs the jobs in the ci-toolbox image from the workspace registry, overridable by a variable', () => {
    expect(config.default.image).toBe('$IMAGEWISE_CI_IMAGE');
    // The release the workspace builds now: nx release bumps images/ci-toolbox, and this must follow.
    const toolbox = JSON.parse(readFileSync(new URL('../../../images/ci-toolbox/package.json', import.meta.url), 'utf8')).version;
    expect(config.variables.IMAGEWISE_CI_IMAGE).toBe(`$IMAGEWISE_REGISTRY/ci-toolbox:${toolbox}`);
    for (const workflow of ['ci.yml', 'refresh-locks.yml']) {
      for (const job of Object.values(read(`.github/workflows/${workflow}`).jobs as Record<string, { container: { image: string } }>)) {
        expect(job.container.image, workflow).toContain(`'{0}/ci-toolbox:${toolbox}'`);
      }
    }
  });

  it('plans the build stage as a child pipeline and triggers it, passing the parent pipeline on', () => {
    expect(jobs['plan builds'].artifacts?.paths).toEqual([CHILD_PIPELINE]);
    const trigger = jobs['build images'];
    expect(trigger.needs).toEqual(['plan builds']);
    expect(trigger.trigger).toEqual({ include: [{ artifact: CHILD_PIPELINE, job: 'plan builds' }], strategy: 'depend' });
    expect(trigger.variables).toEqual({
      IMAGEWISE_PARENT_PIPELINE_ID: '$CI_PIPELINE_ID',
      IMAGEWISE_PARENT_PIPELINE_SOURCE: '$CI_PIPELINE_SOURCE',
      IMAGEWISE_PARENT_MERGE_REQUEST_IID: '$CI_MERGE_REQUEST_IID',
    });
  });

  it('gives each child build job a Docker daemon of its own, over mutual TLS, and keeps what it built', () => {
    const build = read(BUILD_JOB_FILE)[BUILD_JOB];
    expect(build.image).toBe(config.default.image);
    expect(build.before_script).toEqual(config.default.before_script);
    expect(build.services).toEqual([{ name: expect.stringMatching(/^docker:[\w.-]*dind$/), alias: 'docker' }]);
    // GitLab's default DOCKER_TLS_CERTDIR: dind serves TLS on 2376 only, the client certificates under /certs/client.
    expect(build.variables).toEqual({
      DOCKER_HOST: 'tcp://docker:2376',
      DOCKER_TLS_CERTDIR: '/certs',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: '/certs/client',
    });
    expect(build.artifacts?.paths).toEqual(['dist/images/']);
  });

  it('deploys on the default branch only (not from a schedule), from the build job, keeping the manifest', () => {
    const deploy = jobs.deploy;
    expect(deploy.rules).toEqual([{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE != "schedule"' }]);
    expect(deploy.needs).toEqual(['build images']);
    expect(deploy.artifacts?.paths).toEqual([MANIFEST_PATH]);
  });

  it('runs only the lock refresh in scheduled pipelines, and never in the others', () => {
    for (const name of ['validation', 'unit test', 'plan builds', 'build images'])
      expect(jobs[name].rules, name).toEqual([{ if: '$CI_PIPELINE_SOURCE != "schedule"' }]);
    expect(jobs['refresh locks'].rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "schedule" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }]);
    expect(jobs['refresh locks'].services).toBeUndefined();
  });
});

describe('.github/workflows/ci.yml', () => {
  const workflow = read('.github/workflows/ci.yml');
  const jobs = workflow.jobs as Record<
    string,
    {
      needs?: string | string[];
      if?: string;
      outputs: Record<string, string>;
      container: { image: string };
      steps: { uses?: string; run?: string; with?: Record<string, unknown> }[];
    }
  >;

  it('runs on pushes to the default branch and on pull requests, allowed to read Actions runs', () => {
    expect(workflow.on).toEqual({ push: { branches: ['main'] }, pull_request: null });
    expect(workflow.permissions).toEqual({ contents: 'read', actions: 'read' });
  });

  const LEVELS = ['build-level-1', 'build-level-2', 'build-level-3', 'build-level-4'];
  const stageOf = (job: string) => (LEVELS.includes(job) ? 'build-images' : job);

  it('has one job per stage (the build stage as a plan and one job per graph level), each checking out the whole history and calling the script', () => {
    expect(Object.keys(jobs)).toEqual(['validation', 'unit-test', 'plan-builds', ...LEVELS, 'deploy']);
    expect([jobs['unit-test'].needs, jobs['plan-builds'].needs, jobs['build-level-1'].needs]).toEqual(['validation', 'unit-test', 'plan-builds']);
    expect(jobs.deploy.needs).toEqual(['plan-builds', ...LEVELS]);
    for (const [name, job] of Object.entries(jobs)) {
      const stage = stageOf(name);
      expect(STAGES).toContain(stage);
      const steps = job.steps;
      const checkout = steps.findIndex((step) => step.uses?.startsWith('actions/checkout@'));
      const install = steps.findIndex((step) => step.run?.startsWith('npm ci'));
      const run = steps.findIndex((step) => step.run === script(stage));
      expect(steps[checkout].with, name).toEqual({ 'fetch-depth': 0 });
      expect(checkout < install && install < run, `${name}: checkout, npm ci, then the script`).toBe(true);
      expect(job.container.image).toContain("format('{0}/ci-toolbox:");
    }
  });

  it("runs each level's matrix from the plan's output, after the level before, and skips a level with nothing to build", () => {
    const levels = jobs as unknown as Record<string, { needs: string | string[]; if: string; strategy: { matrix: string }; env: Record<string, string> }>;
    LEVELS.forEach((name, i) => {
      const output = `needs.plan-builds.outputs.level${i + 1}`;
      expect(jobs['plan-builds'].outputs[`level${i + 1}`]).toBe(`\${{ steps.plan.outputs.level${i + 1} }}`);
      expect(levels[name].strategy.matrix).toBe(`\${{ fromJSON(${output} || '{}') }}`);
      expect(levels[name].if).toContain(`${output} != ''`);
      expect(levels[name].env.IMAGEWISE_PROJECTS).toBe('${{ matrix.projects }}');
      if (i > 0) expect(levels[name].needs).toEqual(['plan-builds', LEVELS[i - 1]]);
      // A level after a skipped one still runs; after a failed one it does not.
      if (i > 0) expect(levels[name].if).toContain('!failure() && !cancelled()');
    });
  });

  it('passes the CI variables the script and the plugin read', () => {
    expect(workflow.env).toMatchObject({
      CI_DEFAULT_BRANCH: '${{ github.event.repository.default_branch }}',
      GITHUB_TOKEN: '${{ github.token }}',
      IMAGEWISE_REGISTRY: '${{ vars.IMAGEWISE_REGISTRY }}',
      IMAGEWISE_CACHE_URL: '${{ vars.IMAGEWISE_CACHE_URL }}',
      IMAGEWISE_CACHE_TOKEN: "${{ github.event_name == 'push' && secrets.IMAGEWISE_CACHE_TOKEN || '' }}",
      IMAGEWISE_CACHE_READ_ONLY_TOKEN: '${{ secrets.IMAGEWISE_CACHE_READ_ONLY_TOKEN }}',
    });
  });

  it('hands the build metadata to deploy, which runs on default-branch pushes only and keeps the manifest', () => {
    for (const level of LEVELS) {
      const upload = jobs[level].steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
      expect(upload?.with).toMatchObject({ name: 'images-${{ github.job }}-${{ strategy.job-index }}', path: 'dist/images/' });
    }
    expect(jobs.deploy.if).toBe(
      "${{ !failure() && !cancelled() && github.event_name == 'push' && github.ref_name == github.event.repository.default_branch }}",
    );
    const download = jobs.deploy.steps.findIndex((step) => step.uses?.startsWith('actions/download-artifact@'));
    const run = jobs.deploy.steps.findIndex((step) => step.run === script('deploy'));
    expect(jobs.deploy.steps[download].with).toEqual({ pattern: 'images-*', 'merge-multiple': true, path: 'dist/images/' });
    expect(download).toBeLessThan(run);
    expect(jobs.deploy.steps.at(-1)?.with).toMatchObject({ path: MANIFEST_PATH });
  });
});

describe('.github/workflows/refresh-locks.yml', () => {
  const workflow = read('.github/workflows/refresh-locks.yml');
  const steps = workflow.jobs['refresh-locks'].steps as { uses?: string; run?: string; with?: Record<string, unknown> }[];

  it('runs on a schedule (and by hand), allowed to push a branch and open a pull request', () => {
    expect(Object.keys(workflow.on)).toEqual(['schedule', 'workflow_dispatch']);
    expect(workflow.on.schedule).toEqual([{ cron: expect.stringMatching(/^\S+ \S+ \S+ \S+ \S+$/) }]);
    expect(workflow.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
    expect(Object.keys(workflow.jobs)).toEqual(['refresh-locks']);
  });

  it('checks out the whole history without persisted credentials, installs, then calls the script', () => {
    const checkout = steps.findIndex((step) => step.uses?.startsWith('actions/checkout@'));
    const install = steps.findIndex((step) => step.run?.startsWith('npm ci'));
    const run = steps.findIndex((step) => step.run === script('refresh-locks'));
    expect(steps[checkout].with).toEqual({ 'fetch-depth': 0, 'persist-credentials': false });
    expect(checkout < install && install < run).toBe(true);
  });

  it('passes the tokens and the default branch, which a schedule event does not carry', () => {
    expect(workflow.env).toMatchObject({
      CI_DEFAULT_BRANCH: '${{ github.event.repository.default_branch || github.ref_name }}',
      GITHUB_TOKEN: '${{ github.token }}',
      IMAGEWISE_BOT_TOKEN: '${{ secrets.IMAGEWISE_BOT_TOKEN }}',
    });
  });
});
