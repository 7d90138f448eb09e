import { describe, expect, it } from 'vitest';
import {
  fillTagScheme,
  latestTag,
  matchRepositoryTag,
  matchTag,
  parseTagScheme,
  tagConflicts,
  tagSchemeTemplate,
  variantTemplate,
  type SchemeImage,
} from './tag-scheme';

const PLAIN: SchemeImage = { scheme: { before: '', after: '' }, version: '1.2.0' };
const CUDA: SchemeImage = { scheme: { before: 'cuda-', after: '' }, version: '1.2.0' };
const JAMMY_AMD64: SchemeImage = { scheme: { before: '', after: '-jammy-amd64' }, version: '8.0' };

describe('tagSchemeTemplate and variantTemplate', () => {
  it('reads an option without placeholders as a prefix before the version', () => {
    expect(tagSchemeTemplate('cuda-')).toBe('cuda-{version}');
    expect(tagSchemeTemplate('{version}-{OS}-{ARCH}')).toBe('{version}-{OS}-{ARCH}');
  });

  it("puts a variant directory's name before the version of the outer image's template", () => {
    expect(variantTemplate('{version}', 'cuda')).toBe('cuda-{version}');
    expect(variantTemplate('cuda-{version}', '12')).toBe('cuda-12-{version}');
    expect(variantTemplate('{version}-{OS}', 'slim')).toBe('slim-{version}-{OS}');
  });
});

describe('fillTagScheme', () => {
  it('fills build-arg placeholders and splits the scheme around the version', () => {
    expect(fillTagScheme('{version}-{OS}-{ARCH}', { OS: 'jammy', ARCH: 'amd64' })).toEqual({
      scheme: { before: '', after: '-jammy-amd64' },
      filled: '{version}-jammy-amd64',
    });
    expect(fillTagScheme('cuda-{version}', {})).toEqual({ scheme: { before: 'cuda-', after: '' }, filled: 'cuda-{version}' });
    expect(parseTagScheme('{version}-jammy-amd64')).toEqual({ before: '', after: '-jammy-amd64' });
    expect(parseTagScheme(undefined)).toEqual({ before: '', after: '' });
  });

  it('names what to fix: an unset build arg, a missing or repeated {version}, a tag that would be invalid', () => {
    expect(fillTagScheme('{version}-{OS}', { OS: '' })).toEqual({
      problem: expect.stringMatching(/names \{OS\}, which neither the buildArgs option nor a global ARG default/),
    });
    expect(fillTagScheme('cuda', {})).toEqual({ problem: expect.stringMatching(/must contain \{version\} exactly once/) });
    expect(fillTagScheme('{version}-{version}', {})).toEqual({ problem: expect.stringMatching(/exactly once/) });
    expect(fillTagScheme('{version}-{PLATFORM}', { PLATFORM: 'linux/amd64' })).toEqual({
      problem: expect.stringMatching(/gives tags like "1.0.0-linux\/amd64", which is not a valid tag/),
    });
  });
});

describe('latestTag', () => {
  it('is the tag without the version and the separator next to it; latest for the default scheme', () => {
    expect(latestTag(CUDA.scheme)).toBe('cuda');
    expect(latestTag(JAMMY_AMD64.scheme)).toBe('jammy-amd64');
    expect(latestTag({ before: 'jammy-', after: '-amd64' })).toBe('jammy-amd64');
    expect(latestTag(PLAIN.scheme)).toBe('latest');
  });
});

describe('matchTag', () => {
  it("makes a prefix scheme's version and latest equivalents current, other tags of its shape releases", () => {
    for (const tag of ['cuda-1.2.0', 'cuda', 'cuda-latest']) expect(matchTag(tag, CUDA), tag).toBe('current');
    expect(matchTag('cuda-1.1.0', CUDA)).toBe('release');
    expect(matchTag('1.2.0', CUDA)).toBeUndefined();
    expect(matchTag('', CUDA)).toBeUndefined();
  });

  it('does the same for a template around the version', () => {
    for (const tag of ['8.0-jammy-amd64', 'jammy-amd64', 'latest-jammy-amd64']) expect(matchTag(tag, JAMMY_AMD64), tag).toBe('current');
    expect(matchTag('7.0-jammy-amd64', JAMMY_AMD64)).toBe('release');
    expect(matchTag('8.0-jammy-arm64', JAMMY_AMD64)).toBeUndefined();
  });

  it('keeps the default scheme as it was: no tag, latest or the version current, any other tag a release', () => {
    for (const tag of ['', 'latest', '1.2.0']) expect(matchTag(tag, PLAIN), tag).toBe('current');
    expect(matchTag('1.1.0', PLAIN)).toBe('release');
    expect(matchTag('1.1.0', { scheme: PLAIN.scheme })).toBe('release');
  });
});

describe('matchRepositoryTag: a repository shared by three variants', () => {
  const base = { name: 'x', ...PLAIN };
  const cuda = { name: 'x-cuda', ...CUDA };
  const cuda12 = { name: 'x-cuda-12', scheme: { before: 'cuda-12-', after: '' }, version: '2.0.0' };
  const images = [base, cuda, cuda12];
  const named = (tag: string) => {
    const found = matchRepositoryTag(tag, images);
    return found && `${found.image.name} ${found.match}`;
  };

  it('finds the image a tag tracks', () => {
    expect(named('')).toBe('x current');
    expect(named('latest')).toBe('x current');
    expect(named('cuda')).toBe('x-cuda current');
    expect(named('cuda-1.2.0')).toBe('x-cuda current');
    expect(named('cuda-12')).toBe('x-cuda-12 current');
    expect(named('cuda-12-2.0.0')).toBe('x-cuda-12 current');
  });

  it('gives a release to the scheme that fits it most closely', () => {
    expect(named('1.0.0')).toBe('x release');
    expect(named('cuda-1.1.0')).toBe('x-cuda release');
    expect(named('cuda-12-1.9.0')).toBe('x-cuda-12 release');
  });

  it('finds nothing when no scheme fits', () => {
    expect(matchRepositoryTag('8.0-focal-amd64', [JAMMY_AMD64, { scheme: { before: '', after: '-jammy-arm64' }, version: '8.0' }])).toBeUndefined();
  });
});

describe('tagConflicts', () => {
  it('finds none among images told apart by their schemes', () => {
    expect(tagConflicts([PLAIN, CUDA, JAMMY_AMD64, { scheme: { before: '', after: '-jammy-arm64' }, version: '8.0' }])).toEqual([]);
  });

  it("groups images that claim the same tags: the same scheme, or one's version tag another's latest", () => {
    const twin = { scheme: { before: 'cuda-', after: '' }, version: '0.9.0' };
    const third = { scheme: { before: 'cuda-', after: '' } };
    expect(tagConflicts([PLAIN, CUDA, twin, JAMMY_AMD64, third])).toEqual([[CUDA, twin, third]]);
    const versionIsLatest = { scheme: { before: '', after: '' }, version: 'cuda' };
    expect(tagConflicts([versionIsLatest, CUDA])).toEqual([[versionIsLatest, CUDA]]);
  });
});
