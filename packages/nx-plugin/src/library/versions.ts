import { valid as validSemver } from './semver';
import { explain, valid as validPep440 } from '@renovatebot/pep440';

/**
 * The workspace version as semver, for matching npm ranges. A PEP 440 version is translated when it has
 * an exact semver counterpart: `1.5` → `1.5.0`, `1.6.0rc1` → `1.6.0-rc.1`; epochs, post, dev and local
 * versions, and releases with more than three parts, have none (undefined).
 */
export function semverOf(version: string): string | undefined {
  const semver = validSemver(version.trim());
  if (semver) return semver;
  const pep = explain(version.trim());
  if (!pep || pep.epoch !== 0 || pep.local || pep.post || pep.dev || pep.release.length > 3) return undefined;
  const release = [...pep.release, 0, 0].slice(0, 3).join('.');
  const pre = pep.pre && pep.pre.length === 2 ? `-${pep.pre[0]}.${pep.pre[1]}` : '';
  return validSemver(release + pre) ?? undefined;
}

/** The workspace version as PEP 440 (which also accepts most semver forms, e.g. `1.6.0-rc.1`). */
export function pep440Of(version: string): string | undefined {
  return validPep440(version.trim()) ?? undefined;
}
