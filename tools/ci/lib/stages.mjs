// @ts-check
// The CI stages: each works out the pipeline and its range, then runs Nx.
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deploymentManifest, readMetadata, writeManifest } from './deployment.mjs';
import { asParentPipeline, BUILD_LEVELS, buildLevelsArgs, childJobProjects, childPipelineArgs, CHILD_PIPELINE, githubLevelOutputs } from './fan-out.mjs';
import { mergeBase, probeCommit, resolveCommit, unshallow } from './git.mjs';
import { fetchGreenCommits } from './green-commits.mjs';
import { defaultBase, formatCheckArgs, nxJson, runNx, runTargetsArgs, showProjectsArgs } from './nx.mjs';
import { readPipeline } from './pipeline.mjs';
import { refreshLocks } from './refresh-locks.mjs';
import { candidateBases, chooseRange, describeRange } from './range.mjs';
import { loginToRegistry } from './registry-login.mjs';
import { remoteCacheEnv } from './remote-cache.mjs';

/**
 * The stages, named as the GitLab stages are (validation, unit test, build images, deploy,
 * and the scheduled refresh locks); `plan-builds` writes the build stage's child
 * pipeline (GitLab) or its matrices per graph level (GitHub); `range` only reports.
 */
export const STAGES = /** @type {const} */ (['validation', 'unit-test', 'plan-builds', 'build-images', 'deploy', 'refresh-locks', 'range']);
/** @typedef {typeof STAGES[number]} Stage */

/**
 * @typedef {object} Job
 * @property {string} root  the workspace clone
 * @property {NodeJS.ProcessEnv} env  the job's environment
 */

/** @param {string} line */
const say = (line) => console.error(`ci: ${line}`);

/**
 * Runs one stage; its exit code.
 * @param {Stage} stage
 * @param {Job} job
 */
export async function runStage(stage, { root, env }) {
  if (stage === 'refresh-locks') {
    // No range: it locks every image against the commit checked out.
    const pipeline = readPipeline(env, defaultBase(root));
    say(`${stage}: ${pipeline.label}`);
    return refreshLocks(root, pipeline, { ...env, NX_TUI: 'false' }, say);
  }
  const projects = stage === 'build-images' ? childJobProjects(env) : undefined;
  if (projects) return buildChildJob(root, projects, asParentPipeline(env));
  const { pipeline, range, warning } = await workOutRange(root, env);
  if (stage === 'range') {
    console.log(JSON.stringify({ kind: pipeline.kind, ...range, ...(warning ? { warning } : {}) }));
    return 0;
  }
  say(`${stage}: ${pipeline.label}`);
  say(describeRange(range));
  if (warning) console.error(env.GITHUB_ACTIONS ? `::warning::${warning}` : `ci: warning: ${warning}`);
  const cache = remoteCacheEnv(env, pipeline.kind);
  say(cache.note);
  const nxEnv = { ...env, ...cache.env, NX_TUI: 'false' };

  switch (stage) {
    case 'validation':
      return validation(root, range, nxEnv);
    case 'unit-test':
      return runNx(root, runTargetsArgs(range, ['lint', 'test']), nxEnv);
    case 'plan-builds':
      return planBuilds(root, range, nxEnv);
    case 'build-images':
      return buildImages(root, range, nxEnv);
    case 'deploy':
      if (pipeline.kind !== 'default-branch') {
        throw new Error(`deploy runs on the default branch (${pipeline.defaultBranch}) only; this is a ${pipeline.kind} pipeline (${pipeline.label})`);
      }
      return deploy(root, range, nxEnv, pipeline.defaultBranch);
  }
}

/**
 * @param {string} root
 * @param {NodeJS.ProcessEnv} env
 */
async function workOutRange(root, env) {
  const pipeline = readPipeline(env, defaultBase(root));
  const head = (pipeline.head && resolveCommit(root, pipeline.head)) || resolveCommit(root, 'HEAD');
  if (!head) throw new Error(`${root} has no commit checked out: run tools/ci/ci.mjs at the root of the workspace's git clone`);
  const override = env.NX_BASE ? { base: env.NX_BASE, head: env.NX_HEAD || undefined } : undefined;
  /** @type {import('./range.mjs').RangeEvidence['green']} */
  let green;
  /** @type {string | undefined} */
  let base;
  if (!override) {
    unshallow(root, say);
    if (pipeline.kind === 'default-branch' && pipeline.green) green = await fetchGreenCommits(pipeline.green);
    if (pipeline.kind !== 'default-branch' && !pipeline.mergeRequestBase) base = mergeBase(root, head, pipeline.targetBranch ?? pipeline.defaultBranch);
  }
  const evidence = { override, green, mergeBase: base };
  const probes = Object.fromEntries(candidateBases(pipeline, evidence).map((sha) => [sha, probeCommit(root, sha, head)]));
  return { pipeline, ...chooseRange(pipeline, { ...evidence, head, probes }) };
}

