import { describe, expect, it } from 'vitest';
import { dockerfileKey, dockerfilesByDirectory, dockerignoreOf, imagesOfDirectory } from './dockerfile-names';

describe('dockerfileKey', () => {
  it('makes Dockerfile and Containerfile the primary image, Dockerfile.<key> and <key>.Dockerfile keyed images', () => {
    expect(dockerfileKey('Dockerfile')).toBe('');
    expect(dockerfileKey('Containerfile')).toBe('');
    expect(dockerfileKey('Dockerfile.worker')).toBe('worker');
    expect(dockerfileKey('api.Dockerfile')).toBe('api');
  });

  it('takes no ignore file, and no name without a key, for an image', () => {
    expect(dockerfileKey('Dockerfile.dockerignore')).toBeUndefined();
    expect(dockerfileKey('x.Dockerfile.dockerignore')).toBeUndefined();
    expect(dockerfileKey('Dockerfile.worker.dockerignore')).toBeUndefined();
    expect(dockerfileKey('.Dockerfile')).toBeUndefined();
    expect(dockerfileKey('Dockerfile.')).toBeUndefined();
    expect(dockerfileKey('README.md')).toBeUndefined();
  });
});

describe('dockerfilesByDirectory', () => {
  it('groups the Dockerfiles by directory and leaves out ignore files', () => {
    const paths = ['Dockerfile', 'a/Dockerfile', 'a/Dockerfile.dockerignore', 'a/x.Dockerfile.dockerignore', 'a/x.Dockerfile', 'b/c/Containerfile'];
    expect(dockerfilesByDirectory(paths)).toEqual(
      new Map([
        ['.', ['Dockerfile']],
        ['a', ['Dockerfile', 'x.Dockerfile']],
        ['b/c', ['Containerfile']],
      ]),
    );
  });
});

describe('dockerignoreOf', () => {
  it('takes <Dockerfile>.dockerignore over .dockerignore, as BuildKit does', () => {
    const files = new Set(['.dockerignore', 'Dockerfile.worker.dockerignore', 'api.Dockerfile.dockerignore']);
    const exists = (file: string) => files.has(file);
    expect(dockerignoreOf('Dockerfile.worker', exists)).toBe('Dockerfile.worker.dockerignore');
    expect(dockerignoreOf('api.Dockerfile', exists)).toBe('api.Dockerfile.dockerignore');
    expect(dockerignoreOf('Dockerfile', exists)).toBe('.dockerignore');
  });
});

describe('imagesOfDirectory', () => {
  it('gives a directory with one Dockerfile, whatever its name, one image built by docker:build', () => {
    for (const name of ['Dockerfile', 'Containerfile', 'Dockerfile.prod', 'api.Dockerfile']) {
      expect(imagesOfDirectory('services/api', [name], new Set())).toEqual({
        images: [{ dockerfile: `services/api/${name}`, key: '', dockerignore: '.dockerignore', buildTarget: 'docker:build' }],
        problems: [],
      });
    }
  });

  it('gives each of several images a target, the primary first; each takes its own ignore file where there is one', () => {
    const { images, problems } = imagesOfDirectory(
      '.',
      ['Dockerfile.worker', 'cron.Dockerfile', 'Dockerfile'],
      new Set(['Dockerfile.worker.dockerignore', '.dockerignore']),
    );
    expect(problems).toEqual([]);
    expect(images).toEqual([
      { dockerfile: 'Dockerfile', key: '', dockerignore: '.dockerignore', buildTarget: 'docker:build:primary' },
      { dockerfile: 'Dockerfile.worker', key: 'worker', dockerignore: 'Dockerfile.worker.dockerignore', buildTarget: 'docker:build:worker' },
      { dockerfile: 'cron.Dockerfile', key: 'cron', dockerignore: '.dockerignore', buildTarget: 'docker:build:cron' },
    ]);
  });

  it('makes the Dockerfile primary beside a Containerfile, which keeps a key of its own', () => {
    const { images } = imagesOfDirectory('a', ['Containerfile', 'Dockerfile'], new Set());
    expect(images.map(({ dockerfile, key }) => [dockerfile, key])).toEqual([
      ['a/Dockerfile', ''],
      ['a/Containerfile', 'containerfile'],
    ]);
  });

  it('has no primary image among keyed Dockerfiles alone, and reports two files that make one key', () => {
    const { images, problems } = imagesOfDirectory('a', ['x.Dockerfile', 'Dockerfile.x', 'y.Dockerfile', 'Dockerfile.primary'], new Set());
    expect(images.map((image) => image.buildTarget)).toEqual(['docker:build:x', 'docker:build:y']);
    expect(problems).toEqual([
      {
        file: 'a/Dockerfile.primary',
        line: 0,
        message: `makes image "primary" of a, which names the primary image's own target; rename it so each image has its own key`,
      },
      { file: 'a/x.Dockerfile', line: 0, message: 'makes image "x" of a, as Dockerfile.x does; rename it so each image has its own key' },
    ]);
  });
});
