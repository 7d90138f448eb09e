import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registryAuth } from './credentials';

const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

let dir: string;
let bin: string;
const originalPath = process.env.PATH;
const originalHome = process.env.HOME;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'imagewise-credentials-'));
  bin = join(dir, 'bin');
  mkdirSync(bin);
  // A credential helper as the docker CLI runs it: `docker-credential-<name> get`, the server URL on stdin.
  const script = `#!/bin/sh
read -r server
echo "$1 $server" >> "${join(bin, 'calls.log')}"
case "$server" in
  ghcr.io) echo '{"ServerURL":"ghcr.io","Username":"helper-user","Secret":"helper-secret"}' ;;
  https://index.docker.io/v1/) echo '{"ServerURL":"https://index.docker.io/v1/","Username":"hub-user","Secret":"hub-secret"}' ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`;
  writeFileSync(join(bin, 'docker-credential-fake'), script);
  chmodSync(join(bin, 'docker-credential-fake'), 0o755);
  process.env.PATH = `${bin}${delimiter}${originalPath}`;
});

afterEach(() => {
  process.env.PATH = originalPath;
  process.env.HOME = originalHome;
  rmSync(dir, { recursive: true, force: true });
});

function config(contents: unknown): NodeJS.ProcessEnv {
  const configDir = join(dir, 'docker');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'config.json'), typeof contents === 'string' ? contents : JSON.stringify(contents));
  return { DOCKER_CONFIG: configDir };
}

const helperCalls = () => {
  try {
    return readFileSync(join(bin, 'calls.log'), 'utf8').trim().split('\n');
  } catch {
    return [];
  }
};

