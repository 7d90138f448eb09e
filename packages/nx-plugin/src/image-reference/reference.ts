/**
 * Docker image references, following github.com/distribution/reference
 * (regexp.go, reference.go, normalize.go) and opencontainers/go-digest.
 * Pure: no I/O, no dependencies.
 */

export interface ImageReference {
  /** Registry host, optionally with `:port`; `docker.io` for Docker Hub. */
  domain: string;
  /** Repository path without the domain, e.g. `library/node`. */
  path: string;
  tag?: string;
  digest?: string;
}

export class ImageReferenceError extends Error {
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`invalid image reference ${JSON.stringify(input)}: ${reason}`);
    this.name = 'ImageReferenceError';
  }
}

export const DOCKER_HUB_DOMAIN = 'docker.io';
const LEGACY_DOCKER_HUB_DOMAIN = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
// Since distribution/reference v0.6.0 the limit applies to the path only, not domain + path.
const MAX_PATH_LENGTH = 255;

// Grammar pieces, kept as in regexp.go so they can be compared line by line.
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|-+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;

const PATH_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const DOMAIN_RE = new RegExp(`^${HOST}(?::[0-9]+)?$`);
const TAG_RE = /^\w[\w.-]{0,127}$/;
const DIGEST_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
// A bare image ID; upstream refuses it so it is never mistaken for a repository name.
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;
// go-digest only accepts these algorithms, each with a fixed-length lowercase hex encoding.
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/**
 * Parses a reference the way `docker pull` does (ParseNormalizedNamed):
 * familiar names are expanded to `docker.io/library/…`, and both a tag and a
 * digest may be present. Throws ImageReferenceError for anything invalid.
 */
export function parseImageReference(text: string): ImageReference {
  const fail = (reason: string): never => {
    throw new ImageReferenceError(text, reason);
  };
  if (text === '') fail('reference must not be empty');
  if (IDENTIFIER_RE.test(text)) fail('a 64-character hex string is an image ID, not a repository name');

  // Neither tag nor path may contain '@', so the first '@' starts the digest.
  const at = text.indexOf('@');
  const nameAndTag = at === -1 ? text : text.slice(0, at);
  const digest = at === -1 ? undefined : text.slice(at + 1);

  const [domain, remainder] = splitDomain(nameAndTag);
  // The path cannot contain ':', so the first ':' after the domain starts the tag.
  const colon = remainder.indexOf(':');
  let path = colon === -1 ? remainder : remainder.slice(0, colon);
  const tag = colon === -1 ? undefined : remainder.slice(colon + 1);
  if (domain === DOCKER_HUB_DOMAIN && path !== '' && !path.includes('/')) path = OFFICIAL_PREFIX + path;

  // Upstream would silently fall back to an empty domain here; an explicit but
  // malformed registry is almost certainly a typo, so reject it instead.
  if (!DOMAIN_RE.test(domain)) fail(`invalid registry domain ${JSON.stringify(domain)}`);
  if (path !== path.toLowerCase()) fail('repository name must be lowercase');
  if (!PATH_RE.test(path)) {
    fail(`invalid repository path ${JSON.stringify(path)}: components must be lowercase letters and digits ` + `joined by '.', '_', '__' or '-'`);
  }
  if (path.length > MAX_PATH_LENGTH) fail(`repository name must not be more than ${MAX_PATH_LENGTH} characters`);
  if (tag !== undefined && !TAG_RE.test(tag)) {
    fail(`invalid tag ${JSON.stringify(tag)}: expected [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`);
  }
  if (digest !== undefined) {
    const problem = digestProblem(digest);
    if (problem) fail(problem);
  }

  const ref: ImageReference = { domain, path };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** normalize.go splitDockerDomain: decides whether the first component is a registry. */
function splitDomain(name: string): [domain: string, remainder: string] {
  const slash = name.indexOf('/');
  // A single component is never a domain: `localhost:5000` is library/localhost, tag 5000.
  if (slash === -1) return [DOCKER_HUB_DOMAIN, name];
  const first = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  if (first === LEGACY_DOCKER_HUB_DOMAIN) return [DOCKER_HUB_DOMAIN, rest];
  // Path components are lowercase and never contain ':', and the only dotless
  // lowercase registry name Docker knows is localhost.
  if (first === 'localhost' || /[.:]/.test(first) || first !== first.toLowerCase()) return [first, rest];
  return [DOCKER_HUB_DOMAIN, name];
}

function digestProblem(digest: string): string | undefined {
  if (!DIGEST_RE.test(digest)) return `invalid digest ${JSON.stringify(digest)}: expected algorithm:hex`;
  const [algorithm = '', hex = ''] = digest.split(':');
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) return `unsupported digest algorithm ${JSON.stringify(algorithm)}`;
  if (hex.length !== length) return `invalid ${algorithm} digest length: expected ${length} hex characters, got ${hex.length}`;
  if (/[A-F]/.test(hex)) return `invalid ${algorithm} digest: hex must be lowercase`;
  return undefined;
}

