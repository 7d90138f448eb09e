import type { ImageUseKind } from '../dockerfile/analyse';

/** One place a Dockerfile names a workspace image, and the exact image to use there. */
export interface BaseReplacement {
  /** 1-based first line of the instruction. */
  line: number;
  kind: ImageUseKind;
  /** The image name as written (before ARG substitution). */
  raw: string;
  /** The exact image this build produced for it: `repo@sha256:…` or a content tag. */
  reference: string;
}

/**
 * A copy of the Dockerfile whose FROM / COPY --from / RUN --mount from= name
 * exactly the base images this build graph produced, whatever tag they were
 * written with: a dependent never builds on a stale or moving `latest`.
 * Throws when a written name cannot be found where the analysis saw it.
 */
export function pinBases(dockerfile: string, replacements: BaseReplacement[]): string {
  const lines = dockerfile.split('\n');
  for (const replacement of replacements) {
    const end = instructionEnd(lines, replacement.line - 1);
    const pattern = tokenPattern(replacement);
    let done = false;
    for (let index = replacement.line - 1; index <= end && !done; index++) {
      const replaced = lines[index].replace(pattern, (_match, before: string) => `${before}${replacement.reference}`);
      done = replaced !== lines[index];
      lines[index] = replaced;
    }
    if (!done) throw new Error(`line ${replacement.line}: could not find "${replacement.raw}" to pin it to ${replacement.reference}`);
  }
  return lines.join('\n');
}

// The instruction continues while a line ends with an escape character.
function instructionEnd(lines: string[], start: number): number {
  let index = start;
  while (index < lines.length - 1 && /[\\`]\s*$/.test(lines[index])) index++;
  return index;
}

function tokenPattern({ kind, raw }: BaseReplacement): RegExp {
  const escaped = raw.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const end = '(?=["\'\\s,]|$)';
  if (kind === 'copy-from') return new RegExp(`(--from=["']?)${escaped}${end}`, 'i');
  if (kind === 'mount-from') return new RegExp(`([,=\\s]from=["']?)${escaped}${end}`, 'i');
  // FROM [--platform=…] <image> [AS name]: the first whole-word occurrence after the keyword.
  return new RegExp(`(^\\s*from\\s+(?:--\\S+\\s+)*|\\s)${escaped}${end}`, 'i');
}
