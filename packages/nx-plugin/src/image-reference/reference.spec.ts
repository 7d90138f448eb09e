import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatImageReference,
  type ImageReference,
  ImageReferenceError,
  isDockerHub,
  normaliseImageReference,
  parseImageReference,
  repositoryName,
  sameRepository,
} from './reference';

const SHA256 = `sha256:${'f'.repeat(64)}`;
const SHA384 = `sha384:${'0a'.repeat(48)}`;
const SHA512 = `sha512:${'f'.repeat(128)}`;

describe('parseImageReference: valid references', () => {
  // [input, domain, path, tag, digest]
  const cases: [string, string, string, string?, string?][] = [
    // Docker Hub familiar names
    ['node', 'docker.io', 'library/node'],
    ['node:18-bookworm-slim', 'docker.io', 'library/node', '18-bookworm-slim'],
    ['myorg/app', 'docker.io', 'myorg/app'],
    ['myorg/team/app:v1', 'docker.io', 'myorg/team/app', 'v1'],
    ['docker.io/node', 'docker.io', 'library/node'],
    ['docker.io/library/node', 'docker.io', 'library/node'],
    ['index.docker.io/node:18', 'docker.io', 'library/node', '18'],
    ['index.docker.io/myorg/app', 'docker.io', 'myorg/app'],
    ['library/node', 'docker.io', 'library/node'],
    // A single component is never a domain, even when it looks like one
    ['localhost', 'docker.io', 'library/localhost'],
    ['localhost:5000', 'docker.io', 'library/localhost', '5000'],
    ['test.com:5000', 'docker.io', 'library/test.com', '5000'],
    ['192.168.1.1', 'docker.io', 'library/192.168.1.1'],
    ['foo_bar.com:8080', 'docker.io', 'library/foo_bar.com', '8080'],
    // Registries: dots, ports, localhost, IPv4, IPv6, uppercase hosts
    ['localhost/app', 'localhost', 'app'],
    ['localhost:5000/app:dev', 'localhost:5000', 'app', 'dev'],
    ['127.0.0.1:5000/node-base', '127.0.0.1:5000', 'node-base'],
    ['registry.example.com:5000/team/node-base:1.2.3', 'registry.example.com:5000', 'team/node-base', '1.2.3'],
    ['test:5000/repo', 'test:5000', 'repo'],
    ['sub-dom1.foo.com/bar/baz/quux:some-long-tag', 'sub-dom1.foo.com', 'bar/baz/quux', 'some-long-tag'],
    ['b.gcr.io/test.example.com/my-app:test.example.com', 'b.gcr.io', 'test.example.com/my-app', 'test.example.com'],
    ['xn--n3h.com/myimage:xn--n3h.com', 'xn--n3h.com', 'myimage', 'xn--n3h.com'],
    ['[2001:db8::1]/repo', '[2001:db8::1]', 'repo'],
    ['[2001:db8::1]:5000/repo:tag', '[2001:db8::1]:5000', 'repo', 'tag'],
    ['[::1]:5000/repo', '[::1]:5000', 'repo'],
    ['Example.COM/app', 'Example.COM', 'app'],
    ['Uppercase/lowercase:tag', 'Uppercase', 'lowercase', 'tag'],
    ['ghcr.io/owner/image', 'ghcr.io', 'owner/image'],
    // Separators
    ['a.b_c__d-e---f', 'docker.io', 'library/a.b_c__d-e---f'],
    ['foo/foo_bar.com:8080', 'docker.io', 'foo/foo_bar.com', '8080'],
    ['a/b/c/d/e', 'docker.io', 'a/b/c/d/e'],
    ['0', 'docker.io', 'library/0'],
    // Tags
    ['lowercase:Uppercase', 'docker.io', 'library/lowercase', 'Uppercase'],
    ['app:_private', 'docker.io', 'library/app', '_private'],
    [`app:${'t'.repeat(128)}`, 'docker.io', 'library/app', 't'.repeat(128)],
    // Digests, alone and with a tag
    [`node@${SHA256}`, 'docker.io', 'library/node', undefined, SHA256],
    [`node:18@${SHA256}`, 'docker.io', 'library/node', '18', SHA256],
    [`test:5000/repo:tag@${SHA256}`, 'test:5000', 'repo', 'tag', SHA256],
    [`[2001:db8::1]:5000/repo@${SHA256}`, '[2001:db8::1]:5000', 'repo', undefined, SHA256],
    [`xn--7o8h.com/myimage:xn--7o8h.com@${SHA512}`, 'xn--7o8h.com', 'myimage', 'xn--7o8h.com', SHA512],
    [`app@${SHA384}`, 'docker.io', 'library/app', undefined, SHA384],
    // A 64-hex name is fine as long as it is not the whole input
    [`${'a'.repeat(64)}:tag`, 'docker.io', `library/${'a'.repeat(64)}`, 'tag'],
    // The 255 limit applies to the path only (distribution/reference >= v0.6.0)
    [`${'a/'.repeat(127)}a:tag`, 'docker.io', `${'a/'.repeat(127)}a`, 'tag'],
    [`registry.example.com/${'a'.repeat(255)}`, 'registry.example.com', 'a'.repeat(255)],
  ];

  it.each(cases)('%s', (input, domain, path, tag, digest) => {
    const expected: ImageReference = { domain, path };
    if (tag !== undefined) expected.tag = tag;
    if (digest !== undefined) expected.digest = digest;
    expect(parseImageReference(input)).toStrictEqual(expected);
  });
});

