/**
 * Variable substitution in one Dockerfile word, following the rules of BuildKit's
 * shell lexer (the one it applies to FROM, ARG and ENV values).
 *
 * Hand-written because dockerfile-ast stops short of it: `Instruction.getVariables()`
 * only locates `$VAR` / `${VAR...}` and `Dockerfile.resolveVariable()` looks values up
 * in the file's own ARG/ENV lines. Neither expands a word, applies build-arg overrides
 * or BuildKit's scoping, evaluates the `${VAR:-x}` family of modifiers, nor removes
 * quotes and escape characters, which all decide what image a FROM line names.
 *
 * Rules implemented (BuildKit semantics):
 * - `$NAME`, `${NAME}`; a `$` not followed by a name stays a literal `$`.
 * - `${NAME-word}` / `${NAME:-word}`: word when unset (`:` also when empty).
 * - `${NAME+word}` / `${NAME:+word}`: word when set (`:` also requires non-empty), else "".
 * - `${NAME?msg}` / `${NAME:?msg}`: an error when unset (`:` also when empty).
 * - `${NAME#glob}` `${NAME##glob}` `${NAME%glob}` `${NAME%%glob}`: strip the shortest or
 *   longest matching prefix or suffix; `${NAME/glob/repl}` and `${NAME//glob/repl}`.
 * - Single quotes keep everything literal; double quotes still expand `$`, and the
 *   escape character there only escapes `"`, `$` and itself.
 * - The escape character (`\` or the one set by `# escape=`) makes the next character
 *   literal outside quotes.
 *
 * A variable that has no value is not silently replaced by "" (BuildKit would): the
 * result reports it so that callers can explain what is missing.
 *
 * BuildKit's own expansion test vectors are checked in ./substitute.conformance.spec.ts.
 */
import { replaceGlob, trimGlob } from './glob';

/** Marks a variable that is set at build time but whose value cannot be known here. */
export const UNKNOWN_VALUE: unique symbol = Symbol('unknown value');

/** A variable's value: a string, {@link UNKNOWN_VALUE}, or undefined when it has no value. */
export type VariableValue = string | typeof UNKNOWN_VALUE | undefined;

export type VariableLookup = (name: string) => VariableValue;

export interface SubstituteOptions {
  /** The Dockerfile's escape character: `\` (default) or a backtick. */
  escapeChar?: string;
  /** Whether quotes are syntax (default) or ordinary characters. */
  processQuotes?: boolean;
}

export interface Substitution {
  /** The expanded word; undefined when a needed variable has no value, is unknown, or on error. */
  value?: string;
  /** Every variable name the word refers to. */
  used: string[];
  /** Needed variables that have no value. */
  unset: string[];
  /** Needed variables whose value is {@link UNKNOWN_VALUE}. */
  unknown: string[];
  /** Why the word could not be expanded at all (bad syntax, or a `${NAME?message}` that fired). */
  error?: string;
}

/** Expands the variables in `word`, looking their values up with `lookup`. Never throws. */
export function substitute(word: string, lookup: VariableLookup, options: SubstituteOptions = {}): Substitution {
  const lexer = new WordLexer(word, lookup, options.escapeChar === '`' ? '`' : '\\', options.processQuotes ?? true);
  try {
    const piece = lexer.readUntil(undefined, false);
    const resolved = piece.unset.length === 0 && piece.unknown.length === 0;
    return {
      value: resolved ? piece.text : undefined,
      used: [...lexer.used],
      unset: piece.unset,
      unknown: piece.unknown,
    };
  } catch (error) {
    const message = error instanceof SubstitutionError ? error.message : `cannot expand the value (${String(error)})`;
    return { used: [...lexer.used], unset: [], unknown: [], error: message };
  }
}

class SubstitutionError extends Error {}

/** Expanded text plus the variables that kept it from being fully known. */
interface Piece {
  text: string;
  unset: string[];
  unknown: string[];
}

function piece(text: string, unset: string[] = [], unknown: string[] = []): Piece {
  return { text, unset, unknown };
}

function append(target: Piece, addition: Piece): void {
  target.text += addition.text;
  for (const name of addition.unset) if (!target.unset.includes(name)) target.unset.push(name);
  for (const name of addition.unknown) if (!target.unknown.includes(name)) target.unknown.push(name);
}

function merged(...pieces: Piece[]): Piece {
  const result = piece('');
  for (const p of pieces) append(result, p);
  return result;
}

/** The piece for a variable without a known value: it goes in `unset` or `unknown`. */
function missing(name: string, value: undefined | typeof UNKNOWN_VALUE): Piece {
  return value === undefined ? piece('', [name]) : piece('', [], [name]);
}

const SPECIAL_PARAMETERS = '@*#?-$!';

class WordLexer {
  private pos = 0;
  readonly used = new Set<string>();

  constructor(
    private readonly src: string,
    private readonly lookup: VariableLookup,
    private readonly escape: string,
    private readonly quotes: boolean,
  ) {}

