import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { asPlainStream, classicRegistryConfig, sessionCredentials, sessionSecret } from './build-session';

const auth = (host: string) => ({ username: `user-${host}`, password: `pw-${host}`, serveraddress: host });
const CONFIG = { 'private.example.com:5000': auth('private.example.com:5000'), 'docker.io': auth('docker.io') };

describe('sessionCredentials: what BuildKit gets when it asks for a host', () => {
  it("gives that host's own credentials", () => {
    expect(sessionCredentials(CONFIG, 'private.example.com:5000')).toEqual({
      Username: 'user-private.example.com:5000',
      Secret: 'pw-private.example.com:5000',
    });
  });

  it('gives the Docker Hub credentials for the host BuildKit pulls Docker Hub images from', () => {
    expect(sessionCredentials(CONFIG, 'registry-1.docker.io')).toEqual({ Username: 'user-docker.io', Secret: 'pw-docker.io' });
  });

  it('gives nothing to any other host, so no credentials reach another registry', () => {
    expect(sessionCredentials(CONFIG, 'private.example.com')).toEqual({ Username: '', Secret: '' });
    expect(sessionCredentials(CONFIG, '127.0.0.1:5001')).toEqual({ Username: '', Secret: '' });
    expect(sessionCredentials({}, 'registry-1.docker.io')).toEqual({ Username: '', Secret: '' });
  });
});

describe('classicRegistryConfig: the X-Registry-Config of a classic build', () => {
  it('keys registries by host and Docker Hub by its index server, as dockerd looks them up', () => {
    expect(classicRegistryConfig(CONFIG)).toEqual({
      'private.example.com:5000': auth('private.example.com:5000'),
      'https://index.docker.io/v1/': auth('docker.io'),
    });
  });

  it('sends no header when there are no credentials', () => {
    expect(classicRegistryConfig({})).toBeUndefined();
  });
});

describe('sessionSecret: what BuildKit gets when a step mounts a secret', () => {
  const secrets = new Map([['npm_token', Buffer.from('planted')]]);

  it('gives that secret its bytes, and nothing for an id the build was not given', () => {
    expect(sessionSecret(secrets, 'npm_token')).toEqual(Buffer.from('planted'));
    expect(sessionSecret(secrets, 'NPM_TOKEN')).toBeUndefined();
    expect(sessionSecret(new Map(), 'npm_token')).toBeUndefined();
  });
});

describe('asPlainStream', () => {
  it("hands a TLS socket on as a plain stream (Node's HTTP/2 server drops a TLSSocket with no ALPN), anything else as it is", () => {
    const plain = new PassThrough();
    expect(asPlainStream(plain)).toBe(plain);
    const tls = new TLSSocket(new PassThrough() as never);
    const wrapped = asPlainStream(tls);
    expect(wrapped).not.toBeInstanceOf(TLSSocket);
    expect((wrapped as { alpnProtocol?: unknown }).alpnProtocol).toBeUndefined();
    tls.destroy();
  });
});
