import { createHash } from 'node:crypto';
import { DOCKER_HUB_DOMAIN, type ImageReference } from '../image-reference/reference';
import type { RegistryAuth } from './credentials';

/** An image's config, as far as Imagewise reads it. */
export interface ImageConfigFacts {
  /** RFC 3339, as the config writes it. */
  created?: string;
  labels: Record<string, string>;
}

/** Accept every manifest kind, or distribution answers schema1 with another digest. */
export const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface RegistryClientOptions {
  /** Registry to ask for docker.io images (a mirror), as `host[:port]`. */
  dockerHubMirror?: string;
  /** Attempts per request on a network error or 5xx. */
  attempts?: number;
  /** Milliseconds per attempt. */
  timeoutMs?: number;
  /** Milliseconds before the first retry; each further retry waits twice as long. */
  retryDelayMs?: number;
  /** Credentials for a registry host, when it asks for them (e.g. registryAuth). */
  credentials?: (host: string) => RegistryAuth | undefined;
  fetch?: typeof fetch;
}

/** Where Docker itself sends Registry API calls for docker.io images. */
export const DOCKER_HUB_REGISTRY = 'registry-1.docker.io';

export class RegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryError';
  }
}

/** The registry refuses deletes (disabled, or not permitted): nothing was deleted by that request. */
export class DeleteRefusedError extends RegistryError {
  constructor(message: string) {
    super(message);
    this.name = 'DeleteRefusedError';
  }
}

/**
 * The few Registry HTTP API calls Imagewise needs. Loopback registries speak
 * plain HTTP, others HTTPS; transient failures are retried with backoff and
 * end in a clear error, never a hang.
 */
export class RegistryClient {
  private readonly attempts: number;
  private readonly timeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly fetch: typeof fetch;
  private readonly tokens = new Map<string, string>();

  constructor(private readonly options: RegistryClientOptions = {}) {
    this.attempts = options.attempts ?? 4;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retryDelayMs = options.retryDelayMs ?? 200;
    this.fetch = options.fetch ?? fetch;
  }

  /** The digest a tag points to now, or undefined when the registry has no such tag. */
  async manifestDigest(reference: ImageReference): Promise<string | undefined> {
    const url = this.manifestUrl(reference, reference.tag ?? 'latest');
    const response = await this.authorised(reference, 'pull', url, { method: 'HEAD', headers: { Accept: MANIFEST_TYPES } });
    if (response.status === 404) return undefined;
    if (!response.ok) throw new RegistryError(`${url} answered ${response.status} ${response.statusText}`);
    const digest = response.headers.get('docker-content-digest');
    if (!digest) throw new RegistryError(`${url} answered without a Docker-Content-Digest header`);
    return digest;
  }

