import type { AST, ParseError } from 'toml-eslint-parser';
import { lineAt } from './text-position';

/*
 * TOML through toml-eslint-parser (ota-meshi's, the parser of eslint-plugin-toml):
 * it keeps every key's and array element's position, so a use in pyproject.toml
 * is reported on its own line, and the value is read from the same tree. It
 * replaces smol-toml plus a textual search for lines: smol-toml gives values
 * only (positions just for its errors), and a search over the text could land
 * on a comment or on the wrong one of two equal strings.
 */

type TomlParser = typeof import('toml-eslint-parser');

// Loaded on first use: only pyproject.toml files need a TOML parser, and graph
// code runs on every Nx command. (An ES module, which require loads from Node 20.19 on.)
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load needs require
const tomlParser = (): TomlParser => require('toml-eslint-parser') as TomlParser;

export type TomlTable = Record<string, unknown>;

/** A parsed TOML document: its value, and the line each key path is declared on. */
export interface TomlDocument {
  value: TomlTable;
  /**
   * Line of `key = …`, of a `[table]` header, or of an array element (its index as the last key):
   * `['project', 'dependencies', '0']`. Undefined for a path the text does not declare.
   */
  lineOf(path: string[]): number | undefined;
}

/** Throws a TomlParseError (see isTomlError) on invalid TOML. */
export function parseTomlDocument(text: string): TomlDocument {
  const parser = tomlParser();
  const program = parser.parseTOML(text);
  const lines = declarationLines(program.body[0]);
  return {
    value: parser.getStaticTOMLValue(program) as TomlTable,
    lineOf: (path) => lines.get(JSON.stringify(path)),
  };
}

export function parseToml(text: string): TomlTable {
  return parseTomlDocument(text).value;
}

export function isTomlError(error: unknown): error is ParseError {
  return error instanceof tomlParser().ParseError;
}

/**
 * The line a TOML error is on. An error at the end of the text (a value or bracket missing) is put on
 * the last line that has text, where the unfinished declaration is, not on the empty end.
 */
export function tomlErrorLine(text: string, error: ParseError): number {
  const end = text.trimEnd().length;
  return error.index >= end && end > 0 ? lineAt(text, end - 1) : error.lineNumber;
}

/** Every declared key path (JSON of its keys) to the line of its first declaration. */
function declarationLines(top: AST.TOMLTopLevelTable): Map<string, number> {
  const lines = new Map<string, number>();
  const record = (path: string[], node: AST.TOMLNode): void => {
    const key = JSON.stringify(path);
    if (!lines.has(key)) lines.set(key, node.loc.start.line);
  };
  const keyValues = (prefix: string[], body: AST.TOMLKeyValue[]): void => {
    for (const keyValue of body) {
      const path = [...prefix, ...keyValue.key.keys.map(keyName)];
      record(path, keyValue);
      content(path, keyValue.value);
    }
  };
  const content = (path: string[], node: AST.TOMLContentNode): void => {
    if (node.type === 'TOMLInlineTable') keyValues(path, node.body);
    if (node.type === 'TOMLArray') {
      node.elements.forEach((element, index) => {
        record([...path, String(index)], element);
        content([...path, String(index)], element);
      });
    }
  };
  for (const node of top.body) {
    if (node.type === 'TOMLKeyValue') {
      keyValues([], [node]);
    } else {
      const path = node.resolvedKey.map(String);
      record(path, node);
      keyValues(path, node.body);
    }
  }
  return lines;
}

function keyName(key: AST.TOMLBare | AST.TOMLQuoted): string {
  return key.type === 'TOMLBare' ? key.name : key.value;
}
