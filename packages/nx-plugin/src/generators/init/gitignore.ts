/** .gitignore text with each entry added unless a line already ignores it (with or without its slashes). */
export function withGitignoreEntries(text: string, entries: string[]): string {
  const present = new Set(text.split(/\r?\n/).map((line) => line.trim().replace(/^\/+|\/+$/g, '')));
  const missing = entries.filter((entry) => !present.has(entry.replace(/^\/+|\/+$/g, '')));
  if (!missing.length) return text;
  const base = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  return `${base}${missing.join('\n')}\n`;
}
