import { describe, expect, it } from 'vitest';
import { readImageProject } from './image-project';
import { nameImageProjects, uniqueNames } from './project-names';

const image = (dockerfile: string, files: { projectJsonText?: string; packageJsonText?: string } = {}) =>
  readImageProject({ dockerfile, dockerfileText: 'FROM scratch\n', ...files });

describe('uniqueNames', () => {
  it("takes the directory's name where no other root has it", () => {
    expect(uniqueNames(['images/node-base', 'services/notifier'], [])).toEqual(
      new Map([
        ['images/node-base', 'node-base'],
        ['services/notifier', 'notifier'],
      ]),
    );
  });

  it('tells directories of one name apart by as many trailing segments as it takes', () => {
    const names = uniqueNames(['images/x/amd64', 'images/y/amd64', 'services/cuda/12/amd64', 'services/cuda/11/amd64', 'images/arm64'], []);
    expect(names).toEqual(
      new Map([
        ['images/x/amd64', 'x-amd64'],
        ['images/y/amd64', 'y-amd64'],
        ['services/cuda/12/amd64', '12-amd64'],
        ['services/cuda/11/amd64', '11-amd64'],
        ['images/arm64', 'arm64'],
      ]),
    );
    expect(new Set(names.values()).size).toBe(names.size);
  });

  it('never takes a name set explicitly', () => {
    expect(uniqueNames(['images/api', 'services/web'], ['api'])).toEqual(
      new Map([
        ['images/api', 'images-api'],
        ['services/web', 'web'],
      ]),
    );
  });
});

describe('nameImageProjects', () => {
  it('gives colliding directories unique project and image names, and keeps declared ones', () => {
    const named = nameImageProjects([
      image('images/x/amd64/Dockerfile'),
      image('images/y/amd64/Dockerfile'),
      image('services/z/amd64/Dockerfile', {
        projectJsonText: JSON.stringify({ name: 'z-on-amd64', targets: { 'docker:build': { options: { imageName: 'acme/z' } } } }),
      }),
    ]);
    expect(named.map((p) => [p.name, p.imageName])).toEqual([
      ['x-amd64', 'x-amd64'],
      ['y-amd64', 'y-amd64'],
      [undefined, 'acme/z'],
    ]);
  });

  it('changes nothing, and copies nothing, where names are unique already', () => {
    const projects = [image('images/node-base/Dockerfile'), image('services/notifier/Dockerfile')];
    const named = nameImageProjects(projects);
    expect(named[0]).toBe(projects[0]);
    expect(named.map((p) => p.name)).toEqual(['node-base', 'notifier']);
  });

  it("names a secondary image after its project's image and its key, lowercase, unless its own target sets one", () => {
    const projectJsonText = JSON.stringify({ targets: { 'docker:build:cron': { options: { imageName: 'acme/cron' } } } });
    const secondary = (dockerfile: string, key: string, files = {}) =>
      readImageProject({ dockerfile, key, buildTarget: `docker:build:${key}`, dockerfileText: 'FROM scratch\n', ...files });
    const named = nameImageProjects([
      image('images/x/amd64/Dockerfile'),
      secondary('images/x/amd64/Dockerfile.Worker', 'Worker'),
      image('images/y/amd64/Dockerfile', { projectJsonText }),
      secondary('images/y/amd64/cron.Dockerfile', 'cron', { projectJsonText }),
    ]);
    expect(named.map((p) => p.imageName)).toEqual(['x-amd64', 'x-amd64-worker', 'y-amd64', 'acme/cron']);
    // One project however many images: both images of a directory carry its one name.
    expect(named[0].name).toBe(named[1].name);
  });

  it("names a variant's secondary image after the variant, since the variant shares its outer image's repository", () => {
    const named = nameImageProjects([
      image('images/x/Dockerfile'),
      image('images/x/cuda/Dockerfile'),
      readImageProject({ dockerfile: 'images/x/cuda/Dockerfile.worker', key: 'worker', buildTarget: 'docker:build:worker', dockerfileText: 'FROM scratch\n' }),
    ]);
    expect(named.map((p) => p.imageName)).toEqual(['x', 'x', 'x-cuda-worker']);
  });
});

describe('nameImageProjects: variants', () => {
  const schemes = (projects: ReturnType<typeof image>[]) => nameImageProjects(projects).map((p) => `${p.root} ${p.name ?? '-'} ${p.imageName} ${p.tagScheme}`);

  it("makes an image directory inside another's a variant of its image, the directory's name before the version", () => {
    expect(
      schemes([image('images/x/Dockerfile'), image('images/x/cuda/Dockerfile'), image('images/x/cuda/12/Dockerfile'), image('images/y/Dockerfile')]),
    ).toEqual(['images/x x x {version}', 'images/x/cuda cuda x cuda-{version}', 'images/x/cuda/12 12 x cuda-12-{version}', 'images/y y y {version}']);
  });

  it("builds on the outer image's own name and scheme, and infers nothing for a directory that sets imageName or tagScheme", () => {
    const outer = image('images/x/Dockerfile', {
      projectJsonText: JSON.stringify({ targets: { 'docker:build': { options: { imageName: 'team/x', tagScheme: '{version}-{OS}' } } } }),
    });
    const named = image('images/x/slim/Dockerfile', { projectJsonText: JSON.stringify({ targets: { 'docker:build': { options: { imageName: 'x-slim' } } } }) });
    const schemed = image('images/x/alpine/Dockerfile', {
      projectJsonText: JSON.stringify({ targets: { 'docker:build': { options: { tagScheme: 'musl-' } } } }),
    });
    expect(schemes([outer, image('images/x/cuda/Dockerfile'), named, schemed])).toEqual([
      'images/x - team/x {version}-{OS}',
      'images/x/cuda cuda team/x cuda-{version}-{OS}',
      'images/x/slim - x-slim {version}',
      'images/x/alpine - alpine musl-{version}',
    ]);
  });
});
