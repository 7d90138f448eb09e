import { logger, type ExecutorContext, type ProjectConfiguration } from 'nx/src/devkit-exports';
import { parseTagScheme, schemeTag } from '../../graph/tag-scheme';
import { parseImageReference } from '../../image-reference/reference';
import { findLibraryUses, matchLibraryUse } from '../../library';
import { internalLibraries, libraryDeclarations } from '../../plugins/library-edges';
import { dockerfileOf, imageProjects } from '../../plugins/project-metadata';
import { RegistryClient } from '../../registry/registry-client';
import { readLockFile } from '../../lock/read-lock-file';

export interface DriftExecutorOptions {
  mirror?: string;
  failOnDrift?: boolean;
}

/** One image's drift from the workspace: what it pins, and what moved upstream. */
export default async function driftExecutor(options: DriftExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const projects: Record<string, ProjectConfiguration> = Object.fromEntries(
    Object.entries(context.projectGraph.nodes).map(([name, node]) => [name, node.data]),
  );
  const images = imageProjects(projects);
  const image = images.get(context.projectName!);
  if (!image) {
    logger.error(`${context.projectName} has no Dockerfile that Imagewise reads; docker:drift needs an image project`);
    return { success: false };
  }
  const { project, metadata } = image;
  const dockerfile = dockerfileOf(project.root, metadata);
  const findings: string[] = [];

  const byRoot = new Map([...images.values()].map(({ project: p, metadata: m }) => [p.root, m]));
  for (const { root, pin, line, dockerfile: pinnedIn = dockerfile } of metadata.pinnedImages) {
    const base = byRoot.get(root);
    findings.push(
      `${pinnedIn}:${line}: base image ${base?.imageName ?? root} pinned at ${pin}; the workspace builds ${base?.version !== undefined ? schemeTag(parseTagScheme(base.tagScheme), base.version) : 'an unversioned image'}`,
    );
  }

  const libraries = internalLibraries({ projects, workspaceRoot: context.root }, undefined, new Set(images.keys()));
  const { uses, problems } = findLibraryUses(libraryDeclarations(context.root, project.root), libraries);
  for (const use of uses) {
    const library = libraries.find((l) => l.project === use.library)!;
    const match = matchLibraryUse(use, library);
    if (!match.tracksWorkspace) findings.push(`${use.file}:${use.line}: ${library.npmName ?? library.pythonName ?? library.project} ${match.reason}`);
  }
  for (const problem of problems) findings.push(`${problem.file}:${problem.line}: ${problem.message}`);

  const lock = readLockFile(context.root, project.root);
  const client = new RegistryClient({ dockerHubMirror: options.mirror ?? process.env.IMAGEWISE_MIRROR, attempts: 2 });
  for (const reference of metadata.upstreamImages.filter((r) => !r.includes('@'))) {
    const locked = lock[reference];
    if (!locked) {
      findings.push(`${dockerfile}: upstream ${reference} is not locked; run docker:lock`);
      continue;
    }
    try {
      const current = await client.manifestDigest(parseImageReference(reference));
      if (current !== locked) findings.push(`${dockerfile}: upstream ${reference} is now ${current ?? 'gone'} (locked ${locked}); run docker:lock`);
    } catch (error) {
      findings.push(`${dockerfile}: could not check ${reference}: ${(error as Error).message}`);
    }
  }

  if (findings.length === 0) logger.info(`${context.projectName}: no drift`);
  else logger.info([`${context.projectName}: ${findings.length} drift${findings.length === 1 ? '' : 's'}`, ...findings.map((f) => `  ${f}`)].join('\n'));
  return { success: !(options.failOnDrift && findings.length > 0) };
}
