import dockerignore from '@balena/dockerignore';
import { minimatch } from 'minimatch';
import { describe, expect, it } from 'vitest';
import { contextInputs, parseDockerignore } from './dockerignore';

/** What Nx would take as inputs: a positive glob matches and no negative one does. */
function selected(inputs: string[], path: string): boolean {
  const match = (glob: string) => minimatch(`ROOT/${path}`, glob.replace('{projectRoot}', 'ROOT'), { dot: true });
  const negatives = inputs.filter((glob) => glob.startsWith('!')).map((glob) => glob.slice(1));
  const positives = inputs.filter((glob) => !glob.startsWith('!'));
  return positives.some(match) && !negatives.some(match);
}

const PATHS = [
  'Dockerfile',
  '.dockerignore',
  'package.json',
  'src/index.ts',
  'src/index.spec.ts',
  'src/deep/util.ts',
  'node_modules/a/index.js',
  'dist/main.js',
  'README.md',
  'docs/guide.md',
  'docs/keep.md',
  '.env',
  'test/fixtures/data.json',
];

const CORPUS = [
  '',
  'node_modules',
  'node_modules\ndist\n*.md',
  '# comment\n\n**/*.spec.ts\n.env',
  '/dist/\n./docs',
  '*\n!package.json\n!src',
  '*.md\n!README.md',
  'docs\n!docs/keep.md\ntest',
  '**\n!Dockerfile\n!src/**/*.ts\nsrc/**/*.spec.ts',
  'src/deep/../index.ts',
];

describe('.dockerignore as Nx inputs', () => {
  it.each(CORPUS)('never leaves out a file Docker sends (%j)', (text) => {
    const docker = dockerignore().add(text);
    const inputs = contextInputs(text).inputs;
    for (const path of PATHS) {
      if (!docker.ignores(path)) expect(selected(inputs, path), path).toBe(true);
    }
  });

  it('excludes exactly what a pattern list without exceptions ignores', () => {
    const text = 'node_modules\ndist\n*.md\n**/*.spec.ts\n.env';
    const docker = dockerignore().add(text);
    const inputs = contextInputs(text).inputs;
    for (const path of PATHS.filter((p) => p !== 'Dockerfile' && p !== '.dockerignore')) {
      expect(selected(inputs, path), path).toBe(!docker.ignores(path));
    }
  });

  it('keeps exclusions that come after the last exception', () => {
    expect(contextInputs('*.md\n!README.md\ntest').inputs).toEqual(['{projectRoot}/**/*', '!{projectRoot}/test', '!{projectRoot}/test/**']);
  });

  it('translates a text once but gives each caller its own array, which Nx may grow in place', () => {
    const first = contextInputs('node_modules\n*.md\n').inputs;
    first.push('!{projectRoot}/changed');
    const second = contextInputs('node_modules\n*.md\n').inputs;
    expect(second).not.toBe(first);
    expect(second).toEqual([
      '{projectRoot}/**/*',
      '!{projectRoot}/node_modules',
      '!{projectRoot}/node_modules/**',
      '!{projectRoot}/*.md',
      '!{projectRoot}/*.md/**',
    ]);
    expect(contextInputs('node_modules\n*.md\n', ['Dockerfile'], '{workspaceRoot}/x').inputs[0]).toBe('{workspaceRoot}/x/**/*');
  });

  it('never excludes a file that is always an input, since in Nx an exclusion wins', () => {
    const inputs = contextInputs('Dockerfile\n*.json\n.*\nsrc', ['Dockerfile', '.dockerignore', 'imagewise.lock.json']).inputs;
    for (const path of ['Dockerfile', '.dockerignore', 'imagewise.lock.json']) expect(selected(inputs, path), path).toBe(true);
    expect(selected(inputs, 'src/index.ts')).toBe(false);
  });

  it('reads comments, blank lines, exceptions and unclean paths as Docker does', () => {
    expect(parseDockerignore('# c\n\n  /dist/  \n! ./keep//me\n../outside\n.')).toEqual([
      { pattern: 'dist', exception: false, line: 3 },
      { pattern: 'keep/me', exception: true, line: 4 },
      { pattern: 'outside', exception: false, line: 5 },
    ]);
  });

  it('leaves out a rule longer than any path, with its line, and keeps the others', () => {
    const { inputs, problems } = contextInputs(`node_modules\n${'x'.repeat(70_000)}\ndist\n`);
    expect(inputs).toEqual([
      '{projectRoot}/**/*',
      '!{projectRoot}/node_modules',
      '!{projectRoot}/node_modules/**',
      '!{projectRoot}/dist',
      '!{projectRoot}/dist/**',
    ]);
    expect(problems).toEqual([
      { line: 2, message: expect.stringMatching(/^a pattern of 70000 characters is longer than any path \(4096\): it is not applied/) },
    ]);
    expect(problems[0].message).not.toContain('xxxx');
  });
});
