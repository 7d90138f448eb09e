import type { ImageProject } from '../../graph/image-project';
import type { Problem } from '../../graph/problems';
import type { InternalLibrary, SourceFile } from '../../library';
import { planBaseImageUses } from './base-image-uses';
import { planLibraryUses } from './library-uses';

/** The files a sync rewrites, and what it did and did not do, each at its file and line. */
export interface SyncPlan {
  /** New texts by workspace-relative path; only files that change. */
  texts: Map<string, string>;
  changed: Problem[];
  /** Deliberate pins and what no rewrite can follow (a digest, a dist-tag, a git URL…). */
  leftAlone: Problem[];
}

/** Collects edits: each file's text as edited so far, read once. */
export class Edits {
  readonly texts = new Map<string, string>();
  readonly changed: Problem[] = [];
  readonly leftAlone: Problem[] = [];

  constructor(private readonly read: (path: string) => string) {}

  text(path: string): string {
    return this.texts.get(path) ?? this.read(path);
  }

  /** Applies an edit (the file's new text), or reports it as left alone when the edit could not be made. */
  apply(path: string, line: number, edited: string | undefined, changed: string, unchanged: string): void {
    if (edited === undefined) {
      this.leftAlone.push({ file: path, line, message: unchanged });
      return;
    }
    this.texts.set(path, edited);
    this.changed.push({ file: path, line, message: changed });
  }

  leave(path: string, line: number, message: string): void {
    this.leftAlone.push({ file: path, line, message });
  }
}

export interface SyncInput {
  images: ImageProject[];
  libraries: InternalLibrary[];
  /** Registries whose images are the workspace's (the plugin's `registry` and `registries`). */
  registries: string[];
  /** An image project's files that may ask for a library. */
  declarations(root: string): SourceFile[];
  /** A file's text. */
  read(path: string): string;
}

/**
 * What `nx sync` changes so that every image follows the workspace: FROM
 * lines naming a workspace base image at another version move to its current
 * version, and library versions its current version does not satisfy move to
 * one it does. Deliberate pins are left alone and reported.
 */
export function planSync(input: SyncInput): SyncPlan {
  const edits = new Edits(input.read);
  planBaseImageUses(input.images, { registries: input.registries }, edits);
  planLibraryUses(input.images, input.libraries, input.declarations, edits);
  const texts = new Map([...edits.texts].filter(([path, text]) => text !== input.read(path)));
  return { texts, changed: edits.changed, leftAlone: edits.leftAlone };
}
