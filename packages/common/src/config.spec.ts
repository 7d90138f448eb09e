import { describe, expect, expectTypeOf, it } from 'vitest';
import { ConfigError, loadConfig, type ConfigSchema } from './config.js';

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  const schema = {
    port: { type: 'port', env: 'PORT', default: 8080 },
    databaseUrl: { type: 'url', env: 'DATABASE_URL', protocols: ['postgres:'] },
    workers: { type: 'integer', env: 'WORKERS', min: 1, max: 64, default: 4 },
    quality: { type: 'number', env: 'QUALITY', required: false },
    dryRun: { type: 'boolean', env: 'DRY_RUN', default: false },
    format: { type: 'enum', env: 'FORMAT', values: ['webp', 'avif', 'jpeg'], default: 'webp' },
    BUCKET: { type: 'string' },
  } as const satisfies ConfigSchema;

  it('parses every type and infers the result type from the schema', () => {
    const config = loadConfig(schema, {
      PORT: '3000',
      DATABASE_URL: 'postgres://db:5432/images',
      WORKERS: ' 8 ',
      QUALITY: '0.85',
      DRY_RUN: 'YES',
      FORMAT: 'avif',
      BUCKET: 'thumbs',
    });
    expect(config).toEqual({
      port: 3000,
      databaseUrl: 'postgres://db:5432/images',
      workers: 8,
      quality: 0.85,
      dryRun: true,
      format: 'avif',
      BUCKET: 'thumbs',
    });
    expect(Object.isFrozen(config)).toBe(true);
    expectTypeOf(config.port).toEqualTypeOf<number>();
    expectTypeOf(config.quality).toEqualTypeOf<number | undefined>();
    expectTypeOf(config.dryRun).toEqualTypeOf<boolean>();
    expectTypeOf(config.format).toEqualTypeOf<'webp' | 'avif' | 'jpeg'>();
    expectTypeOf(config.BUCKET).toEqualTypeOf<string>();
  });

  it('applies defaults and leaves optional keys undefined when unset or empty', () => {
    const config = loadConfig(schema, { DATABASE_URL: 'postgres://db/images', BUCKET: 'b', PORT: '', QUALITY: '  ' });
    expect(config).toEqual({
      port: 8080,
      databaseUrl: 'postgres://db/images',
      workers: 4,
      quality: undefined,
      dryRun: false,
      format: 'webp',
      BUCKET: 'b',
    });
  });

  it('infers literal types when the schema is written inline', () => {
    const config = loadConfig({ MODE: { type: 'enum', values: ['a', 'b'] } }, { MODE: 'b' });
    expectTypeOf(config.MODE).toEqualTypeOf<'a' | 'b'>();
    expect(config.MODE).toBe('b');
  });

  it('reports every problem in one ConfigError, naming the variable, value and expectation', () => {
    const error = configError(() =>
      loadConfig(schema, {
        PORT: '70000',
        DATABASE_URL: 'mysql://db/images',
        WORKERS: '1.5',
        QUALITY: 'high',
        DRY_RUN: 'maybe',
        FORMAT: 'gif',
      }),
    );
    expect(error.name).toBe('ConfigError');
    expect(error.message).toBe(
      [
        'Invalid configuration (7 problems):',
        '  - PORT: expected a TCP port (integer 0-65535), got "70000"',
        '  - DATABASE_URL: expected a URL with protocol postgres:, got "mysql://db/images"',
        '  - WORKERS: expected an integer between 1 and 64, got "1.5"',
        '  - QUALITY: expected a number, got "high"',
        '  - DRY_RUN: expected a boolean (true/false, 1/0, yes/no, on/off), got "maybe"',
        '  - FORMAT: expected one of webp, avif, jpeg, got "gif"',
        '  - BUCKET: required but not set (expected a string)',
      ].join('\n'),
    );
    expect(error.issues.map((issue) => issue.env)).toEqual(['PORT', 'DATABASE_URL', 'WORKERS', 'QUALITY', 'DRY_RUN', 'FORMAT', 'BUCKET']);
    expect(error.issues[0]).toMatchObject({ key: 'port', env: 'PORT', value: '70000' });
  });

  it('rejects numeric forms that Number() would let through for integers', () => {
    const ints = { N: { type: 'integer' } } as const;
    for (const bad of ['0x10', '1e3', '12abc', '9007199254740993']) {
      expect(() => loadConfig(ints, { N: bad }), bad).toThrow(ConfigError);
    }
    expect(loadConfig(ints, { N: '-42' }).N).toBe(-42);
    expect(() => loadConfig({ X: { type: 'number' } }, { X: 'Infinity' })).toThrow('X: expected a number, got "Infinity"');
    expect(() => loadConfig({ U: { type: 'url' } }, { U: 'not a url' })).toThrow('U: expected a URL, got "not a url"');
  });

  it('never shows the value of a secret key', () => {
    const error = configError(() => loadConfig({ apiKey: { type: 'url', env: 'API_URL', secret: true } }, { API_URL: 'hunter2' }));
    expect(error.message).toBe('Invalid configuration (1 problem):\n  - API_URL: expected a URL, got <secret>');
    expect(error.message).not.toContain('hunter2');
    expect(error.issues[0]).not.toHaveProperty('value');
  });

  it('reads process.env by default', () => {
    const name = 'IMAGEWISE_COMMON_SPEC_VALUE';
    process.env[name] = '17';
    try {
      expect(loadConfig({ [name]: { type: 'integer' } }) as Record<string, unknown>).toEqual({ [name]: 17 });
    } finally {
      delete process.env[name];
    }
  });
});
