import { describe, expect, it } from 'vitest';
import { isRequirementsFile } from './requirements-uses';
import type { InternalLibrary } from './types';
import { findLibraryUses } from './uses';

const common: InternalLibrary = { project: 'common', version: '1.5.0', npmName: '@imagewise/common', pythonName: 'imagewise-common' };
const file = 'services/worker/requirements.txt';

function scan(text: string, path = file) {
  return findLibraryUses([{ path, text }], [common]);
}

describe('requirements*.txt uses', () => {
  it('recognises requirements files by name', () => {
    for (const path of ['requirements.txt', 'a/requirements-dev.txt', 'a/requirements.prod.txt', 'Requirements.txt']) {
      expect(isRequirementsFile(path)).toBe(true);
    }
    for (const path of ['requirements.in', 'a/dev-requirements.txt', 'constraints.txt', 'requirements.txt/x']) {
      expect(isRequirementsFile(path)).toBe(false);
    }
    expect(scan('imagewise-common==1.5.0', 'services/worker/requirements-dev.txt').uses).toHaveLength(1);
  });

  it('reads specifiers, extras, markers, comments and options, each on its own line', () => {
    const text = [
      '# pinned for the worker image', //                              1
      '-r base.txt', //                                                2
      '--index-url https://pypi.example.com/simple', //               3
      '', //                                                           4
      'requests>=2', //                                                5
      'imagewise-common==1.5.0  # the internal library', //            6
      'imagewise_common>=1.4,<2 ; python_version>"3.8"', //          7
      'Imagewise.Common[http]~=1.5', //                                8
      'imagewise-common (>=1.0, !=1.4.2)', //                           9
      'imagewise-common', //                                           10
      '-e ../../packages/common-py', //                               11
      '  imagewise-common==1.5.*', //                                  12
    ].join('\n');
    expect(scan(text)).toEqual({
      uses: [
        { library: 'common', file, line: 6, source: 'requirements.txt', spec: '==1.5.0' },
        { library: 'common', file, line: 7, source: 'requirements.txt', spec: '>=1.4,<2' },
        { library: 'common', file, line: 8, source: 'requirements.txt', spec: '~=1.5' },
        { library: 'common', file, line: 9, source: 'requirements.txt', spec: '>=1.0, !=1.4.2' },
        { library: 'common', file, line: 10, source: 'requirements.txt', spec: '' },
        { library: 'common', file, line: 12, source: 'requirements.txt', spec: '==1.5.*' },
      ],
      problems: [],
    });
  });

  it('joins backslash continuations, drops --hash options, and reports the first line', () => {
    const text = [
      'numpy==1.26.4 \\',
      '    --hash=sha256:aaaa',
      'imagewise-common==1.5.0 \\',
      '    --hash=sha256:bbbb \\',
      '    --hash=sha256:cccc',
      'imagewise-common\\',
      '>=1.4 \\',
      '  ; sys_platform == "linux"',
    ].join('\r\n');
    expect(scan(text).uses).toEqual([
      { library: 'common', file, line: 3, source: 'requirements.txt', spec: '==1.5.0' },
      { library: 'common', file, line: 6, source: 'requirements.txt', spec: '>=1.4' },
    ]);
  });

  it('keeps direct references with their URL', () => {
    const text =
      'imagewise-common @ file:///src/packages/common-py\nimagewise-common @ git+https://github.com/imagewise/common.git@v1.5.0 ; python_version >= "3.10"';
    expect(scan(text).uses.map((use) => use.spec)).toEqual(['@ file:///src/packages/common-py', '@ git+https://github.com/imagewise/common.git@v1.5.0']);
  });

  it('does not take a comment-only line ending in a backslash as a continuation', () => {
    expect(scan('# note \\\nimagewise-common==1.5.0').uses).toMatchObject([{ line: 2 }]);
  });

  it('reports invalid specifiers for the library only, with line and advice', () => {
    const text = 'imagewise-common=1.5.0\nother-lib=1.0\nimagewise-common ~=1\nimagewise-common >=1.4,\nimagewise-common @';
    const { uses, problems } = scan(text);
    expect(uses).toEqual([]);
    expect(problems.map((problem) => problem.line)).toEqual([1, 3, 4, 5]);
    expect(problems[0]).toEqual({ file, line: 1, message: expect.stringContaining('"=1.5.0" is not a valid PEP 440 version specifier') });
    expect(problems[0].message).toContain('">=1.4,<2"');
    expect(problems[3].message).toContain('no URL');
  });

  it('compares names with PEP 503 normalisation only', () => {
    const text = 'IMAGEWISE__COMMON==1.5.0\nimagewise-.-common==1.5.0\nimagewisecommon==1.5.0\nimagewise-common-extra==1.5.0';
    expect(scan(text).uses.map((use) => use.line)).toEqual([1, 2]);
  });
});
