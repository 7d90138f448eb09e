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
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped
  return short.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
