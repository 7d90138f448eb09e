/**
 * Build stages: FROM lines, stage names and indices, and what FROM, COPY --from and
 * RUN --mount from= name (a stage, scratch or an image), including reference cycles.
 */
import { stronglyConnectedComponents } from '../graph/strongly-connected';
import { ImageReferenceError, parseImageReference } from '../image-reference/reference';
import { excerpt } from '../text/excerpt';
import type { DockerfileAnalysis, ImageUse, ReportProblem, Stage } from './analyse';
import { Scope, type ArgScopes, type UseContext } from './arg-scope';
import { unquote } from './flags';
import { referenceContext, referenceText, type ReferenceUse } from './image-uses';
import type { Instruction } from './instruction';

/** BuildKit's rule for names after `FROM … AS` (checked lowercased). */
const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

export interface StageState {
  stage: Stage;
  /** The stage's ARGs and ENVs. */
  scope: Scope;
  /** The stage it is built on, if it is built on a stage of this file. */
  parent?: StageState;
  /** Its ONBUILD triggers: they run in a stage built on it. */
  onbuild: Instruction[];
}

export class Stages {
  private readonly states: StageState[] = [];
  /** Lowercased stage name → index of the last stage with that name read so far. */
  private readonly names = new Map<string, number>();

  constructor(
    private readonly scopes: ArgScopes,
    private readonly report: ReportProblem,
    private readonly out: DockerfileAnalysis,
  ) {}

  get count(): number {
    return this.states.length;
  }

  /** The stage being read, if a FROM has been read. */
  get current(): StageState | undefined {
    return this.states[this.states.length - 1];
  }

  /** Starts a stage; returns it. */
  from(instruction: Instruction, line: number): StageState {
    const index = this.states.length;
    const platform = this.platform(instruction, line);

    const args = instruction.args;
    let name: string | undefined;
    if (args.length === 3 && args[1].toLowerCase() === 'as') {
      name = args[2];
      if (!STAGE_NAME.test(name.toLowerCase())) {
        this.report(line, `stage name "${excerpt(name)}" is invalid: start it with a letter and use only letters, digits, "-", "_" and "."`);
      }
    } else if (args.length === 0) {
      this.report(line, 'FROM needs an image: write "FROM <image>" or "FROM <image> AS <name>"');
    } else if (args.length !== 1) {
      this.report(line, `FROM takes an image and optionally "AS <name>", but got "${excerpt(args.join(' '))}": fix the line`);
    }

    const raw = args[0] ?? '';
    const use: ImageUse = { kind: 'from', raw, line, stage: index, target: 'unresolved' };
    if (platform !== undefined) use.platform = platform;
    if (raw !== '') this.resolveFrom(use);
    this.out.imageUses.push(use);

    const stage: Stage = { index, from: use };
    if (name !== undefined) {
      stage.name = name;
      const earlier = this.find(name);
      if (earlier !== undefined) {
        this.report(line, `stage name "${excerpt(name)}" is already used by stage ${earlier.index} on line ${earlier.from.line}: give each stage its own name`);
      }
      this.names.set(name.toLowerCase(), index);
    }
    this.out.stages.push(stage);
    // A stage built on another stage inherits its ARGs and ENVs.
    const parent = use.stageRef !== undefined ? this.states[use.stageRef] : undefined;
    const state: StageState = { stage, scope: parent ? parent.scope.copy() : new Scope(), parent, onbuild: [] };
    this.states.push(state);
    return state;
  }

  /** Looks up a COPY --from or mount from= value once all stages are known. */
  resolveReference(use: ReferenceUse): void {
    const value = use.value as string;
    const count = this.states.length;
    const byIndex = use.kind === 'copy-from'; // only COPY --from may give a stage index
    if (byIndex && /^[+-]?\d+$/.test(value)) {
      const index = Number(value);
      if (index >= 0 && index < count) {
        pointAtStage(use, index);
      } else {
        this.report(
          use.line,
          `${referenceText(use.kind, value)} names stage index ${index}, but the stages are numbered 0 to ${count - 1}: use an existing stage's index or name`,
        );
      }
      return;
    }
    // BuildKit looks names up among all stages; with duplicates the last one wins.
    const stage = this.find(value);
    if (stage !== undefined) {
      pointAtStage(use, stage.index);
      return;
    }
    if (!byIndex && /^\d+$/.test(value)) {
      this.report(
        use.line,
        `${referenceText(use.kind, value)} cannot name a stage by index (BuildKit would pull an image called "${excerpt(value)}"): use the stage's name`,
      );
      return;
    }
    this.classifyImage(use, value, referenceContext(use.kind));
  }

