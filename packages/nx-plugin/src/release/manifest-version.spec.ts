import { describe, expect, it } from 'vitest';
import { readManifestVersion, writeManifestVersion } from './manifest-version';

describe('manifest versions', () => {
  it('rewrites only the top-level version of a package.json', () => {
    const text = '{\n  "name": "node-base",\n  "version": "1.0.0",\n  "dependencies": { "x": { "version": "1.0.0" } }\n}\n';
    expect(writeManifestVersion('images/node-base/package.json', text, '1.0.1')).toBe(text.replace('"version": "1.0.0",', '"version": "1.0.1",'));
  });

  it("rewrites [project].version of a pyproject.toml, not another table's", () => {
    const text = '[build-system]\nrequires = ["setuptools"]\n\n[tool.other]\nversion = "9.9.9"\n\n[project]\nname = "imagewise-common"\nversion = "1.5.0"\n';
    const written = writeManifestVersion('packages/common-py/pyproject.toml', text.replace('version = "9.9.9"', 'version = "1.5.0"'), '1.6.0');
    expect(written).toContain('[tool.other]\nversion = "1.5.0"');
    expect(written).toContain('name = "imagewise-common"\nversion = "1.6.0"');
    expect(readManifestVersion('pyproject.toml', written)).toBe('1.6.0');
  });

  it("falls back to Poetry's table", () => {
    const text = '[tool.poetry]\nname = "x"\nversion = "0.3.0"\n';
    expect(writeManifestVersion('pyproject.toml', text, '0.4.0')).toBe('[tool.poetry]\nname = "x"\nversion = "0.4.0"\n');
  });

  it('names the file and what to write when there is no version', () => {
    expect(() => readManifestVersion('images/x/package.json', '{ "name": "x" }')).toThrow(/images\/x\/package.json: has no "version" string/);
  });
});
