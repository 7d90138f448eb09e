// @ts-check
// The build stage fanned out over CI runners: the plan job asks the plugin's
// ci-pipeline generator for a GitLab child pipeline, and each child job builds
// only its images. Pure: the environment comes in as data.

/** Where the plan job writes the child pipeline (an artifact the trigger job includes). */
export const CHILD_PIPELINE = '.imagewise/child-pipeline.yml';
/** The hidden job every child job extends, and the repository file that defines it. */
export const BUILD_JOB = '.imagewise build';
export const BUILD_JOB_FILE = '.gitlab/imagewise-build.yml';
/** What each child job runs: this script's build stage, for the projects in $IMAGEWISE_PROJECTS. */
export const CHILD_SCRIPT = 'node tools/ci/ci.mjs build-images';

/** Where the GitHub plan job writes the matrices per graph level, and how many level jobs the workflow has. */
export const BUILD_LEVELS = '.imagewise/build-levels.json';
export const GITHUB_LEVEL_JOBS = 4;

/**
 * `nx g` of the ci-pipeline generator for `projects`, IMAGEWISE_BATCH_SIZE images per job (default 1).
 * @param {string[]} projects @param {Record<string, string | undefined>} env
 */
function planArgs(projects, env) {
  const batchSize = env.IMAGEWISE_BATCH_SIZE || '1';
  if (!/^[1-9]\d*$/.test(batchSize)) throw new Error(`IMAGEWISE_BATCH_SIZE must be a whole number of at least 1 (got "${batchSize}")`);
  return [
    'g',
    '@imagewise/nx-plugin:ci-pipeline',
    // Never empty: `--projects=` would read as "every image"; a lone comma lists none.
    `--projects=${projects.join(',') || ','}`,
    `--batchSize=${batchSize}`,
  ];
}

/**
 * The GitHub plan: one matrix per graph level, at most GITHUB_LEVEL_JOBS (deeper ones folded into the last).
 * @param {string[]} projects @param {Record<string, string | undefined>} env
 */
export function buildLevelsArgs(projects, env) {
  return [...planArgs(projects, env), '--format=github', `--output=${BUILD_LEVELS}`, `--maxLevels=${GITHUB_LEVEL_JOBS}`, '--no-interactive'];
}

/**
 * The plan job's outputs, `levelN=<matrix JSON>` for each of the workflow's
 * level jobs; empty for a level with nothing to build, which its job skips on.
 * @param {{ levels: Array<{ include: Array<{ name: string, projects: string }> } | null> }} plan
 */
export function githubLevelOutputs(plan) {
  return Array.from({ length: GITHUB_LEVEL_JOBS }, (_, i) => `level${i + 1}=${plan.levels[i] ? JSON.stringify(plan.levels[i]) : ''}`);
}

/**
 * The GitLab plan: the child pipeline of `projects`.
 * @param {string[]} projects @param {Record<string, string | undefined>} env
 */
export function childPipelineArgs(projects, env) {
  return [
    ...planArgs(projects, env),
    `--output=${CHILD_PIPELINE}`,
    `--script=${CHILD_SCRIPT}`,
    `--extends=${BUILD_JOB}`,
    `--include=${BUILD_JOB_FILE}`,
    '--no-interactive',
  ];
}

/** The projects a child job builds, from $IMAGEWISE_PROJECTS; undefined outside a child job. @param {Record<string, string | undefined>} env */
export function childJobProjects(env) {
  const value = env.IMAGEWISE_PROJECTS;
  if (value === undefined) return undefined;
  const projects = value
    .split(',')
    .map((project) => project.trim())
    .filter(Boolean);
  // Never "every project": a child job builds what its line of the plan says.
  if (projects.length === 0) throw new Error('IMAGEWISE_PROJECTS is set but names no project: set it to the images this job builds, or unset it');
  return projects;
}

/**
 * A child job's environment as its parent pipeline's: GitLab gives a child
 * pipeline an id of its own and no merge-request variables, but the tags
 * (pipeline-<id>, mr-<iid>) and the cache token follow the parent, which the
 * trigger job passes as IMAGEWISE_PARENT_*.
 * @param {Record<string, string | undefined>} env
 */
export function asParentPipeline(env) {
  /** @type {Record<string, string>} */
  const parent = {};
  const from = /** @type {const} */ ([
    ['IMAGEWISE_PARENT_PIPELINE_ID', 'CI_PIPELINE_ID'],
    ['IMAGEWISE_PARENT_PIPELINE_SOURCE', 'CI_PIPELINE_SOURCE'],
    ['IMAGEWISE_PARENT_MERGE_REQUEST_IID', 'CI_MERGE_REQUEST_IID'],
  ]);
  for (const [passed, name] of from) {
    const value = env[passed];
    // Empty, or left unexpanded ("$CI_MERGE_REQUEST_IID"): the parent had none.
    if (value && !value.startsWith('$')) parent[name] = value;
  }
  return { ...env, ...parent };
}
