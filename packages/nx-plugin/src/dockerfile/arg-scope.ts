/**
 * ARG and ENV scopes, as BuildKit keeps them: one global scope (the ARGs before the first
 * FROM, plus the platform ARGs BuildKit sets) and one scope per stage, with build args
 * overriding the defaults of declared ARGs. Also explains, as problems, why a word that
 * uses these variables has no value.
 */
import { excerpt } from '../text/excerpt';
import type { GlobalArg, ReportProblem } from './analyse';
import type { InstructionProperty } from './instruction';
import { substitute, UNKNOWN_VALUE, type Substitution, type VariableValue } from './substitute';

/** Where a word is used, as problem messages name it. */
export type UseContext = 'FROM' | 'FROM --platform' | 'COPY --from' | 'RUN --mount from=';

/** Platform ARGs BuildKit sets in the global scope; their values depend on the build. */
const PLATFORM_ARGS = ['TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT', 'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT'];

/**
 * A variable in a scope. Absent from the scope: no value. `pending`: it has a value at
 * build time that cannot be known here, because it is a platform ARG or is derived from
 * variables that have no value (`unset`) or are platform ARGs (`platform`).
 */
type ScopeEntry = { kind: 'value'; value: string } | PendingEntry;
type PendingEntry = {
  kind: 'pending';
  unset: string[];
  platform: string[];
  /** Its value on a given platform, when it depends on platform ARGs only. */
  onPlatform?: (platform: Platform) => string | undefined;
};

/** The platform ARGs' values for one platform a build may target. */
type Platform = Record<string, string>;

/**
 * Platforms a build may target (and build on), for Dockerfiles that switch
 * stages by platform (`FROM build-$TARGETARCH`): Docker's official images'
 * platforms. The build platform is taken to be the target one.
 */
const PLATFORMS: Platform[] = [
  'linux/amd64',
  'linux/arm64',
  'linux/arm/v7',
  'linux/arm/v6',
  'linux/386',
  'linux/ppc64le',
  'linux/s390x',
  'linux/riscv64',
  'windows/amd64',
].map((name) => {
  const [os, arch, variant = ''] = name.split('/');
  const values = { PLATFORM: name, OS: os, ARCH: arch, VARIANT: variant };
  return Object.fromEntries(
    Object.entries(values).flatMap(([key, value]) => [
      [`TARGET${key}`, value],
      [`BUILD${key}`, value],
    ]),
  );
});

export class Scope {
  constructor(
    readonly args = new Map<string, ScopeEntry>(),
    readonly env = new Map<string, ScopeEntry>(),
    /** Names declared by ARG in this scope, with or without a value. */
    readonly declared = new Set<string>(),
  ) {}

  /** ENV wins over ARG of the same name, as in BuildKit. */
  get(name: string): ScopeEntry | undefined {
    return this.env.get(name) ?? this.args.get(name);
  }

  readonly lookup = (name: string): VariableValue => {
    const entry = this.get(name);
    if (entry === undefined) return undefined;
    return entry.kind === 'value' ? entry.value : UNKNOWN_VALUE;
  };

  copy(): Scope {
    return new Scope(new Map(this.args), new Map(this.env), new Set(this.declared));
  }
}

/** Build args as a Map of own string entries, so that odd inputs cannot reach prototypes. */
export function buildArgMap(record: Record<string, string>): Map<string, string> {
  const map = new Map<string, string>();
  if (record === null || typeof record !== 'object') return map;
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === 'string') map.set(key, value);
  }
  return map;
}

export class ArgScopes {
  /** The global scope. FROM lines see only this one. */
  readonly globals = new Scope();

  constructor(
    private readonly buildArgs: Map<string, string>,
    private readonly escapeChar: string,
    private readonly report: ReportProblem,
  ) {
    for (const name of PLATFORM_ARGS) {
      const given = buildArgs.get(name);
      this.globals.args.set(
        name,
        given !== undefined ? { kind: 'value', value: given } : { kind: 'pending', unset: [], platform: [name], onPlatform: (platform) => platform[name] },
      );
    }
  }

