// What the fan-out e2e tests share: the workspace they build (five images in
// three levels, the CI script, a hidden build job for gitlab-ci-local's shell
// executor that notes when each job starts and ends) and gitlab-ci-local itself.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { Workspace, sharedTemplate } from '../../../packages/nx-plugin/e2e/workspace.ts';
import { startSharedEngine } from '../../engine/test/engine-cli.ts';
import { BUILD_JOB, BUILD_JOB_FILE, CHILD_PIPELINE } from '../lib/fan-out.mjs';
import { ciScriptFiles } from './ci-job.ts';
import { gitlabJobs } from './templates.ts';

const GITLAB_CI_LOCAL = resolve(import.meta.dirname, '../../../node_modules/.bin/gitlab-ci-local');

/** gitlab-ci-local with `args` in `cwd`; its exit code and its output (stdout and stderr as they came). */
export function gitlabCiLocal(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; log: string }> {
  return new Promise((done) => {
    const run = spawn(process.execPath, [GITLAB_CI_LOCAL, ...args], { cwd, env: { ...env, CI: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    run.stdout.on('data', (chunk) => (out += chunk));
    run.stderr.on('data', (chunk) => (out += chunk));
    run.on('close', (status) => done({ code: status, log: out }));
  });
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** An image FROM `from`, copying one file; its smoke run prints it. */
function image(dir: string, name: string, from: string): Record<string, string> {
  return {
    [`${dir}/${name}/package.json`]: json({
      name,
      version: '1.0.0',
      private: true,
      nx: { targets: { 'docker:run': { options: { command: ['cat', `/${name}.txt`] } } } },
    }),
    [`${dir}/${name}/Dockerfile`]: `FROM ${from}\nCOPY ${name}.txt /${name}.txt\n`,
    [`${dir}/${name}/${name}.txt`]: `${name} v1\n`,
  };
}

// Three levels: base; mid and solo FROM base; left and right FROM mid.
export const BASES: Record<string, string[]> = { base: [], mid: ['base'], solo: ['base'], left: ['mid'], right: ['mid'] };

export const WORKSPACE: Record<string, string> = {
  'package.json': json({ name: 'fan-out', private: true, workspaces: ['images/*', 'services/*'] }),
  'nx.json': json({ defaultBase: 'main', namedInputs: { default: ['{projectRoot}/**/*'], dockerImage: ['default'] }, plugins: ['@imagewise/nx-plugin'] }),
  ...image('images', 'base', 'debian:bookworm-slim'),
  ...image('images', 'mid', 'base'),
  ...image('services', 'solo', 'base'),
  ...image('services', 'left', 'mid'),
  ...image('services', 'right', 'mid'),
  // The repository's own hidden job needs a privileged runner with dind; this
  // one runs on gitlab-ci-local's shell executor against the engine of the
  // environment, and notes when each job starts and ends.
  [BUILD_JOB_FILE]: json({
    [BUILD_JOB]: {
      // The runner's npm ci: the template's packages, in this job's own copy of the clone.
      before_script: ['echo "start $(date +%s%N) $CI_JOB_NAME" >> "$EVENTS"', 'ln -s "$NODE_MODULES" node_modules'],
      after_script: ['echo "end $(date +%s%N) $CI_JOB_NAME" >> "$EVENTS"'],
    },
  }),
  ...ciScriptFiles(),
};

/** A child pipeline as the plan wrote it: its jobs by name. */
export type ChildPipeline = Record<string, { needs?: string[]; variables?: Record<string, string>; script?: string[] }>;

/** When a job started or ended, as the hidden build job notes it. */
export interface JobEvent {
  kind: 'start' | 'end';
  job: string;
  at: bigint;
}

/**
 * The fan-out workspace on the shared engine, its upstream image locked and
 * committed, with a registry namespace and a scratch directory of its own;
 * the default branch's pipeline variables; the plan; the child pipeline's variables.
 */
export class FanOutSetup {
  engine!: Record<string, string>;
  template!: string;
  ws!: Workspace;
  scratch!: string;

  async start(name: string): Promise<void> {
    this.engine = await startSharedEngine();
    this.template = sharedTemplate();
    this.ws = new Workspace(this.template, WORKSPACE);
    this.ws.env = { ...this.engine, IMAGEWISE_REGISTRY: `${this.engine.IMAGEWISE_REGISTRY}/${name}-${Date.now().toString(36)}` };
    this.ws.run('run-many', '-t', 'docker:lock');
    this.ws.commit('lock the upstream image');
    this.scratch = mkdtempSync(join(tmpdir(), `imagewise-${name}-`));
  }

  dispose(): void {
    this.ws?.dispose();
    if (this.scratch) rmSync(this.scratch, { recursive: true, force: true });
  }

  /** The CI's variables for this workspace's default branch, and the engine's. */
  pipelineEnv(pipeline: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      ...this.ws.env,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      FORCE_COLOR: '0',
      GITLAB_CI: 'true',
      CI_DEFAULT_BRANCH: 'main',
      CI_PIPELINE_SOURCE: 'push',
      CI_COMMIT_BRANCH: 'main',
      CI_COMMIT_SHA: this.ws.git('rev-parse', 'HEAD').trim(),
      CI_PIPELINE_ID: pipeline,
      ...extra,
    };
  }

  /** `plan builds` as the template says; the child pipeline it wrote. */
  plan(env: NodeJS.ProcessEnv): ChildPipeline {
    for (const line of gitlabJobs()['plan builds'].script!)
      execFileSync('bash', ['-ec', line], { cwd: this.ws.root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    return parse(readFileSync(join(this.ws.root, CHILD_PIPELINE), 'utf8')) as ChildPipeline;
  }

  /** The trigger job's variables as GitLab passes them to the child pipeline, with where its jobs note their times. */
  childVariables(pipeline: string, events: string): Record<string, string> {
    return {
      ...this.ws.env,
      EVENTS: events,
      NODE_MODULES: join(this.template, 'node_modules'),
      IMAGEWISE_PARENT_PIPELINE_ID: pipeline,
      IMAGEWISE_PARENT_PIPELINE_SOURCE: 'push',
      IMAGEWISE_PARENT_MERGE_REQUEST_IID: '',
    };
  }
}

/** The start and end times the jobs noted in `file`. */
export function readJobEvents(file: string): JobEvent[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(' '))
    .map(([kind, at, ...job]) => ({ kind: kind as JobEvent['kind'], job: job.join(' '), at: BigInt(at) }));
}

/** `--variable NAME=value` for each of `variables`, as gitlab-ci-local takes them. */
export const variableArgs = (variables: Record<string, string>) => Object.entries(variables).flatMap(([name, value]) => ['--variable', `${name}=${value}`]);
