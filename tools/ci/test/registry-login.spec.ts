import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loginToRegistry, registryHost, withRegistryAuth } from '../lib/registry-login.mjs';

describe('registry login', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('takes the host of host[:port][/namespace]', () => {
    expect(registryHost('registry.example.com:5000/platform/team')).toBe('registry.example.com:5000');
    expect(registryHost('ghcr.io/acme')).toBe('ghcr.io');
    expect(registryHost('https://registry.example.com/x')).toBe('registry.example.com');
  });

  it('adds one auths entry and keeps the rest of the config', () => {
    const config = { auths: { 'other.example.com': { auth: 'b3RoZXI6eA==' } }, credHelpers: { 'gcr.io': 'gcloud' } };
    expect(withRegistryAuth(config, 'registry.example.com', 'ci', 'p:ss')).toEqual({
      auths: { 'other.example.com': { auth: 'b3RoZXI6eA==' }, 'registry.example.com': { auth: Buffer.from('ci:p:ss').toString('base64') } },
      credHelpers: { 'gcr.io': 'gcloud' },
    });
  });

  it('writes $DOCKER_CONFIG/config.json, private to the user, and says so without the password', () => {
    dir = mkdtempSync(join(tmpdir(), 'ci-docker-config-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: {}, detachKeys: 'ctrl-x' }));
    const line = loginToRegistry({
      IMAGEWISE_REGISTRY: 'registry.example.com/platform',
      IMAGEWISE_REGISTRY_USER: 'ci',
      IMAGEWISE_REGISTRY_PASSWORD: 'hunter2',
      DOCKER_CONFIG: dir,
    });
    expect(line).toBe(`registry credentials for registry.example.com written to ${join(dir, 'config.json')}`);
    const written = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(written).toEqual({ auths: { 'registry.example.com': { auth: Buffer.from('ci:hunter2').toString('base64') } }, detachKeys: 'ctrl-x' });
    expect(statSync(join(dir, 'config.json')).mode & 0o777).toBe(0o600);
  });

  it('does nothing without credentials, and refuses half of them', () => {
    expect(loginToRegistry({ IMAGEWISE_REGISTRY: 'r' })).toBeUndefined();
    expect(() => loginToRegistry({ IMAGEWISE_REGISTRY: 'r', IMAGEWISE_REGISTRY_USER: 'ci' })).toThrow(/IMAGEWISE_REGISTRY_PASSWORD together/);
  });

  it('names the config file when it is not JSON, and leaves it as it was', () => {
    dir = mkdtempSync(join(tmpdir(), 'ci-docker-config-'));
    writeFileSync(join(dir, 'config.json'), '{ not json');
    expect(() => loginToRegistry({ IMAGEWISE_REGISTRY: 'r', IMAGEWISE_REGISTRY_USER: 'u', IMAGEWISE_REGISTRY_PASSWORD: 'p', DOCKER_CONFIG: dir })).toThrow(
      `${join(dir, 'config.json')}: cannot read it as JSON`,
    );
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe('{ not json');
  });

  it('never quotes the broken config file, which holds secrets', () => {
    dir = mkdtempSync(join(tmpdir(), 'ci-docker-config-'));
    writeFileSync(join(dir, 'config.json'), '{ "auths": { "r": { "password": SECRETWORD123 } } }');
    expect(() => loginToRegistry({ IMAGEWISE_REGISTRY: 'r', IMAGEWISE_REGISTRY_USER: 'u', IMAGEWISE_REGISTRY_PASSWORD: 'p', DOCKER_CONFIG: dir })).toThrow(
      /^((?!SECRET|password).)*$/s,
    );
  });
});
