import { describe, expect, it } from 'vitest';
import { isLeftOver, STALE_TEMPORARY_MS, temporaryName, THIS_WRITER, writerOf } from './temporary-files.js';

const NOW = 1_000_000_000_000;
const OTHER_HOST = 'abcdef012345';
const alive = () => true;
const dead = () => false;

describe('temporary file names', () => {
  it('name their writer, host and PID', () => {
    const name = temporaryName('8681555077917325448');
    expect(name.startsWith('8681555077917325448.')).toBe(true);
    expect(writerOf(name)).toEqual(THIS_WRITER);
    expect(writerOf('1234.6f1c2b3a-uuid-of-an-older-server')).toBeUndefined();
  });

  it('take a file as left over once its writer on this host is dead, whatever its age', () => {
    const name = temporaryName('1', { host: THIS_WRITER.host, pid: 999_999 });
    expect(isLeftOver(name, NOW, NOW, new Set(), dead)).toBe(true);
    expect(isLeftOver(name, NOW, NOW, new Set(), alive)).toBe(false);
  });

  it("take this process's own file as left over unless it is writing it (a restarted container's PID 1)", () => {
    const name = temporaryName('1');
    expect(isLeftOver(name, NOW, NOW, new Set(), alive)).toBe(true);
    expect(isLeftOver(name, NOW, NOW, new Set([name]), alive)).toBe(false);
  });

  it('go by age for writers on other hosts and for names without a writer', () => {
    for (const name of [temporaryName('1', { host: OTHER_HOST, pid: 1 }), '1.6f1c2b3a-uuid-of-an-older-server']) {
      expect(isLeftOver(name, NOW - STALE_TEMPORARY_MS + 1000, NOW, new Set(), dead)).toBe(false);
      expect(isLeftOver(name, NOW - STALE_TEMPORARY_MS - 1000, NOW, new Set(), dead)).toBe(true);
    }
  });
});
