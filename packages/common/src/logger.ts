export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFields = Record<string, unknown>;

export interface LogSink {
  write(chunk: string): unknown;
}

export interface LoggerOptions {
  service: string;
  /** Minimum level written. Defaults to the LOG_LEVEL env variable, then 'info'. */
  level?: LogLevel;
  /** Where lines go; defaults to process.stdout. */
  stream?: LogSink;
  /** Injectable for deterministic timestamps in tests. */
  clock?: () => Date;
}

export interface Logger {
  readonly level: LogLevel;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line it writes. */
  child(fields: LogFields): Logger;
}

export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? levelFromEnv(process.env['LOG_LEVEL']);
  return makeLogger(
    {
      service: options.service,
      level,
      stream: options.stream ?? process.stdout,
      clock: options.clock ?? (() => new Date()),
    },
    {},
  );
}

function levelFromEnv(raw: string | undefined): LogLevel {
  const value = raw?.trim().toLowerCase();
  if (!value) return 'info';
  if (isLogLevel(value)) return value;
  // Fail at startup rather than silently logging at a level nobody asked for.
  throw new RangeError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(raw)}`);
}

function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

type Settings = Required<LoggerOptions>;

function makeLogger(settings: Settings, bindings: LogFields): Logger {
  const threshold = LOG_LEVELS.indexOf(settings.level);
  const log = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (LOG_LEVELS.indexOf(level) < threshold) return;
    settings.stream.write(formatLine(settings, level, msg, { ...bindings, ...fields }) + '\n');
  };
  return {
    level: settings.level,
    debug: (msg, fields) => log('debug', msg, fields),
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
    child: (fields) => makeLogger(settings, { ...bindings, ...fields }),
  };
}

function formatLine(settings: Settings, level: LogLevel, msg: string, fields: LogFields): string {
  // Core keys come last so a field can never spoof them.
  const core = { time: settings.clock().toISOString(), level, service: settings.service, msg };
  try {
    return JSON.stringify({ ...(toPlain(fields, []) as LogFields), ...core });
  } catch (err) {
    // A throwing getter or toJSON must not take the caller down with it: keep the message.
    return JSON.stringify({ ...core, logError: `fields could not be serialised: ${String(err)}` });
  }
}

/** Copies `value` into something JSON.stringify handles: errors expanded, cycles and bigints defused. */
function toPlain(value: unknown, ancestors: object[]): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.includes(value)) return '[Circular]';
  ancestors.push(value);
  try {
    if (value instanceof Error) {
      // name/message/stack are not enumerable, so JSON.stringify would print {}.
      const { name, message, stack } = value;
      const plain: LogFields = { name, message, stack, ...Object.fromEntries(Object.entries(value)) };
      if ('cause' in value) plain['cause'] = value.cause;
      return toPlain(plain, ancestors);
    }
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return toPlain(toJSON.call(value), ancestors);
    if (Array.isArray(value)) return value.map((item) => toPlain(item, ancestors));
    const out: LogFields = {};
    for (const [key, item] of Object.entries(value)) out[key] = toPlain(item, ancestors);
    return out;
  } finally {
    ancestors.pop();
  }
}
