import { logger, type Tree } from 'nx/src/devkit-exports';
import { formatProblem } from '../../graph/problems';
import { declarationFiles, readTreeWorkspace } from '../shared/workspace';
import { planSync } from './plan';

/** What Nx's sync machinery reads back (nx/src/utils/sync-generators SyncGeneratorResult). */
export interface SyncResult {
  outOfSyncMessage: string;
  outOfSyncDetails: string[];
}

/**
 * Keeps images following the workspace (`nx sync`, checked by `nx sync:check`):
 * FROM lines at a workspace base image's current version, library versions
 * satisfied by the library's current one. Deliberate pins are left alone and
 * reported. `nx sync` calls it with the Tree only; `nx g` adds options, and
 * then a result other than a callback would break, so it only logs.
 */
export default async function syncGenerator(tree: Tree, options?: object): Promise<SyncResult | undefined> {
  const workspace = readTreeWorkspace(tree);
  const plan = planSync({
    images: workspace.images,
    libraries: workspace.libraries,
    registries: workspace.options.registries,
    declarations: (root) => declarationFiles(tree, root),
    read: (path) => tree.read(path, 'utf-8') ?? '',
  });
  for (const [path, text] of plan.texts) tree.write(path, text);

  const changed = plan.changed.map(formatProblem);
  const leftAlone = plan.leftAlone.map(formatProblem);
  // Nx shows the details only when something is out of sync: the pins are logged every run.
  for (const line of leftAlone) logger.info(`[imagewise] ${line}`);
  if (options !== undefined || changed.length === 0) return undefined;
  const files = plan.texts.size;
  return {
    outOfSyncMessage: `${files} file${files === 1 ? '' : 's'} ask${files === 1 ? 's' : ''} for a base image or library version other than the workspace's current one`,
    outOfSyncDetails: [...changed, ...leftAlone],
  };
}
