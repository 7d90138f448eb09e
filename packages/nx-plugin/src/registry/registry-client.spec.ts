import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseImageReference } from '../image-reference/reference';
import { RegistryClient } from './registry-client';
import { DOCKER_HUB_REGISTRY, MANIFEST_TYPES, RegistryError, retryAfterMs, type RegistryClientOptions } from './registry-http';

const DIGEST = `sha256:${'e'.repeat(64)}`;

type Answer = Response | Error | 'hang';

/** A fetch that gives the answers in order (the last one again when they run out), recording each call. */
function fakeFetch(...answers: Answer[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
    calls.push({ url: String(input), init });
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
    if (answer === 'hang') {
      return new Promise<Response>((_, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    }
    if (answer instanceof Error) throw answer;
    return answer.clone();
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const INDEX_TYPE = 'application/vnd.oci.image.index.v1+json';
// Odd spacing and non-ASCII: a manifest's digest is of its exact bytes, so nothing may reformat them.
const MANIFEST_BYTES = Buffer.from('{"schemaVersion":2,  "mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],"annotations":{"a":"é"}}\n');
const manifest = () => new Response(MANIFEST_BYTES, { status: 200, headers: { 'Content-Type': INDEX_TYPE, 'Docker-Content-Digest': DIGEST } });
const ok = (digest = DIGEST) => new Response(null, { status: 200, headers: { 'Docker-Content-Digest': digest } });
const status = (code: number, statusText: string) => new Response(null, { status: code, statusText });

function client(fetch: typeof globalThis.fetch, options: RegistryClientOptions = {}) {
  return new RegistryClient({ attempts: 3, retryDelayMs: 1, fetch, ...options });
}

const ref = parseImageReference;

describe('RegistryClient.manifestDigest', () => {
  it('asks for the manifest with HEAD, accepting all four manifest types, and returns its digest', async () => {
    const { fetch, calls } = fakeFetch(ok());
    await expect(client(fetch).manifestDigest(ref('registry.example.com/team/app:1.0'))).resolves.toBe(DIGEST);
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe('https://registry.example.com/v2/team/app/manifests/1.0');
    expect(calls[0].init.method).toBe('HEAD');
    const accept = new Headers(calls[0].init.headers).get('accept') ?? '';
    expect(accept.split(/,\s*/).sort()).toEqual(
      [
        'application/vnd.docker.distribution.manifest.list.v2+json',
        'application/vnd.docker.distribution.manifest.v2+json',
        'application/vnd.oci.image.index.v1+json',
        'application/vnd.oci.image.manifest.v1+json',
      ].sort(),
    );
    expect(accept).toBe(MANIFEST_TYPES);
    expect(calls[0].init.signal).toBeInstanceOf(AbortSignal);
  });

  it('asks for latest when the reference has no tag', async () => {
    const { fetch, calls } = fakeFetch(ok());
    await client(fetch).manifestDigest(ref('ghcr.io/acme/app'));
    expect(calls[0].url).toBe('https://ghcr.io/v2/acme/app/manifests/latest');
  });

  it('returns undefined for a tag the registry does not have (404), without retrying', async () => {
    const { fetch, calls } = fakeFetch(status(404, 'Not Found'), ok());
    await expect(client(fetch).manifestDigest(ref('ghcr.io/acme/app:nope'))).resolves.toBeUndefined();
    expect(calls).toHaveLength(1);
  });

  it('fails at once, naming the URL, on another 4xx answer', async () => {
    const { fetch, calls } = fakeFetch(status(400, 'Bad Request'), ok());
    const failure = client(fetch).manifestDigest(ref('ghcr.io/acme/app:1'));
    await expect(failure).rejects.toBeInstanceOf(RegistryError);
    await expect(failure).rejects.toThrow('https://ghcr.io/v2/acme/app/manifests/1 answered 400 Bad Request');
    expect(calls).toHaveLength(1);
  });

  it('asks to log in, naming the registry, when it wants credentials and none are configured', async () => {
    const { fetch } = fakeFetch(status(401, 'Unauthorized'));
    await expect(client(fetch).manifestDigest(ref('ghcr.io/acme/app:1'))).rejects.toThrow(
      'registry ghcr.io needs credentials for acme/app; log in to it (docker login ghcr.io)',
    );
  });

  it('fails when the answer has no Docker-Content-Digest header', async () => {
    const { fetch } = fakeFetch(new Response(null, { status: 200 }));
    await expect(client(fetch).manifestDigest(ref('ghcr.io/acme/app:1'))).rejects.toThrow(
      new RegistryError('https://ghcr.io/v2/acme/app/manifests/1 answered without a Docker-Content-Digest header'),
    );
  });

  describe('retries', () => {
    it('retries 5xx answers and network errors, then returns the digest', async () => {
      const { fetch, calls } = fakeFetch(status(503, 'Service Unavailable'), new TypeError('fetch failed'), ok());
      await expect(client(fetch).manifestDigest(ref('ghcr.io/acme/app:1'))).resolves.toBe(DIGEST);
      expect(calls).toHaveLength(3);
      expect(new Set(calls.map((c) => c.url))).toEqual(new Set(['https://ghcr.io/v2/acme/app/manifests/1']));
    });

    it('gives up after the attempts with a RegistryError naming the URL and the last failure', async () => {
      const { fetch, calls } = fakeFetch(status(500, 'Internal Server Error'), status(502, 'Bad Gateway'));
      const failure = client(fetch, { attempts: 2 }).manifestDigest(ref('ghcr.io/acme/app:1'));
      await expect(failure).rejects.toThrow(new RegistryError('https://ghcr.io/v2/acme/app/manifests/1 failed after 2 attempts: it answered 502 Bad Gateway'));
      expect(calls).toHaveLength(2);
    });

    it('names the network error when that was the last failure', async () => {
      const { fetch, calls } = fakeFetch(new TypeError('getaddrinfo ENOTFOUND ghcr.io'));
      const failure = client(fetch).manifestDigest(ref('ghcr.io/acme/app:1'));
      await expect(failure).rejects.toBeInstanceOf(RegistryError);
      await expect(failure).rejects.toThrow('https://ghcr.io/v2/acme/app/manifests/1 failed after 3 attempts: getaddrinfo ENOTFOUND ghcr.io');
      expect(calls).toHaveLength(3);
    });

    it('says what a refused connection, an unknown host and a TLS failure mean, and what to check', async () => {
      const failed = (code: string, message = code) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(message), { code }) });
      const cases: Array<[Error, RegExp]> = [
        [failed('ECONNREFUSED'), /manifests\/1 failed after 1 attempts: connection refused; check that the registry runs at that address and port/],
        [failed('ENOTFOUND'), /the host name does not resolve \(DNS\); check the registry address/],
        [
          failed('ERR_TLS_CERT_ALTNAME_INVALID', 'Hostname/IP does not match certificate'),
          /TLS failed \(Hostname\/IP does not match certificate\); check the registry's certificate/,
        ],
      ];
      for (const [error, message] of cases) {
        await expect(client(fakeFetch(error).fetch, { attempts: 1 }).manifestDigest(ref('ghcr.io/acme/app:1'))).rejects.toThrow(message);
      }
    });

    it('retries a 429 after the Retry-After it asks for', async () => {
      const { fetch, calls } = fakeFetch(new Response(null, { status: 429, statusText: 'Too Many Requests', headers: { 'Retry-After': '0' } }), ok());
      await expect(client(fetch, { retryDelayMs: 60_000 }).manifestDigest(ref('ghcr.io/acme/app:1'))).resolves.toBe(DIGEST);
      expect(calls).toHaveLength(2);
    });

    it('reads Retry-After as seconds or an HTTP date, at most a minute', () => {
      const now = Date.parse('2026-12-03T12:00:00Z');
      expect(retryAfterMs('3', now)).toBe(3000);
      expect(retryAfterMs('Thu, 03 Dec 2026 12:00:10 GMT', now)).toBe(10_000);
      expect(retryAfterMs('86400', now)).toBe(60_000);
      expect(retryAfterMs('soon', now)).toBeUndefined();
      expect(retryAfterMs(null, now)).toBeUndefined();
    });

    it('makes one attempt when attempts is 1', async () => {
      const { fetch, calls } = fakeFetch(status(503, 'Service Unavailable'), ok());
      await expect(client(fetch, { attempts: 1 }).manifestDigest(ref('ghcr.io/acme/app:1'))).rejects.toThrow('failed after 1 attempts');
      expect(calls).toHaveLength(1);
    });

    it('waits retryDelayMs before the first retry and twice as long before the next', async () => {
      const { fetch, calls } = fakeFetch(status(503, 'Service Unavailable'));
      const times: number[] = [];
      const timed = (async (...args: Parameters<typeof globalThis.fetch>) => {
        times.push(performance.now());
        return fetch(...args);
      }) as typeof globalThis.fetch;
      await expect(client(timed, { retryDelayMs: 30 }).manifestDigest(ref('ghcr.io/acme/app:1'))).rejects.toThrow(RegistryError);
      expect(calls).toHaveLength(3);
      expect(times[1] - times[0]).toBeGreaterThanOrEqual(25);
      expect(times[2] - times[1]).toBeGreaterThanOrEqual(55);
    });

    it('times out a request that hangs, and retries it, rather than hanging', async () => {
      const { fetch, calls } = fakeFetch('hang', ok());
      await expect(client(fetch, { timeoutMs: 20 }).manifestDigest(ref('ghcr.io/acme/app:1'))).resolves.toBe(DIGEST);
      expect(calls).toHaveLength(2);

      const always = fakeFetch('hang');
      await expect(client(always.fetch, { timeoutMs: 20, attempts: 2 }).manifestDigest(ref('ghcr.io/acme/app:1'))).rejects.toThrow(
        /^https:\/\/ghcr\.io\/v2\/acme\/app\/manifests\/1 failed after 2 attempts: /,
      );
    });
  });

  describe('which registry is asked', () => {
    const urlFor = async (reference: string, options: RegistryClientOptions = {}) => {
      const { fetch, calls } = fakeFetch(ok());
      await client(fetch, options).manifestDigest(ref(reference));
      return calls[0].url;
    };

    it('asks the Docker Hub mirror for docker.io images', async () => {
      expect(await urlFor('node:18', { dockerHubMirror: 'mirror.example.com' })).toBe('https://mirror.example.com/v2/library/node/manifests/18');
      expect(await urlFor('docker.io/bitnami/redis:7', { dockerHubMirror: 'localhost:5001' })).toBe('http://localhost:5001/v2/bitnami/redis/manifests/7');
    });

    it('asks Docker Hub registry host, not docker.io (the website), without a mirror', async () => {
      expect(await urlFor('node:18')).toBe(`https://${DOCKER_HUB_REGISTRY}/v2/library/node/manifests/18`);
      expect(DOCKER_HUB_REGISTRY).toBe('registry-1.docker.io');
    });

    it('asks other registries themselves, mirror or not', async () => {
      expect(await urlFor('ghcr.io/acme/app:1', { dockerHubMirror: 'mirror.example.com' })).toBe('https://ghcr.io/v2/acme/app/manifests/1');
    });

    it('speaks http to loopback registries and https to all others', async () => {
      expect(await urlFor('localhost:5000/app:1')).toBe('http://localhost:5000/v2/app/manifests/1');
      expect(await urlFor('localhost/app:1')).toBe('http://localhost/v2/app/manifests/1');
      expect(await urlFor('127.0.0.1:5000/app:1')).toBe('http://127.0.0.1:5000/v2/app/manifests/1');
      expect(await urlFor('127.1.2.3/app:1')).toBe('http://127.1.2.3/v2/app/manifests/1');
      expect(await urlFor('[::1]:5000/app:1')).toBe('http://[::1]:5000/v2/app/manifests/1');
      expect(await urlFor('LOCALHOST:5000/app:1')).toBe('http://LOCALHOST:5000/v2/app/manifests/1');
      expect(await urlFor('registry.example.com:5000/app:1')).toBe('https://registry.example.com:5000/v2/app/manifests/1');
      expect(await urlFor('localhost.example.com/app:1')).toBe('https://localhost.example.com/v2/app/manifests/1');
      expect(await urlFor('127.example.com/app:1')).toBe('https://127.example.com/v2/app/manifests/1');
      expect(await urlFor('10.0.0.5:5000/app:1')).toBe('https://10.0.0.5:5000/v2/app/manifests/1');
    });
  });

  describe('registryHost', () => {
    it('is the mirror or registry-1.docker.io for docker.io, and the domain otherwise', () => {
      expect(new RegistryClient({ dockerHubMirror: 'mirror.example.com' }).registryHost(ref('node'))).toBe('mirror.example.com');
      expect(new RegistryClient().registryHost(ref('node'))).toBe('registry-1.docker.io');
      expect(new RegistryClient({ dockerHubMirror: 'mirror.example.com' }).registryHost(ref('ghcr.io/a/b'))).toBe('ghcr.io');
    });
  });
});

describe('RegistryClient.getManifest', () => {
  it('GETs the manifest by tag or digest and keeps its bytes, media type and digest', async () => {
    const { fetch, calls } = fakeFetch(manifest());
    const got = await client(fetch).getManifest(ref('ghcr.io/acme/app:1'), DIGEST);
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe(`https://ghcr.io/v2/acme/app/manifests/${DIGEST}`);
    expect(calls[0].init.method ?? 'GET').toBe('GET');
    expect(new Headers(calls[0].init.headers).get('accept')).toBe(MANIFEST_TYPES);
    expect(got.bytes.equals(MANIFEST_BYTES)).toBe(true);
    expect(got.mediaType).toBe(INDEX_TYPE);
    expect(got.digest).toBe(DIGEST);
  });

  it('computes the digest from the bytes when the registry does not send it', async () => {
    const { fetch } = fakeFetch(new Response(MANIFEST_BYTES, { status: 200, headers: { 'Content-Type': INDEX_TYPE } }));
    const got = await client(fetch).getManifest(ref('ghcr.io/acme/app'), 'latest');
    expect(got.digest).toBe(`sha256:${createHash('sha256').update(MANIFEST_BYTES).digest('hex')}`);
  });

  it('fails naming the URL when the manifest is not there', async () => {
    const { fetch } = fakeFetch(status(404, 'Not Found'));
    await expect(client(fetch).getManifest(ref('ghcr.io/acme/app'), 'h-1')).rejects.toThrow(
      new RegistryError('https://ghcr.io/v2/acme/app/manifests/h-1 answered 404 Not Found'),
    );
  });
});

describe('RegistryClient.retag', () => {
  it('GETs the manifest once, then PUTs the identical bytes under each tag with its own media type', async () => {
    const { fetch, calls } = fakeFetch(manifest(), status(201, 'Created'), status(201, 'Created'));
    await expect(client(fetch).retag(ref('localhost:5000/team/app'), 'h-abc', ['latest', '1.0.0'])).resolves.toBe(DIGEST);
    expect(calls.map((c) => `${c.init.method ?? 'GET'} ${c.url}`)).toEqual([
      'GET http://localhost:5000/v2/team/app/manifests/h-abc',
      'PUT http://localhost:5000/v2/team/app/manifests/latest',
      'PUT http://localhost:5000/v2/team/app/manifests/1.0.0',
    ]);
    for (const put of calls.slice(1)) {
      expect(new Headers(put.init.headers).get('content-type')).toBe(INDEX_TYPE);
      expect(Buffer.from(put.init.body as Uint8Array).equals(MANIFEST_BYTES)).toBe(true);
    }
  });

  it('by digest: reads the manifest the client read already, and nothing at all when there is no other tag', async () => {
    const { fetch, calls } = fakeFetch(manifest(), status(201, 'Created'));
    const registry = client(fetch);
    await registry.getManifest(ref('localhost:5000/team/app'), DIGEST);
    await expect(registry.retag(ref('localhost:5000/team/app'), DIGEST, ['latest'])).resolves.toBe(DIGEST);
    await expect(registry.retag(ref('localhost:5000/team/app'), DIGEST, [])).resolves.toBe(DIGEST);
    expect(calls.map((c) => `${c.init.method ?? 'GET'} ${c.url}`)).toEqual([
      `GET http://localhost:5000/v2/team/app/manifests/${DIGEST}`,
      'PUT http://localhost:5000/v2/team/app/manifests/latest',
    ]);
  });

  it('ensureTags: asks where each tag points and writes only the tags that point elsewhere', async () => {
    const other = `sha256:${'f'.repeat(64)}`;
    const { fetch, calls } = fakeFetch(ok(), ok(other), manifest(), status(201, 'Created'));
    await client(fetch).ensureTags(ref('localhost:5000/team/app:c-abc'), DIGEST, ['latest', 'mr-7']);
    expect(calls.map((c) => `${c.init.method ?? 'GET'} ${c.url}`)).toEqual([
      'HEAD http://localhost:5000/v2/team/app/manifests/latest',
      'HEAD http://localhost:5000/v2/team/app/manifests/mr-7',
      `GET http://localhost:5000/v2/team/app/manifests/${DIGEST}`,
      'PUT http://localhost:5000/v2/team/app/manifests/mr-7',
    ]);
  });

  it('ensureTags: writes nothing when every tag is in place', async () => {
    const { fetch, calls } = fakeFetch(ok(), ok());
    await client(fetch).ensureTags(ref('localhost:5000/team/app:c-abc'), DIGEST, ['latest', '1.0.0']);
    expect(calls.map((c) => c.init.method)).toEqual(['HEAD', 'HEAD']);
  });

  it('only reads the manifest when there is no other tag', async () => {
    const { fetch, calls } = fakeFetch(manifest(), status(201, 'Created'));
    await expect(client(fetch).retag(ref('ghcr.io/acme/app'), 'h-abc', [])).resolves.toBe(DIGEST);
    expect(calls).toHaveLength(1);
  });

  it('fails naming the tag URL when a PUT is refused, and PUTs no further tag', async () => {
    const { fetch, calls } = fakeFetch(manifest(), status(400, 'Bad Request'), status(201, 'Created'));
    const failure = client(fetch).retag(ref('ghcr.io/acme/app'), 'h-abc', ['mr-7', 'latest']);
    await expect(failure).rejects.toBeInstanceOf(RegistryError);
    await expect(failure).rejects.toThrow('https://ghcr.io/v2/acme/app/manifests/mr-7 answered 400 Bad Request to a manifest PUT');
    expect(calls).toHaveLength(2);
  });

  it("names the registry's error code when it refuses a manifest", async () => {
    const refused = new Response(JSON.stringify({ errors: [{ code: 'MANIFEST_BLOB_UNKNOWN', message: 'blob unknown to registry' }] }), {
      status: 400,
      statusText: 'Bad Request',
    });
    await expect(client(fakeFetch(manifest(), refused).fetch).retag(ref('ghcr.io/acme/app'), 'c-abc', ['latest'])).rejects.toThrow(
      'manifests/latest answered 400 Bad Request to a manifest PUT (MANIFEST_BLOB_UNKNOWN)',
    );
  });

  it('fails without any PUT when the source tag is missing', async () => {
    const { fetch, calls } = fakeFetch(status(404, 'Not Found'), status(201, 'Created'));
    await expect(client(fetch).retag(ref('ghcr.io/acme/app'), 'h-gone', ['latest'])).rejects.toThrow('manifests/h-gone answered 404');
    expect(calls).toHaveLength(1);
  });
});

describe('RegistryClient.missingBlobs', () => {
  const IMAGE_TYPE = 'application/vnd.oci.image.manifest.v1+json';
  const blob = (n: number) => `sha256:${String(n).repeat(64)}`;
  const imageManifest = (layers: Array<{ digest: string; urls?: string[] }>) =>
    new Response(JSON.stringify({ schemaVersion: 2, mediaType: IMAGE_TYPE, config: { digest: blob(1) }, layers }), {
      status: 200,
      headers: { 'Content-Type': IMAGE_TYPE },
    });
  /** A registry that holds the given paths (answering 200 to them, 404 to other HEADs) and serves `manifests` by digest. */
  function registry(held: string[], manifests: Record<string, () => Response>) {
    const asked: string[] = [];
    const fetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
      const url = String(input);
      asked.push(`${init.method ?? 'GET'} ${url}`);
      const digest = url.split('/').pop()!;
      if ((init.method ?? 'GET') === 'GET' && manifests[digest]) return manifests[digest]();
      return held.some((path) => url.endsWith(path)) ? ok() : status(404, 'Not Found');
    }) as typeof globalThis.fetch;
    return { fetch, asked };
  }

  it('lists the config and layer blobs the repository lacks, skipping foreign layers', async () => {
    const { fetch, asked } = registry([`blobs/${blob(1)}`, `blobs/${blob(2)}`], {
      [DIGEST]: () => imageManifest([{ digest: blob(2) }, { digest: blob(3) }, { digest: blob(4), urls: ['https://elsewhere'] }]),
    });
    await expect(client(fetch).missingBlobs(ref('localhost:5000/team/missing-a'), DIGEST)).resolves.toEqual([blob(3)]);
    expect(asked.filter((a) => a.startsWith('HEAD')).sort()).toEqual([1, 2, 3].map((n) => `HEAD http://localhost:5000/v2/team/missing-a/blobs/${blob(n)}`));
  });

  it('lists nothing when every blob is there, and asks each blob once per process', async () => {
    const { fetch, asked } = registry([`blobs/${blob(1)}`, `blobs/${blob(2)}`], { [DIGEST]: () => imageManifest([{ digest: blob(2) }]) });
    await expect(client(fetch).missingBlobs(ref('localhost:5000/team/missing-b'), DIGEST)).resolves.toEqual([]);
    await expect(client(fetch).missingBlobs(ref('localhost:5000/team/missing-b'), DIGEST)).resolves.toEqual([]);
    expect(asked.filter((a) => a.startsWith('HEAD'))).toHaveLength(2);
  });

  it("follows an index to each image's manifest, and lists an image manifest the repository lacks", async () => {
    const child = blob(7);
    const index = () =>
      new Response(JSON.stringify({ schemaVersion: 2, mediaType: INDEX_TYPE, manifests: [{ digest: child }, { digest: blob(8) }] }), {
        status: 200,
        headers: { 'Content-Type': INDEX_TYPE },
      });
    const { fetch } = registry([`manifests/${child}`, `blobs/${blob(1)}`], { [DIGEST]: index, [child]: () => imageManifest([{ digest: blob(5) }]) });
    await expect(client(fetch).missingBlobs(ref('localhost:5000/team/missing-c'), DIGEST)).resolves.toEqual([blob(5), blob(8)]);
  });
});

