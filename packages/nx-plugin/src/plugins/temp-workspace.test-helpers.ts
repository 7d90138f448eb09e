// A temporary workspace for each test of the plugin's createNodes and
// createDependencies: a fresh root, files written into it, and console.warn
// (where the plugin warns) silenced and recorded.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreateNodesResult, ProjectConfiguration } from 'nx/src/devkit-exports';
import { afterEach, beforeEach, vi, type MockInstance } from 'vitest';
import type { ImageProjectMetadata } from './project-metadata';
import { saveGraphCachesSoon } from './graph-cache';

export interface TempWorkspace {
  /** The current test's workspace root. */
  readonly root: string;
  /** console.warn, spied on for the current test. */
  readonly warn: MockInstance<typeof console.warn>;
  write(files: Record<string, string>): void;
}

/** Registers the hooks: a new root (`prefix`…) before each test, removed after it with every mock restored. */
export function tempWorkspacePerTest(prefix: string): TempWorkspace {
  let root = '';
  let warn: MockInstance<typeof console.warn>;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), prefix));
    warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    // The graph caches this test opened are saved now, into its root: saved at
    // the process's exit instead, they would make the removed root again.
    await saveGraphCachesSoon();
    rmSync(root, { recursive: true, force: true });
    vi.restoreAllMocks();
  });
  return {
    get root() {
      return root;
    },
    get warn() {
      return warn;
    },
    write(files) {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(join(root, path, '..'), { recursive: true });
        writeFileSync(join(root, path), text);
      }
    },
  };
}

/** The project a createNodes result gives the directory `root`, with its Imagewise metadata. */
export const projectOf = (result: CreateNodesResult, root: string) =>
  result.projects?.[root] as ProjectConfiguration & { metadata: { imagewise: ImageProjectMetadata } };
