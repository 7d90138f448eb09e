// Bad input never breaks the workspace: each problem is reported once, with
// file, line and what to do, and Nx keeps working for every other project.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace, installTemplate } from './workspace';

const json = (value: unknown) => `${JSON.stringify(value)}\n`;

describe('bad input in a real Nx workspace', () => {
  let template: string;
  let ws: Workspace;
  let output: string;
  let warnings: string;

  beforeAll(() => {
    template = installTemplate();
    ws = new Workspace(template, {
      'package.json': json({ name: 'problems', private: true }),
      'nx.json': json({ namedInputs: { dockerImage: ['default'] }, plugins: ['@imagewise/nx-plugin'] }),
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
    });
    ({ stdout: output, stderr: warnings } = ws.run('show', 'projects'));
  });
  afterAll(() => {
    ws.dispose();
    rmSync(template, { recursive: true, force: true });
  });

  it('lists every project', () => {
    const projects = output.split('\n').filter(Boolean);
    expect(projects.sort()).toEqual(
      ['healthy', 'no-value', 'node-base', 'ring-a', 'ring-b', 'twin-one', 'twin-two', 'unparsable', 'uses-twin'].sort(),
    );
  });

  it.each([
    ['services/unparsable/Dockerfile', /services\/unparsable\/Dockerfile:1: .*FROM/],
    ['services/no-value/Dockerfile', /services\/no-value\/Dockerfile:2: .*BASE_TAG.*(default|build arg)/],
    ['images/ring-a/Dockerfile', /images\/ring-[ab]\/Dockerfile: images build FROM each other in a cycle \(ring-. → ring-. → ring-.\); break it/],
    ['services/twin-one/Dockerfile', /services\/twin-one\/Dockerfile: image name "twin" is also claimed by services\/twin-two\/Dockerfile; give each project its own imageName/],
  ])('reports %s once, with its line and what to do', (_file, pattern) => {
    const lines = warnings.split('\n').filter((line) => pattern.test(line));
    expect(lines, warnings).toHaveLength(1);
  });

  it('keeps the edges of the healthy projects, and none to an ambiguous image name', async () => {
    expect(ws.inputs('healthy:docker:build').files).toContain('images/node-base/Dockerfile');
    expect(ws.inputs('uses-twin:docker:build').files.filter((file) => file.includes('twin-'))).toEqual([]);
  });

  it('still answers affected and runs tasks', () => {
    ws.write({ 'images/node-base/Dockerfile': 'FROM debian:bookworm-slim\nRUN true\n' });
    expect(ws.affected()).toEqual(['healthy', 'node-base', 'twin-one', 'twin-two']);
    ws.reset();
  });
});
