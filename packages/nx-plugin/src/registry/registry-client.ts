import { createHash } from 'node:crypto';
import type { ImageReference } from '../image-reference/reference';
import { MANIFEST_TYPES, RegistryError, RegistryHttp, errorCodes, type RegistryClientOptions } from './registry-http';

/** An image's config, as far as Imagewise reads it. */
export interface ImageConfigFacts {
  /** RFC 3339, as the config writes it. */
  created?: string;
  labels: Record<string, string>;
}

/** The registry refuses deletes (disabled, or not permitted): nothing was deleted by that request. */
export class DeleteRefusedError extends RegistryError {
  constructor(message: string) {
    super(message);
    this.name = 'DeleteRefusedError';
  }
}

/**
 * The few Registry HTTP API calls Imagewise needs: manifests, blobs and tags
 * read, written and deleted. How each request reaches the registry (address,
 * auth, retries) is RegistryHttp's.
 */
export class RegistryClient {
  private readonly http: RegistryHttp;
  /** Manifests read by digest, by URL. */
  private readonly manifests = new Map<string, Promise<Manifest>>();

  constructor(options: RegistryClientOptions = {}) {
    this.http = new RegistryHttp(options);
  }

  /** The digest a tag points to now, or undefined when the registry has no such tag. */
  async manifestDigest(reference: ImageReference): Promise<string | undefined> {
    const url = this.http.manifestUrl(reference, reference.tag ?? 'latest');
    const response = await this.http.authorised(reference, 'pull', url, { method: 'HEAD', headers: { Accept: MANIFEST_TYPES } });
    if (response.status === 404) return undefined;
    if (!response.ok) throw new RegistryError(`${url} answered ${response.status} ${response.statusText}`);
    const digest = response.headers.get('docker-content-digest');
    if (!digest) throw new RegistryError(`${url} answered without a Docker-Content-Digest header`);
    return digest;
  }

  /**
   * The manifest a tag or digest names, byte for byte, with its own media type.
   * By digest, it is asked once per client: those bytes never change, and a
   * reuse reads the same manifest to check its blobs and to retag it.
   */
  getManifest(reference: ImageReference, tagOrDigest: string): Promise<Manifest> {
    if (!tagOrDigest.startsWith('sha256:')) return this.fetchManifest(reference, tagOrDigest);
    const url = this.http.manifestUrl(reference, tagOrDigest);
    let manifest = this.manifests.get(url);
    if (!manifest) {
      manifest = this.fetchManifest(reference, tagOrDigest);
      // A failed question is asked again next time, not remembered.
      manifest.catch(() => this.manifests.delete(url));
      this.manifests.set(url, manifest);
    }
    return manifest;
  }

  private async fetchManifest(reference: ImageReference, tagOrDigest: string): Promise<Manifest> {
    const url = this.http.manifestUrl(reference, tagOrDigest);
    const response = await this.http.authorised(reference, 'pull', url, { headers: { Accept: MANIFEST_TYPES } });
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
    if (!parsed.config?.digest) throw new RegistryError(`${this.http.manifestUrl(reference, digest)} names no config`);
    const config = JSON.parse((await this.getBlob(reference, parsed.config.digest)).toString('utf8')) as {
      created?: string;
      config?: { Labels?: Record<string, string> | null };
    };
    return { created: config.created, labels: config.config?.Labels ?? {} };
  }

  private hasBlob(reference: ImageReference, kind: 'blobs' | 'manifests', digest: string): Promise<boolean> {
    const url = `${this.http.repositoryUrl(reference)}/${kind}/${digest}`;
    let answer = knownBlobs.get(url);
    if (!answer) {
      answer = this.http
        .authorised(reference, 'pull', url, { method: 'HEAD', headers: kind === 'manifests' ? { Accept: MANIFEST_TYPES } : {} })
        .then((response) => {
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
   * Points more tags at the manifest `from` (a tag or a digest) names: GET its
   * bytes, PUT them under each tag with the manifest's own media type. No layer moves.
   */
  async retag(reference: ImageReference, from: string, tags: string[]): Promise<string> {
    if (!tags.length && from.startsWith('sha256:')) return from;
    const manifest = await this.getManifest(reference, from);
    for (const tag of tags) await this.putManifest(reference, tag, manifest.bytes, manifest.mediaType);
    return manifest.digest;
  }

  /**
   * Points each tag at the manifest `digest` names, leaving alone the tags
   * already there: a reuse on a commit whose tags a runner wrote before asks
   * (HEAD) and writes nothing.
   */
  async ensureTags(reference: ImageReference, digest: string, tags: string[]): Promise<void> {
    const moved: string[] = [];
    for (const tag of tags) if ((await this.manifestDigest({ ...reference, tag, digest: undefined })) !== digest) moved.push(tag);
    if (moved.length) await this.retag(reference, digest, moved);
  }

  /** Stores manifest bytes under a tag (or their digest); returns their digest. */
  async putManifest(reference: ImageReference, tagOrDigest: string, bytes: Buffer, mediaType: string): Promise<string> {
    const url = this.http.manifestUrl(reference, tagOrDigest);
    const response = await this.http.authorised(reference, 'pull,push', url, { method: 'PUT', headers: { 'Content-Type': mediaType }, body: bytes });
    if (response.status !== 201 && !response.ok) {
      throw new RegistryError(`${url} answered ${response.status} ${response.statusText} to a manifest PUT${await errorCodes(response)}`);
    }
    return response.headers.get('docker-content-digest') || sha256(bytes);
  }

  /** Every tag of the repository, page by page as the Link header says; none when it does not exist. */
  async tags(reference: ImageReference): Promise<string[]> {
    const tags: string[] = [];
    let url: string | undefined = `${this.http.repositoryUrl(reference)}/tags/list?n=1000`;
    while (url) {
      const response = await this.http.authorised(reference, 'pull', url, {});
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
    const url = `${this.http.repositoryUrl(reference)}/blobs/${digest}`;
    const response = await this.http.authorised(reference, 'pull', url, {});
    if (!response.ok) throw new RegistryError(`${url} answered ${response.status} ${response.statusText}${await errorCodes(response)}`);
    return Buffer.from(await response.arrayBuffer());
  }

  /** Uploads a small blob in one request after the upload is opened; returns its digest. */
  async putBlob(reference: ImageReference, bytes: Buffer): Promise<string> {
    const digest = sha256(bytes);
    const start = `${this.http.repositoryUrl(reference)}/blobs/uploads/`;
    const opened = await this.http.authorised(reference, 'pull,push', start, { method: 'POST' });
    const location = opened.headers.get('location');
    if (opened.status !== 202 || !location)
      throw new RegistryError(`${start} answered ${opened.status} ${opened.statusText} to an upload${await errorCodes(opened)}`);
    const url = new URL(location, start);
    url.searchParams.set('digest', digest);
    const response = await this.http.authorised(reference, 'pull,push', url.toString(), {
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
    const url = this.http.manifestUrl(reference, digest);
    const response = await this.http.authorised(reference, 'delete', url, { method: 'DELETE' });
    if (response.status === 404) return 'absent';
    if (response.ok) return 'deleted';
    const why = `${response.status} ${response.statusText}${await errorCodes(response)}`;
    const host = this.http.registryHost(reference);
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
    return this.http.registryHost(reference);
  }
}

/** A manifest as the registry holds it. */
export interface Manifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

/** Blob and manifest presence asked this process (one run), by URL. */
const knownBlobs = new Map<string, Promise<boolean>>();

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
