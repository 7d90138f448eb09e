import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTEXT_MTIME, listBuildContext, normalisedMode } from './build-context';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'build-context-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes each file (parents made), mode 0o644 unless given. */
const files = (...paths: Array<string | [string, number]>) => {
  for (const entry of paths) {
    const [path, mode] = typeof entry === 'string' ? [entry, 0o644] : entry;
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), path);
    chmodSync(join(dir, path), mode);
  }
};

const paths = (dockerignore?: string) => listBuildContext(dir, dockerignore).map((entry) => entry.path);

describe('listBuildContext', () => {
  it('lists every file and directory, sorted by path', () => {
    files('b.txt', 'a/y/z.txt', 'a/x.txt', 'a-b.txt', 'Dockerfile');
    mkdirSync(join(dir, 'empty'));
    expect(listBuildContext(dir, undefined)).toEqual([
      { path: 'Dockerfile', kind: 'file', executable: false },
      { path: 'a', kind: 'directory' },
      { path: 'a-b.txt', kind: 'file', executable: false },
      { path: 'a/x.txt', kind: 'file', executable: false },
      { path: 'a/y', kind: 'directory' },
      { path: 'a/y/z.txt', kind: 'file', executable: false },
      { path: 'b.txt', kind: 'file', executable: false },
      { path: 'empty', kind: 'directory' },
    ]);
  });

  it('lists everything when there is no .dockerignore', () => {
    files('.env', 'node_modules/x/index.js', 'app.log');
    expect(paths(undefined)).toEqual(['.env', 'app.log', 'node_modules', 'node_modules/x', 'node_modules/x/index.js']);
  });

  it('drops ignored files and ignored directories with all they hold', () => {
    files('Dockerfile', 'app.log', 'src/main.js', 'src/debug.log', 'node_modules/x/index.js');
    expect(paths('node_modules\n*.log\n**/*.log\n')).toEqual(['Dockerfile', 'src', 'src/main.js']);
  });

  it('brings back an exception inside an ignored directory, with the directory that holds it and nothing else', () => {
    files('docs/keep.md', 'docs/other.md', 'docs/deep/note.md', 'node_modules/x/index.js', 'README.md');
    expect(listBuildContext(dir, 'docs\nnode_modules\n!docs/keep.md\n')).toEqual([
      { path: 'README.md', kind: 'file', executable: false },
      { path: 'docs', kind: 'directory' },
      { path: 'docs/keep.md', kind: 'file', executable: false },
    ]);
  });

  it('tells executable files from others by the owner execute bit', () => {
    files(['run.sh', 0o755], ['data.txt', 0o664]);
    expect(listBuildContext(dir, undefined)).toEqual([
      { path: 'data.txt', kind: 'file', executable: false },
      { path: 'run.sh', kind: 'file', executable: true },
    ]);
  });

  it('lists a symlink with its target, without following it', () => {
    files('real/file.txt');
    symlinkSync('real', join(dir, 'linked-dir'));
    symlinkSync('real/file.txt', join(dir, 'linked-file'));
    symlinkSync('nowhere', join(dir, 'dangling'));
    expect(listBuildContext(dir, undefined)).toEqual([
      { path: 'dangling', kind: 'symlink', target: 'nowhere' },
      { path: 'linked-dir', kind: 'symlink', target: 'real' },
      { path: 'linked-file', kind: 'symlink', target: 'real/file.txt' },
      { path: 'real', kind: 'directory' },
      { path: 'real/file.txt', kind: 'file', executable: false },
    ]);
  });
});

describe('normalisedMode', () => {
  it('sends files 0644, or 0755 when executable, whatever the checkout gave them', () => {
    expect(normalisedMode({ path: 'a', kind: 'file', executable: false })).toBe(0o644);
    expect(normalisedMode({ path: 'a', kind: 'file', executable: true })).toBe(0o755);
  });

  it('sends directories 0755', () => {
    expect(normalisedMode({ path: 'a', kind: 'directory' })).toBe(0o755);
  });
});

describe('CONTEXT_MTIME', () => {
  it('is a fixed time after 1980-01-01, the earliest zip can store', () => {
    expect(CONTEXT_MTIME.getTime()).toBeGreaterThan(Date.parse('1980-01-01T00:00:00Z'));
  });
});
