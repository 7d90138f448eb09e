import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext } from 'nx/src/devkit-exports';
import { gatherBuildFacts, type BuildExecutorOptions, type Engine } from '../../build/build-facts';
import { planImageBuild } from '../../build/build-plan';
import { readSecrets, secretBuildArgWarning } from '../../build/build-secrets';
import { carryOutPlan } from '../../build/carry-out';
import { writeImageMetadata } from '../../build/image-metadata';
import { connectDocker } from '../../docker/docker-client';
import { imageOfTarget, imageProjectOf } from '../../plugins/project-metadata';
import { registryAuth } from '../../registry/credentials';
import { RegistryClient } from '../../registry/registry-client';

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
export async function buildTask(options: BuildExecutorOptions, context: ExecutorContext, log: (line: string) => void): Promise<{ success: boolean }> {
  const started = Date.now();
  try {
    const registry = new RegistryClient({ credentials: (host) => registryAuth(host) });
    const engine = lazyEngine();
    const warning = secretBuildArgWarning(options.buildArgs);
    if (warning) log(warning);
    const facts = await gatherBuildFacts(options, context, registry, engine);
    if (!facts.push) sayOncePerRun(log, 'no registry configured (plugin option "registry" or IMAGEWISE_REGISTRY): images are built locally only');
    const plan = planImageBuild(facts);
    // Read now, before the build starts, and only for a build: a reuse needs no secret.
    const secrets =
      plan.outcome === 'build' && plan.secrets.length
        ? readSecrets(facts.secrets ?? {}, context.root, { env: process.env, readFile: (path) => readFileSync(path) })
        : undefined;
    const recorded = await carryOutPlan(plan, facts, registry, engine, log, secrets);
    const project = imageProjectOf(context)!;
    const { key } = imageOfTarget(project.project.root, project.metadata, context.targetName);
    writeImageMetadata(context.root, context.projectName!, { ...recorded, buildSeconds: Math.round((Date.now() - started) / 100) / 10 }, key);
    return { success: true };
  } catch (error) {
    log((error as Error).message);
    return { success: false };
  }
}

function lazyEngine(): Engine {
  let docker: ReturnType<typeof connectDocker> | undefined;
  return () => (docker ??= connectDocker());
}

/**
 * Nx runs each task in a process of its own, forked from the one nx command:
 * a marker named after that parent (its PID and start time, since PIDs are
 * reused) makes a note appear once per command.
 */
function sayOncePerRun(log: (line: string) => void, line: string): void {
  const parent = `${process.ppid}-${processStartTime(process.ppid)}`;
  try {
    writeFileSync(join(tmpdir(), `imagewise-said-${parent}-${createHash('sha256').update(line).digest('hex').slice(0, 8)}`), '', { flag: 'wx' });
    log(line);
  } catch {
    // Already said in this run.
  }
}

function processStartTime(pid: number): string {
  try {
    // Field 22 of /proc/PID/stat, counted after the parenthesised command name.
    return (
      readFileSync(`/proc/${pid}/stat`, 'utf8')
        .replace(/^.*\) /, '')
        .split(' ')[19] ?? ''
    );
  } catch {
    return '';
  }
}
