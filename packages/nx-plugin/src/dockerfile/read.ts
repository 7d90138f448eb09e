import { readWithDockerfileAst } from './ast-reader';
import type { ParsedDockerfile } from './instruction';

/** A Dockerfile's instructions, read once with dockerfile-ast into plain data. */
export function readDockerfile(text: string): ParsedDockerfile {
  return readWithDockerfileAst(text);
}
