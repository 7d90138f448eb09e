import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, type LoggerOptions } from './logger.js';

const fixedClock = () => new Date('2024-05-01T12:00:00.000Z');

function capture(options: Partial<LoggerOptions> = {}) {
  const chunks: string[] = [];
  const logger = createLogger({ service: 'thumbs', clock: fixedClock, stream: { write: (c: string) => chunks.push(c) }, ...options });
  const lines = () => chunks.map((chunk) => JSON.parse(chunk) as Record<string, unknown>);
  return { logger, chunks, lines };
}

describe('createLogger', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('writes one JSON object per line with time, level, service, msg and fields', () => {
    const { logger, chunks } = capture();
    logger.info('resized', { width: 640, format: 'webp' });
    expect(chunks).toEqual(['{"width":640,"format":"webp","time":"2024-05-01T12:00:00.000Z","level":"info","service":"thumbs","msg":"resized"}\n']);
  });

  it('drops lines below the configured level', () => {
    const { logger, lines } = capture({ level: 'warn' });
    logger.debug('a');
    logger.info('b');
    logger.warn('c');
    logger.error('d');
    expect(lines().map((line) => [line['level'], line['msg']])).toEqual([
      ['warn', 'c'],
      ['error', 'd'],
    ]);
    expect(logger.level).toBe('warn');
  });

  it('takes the level from LOG_LEVEL when no option is given, case-insensitively', () => {
    vi.stubEnv('LOG_LEVEL', 'DEBUG');
    const { logger, lines } = capture();
    logger.debug('visible');
    expect(lines()).toHaveLength(1);
    expect(logger.level).toBe('debug');
  });

  it('prefers the explicit level option over LOG_LEVEL', () => {
    vi.stubEnv('LOG_LEVEL', 'debug');
    expect(capture({ level: 'error' }).logger.level).toBe('error');
  });

  it('defaults to info', () => {
    vi.stubEnv('LOG_LEVEL', '');
    expect(capture().logger.level).toBe('info');
  });

  it('rejects an unknown LOG_LEVEL with a clear message', () => {
    vi.stubEnv('LOG_LEVEL', 'verbose');
    expect(() => capture()).toThrow('LOG_LEVEL must be one of debug, info, warn, error, got "verbose"');
  });

  it('child loggers add their fields, and per-call fields win over them', () => {
    const { logger, lines } = capture();
    const child = logger.child({ requestId: 'r1', tenant: 'a' }).child({ tenant: 'b' });
    child.info('done', { durationMs: 12 });
    logger.info('parent');
    const [fromChild, fromParent] = lines();
    expect(fromChild).toMatchObject({ requestId: 'r1', tenant: 'b', durationMs: 12, msg: 'done' });
    expect(fromParent).not.toHaveProperty('requestId');
  });

  it('does not let fields overwrite the core keys', () => {
    const { logger, lines } = capture();
    logger.warn('real', { msg: 'fake', level: 'debug', service: 'other', time: 'never' });
    expect(lines()[0]).toEqual({ time: '2024-05-01T12:00:00.000Z', level: 'warn', service: 'thumbs', msg: 'real' });
  });

  it('serialises errors with name, message, stack, extra properties and cause', () => {
    const { logger, lines } = capture();
    const cause = new Error('socket hang up');
    const err = Object.assign(new TypeError('fetch failed', { cause }), { code: 'ECONNRESET' });
    logger.error('upload failed', { err });
    const logged = lines()[0]?.['err'] as Record<string, unknown>;
    expect(logged).toMatchObject({ name: 'TypeError', message: 'fetch failed', code: 'ECONNRESET' });
    expect(logged['stack']).toContain('TypeError: fetch failed');
    expect(logged['cause']).toMatchObject({ name: 'Error', message: 'socket hang up' });
  });

  it('never throws on circular fields and keeps repeated non-circular references', () => {
    const { logger, lines } = capture();
    const shared = { id: 1 };
    const node: Record<string, unknown> = { name: 'root', shared, again: shared };
    node['self'] = node;
    const err = new Error('loop');
    (err as Error & { cause: unknown }).cause = err;
    expect(() => logger.info('cyclic', { node, err })).not.toThrow();
    const line = lines()[0];
    expect(line?.['node']).toEqual({ name: 'root', shared: { id: 1 }, again: { id: 1 }, self: '[Circular]' });
    expect(line?.['err']).toMatchObject({ message: 'loop', cause: '[Circular]' });
  });

  it('handles bigints, dates and values that refuse to serialise', () => {
    const { logger, lines } = capture();
    logger.info('values', { big: 10n ** 20n, at: new Date(0) });
    const hostile = {
      toJSON() {
        throw new Error('nope');
      },
    };
    logger.info('hostile', { hostile });
    const [values, fallback] = lines();
    expect(values).toMatchObject({ big: '100000000000000000000', at: '1970-01-01T00:00:00.000Z' });
    expect(fallback).toMatchObject({ msg: 'hostile', logError: 'fields could not be serialised: Error: nope' });
  });
});
