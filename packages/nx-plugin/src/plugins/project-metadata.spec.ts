import type { ProjectGraph } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import {
  imageOfOption,
  imageOfTarget,
  imageProjectOf,
  imagesOf,
  otherImagesNote,
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

  it("selects the image an executor's image option names by its build target's key, the primary without one", () => {
    expect(imageOfOption('api', 'services/api', several, 'worker')).toBe(several.images![1]);
    expect(imageOfOption('api', 'services/api', several, 'primary')).toBe(several.images![0]);
    expect(imageOfOption('api', 'services/api', several, undefined)).toBe(several.images![0]);
    expect(imageOfOption('api', 'services/api', single, undefined).imageName).toBe('api');
    expect(imageOfOption('api', 'services/api', single, 'primary').imageName).toBe('api');
  });

  it('names the project, the unknown key and the keys it has when the image option names no image of it', () => {
    expect(() => imageOfOption('api', 'services/api', several, 'report')).toThrow(
      'api has no image "report": its images are primary, worker (its docker:build:<key> targets); pass --image=<one of them>',
    );
    expect(() => imageOfOption('api', 'services/api', single, 'worker')).toThrow(
      'api has no image "worker": it has one image, built by docker:build; leave out --image',
    );
  });

  it('indexes every image of the workspace by its Dockerfile, with its project', () => {
    const images = new Map([['api', { project: { root: 'services/api' }, metadata: { ...several, version: '1.0.0' } }]]);
    expect(workspaceImageEntries(images).get('services/api/Dockerfile.worker')).toMatchObject({ projectName: 'api', image: several.images![1] });
    expect(workspaceImagesOf(images)).toEqual([
      { project: 'services/api/Dockerfile', imageName: 'api', version: '1.0.0', dockerfile: 'services/api/Dockerfile' },
      { project: 'services/api/Dockerfile.worker', imageName: 'api-worker', version: '1.0.0', dockerfile: 'services/api/Dockerfile.worker' },
    ]);
  });

  it('says, where a project has several images and no image option chose one, which a target acts on and how to choose another', () => {
    expect(otherImagesNote('docker:push', 'api', single, undefined)).toBeUndefined();
    expect(otherImagesNote('docker:push', 'api', several, 'worker')).toBeUndefined();
    expect(otherImagesNote('docker:push', 'api', several, undefined)).toBe('api has 2 images: docker:push acts on api (pass --image=worker for api-worker)');
  });
});
