import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  createNodesFromFiles,
  type CreateNodesContextV2,
  type CreateNodesResult,
  type CreateNodesV2,
} from '@nx/devkit';

export interface ImagewisePluginOptions {
  /** Tag given to image projects under `images/` (base images). */
  baseImageTag?: string;
  /** Tag given to image projects under `services/`. */
  serviceTag?: string;
}

/** Every Dockerfile under images/ or services/ makes its directory an image project. */
export const DOCKERFILE_GLOB = '{images,services}/**/Dockerfile';

export const createNodesV2: CreateNodesV2<ImagewisePluginOptions> = [
  DOCKERFILE_GLOB,
  (dockerfiles, options, context) =>
    createNodesFromFiles(imageProjectFromDockerfile, dockerfiles, options ?? {}, context),
];

/** Nx 22+ reads `createNodes` with the v2 signature; both names carry the same tuple. */
export const createNodes = createNodesV2;

function imageProjectFromDockerfile(
  dockerfile: string,
  options: ImagewisePluginOptions | undefined,
  context: CreateNodesContextV2,
): CreateNodesResult {
  const root = dirname(dockerfile);
  const imageName = basename(root);
  const isBaseImage = root.split('/')[0] === 'images';
  const tag = isBaseImage
    ? (options?.baseImageTag ?? 'type:base-image')
    : (options?.serviceTag ?? 'type:service');
  return {
    projects: {
      [root]: {
        // A project.json or package.json already names the project; merge into it.
        ...(definesProject(context.workspaceRoot, root) ? {} : { name: imageName }),
        tags: [tag],
        metadata: {
          technologies: ['docker'],
          imagewise: { imageName, dockerfile },
        },
      },
    },
  };
}

function definesProject(workspaceRoot: string, root: string): boolean {
  return ['project.json', 'package.json'].some((file) =>
    existsSync(join(workspaceRoot, root, file)),
  );
}