  /** The manifest a tag or digest names, byte for byte, with its own media type. */
  async getManifest(reference: ImageReference, tagOrDigest: string): Promise<{ bytes: Buffer; mediaType: string; digest: string }> {
    const url = this.manifestUrl(reference, tagOrDigest);
    const response = await this.authorised(reference, 'pull', url, { headers: { Accept: MANIFEST_TYPES } });
    if (!response.ok) throw new RegistryError(`${url} answered ${response.status} ${response.statusText}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    return {
      bytes,
      mediaType: response.headers.get('content-type') ?? '',
      // A manifest's digest is the sha256 of its bytes, when the registry does not say.
      digest: response.headers.get('docker-content-digest') || sha256(bytes),
    };
  }

  /**
   * The blobs a manifest names (its config and layers; through an index, each
   * image's) that the repository does not hold: a tag whose image cannot be
   * pulled. Asked with HEAD, concurrently; each blob's answer is kept for the
   * rest of the process (one run), as blobs are content-addressed.
   */
  async missingBlobs(reference: ImageReference, digest: string): Promise<string[]> {
    const manifest = await this.getManifest(reference, digest);
    const parsed = JSON.parse(manifest.bytes.toString('utf8')) as {
      config?: { digest: string };
      layers?: Array<{ digest: string; urls?: string[] }>;
      manifests?: Array<{ digest: string }>;
    };
    if (parsed.manifests) {
      const children = await Promise.all(
        parsed.manifests.map(async (child) =>
          (await this.hasBlob(reference, 'manifests', child.digest)) ? this.missingBlobs(reference, child.digest) : [child.digest],
        ),
      );
      return children.flat();
    }
    // A foreign layer (with urls) is fetched from elsewhere, never from this repository.
    const blobs = [parsed.config?.digest, ...(parsed.layers ?? []).filter((layer) => !layer.urls?.length).map((layer) => layer.digest)];
    const present = await Promise.all(blobs.map((blob) => (blob ? this.hasBlob(reference, 'blobs', blob) : true)));
    return blobs.filter((blob, index): blob is string => blob !== undefined && !present[index]);
  }

  /**
   * What an image says of itself, from its config blob: when it was created
   * and its labels. Through an index, each platform's image is read (not
   * attestations): the oldest `created` and the first image's labels.
   */
  async imageConfig(reference: ImageReference, digest: string): Promise<ImageConfigFacts> {
    const manifest = await this.getManifest(reference, digest);
    const parsed = JSON.parse(manifest.bytes.toString('utf8')) as {
      config?: { digest: string };
      manifests?: Array<{ digest: string; platform?: { os?: string } }>;
    };
    if (parsed.manifests) {
      const images = parsed.manifests.filter((child) => child.platform?.os !== 'unknown');
      const configs = await Promise.all(images.map((child) => this.imageConfig(reference, child.digest)));
      const created = configs.map((config) => config.created).filter((value): value is string => !!value && !Number.isNaN(Date.parse(value)));
      created.sort((a, b) => Date.parse(a) - Date.parse(b));
      return { created: created[0], labels: configs[0]?.labels ?? {} };
    }
    if (!parsed.config?.digest) throw new RegistryError(`${this.manifestUrl(reference, digest)} names no config`);
    const config = JSON.parse((await this.getBlob(reference, parsed.config.digest)).toString('utf8')) as {
      created?: string;
      config?: { Labels?: Record<string, string> | null };
    };
    return { created: config.created, labels: config.config?.Labels ?? {} };
  }

  private hasBlob(reference: ImageReference, kind: 'blobs' | 'manifests', digest: string): Promise<boolean> {
    const url = `${this.repositoryUrl(reference)}/${kind}/${digest}`;
    let answer = knownBlobs.get(url);
    if (!answer) {
      answer = this.authorised(reference, 'pull', url, { method: 'HEAD', headers: kind === 'manifests' ? { Accept: MANIFEST_TYPES } : {} }).then((response) => {
        if (response.status === 404) return false;
        if (!response.ok) throw new RegistryError(`${url} answered ${response.status} ${response.statusText}`);
        return true;
      });
      // A failed question is asked again next time, not remembered.
      answer.catch(() => knownBlobs.delete(url));
      knownBlobs.set(url, answer);
    }
    return answer;
  }

  /**
   * Points more tags at the manifest `fromTag` names: GET its bytes, PUT them
   * under each tag with the manifest's own media type. No layer moves.
   */
  async retag(reference: ImageReference, fromTag: string, tags: string[]): Promise<string> {
    const manifest = await this.getManifest(reference, fromTag);
    for (const tag of tags) await this.putManifest(reference, tag, manifest.bytes, manifest.mediaType);
    return manifest.digest;
  }

  /** Stores manifest bytes under a tag (or their digest); returns their digest. */
  async putManifest(reference: ImageReference, tagOrDigest: string, bytes: Buffer, mediaType: string): Promise<string> {
    const url = this.manifestUrl(reference, tagOrDigest);
    const response = await this.authorised(reference, 'pull,push', url, { method: 'PUT', headers: { 'Content-Type': mediaType }, body: bytes });
    if (response.status !== 201 && !response.ok) {
      throw new RegistryError(`${url} answered ${response.status} ${response.statusText} to a manifest PUT${await errorCodes(response)}`);
    }
    return response.headers.get('docker-content-digest') || sha256(bytes);
  }

  /** Every tag of the repository, page by page as the Link header says; none when it does not exist. */
  async tags(reference: ImageReference): Promise<string[]> {
    const tags: string[] = [];
    let url: string | undefined = `${this.repositoryUrl(reference)}/tags/list?n=1000`;
    while (url) {
      const response = await this.authorised(reference, 'pull', url, {});
      if (response.status === 404) return tags;
      if (!response.ok) throw new RegistryError(`${url} answered ${response.status} ${response.statusText}${await errorCodes(response)}`);
      tags.push(...(((await response.json()) as { tags?: string[] | null }).tags ?? []));
      const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(response.headers.get('link') ?? '')?.[1];
      url = next ? new URL(next, url).toString() : undefined;
    }
    return tags;
  }

  /** A blob's bytes (an image config: small). */
  async getBlob(reference: ImageReference, digest: string): Promise<Buffer> {
    const url = `${this.repositoryUrl(reference)}/blobs/${digest}`;
    const response = await this.authorised(reference, 'pull', url, {});
    if (!response.ok) throw new RegistryError(`${url} answered ${response.status} ${response.statusText}${await errorCodes(response)}`);
    return Buffer.from(await response.arrayBuffer());
  }

  /** Uploads a small blob in one request after the upload is opened; returns its digest. */
  async putBlob(reference: ImageReference, bytes: Buffer): Promise<string> {
    const digest = sha256(bytes);
    const start = `${this.repositoryUrl(reference)}/blobs/uploads/`;
    const opened = await this.authorised(reference, 'pull,push', start, { method: 'POST' });
    const location = opened.headers.get('location');
    if (opened.status !== 202 || !location)
      throw new RegistryError(`${start} answered ${opened.status} ${opened.statusText} to an upload${await errorCodes(opened)}`);
    const url = new URL(location, start);
    url.searchParams.set('digest', digest);
    const response = await this.authorised(reference, 'pull,push', url.toString(), {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: bytes,
    });
    if (response.status !== 201 && !response.ok)
      throw new RegistryError(`${url.origin}${url.pathname} answered ${response.status} ${response.statusText} to a blob PUT${await errorCodes(response)}`);
    return digest;
  }

  /**
   * Deletes a manifest by digest: the registry removes it and every tag on it
   * in this repository. `absent` when it is not there (404). A registry that
   * does not allow deletes throws DeleteRefusedError, saying what to configure.
   */
  async deleteManifest(reference: ImageReference, digest: string): Promise<'deleted' | 'absent'> {
    const url = this.manifestUrl(reference, digest);
    const response = await this.authorised(reference, 'delete', url, { method: 'DELETE' });
    if (response.status === 404) return 'absent';
    if (response.ok) return 'deleted';
    const why = `${response.status} ${response.statusText}${await errorCodes(response)}`;
    const host = this.registryHost(reference);
    if (response.status === 405) {
      throw new DeleteRefusedError(
        `registry ${host} does not allow deletes (${why}): enable them in its storage settings ` +
          '(REGISTRY_STORAGE_DELETE_ENABLED=true, or storage.delete.enabled: true in its config.yml) and restart it',
      );
    }
    if (response.status === 401 || response.status === 403) {
      throw new DeleteRefusedError(`registry ${host} refused to delete in ${reference.path} (${why}): the credentials need delete permission there`);
    }
    throw new RegistryError(`${url} answered ${why} to a manifest DELETE`);
  }

  /** host[:port] actually asked for this reference (for docker.io, the mirror or Docker Hub's registry host). */
  registryHost(reference: ImageReference): string {
    if (reference.domain !== DOCKER_HUB_DOMAIN) return reference.domain;
    // docker.io itself serves no Registry API (it redirects to the website); Docker asks registry-1.docker.io.
    return this.options.dockerHubMirror || DOCKER_HUB_REGISTRY;
  }

  private manifestUrl(reference: ImageReference, tagOrDigest: string): string {
    return `${this.repositoryUrl(reference)}/manifests/${tagOrDigest}`;
  }

  private repositoryUrl(reference: ImageReference): string {
    const host = this.registryHost(reference);
    const scheme = isLoopback(host) ? 'http' : 'https';
    return `${scheme}://${host}/v2/${reference.path}`;
  }

  /**
   * A request with the registry's auth: anonymous first; on 401, Basic
   * credentials or a Bearer token from the realm the challenge names.
   * Errors name the registry and repository, never the credentials.
   */
  private async authorised(reference: ImageReference, actions: string, url: string, init: RequestInit): Promise<Response> {
    const host = this.registryHost(reference);
    const cached = this.tokens.get(`${host}/${reference.path}:${actions}`);
    const first = await this.request(url, withAuthorization(init, cached));
    if (first.status !== 401) return first;
    const credentials = this.options.credentials?.(host);
    const challenge = first.headers.get('www-authenticate') ?? '';
    let authorization: string | undefined;
    if (/^bearer /i.test(challenge)) {
      authorization = `Bearer ${await this.bearerToken(challenge, `repository:${reference.path}:${actions}`, credentials, host)}`;
    } else if (credentials) {
      authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    }
    const needsCredentials = () => new RegistryError(`registry ${host} needs credentials for ${reference.path}; log in to it (docker login ${host})`);
    if (!authorization) throw needsCredentials();
    const second = await this.request(url, withAuthorization(init, authorization));
    if (second.status === 401 || second.status === 403) {
      // An anonymous token that is not enough is no refused login.
      if (!credentials) throw needsCredentials();
      throw new RegistryError(`registry ${host} refused the credentials for ${reference.path} (${second.status}); check docker login ${host}`);
    }
    // Only what worked is kept for the next call.
    this.tokens.set(`${host}/${reference.path}:${actions}`, authorization);
    return second;
  }

  private async bearerToken(challenge: string, scope: string, credentials: RegistryAuth | undefined, host: string): Promise<string> {
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1].toLowerCase(), m[2]]));
    if (!params.realm) throw new RegistryError(`registry ${host} sent an auth challenge without a realm`);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? scope);
    const headers: Record<string, string> = credentials
      ? { Authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` }
      : {};
    const response = await this.request(url.toString(), { headers });
    if (!response.ok) throw new RegistryError(`registry ${host} refused a token for ${scope} (${response.status}); check docker login ${host}`);
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`registry ${host} answered a token request without a token`);
    return token;
  }

  /**
   * One request, retried on a network error, a 5xx or a 429 (after the
   * Retry-After the registry asks for, up to a minute, else the backoff).
   * What finally fails names the address and the cause, and what to check.
   */
  private async request(url: string, init: RequestInit): Promise<Response> {
    let lastError = '';
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      let waitMs = this.retryDelayMs * 2 ** (attempt - 1);
      try {
        const response = await this.fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
        if (response.status < 500 && response.status !== 429) return response;
        lastError = `it answered ${response.status} ${response.statusText}${await errorCodes(response)}`;
        if (response.status === 429) waitMs = retryAfterMs(response.headers.get('retry-after'), Date.now()) ?? waitMs;
      } catch (error) {
        lastError = networkCause(error as Error, this.timeoutMs);
      }
      if (attempt < this.attempts) await sleep(waitMs);
    }
    throw new RegistryError(`${url} failed after ${this.attempts} attempts: ${lastError}`);
  }
}

/** Blob and manifest presence asked this process (one run), by URL. */
const knownBlobs = new Map<string, Promise<boolean>>();

/** The registry's own error codes from an error body (`{"errors":[{"code":…}]}`), as ` (CODE, …)`; else nothing. */
async function errorCodes(response: Response): Promise<string> {
  try {
    const body = (await response.clone().json()) as { errors?: Array<{ code?: unknown }> };
    const codes = (body.errors ?? []).map((error) => error.code).filter((code): code is string => typeof code === 'string');
    return codes.length ? ` (${codes.join(', ')})` : '';
  } catch {
    return '';
  }
}

/** How long a 429's Retry-After asks to wait (seconds, or an HTTP date), at most a minute; undefined when it says nothing usable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = /^\d+$/.test(header.trim()) ? Number(header) * 1000 : Date.parse(header) - now;
  return Number.isNaN(seconds) ? undefined : Math.min(Math.max(seconds, 0), 60_000);
}

/** What a failed fetch means, in words a person can act on: fetch itself only says "fetch failed". */
export function networkCause(error: Error, timeoutMs: number): string {
  if (error.name === 'TimeoutError' || error.name === 'AbortError')
    return `no answer within ${timeoutMs / 1000} s; check that the registry is up and reachable from here`;
  const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused; check that the registry runs at that address and port';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve (DNS); check the registry address';
    case 'ECONNRESET':
      return 'the connection was reset; check the registry and any proxy in between';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'the connection timed out; check the address and the network or firewall';
    default:
      if (cause?.code?.startsWith('ERR_TLS') || /certificate|SSL|TLS/i.test(cause?.message ?? ''))
        return `TLS failed (${cause?.message ?? cause?.code}); check the registry's certificate`;
      return cause?.message ? `${error.message} (${cause.message})` : error.message;
  }
}

function withAuthorization(init: RequestInit, authorization: string | undefined): RequestInit {
  return authorization ? { ...init, headers: { ...(init.headers as Record<string, string>), Authorization: authorization } } : init;
}

function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '').toLowerCase();
  // 127.0.0.0/8 as an IPv4 literal only: 127.example.com is a host name like any other.
  return name === 'localhost' || name === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(name);
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
