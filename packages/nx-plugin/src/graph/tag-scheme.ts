/**
 * Tag schemes: how images that share one repository are told apart by tag.
 * A scheme is a template around the image's version, `{version}` by default:
 * `cuda-{version}` (a prefix), `{version}-{OS}-{ARCH}` (build args filled in).
 * Once its build args are filled, a scheme is the text before and after the
 * version, and every tag the image gets is `<before><name><after>`. Pure.
 */

export const DEFAULT_TAG_SCHEME = '{version}';

/** A scheme with its build args filled in: what comes before and after the version in every tag. */
export interface TagScheme {
  before: string;
  after: string;
}

export const DEFAULT_SCHEME: TagScheme = Object.freeze({ before: '', after: '' });

const PLACEHOLDER = /\{([^{}]*)\}/g;
const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** What a tag may contain (the reference grammar less its first-character rule, which the whole tag checks). */
const TAG_CHARACTERS = /^[\w.-]*$/;
const TAG = /^\w[\w.-]{0,127}$/;

/** The `tagScheme` option as a template: a text without placeholders is a prefix (`cuda-` → `cuda-{version}`). */
export function tagSchemeTemplate(option: string): string {
  return option.includes('{') ? option : `${option}{version}`;
}

/**
 * The scheme of a variant directory (`images/x/cuda` beside `images/x`): the
 * parent's template with the directory's name before the version, so
 * `{version}` becomes `cuda-{version}` and `{version}-{OS}` becomes `cuda-{version}-{OS}`.
 */
export function variantTemplate(parentTemplate: string, directory: string): string {
  return parentTemplate.replace('{version}', `${directory}-{version}`);
}

/**
 * Fills a template's build-arg placeholders from `args` (the project's
 * `buildArgs` over the Dockerfile's global ARG defaults). The result names
 * what to fix when a placeholder is unknown or unset, or the tags would be invalid.
 */
export function fillTagScheme(template: string, args: Record<string, string | undefined>): { scheme: TagScheme; filled: string } | { problem: string } {
  const versions = template.match(/\{version\}/g)?.length ?? 0;
  if (versions !== 1) return { problem: `tag scheme "${template}" must contain {version} exactly once, where each tag's version goes` };
  let unknown: string | undefined;
  const filled = template.replace(PLACEHOLDER, (whole, name: string) => {
    if (name === 'version') return whole;
    const value = ARG_NAME.test(name) ? args[name] : undefined;
    if (value === undefined || value === '') unknown ??= name;
    return value ?? whole;
  });
  if (unknown !== undefined) {
    return {
      problem: `tag scheme "${template}" names {${unknown}}, which neither the buildArgs option nor a global ARG default of the Dockerfile sets; set it, or use {version} and build-arg names only`,
    };
  }
  const [before, after] = filled.split('{version}');
  if (!TAG_CHARACTERS.test(before + after) || !TAG.test(`${before}0${after}`)) {
    return {
      problem: `tag scheme "${template}" gives tags like "${before}1.0.0${after}", which is not a valid tag (letters, digits, '_', '.', '-'; up to 128)`,
    };
  }
  return { scheme: { before, after }, filled };
}

/** A scheme as metadata keeps it (the filled template) back to its parts; the default when absent. */
export function parseTagScheme(filled: string | undefined): TagScheme {
  if (filled === undefined) return DEFAULT_SCHEME;
  const [before, after = ''] = filled.split('{version}');
  return { before, after };
}

export function isDefaultScheme(scheme: TagScheme): boolean {
  return scheme.before === '' && scheme.after === '';
}

/** A tag under the scheme: `cuda-` + `1.2.0`. */
export function schemeTag(scheme: TagScheme, name: string): string {
  return `${scheme.before}${name}${scheme.after}`;
}

/**
 * The scheme's own latest: the tag without the version and the separator next
 * to it (`cuda`, `jammy-amd64`), as variants of official images are tagged;
 * `latest` for the default scheme, whose version-less tag is empty.
 */
