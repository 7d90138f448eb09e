import { describe, expect, it } from 'vitest';
import { formatCheckArgs, runTargetsArgs, showProjectsArgs } from '../lib/nx.mjs';

const affected = { mode: 'affected', base: 'b'.repeat(40), head: 'h'.repeat(40), reason: 'x' } as const;
const all = { mode: 'all', head: 'h'.repeat(40), reason: 'x' } as const;

describe('Nx command lines for a range', () => {
  it('uses nx affected with both SHAs, or nx run-many for every project', () => {
    expect(runTargetsArgs(affected, ['lint', 'test'])).toEqual(['affected', '-t', 'lint', 'test', `--base=${affected.base}`, `--head=${affected.head}`]);
    expect(runTargetsArgs(all, ['docker:build'])).toEqual(['run-many', '-t', 'docker:build']);
    expect(showProjectsArgs(affected, 'docker:build')).toEqual([
      'show',
      'projects',
      '--affected',
      `--base=${affected.base}`,
      `--head=${affected.head}`,
      '-t',
      'docker:build',
      '--json',
    ]);
    expect(showProjectsArgs(all, 'docker:build')).toEqual(['show', 'projects', '-t', 'docker:build', '--json']);
    expect(formatCheckArgs(affected)).toEqual(['format:check', `--base=${affected.base}`, `--head=${affected.head}`]);
    expect(formatCheckArgs(all)).toEqual(['format:check', '--all']);
  });
});
