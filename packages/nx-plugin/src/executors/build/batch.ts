import { availableParallelism } from 'node:os';
import { Semaphore } from 'async-mutex';
import type { ExecutorContext, TaskGraph } from 'nx/src/devkit-exports';
import { buildTask, type BuildExecutorOptions } from './executor';
import { dependencyIds } from './task-graph';

/**
 * docker:build for many images in one process: Nx prefers it (preferBatch),
 * which spares each image a process start. Images start as soon as their
 * bases are done: up to IMAGEWISE_REGISTRY_CONCURRENCY (default 16) at once,
 * since deciding is mostly waiting on the registry, of which only NX_PARALLEL
 * (default: the cores, at least 2) use the engine at a time. Each result is
 * yielded as it completes.
 */
export default async function* buildBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, BuildExecutorOptions>,
  _overrides: unknown,
  context: ExecutorContext,
): AsyncGenerator<{ task: string; result: { success: boolean; terminalOutput: string } }> {
  const engineLimit = Math.max(2, Number(process.env.NX_PARALLEL) || availableParallelism());
  const engineSlots = new Semaphore(engineLimit);
  const limit = Math.max(engineLimit, positiveInteger(process.env.IMAGEWISE_REGISTRY_CONCURRENCY) ?? DEFAULT_REGISTRY_CONCURRENCY);
  const pending = new Set(Object.keys(taskGraph.tasks));
  const failed = new Set<string>();
  const done = new Set<string>();
  const running = new Map<string, Promise<{ task: string; result: { success: boolean; terminalOutput: string } }>>();

  const ready = (id: string) => dependencyIds(taskGraph, id).every((dep) => done.has(dep) || !taskGraph.tasks[dep]);
  while (pending.size || running.size) {
    for (const id of [...pending]) {
      if (running.size >= limit) break;
      // A base that failed fails its dependents without building them.
      const failedBase = dependencyIds(taskGraph, id).find((dep) => failed.has(dep));
      if (failedBase) {
        pending.delete(id);
        failed.add(id);
        done.add(id);
        yield { task: id, result: { success: false, terminalOutput: `not built: ${failedBase} failed` } };
        continue;
      }
      if (!ready(id)) continue;
      pending.delete(id);
      running.set(id, runOne(id, taskGraph, inputs[id] ?? {}, context, engineSlots));
    }
    if (!running.size) {
      // Nothing runs and nothing can start: the rest wait on each other.
      for (const id of pending) yield { task: id, result: { success: false, terminalOutput: 'not built: its bases wait on each other' } };
      return;
    }
    const finished = await Promise.race(running.values());
    running.delete(finished.task);
    done.add(finished.task);
    if (!finished.result.success) failed.add(finished.task);
    yield finished;
  }
}

/** Images checked against the registry at once: bounded, so 1,000 reuses do not open 1,000 connections. */
const DEFAULT_REGISTRY_CONCURRENCY = 16;

function positiveInteger(raw: string | undefined): number | undefined {
  const value = Number(raw);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

async function runOne(id: string, taskGraph: TaskGraph, options: BuildExecutorOptions, context: ExecutorContext, engineSlots: Semaphore) {
  const task = taskGraph.tasks[id];
  // Streamed as it happens, prefixed with the project since several images
  // build at once here; Nx would print terminalOutput a second time.
  const log = (line: string) => console.log(`${task.target.project}: ${line}`);
  const result = await buildTask(
    options,
    { ...context, projectName: task.target.project, targetName: task.target.target, configurationName: task.target.configuration },
    log,
    engineSlots,
  );
  return { task: id, result: { ...result, terminalOutput: '' } };
}
