// The few generator helpers that live in @nx/devkit rather than in nx itself.
// The plugin takes everything else from the user's own nx (nx/src/devkit-exports),
// so it needs no @nx/devkit: each @nx/devkit release requires a narrow band of
// Nx versions, and npm cannot pick one that matches the user's Nx (see the README).
import { execSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { render } from 'ejs';
import { detectPackageManager, getPackageManagerCommand, type Tree } from 'nx/src/devkit-exports';

/**
 * Writes every file under `sourceDir` to `targetDir` in the tree, rendered as an
 * EJS template with `substitutions`; `__name__` in a path becomes the value of
 * `name`, and a `.template` suffix is dropped.
 */
export function generateFiles(tree: Tree, sourceDir: string, targetDir: string, substitutions: Record<string, unknown>): void {
  const files = readdirSync(sourceDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  if (files.length === 0) throw new Error(`no template files in ${sourceDir}`);
  for (const entry of files) {
    const source = join(entry.parentPath, entry.name);
    let path = join(targetDir, relative(sourceDir, source)).replace(/\.template$/, '');
    path = path.replace(/__([A-Za-z0-9]+)__/g, (whole, key: string) => (key in substitutions ? String(substitutions[key]) : whole));
    tree.write(path, render(readFileSync(source, 'utf8'), substitutions, { filename: source }));
  }
}

/** `../` once per directory of a workspace-relative path: `services/notifier` → `../../`. */
export function offsetFromRoot(dir: string): string {
  return dir === '.' || dir === '' ? './' : '../'.repeat(dir.split('/').filter(Boolean).length);
}

/** Where a workspace keeps its Prettier configuration, when it has one. */
const PRETTIER_CONFIGS = [
  '.prettierrc',
  '.prettierrc.json',
  '.prettierrc.json5',
  '.prettierrc.yaml',
  '.prettierrc.yml',
  '.prettierrc.toml',
  '.prettierrc.js',
  '.prettierrc.cjs',
  '.prettierrc.mjs',
  '.prettierrc.ts',
  'prettier.config.js',
  'prettier.config.cjs',
  'prettier.config.mjs',
  'prettier.config.ts',
];

interface Prettier {
  getFileInfo(file: string, options: { ignorePath?: string; resolveConfig?: boolean }): Promise<{ ignored: boolean; inferredParser: string | null }>;
  resolveConfig(file: string, options?: { editorconfig?: boolean }): Promise<Record<string, unknown> | null>;
  format(source: string, options: Record<string, unknown>): string | Promise<string>;
}

/**
 * Formats the files the generator wrote or changed with the workspace's own
 * Prettier, when the workspace uses it (has it installed and a Prettier
 * configuration) and NX_SKIP_FORMAT is not `true`; files Prettier ignores or
 * has no parser for stay as written.
 */
export async function formatFiles(tree: Tree): Promise<void> {
  if (process.env.NX_SKIP_FORMAT === 'true' || !usesPrettier(tree)) return;
  const prettier = await loadPrettier(tree.root);
  if (!prettier) return;
  for (const change of tree.listChanges()) {
    if (change.type === 'DELETE') continue;
    const file = join(tree.root, change.path);
    const info = await prettier.getFileInfo(file, { ignorePath: join(tree.root, '.prettierignore'), resolveConfig: true });
    if (info.ignored || !info.inferredParser) continue;
    const config = (await prettier.resolveConfig(file, { editorconfig: true })) ?? {};
    tree.write(change.path, await prettier.format(tree.read(change.path, 'utf-8')!, { ...config, filepath: file }));
  }
}

function usesPrettier(tree: Tree): boolean {
  if (PRETTIER_CONFIGS.some((name) => tree.exists(name))) return true;
  if (!tree.exists('package.json')) return false;
  try {
    return JSON.parse(tree.read('package.json', 'utf-8')!).prettier !== undefined;
  } catch {
    return false;
  }
}

/** The workspace's Prettier (v3 is ESM, v2 CommonJS), or undefined when it has none. */
async function loadPrettier(root: string): Promise<Prettier | undefined> {
  let entry: string;
  try {
    entry = require.resolve('prettier', { paths: [root] });
  } catch {
    return undefined;
  }
  const loaded = (await import(pathToFileURL(entry).href)) as Prettier & { default?: Prettier };
  return typeof loaded.format === 'function' ? loaded : loaded.default;
}

/** Installs the workspace's packages with its package manager, as `nx g` does after a generator that added some. */
export function installPackages(tree: Tree): void {
  const command = getPackageManagerCommand(detectPackageManager(tree.root)).install;
  execSync(command, { cwd: tree.root, stdio: process.env.NX_GENERATE_QUIET === 'true' ? 'ignore' : 'inherit', windowsHide: true });
}
