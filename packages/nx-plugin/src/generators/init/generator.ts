import { logger, readNxJson, updateJson, updateNxJson, type Tree } from 'nx/src/devkit-exports';
import { formatFiles } from '../shared/generator-tools';
import type { ImagewisePluginOptions } from '../../plugins/options';
import { withImageWorkspaces, withImagewise } from './nx-json';

export interface InitGeneratorSchema {
  registry?: string;
  /** Comma-separated project names. */
  libraries?: string;
  skipFormat?: boolean;
}

/** Sets a workspace up for Imagewise: nx.json (plugin, named input, sync generator) and the image workspaces. */
export default async function initGenerator(tree: Tree, schema: InitGeneratorSchema): Promise<void> {
  if (!tree.exists('nx.json')) throw new Error('nx.json not found: run this generator in an Nx workspace');
  const options: ImagewisePluginOptions = {};
  if (schema.registry) options.registry = schema.registry.replace(/\/+$/, '');
  const libraries = (schema.libraries ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  if (libraries.length) options.libraries = libraries;
  updateNxJson(tree, withImagewise(readNxJson(tree) ?? {}, options));

  if (tree.exists('pnpm-workspace.yaml')) {
    logger.warn('pnpm-workspace.yaml: add "images/*" and "services/*" to its packages so image projects get their names and versions from package.json');
  } else if (tree.exists('package.json')) {
    updateJson(tree, 'package.json', withImageWorkspaces);
  }
  if (!schema.skipFormat) await formatFiles(tree);
}
