/**
 * A Dockerfile's instructions as plain data: what the analysis and the library
 * scan read of dockerfile-ast's API, filled in once by ./ast-reader.
 */

export interface Instruction {
  /** Upper-cased, as dockerfile-ast's getKeyword() gives it; may be an unknown word. */
  keyword: string;
  /** 1-based line of the keyword. */
  line: number;
  /** FROM, COPY, ADD and RUN: their flags (getFlags()). Empty for other keywords. */
  flags: readonly InstructionFlag[];
  /** FROM: the arguments after the flags (getArguments()). Empty for other keywords. */
  args: readonly string[];
  /** ARG and ENV: their declarations (getProperties()). Empty for other keywords. */
  properties: readonly InstructionProperty[];
  /** ONBUILD: the instruction it defers, read like any other (its line is the ONBUILD's). */
  trigger?: Instruction;
  /** RUN and COPY: names of here-documents with no closing line; they run to the end of the file. */
  unclosedHeredocs?: readonly string[];
}

export interface InstructionFlag {
  name: string;
  /** As written; null when the flag has no `=`. */
  value: string | null;
}

export interface InstructionProperty {
  name: string;
  /** With quotes and escape characters (getUnescapedValue()); null without a value. */
  raw: string | null;
  /** Quotes and escape characters removed (getValue()); null without a value. */
  value: string | null;
  /** Whether `=` joins name and value (getAssignmentOperator()). */
  assigned: boolean;
  /** 1-based line of the name. */
  line: number;
}

export interface ParserDirective {
  name: string;
  value: string;
  /** 1-based. */
  line: number;
}

export interface ParsedDockerfile {
  /** `\` or the one the escape directive sets. */
  escapeChar: string;
  /** Parser directives at the top of the file (`# escape=…`), names lowercased. */
  directives: readonly ParserDirective[];
  /** In file order; read lazily, so a reader error surfaces at the instruction that causes it. */
  instructions: Iterable<Instruction>;
}

/** The Dockerfile instructions: dockerfile-ast's Keyword values. */
export const KEYWORDS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

/** Keywords whose flags, arguments or declarations the readers fill in. */
export const FLAGGED_KEYWORDS = new Set(['FROM', 'COPY', 'ADD', 'RUN']);
export const PROPERTY_KEYWORDS = new Set(['ARG', 'ENV']);
