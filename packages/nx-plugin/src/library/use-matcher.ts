import type { InternalLibrary, LibraryUse, Match } from './types';
import { matchLibraryUse } from './version-match';

/**
 * {@link matchLibraryUse} that answers each distinct question once. The images
 * of a workspace ask for a library with a few specs over and over, and range
 * checks are the slowest part of matching. For one set of libraries: the
 * answer also depends on each library's version.
 */
export function libraryUseMatcher(): (use: LibraryUse, library: InternalLibrary) => Match {
  const answers = new Map<string, Match>();
  return (use, library) => {
    // Everything matchLibraryUse reads of the use; the library is known by its project.
    const key = JSON.stringify([library.project, use.library, use.source, use.dialect ?? null, use.spec]);
    let answer = answers.get(key);
    if (answer === undefined) {
      answer = matchLibraryUse(use, library);
      answers.set(key, answer);
    }
    return answer;
  };
}
