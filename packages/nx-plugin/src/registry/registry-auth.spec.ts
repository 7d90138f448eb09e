import { describe, expect, it } from 'vitest';
import { parseImageReference as ref } from '../image-reference/reference';
import type { RegistryAuth } from './credentials';
import { RegistryClient } from './registry-client';
import { RegistryError } from './registry-http';

const DIGEST = `sha256:${'d'.repeat(64)}`;
const USER = 'robot-user';
const PASSWORD = 'pa55-w0rd-xyz';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
const REALM = 'https://auth.example.com/token';

interface Call {
  method: string;
  url: URL;
  authorization: string | null;
}

/** A fake registry and token service, routed by URL; records each call's method, URL and Authorization. */
function fakeServer(handle: (call: Call, n: number) => Response) {
  const calls: Call[] = [];
  const fetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const call = { method: init.method ?? 'GET', url: new URL(String(input)), authorization: new Headers(init.headers).get('authorization') };
    calls.push(call);
    return handle(call, calls.length);
  }) as typeof globalThis.fetch;
  return { fetch, calls, seen: () => calls.map((c) => `${c.method} ${c.url.host}${c.url.pathname} ${c.authorization ?? '-'}`) };
}

const digestOk = () => new Response(null, { status: 200, headers: { 'Docker-Content-Digest': DIGEST } });
const unauthorized = (challenge: string) => new Response(null, { status: 401, statusText: 'Unauthorized', headers: { 'WWW-Authenticate': challenge } });
const bearerChallenge = (scope = 'repository:acme/app:pull') => `Bearer realm="${REALM}",service="registry.example.com",scope="${scope}"`;
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** Registry that wants `Bearer <token>`; the token service gives `token` for the expected credentials (or anonymously when none expected). */
function bearerRegistry(options: { token?: string; acceptsToken?: (token: string) => boolean; expect?: string | null } = {}) {
  const token = options.token ?? 'tok-1';
  const expected = options.expect === undefined ? BASIC : options.expect;
  return fakeServer(({ url, authorization }) => {
    if (url.host === 'auth.example.com') {
      if (authorization !== expected) return json({ details: 'incorrect username or password' }, 401);
      return json({ token: `${token}-${url.searchParams.get('scope')}` });
    }
    const presented = authorization?.replace(/^Bearer /, '');
    if (presented && authorization!.startsWith('Bearer ') && (options.acceptsToken ?? (() => true))(presented)) return digestOk();
    const repository = /^\/v2\/(.+)\/manifests\//.exec(url.pathname)![1];
    return unauthorized(bearerChallenge(`repository:${repository}:pull`));
  });
}

const credentialsFor =
  (hosts: string[] = []) =>
  (host: string): RegistryAuth | undefined => {
    hosts.push(host);
    return { username: USER, password: PASSWORD, serveraddress: host };
  };

const client = (fetch: typeof globalThis.fetch, credentials?: (host: string) => RegistryAuth | undefined, dockerHubMirror?: string) =>
  new RegistryClient({ attempts: 2, retryDelayMs: 1, fetch, credentials, dockerHubMirror });

async function failureOf(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  return error as RegistryError;
}

function expectNoSecrets(message: string) {
  for (const secret of [USER, PASSWORD, BASIC, BASIC.slice('Basic '.length)]) expect(message).not.toContain(secret);
}

