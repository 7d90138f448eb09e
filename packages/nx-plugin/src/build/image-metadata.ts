import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { imageOutputDir } from '../graph/dockerfile-names';
import { contentTag } from './tag-policy';

/** What a docker:build leaves for its dependents and for people: dist/images/<project>[/<key>]/metadata.json. */
export interface ImageMetadata {
  /** Repository, `registry/name` or a local name. */
  image: string;
  /** Manifest digest in the registry; absent for a local-only build. */
  digest?: string;
  /** A multi-platform image: each platform's manifest digest, by platform; `digest` is their image index. */
  platforms?: Record<string, string>;
  /** Local image ID. */
  imageId?: string;
  tags: string[];
  /** What the image is made of, hashed (content-identity.ts); its content tag is `c-<identity>`. */
  contentIdentity: string;
  /** The exact base images it was built on, by the name the Dockerfile used. */
  baseImages: Record<string, string>;
  reused: boolean;
  /** The manifest the content tag named before this build replaced it, and why (an unpullable or a stale image). */
  replaced?: { digest: string; kind: 'unpullable' | 'too-old' | 'base-moved' };
  /** The engine of the plugin option "engines" that built it; absent without a pool, or when reused. */
  engine?: string;
  /** A multi-platform image built with that pool: the engine that built each platform (its own platform's, else the task's by emulation). */
  platformEngines?: Record<string, string>;
  buildSeconds: number;
}

/** `key` is the image's ('' or omitted for the primary): each image of a project has its own. */
export function imageMetadataPath(workspaceRoot: string, project: string, key = ''): string {
  return join(workspaceRoot, imageOutputDir(project, key), 'metadata.json');
}

export function readImageMetadata(workspaceRoot: string, project: string, key = ''): ImageMetadata | undefined {
  try {
    return JSON.parse(readFileSync(imageMetadataPath(workspaceRoot, project, key), 'utf8')) as ImageMetadata;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Written whole or not at all. */
export function writeImageMetadata(workspaceRoot: string, project: string, metadata: ImageMetadata, key = ''): void {
  const path = imageMetadataPath(workspaceRoot, project, key);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, `${JSON.stringify(metadata, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

/** The exact reference a dependent builds FROM (or a person runs): by digest when pushed, else the local content tag. */
export function exactReference(metadata: ImageMetadata): string {
  return metadata.digest ? `${metadata.image}@${metadata.digest}` : `${metadata.image}:${contentTag(metadata.contentIdentity)}`;
}
