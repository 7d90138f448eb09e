import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findLibraryUses, matchLibraryUse, readLibraryVersion } from './index';
import type { InternalLibrary } from './types';

const common: InternalLibrary = { project: 'common', version: '2.0.0', npmName: '@imagewise/common', pythonName: 'imagewise-common' };

describe('findLibraryUses', () => {
  it('scans package.json, requirements*.txt, pyproject.toml and Dockerfiles, and ignores other files', () => {
    const files = [
      { path: 'services/api/package.json', text: '{"dependencies": {"@imagewise/common": "^1.4.0"}}' },
      { path: 'services/api/Dockerfile', text: 'FROM node:20\nARG COMMON_VERSION=2.0.0\n' },
      { path: 'services/worker/requirements-prod.txt', text: 'imagewise-common>=2' },
      { path: 'services/worker/pyproject.toml', text: '[tool.poetry.dependencies]\nimagewise-common = "^1.9"\n' },
      { path: 'services/worker/README.md', text: 'imagewise-common==1.0.0\nARG COMMON_VERSION=1.0.0' },
      { path: 'services/worker/setup.cfg', text: '[options]\ninstall_requires = imagewise-common==1.0.0' },
    ];
    const { uses, problems } = findLibraryUses(files, [common]);
    expect(problems).toEqual([]);
    expect(uses.map((use) => [use.file, use.line, use.source, use.spec])).toEqual([
      ['services/api/package.json', 1, 'package.json', '^1.4.0'],
      ['services/api/Dockerfile', 2, 'dockerfile-arg', '2.0.0'],
      ['services/worker/requirements-prod.txt', 1, 'requirements.txt', '>=2'],
      ['services/worker/pyproject.toml', 2, 'pyproject.toml', '^1.9'],
    ]);
    expect(uses.map((use) => matchLibraryUse(use, common))).toEqual([
      { tracksWorkspace: false, reason: '"^1.4.0" excludes the workspace version 2.0.0' },
      { tracksWorkspace: true },
      { tracksWorkspace: true },
      { tracksWorkspace: false, reason: '"^1.9" (Poetry, meaning >=1.9,<2) excludes the workspace version 2.0.0' },
    ]);
  });

  it('finds uses of several libraries at once, with the version read from the library', () => {
    const py = readLibraryVersion('packages/common-py/pyproject.toml', '[project]\nname = "imagewise-common"\nversion = "1.6.0rc1"\n');
    const js = readLibraryVersion('packages/common/package.json', '{"name": "@imagewise/common", "version": "1.5.0"}');
    const libraries: InternalLibrary[] = [
      { project: 'common', version: js.version!, npmName: js.name },
      { project: 'common-py', version: py.version!, pythonName: py.name, argName: 'COMMON_PY_VERSION' },
    ];
    const { uses } = findLibraryUses(
      [
        { path: 'a/requirements.txt', text: 'imagewise-common>=1.5' },
        { path: 'a/package.json', text: '{"dependencies": {"@imagewise/common": "~1.5.0"}}' },
        { path: 'a/Dockerfile', text: 'ARG COMMON_VERSION=1.5.0\nARG COMMON_PY_VERSION=1.6.0rc1' },
      ],
      libraries,
    );
    expect(uses.map((use) => [use.library, use.source])).toEqual([
      ['common-py', 'requirements.txt'],
      ['common', 'package.json'],
      ['common', 'dockerfile-arg'],
      ['common-py', 'dockerfile-arg'],
    ]);
    for (const use of uses) {
      expect(
        matchLibraryUse(
          use,
          libraries.find((library) => library.project === use.library)!,
        ),
      ).toEqual({ tracksWorkspace: true });
    }
  });

  it('returns nothing for no libraries or no files', () => {
    expect(findLibraryUses([{ path: 'package.json', text: '{"dependencies": {"@imagewise/common": "1"}}' }], [])).toEqual({ uses: [], problems: [] });
    expect(findLibraryUses([], [common])).toEqual({ uses: [], problems: [] });
  });

  it('never throws, whatever the text, and keeps every use and problem on a real line', () => {
    const fragments = fc.constantFrom(
      '{',
      '}',
      '[',
      ']',
      '"',
      "'",
      ',',
      ':',
      '=',
      '\\',
      '\n',
      ' ',
      '#',
      ';',
      '@',
      '--hash=x',
      'ARG ',
      'COMMON_VERSION=',
      'FROM x',
      '"@imagewise/common"',
      'imagewise-common',
      '"dependencies"',
      '[project]',
      'dependencies = ',
      '[tool.poetry.dependencies]',
      '^1.5',
      '>=1.4,<2',
      'workspace:*',
      'npm:',
      '1.5.0',
      '$X',
      '`',
      '# escape=`',
    );
    const text = fc.array(fragments, { maxLength: 40 }).map((parts) => parts.join(''));
    const path = fc.constantFrom('package.json', 'requirements.txt', 'pyproject.toml', 'Dockerfile');
    fc.assert(
      fc.property(path, text, (file, body) => {
        const { uses, problems } = findLibraryUses([{ path: `s/${file}`, text: body }], [common]);
        const lineCount = body.split('\n').length;
        for (const found of [...uses, ...problems]) {
          expect(found.line).toBeGreaterThanOrEqual(1);
          expect(found.line).toBeLessThanOrEqual(lineCount);
        }
        for (const use of uses) expect(() => matchLibraryUse(use, common)).not.toThrow();
      }),
      { numRuns: 400 },
    );
  });
});
