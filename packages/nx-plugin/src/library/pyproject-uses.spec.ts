import { describe, expect, it } from 'vitest';
import type { InternalLibrary } from './types';
import { findLibraryUses } from './uses';

const common: InternalLibrary = { project: 'common', version: '1.5.0', npmName: '@imagewise/common', pythonName: 'imagewise-common' };
const file = 'services/worker/pyproject.toml';

function scan(text: string) {
  return findLibraryUses([{ path: file, text }], [common]);
}

describe('pyproject.toml uses', () => {
  it('reads PEP 621 dependencies, optional dependencies and PEP 735 groups, with lines', () => {
    const text = [
      '[project]', //                                                     1
      'name = "worker"', //                                               2
      'version = "0.1.0"', //                                             3
      'dependencies = [', //                                              4
      '  "requests>=2",', //                                              5
      '  "imagewise-common>=1.4,<2",', //                                 6
      '  \'Imagewise_Common[http] ; python_version >= "3.10"\',', //      7
      ']', //                                                             8
      '', //                                                              9
      '[project.optional-dependencies]', //                               10
      'test = ["pytest", "imagewise-common==1.5.*"]', //                  11
      '', //                                                              12
      '[dependency-groups]', //                                           13
      'dev = [{ include-group = "test" }, "imagewise-common~=1.4"]', //  14
    ].join('\n');
    expect(scan(text)).toEqual({
      uses: [
        { library: 'common', file, line: 6, source: 'pyproject.toml', spec: '>=1.4,<2', section: 'project.dependencies' },
        { library: 'common', file, line: 7, source: 'pyproject.toml', spec: '', section: 'project.dependencies' },
        { library: 'common', file, line: 11, source: 'pyproject.toml', spec: '==1.5.*', section: 'project.optional-dependencies.test' },
        { library: 'common', file, line: 14, source: 'pyproject.toml', spec: '~=1.4', section: 'dependency-groups.dev' },
      ],
      problems: [],
    });
  });

  it('gives repeated identical requirement strings their own lines', () => {
    const text = '[project.optional-dependencies]\na = ["imagewise-common>=1"]\nb = ["imagewise-common>=1"]\n';
    expect(scan(text).uses.map((use) => [use.section, use.line])).toEqual([
      ['project.optional-dependencies.a', 2],
      ['project.optional-dependencies.b', 3],
    ]);
  });

  it('takes lines from the TOML tree, not from a comment that quotes the same requirement', () => {
    const text = '[project]\n# was: dependencies = ["imagewise-common>=1"]\ndependencies = [\n  "imagewise-common>=1",\n]\n';
    expect(scan(text).uses.map((use) => use.line)).toEqual([4]);
  });

  it('reads Poetry dependencies, groups and tables, marking them with the poetry dialect', () => {
    const text = [
      '[tool.poetry]', //                                                     1
      'name = "worker"', //                                                   2
      '', //                                                                  3
      '[tool.poetry.dependencies]', //                                        4
      'python = "^3.11"', //                                                  5
      'imagewise-common = "^1.5"', //                                         6
      '', //                                                                  7
      '[tool.poetry.group.dev.dependencies]', //                              8
      '"imagewise_common" = { version = "~1.5.2", extras = ["http"] }', //  9
      '', //                                                                  10
      '[tool.poetry.group.local.dependencies]', //                            11
      'imagewise-common = { path = "../../packages/common-py", develop = true }', // 12
      '', //                                                                  13
      '[tool.poetry.dev-dependencies.imagewise-common]', //                   14
      'git = "https://github.com/imagewise/common.git"', //                  15
      'tag = "v1.5.0"', //                                                    16
    ].join('\n');
    expect(scan(text)).toEqual({
      uses: [
        { library: 'common', file, line: 6, source: 'pyproject.toml', spec: '^1.5', section: 'tool.poetry.dependencies', dialect: 'poetry' },
        {
          library: 'common',
          file,
          line: 14,
          source: 'pyproject.toml',
          spec: '{ git = "https://github.com/imagewise/common.git", tag = "v1.5.0" }',
          section: 'tool.poetry.dev-dependencies',
          dialect: 'poetry',
        },
        { library: 'common', file, line: 9, source: 'pyproject.toml', spec: '~1.5.2', section: 'tool.poetry.group.dev.dependencies', dialect: 'poetry' },
        {
          library: 'common',
          file,
          line: 12,
          source: 'pyproject.toml',
          spec: '{ path = "../../packages/common-py", develop = true }',
          section: 'tool.poetry.group.local.dependencies',
          dialect: 'poetry',
        },
      ],
      problems: [],
    });
  });

  it('reads Poetry multiple-constraint arrays as one use per entry', () => {
    const text = '[tool.poetry.dependencies]\nimagewise-common = [\n  { version = "^1.5", python = "<3.12" },\n  { version = "^2.0", python = ">=3.12" },\n]\n';
    expect(scan(text).uses.map((use) => [use.spec, use.line])).toEqual([
      ['^1.5', 2],
      ['^2.0', 2],
    ]);
  });

  it('reports an invalid Poetry constraint and an invalid PEP 508 string with their lines', () => {
    const text = '[project]\ndependencies = [\n  "imagewise-common=>1.4",\n]\n[tool.poetry.dependencies]\nimagewise-common = "^^1"\n';
    const { uses, problems } = scan(text);
    expect(uses).toEqual([]);
    expect(problems).toEqual([
      { file, line: 3, message: expect.stringContaining('project.dependencies: "=>1.4" is not a valid PEP 440 version specifier') },
      { file, line: 6, message: expect.stringContaining('"^^1" is not a Poetry version constraint; write one such as "^1.5"') },
    ]);
  });

  it('reports invalid TOML with the line of the error, without throwing', () => {
    const { uses, problems } = scan('[project]\ndependencies = [\n  "imagewise-common>=1.4"\n  "x"\n]\n');
    expect(uses).toEqual([]);
    expect(problems).toEqual([{ file, line: 4, message: expect.stringMatching(/^pyproject\.toml is not valid TOML \(.+\); fix it/) }]);
    expect(problems[0].message).not.toContain('\n');
  });

  it('ignores other distributions, non-string entries and odd shapes', () => {
    const text =
      '[project]\ndependencies = "imagewise-common"\n[project.optional-dependencies]\nx = [1, "other>=1"]\n[tool.poetry.dependencies]\nother = "^1"\n';
    expect(scan(text)).toEqual({ uses: [], problems: [] });
  });
});
