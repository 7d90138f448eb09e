import type { ProjectGraph } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import {
  imageOfTarget,
  imageProjectOf,
  imagesOf,
  primaryOnlyNote,
  workspaceImageEntries,
  workspaceImagesOf,
  type ImageProjectMetadata,
} from './project-metadata';

const graph = (metadata: Record<string, unknown> | undefined): ProjectGraph => ({
  nodes: { 'bruin-bridge': { name: 'bruin-bridge', type: 'app', data: { root: 'services/bruin-bridge', ...(metadata ? { metadata } : {}) } } },
  dependencies: {},
});

describe('imageProjectOf', () => {
  it("gives an executor its image project's metadata, the image name with its namespace", () => {
    const entry = imageProjectOf({
      projectName: 'bruin-bridge',
      projectGraph: graph({ imagewise: { imageName: 'acme/bruin-bridge', stages: [], baseImages: [], upstreamImages: [], pinnedImages: [] } }),
    });
    expect(entry?.metadata.imageName).toBe('acme/bruin-bridge');
    expect(entry?.project.root).toBe('services/bruin-bridge');
  });

  it('gives nothing for a project the plugin left no metadata on', () => {
    expect(imageProjectOf({ projectName: 'bruin-bridge', projectGraph: graph(undefined) })).toBeUndefined();
    expect(imageProjectOf({ projectName: 'other', projectGraph: graph(undefined) })).toBeUndefined();
  });
});

describe('the images of a project', () => {
  const single: ImageProjectMetadata = { imageName: 'api', stages: [], baseImages: [], upstreamImages: [], pinnedImages: [] };
  const several: ImageProjectMetadata = {
    ...single,
    dockerfile: 'services/api/Dockerfile',
    images: [
      { key: '', dockerfile: 'services/api/Dockerfile', imageName: 'api', buildTarget: 'docker:build:primary' },
      { key: 'worker', dockerfile: 'services/api/Dockerfile.worker', imageName: 'api-worker', buildTarget: 'docker:build:worker' },
    ],
  };

  it('is the primary alone, built by docker:build, where metadata lists no images (and names no Dockerfile: written before there could be several)', () => {
    expect(imagesOf('services/api', single)).toEqual([{ key: '', dockerfile: 'services/api/Dockerfile', imageName: 'api', buildTarget: 'docker:build' }]);
    expect(imageOfTarget('services/api', single, 'docker:build').key).toBe('');
  });

  it('gives each build target its own image, and the primary for any other target', () => {
    expect(imageOfTarget('services/api', several, 'docker:build:worker').imageName).toBe('api-worker');
    expect(imageOfTarget('services/api', several, 'docker:build:primary').imageName).toBe('api');
    expect(imageOfTarget('services/api', several, 'docker:push').imageName).toBe('api');
  });

  it('indexes every image of the workspace by its Dockerfile, with its project', () => {
    const images = new Map([['api', { project: { root: 'services/api' }, metadata: { ...several, version: '1.0.0' } }]]);
    expect(workspaceImageEntries(images).get('services/api/Dockerfile.worker')).toMatchObject({ projectName: 'api', image: several.images![1] });
    expect(workspaceImagesOf(images)).toEqual([
      { project: 'services/api/Dockerfile', imageName: 'api', version: '1.0.0', dockerfile: 'services/api/Dockerfile' },
      { project: 'services/api/Dockerfile.worker', imageName: 'api-worker', version: '1.0.0', dockerfile: 'services/api/Dockerfile.worker' },
    ]);
  });

  it('says where a target acts on the primary image alone', () => {
    expect(primaryOnlyNote('docker:prune', 'api', single)).toBeUndefined();
    expect(primaryOnlyNote('docker:prune', 'api', several)).toBe('api has 2 images: docker:prune acts on its primary image api, not on api-worker');
  });
});
