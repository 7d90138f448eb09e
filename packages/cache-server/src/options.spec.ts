import { describe, expect, it } from 'vitest';
import { OptionsError, parseDuration, parseSize, readCommand, usage } from './options.js';

const read = (argv: string[], env: Record<string, string> = {}) => {
  const command = readCommand(argv, env, '/srv');
  if (command.help) throw new Error('unexpected --help');
  return command.options;
};

describe('readCommand', () => {
  it('reads the flags', () => {
    const options = read(['--port', '8080', '--storage', 'cache', '--token', 'rw', '--read-only-token', 'ro', '--max-entry-size', '256MiB']);
    expect(options).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      storage: { kind: 'filesystem', directory: '/srv/cache' },
      token: 'rw',
      readOnlyToken: 'ro',
      open: false,
      maxEntryBytes: 256 * 1024 ** 2,
      eviction: { maxAgeMs: undefined, maxTotalBytes: undefined, intervalMs: 600_000 },
    });
  });

  it('reads each flag from its environment variable, and a flag wins', () => {
    const env = {
      IMAGEWISE_CACHE_PORT: '9000',
      IMAGEWISE_CACHE_STORAGE: '/var/cache/nx',
      IMAGEWISE_CACHE_TOKEN: 'from-env',
      IMAGEWISE_CACHE_READ_ONLY_TOKEN: 'ro-env',
      IMAGEWISE_CACHE_MAX_AGE: '14d',
      IMAGEWISE_CACHE_MAX_TOTAL_SIZE: '50GB',
      IMAGEWISE_CACHE_EVICT_INTERVAL: '1h',
    };
    expect(read([], env)).toMatchObject({
      port: 9000,
      storage: { kind: 'filesystem', directory: '/var/cache/nx' },
      token: 'from-env',
      readOnlyToken: 'ro-env',
      eviction: { maxAgeMs: 14 * 86_400_000, maxTotalBytes: 50e9, intervalMs: 3_600_000 },
    });
    expect(read(['--port=9100', '--token', 'from-flag'], env)).toMatchObject({ port: 9100, token: 'from-flag' });
  });

  it('listens on loopback only when open, unless told otherwise', () => {
    expect(read(['--storage', 'c', '--open'])).toMatchObject({ open: true, host: '127.0.0.1' });
    expect(read(['--storage', 'c'], { IMAGEWISE_CACHE_OPEN: 'true', IMAGEWISE_CACHE_HOST: '::' })).toMatchObject({ open: true, host: '::' });
  });

  it('reads S3 storage', () => {
    expect(read(['--storage', 's3://nx-cache/ci/main/', '--s3-endpoint', 'http://minio:9000', '--s3-region', 'eu-west-1'])).toMatchObject({
      storage: { kind: 's3', bucket: 'nx-cache', prefix: 'ci/main/', endpoint: 'http://minio:9000', region: 'eu-west-1' },
    });
    expect(read(['--storage', 's3://nx-cache'], { IMAGEWISE_CACHE_S3_FORCE_PATH_STYLE: 'false' }).storage).toEqual({
      kind: 's3',
      bucket: 'nx-cache',
      prefix: '',
      forcePathStyle: false,
    });
  });

  it('says what is wrong, naming the flag and its variable, and never shows a token', () => {
    expect(() => read(['--port', '99999', '--token', 'sekrit'])).toThrow(OptionsError);
    try {
      read(['--port', '99999', '--token', 'sekrit']);
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('--port (IMAGEWISE_CACHE_PORT): expected a TCP port');
      expect(message).toContain('--storage (IMAGEWISE_CACHE_STORAGE): required but not set');
      expect(message).not.toContain('sekrit');
    }
    expect(() => read(['--storage', 's3://A_B'])).toThrow(/--storage \(IMAGEWISE_CACHE_STORAGE\): expected s3:\/\/<bucket>/);
    expect(() => read(['--storage', 'c', '--max-age', 'forever'])).toThrow(/--max-age \(IMAGEWISE_CACHE_MAX_AGE\): expected a duration/);
    expect(() => read(['--storage', 'c', '--verbose'])).toThrow(/Unknown option '--verbose'/);
    expect(() => read(['--storage', 's3://nx-cache', '--max-total-size', '1GB'])).toThrow(
      /evict from filesystem storage; for S3, expire entries with a lifecycle rule/,
    );
  });

  it('answers --help with a usage text listing every variable', () => {
    expect(readCommand(['--help'], {})).toEqual({ help: true });
    expect(usage()).toContain('--read-only-token <token>');
    expect(usage()).toContain('IMAGEWISE_CACHE_READ_ONLY_TOKEN');
  });
});

describe('sizes and durations', () => {
  it.each([
    ['1048576', 1048576],
    ['512MiB', 512 * 1024 ** 2],
    ['1.5GB', 1.5e9],
    ['10 kb', 10_000],
  ])('size %j', (text, bytes) => expect(parseSize(text, 'max-entry-size')).toBe(bytes));

  it.each(['', '0', '-1MB', '1XB', 'MB'])('rejects size %j', (text) => {
    expect(() => parseSize(text, 'max-entry-size')).toThrow(OptionsError);
  });

  it.each([
    ['90s', 90_000],
    ['10m', 600_000],
    ['12h', 43_200_000],
    ['14d', 1_209_600_000],
  ])('duration %j', (text, ms) => expect(parseDuration(text, 'max-age')).toBe(ms));

  it.each(['10', '1w', '0s'])('rejects duration %j', (text) => {
    expect(() => parseDuration(text, 'max-age')).toThrow(OptionsError);
  });
});
