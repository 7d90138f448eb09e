// The fuzz set: seeded mutations of this repository's real Dockerfiles.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './common.mjs';

/** Text real Dockerfiles of this repository are made of: what the fuzz set mutates. */
export function realDockerfiles() {
  const found = [];
  for (const top of ['images', 'services']) {
    for (const name of readdirSync(join(REPO_ROOT, top))) {
      const path = join(REPO_ROOT, top, name, 'Dockerfile');
      if (existsSync(path)) found.push(readFileSync(path, 'utf8'));
    }
  }
  return found;
}

export function fuzzedDockerfiles({ dockerfile }, random, fuzz) {
  // Seeded mutations of this repository's real Dockerfiles.
  const sources = realDockerfiles();
  for (let i = 0; i < fuzz; i++) {
    const text = mutate(random, random.pick(sources));
    dockerfile(`fuzz-${String(i).padStart(3, '0')}`, text, { category: 'fuzz (mutated real Dockerfiles)' });
  }
}

const KEYWORDS = [
  'FROM',
  'RUN',
  'COPY',
  'ADD',
  'ARG',
  'ENV',
  'ONBUILD',
  'WORKDIR',
  'USER',
  'LABEL',
  'CMD',
  'ENTRYPOINT',
  'HEALTHCHECK',
  'SHELL',
  'EXPOSE',
  'VOLUME',
  'STOPSIGNAL',
  'MAINTAINER',
];
const FRAGMENTS = [
  'base',
  'base:1.0.0',
  'node-base',
  '${BASE}',
  '${BASE:-base}',
  '${BASE:+x}',
  '$BASE',
  'AS build',
  'AS base',
  '--from=build',
  '--from=base',
  '--from=0',
  '--from=99',
  '--mount=from=base,target=/x',
  '--platform=$BUILDPLATFORM',
  '<<EOF',
  'EOF',
  '\\',
  '`',
  '#',
  '# escape=`',
  '# syntax=docker/dockerfile:1',
  '"',
  "'",
  '[',
  ']',
  '{',
  '}',
  '${',
  '}',
  '${A:-${B:-${C}}}',
  'scratch',
  '@sha256:' + '0'.repeat(64),
  'registry.example.com/platform/base',
  ':latest',
  '\t',
  '\u00a0',
  '\u200b',
  '\ud800',
];

/** One to four edits of a real Dockerfile: lines deleted, repeated, swapped, spliced; bytes flipped; fragments and keywords inserted. */
export function mutate(random, source) {
  let lines = source.split('\n');
  const edits = random.int(1, 4);
  for (let e = 0; e < edits; e++) {
    const at = random.int(0, Math.max(0, lines.length - 1));
    switch (random.int(0, 9)) {
      case 0:
        lines.splice(at, 1);
        break;
      case 1:
        lines.splice(at, 0, ...Array(random.int(1, random.next() < 0.1 ? 2000 : 5)).fill(lines[at] ?? ''));
        break;
      case 2: {
        const other = random.int(0, lines.length - 1);
        [lines[at], lines[other]] = [lines[other], lines[at]];
        break;
      }
      case 3:
        lines.splice(at, 0, `${random.pick(KEYWORDS)} ${Array.from({ length: random.int(1, 4) }, () => random.pick(FRAGMENTS)).join(' ')}`);
        break;
      case 4: {
        const line = lines[at] ?? '';
        const cut = random.int(0, line.length);
        lines[at] = line.slice(0, cut) + random.pick(FRAGMENTS) + line.slice(cut);
        break;
      }
      case 5:
        lines = lines.slice(0, at);
        break;
      case 6: {
        const text = lines.join('\n');
        const cut = random.int(0, text.length);
        lines = (text.slice(0, cut) + random.bytes(random.int(1, 64)).toString('latin1') + text.slice(cut)).split('\n');
        break;
      }
      case 7:
        lines[at] = (lines[at] ?? '').replace(/\S+/g, (word) => (random.next() < 0.3 ? random.pick(FRAGMENTS) : word));
        break;
      case 8:
        lines.unshift(random.pick(['# escape=`', '# escape=x', '# syntax=x', `ARG BASE=${random.pick(FRAGMENTS)}`, '\uFEFF']));
        break;
      default:
        lines[at] = `${lines[at] ?? ''} \\`;
        break;
    }
  }
  return lines.join(random.next() < 0.1 ? '\r\n' : '\n');
}
