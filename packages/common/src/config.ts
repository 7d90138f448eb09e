interface BaseSpec<T> {
  /** Environment variable to read; defaults to the schema key. */
  env?: string;
  /** Used when the variable is unset or empty; makes the key always present. */
  default?: T;
  /** Defaults to true. `false` lets the key resolve to undefined when unset. */
  required?: boolean;
  /** Keeps the value out of error messages. */
  secret?: boolean;
}

export interface StringSpec extends BaseSpec<string> {
  type: 'string';
}
export interface IntegerSpec extends BaseSpec<number> {
  type: 'integer';
  min?: number;
  max?: number;
}
export interface NumberSpec extends BaseSpec<number> {
  type: 'number';
  min?: number;
  max?: number;
}
export interface BooleanSpec extends BaseSpec<boolean> {
  type: 'boolean';
}
export interface PortSpec extends BaseSpec<number> {
  type: 'port';
}
/** Resolves to the string as given, once `new URL` accepts it. */
export interface UrlSpec extends BaseSpec<string> {
  type: 'url';
  protocols?: readonly string[];
}
export interface EnumSpec<V extends string = string> extends BaseSpec<V> {
  type: 'enum';
  values: readonly V[];
}

export type ConfigSpec = StringSpec | IntegerSpec | NumberSpec | BooleanSpec | PortSpec | UrlSpec | EnumSpec;
export type ConfigSchema = Record<string, ConfigSpec>;

type ValueOf<S extends ConfigSpec> =
  S extends EnumSpec<infer V> ? V : S extends IntegerSpec | NumberSpec | PortSpec ? number : S extends BooleanSpec ? boolean : string;

type Resolved<S extends ConfigSpec> = S extends { default: unknown } ? ValueOf<S> : S extends { required: false } ? ValueOf<S> | undefined : ValueOf<S>;

export type Config<T extends ConfigSchema> = { readonly [K in keyof T]: Resolved<T[K]> };

export interface ConfigIssue {
  key: string;
  env: string;
  /** The raw value; undefined when unset or when the key is secret. */
  value?: string;
  expected: string;
  message: string;
}

/** Thrown once per loadConfig call, carrying every problem found. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: readonly ConfigIssue[]) {
    const noun = issues.length === 1 ? 'problem' : 'problems';
    super(`Invalid configuration (${issues.length} ${noun}):\n` + issues.map((i) => `  - ${i.message}`).join('\n'));
  }
}

export type Env = Record<string, string | undefined>;

/**
 * Reads and validates every key of `schema` from `env`. Values are trimmed, and empty
 * ones count as unset, since `FOO=` in a compose file usually means "not configured".
 */
export function loadConfig<const T extends ConfigSchema>(schema: T, env: Env = process.env): Config<T> {
  const result: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  for (const [key, spec] of Object.entries(schema)) {
    const name = spec.env ?? key;
    const raw = env[name]?.trim();
    const expected = describe(spec);
    if (!raw) {
      if (spec.default !== undefined) result[key] = spec.default;
      else if (spec.required === false) result[key] = undefined;
      else issues.push({ key, env: name, expected, message: `${name}: required but not set (expected ${expected})` });
      continue;
    }
    const parsed = parse(spec, raw);
    if (parsed.ok) {
      result[key] = parsed.value;
      continue;
    }
    const shown = spec.secret ? '<secret>' : JSON.stringify(raw);
    issues.push({
      key,
      env: name,
      ...(spec.secret ? {} : { value: raw }),
      expected,
      message: `${name}: expected ${expected}, got ${shown}`,
    });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return Object.freeze(result) as Config<T>;
}

type Parsed = { ok: true; value: unknown } | { ok: false };

const BOOLEANS: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false, on: true, off: false };

function parse(spec: ConfigSpec, raw: string): Parsed {
  switch (spec.type) {
    case 'string':
      return { ok: true, value: raw };
    case 'integer':
    case 'port':
    case 'number': {
      // Number() alone would accept '0x10', '1e3' and ' ' for integers.
      const value = spec.type === 'number' ? Number(raw) : /^[+-]?\d+$/.test(raw) ? Number(raw) : NaN;
      const [min, max] = spec.type === 'port' ? [0, 65535] : [spec.min ?? -Infinity, spec.max ?? Infinity];
      const valid = spec.type === 'number' ? Number.isFinite(value) : Number.isSafeInteger(value);
      return valid && value >= min && value <= max ? { ok: true, value } : { ok: false };
    }
    case 'boolean': {
      const value = BOOLEANS[raw.toLowerCase()];
      return value === undefined ? { ok: false } : { ok: true, value };
    }
    case 'url': {
      const url = tryUrl(raw);
      return url && (!spec.protocols || spec.protocols.includes(url.protocol)) ? { ok: true, value: raw } : { ok: false };
    }
    case 'enum':
      return spec.values.includes(raw) ? { ok: true, value: raw } : { ok: false };
  }
}

// URL.canParse would do, but only exists from Node 18.17.
function tryUrl(raw: string): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

function describe(spec: ConfigSpec): string {
  switch (spec.type) {
    case 'string':
      return 'a string';
    case 'integer':
    case 'number':
      return `${spec.type === 'integer' ? 'an integer' : 'a number'}${range(spec.min, spec.max)}`;
    case 'port':
      return 'a TCP port (integer 0-65535)';
    case 'boolean':
      return 'a boolean (true/false, 1/0, yes/no, on/off)';
    case 'url':
      return spec.protocols ? `a URL with protocol ${spec.protocols.join(' or ')}` : 'a URL';
    case 'enum':
      return `one of ${spec.values.join(', ')}`;
  }
}

function range(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` between ${min} and ${max}`;
  if (min !== undefined) return ` >= ${min}`;
  if (max !== undefined) return ` <= ${max}`;
  return '';
}
