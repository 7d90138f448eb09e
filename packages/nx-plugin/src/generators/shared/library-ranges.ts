import { explain } from '@renovatebot/pep440';
import { classifyArgValue } from '../../library/docker-arg-value';
import { classifyNpmSpec } from '../../library/npm-spec';
import { matchLibraryUse, type InternalLibrary, type LibraryUse } from '../../library';

/** The npm range a new service asks for: `^1.5.0`, which the current version satisfies. */
export function npmRangeFor(version: string): string {
  return `^${version}`;
}

/**
 * The PEP 440 specifier a new service asks for: `>=1.5,<2` for 1.5.0 (same
 * major, this minor or later). A pre-release is its own lower bound, as
 * `>=1.6` would exclude 1.6.0rc1.
 */
export function pep440RangeFor(version: string): string {
  const pep = explain(version);
  if (!pep) throw new Error(`"${version}" is not a PEP 440 version; give the library a version such as 1.5.0`);
  const [major, minor = 0] = pep.release;
  if (pep.epoch !== 0) return `>=${version}`;
  const final = !pep.pre && !pep.dev && !pep.post && !pep.local;
  return `>=${final ? `${major}.${minor}` : version},<${major + 1}`;
}

/**
 * The spec a use should have so that the library's current version satisfies
 * it, in the use's own style: an exact version stays exact (`1.2.0` → `2.0.0`,
 * `==1.2.0` → `==2.0.0`), `~` stays `~`, other ranges become `^x.y.z` /
 * `>=x.y,<x+1`. Undefined for what is no version (a git URL, a dist-tag, a
 * path), which only a person can move.
 */
export function syncedSpec(use: LibraryUse, library: InternalLibrary): string | undefined {
  const spec = candidate(use, library.version);
  // Whatever the style, the result must track the workspace version, as the graph matches it.
  return spec !== undefined && matchLibraryUse({ ...use, spec }, library).tracksWorkspace ? spec : undefined;
}

function candidate(use: LibraryUse, version: string): string | undefined {
  const spec = use.spec.trim();
  switch (use.source) {
    case 'package.json':
      return npmCandidate(spec, version);
    case 'requirements.txt':
    case 'pyproject.toml':
      // Poetry: a bare version is exact, anything else becomes a caret constraint.
      if (use.dialect === 'poetry') return spec.startsWith('{') ? undefined : /^\d[\w.+!-]*$/.test(spec) ? version : `^${version}`;
      if (spec.startsWith('@')) return undefined;
      return /^==\s*[^,*]+$/.test(spec) ? `==${version}` : pep440RangeFor(version);
    case 'dockerfile-arg': {
      const kind = classifyArgValue('version', spec).kind;
      if (kind === 'semver-exact' || kind === 'pep440-exact') return version;
      if (kind === 'semver-range') return npmRangeFor(version);
      if (kind === 'pep440-range') return pep440RangeFor(version);
      return undefined;
    }
  }
}

function npmCandidate(spec: string, version: string): string | undefined {
  const classified = classifyNpmSpec(spec);
  if (classified.kind === 'alias' && classified.target.kind === 'range') {
    return `npm:${classified.name}@${npmCandidate(classified.target.range, version)}`;
  }
  if (classified.kind !== 'range') return undefined;
  if (spec.startsWith('~')) return `~${version}`;
  if (/^=?v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/.test(spec)) return version;
  return npmRangeFor(version);
}
