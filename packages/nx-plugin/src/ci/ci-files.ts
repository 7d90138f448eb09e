// The build plan as CI files: a GitLab child pipeline, or GitHub matrices per level.
import type { BuildJob } from './fan-out';

/** The variable each job's script reads: the job's image projects, comma-separated. */
export const PROJECTS_VARIABLE = 'IMAGEWISE_PROJECTS';

export interface GitLabOptions {
  /** Each job's script; it reads the projects from $IMAGEWISE_PROJECTS. */
  script: string;
  /** A hidden job every build job extends (image, services, variables, before_script, artifacts). */
  extends?: string;
  /** Repository files that define it, included by the child pipeline. */
  include?: string[];
}

/**
 * A GitLab child pipeline: one job per plan job, `needs:` following the image
 * graph, so a job starts as soon as the jobs of its bases are done. GitLab
 * refuses a pipeline without jobs, so an empty plan gets one that says so.
 */
export function gitlabChildPipeline(jobs: BuildJob[], options: GitLabOptions): Record<string, unknown> {
  const pipeline: Record<string, unknown> = {};
  if (options.include?.length) pipeline.include = options.include.map((local) => ({ local }));
  pipeline.stages = ['build'];
  if (jobs.length === 0) {
    pipeline['nothing to build'] = { stage: 'build', script: ['echo "imagewise: no image is affected"'] };
    return pipeline;
  }
  for (const job of jobs) {
    pipeline[job.name] = {
      stage: 'build',
      ...(options.extends ? { extends: options.extends } : {}),
      // An empty list starts the job at once instead of after the stage before it.
      needs: job.needs,
      variables: { [PROJECTS_VARIABLE]: job.projects.join(',') },
      script: [options.script],
    };
  }
  return pipeline;
}

/** One GitHub Actions job of a level's matrix. */
export interface MatrixEntry {
  name: string;
  projects: string;
}

/**
 * GitHub Actions has no `needs:` between matrix entries: one job per graph
 * level, each a matrix of that level's plan jobs (`strategy.matrix: fromJSON(…)`).
 * A workflow names its jobs before it runs, so it has a fixed number of level
 * jobs: levels from `maxLevels` on are folded into the last one as a single
 * entry, whose `nx run-many` builds them in their order.
 */
export function githubLevels(jobs: BuildJob[], maxLevels = Number.POSITIVE_INFINITY): { levels: { include: MatrixEntry[] }[] } {
  if (!(maxLevels >= 1)) throw new Error(`maxLevels must be at least 1 (got ${maxLevels})`);
  const levels: { include: MatrixEntry[] }[] = [];
  const deep = jobs.filter((job) => job.level >= maxLevels - 1);
  for (const job of jobs) {
    if (deep.length > 1 && deep.includes(job)) continue;
    (levels[job.level] ??= { include: [] }).include.push({ name: job.name, projects: job.projects.join(',') });
  }
  if (deep.length > 1) {
    const last = Math.max(...deep.map((job) => job.level));
    levels[maxLevels - 1] = {
      include: [{ name: `build levels ${maxLevels - 1}–${last}`, projects: deep.flatMap((job) => job.projects).join(',') }],
    };
  }
  return { levels };
}
