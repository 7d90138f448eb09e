import { basename } from 'node:path';
import { readDockerfile } from '../dockerfile/ast-reader';
import { classifyArgValue } from './docker-arg-value';
import { argNameOf } from './names';
import type { FoundUses, InternalLibrary, SourceFile } from './types';

/** `Dockerfile`, `Containerfile`, `Dockerfile.prod`, `api.Dockerfile`, `dev.dockerfile`… */
export function isDockerfile(path: string): boolean {
  return /(?:^|\.)(?:docker|container)file(?:\.|$)/i.test(basename(path));
}

/**
 * Uses of the internal libraries through their version ARG: every `ARG <argName>=<value>` declaration,
 * in any stage or before the first FROM, with quotes, escapes and line continuations read the way Docker
 * reads them (../dockerfile/read). An ARG without a default value (`ARG COMMON_VERSION`, `ARG COMMON_VERSION=`)
 * asks for nothing and is not a use.
 */
export function dockerfileUses(file: SourceFile, libraries: InternalLibrary[]): FoundUses {
  const found: FoundUses = { uses: [], problems: [] };
  const byArgName = new Map<string, InternalLibrary[]>();
  for (const library of libraries) {
    const argName = argNameOf(library);
    byArgName.set(argName, [...(byArgName.get(argName) ?? []), library]);
  }
  for (const instruction of readDockerfile(file.text).instructions) {
    if (instruction.keyword !== 'ARG') continue;
    for (const { name: argName, value, line } of instruction.properties) {
      const argLibraries = byArgName.get(argName);
      if (!argLibraries || value === null || value.trim() === '') continue;
      const classified = classifyArgValue(argName, value);
      if (classified.kind === 'invalid') {
        found.problems.push({ file: file.path, line, message: classified.message });
        continue;
      }
      for (const library of argLibraries) {
        found.uses.push({ library: library.project, file: file.path, line, source: 'dockerfile-arg', spec: value, section: 'ARG' });
      }
    }
  }
  return found;
}
