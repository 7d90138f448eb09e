// docker:lock and docker:drift against the real registry and upstream mirror
// from tools/engine: locking resolves digests there, a patched upstream shows
// as drift, and refreshing the lock makes the image and its dependents affected.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSharedEngine } from '../../../tools/engine/test/engine-cli';
import { MANIFEST_TYPES } from '../src/registry/registry-http';
import { Workspace, sharedTemplate } from './workspace';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

async function digestOf(registry: string, repository: string, tag: string): Promise<string> {
  const response = await fetch(`http://${registry}/v2/${repository}/manifests/${tag}`, { method: 'HEAD', headers: { Accept: MANIFEST_TYPES } });
  expect(response.status).toBe(200);
  return response.headers.get('docker-content-digest')!;
}

describe('docker:lock and docker:drift with a real registry', () => {
  let template: string;
  let ws: Workspace;
  let env: Record<string, string>;
  let upstream: string;
  const docker = (...args: string[]) => execFileSync('/usr/bin/docker', args, { env: { ...process.env, ...env }, stdio: 'ignore' });
  /** Makes `upstream:stable` in the workspace registry point at one of the seeded images. */
  const publishUpstream = (seeded: string) => {
    docker('pull', `${env.IMAGEWISE_MIRROR}/library/${seeded}`);
    docker('tag', `${env.IMAGEWISE_MIRROR}/library/${seeded}`, `${upstream}:stable`);
    docker('push', `${upstream}:stable`);
  };
  const nx = (...args: string[]) => ws.run(...args);

  beforeAll(async () => {
    env = await startSharedEngine();
    upstream = `${env.IMAGEWISE_REGISTRY}/e2e-upstream-${Date.now().toString(36)}`;
    publishUpstream('debian:bookworm-slim');
    template = sharedTemplate();
    ws = new Workspace(template, {
      'package.json': json({ name: 'locks', private: true, workspaces: ['packages/*', 'images/*', 'services/*'] }),
      'nx.json': json({ namedInputs: { dockerImage: ['default'] }, plugins: ['@imagewise/nx-plugin'] }),
      'packages/common/package.json': json({ name: '@acme/common', version: '2.0.0' }),
      'images/node-base/package.json': json({ name: 'node-base', version: '3.0.0', private: true }),
      'images/node-base/Dockerfile': 'FROM node:18-bookworm-slim\n',
      'images/tools-base/package.json': json({ name: 'tools-base', version: '1.0.0', private: true }),
      'images/tools-base/Dockerfile': `FROM ${upstream}:stable\n`,
      'services/notifier/package.json': json({ name: 'notifier', version: '0.1.0', private: true, dependencies: { '@acme/common': '^1.5.0' } }),
      'services/notifier/Dockerfile': 'FROM node-base:2.9.0\n',
      'services/reporter/Dockerfile': 'FROM tools-base\n',
    });
    ws.env = env;
  });
  afterAll(() => {
    ws?.dispose();
  });

  it('locks docker.io images at the mirror and others at their registry', async () => {
    nx('run-many', '-t', 'docker:lock', '--projects', 'node-base,tools-base');
    const nodeLock = JSON.parse(readFileSync(join(ws.root, 'images/node-base/imagewise.lock.json'), 'utf8'));
    expect(nodeLock).toEqual({
      upstream: { 'docker.io/library/node:18-bookworm-slim': await digestOf(env.IMAGEWISE_MIRROR, 'library/node', '18-bookworm-slim') },
    });
    const toolsLock = JSON.parse(readFileSync(join(ws.root, 'images/tools-base/imagewise.lock.json'), 'utf8'));
    const repository = upstream.slice(env.IMAGEWISE_REGISTRY.length + 1);
    expect(toolsLock).toEqual({ upstream: { [`${upstream}:stable`]: await digestOf(env.IMAGEWISE_REGISTRY, repository, 'stable') } });
    ws.commit('lock');
  });

  it('reports drift per image: a pinned base, an excluded library range, a patched upstream', () => {
    publishUpstream('python:3.11-slim-bookworm');
    const { stdout } = nx('run-many', '-t', 'docker:drift', '--outputStyle=stream');
    expect(stdout).toMatch(/notifier: 2 drifts/);
    expect(stdout).toMatch(/services\/notifier\/Dockerfile:1: base image node-base pinned at 2\.9\.0; the workspace builds 3\.0\.0/);
    expect(stdout).toMatch(/services\/notifier\/package\.json:\d+: @acme\/common .*\^1\.5\.0.*2\.0\.0/);
    expect(stdout).toMatch(/tools-base: 1 drift\b/);
    expect(stdout).toMatch(new RegExp(`upstream ${upstream.replaceAll('.', '\\.')}:stable is now sha256:[a-f0-9]{64} \\(locked sha256:`));
    expect(stdout).toMatch(/node-base: no drift/);
  });

  it('refreshing the lock after a patched upstream affects the image and all built on it', () => {
    nx('run', 'tools-base:docker:lock');
    expect(ws.affected()).toEqual(['reporter', 'tools-base']);
    expect(nx('run', 'tools-base:docker:drift').stdout).toMatch(/tools-base: no drift/);
  });

  it('fails without touching the lock when the registry has no such image', () => {
    ws.write({ 'images/tools-base/Dockerfile': `FROM ${upstream}:missing\n` });
    const before = readFileSync(join(ws.root, 'images/tools-base/imagewise.lock.json'), 'utf8');
    expect(() => nx('run', 'tools-base:docker:lock')).toThrow(/does not exist at 127\.0\.0\.1:\d+\. Push it or fix the FROM line; the lock file is unchanged/);
    expect(readFileSync(join(ws.root, 'images/tools-base/imagewise.lock.json'), 'utf8')).toBe(before);
  });
});
