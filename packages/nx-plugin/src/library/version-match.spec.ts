import { describe, expect, it } from 'vitest';
import type { InternalLibrary, LibraryUse } from './types';
import { matchLibraryUse } from './version-match';

const library = (version: string): InternalLibrary => ({ project: 'common', version, npmName: '@imagewise/common', pythonName: 'imagewise-common' });

function use(source: LibraryUse['source'], spec: string, dialect?: 'poetry'): LibraryUse {
  return { library: 'common', file: 'services/x/file', line: 1, source, spec, ...(dialect ? { dialect } : {}) };
}

const tracks = (source: LibraryUse['source'], spec: string, version: string, dialect?: 'poetry') =>
  matchLibraryUse(use(source, spec, dialect), library(version)).tracksWorkspace;

const reason = (source: LibraryUse['source'], spec: string, version: string, dialect?: 'poetry') => {
  const match = matchLibraryUse(use(source, spec, dialect), library(version));
  return match.tracksWorkspace ? undefined : match.reason;
};

describe('matchLibraryUse: package.json', () => {
  it.each([
    ['^1.4.0', '1.5.0', true],
    ['^1.2.0', '2.0.0', false],
    ['~1.5.0', '1.5.9', true],
    ['~1.4.0', '1.5.0', false],
    ['1.5.0', '1.5.0', true],
    ['1.5.0', '1.5.1', false],
    ['>=1.0.0 <3', '2.9.9', true],
    ['1.x || 2.x', '2.1.0', true],
    ['*', '9.0.0', true],
    ['', '9.0.0', true],
    ['workspace:*', '0.0.1', true],
    ['workspace:^', '7.0.0', true],
    ['workspace:~', '7.0.0', true],
    ['workspace:^1.2.0', '1.5.0', true],
    ['workspace:^1.2.0', '2.0.0', false],
    ['workspace:@imagewise/common@*', '3.0.0', true],
    ['workspace:@imagewise/common@^1', '3.0.0', false],
    ['workspace:other@*', '3.0.0', false],
    ['workspace:../../packages/common', '3.0.0', true],
    ['file:../../packages/common', '3.0.0', true],
    ['link:../../packages/common', '3.0.0', true],
    ['../../packages/common', '3.0.0', true],
    ['common-3.0.0.tgz', '3.0.0', true], // npm reads a bare *.tgz as a local tarball, not a dist-tag
    ['npm:@imagewise/common@^1', '1.5.0', true],
    ['npm:@imagewise/common@^1', '2.0.0', false],
    ['npm:@imagewise/common', '2.0.0', true],
    ['npm:@imagewise/common@latest', '2.0.0', false],
    ['npm:other@^1', '1.5.0', false],
    ['latest', '1.5.0', false],
    ['git+https://github.com/imagewise/common.git#v1.5.0', '1.5.0', false],
    ['github:imagewise/common', '1.5.0', false],
    ['imagewise/common#main', '1.5.0', false],
    ['https://registry.example.com/common-1.5.0.tgz', '1.5.0', false],
    ['^1.x.y', '1.5.0', false],
  ])('%j with workspace %s → %s', (spec, version, expected) => {
    expect(tracks('package.json', spec, version)).toBe(expected);
  });

  it('says which range excludes which version', () => {
    expect(reason('package.json', '^1.2.0', '2.0.0')).toBe('"^1.2.0" excludes the workspace version 2.0.0');
    expect(reason('package.json', 'workspace:^1.2.0', '2.0.0')).toBe('"workspace:^1.2.0" excludes the workspace version 2.0.0');
    expect(reason('package.json', 'npm:@imagewise/common@^1', '2.0.0')).toBe('"npm:@imagewise/common@^1" excludes the workspace version 2.0.0');
  });

  it('says why git, URL, tag, foreign alias and invalid specs do not track', () => {
    expect(reason('package.json', 'latest', '1.5.0')).toContain('is a dist-tag');
    expect(reason('package.json', 'github:imagewise/common', '1.5.0')).toContain('is a git dependency');
    expect(reason('package.json', 'https://x.example/c.tgz', '1.5.0')).toContain('is a tarball URL');
    expect(reason('package.json', 'npm:other@^1', '1.5.0')).toBe('"npm:other@^1" installs other, not @imagewise/common');
    expect(reason('package.json', '^1.x.y', '1.5.0')).toContain('is not a semver range');
  });

  it('matches prerelease workspace versions with includePrerelease semantics', () => {
    expect(tracks('package.json', '^1.5.0', '1.6.0-rc.1')).toBe(true);
    expect(tracks('package.json', '>=1.0.0', '1.6.0-rc.1')).toBe(true);
    expect(tracks('package.json', '^1.6.0', '1.6.0-rc.1')).toBe(false); // 1.6.0-rc.1 < 1.6.0
    expect(tracks('package.json', '^1.5.0', '2.0.0-rc.1')).toBe(false); // ^1 ends below every 2.0.0 prerelease
    expect(tracks('package.json', '1.6.0-rc.1', '1.6.0-rc.1')).toBe(true);
    expect(tracks('package.json', '1.6.0-rc.2', '1.6.0-rc.1')).toBe(false);
  });

  it('translates a PEP 440 workspace version to semver when it can', () => {
    expect(tracks('package.json', '^1.5.0', '1.6')).toBe(true);
    expect(tracks('package.json', '^1.6.0-rc.0', '1.6.0rc1')).toBe(true);
    expect(reason('package.json', '^1.0.0', '1.5.0.post1')).toBe(
      'the workspace version 1.5.0.post1 is not a semver version, so "^1.0.0" cannot be compared with it',
    );
  });

  it('does not match a use against a different library', () => {
    const other: InternalLibrary = { project: 'other', version: '1.0.0', npmName: '@imagewise/other' };
    expect(matchLibraryUse(use('package.json', '*'), other)).toEqual({ tracksWorkspace: false, reason: 'the use names library common, not other' });
  });
});

