import { isAbsolute, join, normalize } from 'node:path';

/** Where one build secret's value comes from: an environment variable, or a file relative to the workspace root. */
export type SecretSource = { env: string } | { file: string };

/** docker:build's `secrets` option: by the id a Dockerfile mounts (`RUN --mount=type=secret,id=<id>`). */
export type SecretSources = Record<string, SecretSource>;

/** BuildKit's limit on one secret (MaxSecretSize in its secrets provider): larger ones fail the build. */
export const MAX_SECRET_BYTES = 500 * 1024;

/** What BuildKit accepts as a secret id, and what a path under /run/secrets can be named. */
const SECRET_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class SecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretError';
  }
}

/**
 * Checks the option's shape, so a typo fails before anything else happens:
 * each id names exactly one source, an environment variable or a file inside
 * the workspace. Says nothing about values (none is read here).
 */
export function checkSecretSources(sources: unknown): SecretSources {
  if (sources === undefined) return {};
  if (sources === null || typeof sources !== 'object' || Array.isArray(sources)) {
    throw new SecretError(`docker:build option "secrets" must be an object: { "<id>": { "env": "NAME" } } or { "<id>": { "file": "path" } }`);
  }
  const checked: SecretSources = {};
  for (const [id, source] of Object.entries(sources as Record<string, unknown>)) {
    const keys = source && typeof source === 'object' ? Object.keys(source) : [];
    const shape = `give secret "${id}" one source: { "env": "NAME" } or { "file": "path relative to the workspace root" }`;
    if (!SECRET_ID.test(id)) throw new SecretError(`secret id "${id}" is not usable in RUN --mount=type=secret,id=…; use letters, digits, ".", "_" and "-"`);
    if (keys.length !== 1 || !['env', 'file'].includes(keys[0])) throw new SecretError(shape);
    const value = (source as Record<string, unknown>)[keys[0]];
    if (typeof value !== 'string' || value === '') throw new SecretError(shape);
    if (keys[0] === 'env') {
      if (!ENV_NAME.test(value)) throw new SecretError(`secret "${id}": "${value}" is not an environment variable name`);
      checked[id] = { env: value };
    } else {
      const path = normalize(value);
      if (isAbsolute(path) || path === '..' || path.startsWith('../')) {
        throw new SecretError(`secret "${id}": file "${value}" must be relative to the workspace root and inside it`);
      }
      checked[id] = { file: path };
    }
  }
  return checked;
}

/** How a secret's source reads, for messages and the content identity: `env NPM_TOKEN`, `file .secrets/npmrc`. */
export function describeSource(source: SecretSource): string {
  return 'env' in source ? `env ${source.env}` : `file ${source.file}`;
}

/**
 * What of the secrets goes into the content identity: each id and where it
 * comes from, never the value. Adding, removing or re-sourcing a secret
 * changes the identity; rotating a token does not.
 */
export function secretIdentity(sources: SecretSources): Record<string, string> {
  return Object.fromEntries(Object.entries(sources).map(([id, source]) => [id, describeSource(source)]));
}

/** How values are read: the environment and the file system, given so tests need neither. */
export interface SecretReader {
  env: NodeJS.ProcessEnv;
  readFile: (path: string) => Buffer;
}

/**
 * Each secret's value, read now, for one build. A variable that is unset or
 * empty, or a file that cannot be read, is an error naming the id, its source
 * and what to do; no message ever holds a value.
 */
export function readSecrets(sources: SecretSources, workspaceRoot: string, reader: SecretReader): Map<string, Buffer> {
  const values = new Map<string, Buffer>();
  for (const [id, source] of Object.entries(sources)) {
    let value: Buffer;
    if ('env' in source) {
      const text = reader.env[source.env];
      if (text === undefined || text === '') {
        throw new SecretError(
          `secret "${id}" comes from environment variable ${source.env}, which is ${text === undefined ? 'not set' : 'empty'}; ` +
            `set ${source.env} for this run (in CI, a masked variable) or change the source of "${id}" in docker:build's "secrets" option`,
        );
      }
      value = Buffer.from(text, 'utf8');
    } else {
      try {
        value = reader.readFile(join(workspaceRoot, source.file));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? 'unknown error'})`;
        throw new SecretError(
          `secret "${id}" comes from file ${source.file} (relative to the workspace root), which ${why}; ` +
            `write the secret there before the build (in CI, from a file variable) or change the source of "${id}" in docker:build's "secrets" option`,
        );
      }
    }
    if (value.length > MAX_SECRET_BYTES) {
      throw new SecretError(`secret "${id}" (${describeSource(source)}) is ${value.length} bytes; BuildKit takes at most ${MAX_SECRET_BYTES} bytes per secret`);
    }
    values.set(id, value);
  }
  return values;
}

/** Build arg names that look like they carry a secret: `*TOKEN*`, `*PASSWORD*`, `*SECRET*`, `*_KEY`, `NPM_AUTH*`. */
const SECRET_LIKE = [/TOKEN/i, /PASSWORD/i, /SECRET/i, /_KEY$/i, /^NPM_AUTH/i];

export function secretLikeBuildArgs(buildArgs: Record<string, string> | undefined): string[] {
  return Object.keys(buildArgs ?? {}).filter((name) => SECRET_LIKE.some((pattern) => pattern.test(name)));
}

/**
 * The warning for build args that look like secrets: a build arg stays in the
 * image's history for anyone who pulls it. Names the args and the `secrets`
 * option; never a value.
 */
export function secretBuildArgWarning(buildArgs: Record<string, string> | undefined): string | undefined {
  const names = secretLikeBuildArgs(buildArgs);
  if (!names.length) return undefined;
  const first = names[0];
  const id = first.toLowerCase();
  return (
    `warning: build ${names.length === 1 ? 'arg' : 'args'} ${names.join(', ')} ${names.length === 1 ? 'looks' : 'look'} like ${names.length === 1 ? 'a secret' : 'secrets'}; ` +
    `a build arg is kept in the image's history, readable by anyone who can pull it. ` +
    `Pass a secret with docker:build's "secrets" option instead, e.g. "secrets": { "${id}": { "env": "${first}" } }, ` +
    `and read it in a step with RUN --mount=type=secret,id=${id} (it is then at /run/secrets/${id}, in no layer)`
  );
}

/** Why a build with secrets cannot use the classic builder; undefined when it can go ahead. */
export function classicBuilderRefusal(sources: SecretSources, builder: 'buildkit' | 'classic', chosen: boolean): string | undefined {
  const ids = Object.keys(sources);
  if (!ids.length || builder === 'buildkit') return undefined;
  const because = chosen ? 'docker:build option "builder" is "classic"' : 'the engine does not offer BuildKit';
  return (
    `the classic builder cannot take secrets (${ids.join(', ')}), and ${because}; ` +
    (chosen ? 'remove "builder": "classic" so BuildKit builds this image' : 'build on an engine with BuildKit (Docker 18.09 or later on Linux)') +
    `, or remove the "secrets" option`
  );
}
