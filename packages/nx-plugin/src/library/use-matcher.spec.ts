import { describe, expect, it } from 'vitest';
import type { InternalLibrary, LibraryUse } from './types';
import { useMatchKey } from './use-matcher';
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

describe('useMatchKey', () => {
  it('gives two questions one key only where matchLibraryUse must answer them alike', () => {
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
    const keys = questions.map(([asked, library]) => useMatchKey(asked, library));
    // The same question asked twice (rows 0 and 2) shares a key; every other differs.
    expect(keys[2]).toBe(keys[0]);
    expect(new Set(keys).size).toBe(questions.length - 1);
    // A key names one answer: the question's, whatever else was asked before.
    const answers = new Map<string, unknown>();
    for (const [asked, library] of [...questions, ...questions]) {
      const key = useMatchKey(asked, library);
      if (!answers.has(key)) answers.set(key, matchLibraryUse(asked, library));
      expect(answers.get(key)).toEqual(matchLibraryUse(asked, library));
    }
    // Another version of the library is another question.
    expect(useMatchKey(questions[0][0], { ...npm, version: '1.6.0' })).not.toBe(keys[0]);
  });
});
