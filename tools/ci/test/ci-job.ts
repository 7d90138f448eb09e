// CI jobs run as a runner runs them, for the end-to-end suites: the CI script
// as the repository holds it, a job's environment, and its lines in order.
import { closeSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { CHECKOUT_NX_CACHE, PLUGINS_IN_PROCESS } from '../../engine/test/real-nx-suite.ts';
import { readTemplate } from './templates.ts';

const CI_DIR = resolve(import.meta.dirname, '..');

/** The CI script as the repository holds it: ci.mjs and lib/, nothing that makes an Nx project. */
export function ciScriptFiles(): Record<string, string> {
  const files: Record<string, string> = { 'tools/ci/ci.mjs': readFileSync(join(CI_DIR, 'ci.mjs'), 'utf8') };
  for (const name of readdirSync(join(CI_DIR, 'lib'))) files[`tools/ci/lib/${name}`] = readFileSync(join(CI_DIR, 'lib', name), 'utf8');
  return files;
}

/**
 * This machine's environment less any CI's (and git's), plus the template's plain
 * global variables and `vars`; Nx set up as everywhere in the real-Nx suites. Its
 * cache in the job's checkout (CHECKOUT_NX_CACHE), as on a fresh runner: Nx 23.2
 * otherwise shares `~/.nx/<repository>` between the clones of one repository. Its
 * plugins in process (PLUGINS_IN_PROCESS): the CI script does not depend on it,
 * and pipelines.spec.ts took 197 CPU-s with isolated workers, 109 without.
 */
export function jobEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([name]) => !/^(CI|CI_.*|GITLAB_.*|GITHUB_.*|NX_.*|IMAGEWISE_.*|DOCKER_.*|GIT_.*)$/.test(name));
  const globals = Object.entries(readTemplate('.gitlab-ci.yml').variables as Record<string, string>).filter(([, value]) => !value.includes('$'));
  return { ...Object.fromEntries(inherited), ...Object.fromEntries(globals), ...CHECKOUT_NX_CACHE, ...PLUGINS_IN_PROCESS, FORCE_COLOR: '0', ...vars };
}

/**
 * Runs shell lines as a CI job does: in order, stopping at the first failure;
 * stdout and stderr in one log. Asynchronous, so fakes in the test's process answer meanwhile.
 */
export async function runJobLines(lines: string[], dir: string, env: NodeJS.ProcessEnv): Promise<{ code: number; log: string }> {
  const logFile = join(dir, '.job-log');
  const fd = openSync(logFile, 'w');
  let code = 0;
  try {
    for (const line of lines) {
      const child = spawn('bash', ['-ec', line], { cwd: dir, env, stdio: ['ignore', fd, fd] });
      code = await new Promise<number>((done) => child.on('close', (status) => done(status ?? 1)));
      if (code !== 0) break;
    }
  } finally {
    closeSync(fd);
  }
  return { code, log: readFileSync(logFile, 'utf8') };
}
