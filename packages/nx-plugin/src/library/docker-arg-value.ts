import { valid as validPep440, validRange as validPep440Range } from '@renovatebot/pep440';
import { valid as validSemver, validRange as validSemverRange } from './semver';

/** What the default value of a Dockerfile version ARG (`ARG COMMON_VERSION=1.5.0`) asks for. */
export type ArgValue =
  /** An exact semver version: the workspace version must equal it. */
  | { kind: 'semver-exact'; version: string }
  /** Anything else semver reads as a range (`^1.4`, `1.5` = 1.5.x, `>=1.4 <2`, `*`). */
  | { kind: 'semver-range'; range: string }
  /** An exact PEP 440 version semver cannot read (`1.6.0rc1`, `1.5.0.post1`): must be equal under PEP 440. */
  | { kind: 'pep440-exact'; version: string }
  /** PEP 440-only syntax: a comma, or `==`, `!=`, `~=`, `===` (`>=1.4,<2`, `~=1.5`). */
  | { kind: 'pep440-range'; specifier: string }
  | { kind: 'tag'; tag: string }
  | { kind: 'invalid'; message: string };

const PEP440_ONLY = /^(?:~=|===|==|!=)|,/;

export function classifyArgValue(argName: string, value: string): ArgValue {
  const trimmed = value.trim();
  if (trimmed.includes('$')) {
    return {
      kind: 'invalid',
      message:
        `ARG ${argName}=${value} refers to another build variable, so the library version it asks for is unknown; ` +
        `write the version literally (e.g. ARG ${argName}=1.5.0)`,
    };
  }
  if (PEP440_ONLY.test(trimmed)) {
    return validPep440Range(trimmed) ? { kind: 'pep440-range', specifier: trimmed } : { kind: 'invalid', message: invalid(argName, value) };
  }
  const exact = validSemver(trimmed);
  if (exact) return { kind: 'semver-exact', version: exact };
  if (validSemverRange(trimmed) !== null) return { kind: 'semver-range', range: trimmed };
  if (validPep440(trimmed)) return { kind: 'pep440-exact', version: trimmed };
  if (validPep440Range(trimmed)) return { kind: 'pep440-range', specifier: trimmed };
  if (/^[A-Za-z][A-Za-z0-9._-]*$/.test(trimmed)) return { kind: 'tag', tag: trimmed };
  return { kind: 'invalid', message: invalid(argName, value) };
}

function invalid(argName: string, value: string): string {
  return (
    `ARG ${argName}="${value}" is neither a version nor a version range; ` +
    `write an exact version (ARG ${argName}=1.5.0) or a semver range (ARG ${argName}=^1.5.0)`
  );
}
