import { logger, readNxJson, updateNxJson, type Tree } from 'nx/src/devkit-exports';
import { formatFiles } from '../shared/generator-tools';
import type { ImagewisePluginOptions } from '../../plugins/options';
import { withGitignoreEntries } from './gitignore';
import { addImageWorkspaces, withImagewise, withoutNxDocker } from './nx-json';

export interface InitGeneratorSchema {
  registry?: string;
  /** Comma-separated prefixes that name the workspace's images (recognised, never pushed to). */
  registries?: string;
  /** Comma-separated globs of the Dockerfiles that make image projects. */
  dockerfiles?: string;
  /** Comma-separated project names. */
  libraries?: string;
  /** Where @nx/docker is registered: take its place (default), or keep it beside under other target names. */
  replaceNxDocker?: boolean;
  skipFormat?: boolean;
}

/**
 * Sets a repository up for Imagewise: nx.json (created if missing: plugin and
 * options, named input, sync generator), the image workspaces that exist,
 * .gitignore entries for what Nx writes, then says what to run next.
 */
export default async function initGenerator(tree: Tree, schema: InitGeneratorSchema): Promise<void> {
  if (!tree.exists('nx.json')) {
    tree.write('nx.json', '{}\n');
    logger.info('nx.json: created (this repository had no Nx set-up yet)');
  }
  const options: ImagewisePluginOptions = {};
  if (schema.registry) options.registry = schema.registry.replace(/\/+$/, '');
  const registries = list(schema.registries).map((prefix) => prefix.replace(/\/+$/, ''));
  if (registries.length) options.registries = registries;
  const dockerfiles = list(schema.dockerfiles);
  if (dockerfiles.length) options.dockerfiles = dockerfiles;
  const libraries = list(schema.libraries);
  if (libraries.length) options.libraries = libraries;

  let nxJson = withImagewise(readNxJson(tree) ?? {}, options);
  const nxDocker = withoutNxDocker(nxJson, schema.replaceNxDocker ?? true);
  nxJson = nxDocker.nxJson;
  if (nxDocker.note) logger.warn(nxDocker.note);
  updateNxJson(tree, nxJson);

  // Image directories with a package.json become projects through the workspaces; only folders that exist.
  addImageWorkspaces(
    tree,
    ['images', 'services'].filter((folder) => tree.exists(folder)),
  );
  tree.write('.gitignore', withGitignoreEntries(tree.read('.gitignore', 'utf-8') ?? '', ['.nx/', 'node_modules/', 'dist/']));

  if (!schema.skipFormat) await formatFiles(tree);
  logger.info(
    [
      'Imagewise is set up. Next:',
      '  npx nx show projects                    # each Dockerfile the plugin selects is an image project',
      '  npx nx run-many -t docker:lock          # lock upstream images to their digests (commit the lock files)',
      '  npx nx run-many -t docker:build         # build in dependency order, reusing what the registry holds',
      '  npx nx affected -t docker:build         # in CI: only what a change reaches',
      'Problems the plugin finds are printed by every nx command, with the file, the line and what to do.',
    ].join('\n'),
  );
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
