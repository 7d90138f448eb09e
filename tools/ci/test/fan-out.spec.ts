import { describe, expect, it } from 'vitest';
import { asParentPipeline, buildLevelsArgs, childJobProjects, childPipelineArgs, githubLevelOutputs } from '../lib/fan-out.mjs';

describe('the build stage as a child pipeline', () => {
  it('asks the plugin for the child pipeline of the affected images, in batches of IMAGEWISE_BATCH_SIZE', () => {
    expect(childPipelineArgs(['base', 'app'], { IMAGEWISE_BATCH_SIZE: '4' })).toEqual([
      'g',
      '@imagewise/nx-plugin:ci-pipeline',
      '--projects=base,app',
      '--batchSize=4',
      '--output=.imagewise/child-pipeline.yml',
      '--script=node tools/ci/ci.mjs build-images',
      '--extends=.imagewise build',
      '--include=.gitlab/imagewise-build.yml',
      '--no-interactive',
    ]);
    // No affected image: a list of none, not the generator's "every image".
    expect(childPipelineArgs([], {})).toContain('--projects=,');
    expect(childPipelineArgs([], {})).toContain('--batchSize=1');
    expect(() => childPipelineArgs([], { IMAGEWISE_BATCH_SIZE: '0' })).toThrow('IMAGEWISE_BATCH_SIZE must be a whole number of at least 1 (got "0")');
  });

  it('reads a child job’s projects; outside a child job there are none', () => {
    expect(childJobProjects({ IMAGEWISE_PROJECTS: 'a, b,' })).toEqual(['a', 'b']);
    expect(childJobProjects({})).toBeUndefined();
    expect(() => childJobProjects({ IMAGEWISE_PROJECTS: ' ,' })).toThrow('IMAGEWISE_PROJECTS is set but names no project');
  });

  it('gives a child job its parent pipeline’s id, source and merge request, which GitLab does not pass on', () => {
    const child = { CI_PIPELINE_ID: '900', CI_PIPELINE_SOURCE: 'parent_pipeline', CI_COMMIT_SHA: 'abc' };
    expect(
      asParentPipeline({
        ...child,
        IMAGEWISE_PARENT_PIPELINE_ID: '899',
        IMAGEWISE_PARENT_PIPELINE_SOURCE: 'merge_request_event',
        IMAGEWISE_PARENT_MERGE_REQUEST_IID: '7',
      }),
    ).toMatchObject({ CI_PIPELINE_ID: '899', CI_PIPELINE_SOURCE: 'merge_request_event', CI_MERGE_REQUEST_IID: '7', CI_COMMIT_SHA: 'abc' });
    expect(asParentPipeline({ ...child, IMAGEWISE_PARENT_MERGE_REQUEST_IID: '$CI_MERGE_REQUEST_IID' }).CI_MERGE_REQUEST_IID).toBeUndefined();
    // A parent that is no merge request passes an empty IID: nothing is set.
    expect(asParentPipeline({ ...child, IMAGEWISE_PARENT_PIPELINE_ID: '899', IMAGEWISE_PARENT_MERGE_REQUEST_IID: '' })).toEqual({
      ...child,
      CI_PIPELINE_ID: '899',
      IMAGEWISE_PARENT_PIPELINE_ID: '899',
      IMAGEWISE_PARENT_MERGE_REQUEST_IID: '',
    });
  });
});

describe('the GitHub plan', () => {
  it('asks the generator for matrices per level, as many as the workflow has level jobs', () => {
    expect(buildLevelsArgs(['base', 'app'], {})).toEqual([
      'g',
      '@imagewise/nx-plugin:ci-pipeline',
      '--projects=base,app',
      '--batchSize=1',
      '--format=github',
      '--output=.imagewise/build-levels.json',
      '--maxLevels=4',
      '--no-interactive',
    ]);
  });

  it('gives each level job its matrix as an output, empty where the level has nothing to build', () => {
    const plan = { levels: [{ include: [{ name: 'build base', projects: 'base' }] }, { include: [{ name: 'build app', projects: 'app' }] }] };
    expect(githubLevelOutputs(plan)).toEqual([
      'level1={"include":[{"name":"build base","projects":"base"}]}',
      'level2={"include":[{"name":"build app","projects":"app"}]}',
      'level3=',
      'level4=',
    ]);
    expect(githubLevelOutputs({ levels: [] })).toEqual(['level1=', 'level2=', 'level3=', 'level4=']);
  });
});
