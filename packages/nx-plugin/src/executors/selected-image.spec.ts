import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProjectGraph } from 'nx/src/devkit-exports';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeImageMetadata, type ImageMetadata } from '../build/image-metadata';
import type { ImageProjectMetadata } from '../plugins/project-metadata';
import { buildOutputOf, selectImage } from './selected-image';

const metadata: ImageProjectMetadata = {
  imageName: 'api',
  dockerfile: 'services/api/Dockerfile',
  images: [
    { key: '', dockerfile: 'services/api/Dockerfile', imageName: 'api', buildTarget: 'docker:build:primary' },
    { key: 'worker', dockerfile: 'services/api/Dockerfile.worker', imageName: 'api-worker', buildTarget: 'docker:build:worker' },
  ],
  stages: [],
  baseImages: [],
  upstreamImages: [],
  pinnedImages: [],
};

const projectGraph: ProjectGraph = {
  nodes: {
    api: { name: 'api', type: 'app', data: { root: 'services/api', metadata: { imagewise: metadata } } },
    docs: { name: 'docs', type: 'lib', data: { root: 'docs' } },
  },
  dependencies: {},
};

const BUILT: ImageMetadata = { image: 'api-worker', tags: ['c-1'], contentIdentity: '1', baseImages: {}, reused: false, buildSeconds: 1 };

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'imagewise-selected-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the image an executor acts on', () => {
  it('is the one its image option names, with no note', () => {
    expect(selectImage({ projectGraph, projectName: 'api' }, 'docker:push', 'worker')).toEqual({
      entry: { project: projectGraph.nodes.api.data, metadata },
      image: metadata.images![1],
    });
  });

  it('is the primary without the option, with a note saying how to choose another', () => {
    const selected = selectImage({ projectGraph, projectName: 'api' }, 'docker:run', undefined);
    expect(selected.image).toBe(metadata.images![0]);
    expect(selected.note).toBe('api has 2 images: docker:run acts on api (pass --image=worker for api-worker)');
  });

  it('is an error for a project with no image and for a key the project has no image for', () => {
    expect(() => selectImage({ projectGraph, projectName: 'docs' }, 'docker:prune', undefined)).toThrow(
      'docs has no Dockerfile that Imagewise reads; docker:prune needs an image project',
    );
    expect(() => selectImage({ projectGraph, projectName: 'api' }, 'docker:explain', 'report')).toThrow('api has no image "report"');
  });

  it("reads the selected image's own build output, and says which target to run when there is none", () => {
    writeImageMetadata(root, 'api', BUILT, 'worker');
    expect(buildOutputOf({ root, projectName: 'api' }, metadata.images![1])).toEqual(BUILT);
    expect(() => buildOutputOf({ root, projectName: 'api' }, metadata.images![0])).toThrow(
      'api has no build output for api: run api:docker:build:primary first',
    );
  });
});
