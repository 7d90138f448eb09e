// The plugin is a product: installed from its packed tarball into a new Nx
// workspace, with nothing from this monorepo on the path, Nx loads it and it
// infers image projects there.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PACKS = resolve(__dirname, '../../../dist/packs');

function pluginTarball(): string {
  const name = readdirSync(PACKS).find((file) => /^imagewise-nx-plugin-.*\.tgz$/.test(file));
  if (!name) throw new Error(`no @imagewise/nx-plugin tarball in ${PACKS}: run nx run nx-plugin:pack`);
  return join(PACKS, name);
}

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

describe('@imagewise/nx-plugin installed from npm pack', () => {
  let workspace: string;

  const nx = (...args: string[]) =>
    execFileSync(process.execPath, [join(workspace, 'node_modules/.bin/nx'), ...args], {
      cwd: workspace,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_SKIP_NX_CACHE: 'true' },
    });

  beforeAll(() => {
    workspace = mkdtempSync(join(tmpdir(), 'imagewise-consumer-'));
    write(workspace, {
      'package.json': JSON.stringify({
        name: 'consumer',
        private: true,
        devDependencies: { nx: '23.2.1', '@imagewise/nx-plugin': `file:${pluginTarball()}` },
      }),
      'nx.json': JSON.stringify({ plugins: ['@imagewise/nx-plugin'] }),
    });
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: workspace,
      stdio: 'inherit',
    });
  });

  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  it('is the packed copy, not this monorepo’s source', () => {
    const installed = realpathSync(join(workspace, 'node_modules/@imagewise/nx-plugin'));
    expect(installed.startsWith(workspace)).toBe(true);
    expect(readdirSync(join(installed, 'src'))).toContain('index.js');
  });

  it('infers an image project from a Dockerfile', () => {
    write(workspace, { 'services/hello/Dockerfile': 'FROM node:18-bookworm-slim\n' });
    const project = JSON.parse(nx('show', 'project', 'hello', '--json'));
    expect(project).toMatchObject({
      root: 'services/hello',
      tags: ['type:service'],
      metadata: { technologies: ['docker'], imagewise: { imageName: 'hello' } },
    });
  });
});
