/** How much of a file's own text a message may quote. */
const EXCERPT_LENGTH = 60;

/**
 * A piece of a file's text as a message quotes it: at most a short start of
 * it, on one line, with control characters escaped. A file that is not what
 * it claims (binary garbage, a symlink to /etc/passwd) must not fill the log
 * with its contents.
 */
export function excerpt(text: string, length = EXCERPT_LENGTH): string {
  let short = text;
  if (text.length > length) {
    // Not half a surrogate pair at the cut.
    const end = /[\uD800-\uDBFF]/.test(text[length - 1]) ? length - 1 : length;
    short = `${text.slice(0, end)}…`;
  }
  return escapeControlCharacters(short);
}

/** Text on one line that cannot drive a terminal: control characters (and line separators) as \uXXXX. */
export function escapeControlCharacters(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
