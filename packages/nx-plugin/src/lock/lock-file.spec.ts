import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatLockFile, parseLockFile, type ImageLock } from './lock-file';

const PATH = 'services/notifier/imagewise.lock.json';
const NODE = `sha256:${'1'.repeat(64)}`;
const PYTHON = `sha256:${'ab'.repeat(32)}`;

const problemOf = (text: string) => {
  const read = parseLockFile(text, PATH);
  if (!('problem' in read)) throw new Error(`expected a problem, got ${JSON.stringify(read)}`);
  return read.problem;
};

describe('parseLockFile', () => {
  it('reads the upstream digests', () => {
    const text = `{\n  "upstream": {\n    "docker.io/library/node:18": "${NODE}",\n    "docker.io/library/python:3.11": "${PYTHON}"\n  }\n}\n`;
    expect(parseLockFile(text, PATH)).toEqual({
      lock: { upstream: { 'docker.io/library/node:18': NODE, 'docker.io/library/python:3.11': PYTHON } },
    });
    expect(parseLockFile('{"upstream": {}}', PATH)).toEqual({ lock: { upstream: {} } });
  });

  it('reports invalid JSON on the line the parser stopped, with the path and what to do', () => {
    const text = `{\n  "upstream": {\n    "docker.io/library/node:18": "${NODE}"\n    "docker.io/library/python:3.11": "${PYTHON}"\n  }\n}\n`;
    const problem = problemOf(text);
    expect(problem.line).toBe(4);
    expect(problem.message).toMatch(new RegExp(`^${PATH} is not valid JSON \\(.+\\); fix it or delete it and run the docker:lock target$`));
  });

  it('reports JSON that ends too early on its last line, not line 1', () => {
    expect(problemOf(`{\n  "upstream": {\n    "docker.io/library/node:18": "${NODE}"`).line).toBe(3);
    expect(problemOf('').line).toBe(1);
  });

  it('reports trailing garbage on its line', () => {
    expect(problemOf(`{"upstream": {}}\n\n}`).line).toBe(3);
  });

  it('reports a file without an upstream object', () => {
    for (const text of ['{}', '[]', 'null', '42', '{"upstream": []}', '{"upstream": null}', '{"upstream": "x"}']) {
      const problem = problemOf(text);
      expect(problem.line, text).toBe(1);
      expect(problem.message, text).toBe(`${PATH}: expected {"upstream": {"<image reference>": "sha256:…"}}; run the docker:lock target to rewrite it`);
    }
  });

  it('reports a bad digest on the line of its reference', () => {
    const bad = [`sha256:${'1'.repeat(63)}`, `sha256:${'A'.repeat(64)}`, `sha512:${'1'.repeat(128)}`, NODE.slice(7), 42, null, ''];
    for (const digest of bad) {
      const text = `{\n  "upstream": {\n    "docker.io/library/node:18": "${NODE}",\n    "docker.io/library/python:3.11": ${JSON.stringify(digest)}\n  }\n}\n`;
      expect(problemOf(text), String(digest)).toEqual({
        line: 4,
        message: `${PATH}: "docker.io/library/python:3.11" has no valid sha256 digest; run the docker:lock target to refresh it`,
      });
    }
  });

  it('finds the line of a bad digest under an escaped key', () => {
    const text = `{\n  "upstream": {\n    "docker.io/library/node:18": "${NODE}",\n    "docker.io\\/library/python:3.11": "nope"\n  }\n}`;
    expect(problemOf(text).line).toBe(4);
  });
});

describe('formatLockFile', () => {
  it('writes sorted keys, two-space indentation and a trailing newline', () => {
    const text = formatLockFile({ upstream: { 'docker.io/library/python:3.11': PYTHON, 'docker.io/library/node:18': NODE } });
    expect(text).toBe(`{\n  "upstream": {\n    "docker.io/library/node:18": "${NODE}",\n    "docker.io/library/python:3.11": "${PYTHON}"\n  }\n}\n`);
    expect(formatLockFile({ upstream: {} })).toBe('{\n  "upstream": {}\n}\n');
  });

  it('sorts by code point, the same on every machine whatever its locale', () => {
    // Most locales collate "a" before "B"; code points put "B" (0x42) first.
    const text = formatLockFile({
      upstream: { 'a.example.com/x': NODE, 'B.example.com/x': NODE, 'docker.io/library/node:18-slim': NODE, 'docker.io/library/node:18': NODE },
    });
    expect(Object.keys((JSON.parse(text) as ImageLock).upstream)).toEqual([
      'B.example.com/x',
      'a.example.com/x',
      'docker.io/library/node:18',
      'docker.io/library/node:18-slim',
    ]);
  });
});

describe('lock file round trip', () => {
  const digest = fc.stringMatching(/^[a-f0-9]{64}$/).map((hex) => `sha256:${hex}`);
  const reference = fc.oneof(
    fc.stringMatching(/^docker\.io\/library\/[a-z0-9]{1,12}(:[a-z0-9.-]{1,10})?$/),
    fc.stringMatching(/^[a-z]{1,8}\.example\.com(:[0-9]{2,5})?\/[a-z0-9/_-]{1,20}$/),
    fc.string(),
  );
  const locks = fc.dictionary(reference, digest).map((upstream): ImageLock => ({ upstream }));

  it('property: parse(format(lock)) gives the lock back', () => {
    fc.assert(
      fc.property(locks, (lock) => {
        expect(parseLockFile(formatLockFile(lock), PATH)).toEqual({ lock });
      }),
    );
  });

  it('property: formatting is canonical, whatever the key order', () => {
    fc.assert(
      fc.property(locks, (lock) => {
        const reversed: ImageLock = { upstream: Object.fromEntries(Object.entries(lock.upstream).reverse()) };
        const text = formatLockFile(lock);
        expect(formatLockFile(reversed)).toBe(text);
        const read = parseLockFile(text, PATH);
        expect('lock' in read && formatLockFile(read.lock)).toBe(text);
      }),
    );
  });
});
