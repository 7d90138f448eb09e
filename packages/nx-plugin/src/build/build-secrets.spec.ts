import { describe, expect, it } from 'vitest';
import {
  checkSecretSources,
  classicBuilderRefusal,
  MAX_SECRET_BYTES,
  readSecrets,
  secretBuildArgWarning,
  secretIdentity,
  secretLikeBuildArgs,
  type SecretReader,
} from './build-secrets';

const VALUE = 'npm_PLANTED-value-4f1c';

/** A reader over an in-memory environment and file system. */
const reader = (env: Record<string, string>, files: Record<string, string> = {}): SecretReader => ({
  env,
  readFile: (path) => {
    if (path in files) return Buffer.from(files[path]);
    if (path === '/ws/.secrets') throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  },
});

/** The message a call throws with; fails the test when it does not throw. */
const messageOf = (call: () => unknown): string => {
  try {
    call();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
};

describe('checkSecretSources: the shape of the "secrets" option', () => {
  it('takes ids with an environment variable or a workspace file, and nothing when absent', () => {
    expect(checkSecretSources({ npm_token: { env: 'NPM_TOKEN' }, 'pip.conf': { file: '.secrets/pip.conf' } })).toEqual({
      npm_token: { env: 'NPM_TOKEN' },
      'pip.conf': { file: '.secrets/pip.conf' },
    });
    expect(checkSecretSources(undefined)).toEqual({});
  });

  it('normalises a file path and refuses one outside the workspace', () => {
    expect(checkSecretSources({ a: { file: './.secrets//a' } })).toEqual({ a: { file: '.secrets/a' } });
    expect(messageOf(() => checkSecretSources({ a: { file: '/etc/shadow' } }))).toMatch(
      /secret "a": file "\/etc\/shadow" must be relative to the workspace root/,
    );
    expect(messageOf(() => checkSecretSources({ a: { file: 'x/../../up' } }))).toMatch(/inside it/);
  });

  it('asks for exactly one source per id, and says how it is written', () => {
    for (const source of [{}, { env: 'A', file: 'b' }, { value: 'x' }, { env: '' }, { env: 1 }, 'NPM_TOKEN', null]) {
      expect(messageOf(() => checkSecretSources({ npm_token: source }))).toMatch(/give secret "npm_token" one source: \{ "env": "NAME" \} or \{ "file": /);
    }
    expect(messageOf(() => checkSecretSources(['npm_token']))).toMatch(/must be an object/);
  });

  it('refuses ids a secret mount cannot name and variables that are not variable names', () => {
    expect(messageOf(() => checkSecretSources({ 'a b': { env: 'A' } }))).toMatch(/secret id "a b" is not usable in RUN --mount=type=secret/);
    expect(messageOf(() => checkSecretSources({ a: { env: 'A-B' } }))).toMatch(/"A-B" is not an environment variable name/);
  });
});

describe('secretIdentity: what of a secret the content identity takes', () => {
  it('is each id with its source, never a value', () => {
    expect(secretIdentity({ npm_token: { env: 'NPM_TOKEN' }, pip: { file: '.secrets/pip.conf' } })).toEqual({
      npm_token: 'env NPM_TOKEN',
      pip: 'file .secrets/pip.conf',
    });
  });
});

describe('readSecrets: the values, read for one build', () => {
  it('reads environment variables and files (relative to the workspace root) as bytes', () => {
    const values = readSecrets(
      { npm_token: { env: 'NPM_TOKEN' }, pip: { file: '.secrets/pip.conf' } },
      '/ws',
      reader({ NPM_TOKEN: VALUE }, { '/ws/.secrets/pip.conf': 'index-url=x\n' }),
    );
    expect(values.get('npm_token')).toEqual(Buffer.from(VALUE));
    expect(values.get('pip')).toEqual(Buffer.from('index-url=x\n'));
  });

  it('names the id, the variable and what to do when a variable is unset or empty', () => {
    const unset = messageOf(() => readSecrets({ npm_token: { env: 'NPM_TOKEN' } }, '/ws', reader({})));
    expect(unset).toMatch(/^secret "npm_token" comes from environment variable NPM_TOKEN, which is not set; set NPM_TOKEN for this run/);
    expect(unset).toMatch(/change the source of "npm_token" in docker:build's "secrets" option/);
    expect(messageOf(() => readSecrets({ npm_token: { env: 'NPM_TOKEN' } }, '/ws', reader({ NPM_TOKEN: '' })))).toMatch(/NPM_TOKEN, which is empty/);
  });

  it('names the id, the file and why when a file cannot be read', () => {
    expect(messageOf(() => readSecrets({ pip: { file: '.secrets/pip.conf' } }, '/ws', reader({})))).toMatch(
      /^secret "pip" comes from file .secrets\/pip.conf \(relative to the workspace root\), which does not exist; write the secret there/,
    );
    expect(messageOf(() => readSecrets({ pip: { file: '.secrets' } }, '/ws', reader({})))).toMatch(/which is a directory/);
  });

  it('refuses a secret larger than BuildKit takes, without showing it', () => {
    const big = 'x'.repeat(MAX_SECRET_BYTES + 1);
    const message = messageOf(() => readSecrets({ blob: { env: 'BLOB' } }, '/ws', reader({ BLOB: big })));
    expect(message).toMatch(/secret "blob" \(env BLOB\) is 512001 bytes; BuildKit takes at most 512000/);
    expect(message).not.toContain('xxxx');
  });

  it('never puts a value in a message', () => {
    const message = messageOf(() => readSecrets({ ok: { env: 'OK' }, missing: { env: 'MISSING' } }, '/ws', reader({ OK: VALUE })));
    expect(message).toMatch(/secret "missing"/);
    expect(message).not.toContain(VALUE);
  });
});

describe('secretLikeBuildArgs: build args whose names look like secrets', () => {
  it('matches *TOKEN*, *PASSWORD*, *SECRET*, *_KEY and NPM_AUTH*, in any case', () => {
    const args = Object.fromEntries(
      ['NPM_TOKEN', 'gitlab_token_file', 'DB_PASSWORD', 'client_secret', 'AWS_SECRET_ACCESS_KEY', 'API_KEY', 'npm_auth', 'NPM_AUTH_TOKEN'].map((name) => [
        name,
        'v',
      ]),
    );
    expect(secretLikeBuildArgs(args)).toEqual(Object.keys(args));
  });

  it('leaves other names alone', () => {
    expect(secretLikeBuildArgs({ NODE_ENV: 'production', KEYBOARD: 'us', KEY_ID: '1', MONKEY: 'x', AUTH_MODE: 'oidc', COMMON_VERSION: '1.5.0' })).toEqual([]);
    expect(secretLikeBuildArgs(undefined)).toEqual([]);
  });
});

describe('secretBuildArgWarning', () => {
  it('names the build args and the "secrets" option, with the mount to use, and no value', () => {
    const warning = secretBuildArgWarning({ NPM_TOKEN: VALUE, NODE_ENV: 'production' })!;
    expect(warning).toMatch(/^warning: build arg NPM_TOKEN looks like a secret; a build arg is kept in the image's history/);
    expect(warning).toContain(`"secrets": { "npm_token": { "env": "NPM_TOKEN" } }`);
    expect(warning).toContain('RUN --mount=type=secret,id=npm_token');
    expect(warning).not.toContain(VALUE);
    expect(warning).not.toContain('NODE_ENV');
  });

  it('speaks of several at once, and says nothing when none looks like a secret', () => {
    expect(secretBuildArgWarning({ DB_PASSWORD: 'a', API_KEY: 'b' })).toMatch(/^warning: build args DB_PASSWORD, API_KEY look like secrets;/);
    expect(secretBuildArgWarning({ NODE_ENV: 'production' })).toBeUndefined();
    expect(secretBuildArgWarning(undefined)).toBeUndefined();
  });
});

describe('classicBuilderRefusal', () => {
  const sources = { npm_token: { env: 'NPM_TOKEN' } };

  it('refuses a classic build with secrets, saying why and what to do', () => {
    expect(classicBuilderRefusal(sources, 'classic', true)).toBe(
      'the classic builder cannot take secrets (npm_token), and docker:build option "builder" is "classic"; remove "builder": "classic" so BuildKit builds this image, or remove the "secrets" option',
    );
    expect(classicBuilderRefusal(sources, 'classic', false)).toMatch(/the engine does not offer BuildKit; build on an engine with BuildKit/);
  });

  it('lets BuildKit builds and classic builds without secrets go ahead', () => {
    expect(classicBuilderRefusal(sources, 'buildkit', true)).toBeUndefined();
    expect(classicBuilderRefusal({}, 'classic', true)).toBeUndefined();
  });
});
