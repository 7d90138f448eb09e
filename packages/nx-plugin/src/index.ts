export const name = '@imagewise/nx-plugin';
export { createNodes, createNodesV2 } from './plugins/plugin';
export type { ImagewisePluginOptions } from './plugins/plugin';
