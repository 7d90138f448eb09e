import { describe, expect, it } from 'vitest';
import { contentIdentity, IDENTITY_SCHEME, type ContextItem, type ImageInputs } from './content-identity';

const hex = (digit: string) => digit.repeat(64);

/** A fresh, realistic set of inputs each time: tests mutate their copy. */
const inputs = (): ImageInputs => ({
  dockerfile: hex('d'),
  context: [
    { path: 'bin', kind: 'directory' },
    { path: 'bin/start', kind: 'symlink', target: '../src/main.js' },
    { path: 'package.json', kind: 'file', hash: hex('1'), executable: false },
    { path: 'src', kind: 'directory' },
    { path: 'src/main.js', kind: 'file', hash: hex('2'), executable: false },
  ],
  staged: { 'packs/lib-a.tgz': hex('3'), 'packs/lib-b.tgz': hex('4') },
  build: {
    buildArgs: { NODE_ENV: 'production', APP_VERSION: '1.2.0' },
    target: 'runtime',
    platform: 'linux/amd64',
    network: 'default',
    builder: 'buildkit',
    labels: { team: 'web', tier: 'frontend' },
  },
  bases: {
    'node-base': { image: hex('5') },
    shared: { release: 'reg.example.com/shared@sha256:' + hex('6') },
    'debian:12': { upstream: 'debian:12', digest: 'sha256:' + hex('7') },
  },
});

const identityOf = (mutate: (inputs: ImageInputs) => void) => {
  const changed = inputs();
  mutate(changed);
  return contentIdentity(changed);
};

const reversed = <T>(record: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(record).reverse());
const file = (path: string, hash: string, executable = false): ContextItem => ({ path, kind: 'file', hash, executable });

