/**
 * The stages or images that COPY --from and RUN --mount from= name (and ADD --from, which
 * BuildKit rejects). They may name any stage, so looking them up waits until all stages
 * are known (Stages.resolveReference).
 */
import { excerpt } from '../text/excerpt';
import type { DockerfileAnalysis, ImageUse, ReportProblem } from './analyse';
import type { ArgScopes, Scope, UseContext } from './arg-scope';
import { mountFields, unquote } from './flags';
import type { InstructionFlag } from './instruction';

export type ReferenceKind = 'copy-from' | 'mount-from';

export type ReferenceUse = ImageUse & { kind: ReferenceKind };

export function referenceContext(kind: ReferenceKind): UseContext {
  return kind === 'copy-from' ? 'COPY --from' : 'RUN --mount from=';
}

/** The reference as problem messages quote it: `COPY --from=x`, `RUN --mount from=x`. */
export function referenceText(kind: ReferenceKind, value: string): string {
  return kind === 'copy-from' ? `COPY --from=${excerpt(value)}` : `RUN --mount from=${excerpt(value)}`;
}

export class ReferenceReader {
  /** References with a value, waiting for all stages to be known. */
  readonly pending: ReferenceUse[] = [];

  constructor(
    private readonly scopes: ArgScopes,
    private readonly report: ReportProblem,
    private readonly out: DockerfileAnalysis,
  ) {}

  /** COPY --from, in the stage with index `stage` and ARG/ENV scope `scope`. */
  copy(flags: readonly InstructionFlag[], line: number, stage: number, scope: Scope): void {
    const from = fromFlags(flags);
    if (from.length > 1) this.report(line, 'COPY has more than one --from: keep one');
    const flag = from[0];
    if (flag === undefined) return;
    const written = flag.value;
    if (written === null) {
      this.report(line, 'COPY --from needs a value: write --from=<stage name, stage index or image>');
      return;
    }
    const text = unquote(written);
    if (text === '') return; // BuildKit treats an empty --from as no --from
    this.record('copy-from', written, text, line, stage, scope);
  }

  add(flags: readonly InstructionFlag[], line: number): void {
    const flag = fromFlags(flags)[0];
    if (flag !== undefined) {
      this.report(
        line,
        `ADD does not support --from (BuildKit rejects the flag): use COPY --from=${flag.value === null ? '<stage or image>' : excerpt(flag.value)} instead`,
      );
    }
  }

  /** The from= of each RUN --mount. */
  run(flags: readonly InstructionFlag[], line: number, stage: number, scope: Scope): void {
    for (const flag of flags) {
      const written = flag.value;
      if (flag.name !== 'mount' || written === null) continue;
      const { type, from } = mountFields(written);
      if (from === undefined || from === '') continue;
      if (type !== 'bind' && type !== 'cache') {
        this.report(
          line,
          `${referenceText('mount-from', from)} has type=${excerpt(type)}, but only bind and cache mounts take from=: remove from= or change the type`,
        );
        continue;
      }
      this.record('mount-from', from, from, line, stage, scope);
    }
  }

  /** Records a reference and substitutes it; `text` is the value with flag quoting removed. */
  private record(kind: ReferenceKind, raw: string, text: string, line: number, stage: number, scope: Scope): void {
    const use: ReferenceUse = { kind, raw, line, stage, target: 'unresolved' };
    this.out.imageUses.push(use);
    const result = this.scopes.expand(text, scope, false);
    if (result.used.length > 0) {
      const buildkit =
        kind === 'copy-from'
          ? `BuildKit does not expand variables in --from and would look for a stage or image literally named "${excerpt(text)}"`
          : 'BuildKit rejects variables in from= ("doesn\'t support variable expansion")';
      this.report(
        line,
        `${referenceText(kind, raw)} uses a variable, which only some builders expand (${buildkit}): add a stage "FROM <image> AS <name>" that uses a global ARG and refer to <name> instead`,
      );
    }
    if (!this.scopes.explain(result, line, referenceContext(kind), raw, scope)) return;
    use.value = result.value;
    this.pending.push(use);
  }
}

/** Copy.getFromFlag() only finds --from when it is the only flag, so filter all flags. */
function fromFlags(flags: readonly InstructionFlag[]): InstructionFlag[] {
  return flags.filter((flag) => flag.name === 'from');
}