  /** Expands the variables of `scope` in a word. */
  expand(word: string, scope: Scope, processQuotes = true): Substitution {
    return substitute(word, scope.lookup, { escapeChar: this.escapeChar, processQuotes });
  }

  /**
   * What a word that depends on platform ARGs only gives on each platform a
   * build may target (none when it needs anything else that has no value).
   */
  valuesPerPlatform(word: string, scope: Scope): string[] {
    return PLATFORMS.map((platform) => this.expandOn(word, scope, platform)).filter((value): value is string => value !== undefined);
  }

  private expandOn(word: string, scope: Scope, platform: Platform): string | undefined {
    const lookup = (name: string): VariableValue => {
      const entry = scope.get(name);
      if (entry === undefined) return undefined;
      return entry.kind === 'value' ? entry.value : (entry.onPlatform?.(platform) ?? UNKNOWN_VALUE);
    };
    return substitute(word, lookup, { escapeChar: this.escapeChar }).value;
  }

  /** Applies an ARG line's properties to `scope`; returns its declarations with their values. */
  declareArgs(properties: readonly InstructionProperty[], line: number, scope: Scope): GlobalArg[] {
    const declared: GlobalArg[] = [];
    const declarations = argDeclarations(properties, this.escapeChar);
    if (declarations.length === 0) this.report(line, 'ARG needs a name: write "ARG NAME" or "ARG NAME=default"');
    for (const { name, written } of declarations) {
      if (name === '') {
        this.report(line, 'ARG has a value but no name: write "ARG NAME=default"');
        continue;
      }
      scope.declared.add(name);
      const given = this.buildArgs.get(name);
      let entry: ScopeEntry | undefined;
      if (given !== undefined) {
        entry = { kind: 'value', value: given };
      } else if (written !== null) {
        entry = this.entryFor(written, scope, line, `ARG ${name}`);
      } else if (scope === this.globals) {
        entry = scope.args.get(name); // a repeated declaration keeps the earlier value
      } else {
        // Without a default a stage ARG takes the global value (as BuildKit does), else
        // keeps what the stage inherited from a parent stage.
        entry = this.globals.args.get(name) ?? scope.args.get(name);
      }
      assign(scope.args, name, entry);
      declared.push({ name, value: entry?.kind === 'value' ? entry.value : undefined, line });
    }
    return declared;
  }

  /** Applies an ENV line's properties to `scope`. */
  setEnv(properties: readonly InstructionProperty[], line: number, scope: Scope): void {
    for (const property of properties) {
      const name = property.name;
      const written = property.raw;
      if (name === '' || written === null) continue;
      assign(scope.env, name, this.entryFor(written, scope, line, `ENV ${name}`));
    }
  }

  /**
   * Reports why a substitution has no value; returns whether it has one. Platform ARGs in
   * FROM --platform are expected and not reported.
   */
  explain(result: Substitution, line: number, context: UseContext, raw: string, scope: Scope): boolean {
    if (result.error !== undefined) {
      this.report(line, `${context} ${excerpt(raw)} cannot be expanded (${result.error}): fix its variable syntax`);
      return false;
    }
    if (result.value !== undefined) return true;
    for (const name of result.unset) {
      this.report(line, `${context} uses $${excerpt(name)}, which ${this.missingAdvice(name, scope)}`);
    }
    for (const [name, entry] of pendingEntries(result, scope)) {
      if (entry.unset.length > 0) {
        const roots = entry.unset.map((n) => `$${n}`).join(', ');
        const first = entry.unset[0];
        this.report(
          line,
          `${context} uses $${name}, whose value needs ${roots}, which ${entry.unset.length > 1 ? 'have' : 'has'} no value: give "ARG ${first}" a default or pass ${first} (or ${name}) as a build arg`,
        );
      } else if (context !== 'FROM --platform') {
        const roots = entry.platform.map((n) => `$${n}`).join(', ');
        const via = entry.platform.length === 1 && entry.platform[0] === name ? '' : ` (through ${roots})`;
        this.report(
          line,
          `${context} uses $${name}${via}, which BuildKit sets at build time from the target or build platform: pass ${entry.platform.join(', ')} as ${entry.platform.length > 1 ? 'build args' : 'a build arg'} to resolve it here`,
        );
      }
    }
    return false;
  }

