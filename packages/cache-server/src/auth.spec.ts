import { describe, expect, it } from 'vitest';
import { AuthConfigError, createAuthorizer } from './auth.js';

describe('createAuthorizer', () => {
  const authorize = createAuthorizer({ token: 'rw-secret', readOnlyToken: 'ro-secret' });

  it('grants read-write and read-only access by bearer token', () => {
    expect(authorize('Bearer rw-secret')).toBe('read-write');
    expect(authorize('Bearer ro-secret')).toBe('read-only');
    expect(authorize('bearer  rw-secret')).toBe('read-write');
  });

  it('grants nothing for a missing, wrong or malformed token', () => {
    expect(authorize(undefined)).toBeUndefined();
    expect(authorize('')).toBeUndefined();
    expect(authorize('Bearer wrong')).toBeUndefined();
    expect(authorize('Bearer rw-secre')).toBeUndefined();
    expect(authorize('Bearer rw-secretx')).toBeUndefined();
    expect(authorize('Basic cnctc2VjcmV0')).toBeUndefined();
    expect(authorize('rw-secret')).toBeUndefined();
    expect(authorize('Bearer rw-secret extra')).toBeUndefined();
  });

  it('works with only a read-only token', () => {
    const readOnly = createAuthorizer({ readOnlyToken: 'ro' });
    expect(readOnly('Bearer ro')).toBe('read-only');
    expect(readOnly('Bearer rw')).toBeUndefined();
  });

  it('lets everyone read and write when open', () => {
    expect(createAuthorizer({ open: true })(undefined)).toBe('read-write');
  });

  it('refuses to run without a token unless open, naming both ways out', () => {
    expect(() => createAuthorizer({})).toThrow(AuthConfigError);
    expect(() => createAuthorizer({})).toThrow(/--token \(IMAGEWISE_CACHE_TOKEN\).*--open/);
  });

  it('refuses contradictory settings', () => {
    expect(() => createAuthorizer({ open: true, token: 't' })).toThrow(/--open/);
    expect(() => createAuthorizer({ token: 'same', readOnlyToken: 'same' })).toThrow(/must differ/);
  });
});
