import { describe, expect, it } from 'vitest';
import { pinBases } from './exact-bases';

const pinned = '127.0.0.1:5000/node-base@sha256:' + 'a'.repeat(64);

describe('pinBases', () => {
  it('pins a bare FROM, keeping the stage name', () => {
    expect(pinBases('FROM node-base AS base\nRUN true\n', [{ line: 1, kind: 'from', raw: 'node-base', reference: pinned }])).toBe(
      `FROM ${pinned} AS base\nRUN true\n`,
    );
  });

  it('pins an ARG-built FROM with a platform flag, written as the ARGs spell it', () => {
    const text = 'ARG REGISTRY=r.example.com\nFROM --platform=linux/amd64 ${REGISTRY}/node-base:${TAG}\n';
    expect(pinBases(text, [{ line: 2, kind: 'from', raw: '${REGISTRY}/node-base:${TAG}', reference: pinned }])).toBe(
      `ARG REGISTRY=r.example.com\nFROM --platform=linux/amd64 ${pinned}\n`,
    );
  });

  it('pins COPY --from and RUN --mount from=, on continuation lines too', () => {
    const text = 'FROM debian\nCOPY --chown=1 \\\n  --from=node-base /a /b\nRUN --mount=type=bind,from=node-base,target=/x true\n';
    expect(
      pinBases(text, [
        { line: 2, kind: 'copy-from', raw: 'node-base', reference: pinned },
        { line: 4, kind: 'mount-from', raw: 'node-base', reference: pinned },
      ]),
    ).toBe(`FROM debian\nCOPY --chown=1 \\\n  --from=${pinned} /a /b\nRUN --mount=type=bind,from=${pinned},target=/x true\n`);
  });

  it('does not touch a longer name that starts with the same letters', () => {
    expect(() => pinBases('FROM node-base-old\n', [{ line: 1, kind: 'from', raw: 'node-base', reference: pinned }])).toThrow(
      /line 1: could not find "node-base"/,
    );
  });
});
