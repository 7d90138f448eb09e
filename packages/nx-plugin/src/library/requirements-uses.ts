import { basename } from 'node:path';
import { libraryByPythonName } from './names';
import { parseRequirement } from './pep508';
import type { FoundUses, InternalLibrary, SourceFile } from './types';

/*
 * pip's file format (continuations, comments, option lines) by hand: the one
 * npm parser of it, pip-requirements-js, refuses a whole file over one line
 * it does not know (`-e`, `-i`, `--hash=…`) and gives no name for a bad line.
 * See pep508.ts for the candidates checked.
 */

/** `requirements.txt`, `requirements-dev.txt`, `requirements.prod.txt`… */
export function isRequirementsFile(path: string): boolean {
  return /^requirements.*\.txt$/i.test(basename(path));
}

/**
 * Uses of the internal libraries' Python distributions in a pip requirements file. Follows pip's reading:
 * a trailing backslash joins the next line, `#` at the start or after whitespace starts a comment, option
 * lines (`-r`, `-c`, `-e`, `-i`, `--hash`…) are skipped, and per-requirement options (`--hash=…`) are dropped.
 * Environment markers are not evaluated: a requirement counts whatever its marker says.
 */
export function requirementsUses(file: SourceFile, libraries: InternalLibrary[]): FoundUses {
  const found: FoundUses = { uses: [], problems: [] };
  const lines = file.text.split('\n').map((line) => line.replace(/\r$/, ''));
  for (let index = 0; index < lines.length; index += 1) {
    const firstLine = index + 1;
    let logical = lines[index];
    while (logical.endsWith('\\') && !/^\s*#/.test(logical) && index + 1 < lines.length) {
      index += 1;
      logical = logical.slice(0, -1) + lines[index];
    }
    const content = logical.replace(/(^|\s+)#.*$/, '').trim();
    if (content === '' || content.startsWith('-')) continue;
    const requirementText = content.replace(/\s+--[A-Za-z][\s\S]*$/, '');
    const parsed = parseRequirement(requirementText);
    if ('error' in parsed) {
      if (parsed.name && libraryByPythonName(libraries, parsed.name)) {
        found.problems.push({ file: file.path, line: firstLine, message: parsed.error });
      }
      continue;
    }
    const library = libraryByPythonName(libraries, parsed.requirement.name);
    if (!library) continue;
    found.uses.push({
      library: library.project,
      file: file.path,
      line: firstLine,
      source: 'requirements.txt',
      spec: parsed.requirement.spec,
    });
  }
  return found;
}
