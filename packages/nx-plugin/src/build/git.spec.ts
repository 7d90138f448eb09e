import { describe, expect, it } from 'vitest';
import { publicRemoteUrl } from './git';

const TOKEN = 'glpat-SECRET123';

describe('publicRemoteUrl', () => {
  it('removes user and token from an https URL, keeping host, port and path', () => {
    expect(publicRemoteUrl(`https://gitlab-ci-token:${TOKEN}@gitlab.example.com:8443/group/sub/repo.git`)).toBe(
      'https://gitlab.example.com:8443/group/sub/repo.git',
    );
  });

  it('removes a user given without a password', () => {
    expect(publicRemoteUrl('https://alice@github.com/org/repo.git')).toBe('https://github.com/org/repo.git');
  });

  it('removes the user from an ssh:// URL', () => {
    expect(publicRemoteUrl('ssh://git@gitlab.example.com:2222/org/repo.git')).toBe('ssh://gitlab.example.com:2222/org/repo.git');
  });

  it('keeps an scp-like address as it is', () => {
    expect(publicRemoteUrl('git@github.com:org/repo.git')).toBe('git@github.com:org/repo.git');
  });

  it('keeps a URL without credentials as it is', () => {
    expect(publicRemoteUrl('https://github.com/org/repo.git')).toBe('https://github.com/org/repo.git');
  });

  it('gives undefined for undefined', () => {
    expect(publicRemoteUrl(undefined)).toBeUndefined();
  });

  it.each([
    `https://gitlab-ci-token:${TOKEN}@gitlab.example.com/group/repo.git`,
    `https://${TOKEN}@github.com/org/repo.git`,
    `https://x-access-token:${TOKEN}@github.com:443/org/repo.git`,
    `ssh://git:${TOKEN}@gitlab.example.com/org/repo.git`,
    `https://oauth2:${TOKEN}@[not-a-host/org/repo.git`,
  ])('never lets the token through: %s', (remote) => {
    expect(publicRemoteUrl(remote) ?? '').not.toContain(TOKEN);
  });
});