describe('matchLibraryUse: requirements.txt and PEP 621', () => {
  it.each([
    ['', '1.5.0', true],
    ['==1.5.0', '1.5.0', true],
    ['==1.5', '1.5.0', true], // PEP 440: 1.5 == 1.5.0
    ['==1.4.0', '1.5.0', false],
    ['==1.5.*', '1.5.3', true],
    ['==1.5.*', '1.6.0', false],
    ['!=1.5.*', '1.5.3', false],
    ['!=1.5.*', '1.6.0', true],
    ['!=1.5.0', '1.5.0', false],
    ['>=1.0, !=1.4.2', '1.5.0', true],
    ['>=1.4,<2', '1.9.9', true],
    ['>=1.4,<2', '2.0.0', false],
    ['> 1.5', '1.5.0', false],
    ['<=1.5', '1.5.0', true],
    ['~=1.5', '1.9.0', true], // >=1.5, ==1.*
    ['~=1.5', '2.0.0', false],
    ['~=1.5.0', '1.5.9', true], // >=1.5.0, ==1.5.*
    ['~=1.5.0', '1.6.0', false],
    ['===1.5.0', '1.5.0', true],
    ['===1.5.0', '1.5', false], // arbitrary equality compares strings
    ['@ file:///src/packages/common-py', '1.5.0', true],
    ['@ git+https://github.com/imagewise/common.git@v1.5.0', '1.5.0', false],
  ])('%j with workspace %s → %s', (spec, version, expected) => {
    expect(tracks('requirements.txt', spec, version)).toBe(expected);
    expect(tracks('pyproject.toml', spec, version)).toBe(expected);
  });

  it('says which specifier excludes which version, and why direct references do not track', () => {
    expect(reason('requirements.txt', '>=1.4,<2', '2.0.0')).toBe('">=1.4,<2" excludes the workspace version 2.0.0');
    expect(reason('pyproject.toml', '@ https://x.example/c.whl', '1.5.0')).toBe(
      '"@ https://x.example/c.whl" is a direct reference to https://x.example/c.whl, not the workspace version 1.5.0',
    );
    expect(reason('requirements.txt', '=>1', '1.5.0')).toBe('"=>1" is not a valid PEP 440 version specifier');
  });

  it('matches prerelease workspace versions when the specifier range includes them', () => {
    expect(tracks('requirements.txt', '>=1.5', '1.6.0rc1')).toBe(true);
    expect(tracks('requirements.txt', '>=1.5', '1.6.0-rc.1')).toBe(true); // semver spelling, PEP 440-normalised
    expect(tracks('requirements.txt', '~=1.5', '1.6.0rc1')).toBe(true);
    expect(tracks('requirements.txt', '==1.6.0', '1.6.0rc1')).toBe(false);
    expect(tracks('requirements.txt', '<2', '2.0.0rc1')).toBe(false); // PEP 440: <2 excludes 2's prereleases
    expect(tracks('requirements.txt', '', '1.6.0rc1')).toBe(true);
  });

  it('cannot compare with a workspace version PEP 440 rejects', () => {
    expect(reason('requirements.txt', '>=1', '1.6.0-next.1')).toBe(
      'the workspace version 1.6.0-next.1 is not a PEP 440 version, so ">=1" cannot be compared with it',
    );
  });
});

