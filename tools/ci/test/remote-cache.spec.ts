import { describe, expect, it } from 'vitest';
import { remoteCacheEnv } from '../lib/remote-cache.mjs';

const vars = { IMAGEWISE_CACHE_URL: 'https://cache.example.com', IMAGEWISE_CACHE_TOKEN: 'rw-secret', IMAGEWISE_CACHE_READ_ONLY_TOKEN: 'ro-secret' };

describe('remoteCacheEnv', () => {
  it('gives the default branch the read-write token', () => {
    expect(remoteCacheEnv(vars, 'default-branch')).toEqual({
      env: { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: 'https://cache.example.com', NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: 'rw-secret' },
      note: 'remote cache https://cache.example.com (read-write)',
    });
  });

  it('gives merge requests and other branches the read-only token, even when the read-write one is visible', () => {
    for (const kind of ['merge-request', 'branch'] as const) {
      expect(remoteCacheEnv(vars, kind)).toEqual({
        env: { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: 'https://cache.example.com', NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: 'ro-secret' },
        note: 'remote cache https://cache.example.com (read-only)',
      });
    }
  });

  it('reads with the read-only token on the default branch when the read-write one is not given', () => {
    expect(remoteCacheEnv({ ...vars, IMAGEWISE_CACHE_TOKEN: '' }, 'default-branch').note).toContain('(read-only)');
  });

  it('leaves the cache off, saying why, without a URL or a token that fits', () => {
    expect(remoteCacheEnv({}, 'default-branch')).toEqual({ env: {}, note: 'no remote cache (set IMAGEWISE_CACHE_URL to use one)' });
    expect(remoteCacheEnv({ IMAGEWISE_CACHE_URL: 'u', IMAGEWISE_CACHE_TOKEN: 'rw-secret' }, 'merge-request')).toEqual({
      env: {},
      note: 'no remote cache: no IMAGEWISE_CACHE_READ_ONLY_TOKEN for this pipeline',
    });
  });

  it('keeps NX_SELF_HOSTED_REMOTE_CACHE_* set for Nx as they are', () => {
    expect(remoteCacheEnv({ ...vars, NX_SELF_HOSTED_REMOTE_CACHE_SERVER: 'https://other' }, 'merge-request').env).toEqual({});
  });

  it('never puts a token in the note', () => {
    for (const kind of ['default-branch', 'merge-request', 'branch'] as const) expect(remoteCacheEnv(vars, kind).note).not.toMatch(/secret/);
  });
});