describe('contentIdentity', () => {
  it('takes the platforms in sorted order', () => {
    const platforms = (list: string[]) => identityOf((i) => (i.build.platforms = list));
    expect(platforms(['linux/arm64', 'linux/amd64'])).toBe(platforms(['linux/amd64', 'linux/arm64']));
  });

  it('is a 64-character hex string', () => {
    expect(contentIdentity(inputs())).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the same for equal inputs', () => {
    expect(contentIdentity(inputs())).toBe(contentIdentity(inputs()));
  });

  it('is the same whatever order the records and the context come in', () => {
    const reordered = identityOf((i) => {
      i.context.reverse();
      i.staged = reversed(i.staged);
      i.build = {
        labels: { tier: 'frontend', team: 'web' },
        builder: 'buildkit',
        network: 'default',
        platform: 'linux/amd64',
        target: 'runtime',
        buildArgs: { APP_VERSION: '1.2.0', NODE_ENV: 'production' },
      };
      i.bases = reversed(i.bases);
    });
    expect(reordered).toBe(contentIdentity(inputs()));
  });

  it('is the same when a build setting is undefined or absent', () => {
    const absent = identityOf((i) => (i.build = { buildArgs: i.build.buildArgs }));
    const undefinedSettings = identityOf(
      (i) => (i.build = { buildArgs: i.build.buildArgs, target: undefined, platform: undefined, network: undefined, builder: undefined, labels: undefined }),
    );
    expect(undefinedSettings).toBe(absent);
  });

  it('stays stable for a given scheme (a change to what is hashed must bump IDENTITY_SCHEME)', () => {
    expect({ scheme: IDENTITY_SCHEME, identity: contentIdentity(inputs()) }).toEqual({
      scheme: 1,
      identity: '846a4ca552ab9e6e9d5351ca8665fe497f99d420f0934b20b6393eef6975aa21',
    });
  });

  const changes: Array<[string, (i: ImageInputs) => void]> = [
    ['the Dockerfile hash', (i) => (i.dockerfile = hex('e'))],
    ['a context file hash', (i) => (i.context[2] = file('package.json', hex('9')))],
    ["a file's executable bit", (i) => (i.context[4] = file('src/main.js', hex('2'), true))],
    ['a file added', (i) => i.context.push(file('src/extra.js', hex('8')))],
    ['a file removed', (i) => i.context.splice(2, 1)],
    ['a file renamed', (i) => (i.context[2] = file('package.json5', hex('1')))],
    ['an empty directory added', (i) => i.context.push({ path: 'empty', kind: 'directory' })],
    ['a symlink target', (i) => (i.context[1] = { path: 'bin/start', kind: 'symlink', target: '../src/other.js' })],
    ['a file turned into a symlink', (i) => (i.context[2] = { path: 'package.json', kind: 'symlink', target: hex('1') })],
    ['a staged pack hash', (i) => (i.staged['packs/lib-a.tgz'] = hex('a'))],
    ['a staged pack added', (i) => (i.staged['packs/lib-c.tgz'] = hex('3'))],
    ['a build arg value', (i) => (i.build.buildArgs.NODE_ENV = 'development')],
    ['a build arg added', (i) => (i.build.buildArgs.EXTRA = '')],
    ['the target', (i) => (i.build.target = 'debug')],
    ['the target dropped', (i) => delete i.build.target],
    ['the platform', (i) => (i.build.platform = 'linux/arm64')],
    ['the platforms', (i) => (i.build.platforms = ['linux/amd64', 'linux/arm64'])],
    ['the network', (i) => (i.build.network = 'host')],
    ['the builder', (i) => (i.build.builder = 'classic')],
    ['a label value', (i) => (i.build.labels = { team: 'api', tier: 'frontend' })],
    ['a label added', (i) => (i.build.labels = { ...i.build.labels, owner: 'me' })],
    ['a workspace base image identity', (i) => (i.bases['node-base'] = { image: hex('b') })],
    ['a base release reference', (i) => (i.bases.shared = { release: 'reg.example.com/shared@sha256:' + hex('c') })],
    ['an upstream base digest', (i) => (i.bases['debian:12'] = { upstream: 'debian:12', digest: 'sha256:' + hex('f') })],
    ['an upstream base without its digest', (i) => (i.bases['debian:12'] = { upstream: 'debian:12' })],
    ['a base of another kind with the same text', (i) => (i.bases['node-base'] = { release: hex('5') })],
    ['a base added', (i) => (i.bases['alpine:3'] = { upstream: 'alpine:3' })],
    ['a secret added', (i) => (i.secrets = { npm_token: 'env NPM_TOKEN' })],
    ['a secret taken from another source', (i) => (i.secrets = { npm_token: 'file .secrets/npm_token' })],
  ];

  it.each(changes)('changes with %s', (_name, mutate) => {
    expect(identityOf(mutate)).not.toBe(contentIdentity(inputs()));
  });

  it('is the same with no secrets as before secrets existed, so no image without them rebuilds', () => {
    expect(identityOf((i) => (i.secrets = {}))).toBe(contentIdentity(inputs()));
  });

  it('takes a secret by id and source only: the inputs hold no value to hash', () => {
    const withSecret = identityOf((i) => (i.secrets = { npm_token: 'env NPM_TOKEN' }));
    expect(identityOf((i) => (i.secrets = { npm_token: 'env NPM_TOKEN' }))).toBe(withSecret);
    expect(identityOf((i) => (i.secrets = { other_id: 'env NPM_TOKEN' }))).not.toBe(withSecret);
  });

  const H1 = hex('1');
  const H2 = hex('2');
  const lookAlikes: Array<[string, (i: ImageInputs) => void, (i: ImageInputs) => void]> = [
    ["build args split at '='", (i) => (i.build.buildArgs = { A: 'b=c' }), (i) => (i.build.buildArgs = { 'A=b': 'c' })],
    [
      'the same key and value as a build arg or as a label',
      (i) => (i.build = { buildArgs: { K: 'v' } }),
      (i) => (i.build = { buildArgs: {}, labels: { K: 'v' } }),
    ],
    [
      "a symlink whose path holds ']'",
      (i) => (i.context = [{ path: 'a', kind: 'symlink', target: 'x]:1:y' }]),
      (i) => (i.context = [{ path: 'a]:6:x', kind: 'symlink', target: 'y' }]),
    ],
    [
      'two files, or one whose path holds a newline',
      (i) => (i.context = [file('x', H1), file('y', H2)]),
      (i) => (i.context = [file(`x]:65:-${H1}\nfile[y`, H2)]),
    ],
    ["a build arg whose name holds ']'", (i) => (i.build.buildArgs = { A: 'b]:1:c' }), (i) => (i.build.buildArgs = { 'A]:6:b': 'c' })],
    [
      'the same key and value as a build arg or as a secret',
      (i) => (i.build = { buildArgs: { K: 'env V' } }),
      (i) => {
        i.build = { buildArgs: {} };
        i.secrets = { K: 'env V' };
      },
    ],
  ];

  it.each(lookAlikes)('does not collide: %s', (_name, one, other) => {
    expect(identityOf(one)).not.toBe(identityOf(other));
  });
});
