import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createProjectFileMapUsingProjectGraph, type ProjectGraph } from 'nx/src/devkit-exports';
import type { ContextEntry } from './build-context';
import type { ContextItem } from './content-identity';
import type { StagedFile } from './library-packs';

/** A file's hash, by workspace-relative path. */
export type FileHashes = Map<string, string>;

// One file map per graph: a batch builds many images from one.
const byGraph = new WeakMap<ProjectGraph, Promise<FileHashes>>();

/**
 * The hashes Nx already computed for every file of every project (from its
 * workspace context, or the daemon's): a build's context is hashed without
 * reading the files again. Files Nx does not track (git-ignored build
 * outputs a Dockerfile copies) are not in it.
 */
export function workspaceFileHashes(graph: ProjectGraph): Promise<FileHashes> {
  let hashes = byGraph.get(graph);
  if (!hashes) {
    hashes = createProjectFileMapUsingProjectGraph(graph).then(
      (fileMap) => new Map(Object.values(fileMap).flatMap((files) => files.map((file): [string, string] => [file.file, file.hash]))),
    );
    byGraph.set(graph, hashes);
  }
  return hashes;
}

/**
 * The build context with a hash of what each file holds: Nx's where it has
 * one, else (a build output Nx ignores) a SHA-256 of the bytes, read here.
 */
export function hashContext(workspaceRoot: string, contextDir: string, entries: ContextEntry[], known: FileHashes): ContextItem[] {
  return entries.map((entry) => {
    if (entry.kind !== 'file') return entry;
    const workspacePath = contextDir === '.' || contextDir === '' ? entry.path : `${contextDir}/${entry.path}`;
    const hash = known.get(workspacePath) ?? `sha256:${sha256(readFileSync(join(workspaceRoot, workspacePath)))}`;
    return { ...entry, hash };
  });
}

/** Staged files (library packs) by their path in the context: a hash of their bytes. */
export function hashStagedFiles(files: StagedFile[]): Record<string, string> {
  return Object.fromEntries(files.map((file) => [file.name, sha256(readFileSync(file.path))]));
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
