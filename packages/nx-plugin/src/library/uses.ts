import { basename } from 'node:path';
import { dockerfileUses, isDockerfile } from './dockerfile-uses';
import { argNameOf } from './names';
import { packageJsonUses } from './package-json-uses';
import { pyprojectUses } from './pyproject-uses';
import { isRequirementsFile, requirementsUses } from './requirements-uses';
import type { FoundUses, InternalLibrary, SourceFile } from './types';

type Scanner = (file: SourceFile, libraries: InternalLibrary[]) => FoundUses;

/** The scanner for a file, chosen by its name; undefined for files that cannot declare a library use. */
export function scannerFor(path: string): Scanner | undefined {
  const name = basename(path);
  if (name === 'package.json') return packageJsonUses;
  if (name === 'pyproject.toml') return pyprojectUses;
  if (isRequirementsFile(path)) return requirementsUses;
  if (isDockerfile(path)) return dockerfileUses;
  return undefined;
}

/**
 * Every place in `files` that asks for one of the internal `libraries`: package.json dependencies,
 * requirements*.txt lines, pyproject.toml dependencies and Dockerfile version ARGs. Files of other kinds
 * are ignored. Never throws: unreadable files and unreadable version requirements become problems.
 */
export function findLibraryUses(files: SourceFile[], libraries: InternalLibrary[]): FoundUses {
  return libraryUseFinder(libraries)(files);
}

/** {@link findLibraryUses} for one set of libraries, prepared once to scan many images' files. */
export function libraryUseFinder(libraries: InternalLibrary[]): (files: SourceFile[]) => FoundUses {
  const mentionsLibrary = mentionPattern(libraries);
  return (files) => scanFiles(files, libraries, mentionsLibrary);
}

function scanFiles(files: SourceFile[], libraries: InternalLibrary[], mentionsLibrary: RegExp): FoundUses {
  const found: FoundUses = { uses: [], problems: [] };
  for (const file of files) {
    const scan = scannerFor(file.path);
    // Most files never name a library: a text search spares parsing them.
    if (!scan || !mentionsLibrary.test(file.text)) continue;
    try {
      const { uses, problems } = scan(file, libraries);
      found.uses.push(...uses);
      found.problems.push(...problems);
    } catch (error) {
      found.problems.push({
        file: file.path,
        line: 1,
        message: `could not be read for internal library uses (${error instanceof Error ? error.message : String(error)}); check its syntax`,
      });
    }
  }
  return found;
}

/** Matches any text that could name one of the libraries, in any spelling a scanner accepts. */
function mentionPattern(libraries: InternalLibrary[]): RegExp {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Python names compare under PEP 503: any run of -_. is one separator, case aside.
  const python = (name: string) =>
    name
      .split(/[-_.]+/)
      .map(escape)
      .join('[-_.]+');
  const names = libraries.flatMap((library) => [
    ...(library.npmName ? [escape(library.npmName)] : []),
    ...(library.pythonName ? [python(library.pythonName)] : []),
    escape(argNameOf(library)),
  ]);
  return names.length ? new RegExp(names.join('|'), 'i') : /$^/;
}
