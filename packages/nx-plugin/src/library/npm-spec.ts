import { validRange } from './semver';

/** What an npm dependency spec (the value in package.json `dependencies`) asks for. */
export type NpmSpec =
  /** A semver range or exact version; `''`, `*` and `x` are ranges that take any version. */
  | { kind: 'range'; range: string }
  /** `workspace:*`, `workspace:^`, `workspace:~` (range absent: any version) or `workspace:<range>`. */
  | { kind: 'workspace'; range?: string; alias?: string }
  /** `file:`, `link:`, `portal:` or a relative/absolute path. */
  | { kind: 'path'; path: string }
  /** `npm:<name>@<spec>`: installs package `name` under another key. */
  | { kind: 'alias'; name: string; target: NpmSpec }
  | { kind: 'git' }
  | { kind: 'url' }
  | { kind: 'tag'; tag: string }
  /** Not readable; `name` is the aliased package when an `npm:` alias names one. */
  | { kind: 'invalid'; message: string; name?: string };

const GIT = /^(?:git\+[a-z]+:|git:|git@|github:|gitlab:|bitbucket:|gist:)/i;
const GITHUB_SHORTHAND = /^[^@\s/:.#][^\s/:#]*\/[^\s/:#]+(?:#\S*)?$/;
const URL = /^https?:\/\//i;
const PATH_PREFIX = /^(?:file|link|portal):/i;
const BARE_PATH = /^(?:\.{1,2}(?:[/\\]|$)|\/|~\/|[A-Za-z]:[/\\])/;
const TAG = /^[A-Za-z][A-Za-z0-9._-]*$/;
/** `name@rest`, the name possibly scoped. */
const NAME_AT = /^((?:@[^/@\s]+\/)?[^/@\s]+)(?:@(.*))?$/s;

export function classifyNpmSpec(spec: string): NpmSpec {
  let classified = classifications.get(spec);
  if (classified === undefined) {
    classified = classify(spec);
    classifications.set(spec, classified);
  }
  return classified;
}

// A workspace's manifests repeat a few specs (`^1.4.0` in every service), and
// semver's range parsing is the slow part: classify each once. Shared answers:
// callers only read them.
const classifications = new Map<string, NpmSpec>();

function classify(spec: string): NpmSpec {
  const trimmed = spec.trim();
  if (/^workspace:/i.test(trimmed)) return classifyWorkspace(trimmed.slice('workspace:'.length).trim());
  if (/^npm:/i.test(trimmed)) return classifyAlias(trimmed.slice('npm:'.length).trim());
  if (PATH_PREFIX.test(trimmed)) return { kind: 'path', path: trimmed.replace(PATH_PREFIX, '') };
  if (BARE_PATH.test(trimmed)) return { kind: 'path', path: trimmed };
  if (GIT.test(trimmed)) return { kind: 'git' };
  if (URL.test(trimmed)) return { kind: 'url' };
  if (validRange(trimmed) !== null) return { kind: 'range', range: trimmed };
  if (GITHUB_SHORTHAND.test(trimmed)) return { kind: 'git' };
  if (TAG.test(trimmed)) return { kind: 'tag', tag: trimmed };
  return {
    kind: 'invalid',
    message:
      `"${spec}" is not a semver range, a workspace:, file:, link: or npm: spec, a git or http URL, or a dist-tag; ` +
      'write a semver range such as "^1.4.0", or "workspace:*" to always use the workspace library',
  };
}

function classifyWorkspace(rest: string): NpmSpec {
  if (rest === '' || rest === '*' || rest === '^' || rest === '~') return { kind: 'workspace' };
  if (BARE_PATH.test(rest)) return { kind: 'path', path: rest };
  if (validRange(rest) !== null) return { kind: 'workspace', range: rest };
  // pnpm: `workspace:<name>@<range>` links another workspace package under this key.
  const aliased = NAME_AT.exec(rest);
  if (aliased && aliased[2] !== undefined) {
    const range = aliased[2].trim();
    if (range === '' || range === '*' || range === '^' || range === '~') return { kind: 'workspace', alias: aliased[1] };
    if (validRange(range) !== null) return { kind: 'workspace', alias: aliased[1], range };
  }
  return {
    kind: 'invalid',
    message: `"workspace:${rest}" has no valid range after "workspace:"; write "workspace:*", "workspace:^" or "workspace:<semver range>"`,
  };
}

function classifyAlias(rest: string): NpmSpec {
  const match = NAME_AT.exec(rest);
  if (!match) {
    return { kind: 'invalid', message: `"npm:${rest}" does not name a package; write "npm:<package>@<range>"` };
  }
  const target = classifyNpmSpec(match[2] ?? '*');
  if (target.kind !== 'range' && target.kind !== 'tag') {
    return {
      kind: 'invalid',
      name: match[1],
      message: `"npm:${rest}" must end in a semver range or dist-tag after the package name; write "npm:${match[1]}@<range>"`,
    };
  }
  return { kind: 'alias', name: match[1], target };
}

/** The package a dependency entry installs: the alias target for `npm:`/`workspace:<name>@` specs, else the key. */
export function installedPackageName(key: string, spec: NpmSpec): string {
  if (spec.kind === 'alias') return spec.name;
  if (spec.kind === 'invalid' && spec.name) return spec.name;
  if (spec.kind === 'workspace' && spec.alias) return spec.alias;
  return key;
}
