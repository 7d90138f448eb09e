/**
 * Dockerfile analysis: which images and stages a Dockerfile names, following BuildKit.
 *
 * ./ast-reader does the parsing with dockerfile-ast (escape directive, line continuations,
 * comments, instruction keywords in any case, flags, heredocs, ONBUILD triggers). This
 * module adds what BuildKit does on top of the parse: ARG scoping and build-arg overrides (./arg-scope), variable substitution
 * (./substitute), stages and stage lookup (./stages), COPY --from and RUN --mount from=
 * (./image-uses), and image reference checks (../image-reference/reference).
 */
import { excerpt } from '../text/excerpt';
import { ArgScopes, buildArgMap } from './arg-scope';
import { ReferenceReader } from './image-uses';
import { KEYWORDS, type Instruction } from './instruction';
import { readDockerfile } from './ast-reader';
import { Stages, type StageState } from './stages';

export type ImageUseKind = 'from' | 'copy-from' | 'mount-from';

/**
 * What an image use resolved to:
 * - `image`: an image to pull (`value` is a valid image reference);
 * - `stage`: a stage of this Dockerfile (`stageRef`);
 * - `scratch`: the empty image, nothing to pull;
 * - `unresolved`: nothing usable; a problem on the same line says why.
 */
export type ImageUseResolution = 'image' | 'stage' | 'scratch' | 'unresolved';

/** One place the Dockerfile names an image or stage. */
export interface ImageUse {
  kind: ImageUseKind;
  /**
   * As written, with continuations joined, e.g. `${REGISTRY}/node-base:${BASE_TAG}`;
   * for `mount-from`, the from= field of the mount.
   */
  raw: string;
  /** After ARG substitution; undefined when a variable it needs has no (known) value. */
  value?: string;
  /** 1-based line of the instruction's first line. */
  line: number;
  /** Index of the stage it appears in (for `from`, the stage it starts). */
  stage: number;
  /** `FROM --platform=…`, substituted; undefined when absent or not known before the build. */
  platform?: string;
  /**
   * Index of the stage it names instead of an image. FROM can only name an earlier
   * stage; COPY --from and RUN --mount from= may name any stage (BuildKit orders the
   * stages by their dependencies), and COPY --from may also give a stage index.
   */
  stageRef?: number;
  target: ImageUseResolution;
}

export interface Stage {
  index: number;
  /** The name after `AS`, as written. Lookups ignore case. */
  name?: string;
  from: ImageUse;
}

/** A problem on a line of the Dockerfile: what is wrong and what to do. The line is data, never part of the message. */
export interface DockerfileProblem {
  line: number;
  message: string;
}

export interface GlobalArg {
  name: string;
  /** Value after build-arg overrides; undefined when it has none or it is only known at build time. */
  value?: string;
  line: number;
}

export interface DockerfileAnalysis {
  /** ARGs before the first FROM, after build-arg overrides. */
  globalArgs: GlobalArg[];
  stages: Stage[];
  /** Every FROM, COPY --from and RUN --mount from=, in file order. */
  imageUses: ImageUse[];
  /** In line order. */
  problems: DockerfileProblem[];
}

/** Records a problem on a line. Internal to the analysis. */
export type ReportProblem = (line: number, message: string) => void;

/**
 * Analyses Dockerfile text. `buildArgs` play the part of `--build-arg`: they override the
 * defaults of the ARGs the Dockerfile declares and are ignored otherwise; they may also
 * give the platform ARGs BuildKit sets (TARGETARCH, BUILDPLATFORM, ...). Never throws.
 */
export function analyseDockerfile(text: string, buildArgs: Record<string, string> = {}): DockerfileAnalysis {
  const analysis: DockerfileAnalysis = { globalArgs: [], stages: [], imageUses: [], problems: [] };
  try {
    analyse(typeof text === 'string' ? text : '', buildArgMap(buildArgs), analysis);
  } catch (error) {
    analysis.problems.push({
      line: 1,
      message: `the Dockerfile could not be analysed (${String(error)}): check that it is a valid Dockerfile`,
    });
  }
  analysis.problems.sort((a, b) => a.line - b.line);
  return analysis;
}

/** The image uses that name images (not stages or scratch), substituted; for graph building. */
export function externalImageUses(analysis: DockerfileAnalysis): ImageUse[] {
  return analysis.imageUses.filter((use) => use.target === 'image');
}

// ---------------------------------------------------------------------------------------

function analyse(text: string, buildArgs: Map<string, string>, out: DockerfileAnalysis): void {
  const report: ReportProblem = (line, message) => out.problems.push({ line, message });
  const dockerfile = readDockerfile(text);
  const scopes = new ArgScopes(buildArgs, dockerfile.escapeChar, report);
  const stages = new Stages(scopes, report, out);
  const references = new ReferenceReader(scopes, report, out);
  const applyInStage = (instruction: Instruction, { stage, scope }: StageState) => {
    const { line } = instruction;
    switch (instruction.keyword) {
      case 'ARG':
        scopes.declareArgs(instruction.properties, line, scope);
        break;
      case 'ENV':
        scopes.setEnv(instruction.properties, line, scope);
        break;
      case 'COPY':
        references.copy(instruction.flags, line, stage.index, scope);
        break;
      case 'ADD':
        references.add(instruction.flags, line);
        break;
      case 'RUN':
        references.run(instruction.flags, line, stage.index, scope);
        break;
    }
  };

  for (const directive of dockerfile.directives) {
    if (directive.name === 'escape' && directive.value !== '\\' && directive.value !== '`') {
      report(
        directive.line,
        `the escape directive sets "${excerpt(directive.value)}", but BuildKit takes only \\ or \` and refuses the Dockerfile: write "# escape=\`" or remove the line`,
      );
    }
  }
  for (const instruction of dockerfile.instructions) {
    const { keyword, line } = instruction;
    for (const name of instruction.unclosedHeredocs ?? []) {
      report(line, `the here-document <<${excerpt(name)} is never closed, so the rest of the file is read into it: end it with a line "${excerpt(name)}"`);
    }
    if (!KEYWORDS.has(keyword)) {
      report(line, `"${excerpt(keyword, 40)}" is not a Dockerfile instruction: fix or remove the line`);
      continue;
    }
    if (keyword === 'FROM') {
      const started = stages.from(instruction, line);
      // A stage built on another runs that stage's ONBUILD triggers first, as BuildKit does.
      for (const trigger of started.parent?.onbuild ?? []) applyInStage(trigger, started);
      continue;
    }
    const current = stages.current;
    if (current === undefined) {
      if (keyword === 'ARG') {
        out.globalArgs.push(...scopes.declareArgs(instruction.properties, line, scopes.globals));
      } else {
        report(line, `${keyword} comes before the first FROM: only ARG may appear there; move it into a stage`);
      }
      continue;
    }
    if (keyword === 'ONBUILD') {
      // Runs in what builds on this stage: a later stage of this file, or another image.
      if (instruction.trigger) current.onbuild.push(instruction.trigger);
      continue;
    }
    applyInStage(instruction, current);
  }
  if (stages.count === 0) {
    report(1, 'the Dockerfile has no FROM instruction: start a build stage with "FROM <image>"');
  }
  for (const use of references.pending) stages.resolveReference(use);
  stages.reportCycles();
}
