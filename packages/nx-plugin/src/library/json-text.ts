import { lineAt } from './text-position';

export type JsonParseResult = { value: unknown } | { error: string; line: number };

/** JSON.parse without throwing; on failure, the error and the line it points at (1 when unknown). */
export function parseJson(text: string): JsonParseResult {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const lineColumn = /\(line (\d+) column \d+\)/.exec(message);
    if (lineColumn) return { error: message, line: Number(lineColumn[1]) };
    const position = /at position (\d+)/.exec(message);
    if (position) return { error: message, line: lineAt(text, Number(position[1])) };
    if (/Unexpected end of JSON input/.test(message)) return { error: message, line: lineAt(text, text.length) };
    return { error: message, line: 1 };
  }
}

interface Frame {
  isObject: boolean;
  expectingKey: boolean;
  key?: string;
}

/**
 * Lines of the object keys in a JSON text, by key path (`['dependencies', '@imagewise/common']`).
 * Call only on text JSON.parse accepts. Like JSON.parse, a repeated key resolves to its last occurrence.
 */
export function jsonKeyLines(text: string): (path: string[]) => number | undefined {
  const lines = new Map<string, number>();
  const stack: Frame[] = [];
  let line = 1;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '\n') {
      line += 1;
    } else if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top?.isObject && top.expectingKey) {
        top.key = JSON.parse(text.slice(i, end + 1)) as string;
        top.expectingKey = false;
        lines.set(JSON.stringify(stack.map((frame) => (frame.isObject ? (frame.key ?? '') : '[]'))), line);
      }
      i = end; // a valid JSON string holds no raw newline
    } else if (c === '{' || c === '[') {
      stack.push({ isObject: c === '{', expectingKey: c === '{' });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.isObject) top.expectingKey = true;
    }
  }
  return (path) => lines.get(JSON.stringify(path));
}