describe('RegistryClient auth', () => {
  describe('Bearer challenge', () => {
    it('asks the realm for a token with the service and scope, sending Basic credentials, then retries with the Bearer token', async () => {
      const hosts: string[] = [];
      const server = bearerRegistry();
      await expect(client(server.fetch, credentialsFor(hosts)).manifestDigest(ref('registry.example.com/acme/app:1'))).resolves.toBe(DIGEST);
      expect(server.seen()).toEqual([
        'HEAD registry.example.com/v2/acme/app/manifests/1 -',
        `GET auth.example.com/token ${BASIC}`,
        'HEAD registry.example.com/v2/acme/app/manifests/1 Bearer tok-1-repository:acme/app:pull',
      ]);
      expect(server.calls[1].url.searchParams.get('service')).toBe('registry.example.com');
      expect(server.calls[1].url.searchParams.get('scope')).toBe('repository:acme/app:pull');
      expect(hosts).toEqual(['registry.example.com']);
    });

    it('asks for a token anonymously when there are no credentials, and reads access_token too', async () => {
      const server = fakeServer(({ url, authorization }) => {
        if (url.host === 'auth.example.com') return authorization ? json({}, 400) : json({ access_token: 'anon' });
        return authorization === 'Bearer anon' ? digestOk() : unauthorized(bearerChallenge());
      });
      await expect(client(server.fetch).manifestDigest(ref('registry.example.com/acme/app:1'))).resolves.toBe(DIGEST);
      expect(server.calls[1].authorization).toBeNull();
      expect(server.calls).toHaveLength(3);
    });

    it('uses its own scope when the challenge names none', async () => {
      const server = fakeServer(({ url, authorization }) => {
        if (url.host === 'auth.example.com') return json({ token: 't' });
        return authorization === 'Bearer t' ? digestOk() : unauthorized(`Bearer realm="${REALM}",service="svc"`);
      });
      await client(server.fetch).manifestDigest(ref('registry.example.com/acme/app:1'));
      expect(server.calls[1].url.searchParams.get('scope')).toBe('repository:acme/app:pull');
      expect(server.calls[1].url.searchParams.get('service')).toBe('svc');
    });

    it('keeps the token for the next call on the same repository, and asks again for another repository', async () => {
      const server = bearerRegistry();
      const registry = client(server.fetch, credentialsFor());
      await registry.manifestDigest(ref('registry.example.com/acme/app:1'));
      await registry.manifestDigest(ref('registry.example.com/acme/app:2'));
      expect(server.calls).toHaveLength(4);
      expect(server.seen()[3]).toBe('HEAD registry.example.com/v2/acme/app/manifests/2 Bearer tok-1-repository:acme/app:pull');
      await registry.manifestDigest(ref('registry.example.com/acme/other:1'));
      expect(server.seen().slice(4)).toEqual([
        'HEAD registry.example.com/v2/acme/other/manifests/1 -',
        `GET auth.example.com/token ${BASIC}`,
        'HEAD registry.example.com/v2/acme/other/manifests/1 Bearer tok-1-repository:acme/other:pull',
      ]);
    });

    it('gets a new token when the cached one has expired', async () => {
      let issued = 0;
      const server = fakeServer(({ url, authorization }) => {
        if (url.host === 'auth.example.com') return json({ token: `t${++issued}` });
        return authorization === `Bearer t${issued}` ? digestOk() : unauthorized(bearerChallenge());
      });
      const registry = client(server.fetch);
      await registry.manifestDigest(ref('registry.example.com/acme/app:1'));
      issued++; // the registry now only takes a newer token
      await expect(registry.manifestDigest(ref('registry.example.com/acme/app:1'))).resolves.toBe(DIGEST);
      expect(server.seen().slice(3)).toEqual([
        'HEAD registry.example.com/v2/acme/app/manifests/1 Bearer t1',
        'GET auth.example.com/token -',
        'HEAD registry.example.com/v2/acme/app/manifests/1 Bearer t3',
      ]);
    });

    it('asks for pull,push to retag, and sends the manifest PUT with that token', async () => {
      const bytes = Buffer.from('{"schemaVersion":2}');
      const server = fakeServer(({ method, url, authorization }) => {
        if (url.host === 'auth.example.com') return json({ token: url.searchParams.get('scope') });
        const scope = method === 'PUT' ? 'repository:acme/app:pull,push' : 'repository:acme/app:pull';
        if (authorization !== `Bearer ${scope}`) return unauthorized(bearerChallenge(scope));
        if (method === 'PUT') return new Response(null, { status: 201 });
        return new Response(bytes, { headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json', 'Docker-Content-Digest': DIGEST } });
      });
      await expect(client(server.fetch, credentialsFor()).retag(ref('registry.example.com/acme/app'), 'h-1', ['latest', 'mr-3'])).resolves.toBe(DIGEST);
      expect(server.seen()).toEqual([
        'GET registry.example.com/v2/acme/app/manifests/h-1 -',
        `GET auth.example.com/token ${BASIC}`,
        'GET registry.example.com/v2/acme/app/manifests/h-1 Bearer repository:acme/app:pull',
        'PUT registry.example.com/v2/acme/app/manifests/latest -',
        `GET auth.example.com/token ${BASIC}`,
        'PUT registry.example.com/v2/acme/app/manifests/latest Bearer repository:acme/app:pull,push',
        'PUT registry.example.com/v2/acme/app/manifests/mr-3 Bearer repository:acme/app:pull,push',
      ]);
    });

    it('names the registry and repository, never the credentials, when the token service refuses them', async () => {
      const server = bearerRegistry({ expect: 'Basic other' });
      const error = await failureOf(client(server.fetch, credentialsFor()).manifestDigest(ref('registry.example.com/acme/app:1')));
      expect(error.message).toContain('registry.example.com');
      expect(error.message).toContain('acme/app');
      expectNoSecrets(error.message);
    });

    it('names the registry and repository, never the credentials, when the registry refuses the token', async () => {
      const server = bearerRegistry({ acceptsToken: () => false });
      const error = await failureOf(client(server.fetch, credentialsFor()).manifestDigest(ref('registry.example.com/acme/app:1')));
      expect(error.message).toBe('registry registry.example.com refused the credentials for acme/app (401); check docker login registry.example.com');
      expectNoSecrets(error.message);
    });

    it('asks to log in when an anonymous token is not enough', async () => {
      const server = bearerRegistry({ expect: null, acceptsToken: () => false });
      const error = await failureOf(client(server.fetch).manifestDigest(ref('registry.example.com/acme/private:1')));
      expect(error.message).toBe('registry registry.example.com needs credentials for acme/private; log in to it (docker login registry.example.com)');
    });

    it('fails clearly on a challenge without a realm', async () => {
      const server = fakeServer(() => unauthorized('Bearer service="x"'));
      await expect(client(server.fetch).manifestDigest(ref('registry.example.com/acme/app:1'))).rejects.toThrow(
        new RegistryError('registry registry.example.com sent an auth challenge without a realm'),
      );
    });

    it('asks the credentials of the host actually asked: the Docker Hub mirror', async () => {
      const hosts: string[] = [];
      const server = bearerRegistry();
      await client(server.fetch, credentialsFor(hosts), 'mirror.example.com').manifestDigest(ref('node:22'));
      expect(hosts).toEqual(['mirror.example.com']);
      expect(server.calls[0].url.host).toBe('mirror.example.com');
    });
  });

  describe('Basic challenge', () => {
    const basicRegistry = () => fakeServer(({ authorization }) => (authorization === BASIC ? digestOk() : unauthorized('Basic realm="Registry"')));

    it('retries with Basic credentials, and sends them at once on the next call', async () => {
      const server = basicRegistry();
      const registry = client(server.fetch, credentialsFor());
      await expect(registry.manifestDigest(ref('registry.example.com/acme/app:1'))).resolves.toBe(DIGEST);
      await expect(registry.manifestDigest(ref('registry.example.com/acme/app:2'))).resolves.toBe(DIGEST);
      expect(server.seen()).toEqual([
        'HEAD registry.example.com/v2/acme/app/manifests/1 -',
        `HEAD registry.example.com/v2/acme/app/manifests/1 ${BASIC}`,
        `HEAD registry.example.com/v2/acme/app/manifests/2 ${BASIC}`,
      ]);
    });

    it('asks to log in when there are no credentials', async () => {
      const server = basicRegistry();
      await expect(client(server.fetch).manifestDigest(ref('registry.example.com/acme/app:1'))).rejects.toThrow(
        'registry registry.example.com needs credentials for acme/app; log in to it (docker login registry.example.com)',
      );
      expect(server.calls).toHaveLength(1);
    });

    it('names the registry and repository, never the credentials, when they are refused (401 or 403)', async () => {
      for (const status of [401, 403]) {
        const refusing = fakeServer(({ authorization }) => (authorization ? new Response(null, { status }) : unauthorized('Basic realm="r"')));
        const error = await failureOf(client(refusing.fetch, credentialsFor()).manifestDigest(ref('registry.example.com/team/app:1')));
        expect(error.message).toBe(`registry registry.example.com refused the credentials for team/app (${status}); check docker login registry.example.com`);
        expectNoSecrets(error.message);
      }
    });

    it('does not keep refused credentials: the next call starts anonymous again', async () => {
      const server = fakeServer(() => unauthorized('Basic realm="Registry"'));
      const registry = client(server.fetch, credentialsFor());
      await failureOf(registry.manifestDigest(ref('registry.example.com/acme/app:1')));
      await failureOf(registry.manifestDigest(ref('registry.example.com/acme/app:1')));
      expect(server.calls.map((c) => c.authorization)).toEqual([null, BASIC, null, BASIC]);
    });
  });
});
