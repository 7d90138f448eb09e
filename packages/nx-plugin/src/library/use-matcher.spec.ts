import { describe, expect, it } from 'vitest';
import type { InternalLibrary, LibraryUse } from './types';
import { libraryUseMatcher } from './use-matcher';
import { matchLibraryUse } from './version-match';

const npm: InternalLibrary = { project: 'common', version: '1.5.0', npmName: '@acme/common' };
const older: InternalLibrary = { project: 'legacy', version: '1.3.0', npmName: '@acme/legacy' };
const python: InternalLibrary = { project: 'common-py', version: '1.2.0', pythonName: 'acme-common' };

const use = (library: string, source: LibraryUse['source'], spec: string, dialect?: 'poetry'): LibraryUse => ({
  library,
  file: 'services/a/x',
  line: 1,
  source,
  spec,
  ...(dialect ? { dialect } : {}),
});

describe('libraryUseMatcher', () => {
  it('answers as matchLibraryUse does, asked again or for another library with the same spec', () => {
    const questions: [LibraryUse, InternalLibrary][] = [
      [use('common', 'package.json', '^1.4.0'), npm],
      [use('legacy', 'package.json', '^1.4.0'), older],
      [use('common', 'package.json', '^1.4.0'), npm],
      [use('common', 'dockerfile-arg', '^1.4.0'), npm],
      [use('common', 'package.json', '^2.0.0'), npm],
      [use('common', 'package.json', '^1.4.0'), older],
      [use('common-py', 'pyproject.toml', '^1.0'), python],
      [use('common-py', 'pyproject.toml', '^1.0', 'poetry'), python],
      [use('common-py', 'requirements.txt', '>=1.0,<2'), python],
    ];
    const match = libraryUseMatcher();
    for (const [asked, library] of [...questions, ...questions]) {
      expect(match(asked, library)).toEqual(matchLibraryUse(asked, library));
    }
  });
});
