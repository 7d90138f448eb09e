// The CI script as a test workspace holds it.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const CI_DIR = resolve(import.meta.dirname, '..');

/** ci.mjs and lib/ as the repository holds them, nothing that makes an Nx project. */
export function ciScriptFiles(): Record<string, string> {
  const files: Record<string, string> = { 'tools/ci/ci.mjs': readFileSync(join(CI_DIR, 'ci.mjs'), 'utf8') };
  for (const name of readdirSync(join(CI_DIR, 'lib'))) files[`tools/ci/lib/${name}`] = readFileSync(join(CI_DIR, 'lib', name), 'utf8');
  return files;
}
