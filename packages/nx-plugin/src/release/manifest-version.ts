import { basename } from 'node:path';
import { readLibraryVersion } from '../library/library-version';

export class ManifestVersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestVersionError';
  }
}

/** The version a package.json or pyproject.toml declares; throws with the file and what to do. */
export function readManifestVersion(path: string, text: string): string {
  const { version, problem } = readLibraryVersion(path, text);
  if (version === undefined) throw new ManifestVersionError(problem ?? `${path}: no version found`);
  return version;
}

/**
 * The manifest text with its version replaced, everything else byte for byte:
 * the top-level `"version"` of a package.json, or `version = "…"` in
 * pyproject.toml's `[project]` (else `[tool.poetry]`) table.
 */
export function writeManifestVersion(path: string, text: string, version: string): string {
  const current = readManifestVersion(path, text);
  const pattern =
    basename(path) === 'package.json'
      ? // The first "version" key at the object's first indentation level.
        new RegExp(`^(\\s{0,4}"version"\\s*:\\s*")${escape(current)}(")`, 'm')
      : new RegExp(`^(\\s*version\\s*=\\s*["'])${escape(current)}(["'])`, 'm');
  const start = basename(path) === 'package.json' ? 0 : tableStart(text);
  const head = text.slice(0, start);
  const tail = text.slice(start);
  if (!pattern.test(tail))
    throw new ManifestVersionError(
      `${path}: could not find the line that declares version ${current}; write it as ${basename(path) === 'package.json' ? '"version": "x.y.z"' : 'version = "x.y.z"'}`,
    );
  return head + tail.replace(pattern, `$1${version}$2`);
}

/** Where the table that holds a pyproject's version starts: [project], else [tool.poetry]. */
function tableStart(text: string): number {
  for (const header of [/^\s*\[\s*project\s*\]/m, /^\s*\[\s*tool\s*\.\s*poetry\s*\]/m]) {
    const match = header.exec(text);
    if (match) return match.index;
  }
  return 0;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
