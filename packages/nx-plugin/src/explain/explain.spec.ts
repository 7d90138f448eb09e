import { describe, expect, it } from 'vitest';
import { parseMaxAge } from '../build/staleness';
import { imageReference } from '../executors/explain/executor';
import { explainImage, type ExplainFacts } from './explain';

const DAY = 86_400_000;
const NOW = Date.parse('2025-06-30T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW - days * DAY).toISOString();
const D = (n: number) => `sha256:${String(n).repeat(64)}`;
const BASE = `reg.example.com/acme/node-base@${D(1)}`;
const NODE = `docker.io/library/node:18-bookworm-slim@${D(2)}`;

const facts = (overrides: Partial<ExplainFacts> = {}): ExplainFacts => ({
  image: `reg.example.com/acme/notifier@${D(9)}`,
  created: daysAgo(3),
  labels: {
    'org.opencontainers.image.revision': 'abc123',
    'org.opencontainers.image.source': 'https://git.example.com/acme/platform.git',
    'dev.imagewise.content-identity': 'f'.repeat(64),
    'dev.imagewise.base-images': JSON.stringify({ 'node-base': BASE, node: NODE }),
    'dev.imagewise.dockerfile': 'services/notifier/Dockerfile',
    'dev.imagewise.library-packs': JSON.stringify(['imagewise-common-1.5.0.tgz']),
  },
  bases: { 'node-base': { created: daysAgo(10), contentTag: 'c-1', currentDigest: D(1) } },
  maxAge: parseMaxAge('30d'),
  now: NOW,
  ...overrides,
});

describe('explainImage', () => {
  it('says which commit, Dockerfile, bases and library packs made the image, and that it is fresh', () => {
    expect(explainImage(facts())).toEqual([
      `reg.example.com/acme/notifier@${D(9)}`,
      `  created:          ${daysAgo(3)} (3 days ago)`,
      '  commit:           abc123',
      '  source:           https://git.example.com/acme/platform.git',
      '  dockerfile:       services/notifier/Dockerfile',
      `  content identity: ${'f'.repeat(64)}`,
      '  base images:',
      `    node → ${NODE}`,
      `    node-base → ${BASE} (created 10 days ago)`,
      '  library packs:    imagewise-common-1.5.0.tgz',
      '  stale:            no, under maxAge 30d',
    ]);
  });

  it('is stale when older than maxAge', () => {
    expect(explainImage(facts({ created: daysAgo(45) })).at(-1)).toBe(
      `  stale:            yes, under maxAge 30d: created ${daysAgo(45)} (45 days ago), older than maxAge 30d`,
    );
  });

  it("is stale when its base's content tag names another digest now: the base was rebuilt", () => {
    const lines = explainImage(facts({ bases: { 'node-base': { created: daysAgo(1), contentTag: 'c-1', currentDigest: D(3) } } }));
    expect(lines).toContain(`    node-base → ${BASE} (created 1 day ago; rebuilt since: c-1 is now ${D(3)})`);
    expect(lines.at(-1)).toMatch(/^ {2}stale: {12}yes, under maxAge 30d: built on another digest of node-base/);
  });

  it('is stale when a base is itself older than maxAge: it is rebuilt first, then this image', () => {
    expect(explainImage(facts({ bases: { 'node-base': { created: daysAgo(40), contentTag: 'c-1', currentDigest: D(1) } } })).at(-1)).toBe(
      '  stale:            yes, under maxAge 30d: its base node-base is older than that, and is rebuilt first',
    );
  });

  it('says what it does not know: no maxAge, no labels, an unreadable base', () => {
    const lines = explainImage(facts({ maxAge: undefined, created: undefined, labels: {}, bases: {} }));
    expect(lines).toEqual([
      `reg.example.com/acme/notifier@${D(9)}`,
      '  created:          unknown (the config has no created time)',
      '  commit:           unknown (no org.opencontainers.image.revision label)',
      '  dockerfile:       unknown (no dev.imagewise.dockerfile label)',
      '  content identity: none: not built by Imagewise (no dev.imagewise.content-identity label)',
      '  base images:      unknown (no dev.imagewise.base-images label)',
      '  library packs:    none in its build context',
      '  stale:            no maxAge set',
    ]);
    expect(explainImage(facts({ bases: { 'node-base': { problem: 'answered 404' } } }))).toContain(`    node-base → ${BASE} (not read: answered 404)`);
  });
});

describe('imageReference', () => {
  it("takes a digest or a tag as the project's repository, default latest", () => {
    expect(imageReference(D(4), 'reg.example.com/acme/web')).toMatchObject({ domain: 'reg.example.com', path: 'acme/web', digest: D(4) });
    expect(imageReference('c-abc', 'reg.example.com/acme/web')).toMatchObject({ path: 'acme/web', tag: 'c-abc' });
    expect(imageReference(undefined, 'reg.example.com/acme/web')).toMatchObject({ path: 'acme/web', tag: 'latest' });
  });

  it('takes a full reference as it is', () => {
    expect(imageReference(`localhost:5000/x/y@${D(5)}`, 'reg.example.com/acme/web')).toMatchObject({ domain: 'localhost:5000', path: 'x/y', digest: D(5) });
  });

  it('asks for a full reference when no registry is configured', () => {
    expect(() => imageReference('latest', undefined)).toThrow(/give --ref a full reference/);
  });
});
