import { describe, expect, it } from 'vitest';
import { markedAsPin, packageJsonPins } from '../../library/pins';
import { replaceOnLine, withTag } from './text-edit';

describe('replaceOnLine', () => {
  const text = 'a 1.0\nARG X=1.0 # 1.0\nend\n';

  it('replaces the first occurrence after the anchor on that line only', () => {
    expect(replaceOnLine(text, 2, 'X=', '1.0', '2.0')).toBe('a 1.0\nARG X=2.0 # 1.0\nend\n');
    expect(replaceOnLine(text, 1, undefined, '1.0', '2.0')).toBe('a 2.0\nARG X=1.0 # 1.0\nend\n');
  });

  it('gives nothing when the line does not hold it after the anchor', () => {
    expect(replaceOnLine(text, 3, undefined, '1.0', '2.0')).toBeUndefined();
    expect(replaceOnLine(text, 2, 'Y=', '1.0', '2.0')).toBeUndefined();
    expect(replaceOnLine(text, 9, undefined, '1.0', '2.0')).toBeUndefined();
  });
});

describe('withTag', () => {
  it('replaces the tag at the end of a reference as written, quotes kept', () => {
    expect(withTag('reg.example.com:5000/node-base:1.0.0', '1.0.0', '1.1.0')).toBe('reg.example.com:5000/node-base:1.1.0');
    expect(withTag('"node-base:1.0.0"', '1.0.0', '1.1.0')).toBe('"node-base:1.1.0"');
    expect(withTag('node-base:1.0.0-1', '1.0.0', '1.1.0')).toBeUndefined();
  });
});

describe('pin markers', () => {
  const text = '# imagewise: pin until v2 ships\nFROM node-base:1.0.0\nlib==1.2  # imagewise: pin\nlib==1.2 # not pinned\n';

  it('a marker line before the line, or a trailing marker where the format has trailing comments', () => {
    expect(markedAsPin(text, 2, false)).toBe(true);
    expect(markedAsPin(text, 3, true)).toBe(true);
    expect(markedAsPin(text, 3, false)).toBe(false);
    expect(markedAsPin(text, 4, true)).toBe(false);
    expect(markedAsPin(text, 1, true)).toBe(true);
  });

  it('package.json lists pinned libraries under "imagewise".pin', () => {
    expect(packageJsonPins('{"imagewise":{"pin":["@imagewise/common",3]}}')).toEqual(['@imagewise/common']);
    expect(packageJsonPins('{"imagewise":{"pin":"@imagewise/common"}}')).toEqual([]);
    expect(packageJsonPins('{not json')).toEqual([]);
  });
});