  /** Reports stages that copy or mount from themselves or from a stage that depends on them. */
  reportCycles(): void {
    const edges: number[][] = this.states.map(() => []);
    for (const use of this.out.imageUses) if (use.stageRef !== undefined) edges[use.stage].push(use.stageRef);
    // Computed once for all stages: asking per reference was quadratic.
    const component = stronglyConnectedComponents(edges);
    for (const use of this.out.imageUses) {
      // FROM and backward references only name earlier stages, so every cycle has a forward one.
      if (use.kind === 'from' || use.stageRef === undefined || use.stageRef < use.stage) continue;
      const what = referenceText(use.kind, use.value as string);
      if (use.stageRef === use.stage) {
        this.report(use.line, `${what} refers to the stage it is in (stage ${use.stage}): use an earlier stage or an image`);
      } else if (component[use.stageRef] === component[use.stage]) {
        this.report(use.line, `${what} makes a cycle: stage ${use.stageRef} already depends on stage ${use.stage}; break the cycle`);
      }
    }
  }

  /** The substituted value of FROM --platform, if known before the build. */
  private platform(instruction: Instruction, line: number): string | undefined {
    let platform: string | undefined;
    for (const flag of instruction.flags) {
      if (flag.name !== 'platform') {
        this.report(line, `FROM does not support --${excerpt(flag.name)}: remove it (FROM only takes --platform)`);
        continue;
      }
      const written = flag.value;
      if (written === null || written === '') {
        this.report(line, 'FROM --platform needs a value: write --platform=<os/arch> or remove the flag');
        continue;
      }
      const result = this.scopes.expand(unquote(written), this.scopes.globals);
      this.scopes.explain(result, line, 'FROM --platform', written, this.scopes.globals);
      platform = result.value;
    }
    return platform;
  }

  private resolveFrom(use: ImageUse): void {
    const result = this.scopes.expand(use.raw, this.scopes.globals);
    if (result.value === undefined && this.switchesStageByPlatform(use)) return;
    if (!this.scopes.explain(result, use.line, 'FROM', use.raw, this.scopes.globals)) return;
    const value = result.value as string;
    use.value = value;
    if (value === '') {
      this.report(use.line, `FROM ${excerpt(use.raw)} gives an empty image name: give the ARGs it uses non-empty values`);
      return;
    }
    // Only earlier stages are known yet: BuildKit also registers a stage's name after
    // reading its FROM, so `FROM x AS x` names the image x.
    const stage = this.find(value);
    if (stage !== undefined) {
      pointAtStage(use, stage.index);
      if (value !== value.toLowerCase()) {
        this.report(
          use.line,
          `FROM ${excerpt(value)} names stage "${excerpt(stage.name ?? '')}" in different case; BuildKit matches stage names in FROM only in lowercase and would pull an image "${excerpt(value)}" instead: write "FROM ${excerpt(value.toLowerCase())}"`,
        );
      }
      return;
    }
    this.classifyImage(use, value, 'FROM');
  }

  /**
   * `FROM build-$TARGETARCH`: a FROM that names a stage of this file on the
   * platforms it is built for is a stage switch, not an unknown image. It
   * points at the first such stage (for the ARGs it inherits); the images of
   * every candidate stage are this file's image uses already.
   */
  private switchesStageByPlatform(use: ImageUse): boolean {
    const stages = this.scopes
      .valuesPerPlatform(use.raw, this.scopes.globals)
      .map((value) => this.find(value))
      .filter((stage) => stage !== undefined);
    if (stages.length === 0) return false;
    pointAtStage(use, stages[0].index);
    return true;
  }

  /** The last stage read so far with this name (case-insensitive). */
  private find(name: string): Stage | undefined {
    const index = this.names.get(name.toLowerCase());
    return index === undefined ? undefined : this.states[index].stage;
  }

  private classifyImage(use: ImageUse, value: string, context: UseContext): void {
    if (value === 'scratch') {
      use.target = 'scratch';
    } else if (isValidImageReference(value)) {
      use.target = 'image';
    } else {
      this.report(
        use.line,
        `${context} "${excerpt(value)}" is not a valid image reference: use [registry/]name[:tag][@digest] with a lowercase name, e.g. "registry.example.com/team/app:1.2"`,
      );
    }
  }
}

function pointAtStage(use: ImageUse, index: number): void {
  use.stageRef = index;
  use.target = 'stage';
}

/** Whether `docker pull` would accept the text as an image reference. */
function isValidImageReference(text: string): boolean {
  let valid = validity.get(text);
  if (valid === undefined) {
    valid = parsesAsImageReference(text);
    validity.set(text, valid);
  }
  return valid;
}

// A workspace's Dockerfiles name few distinct images, many times over: check each once.
const validity = new Map<string, boolean>();

function parsesAsImageReference(text: string): boolean {
  try {
    parseImageReference(text);
    return true;
  } catch (error) {
    if (error instanceof ImageReferenceError) return false;
    throw error;
  }
}
