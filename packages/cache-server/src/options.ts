import { ConfigError, loadConfig, type Env } from '@imagewise/common';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CacheServerOptions, StorageOption } from './start.js';

/** Every flag, its environment variable and what it takes. */
const FLAGS = {
  port: { env: 'IMAGEWISE_CACHE_PORT', value: '<n>', help: 'TCP port (default 3000)' },
  host: { env: 'IMAGEWISE_CACHE_HOST', value: '<address>', help: 'address to listen on (default 0.0.0.0; 127.0.0.1 with --open)' },
  storage: { env: 'IMAGEWISE_CACHE_STORAGE', value: '<dir|s3://bucket/prefix>', help: 'where entries live (required)' },
  token: { env: 'IMAGEWISE_CACHE_TOKEN', value: '<token>', help: 'read-write bearer token' },
  'read-only-token': { env: 'IMAGEWISE_CACHE_READ_ONLY_TOKEN', value: '<token>', help: 'read-only bearer token (merge-request pipelines)' },
  open: { env: 'IMAGEWISE_CACHE_OPEN', value: '', help: 'no authentication at all, for local use only' },
  'max-entry-size': { env: 'IMAGEWISE_CACHE_MAX_ENTRY_SIZE', value: '<size>', help: 'larger entries answer 413 (default 1GiB)' },
  'max-age': { env: 'IMAGEWISE_CACHE_MAX_AGE', value: '<duration>', help: 'filesystem: evict entries unused this long (e.g. 14d)' },
  'max-total-size': { env: 'IMAGEWISE_CACHE_MAX_TOTAL_SIZE', value: '<size>', help: 'filesystem: evict least recently used entries above this (e.g. 50GiB)' },
  'evict-interval': { env: 'IMAGEWISE_CACHE_EVICT_INTERVAL', value: '<duration>', help: 'filesystem: time between eviction passes (default 10m)' },
  's3-endpoint': { env: 'IMAGEWISE_CACHE_S3_ENDPOINT', value: '<url>', help: 'S3-compatible endpoint (MinIO, Ceph); AWS when unset' },
  's3-region': { env: 'IMAGEWISE_CACHE_S3_REGION', value: '<region>', help: 'S3 region (default $AWS_REGION, else us-east-1)' },
  's3-force-path-style': { env: 'IMAGEWISE_CACHE_S3_FORCE_PATH_STYLE', value: '', help: 'bucket in the path (default: on with --s3-endpoint)' },
} as const;

type Flag = keyof typeof FLAGS;

const SCHEMA = {
  port: { type: 'port', env: FLAGS.port.env, default: 3000 },
  host: { type: 'string', env: FLAGS.host.env, required: false },
  storage: { type: 'string', env: FLAGS.storage.env },
  token: { type: 'string', env: FLAGS.token.env, required: false, secret: true },
  readOnlyToken: { type: 'string', env: FLAGS['read-only-token'].env, required: false, secret: true },
  open: { type: 'boolean', env: FLAGS.open.env, default: false },
  maxEntrySize: { type: 'string', env: FLAGS['max-entry-size'].env, default: '1GiB' },
  maxAge: { type: 'string', env: FLAGS['max-age'].env, required: false },
  maxTotalSize: { type: 'string', env: FLAGS['max-total-size'].env, required: false },
  evictInterval: { type: 'string', env: FLAGS['evict-interval'].env, default: '10m' },
  s3Endpoint: { type: 'url', env: FLAGS['s3-endpoint'].env, protocols: ['http:', 'https:'], required: false },
  s3Region: { type: 'string', env: FLAGS['s3-region'].env, required: false },
  s3ForcePathStyle: { type: 'boolean', env: FLAGS['s3-force-path-style'].env, required: false },
} as const;

export class OptionsError extends Error {
  override readonly name = 'OptionsError';
}

export type Command = { help: true } | { help: false; options: CacheServerOptions & { port: number; host: string } };

