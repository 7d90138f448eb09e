import { describe, expect, it, vi } from 'vitest';
import { registryCredentialsFor } from './build-facts';

const auth = (host: string) => ({ username: 'ci', password: `secret-for-${host}`, serveraddress: host });

describe('registryCredentialsFor', () => {
  it('asks for every host the build pulls from and keeps those that have credentials', () => {
    const credentials = vi.fn((host: string) => (host === 'private.example.com' ? auth(host) : undefined));
    expect(registryCredentialsFor(true, ['docker.io', 'private.example.com'], credentials)).toEqual({ 'private.example.com': auth('private.example.com') });
    expect(credentials.mock.calls.map(([host]) => host)).toEqual(['docker.io', 'private.example.com']);
  });

  it('asks nothing when no build follows (the registry or the engine already holds the image)', () => {
    const credentials = vi.fn(auth);
    expect(registryCredentialsFor(false, ['private.example.com'], credentials)).toEqual({});
    expect(credentials).not.toHaveBeenCalled();
  });

  it('gives nothing when the build pulls from no registry', () => {
    expect(registryCredentialsFor(true, [], auth)).toEqual({});
  });
});
