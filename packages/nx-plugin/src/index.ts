import type { CreateDependencies, PreTasksExecution } from 'nx/src/devkit-exports';
import type { ImagewisePluginOptions } from './plugins/options';

export const name = '@imagewise/nx-plugin';
export { createNodes, createNodesV2 } from './plugins/plugin';
export type { ImagewisePluginOptions } from './plugins/options';

/**
 * Loaded on first call, with the library matching it needs: loading it with the
 * plugin would put it on a cold graph's critical path, where every plugin worker
 * starts at once, rather than beside Nx's own createDependencies.
 */
export const createDependencies: CreateDependencies<ImagewisePluginOptions> = (options, context) =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first call, as the comment above says
  (require('./plugins/dependencies') as typeof import('./plugins/dependencies')).createDependencies(options, context);

/** Falls back to the local cache when the remote cache server cannot answer; loaded only when Nx runs tasks. */
export const preTasksExecution: PreTasksExecution = (options, context) =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when Nx runs tasks
  (require('./plugins/remote-cache') as typeof import('./plugins/remote-cache')).preTasksExecution(options, context);
