// Temporary Nx workspaces for the remote cache: Nx itself comes from this
// monorepo's node_modules (symlinked), since these tests are about the server.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHECKOUT_NX_CACHE } from '../../../tools/engine/test/real-nx-suite.js';

const MONOREPO_NODE_MODULES = fileURLToPath(new URL('../../../node_modules', import.meta.url));

/**
 * Writes a few KB of text, a binary file and a nested one: outputs worth
 * comparing byte by byte. With CACHE_E2E_BARRIER=<dir>:<n> it first waits until
 * n builds have reached the barrier, so concurrent runs all miss before any stores.
 */
const BUILD_SCRIPT = `
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
const [name, size] = [process.argv[2], Number(process.argv[3] ?? 200000)];
const barrier = process.env.CACHE_E2E_BARRIER;
if (barrier) {
  const [dir, count] = barrier.split(':');
  writeFileSync(dir + '/' + process.pid, '');
  const deadline = Date.now() + 60000;
  while (readdirSync(dir).length < Number(count)) {
    if (Date.now() > deadline) throw new Error('barrier: the other builds never came');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
mkdirSync('dist/nested', { recursive: true });
writeFileSync('dist/main.js', 'export const name = ' + JSON.stringify(name) + ';\\n');
writeFileSync('dist/data.bin', randomBytes(size));
writeFileSync('dist/nested/notes.txt', 'built ' + name + ' at ' + new Date().toISOString() + '\\n');
console.log('built ' + name);
`;

export interface ProjectSpec {
  name: string;
  /** Size of dist/data.bin. */
  size?: number;
  dependsOn?: string[];
}

export class NxWorkspace {
  readonly root: string;

  constructor(projects: ProjectSpec[], extraFiles: Record<string, string> = {}, nxJson: Record<string, unknown> = {}) {
    this.root = mkdtempSync(join(tmpdir(), 'cache-server-ws-'));
    symlinkSync(MONOREPO_NODE_MODULES, join(this.root, 'node_modules'));
    const files: Record<string, string> = {
      '.gitignore': 'node_modules\n.nx\n.nx-stdout\ndist\n',
      'package.json': JSON.stringify({ name: 'ws', private: true, workspaces: ['projects/*'] }),
      'nx.json': JSON.stringify({ targetDefaults: { build: { cache: true, dependsOn: ['^build'], outputs: ['{projectRoot}/dist'] } }, ...nxJson }),
      'build.mjs': BUILD_SCRIPT,
      ...extraFiles,
    };
    for (const project of projects) {
      files[`projects/${project.name}/package.json`] = JSON.stringify({
        name: project.name,
        version: '1.0.0',
        scripts: { build: `node ../../build.mjs ${project.name} ${project.size ?? 200_000}` },
        dependencies: Object.fromEntries((project.dependsOn ?? []).map((dependency) => [dependency, '1.0.0'])),
      });
    }
    this.write(files);
  }

  write(files: Record<string, string>): void {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(this.root, path)), { recursive: true });
      writeFileSync(join(this.root, path), text);
    }
  }

  /**
   * Runs nx with the daemon and Nx Cloud off; never throws. Asynchronous, so
   * servers in the test's own process (s3rver) keep answering meanwhile.
   */
  async nx(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
    // stdout goes to a file: through a pipe, Nx 23 sometimes exits before writing all of it.
    const outFile = join(this.root, '.nx-stdout');
    const out = openSync(outFile, 'w');
    const child = spawn(process.execPath, [join(this.root, 'node_modules/.bin/nx'), ...args], {
      cwd: this.root,
      stdio: ['ignore', out, 'pipe'],
      env: {
        ...withoutRemoteCache(process.env),
        NX_DAEMON: 'false',
        NX_NO_CLOUD: 'true',
        NX_TUI: 'false',
        FORCE_COLOR: '0',
        ...CHECKOUT_NX_CACHE,
        ...env,
      },
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    closeSync(out);
    return { code, stdout: readFileSync(outFile, 'utf8'), stderr };
  }

  /** Every file under the projects' dist directories, with its bytes. */
  outputs(): Map<string, Buffer> {
    const files = new Map<string, Buffer>();
    const walk = (directory: string) => {
      for (const entry of readdirSync(directory, { withFileTypes: true })) {
        const path = join(directory, entry.name);
        if (entry.isDirectory()) walk(path);
        else files.set(relative(this.root, path), readFileSync(path));
      }
    };
    for (const project of readdirSync(join(this.root, 'projects'))) {
      const dist = join(this.root, 'projects', project, 'dist');
      if (statSync(dist, { throwIfNoEntry: false })) walk(dist);
    }
    return files;
  }

  removeOutputs(): void {
    for (const project of readdirSync(join(this.root, 'projects'))) rmSync(join(this.root, 'projects', project, 'dist'), { recursive: true, force: true });
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** The test's own environment, without a remote cache someone may have configured. */
function withoutRemoteCache(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy['NX_SELF_HOSTED_REMOTE_CACHE_SERVER'];
  delete copy['NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN'];
  return copy;
}

export function remoteCacheEnv(url: string, token?: string): Record<string, string> {
  return { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url, ...(token ? { NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token } : {}) };
}
