export type { FoundUses, InternalLibrary, LibraryProblem, LibraryUse, LibraryUseSource, Match, SourceFile } from './types';
export { findLibraryUses, scannerFor } from './uses';
export { matchLibraryUse } from './version-match';
export { readLibraryVersion, type LibraryVersion } from './library-version';
export { argNameOf, defaultArgName, normalizePythonName, samePythonName } from './names';
