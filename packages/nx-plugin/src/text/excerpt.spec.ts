import { describe, expect, it } from 'vitest';
import { excerpt } from './excerpt';

describe('excerpt', () => {
  it('keeps short text as it is', () => {
    expect(excerpt('node-base:1.2')).toBe('node-base:1.2');
  });

  it('cuts long text to its start, marked', () => {
    expect(excerpt('a'.repeat(100))).toBe(`${'a'.repeat(60)}…`);
    expect(excerpt('abcdef', 3)).toBe('abc…');
  });

  it('escapes control characters, so a message stays one line', () => {
    expect(excerpt('a\nb\u0000c\u001b[31m')).toBe('a\\u000ab\\u0000c\\u001b[31m');
  });

  it('never cuts a surrogate pair in half', () => {
    expect(excerpt(`ab${'😀'.repeat(3)}`, 3)).toBe('ab…');
  });
});
