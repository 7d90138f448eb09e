import { describe, expect, it } from 'vitest';
import { isDockerfile } from './dockerfile-uses';
import type { InternalLibrary } from './types';
import { findLibraryUses } from './uses';

const common: InternalLibrary = { project: 'common', version: '1.5.0', npmName: '@imagewise/common', pythonName: 'imagewise-common' };
const file = 'services/api/Dockerfile';

function scan(text: string, libraries: InternalLibrary[] = [common], path = file) {
  return findLibraryUses([{ path, text }], libraries);
}

describe('Dockerfile ARG uses', () => {
  it('recognises Dockerfiles and Containerfiles by name', () => {
    for (const path of ['Dockerfile', 'a/Dockerfile.prod', 'a/api.Dockerfile', 'a/dev.dockerfile', 'Containerfile']) {
      expect(isDockerfile(path)).toBe(true);
    }
    for (const path of ['a/Dockerfile-notes.md', 'docker-compose.yml', 'a/mydockerfile']) expect(isDockerfile(path)).toBe(false);
  });

  it('finds ARG <argName>=<value> before and after FROM, in any case, quoted or not', () => {
    const text = [
      'ARG COMMON_VERSION=1.5.0', //                1
      'FROM node:20-slim', //                       2
      'arg COMMON_VERSION="^1.4.0"', //             3
      "Arg COMMON_VERSION='1.5'", //                4
      '# ARG COMMON_VERSION=9.9.9', //              5
      'ARG OTHER_VERSION=2.0.0', //                 6
      'ARG COMMON_VERSION', //                      7
      'ARG COMMON_VERSION=', //                     8
      'RUN npm install @imagewise/common@${COMMON_VERSION}', // 9
    ].join('\n');
    expect(scan(text)).toEqual({
      uses: [
        { library: 'common', file, line: 1, source: 'dockerfile-arg', spec: '1.5.0', section: 'ARG' },
        { library: 'common', file, line: 3, source: 'dockerfile-arg', spec: '^1.4.0', section: 'ARG' },
        { library: 'common', file, line: 4, source: 'dockerfile-arg', spec: '1.5', section: 'ARG' },
      ],
      problems: [],
    });
  });

  it('reads several properties on one ARG, continuations and the escape directive', () => {
    const text = ['# escape=`', 'FROM python:3.12', 'ARG BASE=1 `', '    COMMON_VERSION=1.6.0rc1 `', '    OTHER=2'].join('\n');
    expect(scan(text).uses).toEqual([{ library: 'common', file, line: 4, source: 'dockerfile-arg', spec: '1.6.0rc1', section: 'ARG' }]);
  });

  it('uses the configured ARG name, or one derived from the npm, then Python, then project name', () => {
    const text = 'ARG LIB_VERSION=1.0.0\nARG IMAGEWISE_COMMON_VERSION=1.0.0\nARG COMMON_VERSION=1.0.0\nARG SHARED_VERSION=1.0.0';
    const libraries: InternalLibrary[] = [
      { project: 'a', version: '1.0.0', npmName: '@imagewise/common', argName: 'LIB_VERSION' },
      { project: 'b', version: '1.0.0', pythonName: 'imagewise-common' },
      { project: 'c', version: '1.0.0', npmName: '@imagewise/common' },
      { project: 'shared', version: '1.0.0' },
    ];
    expect(scan(text, libraries).uses.map((use) => [use.library, use.line])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['shared', 4],
    ]);
  });

  it('reports values it cannot read, with their line', () => {
    const text = 'FROM scratch\nARG COMMON_VERSION=${BASE_COMMON}\nARG COMMON_VERSION="1.5.0 please"';
    const { uses, problems } = scan(text);
    expect(uses).toEqual([]);
    expect(problems).toEqual([
      { file, line: 2, message: expect.stringContaining('refers to another build variable') },
      { file, line: 3, message: expect.stringContaining('is neither a version nor a version range; write an exact version') },
    ]);
  });

  it('records tags as uses (that do not track)', () => {
    expect(scan('ARG COMMON_VERSION=latest').uses).toMatchObject([{ spec: 'latest' }]);
  });
});
