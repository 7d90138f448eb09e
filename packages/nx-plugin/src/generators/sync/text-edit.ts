import { escapeRegExp } from '../../library/text-position';

/**
 * `text` with the first `from` after `anchor` (or from the line's start) on
 * 1-based `line` replaced by `to`; undefined when the line does not hold it
 * there. Edits in place keep the rest of the file byte for byte.
 */
export function replaceOnLine(text: string, line: number, anchor: string | undefined, from: string, to: string): string | undefined {
  const lines = text.split('\n');
  const current = lines[line - 1];
  if (current === undefined || from === '') return undefined;
  const start = anchor === undefined ? 0 : current.indexOf(anchor);
  if (start === -1) return undefined;
  const at = current.indexOf(from, start + (anchor?.length ?? 0));
  if (at === -1) return undefined;
  lines[line - 1] = current.slice(0, at) + to + current.slice(at + from.length);
  return lines.join('\n');
}

/** A reference as written (`node-base:1.0.0`, `"reg/node-base:1.0.0"`) with its tag replaced. */
export function withTag(written: string, tag: string, newTag: string): string | undefined {
  const match = new RegExp(`:${escapeRegExp(tag)}(["']?)$`).exec(written);
  return match ? `${written.slice(0, match.index)}:${newTag}${match[1]}` : undefined;
}
