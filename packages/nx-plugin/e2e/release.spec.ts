// nx release with the packed plugin's VersionActions, in a real workspace: the
// Python library and each base image are versioned independently from
// conventional commits; a library release bumps the base image that bundles it
// and moves its library ARG, and the services that track that base follow in
// the same release commit, while a marked pin stays.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace, sharedTemplate } from './workspace';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

describe('nx release of the library and base images', () => {
  let template: string;
  let ws: Workspace;
  const read = (path: string) => readFileSync(join(ws.root, path), 'utf8');

  beforeAll(() => {
    template = sharedTemplate();
    ws = new Workspace(template, {
      'package.json': json({ name: 'released', private: true, workspaces: ['images/*', 'services/*'] }),
      'nx.json': json({
        plugins: [{ plugin: '@imagewise/nx-plugin', options: { libraries: ['common-py'] } }],
        release: {
          projectsRelationship: 'independent',
          releaseTag: { pattern: '{projectName}@{version}' },
          projects: ['common-py', 'tag:type:base-image'],
          version: {
            conventionalCommits: true,
            fallbackCurrentVersionResolver: 'disk',
            versionActions: '@imagewise/nx-plugin/src/release/version-actions',
          },
          changelog: { workspaceChangelog: false, projectChangelogs: false },
          git: { commit: true, tag: true },
        },
      }),
      'packages/common-py/project.json': json({ name: 'common-py', projectType: 'library' }),
      'packages/common-py/pyproject.toml': '[build-system]\nrequires = ["setuptools"]\n\n[project]\nname = "imagewise-common"\nversion = "1.5.0"\n',
      'packages/common-py/src/imagewise_common/__init__.py': '',
      'images/python-base/package.json': json({ name: 'python-base', version: '1.0.0', private: true, nx: { tags: ['type:base-image'] } }),
      'images/python-base/Dockerfile': 'FROM python:3.11-slim-bookworm@sha256:' + 'a'.repeat(64) + '\nARG IMAGEWISE_COMMON_VERSION=1.5.0\n',
      'images/other-base/package.json': json({ name: 'other-base', version: '2.0.0', private: true, nx: { tags: ['type:base-image'] } }),
      'images/other-base/Dockerfile': 'FROM debian:bookworm-slim@sha256:' + 'b'.repeat(64) + '\n',
      'services/report/Dockerfile': 'FROM python-base:1.0.0\n',
      'services/report/requirements.txt': 'imagewise-common>=1.5,<2\n',
      'services/legacy/Dockerfile': '# imagewise: pin until legacy is retired\nFROM python-base:1.0.0\n',
    });
    for (const tag of ['common-py@1.5.0', 'python-base@1.0.0', 'other-base@2.0.0']) ws.git('tag', tag);
  });
  afterAll(() => {
    ws?.dispose();
  });

  it('releases the library, bumps the base that bundles it and moves what follows, in one commit', () => {
    ws.write({ 'packages/common-py/src/imagewise_common/__init__.py': 'def greet():\n    return "hi"\n' });
    ws.commit('feat(common-py): greet');

    ws.nx('release', '--skip-publish');

    expect(read('packages/common-py/pyproject.toml')).toContain('version = "1.6.0"');
    expect(JSON.parse(read('images/python-base/package.json')).version).toBe('1.0.1');
    expect(read('images/python-base/Dockerfile')).toContain('ARG IMAGEWISE_COMMON_VERSION=1.6.0');
    // A base that neither changed nor depends on the library keeps its version.
    expect(JSON.parse(read('images/other-base/package.json')).version).toBe('2.0.0');
    expect(read('services/report/Dockerfile')).toBe('FROM python-base:1.0.1\n');
    expect(read('services/legacy/Dockerfile')).toContain('FROM python-base:1.0.0');

    expect(ws.git('tag', '--points-at', 'HEAD').split('\n').filter(Boolean).sort()).toEqual(['common-py@1.6.0', 'python-base@1.0.1']);
    expect(ws.git('status', '--porcelain')).toBe('');
    expect(ws.git('show', '--name-only', '--format=', 'HEAD').split('\n').filter(Boolean).sort()).toEqual([
      'images/python-base/Dockerfile',
      'images/python-base/package.json',
      'packages/common-py/pyproject.toml',
      'services/report/Dockerfile',
    ]);
  });
});
