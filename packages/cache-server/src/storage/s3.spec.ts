import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalS3, type LocalS3 } from '../s3rver.test-helpers.js';
import { S3Storage } from './s3.js';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('S3Storage against s3rver', () => {
  let s3: LocalS3;
  let storage: S3Storage;
  beforeAll(async () => {
    s3 = await startLocalS3();
    for (const [name, value] of Object.entries(s3.credentials)) vi.stubEnv(name, value);
    storage = new S3Storage({ bucket: s3.bucket, prefix: 'ci/', endpoint: s3.endpoint });
    await storage.init();
  });
  afterAll(async () => {
    await storage?.close();
    await s3?.stop();
    vi.unstubAllEnvs();
  });

  it('stores a streamed entry with one put and reads it back byte-identical', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const body = Readable.from([data.subarray(0, 1_000_000), data.subarray(1_000_000)]);
    expect(await storage.put('1234', body, data.length)).toBe('stored');
    const entry = await storage.get('1234');
    expect(entry?.size).toBe(data.length);
    expect((await readAll(entry!.body)).equals(data)).toBe(true);
    expect(await storage.has('1234')).toBe(true);
  });

  it('misses cleanly', async () => {
    expect(await storage.get('404404')).toBeUndefined();
    expect(await storage.has('404404')).toBe(false);
  });

  it('keeps entries under the prefix', async () => {
    await storage.put('77', Readable.from([Buffer.from('x')]), 1);
    const unprefixed = new S3Storage({ bucket: s3.bucket, prefix: '', endpoint: s3.endpoint });
    expect(await unprefixed.has('77')).toBe(false);
    expect(await unprefixed.has('ci/77')).toBe(true);
    await unprefixed.close();
  });

  it('stores nothing when the body fails midway', async () => {
    const failing = new PassThrough();
    const put = storage.put('555', failing, 1_000_000);
    failing.write(randomBytes(100_000));
    setImmediate(() => failing.destroy(new Error('client went away')));
    await expect(put).rejects.toThrow();
    expect(await storage.has('555')).toBe(false);
  });

  it('takes an object without its declared size (a store that kept a partial upload) for no entry', async () => {
    const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true });
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'ci/888', Body: Buffer.from('trunc') }));
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'ci/889', Body: Buffer.from('trunc'), Metadata: { 'imagewise-size': '10' } }));
    client.destroy();
    for (const hash of ['888', '889']) {
      expect(await storage.has(hash)).toBe(false);
      expect(await storage.get(hash)).toBeUndefined();
    }
  });

  it('fails init for a bucket that does not exist', async () => {
    const missing = new S3Storage({ bucket: 'no-such-bucket', prefix: '', endpoint: s3.endpoint });
    await expect(missing.init()).rejects.toThrow();
    await missing.close();
  });

  it('describes itself without credentials', () => {
    expect(storage.description).toBe(`s3://nx-cache/ci/ at ${s3.endpoint}`);
  });
});
