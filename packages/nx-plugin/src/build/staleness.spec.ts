import { describe, expect, it } from 'vitest';
import { ageText, digestOf, parseMaxAge, staleness } from './staleness';

const DAY = 86_400_000;
const NOW = Date.parse('2025-06-30T12:00:00Z');
const OLD = `reg.example.com/node-base@sha256:${'1'.repeat(64)}`;
const NEW = `reg.example.com/node-base@sha256:${'2'.repeat(64)}`;
const UPSTREAM = `docker.io/library/node:18@sha256:${'3'.repeat(64)}`;
const daysAgo = (days: number) => new Date(NOW - days * DAY).toISOString();

describe('parseMaxAge', () => {
  it.each([
    ['30d', 30 * DAY],
    ['12h', 12 * 3_600_000],
    ['2w', 14 * DAY],
    ['90m', 90 * 60_000],
    ['45s', 45_000],
    [' 7 d ', 7 * DAY],
  ])('reads %s', (text, ms) => {
    expect(parseMaxAge(text)?.ms).toBe(ms);
  });

  it('is unset when not given', () => {
    expect(parseMaxAge(undefined)).toBeUndefined();
    expect(parseMaxAge('')).toBeUndefined();
  });

  it.each(['30', 'd', '30 days', '1.5d', '-3d', '0d', 30])('refuses %j, saying how to write one', (value) => {
    expect(() => parseMaxAge(value)).toThrow(/is not an age; write a whole number and a unit: s, m, h, d or w \(e\.g\. "30d"\)/);
  });
});

describe('staleness', () => {
  const maxAge = parseMaxAge('30d');
  const baseImages = { 'node-base': NEW, node: UPSTREAM };

  it('is nothing without maxAge, however old the image', () => {
    expect(staleness({ now: NOW, image: { created: daysAgo(400) }, baseImages })).toBeUndefined();
  });

  it('is nothing for an image younger than maxAge, built on the same bases', () => {
    expect(staleness({ maxAge, now: NOW, image: { created: daysAgo(29), baseImages }, baseImages })).toBeUndefined();
  });

  it('is too-old past maxAge, saying when it was created and how long ago', () => {
    expect(staleness({ maxAge, now: NOW, image: { created: daysAgo(60) }, baseImages })).toEqual({
      kind: 'too-old',
      reason: `created ${daysAgo(60)} (60 days ago), older than maxAge 30d`,
    });
  });

  it('is base-moved when the image was built on another digest of a base than this run has', () => {
    const stale = staleness({ maxAge, now: NOW, image: { created: daysAgo(1), baseImages: { 'node-base': OLD, node: UPSTREAM } }, baseImages });
    expect(stale?.kind).toBe('base-moved');
    expect(stale?.reason).toContain(`node-base (sha256:${'1'.repeat(64)} → sha256:${'2'.repeat(64)})`);
  });

  it('takes too-old before base-moved', () => {
    expect(staleness({ maxAge, now: NOW, image: { created: daysAgo(60), baseImages: { 'node-base': OLD } }, baseImages })?.kind).toBe('too-old');
  });

  it('never calls an image stale on facts it lacks: no created, no label, a base by tag, a base only one side names', () => {
    expect(staleness({ maxAge, now: NOW, image: {}, baseImages })).toBeUndefined();
    expect(staleness({ maxAge, now: NOW, image: { created: 'not a date' }, baseImages })).toBeUndefined();
    expect(staleness({ maxAge, now: NOW, image: { created: daysAgo(1), baseImages: { 'node-base': 'node-base:c-1' } }, baseImages })).toBeUndefined();
    expect(staleness({ maxAge, now: NOW, image: { created: daysAgo(1), baseImages: { other: OLD } }, baseImages })).toBeUndefined();
    expect(staleness({ maxAge, now: NOW, image: undefined, baseImages })).toBeUndefined();
  });
});

describe('helpers', () => {
  it('digestOf takes the digest of an exact reference only', () => {
    expect(digestOf(OLD)).toBe(`sha256:${'1'.repeat(64)}`);
    expect(digestOf('node-base:c-1')).toBeUndefined();
    expect(digestOf(undefined)).toBeUndefined();
  });

  it('ageText says days, else hours, else minutes', () => {
    expect(ageText(DAY)).toBe('1 day');
    expect(ageText(3 * 3_600_000)).toBe('3 hours');
    expect(ageText(61_000)).toBe('1 minute');
  });
});
