import { describe, expect, it } from 'vitest';
import { planBuildJobs, type ImageToBuild } from './fan-out';

// node-base ← api, worker; api ← api-debug; worker and api-debug ← bundle (FROM api-debug, COPY --from worker)
const GRAPH: ImageToBuild[] = [
  { project: 'worker', bases: ['node-base'] },
  { project: 'api', bases: ['node-base'] },
  { project: 'node-base', bases: [] },
  { project: 'api-debug', bases: ['api'] },
  { project: 'bundle', bases: ['api-debug', 'worker', 'node-base'] },
];

describe('planBuildJobs', () => {
  it('makes one job per image whose needs are the jobs of its bases, level by level', () => {
    expect(planBuildJobs(GRAPH, { batchSize: 1 })).toEqual([
      { name: 'build node-base', level: 0, projects: ['node-base'], needs: [] },
      { name: 'build api', level: 1, projects: ['api'], needs: ['build node-base'] },
      { name: 'build worker', level: 1, projects: ['worker'], needs: ['build node-base'] },
      { name: 'build api-debug', level: 2, projects: ['api-debug'], needs: ['build api'] },
      // node-base is needed through worker already: the reduced needs leave it out.
      { name: 'build bundle', level: 3, projects: ['bundle'], needs: ['build api-debug', 'build worker'] },
    ]);
  });

  it('leaves out bases that are not built in this run: their images are in the registry', () => {
    const affected = GRAPH.filter((image) => image.project !== 'node-base' && image.project !== 'api');
    expect(planBuildJobs(affected, { batchSize: 1 })).toEqual([
      { name: 'build api-debug', level: 0, projects: ['api-debug'], needs: [] },
      { name: 'build worker', level: 0, projects: ['worker'], needs: [] },
      { name: 'build bundle', level: 1, projects: ['bundle'], needs: ['build api-debug', 'build worker'] },
    ]);
  });

  it('batches images of one level, so no image of a batch waits for another of it', () => {
    const wide: ImageToBuild[] = [{ project: 'base', bases: [] }, ...['a', 'b', 'c', 'd', 'e'].map((project) => ({ project, bases: ['base'] }))];
    expect(planBuildJobs(wide, { batchSize: 2 })).toEqual([
      { name: 'build level 0 batch 1', level: 0, projects: ['base'], needs: [] },
      { name: 'build level 1 batch 1', level: 1, projects: ['a', 'b'], needs: ['build level 0 batch 1'] },
      { name: 'build level 1 batch 2', level: 1, projects: ['c', 'd'], needs: ['build level 0 batch 1'] },
      { name: 'build level 1 batch 3', level: 1, projects: ['e'], needs: ['build level 0 batch 1'] },
    ]);
  });

  it('builds every image exactly once and never before its bases, at any batch size', () => {
    for (const batchSize of [1, 2, 3, 10]) {
      const jobs = planBuildJobs(GRAPH, { batchSize });
      expect(jobs.flatMap((job) => job.projects).sort()).toEqual(GRAPH.map((image) => image.project).sort());
      const jobOf = new Map(jobs.flatMap((job) => job.projects.map((project) => [project, job] as const)));
      const waitsFor = (job: string): string[] => jobs.find((j) => j.name === job)!.needs.flatMap((need) => [need, ...waitsFor(need)]);
      for (const image of GRAPH) {
        for (const base of image.bases) expect(waitsFor(jobOf.get(image.project)!.name)).toContain(jobOf.get(base)!.name);
      }
    }
  });

  it('names a cycle and rejects a batch size below one', () => {
    const cycle = [
      { project: 'a', bases: ['b'] },
      { project: 'b', bases: ['a'] },
    ];
    expect(() => planBuildJobs(cycle, { batchSize: 1 })).toThrow('cycle (a → b → a)');
    expect(() => planBuildJobs(GRAPH, { batchSize: 0 })).toThrow('batchSize must be a whole number of at least 1 (got 0)');
  });

  it('plans nothing for nothing affected', () => {
    expect(planBuildJobs([], { batchSize: 1 })).toEqual([]);
  });
});
