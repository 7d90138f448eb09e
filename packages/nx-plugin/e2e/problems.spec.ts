// Bad input never breaks the workspace: each problem is reported once, with
// file, line and what to do, and Nx keeps working for every other project.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace, sharedTemplate } from './workspace';

const json = (value: unknown) => `${JSON.stringify(value)}\n`;

// The run's one install of Nx and the packed plugin, for both workspaces.
let template: string;
beforeAll(() => {
  template = sharedTemplate();
});

/**
 * A workspace with the plugin registered and these files, its plugins in
 * isolated workers as Nx loads them by default: the problems cross the worker
 * boundary as they do for users.
 */
const workspaceWith = (name: string, files: Record<string, string>) => {
  const ws = new Workspace(template, {
    'package.json': json({ name, private: true }),
    'nx.json': json({ namedInputs: { dockerImage: ['default'] }, plugins: ['@imagewise/nx-plugin'] }),
    ...files,
  });
  ws.isolatedPlugins = true;
  return ws;
};

describe('bad input in a real Nx workspace', () => {
  let ws: Workspace;
  let output: string;
  let warnings: string;

  beforeAll(() => {
    ws = workspaceWith('problems', {
      'images/node-base/Dockerfile': 'FROM debian:bookworm-slim\n',
      'services/healthy/Dockerfile': 'FROM node-base\n',
      'services/unparsable/Dockerfile': 'this is not a Dockerfile\n',
      'services/no-value/Dockerfile': 'ARG BASE_TAG\nFROM node-base:${BASE_TAG}\n',
      'images/ring-a/Dockerfile': 'FROM ring-b\n',
      'images/ring-b/Dockerfile': 'FROM ring-a\n',
      'services/twin-one/project.json': json({ name: 'twin-one', targets: { 'docker:build': { options: { imageName: 'twin' } } } }),
      'services/twin-one/Dockerfile': 'FROM node-base\n',
      'services/twin-two/project.json': json({ name: 'twin-two', targets: { 'docker:build': { options: { imageName: 'twin' } } } }),
      'services/twin-two/Dockerfile': 'FROM node-base\n',
      'services/uses-twin/Dockerfile': 'FROM twin\n',
      // Directories of one name, as architecture-per-directory layouts have them.
      'images/x/amd64/Dockerfile': 'FROM node-base\n',
      'images/y/amd64/Dockerfile': 'FROM x-amd64\n',
    });
    ({ stdout: output, stderr: warnings } = ws.run('show', 'projects'));
  });
  afterAll(() => ws?.dispose());

  it('lists every project', () => {
    const projects = output.split('\n').filter(Boolean);
    expect(projects.sort()).toEqual(
      ['healthy', 'no-value', 'node-base', 'ring-a', 'ring-b', 'twin-one', 'twin-two', 'unparsable', 'uses-twin', 'x-amd64', 'y-amd64'].sort(),
    );
  });

  it.each([
    ['services/unparsable/Dockerfile', /services\/unparsable\/Dockerfile:1: .*FROM/],
    ['services/no-value/Dockerfile', /services\/no-value\/Dockerfile:2: .*BASE_TAG.*(default|build arg)/],
    ['images/ring-b/Dockerfile', /^\[imagewise\] images\/ring-b\/Dockerfile:1: images build FROM each other in a cycle \(ring-a → ring-b → ring-a\); break it/],
    [
      'services/twin-one/Dockerfile',
      /services\/twin-one\/Dockerfile: image name "twin" is also claimed by services\/twin-two\/Dockerfile; give each project its own imageName/,
    ],
  ])('reports %s once, with its line and what to do', (_file, pattern) => {
    const lines = warnings.split('\n').filter((line) => pattern.test(line));
    expect(lines, warnings).toHaveLength(1);
  });

  it('keeps the edges of the healthy projects, and none to an ambiguous image name', async () => {
    expect(ws.inputs('healthy:docker:build').files).toContain('images/node-base/Dockerfile');
    expect(ws.inputs('y-amd64:docker:build').files).toEqual(expect.arrayContaining(['images/x/amd64/Dockerfile', 'images/node-base/Dockerfile']));
    expect(ws.inputs('uses-twin:docker:build').files.filter((file) => file.includes('twin-'))).toEqual([]);
  });

  it('still answers affected and runs tasks', () => {
    ws.write({ 'images/node-base/Dockerfile': 'FROM debian:bookworm-slim\nRUN true\n' });
    expect(ws.affected()).toEqual(['healthy', 'node-base', 'twin-one', 'twin-two', 'x-amd64', 'y-amd64']);
    ws.reset();
  });
});

