import { describe, expect, it } from 'vitest';
import { entryHashOf, isValidHash } from './hash.js';

describe('isValidHash', () => {
  it('accepts the decimal hashes Nx sends and hex ones', () => {
    expect(isValidHash('8681555077917325448')).toBe(true);
    expect(isValidHash('a3f9c0ffee')).toBe(true);
    expect(isValidHash('x'.repeat(128))).toBe(true);
  });

  it.each(['', '..', '../etc/passwd', 'a/b', 'a.b', '%2e%2e', 'a\0b', 'a b', '-rf', 'x'.repeat(129)])('rejects %j', (hash) => {
    expect(isValidHash(hash)).toBe(false);
  });
});

describe('entryHashOf', () => {
  it('takes the raw segment after /v1/cache/', () => {
    expect(entryHashOf('/v1/cache/123')).toBe('123');
    expect(entryHashOf('/v1/cache/%2e%2e')).toBe('%2e%2e');
    expect(entryHashOf('/v1/cache/')).toBe('');
  });

  it('is undefined for other paths, including deeper ones', () => {
    expect(entryHashOf('/v1/cache/a/b')).toBeUndefined();
    expect(entryHashOf('/v1/cache')).toBeUndefined();
    expect(entryHashOf('/health')).toBeUndefined();
  });
});
