import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchLibraryUse, type InternalLibrary, type LibraryUse } from '../../library';
import { npmRangeFor, pep440RangeFor, syncedSpec } from './library-ranges';
import { npmTarballName, pythonWheelPattern } from './pack-names';

const npmLibrary = (version: string): InternalLibrary => ({ project: 'common', version, npmName: '@imagewise/common' });
const pyLibrary = (version: string): InternalLibrary => ({ project: 'common-py', version, pythonName: 'imagewise-common' });
const use = (source: LibraryUse['source'], spec: string, extra: Partial<LibraryUse> = {}): LibraryUse => ({
  // The Python sources belong to the Python flavour; package.json and the ARG tests to the npm one.
  library: source === 'requirements.txt' || source === 'pyproject.toml' ? 'common-py' : 'common',
  file: 'f',
  line: 1,
  source,
  spec,
  ...extra,
});

describe('ranges for new services', () => {
  it('npm: a caret range on the current version', () => {
    expect(npmRangeFor('1.5.0')).toBe('^1.5.0');
  });

  it('PEP 440: this minor or later within the major; a pre-release is its own lower bound', () => {
    expect(pep440RangeFor('1.5.0')).toBe('>=1.5,<2');
    expect(pep440RangeFor('0.3.1')).toBe('>=0.3,<1');
    expect(pep440RangeFor('2')).toBe('>=2.0,<3');
    expect(pep440RangeFor('1.6.0rc1')).toBe('>=1.6.0rc1,<2');
    expect(() => pep440RangeFor('not-a-version')).toThrow(/not a PEP 440 version/);
  });

  it('the current version satisfies them, for any release or pre-release', () => {
    const version = fc
      .tuple(fc.nat(30), fc.nat(30), fc.nat(30), fc.option(fc.nat(5), { nil: undefined }))
      .map(([a, b, c, rc]) => ({ semver: `${a}.${b}.${c}${rc === undefined ? '' : `-rc.${rc}`}`, pep: `${a}.${b}.${c}${rc === undefined ? '' : `rc${rc}`}` }));
    fc.assert(
      fc.property(version, ({ semver, pep }) => {
        expect(matchLibraryUse(use('package.json', npmRangeFor(semver)), npmLibrary(semver))).toEqual({ tracksWorkspace: true });
        expect(matchLibraryUse(use('requirements.txt', pep440RangeFor(pep)), pyLibrary(pep))).toEqual({ tracksWorkspace: true });
      }),
    );
  });
});

describe("syncedSpec: a spec the current version satisfies, in the use's own style", () => {
  it.each([
    ['package.json', '^1.2.0', '^2.0.0'],
    ['package.json', '~1.2.0', '~2.0.0'],
    ['package.json', '1.2.0', '2.0.0'],
    ['package.json', '>=1.0.0 <2.0.0', '^2.0.0'],
    ['package.json', 'npm:@imagewise/common@^1.2.0', 'npm:@imagewise/common@^2.0.0'],
    ['dockerfile-arg', '1.5.0', '2.0.0'],
    ['dockerfile-arg', '^1.5.0', '^2.0.0'],
  ] as const)('%s "%s" → "%s"', (source, spec, expected) => {
    expect(syncedSpec(use(source, spec), npmLibrary('2.0.0'))).toBe(expected);
  });

  it.each([
    ['requirements.txt', '==1.2.0', undefined, '==2.0.0'],
    ['requirements.txt', '>=1.2,<2', undefined, '>=2.0,<3'],
    ['requirements.txt', '~=1.2', undefined, '>=2.0,<3'],
    ['pyproject.toml', '>=1.2,<2', undefined, '>=2.0,<3'],
    ['pyproject.toml', '^1.2', 'poetry', '^2.0.0'],
    ['pyproject.toml', '1.2.0', 'poetry', '2.0.0'],
  ] as const)('%s "%s" (%s) → "%s"', (source, spec, dialect, expected) => {
    expect(syncedSpec(use(source, spec, dialect ? { dialect } : {}), pyLibrary('2.0.0'))).toBe(expected);
  });

  it('has nothing for what is no version: a dist-tag, a git URL, a URL requirement, a Poetry path table', () => {
    expect(syncedSpec(use('package.json', 'legacy'), npmLibrary('2.0.0'))).toBeUndefined();
    expect(syncedSpec(use('package.json', 'github:acme/common#v1'), npmLibrary('2.0.0'))).toBeUndefined();
    expect(syncedSpec(use('requirements.txt', '@ https://example.com/c.tar.gz'), pyLibrary('2.0.0'))).toBeUndefined();
    expect(syncedSpec(use('pyproject.toml', '{ git = "https://x" }', { dialect: 'poetry' }), pyLibrary('2.0.0'))).toBeUndefined();
  });
});

describe('packed archive names, as npm pack and Python sdists name them', () => {
  it("npm drops the scope's @ and joins it with a dash; a Python wheel has the normalised name with underscores", () => {
    expect(npmTarballName('@imagewise/common', '${COMMON_VERSION}')).toBe('imagewise-common-${COMMON_VERSION}.tgz');
    expect(npmTarballName('left-pad', '1.3.0')).toBe('left-pad-1.3.0.tgz');
    expect(pythonWheelPattern('Imagewise.Common', '1.5.0')).toBe('imagewise_common-1.5.0-*.whl');
  });
});