describe('matchLibraryUse: Poetry', () => {
  it.each([
    ['^1.5', '1.9.0', true],
    ['^1.5', '2.0.0', false],
    ['^1.5', '1.4.9', false],
    ['^0.2.3', '0.2.9', true],
    ['^0.2.3', '0.3.0', false],
    ['^0.0.3', '0.0.4', false],
    ['^0', '0.9.0', true],
    ['~1.5.2', '1.5.9', true],
    ['~1.5.2', '1.6.0', false],
    ['~1', '1.9.0', true],
    ['~=1.5', '1.9.0', true],
    ['1.5.0', '1.5.0', true], // bare version = exact
    ['1.5.0', '1.5.1', false],
    ['1.5.*', '1.5.7', true],
    ['*', '3.0.0', true],
    ['>=1.4,<2', '1.5.0', true],
    ['>= 1.4 < 2', '2.1.0', false],
    ['^1.0 || ^2.0', '2.3.0', true],
    ['^1.0 || ^3.0', '2.3.0', false],
    ['^1.5', '1.6.0rc1', true],
    ['{ path = "../../packages/common-py", develop = true }', '9.0.0', true],
    ['{ git = "https://github.com/imagewise/common.git", tag = "v1.5.0" }', '1.5.0', false],
    ['{ url = "https://x.example/common-1.5.0.tar.gz" }', '1.5.0', false],
  ])('%j with workspace %s → %s', (spec, version, expected) => {
    expect(tracks('pyproject.toml', spec, version, 'poetry')).toBe(expected);
  });

  it('explains the Poetry constraint it compared in PEP 440 terms', () => {
    expect(reason('pyproject.toml', '^1.2', '2.0.0', 'poetry')).toBe('"^1.2" (Poetry, meaning >=1.2,<2) excludes the workspace version 2.0.0');
    expect(reason('pyproject.toml', '>=1.4,<2', '2.0.0', 'poetry')).toBe('">=1.4,<2" excludes the workspace version 2.0.0');
    expect(reason('pyproject.toml', '{ git = "https://g.example/c.git" }', '1.5.0', 'poetry')).toContain('is a git dependency');
    expect(reason('pyproject.toml', '^^1', '1.5.0', 'poetry')).toBe('"^^1" is not a Poetry version constraint');
  });

  it('reads the same caret as PEP 440 without the poetry dialect, where it is invalid', () => {
    expect(tracks('pyproject.toml', '^1.5', '1.5.0')).toBe(false);
  });
});

describe('matchLibraryUse: Dockerfile ARG', () => {
  it.each([
    ['1.5.0', '1.5.0', true],
    ['v1.5.0', '1.5.0', true],
    ['1.5.0', '1.5.1', false], // exact versions must match exactly
    ['1.6.0-rc.1', '1.6.0-rc.1', true],
    ['1.6.0rc1', '1.6.0rc1', true], // PEP 440 exact
    ['1.6.0rc1', '1.6.0-rc.1', true],
    ['1.5.0.post1', '1.5.0', false],
    ['^1.4.0', '1.5.0', true], // range-like values are semver ranges
    ['^1.4.0', '2.0.0', false],
    ['1.5', '1.5.3', true], // semver: 1.5 = 1.5.x
    ['>=1.4 <2', '1.9.0', true],
    ['*', '4.0.0', true],
    ['>=1.4,<2', '1.9.0', true], // PEP 440-only syntax
    ['~=1.5', '1.9.0', true], // PEP 440 ~=, not semver ~
    ['==1.5.*', '1.5.2', true],
    ['latest', '1.5.0', false],
  ])('%j with workspace %s → %s', (spec, version, expected) => {
    expect(tracks('dockerfile-arg', spec, version)).toBe(expected);
  });

  it('says why', () => {
    expect(reason('dockerfile-arg', '1.4.0', '1.5.0')).toBe('"1.4.0" pins a release other than the workspace version 1.5.0');
    expect(reason('dockerfile-arg', '^1.0.0', '2.0.0')).toBe('"^1.0.0" excludes the workspace version 2.0.0');
    expect(reason('dockerfile-arg', 'latest', '2.0.0')).toContain('is a tag, not a version');
    expect(reason('dockerfile-arg', '$X', '2.0.0')).toContain('refers to another build variable');
  });
});
