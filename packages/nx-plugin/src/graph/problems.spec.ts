import { describe, expect, it } from 'vitest';
import { formatProblem, limitProblems, type Problem } from './problems';

const problem = (file: string, line: number, message = `problem on line ${line}`): Problem => ({ file, line, message });

describe('limitProblems', () => {
  it('keeps a few problems per file, in order, and counts the rest', () => {
    const many = Array.from({ length: 40 }, (_, i) => problem('a/Dockerfile', i + 1));
    const limited = limitProblems([...many, problem('b/Dockerfile', 3)]);
    expect(limited).toEqual([
      ...many.slice(0, 5),
      problem('b/Dockerfile', 3),
      { file: 'a/Dockerfile', line: 0, message: 'has 35 more problems, not shown: fix the ones above first' },
    ]);
  });

  it('leaves five or fewer problems of a file alone', () => {
    const five = Array.from({ length: 5 }, (_, i) => problem('a/Dockerfile', i + 1));
    expect(limitProblems(five)).toEqual(five);
  });

  it('shortens a message that grew past a few lines of advice', () => {
    const [long] = limitProblems([problem('a/Dockerfile', 1, 'x'.repeat(5000))]);
    expect(long.message).toBe(`${'x'.repeat(400)}…`);
  });
});

describe('formatProblem', () => {
  it('escapes control characters a message or a path carries, so a file cannot drive the terminal', () => {
    const line = formatProblem(problem('a\u001b[2J/x.json', 1, 'is not valid JSON (Unexpected token \'\u0007\', "\u0001\u009b31m" is not valid JSON)'));
    expect(line).toBe('a\\u001b[2J/x.json:1: is not valid JSON (Unexpected token \'\\u0007\', "\\u0001\\u009b31m" is not valid JSON)');
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });
});
