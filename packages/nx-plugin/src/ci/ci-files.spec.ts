import { describe, expect, it } from 'vitest';
import { githubLevels, gitlabChildPipeline } from './ci-files';
import type { BuildJob } from './fan-out';

const JOBS: BuildJob[] = [
  { name: 'build base', level: 0, projects: ['base'], needs: [] },
  { name: 'build level 1 batch 1', level: 1, projects: ['api', 'web'], needs: ['build base'] },
];

describe('gitlabChildPipeline', () => {
  it('gives each job its projects in a variable, its needs, and the shared hidden job', () => {
    expect(gitlabChildPipeline(JOBS, { script: 'node tools/ci/ci.mjs build-images', extends: '.imagewise build', include: ['.gitlab/build.yml'] })).toEqual({
      include: [{ local: '.gitlab/build.yml' }],
      stages: ['build'],
      'build base': {
        stage: 'build',
        extends: '.imagewise build',
        needs: [],
        variables: { IMAGEWISE_PROJECTS: 'base' },
        script: ['node tools/ci/ci.mjs build-images'],
      },
      'build level 1 batch 1': {
        stage: 'build',
        extends: '.imagewise build',
        needs: ['build base'],
        variables: { IMAGEWISE_PROJECTS: 'api,web' },
        script: ['node tools/ci/ci.mjs build-images'],
      },
    });
  });

  it('has one job saying so when nothing is affected: GitLab refuses a pipeline without jobs', () => {
    expect(gitlabChildPipeline([], { script: 'x' })).toEqual({
      stages: ['build'],
      'nothing to build': { stage: 'build', script: ['echo "imagewise: no image is affected"'] },
    });
  });
});

describe('githubLevels', () => {
  it('makes one matrix per graph level', () => {
    expect(githubLevels(JOBS)).toEqual({
      levels: [{ include: [{ name: 'build base', projects: 'base' }] }, { include: [{ name: 'build level 1 batch 1', projects: 'api,web' }] }],
    });
  });

  it('folds the levels from maxLevels on into one entry of the last level job, in level order', () => {
    const deep: BuildJob[] = [
      ...JOBS,
      { name: 'build worker', level: 2, projects: ['worker'], needs: ['build level 1 batch 1'] },
      { name: 'build cron', level: 2, projects: ['cron'], needs: ['build level 1 batch 1'] },
      { name: 'build report', level: 3, projects: ['report'], needs: ['build worker'] },
    ];
    expect(githubLevels(deep, 2).levels).toEqual([
      { include: [{ name: 'build base', projects: 'base' }] },
      { include: [{ name: 'build levels 1–3', projects: 'api,web,worker,cron,report' }] },
    ]);
    // One job at the last level is left as it is.
    expect(githubLevels(JOBS, 2)).toEqual(githubLevels(JOBS));
  });
});
