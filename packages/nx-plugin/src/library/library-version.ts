import { basename } from 'node:path';
import { valid as validPep440 } from '@renovatebot/pep440';
import { parseJson } from './json-text';
import { valid as validSemver } from './semver';
import { isTomlError, parseToml, tomlErrorLine } from './toml';

export interface LibraryVersion {
  version?: string;
  name?: string;
  /** Set when no usable version could be read; says what to do. */
  problem?: string;
}

/**
 * Current version (and package name) of an internal library from its package.json or pyproject.toml text.
 * package.json: `version` must be valid semver. pyproject.toml: PEP 621 `[project].version`, else Poetry's
 * `[tool.poetry].version`; it must be a valid PEP 440 version. Never throws.
 */
export function readLibraryVersion(path: string, text: string): LibraryVersion {
  const file = basename(path);
  if (file === 'package.json') return fromPackageJson(path, text);
  if (file === 'pyproject.toml') return fromPyproject(path, text);
  return { problem: `${path}: cannot read a library version from this file; point Imagewise at the library's package.json or pyproject.toml` };
}

function fromPackageJson(path: string, text: string): LibraryVersion {
  const parsed = parseJson(text);
  if ('error' in parsed) {
    return { problem: `${path}:${parsed.line}: not valid JSON (${parsed.error}); fix it so Imagewise can read the library version` };
  }
  const manifest = record(parsed.value);
  const name = typeof manifest.name === 'string' ? manifest.name : undefined;
  const version = manifest.version;
  if (typeof version !== 'string') {
    return { name, problem: `${path}: has no "version" string; add one (e.g. "version": "1.5.0") so images can be matched against it` };
  }
  if (!validSemver(version)) {
    return { name, problem: `${path}: "version": "${version}" is not a valid semver version; write one such as "1.5.0"` };
  }
  return { name, version };
}

function fromPyproject(path: string, text: string): LibraryVersion {
  let document: Record<string, unknown>;
  try {
    document = parseToml(text);
  } catch (error) {
    const line = isTomlError(error) ? `:${tomlErrorLine(text, error)}` : '';
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { problem: `${path}${line}: not valid TOML (${message}); fix it so Imagewise can read the library version` };
  }
  const project = record(document.project);
  const poetry = record(record(document.tool).poetry);
  const pick = (key: string): string | undefined =>
    typeof project[key] === 'string' ? (project[key] as string) : typeof poetry[key] === 'string' ? (poetry[key] as string) : undefined;
  const name = pick('name');
  const version = pick('version');
  if (version === undefined) {
    const dynamic = Array.isArray(project.dynamic) && project.dynamic.includes('version');
    return {
      name,
      problem: dynamic
        ? `${path}: [project] declares its version dynamic, which Imagewise cannot read without building; set [project].version statically`
        : `${path}: has no [project].version (or [tool.poetry].version); add one (e.g. version = "1.5.0") so images can be matched against it`,
    };
  }
  if (!validPep440(version)) {
    return { name, problem: `${path}: version = "${version}" is not a valid PEP 440 version; write one such as "1.5.0"` };
  }
  return { name, version };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
