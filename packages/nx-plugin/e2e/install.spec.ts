// The plugin is a product: installed from its packed tarball into a new Nx
// workspace, with nothing from this monorepo on the path, Nx loads it and it
// infers image projects there.
import { readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
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
