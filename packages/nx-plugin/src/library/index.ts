export type { FoundUses, InternalLibrary, LibraryProblem, LibraryUse, LibraryUseSource, Match, SourceFile } from './types';
export { findLibraryUses, libraryUseFinder, scannerFor } from './uses';
export { matchLibraryUse } from './version-match';
export { useMatchKey } from './use-matcher';
export { readLibraryVersion, type LibraryVersion } from './library-version';
export { argNameOf, defaultArgName, normalizePythonName, samePythonName } from './names';
