import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProjectGraph, TargetConfiguration } from '@nx/devkit';
import { describe, expect, it, onTestFinished } from 'vitest';
import { libraryPacks } from './library-packs';

function workspace(files: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'library-packs-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  for (const file of files) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), file);
  }
  return root;
}

const node = (name: string, root: string, targets: Record<string, TargetConfiguration> = {}) => ({ name, type: 'lib' as const, data: { root, targets } });

const graph: ProjectGraph = {
  nodes: {
    'node-base': node('node-base', 'images/node-base'),
    common: node('common', 'packages/common', { pack: { outputs: ['{workspaceRoot}/dist/packs/imagewise-common-*.tgz'] } }),
    'common-py': node('common-py', 'packages/common-py', { pack: { outputs: ['{projectRoot}/dist'] } }),
    other: node('other', 'packages/other', { pack: { outputs: ['{workspaceRoot}/dist/packs/other-*.tgz'] } }),
  },
  dependencies: {
    'node-base': [
      { source: 'node-base', target: 'common', type: 'static' },
      { source: 'node-base', target: 'common-py', type: 'static' },
      { source: 'node-base', target: 'docker:docker.io/library/node:18', type: 'static' },
    ],
  },
};

describe('libraryPacks', () => {
  it("stages what each tracked library's pack target made, by file name, under .imagewise/packs", () => {
    const root = workspace([
      'dist/packs/imagewise-common-1.5.0.tgz',
      'dist/packs/imagewise-common-1.6.0.tgz',
      'dist/packs/other-1.0.0.tgz',
      'packages/common-py/dist/imagewise_common-1.5.0.tar.gz',
    ]);
    const staged = libraryPacks(root, graph, 'node-base');
    expect(staged.map((file) => file.name).sort()).toEqual([
      '.imagewise/packs/imagewise-common-1.5.0.tgz',
      '.imagewise/packs/imagewise-common-1.6.0.tgz',
      '.imagewise/packs/imagewise_common-1.5.0.tar.gz',
    ]);
    expect(staged.find((file) => file.name.endsWith('1.5.0.tgz'))!.path).toBe(join(root, 'dist/packs/imagewise-common-1.5.0.tgz'));
  });

  it('stages nothing for a library that has not been packed, or an image with no library', () => {
    const root = workspace([]);
    expect(libraryPacks(root, graph, 'node-base')).toEqual([]);
    expect(libraryPacks(root, graph, 'common')).toEqual([]);
  });

  it('reads output globs as minimatch does: braces, ** and dot files', () => {
    const root = workspace([
      'packages/lib/dist/wheels/py3/lib-1.0.0-py3-none-any.whl',
      'packages/lib/dist/sdist/.lib-1.0.0.tar.gz',
      'packages/lib/dist/other/lib-1.0.0.whl',
    ]);
    const braces: ProjectGraph = {
      nodes: { app: node('app', 'apps/app'), lib: node('lib', 'packages/lib', { pack: { outputs: ['{projectRoot}/dist/{wheels/**/*.whl,sdist/*}'] } }) },
      dependencies: { app: [{ source: 'app', target: 'lib', type: 'static' }] },
    };
    expect(
      libraryPacks(root, braces, 'app')
        .map((file) => file.name)
        .sort(),
    ).toEqual(['.imagewise/packs/.lib-1.0.0.tar.gz', '.imagewise/packs/lib-1.0.0-py3-none-any.whl']);
  });
});
