import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContextEntry } from './build-context';
import type { ContextItem } from './content-identity';
import type { StagedFile } from './library-packs';

/**
 * The build context with a hash of what each file holds: a SHA-256 of its
 * bytes, read here. Not Nx's file hashes: with several Nx commands at work
 * (a busy CI runner), the ones createProjectFileMapUsingProjectGraph handed
 * a task were seen to be from before a file's last write, which gave an
 * image the identity of its previous content. The build reads these files
 * anyway to send them.
 */
export function hashContext(workspaceRoot: string, contextDir: string, entries: ContextEntry[]): ContextItem[] {
  return entries.map((entry) => {
    if (entry.kind !== 'file') return entry;
    const workspacePath = contextDir === '.' || contextDir === '' ? entry.path : `${contextDir}/${entry.path}`;
    return { ...entry, hash: `sha256:${sha256(readFileSync(join(workspaceRoot, workspacePath)))}` };
  });
}

/** Staged files (library packs) by their path in the context: a hash of their bytes. */
export function hashStagedFiles(files: StagedFile[]): Record<string, string> {
  return Object.fromEntries(files.map((file) => [file.name, sha256(readFileSync(file.path))]));
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
