// docs/getting-started.md, run as a new user would: its example files written
// into an empty git repository, then every `<!-- run -->` block in order, with
// the packed plugin for the npm package and the local registry for the
// example one. The page and this test cannot drift apart.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSharedEngine } from '../../../tools/engine/test/engine-cli';
import { NX_DEFAULT_PLUGIN_ISOLATION } from '../../../tools/engine/test/real-nx-suite';
import type { ImageMetadata } from '../src/build/image-metadata';
import { pluginTarball } from './workspace';

const PAGE = resolve(__dirname, '../../../docs/getting-started.md');
const EXAMPLE_REGISTRY = 'registry.example.com/team';

/** The page's example files and its runnable blocks, in order. */
function readPage(registry: string): { files: Record<string, string>; blocks: string[] } {
  const page = readFileSync(PAGE, 'utf8').replaceAll(EXAMPLE_REGISTRY, registry);
  const files = Object.fromEntries([...page.matchAll(/<!-- file: (\S+) -->\n```\w*\n([\s\S]*?)```/g)].map((m) => [m[1], m[2]]));
  const blocks = [...page.matchAll(/<!-- run -->\n```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  return { files, blocks };
}

describe('docs/getting-started.md, command by command', () => {
  let repo: string;
  let registry: string;
  let blocks: string[];
  const outputs: string[] = [];
  let env: NodeJS.ProcessEnv;

  const metadata = (project: string): ImageMetadata => JSON.parse(readFileSync(join(repo, 'dist/images', project, 'metadata.json'), 'utf8'));
  /** Runs the page's next block as a user would paste it; returns what it printed. */
  const runNextBlock = () => {
    const block = blocks[outputs.length];
    // The page's package name stands for the tarball under test; the rest runs as written.
    const script = block.replace(/(npm install [^\n]*)@imagewise\/nx-plugin/, `$1${pluginTarball()}`);
    const run = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: repo, env, encoding: 'utf8' });
    const output = `${run.stdout}${run.stderr}`;
    if (run.status !== 0) throw new Error(`block ${outputs.length + 1} of ${PAGE} exited ${run.status}:\n${block}\n${output}`);
    outputs.push(output);
    return output;
  };

  beforeAll(async () => {
    const engine = await startSharedEngine();
    registry = `${engine.IMAGEWISE_REGISTRY}/getting-started-${Date.now().toString(36)}`;
    const { IMAGEWISE_REGISTRY: _pushOverride, ...rest } = process.env;
    // The engine and the mirror the local set-up provides; the push target is the page's `--registry`;
    // Nx as a new user has it, plugins in isolated workers.
    env = {
      ...rest,
      ...NX_DEFAULT_PLUGIN_ISOLATION,
      DOCKER_HOST: engine.DOCKER_HOST,
      IMAGEWISE_MIRROR: engine.IMAGEWISE_MIRROR,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      FORCE_COLOR: '0',
    };
    const page = readPage(registry);
    blocks = page.blocks;
    repo = mkdtempSync(join(tmpdir(), 'imagewise-getting-started-'));
    for (const [path, text] of Object.entries(page.files)) {
      mkdirSync(dirname(join(repo, path)), { recursive: true });
      writeFileSync(join(repo, path), text);
    }
    const git = (...args: string[]) => spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'newcomer@example.com');
    git('config', 'user.name', 'newcomer');
  });
  afterAll(() => {
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  it('has the example files and four blocks to run', () => {
    expect(Object.keys(readPage(registry).files).sort()).toEqual(['api/Dockerfile', 'api/server.sh', 'base/Dockerfile', 'worker/Dockerfile', 'worker/work.sh']);
    expect(blocks).toHaveLength(4);
  });

  it('1. installs Nx and the plugin with plain npm and sets the repository up', () => {
    const output = runNextBlock();
    expect(output).toMatch(/Next:/);
    expect(readFileSync(join(repo, '.gitignore'), 'utf8')).toMatch(/^\.nx\/$/m);
    expect(JSON.parse(readFileSync(join(repo, 'nx.json'), 'utf8')).plugins).toEqual([{ plugin: '@imagewise/nx-plugin', options: { registry } }]);
  });

  it('2. shows a project per Dockerfile, the services on the base', () => {
    const output = runNextBlock();
    expect(
      output
        .split('\n')
        .filter((line) => /^(api|base|worker)$/.test(line))
        .sort(),
    ).toEqual(['api', 'base', 'worker']);
    // The one problem the page announces before step 3, and no other.
    const problems = new Set(output.split('\n').filter((line) => line.startsWith('[imagewise]')));
    expect([...problems]).toEqual([
      '[imagewise] base/Dockerfile: upstream image docker.io/library/debian:bookworm-slim has no locked digest; run the docker:lock target',
    ]);
    expect(output).toMatch(/"baseImages":\s*\[\s*"base"\s*\]/);
  });

  it('3. locks, commits and builds every image, the base first', () => {
    runNextBlock();
    const after = spawnSync('npx', ['nx', 'show', 'projects'], { cwd: repo, env, encoding: 'utf8' });
    expect(after.stderr + after.stdout).not.toMatch(/\[imagewise\]/); // locked: no problem left
    expect(JSON.parse(readFileSync(join(repo, 'base/imagewise.lock.json'), 'utf8')).upstream).toHaveProperty(['docker.io/library/debian:bookworm-slim']);
    for (const project of ['base', 'api', 'worker']) expect(metadata(project).reused, project).toBe(false);
    expect(Object.values(metadata('api').baseImages)).toEqual([`${registry}/base@${metadata('base').digest}`]);
  });

  it('4. after a change to one service, affects and rebuilds that service only', () => {
    const output = runNextBlock();
    expect(output.split('\n').filter((line) => /^(api|base|worker)$/.test(line))).toEqual(['api']);
    expect(metadata('api').reused).toBe(false);
    expect(metadata('base').reused).toBe(true);
  });
});
