import { explain, validRange } from '@renovatebot/pep440';

/**
 * Translates a Poetry version constraint into PEP 440 specifiers, one per `||` alternative
 * (the constraint is met when any alternative is). Poetry's own forms:
 *   `^1.2.3` → `>=1.2.3,<2`, `^0.2.3` → `>=0.2.3,<0.3`, `^0.0.3` → `>=0.0.3,<0.0.4`, `^0` → `>=0,<1`;
 *   `~1.2.3` → `>=1.2.3,<1.3`, `~1` → `>=1,<2`;  `1.2.*` → `==1.2.*`;  bare `1.2.3` → `==1.2.3`;  `*` → any;
 * PEP 440 clauses (`>=1.4`, `~=1.5`, `!=1.5.1`) pass through. Clauses are separated by commas or spaces.
 * Returns undefined when the constraint cannot be read.
 */
export function poetryToPep440(constraint: string): string[] | undefined {
  const parts = constraint.split('||');
  if (parts.length > 1 && parts.some((part) => part.trim() === '')) return undefined;
  const alternatives = parts.map((alternative) => {
    const tokens = alternative
      .replace(/(~=|===|==|!=|<>|>=|<=|>|<|=|\^|~)\s+/g, '$1')
      .split(/[\s,]+/)
      .filter(Boolean);
    const clauses: string[] = [];
    for (const token of tokens) {
      const translated = translateClause(token);
      if (translated === undefined) return undefined;
      clauses.push(...translated);
    }
    const specifier = clauses.join(',');
    return specifier === '' || validRange(specifier) ? specifier : undefined;
  });
  return alternatives.every((alternative): alternative is string => alternative !== undefined) ? alternatives : undefined;
}

function translateClause(token: string): string[] | undefined {
  if (token === '*') return [];
  if (token.startsWith('^')) return bounded(token.slice(1), caretBumpIndex);
  if (token.startsWith('~') && !token.startsWith('~=')) return bounded(token.slice(1), tildeBumpIndex);
  if (token.startsWith('<>')) return [`!=${token.slice(2)}`];
  if (/^(~=|===|==|!=|>=|<=|>|<)/.test(token)) return [token];
  if (token.startsWith('=')) return [`=${token}`];
  if (/^[vV]?\d/.test(token)) return [`==${token.replace(/\.[xX]$/, '.*')}`];
  return undefined;
}

/** Poetry's `^`: bump the first non-zero part of those written (the last written one when all are zero). */
function caretBumpIndex(release: number[]): number {
  if (release[0] > 0 || release.length < 2) return 0;
  if (release[1] > 0 || release.length < 3) return 1;
  return 2;
}

/** Poetry's `~`: bump the minor part, or the major when only the major is written. */
function tildeBumpIndex(release: number[]): number {
  return release.length < 2 ? 0 : 1;
}

function bounded(version: string, bumpIndex: (release: number[]) => number): string[] | undefined {
  const parsed = explain(version);
  if (!parsed) return undefined;
  const index = bumpIndex(parsed.release);
  const upper = [...parsed.release.slice(0, index), parsed.release[index] + 1].join('.');
  const epoch = parsed.epoch ? `${parsed.epoch}!` : '';
  return [`>=${version}`, `<${epoch}${upper}`];
}
