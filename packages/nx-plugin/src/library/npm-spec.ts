import type npa from 'npm-package-arg';
import { validRange } from './semver';

/*
 * What a dependency spec means is npm-package-arg's answer: npm's own parser,
 * the one `npm install` runs, so git shorthands, hosted-git URLs, tarballs,
 * local paths and `npm:` aliases are told apart exactly as npm tells them.
 * By hand stays only what npm does not read: pnpm/yarn/bun `workspace:`
 * specs, and yarn/pnpm `link:`/`portal:` paths (npa rejects all three as
 * unsupported URL types). npa's errors are not shown: the messages below say
 * what to write instead.
 */

/** What an npm dependency spec (the value in package.json `dependencies`) asks for. */
export type NpmSpec =
  /** A semver range or exact version; `''`, `*` and `x` are ranges that take any version. */
  | { kind: 'range'; range: string }
  /** `workspace:*`, `workspace:^`, `workspace:~` (range absent: any version) or `workspace:<range>`. */
  | { kind: 'workspace'; range?: string; alias?: string }
  /** `file:`, `link:`, `portal:`, a relative/absolute path or a local tarball. */
  | { kind: 'path'; path: string }
  /** `npm:<name>@<spec>`: installs package `name` under another key. */
  | { kind: 'alias'; name: string; target: NpmSpec }
  | { kind: 'git' }
  | { kind: 'url' }
  | { kind: 'tag'; tag: string }
  /** Not readable; `name` is the aliased package when an `npm:` alias names one. */
  | { kind: 'invalid'; message: string; name?: string };

/** yarn's and pnpm's path protocols, which npm does not know. */
const LINK_PATH = /^(?:link|portal):/i;
/** A path after `workspace:` (pnpm), as pnpm recognises one. */
const WORKSPACE_PATH = /^(?:\.{1,2}(?:[/\\]|$)|\/|~\/|[A-Za-z]:[/\\])/;
/** `name@rest`, the name possibly scoped. */
const NAME_AT = /^((?:@[^/@\s]+\/)?[^/@\s]+)(?:@(.*))?$/s;
// Loaded on first use (npa and its hosted-git-info take some 20 ms to load), and
// graph code runs on every Nx command.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load needs require
const packageArg = (): typeof npa => require('npm-package-arg') as typeof npa;

/** npa.resolve wants a package name; the spec's meaning does not depend on it. */
const ANY_NAME = 'package';

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
  if (LINK_PATH.test(trimmed)) return { kind: 'path', path: trimmed.replace(LINK_PATH, '') };
  const parsed = parse(trimmed);
  if (!parsed) {
    if (/^npm:/i.test(trimmed)) return invalidAlias(trimmed.slice('npm:'.length).trim());
    return {
      kind: 'invalid',
      message:
        `"${spec}" is not a semver range, a workspace:, file:, link: or npm: spec, a git or http URL, or a dist-tag; ` +
        'write a semver range such as "^1.4.0", or "workspace:*" to always use the workspace library',
    };
  }
  if (parsed.type === 'alias') {
    // npa takes an alias only to a registry version, range or tag, and only with a package name.
    const target = (parsed as npa.AliasResult).subSpec;
    const targetSpec = registrySpec(target);
    if (!targetSpec || !target.name) return invalidAlias(trimmed.slice('npm:'.length).trim());
    return { kind: 'alias', name: target.name, target: targetSpec };
  }
  return registrySpec(parsed) ?? otherSpec(parsed, trimmed);
}

/** npa's reading of a spec, or undefined where npm would refuse it. */
function parse(spec: string): npa.Result | undefined {
  try {
    // `where` only anchors the absolute paths npa computes, which are not used.
    return packageArg().resolve(ANY_NAME, spec, '/');
  } catch {
    return undefined;
  }
}

function registrySpec(parsed: npa.Result): NpmSpec | undefined {
  const text = parsed.fetchSpec ?? '';
  if (parsed.type === 'range' || parsed.type === 'version') return { kind: 'range', range: text };
  if (parsed.type === 'tag') return { kind: 'tag', tag: text };
  return undefined;
}

function otherSpec(parsed: npa.Result, spec: string): NpmSpec {
  switch (parsed.type) {
    case 'git':
      return { kind: 'git' };
    case 'remote':
      return { kind: 'url' };
    default: // 'file' (a tarball) or 'directory'
      return { kind: 'path', path: spec.replace(/^file:/i, '') };
  }
}

/** The message for an `npm:` alias npa refuses: no package name, or a target that is not a registry version. */
function invalidAlias(rest: string): NpmSpec {
  // npa refuses the whole alias, so its name is split off here, as npa would before reading the rest.
  const name = NAME_AT.exec(rest)?.[1];
  if (!name) {
    return { kind: 'invalid', message: `"npm:${rest}" does not name a package; write "npm:<package>@<range>"` };
  }
  return {
    kind: 'invalid',
    name,
    message: `"npm:${rest}" must end in a semver range or dist-tag after the package name; write "npm:${name}@<range>"`,
  };
}

function classifyWorkspace(rest: string): NpmSpec {
  if (rest === '' || rest === '*' || rest === '^' || rest === '~') return { kind: 'workspace' };
  if (WORKSPACE_PATH.test(rest)) return { kind: 'path', path: rest };
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

/** The package a dependency entry installs: the alias target for `npm:`/`workspace:<name>@` specs, else the key. */
export function installedPackageName(key: string, spec: NpmSpec): string {
  if (spec.kind === 'alias') return spec.name;
  if (spec.kind === 'invalid' && spec.name) return spec.name;
  if (spec.kind === 'workspace' && spec.alias) return spec.alias;
  return key;
}