  /** The scope entry for an ARG/ENV value as written. */
  private entryFor(written: string, scope: Scope, line: number, what: string): ScopeEntry | undefined {
    const result = this.expand(written, scope);
    if (result.error !== undefined) {
      this.report(line, `${what} has a value that cannot be expanded (${result.error}): fix its variable syntax`);
      return undefined;
    }
    if (result.value !== undefined) return { kind: 'value', value: result.value };
    // The variables without a value, and the platform ARGs, that the value ultimately needs.
    const unset = new Set(result.unset);
    const platform = new Set<string>();
    for (const [, entry] of pendingEntries(result, scope)) {
      for (const n of entry.unset) unset.add(n);
      for (const n of entry.platform) platform.add(n);
    }
    const entry: PendingEntry = { kind: 'pending', unset: [...unset], platform: [...platform] };
    if (unset.size === 0) {
      // Worked out again per platform, against the scope as it is now.
      const snapshot = scope.copy();
      entry.onPlatform = (platformValues) => this.expandOn(written, snapshot, platformValues);
    }
    return entry;
  }

  /** Completes "… uses $NAME, which …" for a variable with no value. */
  private missingAdvice(name: string, scope: Scope): string {
    if (scope.declared.has(name)) {
      return `has no value: give "ARG ${name}" a default or pass it as a build arg`;
    }
    if (scope === this.globals) {
      return `is not declared before the first FROM (FROM lines can use only global ARGs): add "ARG ${name}=<value>" before the first FROM`;
    }
    if (this.globals.declared.has(name)) {
      return `is a global ARG that this stage does not redeclare: add "ARG ${name}" to the stage`;
    }
    if (PLATFORM_ARGS.includes(name)) {
      return `is a platform ARG that this stage does not declare: add "ARG ${name}" to the stage`;
    }
    return `is not declared in this stage: add "ARG ${name}=<value>" to the stage`;
  }
}

/** The variables a substitution could not know, with their pending scope entries. */
function pendingEntries(result: Substitution, scope: Scope): [string, PendingEntry][] {
  const entries: [string, PendingEntry][] = [];
  for (const name of result.unknown) {
    const entry = scope.get(name);
    if (entry?.kind === 'pending') entries.push([name, entry]);
  }
  return entries;
}

function assign(map: Map<string, ScopeEntry>, name: string, entry: ScopeEntry | undefined): void {
  if (entry === undefined) map.delete(name);
  else map.set(name, entry);
}

/**
 * The `name[=default]` declarations of an ARG line; `written` is the default as written
 * (quotes and escapes kept) or null. dockerfile-ast parses ARG like ENV's old
 * `ENV NAME value` form, so `ARG A B=1` comes back as one property A with the value
 * "B=1"; BuildKit reads every word as its own declaration, so such values are split
 * into words again here.
 */
function argDeclarations(properties: readonly InstructionProperty[], escapeChar: string): { name: string; written: string | null }[] {
  const declarations: { name: string; written: string | null }[] = [];
  for (const property of properties) {
    const written = property.raw;
    if (written === null || property.assigned) {
      declarations.push({ name: property.name, written });
      continue;
    }
    declarations.push({ name: property.name, written: null });
    for (const word of splitWords(written, escapeChar)) {
      const eq = word.indexOf('=');
      declarations.push(eq < 0 ? { name: word, written: null } : { name: word.slice(0, eq), written: word.slice(eq + 1) });
    }
  }
  return declarations;
}

/** Splits at whitespace outside quotes, keeping quotes and escape characters in the words. */
function splitWords(text: string, escapeChar: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === escapeChar && i + 1 < text.length) {
      word += ch + text[++i];
    } else if (quote !== undefined) {
      word += ch;
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      word += ch;
      quote = ch;
    } else if (/\s/.test(ch)) {
      if (word !== '') words.push(word);
      word = '';
    } else {
      word += ch;
    }
  }
  if (word !== '') words.push(word);
  return words;
}
