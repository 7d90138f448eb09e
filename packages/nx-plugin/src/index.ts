export const name = '@imagewise/nx-plugin';
export { createNodes, createNodesV2 } from './plugins/plugin';
export { createDependencies } from './plugins/dependencies';
export type { ImagewisePluginOptions } from './plugins/options';
