// createNodesV2 for a project with several Dockerfiles: a target per image,
// each with its own ignore file, and the project's docker:build over them all.
import { describe, expect, it } from 'vitest';
import { createNodesV2 } from './plugin';
import { projectOf, tempWorkspacePerTest } from './temp-workspace.test-helpers';

const workspace = tempWorkspacePerTest('imagewise-plugin-images-');

const run = (dockerfiles: string[]) =>
  createNodesV2[1](
    dockerfiles,
    { dockerfiles: ['services/**'] },
    { workspaceRoot: workspace.root, nxJsonConfiguration: { namedInputs: { dockerImage: ['default'] } } },
  );

describe('several images in one directory', () => {
  const FILES = {
    'services/api/Dockerfile': 'FROM scratch\n',
    'services/api/Dockerfile.worker': 'ARG REGISTRY=localhost\nFROM ${REGISTRY}/api\n',
    'services/api/Dockerfile.worker.dockerignore': 'fixtures\n',
    'services/api/.dockerignore': 'docs\n',
    'services/api/cron.Dockerfile': 'FROM web:0.9.0\n',
    'services/api/project.json': JSON.stringify({ targets: { 'docker:build:cron': { options: { imageName: 'acme/cron' } } } }),
    'services/web/Dockerfile': 'FROM api-worker\n',
  };
  const DOCKERFILES = ['services/api/Dockerfile', 'services/api/Dockerfile.worker', 'services/api/cron.Dockerfile', 'services/web/Dockerfile'];

  it('gives each image its own target, ordered by its FROMs, and docker:build builds them all', async () => {
    workspace.write(FILES);
    const results = await run([...DOCKERFILES, 'services/api/Dockerfile.worker.dockerignore']);
    expect(results.map(([file]) => file)).toEqual(['services/api/Dockerfile', 'services/web/Dockerfile']);
    const api = projectOf(results[0][1], 'services/api');
    expect(api.targets!['docker:build']).toEqual({ executor: 'nx:noop', dependsOn: ['docker:build:primary', 'docker:build:worker', 'docker:build:cron'] });
    expect(api.targets!['docker:build:worker']).toMatchObject({
      executor: '@imagewise/nx-plugin:build',
      dependsOn: ['^docker:build', 'build', '^pack', 'docker:build:primary'],
      // Its own ignore file, not .dockerignore, decides its inputs.
      inputs: ['{projectRoot}/**/*', '!{projectRoot}/fixtures', '!{projectRoot}/fixtures/**', '^dockerImage', { externalDependencies: [] }],
      outputs: ['{workspaceRoot}/dist/images/{projectName}/worker/metadata.json'],
    });
    expect(api.targets!['docker:build:primary']).toMatchObject({
      dependsOn: ['^docker:build', 'build', '^pack'],
      inputs: ['{projectRoot}/**/*', '!{projectRoot}/docs', '!{projectRoot}/docs/**', '^dockerImage', { externalDependencies: [] }],
      outputs: ['{workspaceRoot}/dist/images/{projectName}/metadata.json'],
    });
    // What reaches any image, for dependents: only the exclusions all of them share.
    expect(api.namedInputs!.dockerImage).toEqual(['{projectRoot}/**/*']);
    expect(api.metadata.imagewise).toMatchObject({
      imageName: 'api',
      dockerfile: 'services/api/Dockerfile',
      baseImages: [],
      // A pin in another image than the primary names its Dockerfile, for docker:drift.
      pinnedImages: [{ root: 'services/web', pin: '0.9.0', line: 1, dockerfile: 'services/api/cron.Dockerfile' }],
      images: [
        { key: '', dockerfile: 'services/api/Dockerfile', imageName: 'api', buildTarget: 'docker:build:primary' },
        { key: 'worker', dockerfile: 'services/api/Dockerfile.worker', imageName: 'api-worker', buildTarget: 'docker:build:worker' },
        { key: 'cron', dockerfile: 'services/api/cron.Dockerfile', imageName: 'acme/cron', buildTarget: 'docker:build:cron' },
      ],
    });
    expect(api.metadata.imagewise).not.toHaveProperty('problems');
    // Another project building FROM a secondary image depends on the project; the project is a base image.
    expect(api.tags).toEqual(['type:base-image']);
    expect(projectOf(results[1][1], 'services/web').metadata.imagewise.baseImages).toEqual(['services/api']);
  });

  it("reports options of docker:build, which builds no image once there are several, on the project's file", async () => {
    workspace.write({ ...FILES, 'services/api/project.json': JSON.stringify({ targets: { 'docker:build': { options: { imageName: 'acme/api' } } } }) });
    const [[, result]] = await run(DOCKERFILES);
    expect(projectOf(result, 'services/api').metadata.imagewise.problems).toEqual([
      'services/api/project.json: sets options of docker:build, which builds no image itself now that services/api has several images; move them to docker:build:primary (the primary image) or to the image target they are for',
    ]);
  });
});
