import { DOCKER_HUB_DOMAIN, type ImageReference } from '../image-reference/reference';

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
 * The few Registry HTTP API calls Imagewise needs. Loopback registries speak
 * plain HTTP, others HTTPS; transient failures are retried with backoff and
 * end in a clear error, never a hang.
 */
export class RegistryClient {
  private readonly attempts: number;
  private readonly timeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: RegistryClientOptions = {}) {
    this.attempts = options.attempts ?? 4;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retryDelayMs = options.retryDelayMs ?? 200;
    this.fetch = options.fetch ?? fetch;
  }

  /** The digest a tag points to now, or undefined when the registry has no such tag. */
  async manifestDigest(reference: ImageReference): Promise<string | undefined> {
    const url = this.manifestUrl(reference, reference.tag ?? 'latest');
    const response = await this.request(url, { method: 'HEAD', headers: { Accept: MANIFEST_TYPES } });
    if (response.status === 404) return undefined;
    if (!response.ok) throw new RegistryError(`${url} answered ${response.status} ${response.statusText}`);
    const digest = response.headers.get('docker-content-digest');
    if (!digest) throw new RegistryError(`${url} answered without a Docker-Content-Digest header`);
    return digest;
  }

  /** host[:port] actually asked for this reference (for docker.io, the mirror or Docker Hub's registry host). */
  registryHost(reference: ImageReference): string {
    if (reference.domain !== DOCKER_HUB_DOMAIN) return reference.domain;
    // docker.io itself serves no Registry API (it redirects to the website); Docker asks registry-1.docker.io.
    return this.options.dockerHubMirror || DOCKER_HUB_REGISTRY;
  }

  private manifestUrl(reference: ImageReference, tagOrDigest: string): string {
    const host = this.registryHost(reference);
    const scheme = isLoopback(host) ? 'http' : 'https';
    return `${scheme}://${host}/v2/${reference.path}/manifests/${tagOrDigest}`;
  }

  private async request(url: string, init: RequestInit): Promise<Response> {
    let lastError = '';
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        const response = await this.fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
        if (response.status < 500) return response;
        lastError = `${response.status} ${response.statusText}`;
      } catch (error) {
        lastError = (error as Error).message;
      }
      if (attempt < this.attempts) await sleep(this.retryDelayMs * 2 ** (attempt - 1));
    }
    throw new RegistryError(`${url} failed after ${this.attempts} attempts: ${lastError}`);
  }
}

function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '').toLowerCase();
  // 127.0.0.0/8 as an IPv4 literal only: 127.example.com is a host name like any other.
  return name === 'localhost' || name === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(name);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