  /**
   * Reads up to `stop` (consumed) or the end of the word. `rawEscapes` keeps escape
   * characters in the output, as BuildKit does for glob patterns.
   */
  readUntil(stop: string | undefined, rawEscapes: boolean): Piece {
    const out = piece('');
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos];
      if (stop !== undefined && ch === stop) {
        this.pos++;
        return out;
      }
      if (ch === '$') {
        append(out, this.dollar());
      } else if (this.quotes && ch === "'") {
        out.text += this.singleQuoted();
      } else if (this.quotes && ch === '"') {
        append(out, this.doubleQuoted(rawEscapes));
      } else {
        this.pos++;
        if (ch === this.escape) {
          if (rawEscapes) out.text += ch;
          if (this.pos >= this.src.length) break; // a trailing escape character is dropped
          out.text += this.src[this.pos++];
        } else {
          out.text += ch;
        }
      }
    }
    if (stop !== undefined) throw new SubstitutionError(`missing "${stop}"`);
    return out;
  }

  private singleQuoted(): string {
    const end = this.src.indexOf("'", this.pos + 1);
    if (end < 0) throw new SubstitutionError('unterminated single quote');
    const text = this.src.slice(this.pos + 1, end);
    this.pos = end + 1;
    return text;
  }

  private doubleQuoted(rawEscapes: boolean): Piece {
    const out = piece('');
    this.pos++; // opening quote
    for (;;) {
      if (this.pos >= this.src.length) throw new SubstitutionError('unterminated double quote');
      const ch = this.src[this.pos];
      if (ch === '"') {
        this.pos++;
        return out;
      }
      if (ch === '$') {
        append(out, this.dollar());
        continue;
      }
      this.pos++;
      if (ch !== this.escape) {
        out.text += ch;
        continue;
      }
      if (this.pos >= this.src.length) continue; // reported as unterminated on the next turn
      const next = this.src[this.pos];
      if (next === '"' || next === '$' || next === this.escape) {
        if (rawEscapes) out.text += ch;
        out.text += next;
        this.pos++;
      } else {
        out.text += ch; // elsewhere inside double quotes the escape character is literal
      }
    }
  }

  private dollar(): Piece {
    this.pos++; // '$'
    if (this.src[this.pos] !== '{') {
      const name = this.readName();
      return name === '' ? piece('$') : this.plain(name);
    }
    this.pos++; // '{'
    const first = this.src[this.pos];
    if (first === undefined) throw new SubstitutionError('missing "}"');
    if (first === '{' || first === '}' || first === ':') {
      throw new SubstitutionError('bad substitution');
    }
    const name = this.readName();
    let op = this.src[this.pos++];
    if (op === undefined) throw new SubstitutionError('missing "}"');
    if (op === '}') return this.plain(name);

    const colon = op === ':';
    if (colon) {
      op = this.src[this.pos++];
      if (op === undefined) throw new SubstitutionError('missing "}"');
    }
    switch (op) {
      case '-':
      case '+':
      case '?':
        return this.defaulting(name, op, colon, this.readUntil('}', false));
      case '#':
      case '%':
        return this.trimming(name, op, this.readUntil('}', true));
      case '/':
        if (!colon) return this.replacing(name);
        break;
    }
    throw new SubstitutionError(`unsupported modifier "${colon ? ':' : ''}${op}" in \${${name}…}`);
  }

  /** A name: letters, digits and `_`; or a run of digits; or one special parameter. */
  private readName(): string {
    const start = this.pos;
    const first = this.src[this.pos];
    if (first === undefined) return '';
    if (/^\p{Nd}$/u.test(first)) {
      while (this.pos < this.src.length && /^\p{Nd}$/u.test(this.src[this.pos])) this.pos++;
      return this.src.slice(start, this.pos);
    }
    if (SPECIAL_PARAMETERS.includes(first)) {
      this.pos++;
      return first;
    }
    while (this.pos < this.src.length && /^[\p{L}\p{Nd}_]$/u.test(this.src[this.pos])) this.pos++;
    return this.src.slice(start, this.pos);
  }

  private get(name: string): VariableValue {
    this.used.add(name);
    return this.lookup(name);
  }

  private plain(name: string): Piece {
    const value = this.get(name);
    return typeof value === 'string' ? piece(value) : missing(name, value);
  }

  private defaulting(name: string, op: '-' | '+' | '?', colon: boolean, word: Piece): Piece {
    const value = this.get(name);
    if (value === UNKNOWN_VALUE) return piece('', [], [name]);
    const isSet = value !== undefined;
    const counts = isSet && !(colon && value === '');
    if (op === '-') return counts ? piece(value) : word;
    if (op === '+') return counts ? word : piece('');
    if (counts) return piece(value);
    const reason = isSet ? 'is not allowed to be empty' : 'is not allowed to be unset';
    throw new SubstitutionError(`${name}: ${word.text !== '' ? word.text : reason}`);
  }

  private trimming(name: string, op: '#' | '%', word: Piece): Piece {
    const value = this.get(name);
    if (typeof value !== 'string') return merged(missing(name, value), word);
    const longest = word.text.startsWith(op);
    const text = trimGlob(value, longest ? word.text.slice(1) : word.text, op, longest);
    return merged(piece(text), { ...word, text: '' });
  }

  private replacing(name: string): Piece {
    const all = this.src[this.pos] === '/';
    if (all) this.pos++;
    const pattern = this.readUntil('/', true);
    const replacement = this.readUntil('}', true);
    const value = this.get(name);
    const rest = merged({ ...pattern, text: '' }, { ...replacement, text: '' });
    if (typeof value !== 'string') return merged(missing(name, value), rest);
    return merged(piece(replaceGlob(value, pattern.text, replacement.text, all)), rest);
  }
}
