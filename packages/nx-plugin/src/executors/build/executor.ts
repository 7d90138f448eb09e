import { readFileSync } from 'node:fs';
import type { SemaphoreInterface } from 'async-mutex';
import type { ExecutorContext } from 'nx/src/devkit-exports';
import { gatherBuildFacts, type BuildExecutorOptions } from '../../build/build-facts';
import { planImageBuild } from '../../build/build-plan';
import { readSecrets, secretBuildArgWarning } from '../../build/build-secrets';
import { carryOutPlan } from '../../build/carry-out';
import { writeImageMetadata } from '../../build/image-metadata';
import { imageOfTarget, imageProjectOf } from '../../plugins/project-metadata';
import { registryAuth } from '../../registry/credentials';
import { pluginOptionsFromNxJson } from '../../plugins/options';
import { RegistryClient } from '../../registry/registry-client';
import { sayOncePerRun } from './say-once';
import { taskEngine } from './task-engine';

export type { BuildExecutorOptions };

/**
 * docker:build: the image's content identity (what reaches the image, its
 * bases' identities included) names it by its content tag. If the registry
 * holds that tag, nothing is built or pulled: the other tags are added to the
 * same manifest. Otherwise the image is built on exactly the base images this
 * run produced, pushed under the content tag, then tagged. Facts are gathered,
 * a plan is made from them alone (build-plan.ts), then carried out.
 */
export default async function buildExecutor(options: BuildExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  return buildTask(options, context, (line) => console.log(line));
}

/** One image: build or reuse, then its metadata.json; failures are reported, never thrown. */
export async function buildTask(
  options: BuildExecutorOptions,
  context: ExecutorContext,
  log: (line: string) => void,
  engineSlots?: SemaphoreInterface,
): Promise<{ success: boolean }> {
  const started = Date.now();
  const engine = taskEngine(pluginOptionsFromNxJson(context.nxJsonConfiguration).engines, log, engineSlots);
  try {
    const registry = new RegistryClient({ credentials: (host) => registryAuth(host) });
    const warning = secretBuildArgWarning(options.buildArgs);
    if (warning) log(warning);
    const facts = await gatherBuildFacts(options, context, registry, engine.get);
    if (!facts.push) sayOncePerRun(log, 'no registry configured (plugin option "registry" or IMAGEWISE_REGISTRY): images are built locally only');
    const plan = planImageBuild(facts);
    // Read now, before the build starts, and only for a build: a reuse needs no secret.
    const secrets =
      plan.outcome === 'build' && plan.secrets.length
        ? readSecrets(facts.secrets ?? {}, context.root, { env: process.env, readFile: (path) => readFileSync(path) })
        : undefined;
    const recorded = await carryOutPlan(plan, facts, registry, engine.get, engine.platforms, log, secrets);
    const builtOn = engine.address();
    const project = imageProjectOf(context)!;
    const { key } = imageOfTarget(project.project.root, project.metadata, context.targetName);
    writeImageMetadata(
      context.root,
      context.projectName!,
      {
        ...recorded,
        ...(builtOn && plan.outcome === 'build' ? { engine: builtOn } : {}),
        buildSeconds: Math.round((Date.now() - started) / 100) / 10,
      },
      key,
    );
    return { success: true };
  } catch (error) {
    log((error as Error).message);
    return { success: false };
  } finally {
    engine.release();
  }
}
