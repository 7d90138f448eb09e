import { describe, expect, it } from 'vitest';
import { readLibraryVersion } from './library-version';

describe('readLibraryVersion', () => {
  it('reads name and version from package.json', () => {
    expect(readLibraryVersion('packages/common/package.json', '{"name": "@imagewise/common", "version": "1.5.0"}')).toEqual({
      name: '@imagewise/common',
      version: '1.5.0',
    });
    expect(readLibraryVersion('package.json', '{"name": "c", "version": "1.6.0-rc.1"}').version).toBe('1.6.0-rc.1');
  });

  it('reports a missing or invalid package.json version, keeping the name', () => {
    expect(readLibraryVersion('p/package.json', '{"name": "c"}')).toEqual({ name: 'c', problem: expect.stringContaining('has no "version" string; add one') });
    expect(readLibraryVersion('p/package.json', '{"name": "c", "version": "1.5"}')).toEqual({
      name: 'c',
      problem: 'p/package.json: "version": "1.5" is not a valid semver version; write one such as "1.5.0"',
    });
  });

  it('reports invalid JSON with its line', () => {
    expect(readLibraryVersion('p/package.json', '{\n"version": 1.5.0\n}').problem).toMatch(/^p\/package\.json:2: not valid JSON/);
  });

  it('reads PEP 621 [project] first, then [tool.poetry]', () => {
    expect(readLibraryVersion('packages/common-py/pyproject.toml', '[project]\nname = "imagewise-common"\nversion = "1.5.0"\n')).toEqual({
      name: 'imagewise-common',
      version: '1.5.0',
    });
    expect(readLibraryVersion('pyproject.toml', '[tool.poetry]\nname = "imagewise-common"\nversion = "1.6.0rc1"\n')).toEqual({
      name: 'imagewise-common',
      version: '1.6.0rc1',
    });
    expect(readLibraryVersion('pyproject.toml', '[project]\nversion = "2.0.0"\n[tool.poetry]\nversion = "1.0.0"\n').version).toBe('2.0.0');
  });

  it('reports dynamic, missing and invalid pyproject versions', () => {
    expect(readLibraryVersion('pyproject.toml', '[project]\nname = "x"\ndynamic = ["version"]\n').problem).toContain('set [project].version statically');
    expect(readLibraryVersion('pyproject.toml', '[project]\nname = "x"\n').problem).toContain('has no [project].version');
    expect(readLibraryVersion('pyproject.toml', '[project]\nversion = "one"\n').problem).toContain('"one" is not a valid PEP 440 version');
  });

  it('reports invalid TOML with its line, and unsupported files', () => {
    expect(readLibraryVersion('a/pyproject.toml', '[project]\nversion = \n').problem).toMatch(/^a\/pyproject\.toml:2: not valid TOML \([^\n]+\); fix it/);
    expect(readLibraryVersion('setup.py', 'x').problem).toContain("point Imagewise at the library's package.json or pyproject.toml");
  });
});