describe('parseImageReference: invalid references', () => {
  // [input, fragment of the reason]
  const cases: [string, string][] = [
    ['', 'must not be empty'],
    ['Foo:bar', 'repository name must be lowercase'],
    ['Uppercase:tag', 'must be lowercase'],
    ['myorg/App', 'must be lowercase'],
    ['test:5000/Uppercase/lowercase:tag', 'must be lowercase'],
    ['a'.repeat(64), 'image ID'],
    [':justtag', 'invalid repository path ""'],
    [`@${SHA256}`, 'invalid repository path ""'],
    ['aa/asdf$$^/aa', 'invalid repository path'],
    ['foo___bar', 'invalid repository path'],
    ['foo.-bar', 'invalid repository path'],
    ['foo..bar', 'invalid repository path'],
    ['-foo', 'invalid repository path'],
    ['foo-', 'invalid repository path'],
    ['foo_', 'invalid repository path'],
    ['foo.', 'invalid repository path'],
    ['foo/', 'invalid repository path'],
    ['foo//bar', 'invalid repository path'],
    ['docker.io/', 'invalid repository path'],
    ['foo bar', 'invalid repository path'],
    [' node', 'invalid repository path'],
    ['a'.repeat(248), 'must not be more than 255 characters'],
    [`${'a/'.repeat(128)}a:tag`, 'must not be more than 255 characters'],
    ['foo:', 'invalid tag ""'],
    ['foo:-tag', 'invalid tag'],
    ['foo:.tag', 'invalid tag'],
    ['foo:a:b', 'invalid tag'],
    [`foo:${'t'.repeat(129)}`, 'invalid tag'],
    ['foo/bar:tag/x', 'invalid tag'],
    ['foo:tag/x', 'invalid registry domain "foo:tag"'],
    ['foo:bar/baz', 'invalid registry domain "foo:bar"'],
    ['foo_bar.com/app', 'invalid registry domain'],
    ['-bad.com/app', 'invalid registry domain'],
    ['bad-.com/app', 'invalid registry domain'],
    ['example.com:/app', 'invalid registry domain'],
    ['[2001:db8::1]', 'invalid repository path'],
    ['[2001:db8::1]:5000', 'invalid repository path'],
    ['[fe80::1%eth0]:5000/repo', 'invalid registry domain'],
    ['foo@', 'invalid digest ""'],
    ['foo@sha256', 'invalid digest'],
    ['foo@sha256:abc', 'invalid digest'],
    [`repo@sha256:${'f'.repeat(34)}`, 'invalid sha256 digest length'],
    [`repo@sha256:${'f'.repeat(65)}`, 'invalid sha256 digest length'],
    [`repo@sha256:${'F'.repeat(64)}`, 'hex must be lowercase'],
    [`repo@sha512:${'f'.repeat(64)}`, 'invalid sha512 digest length'],
    [`validname@invaliddigest:${'f'.repeat(64)}`, 'unsupported digest algorithm "invaliddigest"'],
    [`foo@${SHA256}@${SHA256}`, 'invalid digest'],
  ];

  it.each(cases)('%j', (input, reason) => {
    let error: unknown;
    try {
      parseImageReference(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ImageReferenceError);
    const { message, input: quoted } = error as ImageReferenceError;
    expect(quoted).toBe(input);
    expect(message).toContain(`invalid image reference ${JSON.stringify(input)}: `);
    expect(message).toContain(reason);
  });

  it('reports the problem and quotes the input', () => {
    expect(() => parseImageReference('Foo:bar')).toThrow('invalid image reference "Foo:bar": repository name must be lowercase');
  });
});

describe('formatImageReference', () => {
  // [input, canonical, familiar]
  const cases: [string, string, string][] = [
    ['node:18', 'docker.io/library/node:18', 'node:18'],
    ['node:18-bookworm-slim', 'docker.io/library/node:18-bookworm-slim', 'node:18-bookworm-slim'],
    ['docker.io/library/node', 'docker.io/library/node', 'node'],
    ['myorg/app', 'docker.io/myorg/app', 'myorg/app'],
    ['library/a/b', 'docker.io/library/a/b', 'library/a/b'],
    ['127.0.0.1:5000/app', '127.0.0.1:5000/app', '127.0.0.1:5000/app'],
    ['localhost/app:dev', 'localhost/app:dev', 'localhost/app:dev'],
    [`node:18@${SHA256}`, `docker.io/library/node:18@${SHA256}`, `node:18@${SHA256}`],
    [`ghcr.io/o/i@${SHA256}`, `ghcr.io/o/i@${SHA256}`, `ghcr.io/o/i@${SHA256}`],
    // Shortening these would change their meaning when parsed again
    ['docker.io/foo.bar/app', 'docker.io/foo.bar/app', 'docker.io/foo.bar/app'],
    ['docker.io/localhost/app', 'docker.io/localhost/app', 'docker.io/localhost/app'],
    [`docker.io/${'a'.repeat(64)}`, `docker.io/library/${'a'.repeat(64)}`, `library/${'a'.repeat(64)}`],
    ['test.com', 'docker.io/library/test.com', 'test.com'],
  ];

  it.each(cases)('%s', (input, canonical, familiar) => {
    const ref = parseImageReference(input);
    expect(formatImageReference(ref)).toBe(canonical);
    expect(normaliseImageReference(input)).toBe(canonical);
    expect(formatImageReference(ref, { familiar: true })).toBe(familiar);
    expect(parseImageReference(familiar)).toStrictEqual(ref);
  });
});

describe('graph helpers', () => {
  const p = parseImageReference;

  it('names upstream images stably', () => {
    expect(`docker:${normaliseImageReference('node:18-bookworm-slim')}`).toBe('docker:docker.io/library/node:18-bookworm-slim');
    expect(normaliseImageReference('index.docker.io/library/node:18-bookworm-slim')).toBe(normaliseImageReference('node:18-bookworm-slim'));
  });

  it('isDockerHub', () => {
    expect(isDockerHub(p('node'))).toBe(true);
    expect(isDockerHub(p('index.docker.io/myorg/app'))).toBe(true);
    expect(isDockerHub(p('127.0.0.1:5000/node-base'))).toBe(false);
    expect(isDockerHub(p('localhost/app'))).toBe(false);
  });

  it('repositoryName is the last path component', () => {
    expect(repositoryName(p('node-base'))).toBe('node-base');
    expect(repositoryName(p('127.0.0.1:5000/node-base:1'))).toBe('node-base');
    expect(repositoryName(p('registry.example.com:5000/team/node-base'))).toBe('node-base');
  });

  it('sameRepository compares domain and path, ignoring tag and digest', () => {
    expect(sameRepository(p('node:18'), p(`docker.io/library/node@${SHA256}`))).toBe(true);
    expect(sameRepository(p('Registry.Example.com/app'), p('registry.example.com/app:1'))).toBe(true);
    expect(sameRepository(p('node-base'), p('127.0.0.1:5000/node-base'))).toBe(false);
    expect(sameRepository(p('myorg/app'), p('myorg/other'))).toBe(false);
  });

  it('sameRepository can ignore the registry', () => {
    const opts = { ignoreDomain: true };
    expect(sameRepository(p('node-base'), p('127.0.0.1:5000/node-base:1'), opts)).toBe(true);
    expect(sameRepository(p('127.0.0.1:5000/node-base'), p('localhost:5000/node-base'), opts)).toBe(true);
    expect(sameRepository(p('team/node-base'), p('registry.example.com:5000/team/node-base'), opts)).toBe(true);
    expect(sameRepository(p('node-base'), p('registry.example.com:5000/team/node-base'), opts)).toBe(false);
    // library/ is only implicit on Docker Hub
    expect(sameRepository(p('node-base'), p('ghcr.io/library/node-base'), opts)).toBe(false);
  });
});

// Arbitraries built from the grammar in distribution/reference regexp.go.
const chars = (s: string) => fc.constantFrom(...s.split(''));
const lower = 'abcdefghijklmnopqrstuvwxyz0123456789';
const word = `${lower}ABCDEFGHIJKLMNOPQRSTUVWXYZ_`;
const alnum = fc.string({ unit: chars(lower), minLength: 1, maxLength: 6 });
const separator = fc.constantFrom('.', '_', '__', '-', '--', '---');
const pathComponent = fc
  .tuple(alnum, fc.array(fc.tuple(separator, alnum), { maxLength: 3 }))
  .map(([head, rest]) => head + rest.map(([s, a]) => s + a).join(''));
const path = fc.array(pathComponent, { minLength: 1, maxLength: 4 }).map((cs) => cs.join('/'));
const domainComponent = fc
  .tuple(chars(`${lower}ABCXYZ`), fc.string({ unit: chars(`${lower}XYZ-`), maxLength: 6 }), chars(`${lower}QZ`))
  .map(([a, mid, z]) => (mid === '' ? a : a + mid + z));
const dnsName = fc.array(domainComponent, { minLength: 1, maxLength: 4 }).map((cs) => cs.join('.'));
const ipv6 = fc.string({ unit: chars('0123456789abcdefABCDEF:'), minLength: 1, maxLength: 12 }).map((s) => `[${s}]`);
const port = fc.option(
  fc.integer({ min: 0, max: 65535 }).map((n) => `:${n}`),
  { nil: '' },
);
const domain = fc
  .tuple(fc.oneof(dnsName, ipv6, fc.constant('localhost')), port)
  .map(([host, p]) => host + p)
  // Only these are read back as a registry rather than a path component (splitDockerDomain).
  .filter((d) => /[.:]/.test(d) || d === 'localhost' || d !== d.toLowerCase())
  .filter((d) => d !== 'index.docker.io');
const tag = fc.tuple(chars(word), fc.string({ unit: chars(`${word}.-`), maxLength: 20 })).map(([a, b]) => a + b);
const hex = (n: number) => fc.string({ unit: chars('0123456789abcdef'), minLength: n, maxLength: n });
const digest = fc.oneof(
  hex(64).map((h) => `sha256:${h}`),
  hex(96).map((h) => `sha384:${h}`),
  hex(128).map((h) => `sha512:${h}`),
);
const canonicalRef: fc.Arbitrary<ImageReference> = fc
  .record({ domain: fc.oneof(domain, fc.constant('docker.io')), path, tag, digest }, { requiredKeys: ['domain', 'path'] })
  // docker.io always has at least two path components after normalisation.
  .filter((r) => r.domain !== 'docker.io' || r.path.includes('/'))
  .filter((r) => r.path.length <= 255)
  .map((r) => ({ ...r })); // fc.record builds null-prototype objects

// Strings as people write them: familiar, legacy-index and fully qualified.
const referenceText = fc.oneof(
  canonicalRef.map((r) => formatImageReference(r)),
  canonicalRef.map((r) => formatImageReference(r, { familiar: true })),
  fc
    .tuple(fc.constantFrom('', 'docker.io/', 'index.docker.io/'), path, fc.option(tag), fc.option(digest))
    // Without a registry prefix, a dotted first component would be read as a registry.
    .filter(([d, p]) => d !== '' || !p.includes('/') || !p.split('/')[0]!.includes('.'))
    .map(([d, p, t, g]) => d + p + (t === null ? '' : `:${t}`) + (g === null ? '' : `@${g}`)),
);

// A fixed number of runs, and time enough for them on a busy CI runner (vitest's default is 5 s).
describe('properties', { timeout: 60_000 }, () => {
  it('format then parse round-trips', () => {
    fc.assert(
      fc.property(canonicalRef, (ref) => {
        expect(parseImageReference(formatImageReference(ref))).toStrictEqual(ref);
      }),
      { numRuns: 500 },
    );
  });

  it('normalising is idempotent', () => {
    fc.assert(
      fc.property(referenceText, (text) => {
        const once = normaliseImageReference(text);
        expect(normaliseImageReference(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it('the familiar form parses back to the same reference', () => {
    fc.assert(
      fc.property(referenceText, (text) => {
        const ref = parseImageReference(text);
        expect(parseImageReference(formatImageReference(ref, { familiar: true }))).toStrictEqual(ref);
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary strings either parse to a stable reference or throw ImageReferenceError', () => {
    const grammarish = fc.string({ unit: chars('aZ09._-/:@[]%$ '), maxLength: 30 });
    const mutated = fc
      .tuple(referenceText, fc.nat(), fc.constantFrom('', '/', ':', '@', '_', '-', '.', 'A', '__', ' '))
      .map(([text, at, insert]) => text.slice(0, at % (text.length + 1)) + insert + text.slice((at % (text.length + 1)) + 1));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), grammarish, mutated), (text) => {
        let ref: ImageReference;
        try {
          ref = parseImageReference(text);
        } catch (error) {
          expect(error).toBeInstanceOf(ImageReferenceError);
          expect((error as Error).message).toContain(JSON.stringify(text));
          return;
        }
        expect(parseImageReference(formatImageReference(ref))).toStrictEqual(ref);
      }),
      { numRuns: 2000 },
    );
  });
});
