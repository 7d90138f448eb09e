import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sayOncePerRun } from './say-once';

describe('sayOncePerRun', () => {
  let markers: string;
  beforeEach(() => {
    markers = join(mkdtempSync(join(tmpdir(), 'imagewise-say-once-')), 'markers');
  });
  afterEach(() => rmSync(join(markers, '..'), { recursive: true, force: true }));

  it('says a line once per command, and another line too', () => {
    const said: string[] = [];
    for (const line of ['note a', 'note a', 'note b', 'note a']) sayOncePerRun((text) => said.push(text), line, markers);
    expect(said).toEqual(['note a', 'note b']);
    expect(readdirSync(markers)).toHaveLength(2);
  });

  it("removes the markers of commands that have ended, not this command's", () => {
    sayOncePerRun(() => undefined, 'first', markers);
    const [ours] = readdirSync(markers);
    const pid = ours.split('-')[0];
    // Above Linux's highest PID: ended. This command's PID with another start time: reused, so ended too.
    writeFileSync(join(markers, '4194305-123-0123abcd'), '');
    writeFileSync(join(markers, `${pid}-1-0123abcd`), '');
    sayOncePerRun(() => undefined, 'second', markers);
    const left = readdirSync(markers);
    expect(left).toHaveLength(2);
    expect(left).toContain(ours);
    expect(left.every((name) => name.startsWith(`${pid}-`) && !name.startsWith(`${pid}-1-`))).toBe(true);
  });
});
