import type { ProjectGraph } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { imageProjectOf } from './project-metadata';

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
