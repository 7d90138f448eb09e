import {
  DockerfileParser,
  type Copy,
  type Instruction as AstInstruction,
  type Onbuild,
  type Run,
  type ModifiableInstruction,
  type PropertyInstruction,
} from 'dockerfile-ast';
import { FLAGGED_KEYWORDS, PROPERTY_KEYWORDS, type Instruction, type ParsedDockerfile } from './instruction';

/**
 * Reads any Dockerfile with dockerfile-ast: escape directives, continuations,
 * comments inside them, heredocs, quotes. Each instruction is converted once;
 * the analysis then reads plain data instead of calling the AST's getters,
 * which re-scan the instruction's text on every call.
 */
export function readDockerfile(text: string): ParsedDockerfile {
  const dockerfile = DockerfileParser.parse(text);
  return {
    escapeChar: dockerfile.getEscapeCharacter(),
    directives: dockerfile.getDirectives().map((directive) => ({
      name: directive.getName().toLowerCase(),
      value: directive.getValue(),
      line: directive.getRange().start.line + 1,
    })),
    instructions: convert(dockerfile.getInstructions()),
  };
}

function* convert(instructions: Iterable<AstInstruction>): Generator<Instruction> {
  for (const instruction of instructions) yield convertOne(instruction);
}

function convertOne(instruction: AstInstruction): Instruction {
  const keyword = instruction.getKeyword();
  const read: Instruction = { keyword, line: instruction.getRange().start.line + 1, flags: [], args: [], properties: [] };
  if (FLAGGED_KEYWORDS.has(keyword)) {
    const modifiable = instruction as ModifiableInstruction;
    read.flags = modifiable.getFlags().map((flag) => ({ name: flag.getName(), value: flag.getValue() }));
    if (keyword === 'FROM') read.args = modifiable.getArguments().map((argument) => argument.getValue());
    // Only where a here-document can start: asking the AST re-scans the instruction.
    if ((keyword === 'RUN' || keyword === 'COPY') && instruction.getTextContent().includes('<<')) {
      const unclosed = (instruction as Run | Copy).getHeredocs().filter((heredoc) => heredoc.getDelimiterRange() === null);
      if (unclosed.length > 0) read.unclosedHeredocs = unclosed.map((heredoc) => heredoc.getName());
    }
  } else if (PROPERTY_KEYWORDS.has(keyword)) {
    read.properties = (instruction as PropertyInstruction).getProperties().map((property) => ({
      name: property.getName(),
      raw: property.getUnescapedValue(),
      value: property.getValue(),
      assigned: property.getAssignmentOperator() !== null,
      line: property.getNameRange().start.line + 1,
    }));
  }
  if (keyword === 'ONBUILD') {
    const trigger = (instruction as Onbuild).getTriggerInstruction();
    if (trigger) read.trigger = convertOne(trigger);
  }
  return read;
}
