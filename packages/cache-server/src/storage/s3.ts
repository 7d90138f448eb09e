import { GetObjectCommand, HeadBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { guardBody } from './body-guard.js';
import type { CacheStorage, StoredEntry } from './storage.js';

export interface S3Location {
  bucket: string;
  /** Key prefix, empty or ending in `/`. */
  prefix: string;
  /** For S3-compatible stores (MinIO, Ceph, s3rver); AWS when unset. */
  endpoint?: string;
  region?: string;
  /** Bucket in the path rather than the host name; the default with a custom endpoint. */
  forcePathStyle?: boolean;
}

/**
 * One object per entry, written with a single PutObject: S3 makes an object
 * visible whole or not at all. `If-None-Match: *` keeps the first writer's
 * entry where the store supports conditional writes (AWS, MinIO); elsewhere a
 * racing writer replaces it with another whole entry for the same hash.
 * Credentials come from the SDK's usual chain (AWS_ACCESS_KEY_ID, profiles, roles).
 */
export class S3Storage implements CacheStorage {
  private readonly client: S3Client;

  constructor(private readonly location: S3Location) {
    this.client = new S3Client({
      endpoint: location.endpoint,
      region: location.region ?? process.env['AWS_REGION'] ?? 'us-east-1',
      forcePathStyle: location.forcePathStyle ?? location.endpoint !== undefined,
      // The SDK's default trailing checksums (aws-chunked uploads) corrupt
      // streamed bodies on stores that predate them; TLS and the
      // Content-Length check guard the bytes instead.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  get description(): string {
    const where = this.location.endpoint ? ` at ${new URL(this.location.endpoint).origin}` : '';
    return `s3://${this.location.bucket}/${this.location.prefix}${where}`;
  }

  async init(): Promise<void> {
    await this.check();
  }

  async get(hash: string): Promise<StoredEntry | undefined> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: this.key(hash) }));
      const body = object.Body as Readable;
      if (!isWhole(object)) {
        body.destroy();
        return undefined;
      }
      return { body, size: object.ContentLength! };
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  async has(hash: string): Promise<boolean> {
    try {
      return isWhole(await this.client.send(new HeadObjectCommand({ Bucket: this.location.bucket, Key: this.key(hash) })));
    } catch (error) {
      if (isStatus(error, 404)) return false;
      throw error;
    }
  }

  async put(hash: string, body: Readable, size: number): Promise<'stored' | 'exists'> {
    const upload = guardBody(body);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.location.bucket,
          Key: this.key(hash),
          Body: upload.stream,
          ContentLength: size,
          ContentType: 'application/octet-stream',
          Metadata: { [SIZE_METADATA]: String(size) },
          IfNoneMatch: '*',
        }),
        { abortSignal: upload.signal },
      );
      return 'stored';
    } catch (error) {
      if (upload.signal.aborted) throw upload.signal.reason;
      // 412: another writer's entry is there; 409: a conditional write raced another.
      if (isStatus(error, 412) || isStatus(error, 409)) return 'exists';
      throw error;
    } finally {
      upload.release();
    }
  }

  async check(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.location.bucket }));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private key(hash: string): string {
    return `${this.location.prefix}${hash}`;
  }
}

/** The entry's size as its writer declared it, stored beside it. */
const SIZE_METADATA = 'imagewise-size';

/**
 * Whether an object is an entry as its writer sent it. S3 never shows a partial
 * object, but some S3-compatible stores (s3rver among them) write in place and
 * keep what an aborted upload sent; such an object is no entry.
 */
function isWhole(object: { ContentLength?: number; Metadata?: Record<string, string> }): boolean {
  return object.ContentLength !== undefined && object.Metadata?.[SIZE_METADATA] === String(object.ContentLength);
}

function isStatus(error: unknown, status: number): boolean {
  return error instanceof S3ServiceException && error.$metadata.httpStatusCode === status;
}
