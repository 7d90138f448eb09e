import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { substitute, UNKNOWN_VALUE, type VariableValue } from './substitute';

const vars: Record<string, VariableValue> = {
  TAG: '1.2.3',
  EMPTY: '',
  REG: 'registry.example.com',
  PATHY: 'a/b/c.tar.gz',
  ARCH: UNKNOWN_VALUE,
};
const lookup = (name: string): VariableValue => vars[name];
const value = (word: string, escapeChar?: string) => substitute(word, lookup, { escapeChar }).value;

describe('substitute', () => {
  it('expands $NAME and ${NAME}', () => {
    expect(value('node:$TAG')).toBe('node:1.2.3');
    expect(value('${REG}/node:${TAG}-alpine')).toBe('registry.example.com/node:1.2.3-alpine');
    expect(value('$TAG-x')).toBe('1.2.3-x');
  });

  it('keeps a $ that is not followed by a name', () => {
    expect(value('a$')).toBe('a$');
    expect(value('a$/b')).toBe('a$/b');
  });

  it('applies :- and - defaults', () => {
    expect(value('${MISSING:-fallback}')).toBe('fallback');
    expect(value('${EMPTY:-fallback}')).toBe('fallback');
    expect(value('${EMPTY-fallback}')).toBe('');
    expect(value('${MISSING-fallback}')).toBe('fallback');
    expect(value('${TAG:-fallback}')).toBe('1.2.3');
    expect(value('${MISSING:-${TAG}}')).toBe('1.2.3');
    expect(value('${MISSING:-"a b"}')).toBe('a b');
  });

  it('applies :+ and + alternatives', () => {
    expect(value('x${TAG:+-suffix}')).toBe('x-suffix');
    expect(value('x${MISSING:+-suffix}')).toBe('x');
    expect(value('x${EMPTY:+-suffix}')).toBe('x');
    expect(value('x${EMPTY+-suffix}')).toBe('x-suffix');
  });

  it('turns ${NAME?message} on an unset variable into an error', () => {
    expect(substitute('${MISSING?needs a tag}', lookup).error).toBe('MISSING: needs a tag');
    expect(substitute('${EMPTY:?}', lookup).error).toBe('EMPTY: is not allowed to be empty');
    expect(value('${TAG:?x}')).toBe('1.2.3');
  });

  it('strips prefixes and suffixes with globs', () => {
    expect(value('${PATHY#*/}')).toBe('b/c.tar.gz');
    expect(value('${PATHY##*/}')).toBe('c.tar.gz');
    expect(value('${PATHY%.*}')).toBe('a/b/c.tar');
    expect(value('${PATHY%%.*}')).toBe('a/b/c');
    expect(value('${TAG%%.*}')).toBe('1');
    expect(value('${TAG#nomatch}')).toBe('1.2.3');
  });

  it('replaces with ${NAME/glob/text} and ${NAME//glob/text}', () => {
    expect(value('${TAG/./-}')).toBe('1-2.3');
    expect(value('${TAG//./-}')).toBe('1-2-3');
  });

  it('reports unset and unknown variables instead of using ""', () => {
    const unset = substitute('node:${MISSING}', lookup);
    expect(unset.value).toBeUndefined();
    expect(unset.unset).toEqual(['MISSING']);
    const unknown = substitute('node:${ARCH}-${TAG}', lookup);
    expect(unknown.value).toBeUndefined();
    expect(unknown.unknown).toEqual(['ARCH']);
    expect(unknown.used.sort()).toEqual(['ARCH', 'TAG']);
  });

  it('does not need an unset variable when a default covers it', () => {
    const result = substitute('${MISSING:-x}', lookup);
    expect(result).toMatchObject({ value: 'x', unset: [], unknown: [] });
  });

  it('handles quotes like a shell word', () => {
    expect(value('"node:$TAG"')).toBe('node:1.2.3');
    expect(value("'node:$TAG'")).toBe('node:$TAG');
    expect(value('"a\\"b"')).toBe('a"b');
    expect(value('"a\\b"')).toBe('a\\b');
    expect(substitute('"open', lookup).error).toMatch(/unterminated double quote/);
    expect(substitute("'open", lookup).error).toMatch(/unterminated single quote/);
  });

  it('can treat quotes as ordinary characters', () => {
    expect(substitute('"x"', lookup, { processQuotes: false }).value).toBe('"x"');
  });

  it('honours the escape character', () => {
    expect(value('a\\$TAG')).toBe('a$TAG');
    expect(value('a\\${TAG}')).toBe('a${TAG}');
    expect(value('a`$TAG', '`')).toBe('a$TAG');
    expect(value('c:\\dir\\$TAG', '`')).toBe('c:\\dir\\1.2.3');
    expect(value('trailing\\')).toBe('trailing');
  });

  it('reports bad syntax', () => {
    expect(substitute('${', lookup).error).toMatch(/missing/);
    expect(substitute('${}', lookup).error).toMatch(/bad substitution/);
    expect(substitute('${TAG', lookup).error).toMatch(/missing/);
    expect(substitute('${TAG:-x', lookup).error).toMatch(/missing/);
    expect(substitute('${TAG:x}', lookup).error).toMatch(/unsupported modifier/);
  });

  it('never throws and gives a value or a reason', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('$', '{', '}', ':', '-', '+', '?', '#', '%', '/', '\\', '`', '"', "'", 'T', 'A', 'G', '*', 'x') }),
        (word) => {
          const result = substitute(word, lookup);
          const explained = result.error !== undefined || result.unset.length > 0 || result.unknown.length > 0;
          expect(result.value === undefined).toBe(explained);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
