import type { NxJsonConfiguration, PluginConfiguration } from 'nx/src/devkit-exports';
import type { ImagewisePluginOptions } from '../../plugins/options';

export const PLUGIN = '@imagewise/nx-plugin';
export const SYNC_GENERATOR = '@imagewise/nx-plugin:sync';

/** What a library ships, when the workspace has no `production` input yet: its files less tests. */
export const DEFAULT_PRODUCTION = ['default', '!{projectRoot}/**/*.spec.ts', '!{projectRoot}/**/*.test.ts', '!{projectRoot}/**/test_*.py'];

/**
 * nx.json with Imagewise set up: the plugin (keeping options already there,
 * `options` over them), the `dockerImage` named input (what of a library
 * reaches an image: `production`), and the sync generator among the global
 * ones, which `nx sync` and `nx sync:check` run.
 */
export function withImagewise(nxJson: NxJsonConfiguration, options: ImagewisePluginOptions): NxJsonConfiguration {
  const plugins = [...(nxJson.plugins ?? [])];
  const index = plugins.findIndex((entry) => (typeof entry === 'string' ? entry : entry.plugin) === PLUGIN);
  if (index === -1) {
    plugins.push(Object.keys(options).length ? { plugin: PLUGIN, options } : PLUGIN);
  } else if (Object.keys(options).length) {
    const current = plugins[index];
    // An object entry keeps its include/exclude and the options not given now.
    plugins[index] = typeof current === 'string' ? { plugin: PLUGIN, options } : { ...current, options: { ...pluginOptions(current), ...options } };
  }

  const namedInputs = { ...nxJson.namedInputs };
  if (!namedInputs.production) namedInputs.production = DEFAULT_PRODUCTION;
  if (!namedInputs.dockerImage) namedInputs.dockerImage = ['production'];

  const globalGenerators = nxJson.sync?.globalGenerators ?? [];
  return {
    ...nxJson,
    namedInputs,
    plugins,
    sync: {
      ...nxJson.sync,
      globalGenerators: globalGenerators.includes(SYNC_GENERATOR) ? globalGenerators : [...globalGenerators, SYNC_GENERATOR],
    },
  };
}

function pluginOptions(entry: Exclude<PluginConfiguration, string>): ImagewisePluginOptions {
  return (entry.options as ImagewisePluginOptions | undefined) ?? {};
}

/** The folders image projects live in; each needs a package.json project for its name and version. */
export const IMAGE_WORKSPACES = ['images/*', 'services/*'];

/**
 * package.json with images/* and services/* among the npm/yarn workspaces, so
 * Nx makes projects of their package.json files (name, version, tags) and a
 * service's dependency on the library links to the workspace copy.
 */
export function withImageWorkspaces(packageJson: Record<string, unknown>): Record<string, unknown> {
  const workspaces = packageJson.workspaces;
  if (workspaces && !Array.isArray(workspaces) && typeof workspaces === 'object') {
    const object = workspaces as { packages?: string[] };
    return { ...packageJson, workspaces: { ...object, packages: union(object.packages ?? [], IMAGE_WORKSPACES) } };
  }
  return { ...packageJson, workspaces: union(Array.isArray(workspaces) ? (workspaces as string[]) : [], IMAGE_WORKSPACES) };
}

function union(list: string[], more: string[]): string[] {
  return [...list, ...more.filter((item) => !list.includes(item))];
}