describe('registryAuth', () => {
  it('is undefined when there is no config.json', () => {
    expect(registryAuth('ghcr.io', { DOCKER_CONFIG: join(dir, 'nowhere') })).toBeUndefined();
  });

  it('reads ~/.docker/config.json without DOCKER_CONFIG', () => {
    process.env.HOME = dir;
    mkdirSync(join(dir, '.docker'));
    writeFileSync(join(dir, '.docker', 'config.json'), JSON.stringify({ auths: { 'ghcr.io': { auth: basic('home', 'pw') } } }));
    expect(registryAuth('ghcr.io', {})).toEqual({ username: 'home', password: 'pw', serveraddress: 'ghcr.io' });
  });

  it('decodes a base64 auth entry, keeping colons in the password', () => {
    const env = config({ auths: { 'registry.example.com:5000': { auth: basic('ci', 'p:a:ss') } } });
    expect(registryAuth('registry.example.com:5000', env)).toEqual({ username: 'ci', password: 'p:a:ss', serveraddress: 'registry.example.com:5000' });
  });

  it('reads username and password entries', () => {
    const env = config({ auths: { 'ghcr.io': { username: 'bot', password: 'token' } } });
    expect(registryAuth('ghcr.io', env)).toEqual({ username: 'bot', password: 'token', serveraddress: 'ghcr.io' });
  });

  it('finds entries written with a scheme or a path, as older docker logins wrote them', () => {
    expect(registryAuth('ghcr.io', config({ auths: { 'https://ghcr.io': { auth: basic('a', 'b') } } }))).toMatchObject({ username: 'a', password: 'b' });
    expect(registryAuth('ghcr.io', config({ auths: { 'http://ghcr.io': { auth: basic('c', 'd') } } }))).toMatchObject({ username: 'c', password: 'd' });
    expect(registryAuth('quay.io', config({ auths: { 'https://quay.io/v1/': { auth: basic('e', 'f') } } }))).toMatchObject({ username: 'e', password: 'f' });
  });

  it('is undefined for a host with no entry, or an entry without credentials, and never mixes up ports', () => {
    const env = config({ auths: { 'ghcr.io': { auth: basic('a', 'b') }, 'registry.example.com:5000': {}, 'quay.io': { username: 'only-user' } } });
    expect(registryAuth('registry.example.com', env)).toBeUndefined();
    expect(registryAuth('registry.example.com:5000', env)).toBeUndefined();
    expect(registryAuth('quay.io', env)).toBeUndefined();
    expect(registryAuth('ghcr.io:443', env)).toBeUndefined();
    expect(registryAuth('ghcr.io', config({}))).toBeUndefined();
  });

  it('finds Docker Hub credentials, stored under https://index.docker.io/v1/, by any Hub host name', () => {
    const env = config({ auths: { 'https://index.docker.io/v1/': { auth: basic('hubber', 'hubpw') } } });
    for (const host of ['docker.io', 'registry-1.docker.io', 'index.docker.io']) {
      expect(registryAuth(host, env), host).toEqual({ username: 'hubber', password: 'hubpw', serveraddress: host });
    }
    expect(registryAuth('ghcr.io', env)).toBeUndefined();
  });

  it('fails naming the file when config.json is not JSON', () => {
    const env = config('{ "auths": ');
    const path = join(env.DOCKER_CONFIG!, 'config.json');
    expect(() => registryAuth('ghcr.io', env)).toThrow(`${path} is not valid JSON`);
  });

  it.each([
    ['a stray word after a secret', '{ "auths": { "ghcr.io": { "auth": "c2VjcmV0LXRva2Vu" } }, SECRETWORD123 }'],
    ['an unquoted secret', '{ "auths": { "ghcr.io": { "password": SECRETWORD123 } } }'],
    ['a secret cut short', '{\n  "auths": { "ghcr.io": { "auth": "c2VjcmV0LXRva2Vu'],
  ])('never quotes the file in its error: %s', (_case, text) => {
    const env = config(text);
    let message = '';
    try {
      registryAuth('ghcr.io', env);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('is not valid JSON');
    expect(message).not.toMatch(/SECRET|c2Vj|auths/);
  });

  it('fails naming the file and host, not the value, when an auth is not username:password', () => {
    const env = config({ auths: { 'ghcr.io': { auth: Buffer.from('no-colon-secret').toString('base64') } } });
    let message = '';
    try {
      registryAuth('ghcr.io', env);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(join(env.DOCKER_CONFIG!, 'config.json'));
    expect(message).toContain('ghcr.io');
    expect(message).not.toContain('no-colon-secret');
  });

  describe('credential helpers', () => {
    it('asks the credHelpers entry for the host, with the host on stdin, before auths', () => {
      const env = config({ credHelpers: { 'ghcr.io': 'fake' }, auths: { 'ghcr.io': { auth: basic('from-auths', 'x') } } });
      expect(registryAuth('ghcr.io', env)).toEqual({ username: 'helper-user', password: 'helper-secret', serveraddress: 'ghcr.io' });
      expect(helperCalls()).toEqual(['get ghcr.io']);
    });

    it('asks the credsStore for any host', () => {
      expect(registryAuth('ghcr.io', config({ credsStore: 'fake' }))).toMatchObject({ username: 'helper-user', password: 'helper-secret' });
    });

    it('prefers the host credHelpers entry to the credsStore', () => {
      const env = config({ credsStore: 'missing-store', credHelpers: { 'ghcr.io': 'fake' } });
      expect(registryAuth('ghcr.io', env)).toMatchObject({ username: 'helper-user' });
    });

    it('falls back to auths when the helper has nothing for the host', () => {
      const env = config({ credsStore: 'fake', auths: { 'quay.io': { auth: basic('quay-user', 'quay-pw') } } });
      expect(registryAuth('quay.io', env)).toEqual({ username: 'quay-user', password: 'quay-pw', serveraddress: 'quay.io' });
      expect(helperCalls()).toEqual(['get quay.io']);
      expect(registryAuth('registry.example.com', env)).toBeUndefined();
    });

    it('falls back to auths when the helper is not installed', () => {
      const env = config({ credHelpers: { 'ghcr.io': 'not-installed' }, auths: { 'ghcr.io': { username: 'u', password: 'p' } } });
      expect(registryAuth('ghcr.io', env)).toEqual({ username: 'u', password: 'p', serveraddress: 'ghcr.io' });
    });

    it('asks for Docker Hub by https://index.docker.io/v1/, as docker login stored it', () => {
      expect(registryAuth('registry-1.docker.io', config({ credsStore: 'fake' }))).toEqual({
        username: 'hub-user',
        password: 'hub-secret',
        serveraddress: 'registry-1.docker.io',
      });
      expect(registryAuth('docker.io', config({ credHelpers: { 'index.docker.io': 'fake' } }))).toMatchObject({ username: 'hub-user' });
      expect(helperCalls()).toEqual(['get https://index.docker.io/v1/', 'get https://index.docker.io/v1/']);
    });
  });
});
