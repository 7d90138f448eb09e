import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreateNodesContextV2 } from '@nx/devkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodes, createNodesV2 } from './plugin';

describe('image projects inferred from Dockerfiles', () => {
  let workspaceRoot = '';

  afterEach(() => {
    if (workspaceRoot) rmSync(workspaceRoot, { recursive: true, force: true });
  });

  function workspace(files: Record<string, string>): CreateNodesContextV2 {
    workspaceRoot = mkdtempSync(join(tmpdir(), 'imagewise-plugin-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(workspaceRoot, path, '..'), { recursive: true });
      writeFileSync(join(workspaceRoot, path), text);
    }
    return { workspaceRoot, nxJsonConfiguration: {} };
  }

  it('exports one tuple under both names, matching Dockerfiles under images/ and services/', () => {
    expect(createNodes).toBe(createNodesV2);
    expect(createNodesV2[0]).toBe('{images,services}/**/Dockerfile');
  });

  it('makes each Dockerfile directory a project, tagged base image or service', async () => {
    const context = workspace({
      'images/node-base/Dockerfile': 'FROM node:18-bookworm-slim\n',
      'services/notifier/Dockerfile': 'FROM node-base\n',
    });
    const results = await createNodesV2[1](
      ['images/node-base/Dockerfile', 'services/notifier/Dockerfile'],
      undefined,
      context,
    );
    expect(Object.fromEntries(results)).toEqual({
      'images/node-base/Dockerfile': {
        projects: {
          'images/node-base': {
            name: 'node-base',
            tags: ['type:base-image'],
            metadata: {
              technologies: ['docker'],
              imagewise: { imageName: 'node-base', dockerfile: 'images/node-base/Dockerfile' },
            },
          },
        },
      },
      'services/notifier/Dockerfile': {
        projects: {
          'services/notifier': {
            name: 'notifier',
            tags: ['type:service'],
            metadata: {
              technologies: ['docker'],
              imagewise: { imageName: 'notifier', dockerfile: 'services/notifier/Dockerfile' },
            },
          },
        },
      },
    });
  });

  it('merges into a project that package.json or project.json already defines, keeping its name', async () => {
    const context = workspace({
      'services/bruin-bridge/Dockerfile': 'FROM node-base\n',
      'services/bruin-bridge/package.json': '{"name": "@acme/bruin-bridge"}',
    });
    const [[, result]] = await createNodesV2[1](['services/bruin-bridge/Dockerfile'], {}, context);
    const project = result.projects?.['services/bruin-bridge'];
    expect(project).not.toHaveProperty('name');
    expect(project?.tags).toEqual(['type:service']);
  });

  it('uses the tags the plugin options name', async () => {
    const context = workspace({ 'images/python-base/Dockerfile': 'FROM python:3.11-slim-bookworm\n' });
    const [[, result]] = await createNodesV2[1](
      ['images/python-base/Dockerfile'],
      { baseImageTag: 'layer:base', serviceTag: 'layer:app' },
      context,
    );
    expect(result.projects?.['images/python-base']?.tags).toEqual(['layer:base']);
  });
});
