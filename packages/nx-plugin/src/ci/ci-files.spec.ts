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
});