export function latestTag(scheme: TagScheme): string {
  const before = scheme.before.replace(/[-_.]+$/, '');
  const after = scheme.after.replace(/^[-_.]+/, '');
  const separator = before && after ? (/[-_.]+$/.exec(scheme.before)?.[0] ?? '') : '';
  return `${before}${separator}${after}` || 'latest';
}

/** What a tag has where the scheme's version goes (`1.2.0` of `cuda-1.2.0`), if it has the scheme's shape. */
export function nameUnder(tag: string, scheme: TagScheme): string | undefined {
  const fits = tag.length > scheme.before.length + scheme.after.length && tag.startsWith(scheme.before) && tag.endsWith(scheme.after);
  return fits ? tag.slice(scheme.before.length, tag.length - scheme.after.length) : undefined;
}

/** The tags that mean "whatever the workspace builds now": the version-less tag, `<before>latest<after>`, and for the default scheme no tag at all. */
function latestEquivalents(scheme: TagScheme): string[] {
  const equivalents = [latestTag(scheme), schemeTag(scheme, 'latest')];
  return isDefaultScheme(scheme) ? ['', ...equivalents] : equivalents;
}

/** An image as tag matching sees it. */
export interface SchemeImage {
  scheme: TagScheme;
  version?: string;
}

/**
 * What a tag (`''` when the reference has none) is for one image: `current`
 * when it tracks what the workspace builds (its version or a latest
 * equivalent), `release` when it has the scheme's shape around something else
 * (a published release: a pin), else undefined.
 */
export function matchTag(tag: string, image: SchemeImage): 'current' | 'release' | undefined {
  const { scheme, version } = image;
  if (latestEquivalents(scheme).includes(tag) || (version !== undefined && tag === schemeTag(scheme, version))) return 'current';
  return nameUnder(tag, scheme) !== undefined ? 'release' : undefined;
}

/**
 * Which of the images sharing a repository a tag names, and how: an image it
 * names as current wins; else the release whose scheme fits most closely (the
 * longest fixed text), so `cuda-1.1.0` is a release of the `cuda-` variant,
 * not of the image with the default scheme. Undefined when it fits none.
 */
export function matchRepositoryTag<T extends SchemeImage>(tag: string, images: readonly T[]): { image: T; match: 'current' | 'release' } | undefined {
  let best: { image: T; match: 'current' | 'release' } | undefined;
  let bestLength = -1;
  for (const image of images) {
    const match = matchTag(tag, image);
    if (match === 'current') return { image, match };
    const length = image.scheme.before.length + image.scheme.after.length;
    if (match === 'release' && length > bestLength) {
      best = { image, match };
      bestLength = length;
    }
  }
  return best;
}

/** The tags an image claims in its repository whatever happens: its version tag and its latest equivalents. */
function claimedTags(image: SchemeImage): string[] {
  const tags = latestEquivalents(image.scheme);
  return image.version !== undefined ? [...tags, schemeTag(image.scheme, image.version)] : tags;
}

/**
 * Images of one repository that would push the same tags (the same scheme, or
 * a version tag one of them also claims), grouped: each group is one conflict.
 * Images in no group are told apart by their tags.
 */
export function tagConflicts<T extends SchemeImage>(images: readonly T[]): T[][] {
  const groupOf = new Map<T, T[]>();
  const claims = new Map<string, T>();
  for (const image of images) {
    for (const tag of claimedTags(image)) {
      const other = claims.get(tag);
      if (other === undefined) claims.set(tag, image);
      else if (other !== image) join(groupOf, other, image);
    }
  }
  return [...new Set(groupOf.values())].map((group) => images.filter((image) => group.includes(image)));
}

function join<T>(groupOf: Map<T, T[]>, a: T, b: T): void {
  const groupA = groupOf.get(a) ?? [a];
  const groupB = groupOf.get(b) ?? [b];
  if (groupA === groupB) return;
  const merged = [...groupA, ...groupB];
  for (const image of merged) groupOf.set(image, merged);
}
