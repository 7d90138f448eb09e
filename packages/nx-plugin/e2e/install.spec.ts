// The plugin is a product: installed from its packed tarball into a new Nx
// workspace, with nothing from this monorepo on the path, Nx loads it and it
// infers image projects there.
import { readdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace, sharedTemplate } from './workspace';

describe('@imagewise/nx-plugin installed from npm pack', () => {
  let template: string;
  let ws: Workspace;

  beforeAll(() => {
    template = sharedTemplate();
    ws = new Workspace(template, {
      'package.json': JSON.stringify({ name: 'consumer', private: true }),
      'nx.json': JSON.stringify({ plugins: ['@imagewise/nx-plugin'] }),
      'services/hello/Dockerfile': 'FROM node:18-bookworm-slim\n',
    });
  });
  afterAll(() => {
    ws.dispose();
  });

  it('is the packed copy, not this monorepo’s source', () => {
    const installed = realpathSync(join(ws.root, 'node_modules/@imagewise/nx-plugin'));
    expect(installed.startsWith(template)).toBe(true);
    expect(readdirSync(join(installed, 'src'))).toContain('index.js');
    expect(readdirSync(join(installed, 'src'))).not.toContain('index.ts');
  });

  it('infers an image project from a Dockerfile', () => {
    expect(JSON.parse(ws.nx('show', 'project', 'hello', '--json'))).toMatchObject({
      root: 'services/hello',
      tags: ['type:service'],
      metadata: { technologies: ['docker'], imagewise: { imageName: 'hello' } },
      targets: { 'docker:build': { dependsOn: ['^docker:build', 'build', '^pack'] }, 'docker:lock': {}, 'docker:drift': {} },
    });
  });
});

// The suites run Nx with plugins in its own process (PLUGINS_IN_PROCESS, in
// tools/engine/test/real-nx-suite.ts) except where a Workspace asks for Nx's
// default, isolated workers: that both settings reach Nx, asked of Nx itself by
// a local plugin that names the script of the process it was loaded in.
describe('the plugin loading the e2e suites ask of Nx', () => {
  let ws: Workspace;

  beforeAll(() => {
    ws = new Workspace(sharedTemplate(), {
      'package.json': JSON.stringify({ name: 'modes', private: true }),
      'nx.json': JSON.stringify({ plugins: ['./tools/loaded-by.js'] }),
      'tools/loaded-by.js': `exports.createNodesV2 = ['**/loaded-by.txt', (files) => files.map((file) => [file, { projects: { [require('node:path').dirname(file)]: { name: 'loaded-by', metadata: { script: process.argv[1] } } } }])];\n`,
      'probe/loaded-by.txt': '',
    });
  });
  afterAll(() => {
    ws.dispose();
  });

  const loadedBy = (): string => JSON.parse(ws.nx('show', 'project', 'loaded-by', '--json')).metadata.script;

  it('in the nx process by default in these suites', () => {
    ws.isolatedPlugins = false;
    expect(dirname(loadedBy())).toBe(join(ws.root, 'node_modules/.bin'));
  });

  it("in Nx's isolated plugin worker where a workspace asks for Nx's default", () => {
    ws.isolatedPlugins = true;
    expect(loadedBy()).toMatch(/[\\/]nx[\\/].*[\\/]isolation[\\/]plugin-worker\.js$/);
  });
});
