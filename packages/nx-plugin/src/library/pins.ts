import { parseJson } from './json-text';

/**
 * The comment that marks a deliberate pin: a FROM tag or library version left
 * at an older release on purpose. In a Dockerfile on the line before the
 * instruction (Dockerfiles have no trailing comments); in requirements files
 * and pyproject.toml on the line before or at the end of the line. A reason may
 * follow: `# imagewise: pin until the v2 API is deployed`.
 */
export const PIN_MARKER = '# imagewise: pin';
const MARKER = /#\s*imagewise:\s*pin\b/i;
const MARKER_LINE = /^\s*#\s*imagewise:\s*pin\b/i;

/** Whether 1-based `line` of `text` is marked: by the line before, or (`trailing`) a comment on the line itself. */
export function markedAsPin(text: string, line: number, trailing: boolean): boolean {
  const lines = text.split('\n');
  return MARKER_LINE.test(lines[line - 2] ?? '') || (trailing && MARKER.test(lines[line - 1] ?? ''));
}

/**
 * Libraries a package.json pins on purpose (JSON has no comments):
 * `"imagewise": { "pin": ["@imagewise/common"] }`, by package or project name.
 */
export function packageJsonPins(text: string): string[] {
  const parsed = parseJson(text);
  if ('error' in parsed) return [];
  const pin = (parsed.value as { imagewise?: { pin?: unknown } } | null)?.imagewise?.pin;
  return Array.isArray(pin) ? pin.filter((name): name is string => typeof name === 'string') : [];
}
