import type { InternalLibrary, LibraryUse } from './types';

/**
 * Everything {@link matchLibraryUse} reads of a use and a library, as one
 * string: answers are kept under it, within a command and across commands,
 * because the images of a workspace ask for a library with a few specs over
 * and over and range checks are the slowest part of matching.
 */
export function useMatchKey(use: LibraryUse, library: InternalLibrary): string {
  return JSON.stringify([
    library.project,
    library.version,
    library.npmName ?? null,
    library.pythonName ?? null,
    use.library,
    use.source,
    use.dialect ?? null,
    use.spec,
  ]);
}
