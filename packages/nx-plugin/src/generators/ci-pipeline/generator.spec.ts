import type { ProjectConfiguration } from 'nx/src/devkit-exports';
import { describe, expect, it } from 'vitest';
import { imagesToBuild } from './generator';

const image = (root: string, baseImages: string[]): ProjectConfiguration => ({
  root,
  metadata: { imagewise: { imageName: root, stages: [], baseImages, upstreamImages: [], pinnedImages: [] } },
});
const PROJECTS: Record<string, ProjectConfiguration> = {
  'node-base': image('images/node-base', []),
  api: image('services/api', ['images/node-base']),
  common: { root: 'packages/common' },
};

describe('imagesToBuild', () => {
  it('names each image’s bases by project, from the roots in its metadata', () => {
    expect(imagesToBuild(PROJECTS, ['api'])).toEqual([{ project: 'api', bases: ['node-base'] }]);
    expect(imagesToBuild(PROJECTS, undefined)).toEqual([
      { project: 'node-base', bases: [] },
      { project: 'api', bases: ['node-base'] },
    ]);
  });

  it('rejects a project that is no image', () => {
    expect(() => imagesToBuild(PROJECTS, ['common', 'nope'])).toThrow('not image projects: common, nope');
  });
});
