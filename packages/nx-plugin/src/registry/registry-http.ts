import { DOCKER_HUB_DOMAIN, type ImageReference } from '../image-reference/reference';
import type { RegistryAuth } from './credentials';

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

/**
 * How the registry is asked: its address (loopback registries speak plain
 * HTTP, others HTTPS; docker.io through the mirror), its auth (anonymous,
 * Basic, or a Bearer token per repository and actions) and retries with
 * backoff that end in a clear error, never a hang. RegistryClient says what is asked.
 */
export class RegistryHttp {
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

  /** host[:port] actually asked for this reference (for docker.io, the mirror or Docker Hub's registry host). */
  registryHost(reference: ImageReference): string {
    if (reference.domain !== DOCKER_HUB_DOMAIN) return reference.domain;
    // docker.io itself serves no Registry API (it redirects to the website); Docker asks registry-1.docker.io.
    return this.options.dockerHubMirror || DOCKER_HUB_REGISTRY;
  }

  manifestUrl(reference: ImageReference, tagOrDigest: string): string {
    return `${this.repositoryUrl(reference)}/manifests/${tagOrDigest}`;
  }

  repositoryUrl(reference: ImageReference): string {
    const host = this.registryHost(reference);
    const scheme = isLoopback(host) ? 'http' : 'https';
    return `${scheme}://${host}/v2/${reference.path}`;
  }

  /**
   * A request with the registry's auth: anonymous first; on 401, Basic
   * credentials or a Bearer token from the realm the challenge names.
   * Errors name the registry and repository, never the credentials.
   */
  async authorised(reference: ImageReference, actions: string, url: string, init: RequestInit): Promise<Response> {
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

/** The registry's own error codes from an error body (`{"errors":[{"code":…}]}`), as ` (CODE, …)`; else nothing. */
export async function errorCodes(response: Response): Promise<string> {
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
