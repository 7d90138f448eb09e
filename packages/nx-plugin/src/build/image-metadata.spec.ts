import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exactReference, imageMetadataPath, readImageMetadata, writeImageMetadata, type ImageMetadata } from './image-metadata';

const DIGEST = `sha256:${'c'.repeat(64)}`;

const METADATA: ImageMetadata = {
  image: 'registry.example.com/acme/node-base',
  digest: DIGEST,
  imageId: `sha256:${'1'.repeat(64)}`,
  tags: ['c-123', '1.2.0', 'latest'],
  contentIdentity: '123',
  baseImages: { 'node:22': `docker.io/library/node:22@sha256:${'2'.repeat(64)}` },
  reused: false,
  buildSeconds: 12.5,
};

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'imagewise-metadata-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('image metadata', () => {
  it('lives at dist/images/<project>/metadata.json', () => {
    expect(imageMetadataPath('/ws', 'images/node-base')).toBe(join('/ws', 'dist/images/images/node-base/metadata.json'));
  });

  it('is written whole, creating the directory, leaving no temporary file, and reads back equal', () => {
    writeImageMetadata(root, 'images/node-base', METADATA);
    const dir = join(root, 'dist/images/images/node-base');
    expect(readdirSync(dir)).toEqual(['metadata.json']);
    expect(readImageMetadata(root, 'images/node-base')).toEqual(METADATA);
    expect(readFileSync(join(dir, 'metadata.json'), 'utf8').endsWith('}\n')).toBe(true);
  });

  it('replaces an earlier file', () => {
    writeImageMetadata(root, 'app', METADATA);
    const local: ImageMetadata = { ...METADATA, digest: undefined, image: 'app', reused: true };
    writeImageMetadata(root, 'app', local);
    expect(readImageMetadata(root, 'app')).toEqual(JSON.parse(JSON.stringify(local)));
    expect(readImageMetadata(root, 'app')?.digest).toBeUndefined();
    expect(readdirSync(join(root, 'dist/images/app'))).toEqual(['metadata.json']);
  });

  it('reads as undefined when the project has no build output', () => {
    expect(readImageMetadata(root, 'never-built')).toBeUndefined();
  });

  it('throws on a file that is not JSON rather than reading it as absent', () => {
    mkdirSync(join(root, 'dist/images/broken'), { recursive: true });
    writeFileSync(join(root, 'dist/images/broken/metadata.json'), '{"image":');
    expect(() => readImageMetadata(root, 'broken')).toThrow();
  });
});

describe('exactReference', () => {
  it('names a pushed image by its digest', () => {
    expect(exactReference(METADATA)).toBe(`registry.example.com/acme/node-base@${DIGEST}`);
  });

  it('names a local-only image by its content tag', () => {
    expect(exactReference({ ...METADATA, image: 'node-base', digest: undefined })).toBe('node-base:c-123');
  });
});
