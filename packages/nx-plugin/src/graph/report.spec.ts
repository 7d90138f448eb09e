import { describe, expect, it } from 'vitest';
import { summariseProblems } from './report';

const unlocked = (file: string) => ({
  file,
  line: 0,
  message: 'upstream image docker.io/library/debian:bookworm has no locked digest; run the docker:lock target',
});

describe('summariseProblems', () => {
  it('prints a problem found once as it is', () => {
    expect(summariseProblems([{ file: 'a/Dockerfile', line: 3, message: 'base image x pinned at 1.0.0' }])).toEqual([
      'a/Dockerfile:3: base image x pinned at 1.0.0',
    ]);
  });

  it('prints one line for a message many files share, naming three and counting the rest', () => {
    const problems = Array.from({ length: 600 }, (_, i) => unlocked(`images/tool-${i}/amd64/Dockerfile`));
    expect(summariseProblems(problems)).toEqual([
      'images/tool-0/amd64/Dockerfile, images/tool-1/amd64/Dockerfile, images/tool-2/amd64/Dockerfile and 597 more: upstream image docker.io/library/debian:bookworm has no locked digest; run the docker:lock target',
    ]);
  });

  it('keeps distinct messages apart, in the order first found, with their lines', () => {
    const lines = summariseProblems([
      unlocked('a/Dockerfile'),
      { file: 'b/Dockerfile', line: 2, message: 'bad FROM' },
      unlocked('c/Dockerfile'),
      { file: 'd/Dockerfile', line: 7, message: 'bad FROM' },
    ]);
    expect(lines).toEqual([
      'a/Dockerfile, c/Dockerfile: upstream image docker.io/library/debian:bookworm has no locked digest; run the docker:lock target',
      'b/Dockerfile:2, d/Dockerfile:7: bad FROM',
    ]);
  });

  it('escapes control characters a file name carries', () => {
    expect(summariseProblems([unlocked('a\u001b[2J/Dockerfile'), unlocked('b/Dockerfile')])[0]).not.toContain('\u001b');
  });
});
