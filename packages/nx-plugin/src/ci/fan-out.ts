// The affected image builds as CI jobs along the image graph: pure, so every
// shape of graph is a unit test and the CI files are rendered from one plan.

/** An image project to build, with the workspace images it builds FROM (project names). */
export interface ImageToBuild {
  project: string;
  bases: string[];
}

/** One CI job: the images it builds, and the jobs that must finish first. */
export interface BuildJob {
  name: string;
  /** Graph level: 0 for images none of whose bases is built in this run. */
  level: number;
  projects: string[];
  /** Names of the jobs building its bases, without those another of them already waits for. */
  needs: string[];
}

export interface FanOutOptions {
  /** Images per job; the images of one job are of one level, so none waits for another. */
  batchSize: number;
}

/**
 * The jobs that build `images` (the affected ones), each image once. Bases not
 * among `images` are left out: the registry holds them already. Throws on a
 * cycle, which the project graph reports where it is written.
 */
export function planBuildJobs(images: ImageToBuild[], { batchSize }: FanOutOptions): BuildJob[] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a whole number of at least 1 (got ${batchSize})`);
  const affected = new Set(images.map((image) => image.project));
  const building = new Map(images.map((image) => [image.project, [...new Set(image.bases)].filter((base) => base !== image.project && affected.has(base))]));
  const levels = levelsOf(building);

  const jobs: BuildJob[] = [];
  const jobOf = new Map<string, BuildJob>();
  const byLevel = groupBy([...building.keys()].sort(compare), (project) => levels.get(project)!);
  for (const [level, projects] of [...byLevel].sort(([a], [b]) => a - b)) {
    for (let start = 0; start < projects.length; start += batchSize) {
      const batch = projects.slice(start, start + batchSize);
      const name = batchSize === 1 ? `build ${batch[0]}` : `build level ${level} batch ${start / batchSize + 1}`;
      const direct = new Set(batch.flatMap((project) => building.get(project)!.map((base) => jobOf.get(base)!.name)));
      const job: BuildJob = { name, level, projects: batch, needs: [...direct] };
      jobs.push(job);
      for (const project of batch) jobOf.set(project, job);
    }
  }
  return reduceNeeds(jobs);
}

/** Each job's level: one more than its highest base's. Throws on a cycle, naming it. */
function levelsOf(building: Map<string, string[]>): Map<string, number> {
  const levels = new Map<string, number>();
  const visiting: string[] = [];
  const visit = (project: string): number => {
    const known = levels.get(project);
    if (known !== undefined) return known;
    if (visiting.includes(project)) {
      throw new Error(
        `the images build FROM each other in a cycle (${[...visiting.slice(visiting.indexOf(project)), project].join(' → ')}): fix the FROM lines`,
      );
    }
    visiting.push(project);
    const level = Math.max(-1, ...building.get(project)!.map(visit)) + 1;
    visiting.pop();
    levels.set(project, level);
    return level;
  };
  for (const project of building.keys()) visit(project);
  return levels;
}

/**
 * Drops a need that another need already waits for (transitive reduction):
 * the CI starts the job at the same moment, and the file says only what matters.
 */
function reduceNeeds(jobs: BuildJob[]): BuildJob[] {
  // Jobs come level by level, so a job's needs are settled before it is reached.
  const ancestors = new Map<string, Set<string>>();
  return jobs.map((job) => {
    const all = new Set(job.needs.flatMap((need) => [need, ...ancestors.get(need)!]));
    ancestors.set(job.name, all);
    const implied = new Set(job.needs.flatMap((need) => [...ancestors.get(need)!]));
    return { ...job, needs: job.needs.filter((need) => !implied.has(need)).sort(compare) };
  });
}

function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

// Code-point order: the same plan on every machine, whatever its locale.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
