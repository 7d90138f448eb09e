import { describe, expect, it } from 'vitest';
import { findLibraryUses } from './uses';
import type { InternalLibrary } from './types';

const common: InternalLibrary = { project: 'common', version: '1.5.0', npmName: '@imagewise/common', pythonName: 'imagewise-common' };
const file = 'services/api/package.json';

function scan(text: string, libraries: InternalLibrary[] = [common]) {
  return findLibraryUses([{ path: file, text }], libraries);
}

describe('package.json uses', () => {
  it('finds the library in all four dependency sections, with the line of each key', () => {
    const text = [
      '{', //                                                 1
      '  "name": "api",', //                                 2
      '  "dependencies": {', //                              3
      '    "express": "^4.0.0",', //                        4
      '    "@imagewise/common": "^1.4.0"', //                5
      '  },', //                                             6
      '  "devDependencies": { "@imagewise/common": "workspace:*" },', // 7
      '  "optionalDependencies": {', //                      8
      '    "@imagewise/common": "file:../../packages/common"', // 9
      '  },', //                                             10
      '  "peerDependencies": {', //                          11
      '    "@imagewise/common": ">=1.0.0 <3"', //            12
      '  },', //                                             13
      '  "scripts": { "@imagewise/common": "not a dependency" }', // 14
      '}',
    ].join('\n');
    expect(scan(text)).toEqual({
      uses: [
        { library: 'common', file, line: 5, source: 'package.json', spec: '^1.4.0', section: 'dependencies' },
        { library: 'common', file, line: 7, source: 'package.json', spec: 'workspace:*', section: 'devDependencies' },
        { library: 'common', file, line: 9, source: 'package.json', spec: 'file:../../packages/common', section: 'optionalDependencies' },
        { library: 'common', file, line: 12, source: 'package.json', spec: '>=1.0.0 <3', section: 'peerDependencies' },
      ],
      problems: [],
    });
  });

  it('gives each section its own line when a key repeats across sections and nesting', () => {
    const text = '{\n "config": {"dependencies": {"@imagewise/common": "1"}},\n "dependencies": {\n\n  "@imagewise/common": "1.5.0"\n }\n}';
    expect(scan(text).uses.map((use) => use.line)).toEqual([5]);
  });

  it('takes the last of duplicate keys, as JSON.parse does', () => {
    const text = '{"dependencies": {\n"@imagewise/common": "^1.0.0",\n"@imagewise/common": "^2.0.0"\n}}';
    expect(scan(text).uses).toMatchObject([{ line: 3, spec: '^2.0.0' }]);
  });

  it('follows npm: aliases to the package they install, under any key', () => {
    const text = JSON.stringify(
      {
        dependencies: {
          'common-v1': 'npm:@imagewise/common@^1.2.0',
          '@imagewise/common': 'npm:some-fork@^1.0.0',
          lodash: '^4.17.0',
        },
      },
      null,
      2,
    );
    expect(scan(text)).toEqual({
      uses: [{ library: 'common', file, line: 3, source: 'package.json', spec: 'npm:@imagewise/common@^1.2.0', section: 'dependencies' }],
      problems: [],
    });
  });

  it('follows pnpm workspace:<name>@<range> aliases', () => {
    const text = '{"dependencies": {"common": "workspace:@imagewise/common@^1"}}';
    expect(scan(text).uses).toMatchObject([{ library: 'common', spec: 'workspace:@imagewise/common@^1' }]);
  });

  it('records git, URL and dist-tag specs as uses (they just do not track the workspace)', () => {
    for (const spec of [
      'github:imagewise/common#v1.5.0',
      'git+https://github.com/imagewise/common.git',
      'https://example.com/common-1.5.0.tgz',
      'latest',
      'imagewise/common',
    ]) {
      expect(scan(JSON.stringify({ dependencies: { '@imagewise/common': spec } })).uses).toMatchObject([{ spec }]);
    }
  });

  it('reports an invalid range with its line and what to write instead', () => {
    const text = '{\n  "dependencies": {\n    "@imagewise/common": "^1.x.y"\n  }\n}';
    const { uses, problems } = scan(text);
    expect(uses).toEqual([]);
    expect(problems).toEqual([{ file, line: 3, message: expect.stringContaining('"^1.x.y" is not a semver range') }]);
    expect(problems[0].message).toContain('workspace:*');
  });

  it('reports a Python-style range, an invalid workspace: range and an npm: alias without a range', () => {
    const text = JSON.stringify(
      {
        dependencies: { '@imagewise/common': '>=1.4,<2' },
        devDependencies: { '@imagewise/common': 'workspace:>>1' },
        peerDependencies: { x: 'npm:@imagewise/common@git+https://x' },
      },
      null,
      1,
    );
    const { uses, problems } = scan(text);
    expect(uses).toEqual([]);
    expect(problems.map((problem) => problem.line)).toEqual([3, 6, 9]);
    expect(problems[1].message).toContain('workspace:^');
    expect(problems[2].message).toContain('npm:@imagewise/common@<range>');
  });

  it('reports a non-string spec', () => {
    const { problems } = scan('{"dependencies": {"@imagewise/common": 1}}');
    expect(problems).toEqual([{ file, line: 1, message: expect.stringContaining('is not a string') }]);
  });

  it('reports invalid JSON with the line of the error, without throwing', () => {
    const { uses, problems } = scan('{\n  "dependencies": {\n    "@imagewise/common" "^1.0.0"\n  }\n}');
    expect(uses).toEqual([]);
    expect(problems).toEqual([{ file, line: 3, message: expect.stringMatching(/^package\.json is not valid JSON \(.+\); fix it/) }]);
  });

  it('reports truncated JSON on its last line, and a JSON non-object, when they name a library', () => {
    expect(scan('{\n"dependencies": {"@imagewise/common": "^1').problems).toMatchObject([{ line: 2 }]);
    expect(scan('["@imagewise/common"]').problems).toMatchObject([{ line: 1, message: expect.stringContaining('does not hold a JSON object') }]);
  });

  it('does not parse a file that names no library at all', () => {
    expect(scan('{ not json, and no library named }')).toEqual({ uses: [], problems: [] });
  });

  it('ignores other packages, non-object sections and libraries without an npm name', () => {
    const pythonOnly: InternalLibrary = { project: 'common-py', version: '1.0.0', pythonName: 'imagewise-common' };
    expect(scan('{"dependencies": {"imagewise-common": "1.0.0"}, "devDependencies": []}', [pythonOnly])).toEqual({ uses: [], problems: [] });
  });
});
