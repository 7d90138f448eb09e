import { eq as pep440Eq, satisfies as pep440Satisfies, validRange as validPep440Range } from '@renovatebot/pep440';
import { classifyArgValue } from './docker-arg-value';
import { classifyNpmSpec, type NpmSpec } from './npm-spec';
import { poetryToPep440 } from './poetry-constraint';
import { eq as semverEq, satisfies as semverSatisfies } from './semver';
import { parseToml } from './toml';
import type { InternalLibrary, LibraryUse, Match } from './types';
import { pep440Of, semverOf } from './versions';

const TRACKS: Match = { tracksWorkspace: true };

/**
 * Whether a use follows the library's current workspace version (the image gets a graph edge to it) or
 * asks for a published release (no edge; `reason` says why, for reports).
 *
 * Prereleases: a prerelease workspace version counts as inside every range whose bounds include it
 * (semver `includePrerelease`; PEP 440 `prereleases: true`): 1.6.0-rc.1 satisfies `^1.5.0` and `>=1.5`,
 * but not `^1.6.0` (1.6.0-rc.1 < 1.6.0) nor `~=1.5.0`. Never throws.
 */
export function matchLibraryUse(use: LibraryUse, library: InternalLibrary): Match {
  if (use.library !== library.project) {
    return notTracking(`the use names library ${use.library}, not ${library.project}`);
  }
  switch (use.source) {
    case 'package.json':
      return matchNpmSpec(use.spec, classifyNpmSpec(use.spec), library);
    case 'requirements.txt':
      return matchPep508Spec(use.spec, library);
    case 'pyproject.toml':
      return use.dialect === 'poetry' ? matchPoetrySpec(use.spec, library) : matchPep508Spec(use.spec, library);
    case 'dockerfile-arg':
      return matchArgValue(use.spec, library);
  }
}

function notTracking(reason: string): Match {
  return { tracksWorkspace: false, reason };
}

function excludes(spec: string, library: InternalLibrary, note = ''): Match {
  return notTracking(`"${spec}"${note} excludes the workspace version ${library.version}`);
}

function semverRangeMatch(spec: string, range: string, library: InternalLibrary): Match {
  const version = semverOf(library.version);
  if (!version) {
    return notTracking(`the workspace version ${library.version} is not a semver version, so "${spec}" cannot be compared with it`);
  }
  return semverSatisfies(version, range, { includePrerelease: true }) ? TRACKS : excludes(spec, library);
}

function pep440Match(spec: string, specifier: string, library: InternalLibrary): Match {
  const version = pep440Of(library.version);
  if (!version) {
    return notTracking(`the workspace version ${library.version} is not a PEP 440 version, so "${spec}" cannot be compared with it`);
  }
  return pep440Satisfies(version, specifier, { prereleases: true }) ? TRACKS : excludes(spec, library);
}

function matchNpmSpec(spec: string, classified: NpmSpec, library: InternalLibrary): Match {
  switch (classified.kind) {
    case 'range':
      return semverRangeMatch(spec, classified.range, library);
    case 'workspace':
      if (classified.alias !== undefined && classified.alias !== library.npmName) {
        return notTracking(`"${spec}" links ${classified.alias}, not ${library.npmName ?? library.project}`);
      }
      return classified.range === undefined ? TRACKS : semverRangeMatch(spec, classified.range, library);
    case 'path':
      return TRACKS; // a local path can only be the workspace's copy of the library
    case 'alias':
      if (classified.name !== library.npmName) {
        return notTracking(`"${spec}" installs ${classified.name}, not ${library.npmName ?? library.project}`);
      }
      return matchNpmSpec(spec, classified.target, library);
    case 'git':
      return notTracking(`"${spec}" is a git dependency: the image installs the library from git, not the workspace version ${library.version}`);
    case 'url':
      return notTracking(`"${spec}" is a tarball URL: the image installs a published release, not the workspace version ${library.version}`);
    case 'tag':
      return notTracking(`"${spec}" is a dist-tag: the image installs whichever published release it points at, not the workspace version ${library.version}`);
    case 'invalid':
      return notTracking(classified.message);
  }
}

/** A requirements.txt / PEP 621 spec: `''` (any), a PEP 440 specifier, or `@ <url>`. */
function matchPep508Spec(spec: string, library: InternalLibrary): Match {
  const trimmed = spec.trim();
  if (trimmed === '') return TRACKS;
  if (trimmed.startsWith('@')) {
    const url = trimmed.slice(1).trim();
    return /^file:/i.test(url) ? TRACKS : notTracking(`"${spec}" is a direct reference to ${url}, not the workspace version ${library.version}`);
  }
  if (!validPep440Range(trimmed)) return notTracking(`"${spec}" is not a valid PEP 440 version specifier`);
  return pep440Match(spec, trimmed, library);
}

function matchPoetrySpec(spec: string, library: InternalLibrary): Match {
  const trimmed = spec.trim();
  if (trimmed.startsWith('{')) return matchPoetrySource(spec, library);
  const alternatives = poetryToPep440(trimmed);
  if (!alternatives) return notTracking(`"${spec}" is not a Poetry version constraint`);
  const version = pep440Of(library.version);
  if (!version) {
    return notTracking(`the workspace version ${library.version} is not a PEP 440 version, so "${spec}" cannot be compared with it`);
  }
  if (alternatives.some((specifier) => pep440Satisfies(version, specifier, { prereleases: true }))) return TRACKS;
  const translated = alternatives.join(' || ');
  return excludes(spec, library, translated === trimmed ? '' : ` (Poetry, meaning ${translated})`);
}

function matchPoetrySource(spec: string, library: InternalLibrary): Match {
  let table: Record<string, unknown>;
  try {
    const value = parseToml(`dependency = ${spec}`).dependency;
    table = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return notTracking(`"${spec}" is not a Poetry dependency table`);
  }
  if (typeof table.path === 'string' || typeof table.file === 'string') return TRACKS;
  if (typeof table.git === 'string') {
    return notTracking(`"${spec}" is a git dependency: the image installs the library from git, not the workspace version ${library.version}`);
  }
  if (typeof table.url === 'string') {
    return notTracking(`"${spec}" is a URL dependency: the image installs a published release, not the workspace version ${library.version}`);
  }
  return typeof table.version === 'string' ? matchPoetrySpec(table.version, library) : TRACKS;
}

function matchArgValue(value: string, library: InternalLibrary): Match {
  const classified = classifyArgValue('version', value);
  switch (classified.kind) {
    case 'semver-exact': {
      const version = semverOf(library.version);
      if (version && semverEq(version, classified.version)) return TRACKS;
      return notTracking(`"${value}" pins a release other than the workspace version ${library.version}`);
    }
    case 'semver-range':
      return semverRangeMatch(value, classified.range, library);
    case 'pep440-exact': {
      const version = pep440Of(library.version);
      if (version && pep440Eq(version, classified.version)) return TRACKS;
      return notTracking(`"${value}" pins a release other than the workspace version ${library.version}`);
    }
    case 'pep440-range':
      return pep440Match(value, classified.specifier, library);
    case 'tag':
      return notTracking(`"${value}" is a tag, not a version: the image installs a published release, not the workspace version ${library.version}`);
    case 'invalid':
      return notTracking(classified.message);
  }
}
