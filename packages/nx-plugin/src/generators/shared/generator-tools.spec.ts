import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FsTree } from 'nx/src/generators/tree';
import { afterEach, describe, expect, it } from 'vitest';
import { formatFiles, generateFiles, installPackages, offsetFromRoot } from './generator-tools';

const dirs: string[] = [];
function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'generator-tools-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A stand-in Prettier (CommonJS, like v2) that upper-cases what it formats and marks it with the config it got. */
const FAKE_PRETTIER = `
const { basename } = require('node:path');
module.exports = {
  async getFileInfo(file, { ignorePath }) {
    const ignored = require('node:fs').existsSync(ignorePath) && require('node:fs').readFileSync(ignorePath, 'utf8').split('\\n').includes(basename(file));
    return { ignored, inferredParser: file.endsWith('.json') || file.endsWith('.ts') ? 'babel' : null };
  },
  async resolveConfig() { return { semi: false }; },
  format(source, options) { return source.toUpperCase() + '// semi=' + options.semi + '\\n'; },
};
`;

describe('generateFiles', () => {
  it('renders EJS templates, substitutes __names__ in paths and drops .template', () => {
    const source = tempDir({
      '__dot__dockerignore.template': 'node_modules\n',
      'src/__name__.ts.template': 'export const name = "<%- name %>";\n<% if (extra) { %>export const extra = true;\n<% } %>',
    });
    const tree = new FsTree(tempDir({}), false);
    generateFiles(tree, source, 'services/notifier', { dot: '.', name: 'notifier', extra: false });
    expect(
      tree
        .listChanges()
        .map((change) => change.path)
        .sort(),
    ).toEqual(['services/notifier/.dockerignore', 'services/notifier/src/notifier.ts']);
    expect(tree.read('services/notifier/src/notifier.ts', 'utf-8')).toBe('export const name = "notifier";\n');
  });

  it('fails on an empty template directory', () => {
    expect(() => generateFiles(new FsTree(tempDir({}), false), tempDir({}), 'x', {})).toThrow(/no template files/);
  });
});

describe('offsetFromRoot', () => {
  it('climbs one level per directory', () => {
    expect(offsetFromRoot('services/notifier')).toBe('../../');
    expect(offsetFromRoot('services/notifier/')).toBe('../../');
    expect(offsetFromRoot('.')).toBe('./');
  });
});

describe('formatFiles', () => {
  const workspace = (files: Record<string, string>) => {
    const root = tempDir({
      'package.json': '{}',
      'node_modules/prettier/package.json': '{"name":"prettier","main":"index.js"}',
      'node_modules/prettier/index.js': FAKE_PRETTIER,
      ...files,
    });
    const tree = new FsTree(root, false);
    tree.write('a.json', '{"a": 1}\n');
    tree.write('Dockerfile', 'from node\n');
    tree.write('skipped.ts', 'x\n');
    return tree;
  };

  it("formats the changed files Prettier has a parser for and does not ignore, with the workspace's config", async () => {
    const tree = workspace({ '.prettierrc': '{}', '.prettierignore': 'skipped.ts\n' });
    await formatFiles(tree);
    expect(tree.read('a.json', 'utf-8')).toBe('{"A": 1}\n// semi=false\n');
    expect(tree.read('Dockerfile', 'utf-8')).toBe('from node\n');
    expect(tree.read('skipped.ts', 'utf-8')).toBe('x\n');
  });

  it('leaves files as written in a workspace with no Prettier configuration, or with NX_SKIP_FORMAT=true', async () => {
    const unconfigured = workspace({});
    await formatFiles(unconfigured);
    expect(unconfigured.read('a.json', 'utf-8')).toBe('{"a": 1}\n');
    const skipped = workspace({ '.prettierrc': '{}' });
    process.env.NX_SKIP_FORMAT = 'true';
    try {
      await formatFiles(skipped);
    } finally {
      delete process.env.NX_SKIP_FORMAT;
    }
    expect(skipped.read('a.json', 'utf-8')).toBe('{"a": 1}\n');
  });

  it('does nothing when Prettier is not installed', async () => {
    const tree = new FsTree(tempDir({ 'package.json': '{"prettier":{}}' }), false);
    tree.write('a.json', '{"a": 1}\n');
    await formatFiles(tree);
    expect(tree.read('a.json', 'utf-8')).toBe('{"a": 1}\n');
  });
});

describe('installPackages', () => {
  it("runs the workspace's package manager install in its root", () => {
    const root = tempDir({ 'package.json': '{"name":"w","private":true}' });
    process.env.NX_GENERATE_QUIET = 'true';
    try {
      installPackages(new FsTree(root, false));
    } finally {
      delete process.env.NX_GENERATE_QUIET;
    }
    expect(existsSync(join(root, 'package-lock.json'))).toBe(true);
  });
});

describe('the published plugin', () => {
  it("loads nothing from @nx/devkit: it runs on the user's nx alone", () => {
    const src = join(__dirname, '../..');
    const offenders = readdirSync(src, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
      .map((entry) => join(entry.parentPath, entry.name))
      .filter((file) => /(?:from|require\(|import\()\s*['"]@nx\/devkit/.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
