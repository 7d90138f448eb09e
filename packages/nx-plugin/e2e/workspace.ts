// Temporary Nx workspaces with the plugin installed from its packed tarball.
// One npm install per test run (the template, made by template-setup.ts); each
// workspace links the template's node_modules, so it runs the packed plugin,
// not this monorepo's source.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { inject } from 'vitest';
import { NX_DEFAULT_PLUGIN_ISOLATION } from '../../../tools/engine/test/real-nx-suite';

const PACKS = resolve(__dirname, '../../../dist/packs');

export function pluginTarball(): string {
  const name = readdirSync(PACKS).find((file) => /^imagewise-nx-plugin-.*\.tgz$/.test(file));
  if (!name) throw new Error(`no @imagewise/nx-plugin tarball in ${PACKS}: run nx run nx-plugin:pack`);
  return join(PACKS, name);
}

/** The Nx this monorepo builds and tests the plugin with. */
export const WORKSPACE_NX = '23.2.1';

/**
 * npm-installs nx (this monorepo's version unless told which) and the packed
 * plugin into a new directory, with a plain `npm install` as a user would; returns it.
 * `lockOnly` stops after resolving the tree and writing package-lock.json
 * (`--package-lock-only`), for a caller that installs from it with `npm ci`.
 */
export function installTemplate(nx: string = WORKSPACE_NX, { lockOnly = false } = {}): string {
  const template = mkdtempSync(join(tmpdir(), 'imagewise-template-'));
  writeFiles(template, {
    'package.json': JSON.stringify({
      name: 'template',
      private: true,
      devDependencies: { nx, '@imagewise/nx-plugin': `file:${pluginTarball()}` },
    }),
  });
  const args = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...(lockOnly ? ['--package-lock-only'] : [])];
  execFileSync('npm', args, {
    cwd: template,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return template;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The directory whose node_modules hold this monorepo's Nx and the packed plugin. */
    nxTemplate: string;
  }
}

/**
 * The run's template (this monorepo's Nx and the packed plugin), installed once
 * by template-setup.ts. Workspaces share its node_modules: no test writes there.
 */
export function sharedTemplate(): string {
  const template = inject('nxTemplate');
  if (!template) throw new Error("no shared template: add e2e/template-setup.ts to the suite's globalSetup");
  return template;
}

/** The text files under `dir` (recursively), keyed by `prefix`/relative path: a real project to put in a Workspace. */
export function filesUnder(dir: string, prefix: string, skip: RegExp = /(?:^|\/)(?:node_modules|dist|__pycache__)(?:\/|$)/): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name).slice(dir.length + 1);
    if (entry.isFile() && !skip.test(path)) files[`${prefix}/${path}`] = readFileSync(join(dir, path), 'utf8');
  }
  return files;
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

export class Workspace {
  readonly root: string;
  /** More environment for every nx run (DOCKER_HOST, IMAGEWISE_REGISTRY, …). */
  env: Record<string, string> = {};
  /** Whether nx runs use the Nx daemon; a test that turns it on stops it with {@link stopDaemon}. */
  daemon = false;
  /** Whether nx runs load plugins as Nx does by default, in isolated workers, rather than in process (the suites' PLUGINS_IN_PROCESS). */
  isolatedPlugins = false;

  constructor(template: string, files: Record<string, string>) {
    this.root = mkdtempSync(join(tmpdir(), 'imagewise-ws-'));
    symlinkSync(join(template, 'node_modules'), join(this.root, 'node_modules'));
    writeFiles(this.root, { '.gitignore': 'node_modules\n.nx\n.nx-stdout\n', ...files });
    this.git('init', '-q', '-b', 'main');
    this.commit('initial');
  }

  git(...args: string[]): string {
    return execFileSync('git', ['-c', 'user.email=e2e@imagewise.test', '-c', 'user.name=e2e', ...args], {
      cwd: this.root,
      encoding: 'utf8',
    });
  }

  /** Runs nx; returns its stdout. Throws with stdout and stderr when it fails. */
  nx(...args: string[]): string {
    return this.run(...args).stdout;
  }

  /**
   * Starts nx in a process group of its own (so a test can interrupt it and
   * everything it started); `output` resolves once nx has exited.
   */
  start(...args: string[]): { child: ChildProcess; output: Promise<{ code: number | null; stdout: string; stderr: string }> } {
    const child = spawn(process.execPath, [join(this.root, 'node_modules/.bin/nx'), ...args], {
      cwd: this.root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: this.nxEnv(),
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const output = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      child.on('close', (code) => resolve({ code, stdout, stderr })),
    );
    return { child, output };
  }

  run(...args: string[]): { stdout: string; stderr: string } {
    // stdout goes to a file: through a pipe, nx 23 sometimes exits before it has
    // written all of its output (seen here with and without plugins).
    const outFile = join(this.root, '.nx-stdout');
    const out = openSync(outFile, 'w');
    const result = spawnSync(process.execPath, [join(this.root, 'node_modules/.bin/nx'), ...args], {
      cwd: this.root,
      encoding: 'utf8',
      stdio: ['ignore', out, 'pipe'],
      env: this.nxEnv(),
    });
    closeSync(out);
    const stdout = readFileSync(outFile, 'utf8');
    if (result.status !== 0) throw new Error(`nx ${args.join(' ')} exited ${result.status}:\n${stdout}\n${result.stderr}`);
    return { stdout, stderr: result.stderr };
  }

  /** Runs nx expecting it to fail; returns what it printed. */
  failing(...args: string[]): string {
    try {
      this.run(...args);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error(`nx ${args.join(' ')} succeeded`);
  }

  private nxEnv(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      ...this.env,
      ...(this.isolatedPlugins && NX_DEFAULT_PLUGIN_ISOLATION),
      NX_DAEMON: String(this.daemon),
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      FORCE_COLOR: '0',
    };
  }

  /** Stops this workspace's Nx daemon, if one runs, and goes back to running without one. */
  stopDaemon(): void {
    this.run('daemon', '--stop');
    this.daemon = false;
  }

  /** Projects affected by the uncommitted changes. */
  affected(): string[] {
    return (JSON.parse(this.nx('show', 'projects', '--affected', '--base=HEAD', '--json')) as string[]).sort();
  }

  /** Files and external nodes that are inputs of a task. */
  inputs(task: string): { files: string[]; external: string[] } {
    return JSON.parse(this.nx('show', 'target', 'inputs', task, '--json'));
  }

  write(files: Record<string, string>): void {
    writeFiles(this.root, files);
  }

  /** Commits every change of the working tree. */
  commit(message: string): void {
    this.git('add', '-A');
    this.git('commit', '-q', '-m', message);
  }

  /** Back to the committed state. */
  reset(): void {
    this.git('checkout', '-q', '--', '.');
    this.git('clean', '-q', '-fd');
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
