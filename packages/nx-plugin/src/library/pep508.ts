import { validRange } from '@renovatebot/pep440';

/*
 * Hand-written, because no well-kept npm library reads PEP 508 requirements the
 * way pip does. Checked (2026-12):
 * - @renovatebot/pep440 (already a dependency) reads PEP 440 versions and
 *   specifiers only, not whole requirements: it checks the specifier below.
 * - pip-requirements-js 1.0.3 (an Ohm grammar of PEP 508, with locations)
 *   refuses `name @ <url> ; <marker>` (valid PEP 508), and, per line, pip's
 *   own `--hash=…`, `-e` and `-i` options, so requirements-uses.ts would
 *   still strip those by hand; it also names no package in a line it refuses,
 *   which the messages need, and brings ohm-js (2.3 MB) to every Nx command.
 * - requirements-txt writes requirements files; it does not read them.
 * What is left here is small: a name, extras, a specifier or `@ <url>`, and
 * an unevaluated marker.
 */

/** A PEP 508 requirement such as `imagewise-common[http]>=1.4,<2; python_version > "3.8"`. */
export interface Requirement {
  name: string;
  extras: string[];
  /** Version specifier as written (parentheses dropped), `''` for none, or `@ <url>` for a direct reference. */
  spec: string;
  marker?: string;
}

export type ParsedRequirement = { requirement: Requirement } | { name?: string; error: string };

const NAME = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*/;

/**
 * Parses one PEP 508 requirement. Environment markers are kept but not evaluated; the version
 * specifier is checked with PEP 440 rules (`==`, `!=`, `<=`, `>=`, `<`, `>`, `~=`, `===`, `==1.5.*`).
 */
export function parseRequirement(text: string): ParsedRequirement {
  const head = NAME.exec(text);
  if (!head) return { error: `"${text.trim()}" does not start with a distribution name` };
  const name = head[1];
  const extras = (head[2] ?? '')
    .split(',')
    .map((extra) => extra.trim())
    .filter(Boolean);
  const rest = text.slice(head[0].length).trim();

  if (rest.startsWith('@')) {
    const [url, marker] = splitOnce(rest.slice(1).trim(), /\s+;/);
    if (!url) return { name, error: `"${text.trim()}" has "@" but no URL after it` };
    return { requirement: { name, extras, spec: `@ ${url}`, ...markerOf(marker) } };
  }

  const [specifier, marker] = splitOnce(rest, /;/);
  let spec = specifier.trim();
  if (spec.startsWith('(') && spec.endsWith(')')) spec = spec.slice(1, -1).trim();
  if (spec !== '' && !validRange(spec)) {
    return {
      name,
      error: `"${spec}" is not a valid PEP 440 version specifier for ${name}; ` + 'write comma-separated clauses such as ">=1.4,<2", "~=1.5" or "==1.5.*"',
    };
  }
  return { requirement: { name, extras, spec, ...markerOf(marker) } };
}

function splitOnce(text: string, separator: RegExp): [string, string | undefined] {
  const match = separator.exec(text);
  if (!match) return [text, undefined];
  return [text.slice(0, match.index).trim(), text.slice(match.index + match[0].length).trim()];
}

function markerOf(marker: string | undefined): { marker?: string } {
  return marker ? { marker } : {};
}
