import { escapeRegExp, lineAt } from './text-position';

/**
 * Finds the lines of declarations in a TOML text that smol-toml has already parsed (it keeps no positions).
 * The searches are textual, so best-effort: first inside the table's own `[header]` section, then anywhere,
 * then the header's line, then line 1.
 */
export class TomlLines {
  private readonly cursors = new Map<string, number>();

  constructor(private readonly text: string) {}

  /** Start (the `[a.b.c]` header, keys bare or quoted) and end (the next header) of a table's section. */
  section(keys: string[]): { start: number; end: number } | undefined {
    const path = keys.map((key) => `(?:${escapeRegExp(key)}|"${escapeRegExp(key)}"|'${escapeRegExp(key)}')`).join('[ \\t]*\\.[ \\t]*');
    const header = new RegExp(`^[ \\t]*\\[[ \\t]*${path}[ \\t]*\\][ \\t]*(?:#.*)?$`, 'm').exec(this.text);
    if (!header) return undefined;
    const next = /^[ \t]*\[/gm;
    next.lastIndex = header.index + header[0].length;
    const following = next.exec(this.text);
    return { start: header.index, end: following ? following.index : this.text.length };
  }

  /**
   * Line of a string in an array of the table `keys` (e.g. `"imagewise-common>=1.4"` under `[project]`).
   * Successive calls for the same table search on from the previous hit, so repeated strings get their own lines.
   */
  stringInArray(keys: string[], value: string, namePattern: string): number {
    const cursorKey = JSON.stringify(keys);
    const section = this.section(keys);
    const from = this.cursors.get(cursorKey) ?? section?.start ?? 0;
    const patterns = [new RegExp(`(["'])${escapeRegExp(value)}\\1`, 'g'), new RegExp(`["']\\s*${namePattern}(?![A-Za-z0-9._-])`, 'gi')];
    for (const pattern of patterns) {
      const match = this.search(pattern, from, this.text.length);
      if (match !== undefined) {
        this.cursors.set(cursorKey, match + 1);
        return lineAt(this.text, match);
      }
    }
    return section ? lineAt(this.text, section.start) : 1;
  }

  /** Line of `key = …` in the table `keys`, or of a `[keys.key]` sub-table header. */
  keyInTable(keys: string[], key: string): number {
    const quoted = `(?:${escapeRegExp(key)}|"${escapeRegExp(key)}"|'${escapeRegExp(key)}')`;
    const section = this.section(keys);
    if (section) {
      const match = this.search(new RegExp(`^[ \\t]*${quoted}[ \\t]*=`, 'gm'), section.start, section.end);
      if (match !== undefined) return lineAt(this.text, match);
    }
    const subTable = this.section([...keys, key]);
    if (subTable) return lineAt(this.text, subTable.start);
    return section ? lineAt(this.text, section.start) : 1;
  }

  private search(pattern: RegExp, from: number, to: number): number | undefined {
    pattern.lastIndex = from;
    const match = pattern.exec(this.text);
    return match && match.index < to ? match.index : undefined;
  }
}

/** A regex source matching every spelling of a Python name that PEP 503 treats as the same. */
export function pythonNamePattern(name: string): string {
  return name
    .split(/[-_.]+/)
    .map(escapeRegExp)
    .join('[-_.]+');
}
