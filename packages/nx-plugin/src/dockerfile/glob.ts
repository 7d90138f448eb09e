/**
 * Shell glob patterns (`*`, `?`, backslash escapes) for the `${NAME#glob}`, `${NAME%glob}`
 * and `${NAME/glob/replacement}` modifiers of ./substitute.
 */

/**
 * Removes the shortest (or `longest`) prefix (`#`) or suffix (`%`) of `value` that
 * matches `pattern`; returns `value` when none does.
 */
export function trimGlob(value: string, pattern: string, op: '#' | '%', longest: boolean): string {
  const regex = new RegExp(`^(?:${globToRegExpSource(pattern)})$`, 's');
  for (let i = 0; i <= value.length; i++) {
    const length = longest ? value.length - i : i;
    const cut = op === '#' ? length : value.length - length;
    const [removed, kept] = op === '#' ? [value.slice(0, cut), value.slice(cut)] : [value.slice(cut), value.slice(0, cut)];
    if (regex.test(removed)) return kept;
  }
  return value;
}

/** Replaces the first (or `all`) matches of `pattern` in `value`. */
export function replaceGlob(value: string, pattern: string, replacement: string, all: boolean): string {
  const regex = new RegExp(globToRegExpSource(pattern), all ? 'gs' : 's');
  return value.replace(regex, () => replacement);
}

/** Converts a shell glob to a regular expression source. */
function globToRegExpSource(pattern: string): string {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    let ch = pattern[i];
    if (ch === '*') {
      source += '.*';
      continue;
    }
    if (ch === '?') {
      source += '.';
      continue;
    }
    if (ch === '\\' && i + 1 < pattern.length) ch = pattern[++i];
    source += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return source;
}
