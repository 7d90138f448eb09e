/**
 * Instruction flag values as BuildKit reads them, where dockerfile-ast's Flag API reads
 * them differently.
 */

/**
 * Removes the quotes BuildKit removes from flag values (`--from="x"`, `--platform='a/b'`);
 * dockerfile-ast returns flag values exactly as written.
 */
export function unquote(value: string): string {
  let out = '';
  let quote: string | undefined;
  for (const ch of value) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else out += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * The type (default `bind`) and from= field of a `RUN --mount` value. BuildKit removes the
 * flag's quotes, then reads comma-separated `key=value` fields with case-insensitive keys.
 * dockerfile-ast's Flag.getOptions() keeps the quotes (`"from=x"` gives an option named
 * `"from`) and the keys' case, so the fields are split here.
 */
export function mountFields(written: string): { type: string; from?: string } {
  let type = 'bind';
  let from: string | undefined;
  for (const field of unquote(written).split(',')) {
    const eq = field.indexOf('=');
    if (eq < 0) continue;
    const key = field.slice(0, eq).toLowerCase();
    if (key === 'type') type = field.slice(eq + 1).toLowerCase();
    else if (key === 'from') from = field.slice(eq + 1);
  }
  return { type, from };
}
