import { parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { lineAt } from './text-position';

/*
 * Positions in JSON come from jsonc-parser (Microsoft's, the one VS Code
 * uses): it reports errors and keys by offset. The value itself is still
 * JSON.parse's, so what a file means is exactly what Node reads; and an error
 * is named by its code and line, never by quoting the text around it (a
 * hand-broken file may hold a secret).
 */

export type JsonParseResult = { value: unknown } | { error: string; line: number };

/** Strict JSON, as JSON.parse reads it: no comments, no trailing commas. */
const STRICT = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

/** JSON.parse without throwing; on failure, what is wrong and the line it is on. */
export function parseJson(text: string): JsonParseResult {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    const errors: ParseError[] = [];
    parseTree(text, errors, STRICT);
    const first = errors[0];
    // JSON.parse refuses some texts jsonc-parser takes (a lone surrogate escape, say): no position then.
    if (!first) return { error: 'not valid JSON', line: 1 };
    return { error: describe(printParseErrorCode(first.error)), line: lineAt(text, first.offset) };
  }
}

/** `CommaExpected` → `comma expected`. */
function describe(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/**
 * Lines of the object keys in a JSON text, by key path (`['dependencies', '@imagewise/common']`).
 * Call only on text JSON.parse accepts. Like JSON.parse, a repeated key resolves to its last occurrence.
 */
export function jsonKeyLines(text: string): (path: string[]) => number | undefined {
  const root = parseTree(text, [], STRICT);
  return (path) => {
    const value = root && findLast(root, path);
    // The value's parent is its property: the key's position.
    return value?.parent ? lineAt(text, value.parent.offset) : undefined;
  };
}

type JsonNode = NonNullable<ReturnType<typeof parseTree>>;

/** The node at a key path; of repeated keys, the last (jsonc-parser's findNodeAtLocation takes the first). */
function findLast(root: JsonNode, path: string[]): JsonNode | undefined {
  let node: JsonNode | undefined = root;
  for (const key of path) {
    if (node?.type !== 'object') return undefined;
    const property: JsonNode | undefined = node.children?.filter((child) => child.children?.[0]?.value === key).at(-1);
    node = property?.children?.[1];
  }
  return node;
}