describe('RegistryClient.imageConfig', () => {
  const blobDigest = (n: number) => `sha256:${String(n).repeat(64)}`;
  const json = (value: unknown, type = 'application/json') => new Response(JSON.stringify(value), { status: 200, headers: { 'Content-Type': type } });
  const image = (config: number) =>
    json({ schemaVersion: 2, config: { digest: blobDigest(config) }, layers: [] }, 'application/vnd.docker.distribution.manifest.v2+json');

  it('reads the config blob the manifest names: its created time and labels', async () => {
    const { fetch, calls } = fakeFetch(image(1), json({ created: '2025-01-02T03:04:05Z', config: { Labels: { a: 'b' } } }));
    await expect(client(fetch).imageConfig(ref('localhost:5000/team/app'), DIGEST)).resolves.toEqual({ created: '2025-01-02T03:04:05Z', labels: { a: 'b' } });
    expect(calls.map((call) => call.url)).toEqual([
      `http://localhost:5000/v2/team/app/manifests/${DIGEST}`,
      `http://localhost:5000/v2/team/app/blobs/${blobDigest(1)}`,
    ]);
    expect((calls[0].init.headers as Record<string, string>).Accept).toBe(MANIFEST_TYPES);
  });

  it('takes no labels as none', async () => {
    const { fetch } = fakeFetch(image(1), json({ created: '2025-01-02T03:04:05Z', config: { Labels: null } }));
    await expect(client(fetch).imageConfig(ref('localhost:5000/team/app'), DIGEST)).resolves.toEqual({ created: '2025-01-02T03:04:05Z', labels: {} });
  });

  it("through an index, the oldest image's created and the first image's labels, attestations left out", async () => {
    const index = json(
      {
        schemaVersion: 2,
        manifests: [
          { digest: blobDigest(7), platform: { os: 'linux', architecture: 'amd64' } },
          { digest: blobDigest(8), platform: { os: 'linux', architecture: 'arm64' } },
          { digest: blobDigest(9), platform: { os: 'unknown', architecture: 'unknown' } },
        ],
      },
      'application/vnd.oci.image.index.v1+json',
    );
    const { fetch, calls } = fakeFetch(
      index,
      image(1),
      image(2),
      json({ created: '2025-03-01T00:00:00Z', config: { Labels: { first: 'yes' } } }),
      json({ created: '2025-01-01T00:00:00Z', config: { Labels: { first: 'no' } } }),
    );
    const found = await client(fetch).imageConfig(ref('localhost:5000/team/multi'), DIGEST);
    expect(found).toEqual({ created: '2025-01-01T00:00:00Z', labels: { first: 'yes' } });
    expect(calls.some((call) => call.url.includes(blobDigest(9)))).toBe(false);
  });
});
