import { describe, expect, it } from 'vitest';
import { formatLockFile } from '../lock/lock-file';
import { readImageProject, type ImageProjectFiles } from './image-project';

const DIGEST = `sha256:${'d'.repeat(64)}`;
const DOCKERFILE = 'services/notifier/Dockerfile';

const read = (files: Partial<ImageProjectFiles>) => readImageProject({ dockerfile: DOCKERFILE, dockerfileText: 'FROM node:18\n', ...files });

describe('readImageProject', () => {
  it('names the project and image after the Dockerfile directory when nothing else does', () => {
    const project = read({});
    expect(project).toMatchObject({
      root: 'services/notifier',
      dockerfile: DOCKERFILE,
      name: 'notifier',
      imageName: 'notifier',
      buildArgs: {},
      lock: {},
      problems: [],
    });
    expect(project.version).toBeUndefined();
    expect(project.analysis.imageUses.map((use) => use.value)).toEqual(['node:18']);
  });

  it('leaves the name to Nx when a project.json or package.json defines the project', () => {
    expect(read({ projectJsonText: '{"name": "notifier-svc"}' }).name).toBeUndefined();
    expect(read({ packageJsonText: '{"name": "@acme/notifier"}' }).name).toBeUndefined();
    // The image name still defaults to the directory.
    expect(read({ packageJsonText: '{"name": "@acme/notifier"}' }).imageName).toBe('notifier');
  });

  it('takes imageName and buildArgs from the docker:build options of project.json', () => {
    const project = read({
      dockerfileText: 'ARG BASE=node:18\nFROM ${BASE}\n',
      projectJsonText: JSON.stringify({ targets: { 'docker:build': { options: { imageName: 'acme/notifier', buildArgs: { BASE: 'node:20' } } } } }),
    });
    expect(project.imageName).toBe('acme/notifier');
    expect(project.buildArgs).toEqual({ BASE: 'node:20' });
    expect(project.analysis.imageUses.map((use) => use.value)).toEqual(['node:20']);
  });

  it('takes them from package.json nx.targets too, project.json winning option by option', () => {
    const packageJsonText = JSON.stringify({
      version: '2.3.4',
      nx: { targets: { 'docker:build': { options: { imageName: 'from-package', buildArgs: { A: '1' } } } } },
    });
    expect(read({ packageJsonText })).toMatchObject({ imageName: 'from-package', buildArgs: { A: '1' }, version: '2.3.4' });
    const projectJsonText = JSON.stringify({ targets: { 'docker:build': { options: { buildArgs: { B: '2' } } } } });
    expect(read({ packageJsonText, projectJsonText })).toMatchObject({ imageName: 'from-package', buildArgs: { B: '2' } });
  });

  it('keeps only string build args and string image names', () => {
    const projectJsonText = JSON.stringify({
      targets: { 'docker:build': { options: { imageName: 42, buildArgs: { A: 'a', B: 2, C: null, D: ['x'] } } } },
    });
    expect(read({ projectJsonText })).toMatchObject({ imageName: 'notifier', buildArgs: { A: 'a' } });
    expect(read({ projectJsonText: JSON.stringify({ targets: { 'docker:build': { options: { buildArgs: 'A=1' } } } }) }).buildArgs).toEqual({});
  });

  it('reads the version from package.json only, as a string', () => {
    expect(read({ packageJsonText: '{"version": "1.0.0"}' }).version).toBe('1.0.0');
    expect(read({ packageJsonText: '{"version": 1}' }).version).toBeUndefined();
    expect(read({ projectJsonText: '{"version": "1.0.0"}' }).version).toBeUndefined();
  });

  it('reads the locked digests', () => {
    const project = read({ lockText: formatLockFile({ upstream: { 'docker.io/library/node:18': DIGEST } }) });
    expect(project.lock).toEqual({ 'docker.io/library/node:18': DIGEST });
    expect(project.problems).toEqual([]);
  });

  it('reports an invalid lock file at its path and line, without repeating the path in the message', () => {
    const project = read({ lockText: '{\n  "upstream": {\n    "docker.io/library/node:18": "sha256:1"\n  }\n}\n' });
    expect(project.lock).toEqual({});
    expect(project.problems).toEqual([
      {
        file: 'services/notifier/imagewise.lock.json',
        line: 3,
        message: '"docker.io/library/node:18" has no valid sha256 digest; run the docker:lock target to refresh it',
      },
    ]);

    const [problem] = read({ lockText: '{\n  "upstream": {\n' }).problems;
    expect(problem.file).toBe('services/notifier/imagewise.lock.json');
    expect(problem.line).toBe(3);
    expect(problem.message).toMatch(/^is not valid JSON \(.+\); fix it or delete it and run the docker:lock target$/);
  });

  it('reports invalid project.json / package.json and goes on with defaults', () => {
    const project = read({ projectJsonText: '{"targets": ', packageJsonText: '{\n  "name": "x",\n  nope-secret-value\n}' });
    expect(project.imageName).toBe('notifier');
    expect(project.name).toBeUndefined();
    expect(project.problems.map((p) => [p.file, p.line])).toEqual([
      ['services/notifier/project.json', 1],
      ['services/notifier/package.json', 3],
    ]);
    expect(project.problems[0].message).toBe('is not valid JSON (value expected); fix it so its image settings apply');
    // Named by what is wrong and where, never by quoting the text.
    expect(project.problems[1].message).not.toContain('nope');
  });

  it('reports Dockerfile problems on their line, without the "line N:" prefix', () => {
    const project = read({ dockerfileText: 'FROM node:18\nFROM Node:18\n' });
    expect(project.problems).toHaveLength(1);
    expect(project.problems[0]).toMatchObject({ file: DOCKERFILE, line: 2 });
    expect(project.problems[0].message).not.toMatch(/^line \d+:/);
    expect(project.problems[0].message).toContain('Node:18');
  });

  it('turns .dockerignore into context inputs', () => {
    expect(read({}).contextInputs).toEqual(['{projectRoot}/**/*']);
    expect(read({ dockerignoreText: 'node_modules\n*.json\n' }).contextInputs).toEqual([
      '{projectRoot}/**/*',
      '!{projectRoot}/node_modules',
      '!{projectRoot}/node_modules/**',
    ]);
  });
});