export interface FormatOptions {
  /** Short Docker UI form: drop `docker.io/` and, for official images, `library/`. */
  familiar?: boolean;
}

/** Canonical `domain/path[:tag][@digest]`, or the familiar form that re-parses to the same reference. */
export function formatImageReference(ref: ImageReference, options: FormatOptions = {}): string {
  const name = options.familiar ? familiarName(ref) : `${ref.domain}/${ref.path}`;
  return name + (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest !== undefined ? `@${ref.digest}` : '');
}

function familiarName({ domain, path, tag, digest }: ImageReference): string {
  if (domain !== DOCKER_HUB_DOMAIN) return `${domain}/${path}`;
  const official = path.startsWith(OFFICIAL_PREFIX) ? path.slice(OFFICIAL_PREFIX.length) : undefined;
  // Unlike upstream's FamiliarString, never produce a string that parses differently:
  // a bare 64-hex name would be refused as an image ID ...
  const looksLikeId = official !== undefined && IDENTIFIER_RE.test(official) && !tag && !digest;
  if (official !== undefined && !official.includes('/') && !looksLikeId) return official;
  // ... and `docker.io/foo.bar/app` shortened to `foo.bar/app` would read `foo.bar` as a registry.
  const first = path.split('/')[0] ?? '';
  return path.includes('/') && (first.includes('.') || first === 'localhost') ? `${domain}/${path}` : path;
}

/** Parse then format canonically: `node:18` → `docker.io/library/node:18`. */
export function normaliseImageReference(text: string): string {
  return formatImageReference(parseImageReference(text));
}

export function isDockerHub(ref: ImageReference): boolean {
  return ref.domain === DOCKER_HUB_DOMAIN;
}

/** Last path component: `registry.example.com:5000/team/node-base` → `node-base`. */
export function repositoryName(ref: ImageReference): string {
  return ref.path.slice(ref.path.lastIndexOf('/') + 1);
}

export interface SameRepositoryOptions {
  /**
   * Compare paths only, so `127.0.0.1:5000/node-base` matches the bare `node-base`.
   * Docker Hub's implicit `library/` is dropped first, as it exists only on Docker Hub.
   */
  ignoreDomain?: boolean;
}

/** Same repository (tag and digest are ignored); hostnames compare case-insensitively as in DNS. */
export function sameRepository(a: ImageReference, b: ImageReference, options: SameRepositoryOptions = {}): boolean {
  if (options.ignoreDomain) return hubAgnosticPath(a) === hubAgnosticPath(b);
  return a.domain.toLowerCase() === b.domain.toLowerCase() && a.path === b.path;
}

function hubAgnosticPath(ref: ImageReference): string {
  const official = isDockerHub(ref) && ref.path.startsWith(OFFICIAL_PREFIX);
  const rest = ref.path.slice(OFFICIAL_PREFIX.length);
  return official && !rest.includes('/') ? rest : ref.path;
}

/** Where an image of the workspace lives in a registry: `<registry>/<imageName>`, however the registry was written. */
export function repositoryIn(registry: string, imageName: string): string {
  return `${registry.replace(/\/+$/, '')}/${imageName}`;
}