/**
 * nx sync:check (generated files and FROM lines up to date) and the formatter
 * check; both run, so one job shows both problems.
 * @param {string} root @param {import('./range.mjs').Range} range @param {NodeJS.ProcessEnv} env
 */
function validation(root, range, env) {
  const sync = runNx(root, ['sync:check'], env);
  const format = runNx(root, formatCheckArgs(range), env);
  if (sync !== 0) say('the workspace is out of sync: run `nx sync` and commit the result');
  return sync || format;
}

/**
 * The images the range touches, built in dependency order (reusing what the
 * registry holds) and pushed by the plugin; then each one's smoke run
 * (docker:run: its smoke command, or a service until its health check passes).
 * @param {string} root @param {import('./range.mjs').Range} range @param {NodeJS.ProcessEnv} env
 */
function buildImages(root, range, env) {
  const login = loginToRegistry(env);
  if (login) say(login);
  const built = runNx(root, runTargetsArgs(range, ['docker:build']), env);
  if (built !== 0) return built;
  // The images were just built: their docker:build must not run again. The smoke output belongs in the job log.
  return runNx(root, [...runTargetsArgs(range, ['docker:run']), '--excludeTaskDependencies', '--outputStyle=static'], env);
}

/**
 * The child pipeline of the images the range touches: one job per image (or
 * batch), each waiting only for the jobs of its bases (docs/ci.md, "Fan-out").
 * @param {string} root @param {import('./range.mjs').Range} range @param {NodeJS.ProcessEnv} env
 */
function planBuilds(root, range, env) {
  const projects = /** @type {string[]} */ (nxJson(root, showProjectsArgs(range, 'docker:build'), env));
  const github = !!env.GITHUB_ACTIONS;
  say(`${github ? BUILD_LEVELS : CHILD_PIPELINE}: ${projects.length} affected image(s)${projects.length ? `: ${projects.join(', ')}` : ''}`);
  const planned = runNx(root, github ? buildLevelsArgs(projects, env) : childPipelineArgs(projects, env), env);
  if (planned !== 0 || !github) return planned;
  // GitHub: each level's matrix becomes an output of the plan job, which the level jobs read.
  const outputs = githubLevelOutputs(JSON.parse(readFileSync(join(root, BUILD_LEVELS), 'utf8')));
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, `${outputs.join('\n')}\n`);
  else for (const line of outputs) console.log(line);
  return 0;
}

/**
 * A child pipeline's job: its images (their bases are already in the registry,
 * so their docker:build only finds them there), then each one's smoke run.
 * @param {string} root @param {string[]} projects @param {NodeJS.ProcessEnv} env
 */
function buildChildJob(root, projects, env) {
  const pipeline = readPipeline(env, defaultBase(root));
  say(`build-images: ${projects.join(', ')} (${pipeline.label}, from its parent pipeline)`);
  const cache = remoteCacheEnv(env, pipeline.kind);
  say(cache.note);
  const nxEnv = { ...env, ...cache.env, NX_TUI: 'false' };
  const login = loginToRegistry(nxEnv);
  if (login) say(login);
  const list = `--projects=${projects.join(',')}`;
  const built = runNx(root, ['run-many', '-t', 'docker:build', list, '--outputStyle=static'], nxEnv);
  if (built !== 0) return built;
  return runNx(root, ['run-many', '-t', 'docker:run', list, '--excludeTaskDependencies', '--outputStyle=static'], nxEnv);
}

/**
 * The deployment manifest of the images the range touches, as an artifact.
 * Images whose docker:build record is not in this clone (built by a child
 * pipeline, whose artifacts a parent cannot read) are looked up again: their
 * docker:build finds them in the registry under their content tags and writes it.
 * @param {string} root @param {import('./range.mjs').Range} range @param {NodeJS.ProcessEnv} env @param {string} branch
 */
function deploy(root, range, env, branch) {
  const projects = /** @type {string[]} */ (nxJson(root, showProjectsArgs(range, 'docker:build'), env));
  const missing = projects.filter((project) => !readMetadata(root, project));
  if (missing.length > 0) {
    const login = loginToRegistry(env);
    if (login) say(login);
    const found = runNx(root, ['run-many', '-t', 'docker:build', `--projects=${missing.join(',')}`, '--outputStyle=static'], env);
    if (found !== 0) return found;
  }
  const manifest = deploymentManifest(
    { commit: range.head, branch, pipeline: env.CI_PIPELINE_ID || env.GITHUB_RUN_ID || undefined, createdAt: new Date().toISOString() },
    projects.map((project) => ({ project, metadata: readMetadata(root, project) })),
  );
  const path = writeManifest(root, manifest);
  say(`${path}: ${manifest.images.length} image(s)`);
  for (const image of manifest.images) say(`  ${image.reference}`);
  return 0;
}