describe('hostile files in a real Nx workspace', () => {
  let ws: Workspace;
  let output: string;
  let warnings: string;

  beforeAll(() => {
    ws = workspaceWith('hostile', {
      'images/base/Dockerfile': 'FROM scratch\n',
      'services/pipe/Dockerfile': 'FROM base\n',
      'services/folder/Dockerfile': 'FROM base\n',
      'services/ignore/Dockerfile': 'FROM base\n',
      'services/ignore/.dockerignore': `node_modules\n${'*'.repeat(70_000)}\n`,
      'services/heredoc/Dockerfile': 'FROM base\nRUN <<EOF\necho never closed\n',
    });
    // What git cannot commit, made after the first commit, as a checkout or a merge request could leave it.
    execFileSync('mkfifo', [join(ws.root, 'services/pipe/package.json')]);
    mkdirSync(join(ws.root, 'services/folder/project.json'));
    mkdirSync(join(ws.root, 'services/passwd'));
    symlinkSync('/etc/passwd', join(ws.root, 'services/passwd/Dockerfile'));
    mkdirSync(join(ws.root, 'services/garbage'));
    writeFileSync(join(ws.root, 'services/garbage/Dockerfile'), Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919 + 13) % 256)));
    ({ stdout: output, stderr: warnings } = ws.run('show', 'projects'));
  });
  afterAll(() => ws?.dispose());

  it('lists every project, the healthy ones with their edges', () => {
    expect(output.split('\n').filter(Boolean).sort()).toEqual(['base', 'folder', 'garbage', 'heredoc', 'ignore', 'passwd', 'pipe']);
    for (const project of ['pipe', 'folder', 'ignore']) expect(ws.inputs(`${project}:docker:build`).files).toContain('images/base/Dockerfile');
  });

  it.each([
    ['services/pipe/package.json', /^\[imagewise\] services\/pipe\/package\.json: is a named pipe \(FIFO\), not a regular file/],
    ['services/folder/project.json', /^\[imagewise\] services\/folder\/project\.json: is a directory, not a regular file/],
    ['services/passwd/Dockerfile', /^\[imagewise\] services\/passwd\/Dockerfile: is a symlink to a file outside the workspace/],
    ['services/ignore/.dockerignore', /^\[imagewise\] services\/ignore\/\.dockerignore:2: a pattern of 70000 characters is longer than any path/],
    ['services/heredoc/Dockerfile', /^\[imagewise\] services\/heredoc\/Dockerfile:2: the here-document <<EOF is never closed/],
  ])('reports %s once, with what to do', (file, pattern) => {
    expect(
      warnings.split('\n').filter((line) => pattern.test(line)),
      warnings,
    ).toHaveLength(1);
    expect(warnings.split('\n').filter((line) => line.includes(file))).toHaveLength(1);
  });

  it('says a few short things about a file of garbage, and nothing of files outside the workspace', () => {
    const garbage = warnings.split('\n').filter((line) => line.includes('services/garbage/Dockerfile'));
    expect(garbage.length).toBeGreaterThan(1);
    expect(garbage.length).toBeLessThanOrEqual(6);
    for (const line of garbage) expect(line.length).toBeLessThan(300);
    expect(`${output}${warnings}`).not.toMatch(/root:x:0/i);
  });
});
