import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { getOutputsForTargetAndConfiguration, type ProjectGraph } from 'nx/src/devkit-exports';
import { Minimatch } from 'minimatch';

/** Where a library's packed tarballs appear inside an image's build context. */
export const PACKS_DIR = '.imagewise/packs';

export interface StagedFile {
  /** Path inside the build context. */
  name: string;
  /** Absolute path on disk. */
  path: string;
}

/**
 * The tarballs of the libraries an image tracks, for its build context: the
 * files the `pack` target (docker:build depends on ^pack) of each project the
 * image depends on has made. A Dockerfile then copies the one its version ARG
 * names, e.g. `COPY .imagewise/packs/imagewise-common-${COMMON_VERSION}.tgz /tmp/`.
 * A library pinned to a release outside the workspace has no edge and is not staged.
 */
export function libraryPacks(root: string, graph: ProjectGraph, project: string): StagedFile[] {
  const staged = new Map<string, StagedFile>();
  for (const { target } of graph.dependencies[project] ?? []) {
    const node = graph.nodes[target];
    if (!node?.data.targets?.pack) continue;
    const outputs = getOutputsForTargetAndConfiguration({ project: target, target: 'pack' }, {}, node);
    for (const output of outputs) {
      for (const path of expandOutput(root, output)) {
        const name = posix.join(PACKS_DIR, path.split(sep).pop()!);
        staged.set(name, { name, path });
      }
    }
  }
  return [...staged.values()];
}

/**
 * The files an output (a path or a glob, relative to the workspace) names now. minimatch reads the glob:
 * whether it is one (`{a,b}` too), where its literal directories end (the walk starts there), and which
 * files it matches. A walking glob library (glob, tinyglobby) would add a dependency for the walk, which
 * is one readdirSync call.
 */
function expandOutput(root: string, output: string): string[] {
  const pattern = new Minimatch(output, { dot: true, magicalBraces: true });
  if (!pattern.hasMagic()) {
    const path = join(root, output);
    if (!existsSync(path)) return [];
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  }
  const base = join(root, ...literalDirectories(pattern));
  if (!existsSync(base)) return [];
  return filesUnder(base).filter((path) => pattern.match(relative(root, path).split(sep).join('/')));
}

/** The leading directories that every expansion of a glob names literally. */
function literalDirectories(pattern: Minimatch): string[] {
  const literals = pattern.set.map((parts) => {
    const firstMagic = parts.findIndex((part) => typeof part !== 'string');
    return parts.slice(0, firstMagic === -1 ? parts.length - 1 : firstMagic) as string[];
  });
  const common = literals[0] ?? [];
  const shared = common.findIndex((part, index) => literals.some((parts) => parts[index] !== part));
  return shared === -1 ? common : common.slice(0, shared);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}
