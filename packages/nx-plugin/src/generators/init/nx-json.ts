import { logger, updateJson, type NxJsonConfiguration, type PluginConfiguration, type Tree } from 'nx/src/devkit-exports';
import type { ImagewisePluginOptions } from '../../plugins/options';

const PLUGIN = '@imagewise/nx-plugin';
const SYNC_GENERATOR = '@imagewise/nx-plugin:sync';

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

/**
 * Adds `<folder>/*` for each image folder to the package.json workspaces (with
 * pnpm, says what to add), so an image directory's package.json is a project.
 */
export function addImageWorkspaces(tree: Tree, folders: string[]): void {
  if (!folders.length) return;
  if (tree.exists('pnpm-workspace.yaml')) {
    const missing = folders.filter((folder) => !(tree.read('pnpm-workspace.yaml', 'utf-8') ?? '').includes(`${folder}/*`));
    if (missing.length)
      logger.warn(
        `pnpm-workspace.yaml: add ${missing.map((f) => `"${f}/*"`).join(' and ')} to its packages so image projects get their names and versions from package.json`,
      );
  } else if (tree.exists('package.json')) {
    updateJson(tree, 'package.json', (packageJson) =>
      withImageWorkspaces(
        packageJson,
        folders.map((folder) => `${folder}/*`),
      ),
    );
  }
}

/**
 * package.json with the image folders (`images/*`, `services/*`) among the
 * npm/yarn workspaces, so Nx makes projects of their package.json files (name,
 * version, tags) and a service's dependency on the library links to the
 * workspace copy.
 */
function withImageWorkspaces(packageJson: Record<string, unknown>, folders: string[]): Record<string, unknown> {
  const workspaces = packageJson.workspaces;
  if (workspaces && !Array.isArray(workspaces) && typeof workspaces === 'object') {
    const object = workspaces as { packages?: string[] };
    return { ...packageJson, workspaces: { ...object, packages: union(object.packages ?? [], folders) } };
  }
  return { ...packageJson, workspaces: union(Array.isArray(workspaces) ? (workspaces as string[]) : [], folders) };
}

const NX_DOCKER = '@nx/docker';

/**
 * nx.json where @nx/docker no longer fights Imagewise over `docker:build` and
 * `docker:run` (the plugin registered later replaces the other's options
 * wholesale): removed (`replace`), or kept under its own target names, unless
 * its options name targets already. Returns what to tell the user.
 */
export function withoutNxDocker(nxJson: NxJsonConfiguration, replace: boolean): { nxJson: NxJsonConfiguration; note?: string } {
  const plugins = nxJson.plugins ?? [];
  const index = plugins.findIndex((entry) => (typeof entry === 'string' ? entry : entry.plugin) === NX_DOCKER);
  if (index === -1) return { nxJson };
  if (replace) {
    return {
      nxJson: { ...nxJson, plugins: plugins.filter((_, i) => i !== index) },
      note: `nx.json: removed ${NX_DOCKER}, whose inferred docker:build and docker:run Imagewise now provides (keep it with --replaceNxDocker=false). Its targets also carried the "docker" technology that puts a project on nx release's Docker path when release.docker is set; Imagewise's do not.`,
    };
  }
  const current = plugins[index];
  const options = typeof current === 'string' ? {} : ((current.options ?? {}) as Record<string, unknown>);
  const kept = { ...options, buildTarget: options.buildTarget ?? 'nx-docker:build', runTarget: options.runTarget ?? 'nx-docker:run' };
  const entry = typeof current === 'string' ? { plugin: NX_DOCKER, options: kept } : { ...current, options: kept };
  return {
    nxJson: { ...nxJson, plugins: plugins.map((item, i) => (i === index ? entry : item)) },
    note: `nx.json: kept ${NX_DOCKER} with its targets named ${String(kept.buildTarget)} and ${String(kept.runTarget)}, so they do not replace Imagewise's docker:build and docker:run. With release.docker set, nx release versions its projects as Docker images.`,
  };
}

function union(list: string[], more: string[]): string[] {
  return [...list, ...more.filter((item) => !list.includes(item))];
}