/** Reads the command line, then the environment for each flag not given; throws OptionsError naming what is wrong. */
export function readCommand(argv: readonly string[], env: Env, cwd = process.cwd()): Command {
  const values = parseFlags(argv);
  if (values['help']) return { help: true };
  // A flag wins over its variable: the flags are laid over the environment.
  const merged: Env = { ...env };
  for (const flag of Object.keys(FLAGS) as Flag[]) {
    const value = values[flag];
    if (value !== undefined) merged[FLAGS[flag].env] = String(value);
  }
  let config;
  try {
    config = loadConfig(SCHEMA, merged);
  } catch (error) {
    if (error instanceof ConfigError) throw new OptionsError(error.issues.map((issue) => withFlagName(issue.message, issue.env)).join('\n'));
    throw error;
  }
  const maxAgeMs = config.maxAge === undefined ? undefined : parseDuration(config.maxAge, 'max-age');
  const maxTotalBytes = config.maxTotalSize === undefined ? undefined : parseSize(config.maxTotalSize, 'max-total-size');
  const storage = parseStorage(config.storage, cwd, { endpoint: config.s3Endpoint, region: config.s3Region, forcePathStyle: config.s3ForcePathStyle });
  if (storage.kind === 's3' && (maxAgeMs !== undefined || maxTotalBytes !== undefined)) {
    throw new OptionsError(
      `${flagName('max-age')} and ${flagName('max-total-size')} evict from filesystem storage; for S3, expire entries with a lifecycle rule on the bucket`,
    );
  }
  return {
    help: false,
    options: {
      port: config.port,
      host: config.host ?? (config.open ? '127.0.0.1' : '0.0.0.0'),
      storage,
      token: config.token,
      readOnlyToken: config.readOnlyToken,
      open: config.open,
      maxEntryBytes: parseSize(config.maxEntrySize, 'max-entry-size'),
      eviction: { maxAgeMs, maxTotalBytes, intervalMs: parseDuration(config.evictInterval, 'evict-interval') },
    },
  };
}

function parseFlags(argv: readonly string[]): Record<string, string | boolean | undefined> {
  const options = Object.fromEntries(
    (Object.keys(FLAGS) as Flag[]).map((flag) => [flag, { type: FLAGS[flag].value ? ('string' as const) : ('boolean' as const) }]),
  );
  try {
    return parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true }).values;
  } catch (error) {
    throw new OptionsError(`${(error as Error).message}; see --help`);
  }
}

function parseStorage(value: string, cwd: string, s3: { endpoint?: string; region?: string; forcePathStyle?: boolean }): StorageOption {
  if (!value.startsWith('s3://')) return { kind: 'filesystem', directory: resolve(cwd, value) };
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(value);
  if (!match) throw new OptionsError(`${flagName('storage')}: expected s3://<bucket>[/<prefix>] with a valid bucket name, got ${JSON.stringify(value)}`);
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  return { kind: 's3', bucket: match[1]!, prefix: prefix ? `${prefix}/` : '', ...definedOnly(s3) };
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gib: 1024 ** 3,
  t: 1e12,
  tb: 1e12,
  tib: 1024 ** 4,
};

/** `1048576`, `512MiB`, `1.5GB`: bytes, decimal or binary units. */
export function parseSize(value: string, flag: Flag): number {
  const match = /^(\d+(?:\.\d+)?) *([a-z]*)$/i.exec(value.trim());
  const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined;
  const bytes = match && unit ? Math.floor(Number(match[1]) * unit) : NaN;
  if (!(bytes > 0)) throw new OptionsError(`${flagName(flag)}: expected a size such as 1048576, 512MiB or 2GB, got ${JSON.stringify(value)}`);
  return bytes;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `10m`, `12h`, `14d`: milliseconds. */
export function parseDuration(value: string, flag: Flag): number {
  const match = /^(\d+(?:\.\d+)?) *(ms|s|m|h|d)$/.exec(value.trim());
  const ms = match ? Math.floor(Number(match[1]) * DURATION_UNITS[match[2]!]!) : NaN;
  if (!(ms > 0)) throw new OptionsError(`${flagName(flag)}: expected a duration such as 90s, 10m, 12h or 14d, got ${JSON.stringify(value)}`);
  return ms;
}

function flagName(flag: Flag): string {
  return `--${flag} (${FLAGS[flag].env})`;
}

/** loadConfig names the variable; the message names the flag too. */
function withFlagName(message: string, env: string): string {
  const flag = (Object.keys(FLAGS) as Flag[]).find((name) => FLAGS[name].env === env);
  return flag ? message.replace(env, flagName(flag)) : message;
}

function definedOnly<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

export function usage(): string {
  const rows = (Object.keys(FLAGS) as Flag[]).map((flag) => {
    const { value, env, help } = FLAGS[flag];
    return `  --${flag}${value ? ` ${value}` : ''}\n      ${help}; env ${env}`;
  });
  return [
    'Usage: imagewise-cache-server --storage <dir|s3://bucket/prefix> --token <token> [options]',
    '',
    "A remote cache server for Nx's self-hosted cache API (GET/PUT /v1/cache/{hash}), with /health and /metrics.",
    'Each flag may be given as its environment variable instead; a flag wins. Prefer the variables for tokens:',
    'command lines are visible to every user of the machine.',
    '',
    ...rows,
    '  --help, -h',
    '',
  ].join('\n');
}
