import { join } from 'node:path';
import type { ProjectGraph, Tree } from 'nx/src/devkit-exports';
import { VersionActions, type AfterAllProjectsVersioned } from 'nx/release';
import { FsTree, flushChanges } from 'nx/src/generators/tree';
import syncGenerator from '../generators/sync/generator';
import { readManifestVersion, writeManifestVersion } from './manifest-version';

/**
 * `nx release` for image projects (their package.json version) and Python
 * libraries (pyproject.toml). Versions come from the manifest or git tags;
 * what an image uses of other projects lives in its Dockerfile and manifests,
 * and moves in one pass after every project is versioned (see below).
 */
export default class ImagewiseVersionActions extends VersionActions {
  validManifestFilenames = ['package.json', 'pyproject.toml'];

  override async init(tree: Tree): Promise<void> {
    // Nx takes the first listed name, present or not: list the one this project has.
    const root = this.projectGraphNode.data.root;
    const present = this.validManifestFilenames.find((name) => tree.exists(join(root, name)));
    if (present) this.validManifestFilenames = [present];
    await super.init(tree);
  }

  async readCurrentVersionFromSourceManifest(tree: Tree): Promise<{ currentVersion: string; manifestPath: string } | null> {
    const manifestPath = this.manifestsToUpdate[0]?.manifestPath;
    if (!manifestPath || !tree.exists(manifestPath)) return null;
    return { manifestPath, currentVersion: readManifestVersion(manifestPath, tree.read(manifestPath, 'utf-8')!) };
  }

  async readCurrentVersionFromRegistry(): Promise<{ currentVersion: string | null; logText: string }> {
    return {
      currentVersion: null,
      logText: 'images and Python libraries are versioned from git tags or their manifest; set currentVersionResolver to "git-tag" or "disk"',
    };
  }

  async readCurrentVersionOfDependency(): Promise<{ currentVersion: string | null; dependencyCollection: string | null }> {
    // What an image asks of a base image or library is read by the sync, not here.
    return { currentVersion: null, dependencyCollection: null };
  }

  async updateProjectVersion(tree: Tree, newVersion: string): Promise<string[]> {
    return this.manifestsToUpdate.map(({ manifestPath }) => {
      tree.write(manifestPath, writeManifestVersion(manifestPath, tree.read(manifestPath, 'utf-8')!, newVersion));
      return `✍️  New version ${newVersion} written to manifest: ${manifestPath}`;
    });
  }

  async updateProjectDependencies(_tree: Tree, _graph: ProjectGraph, dependencies: Record<string, string>): Promise<string[]> {
    const names = Object.keys(dependencies);
    return names.length ? [`↪ ${names.join(', ')} moved on; its FROM lines and library versions follow after all projects are versioned`] : [];
  }
}

/**
 * Once every released project has its new version on disk, the sync
 * generator moves what follows them: base images' library ARGs, and FROM
 * lines at a base image's version (deliberate pins stay). Its files join the
 * release commit, so one release is one consistent change.
 */
export const afterAllProjectsVersioned: AfterAllProjectsVersioned = async (cwd, { dryRun, verbose }) => {
  const tree = new FsTree(cwd, verbose ?? false, 'imagewise release sync');
  await syncGenerator(tree);
  const changes = tree.listChanges();
  if (!dryRun) flushChanges(cwd, changes);
  return {
    changedFiles: changes.filter((change) => change.type !== 'DELETE').map((change) => change.path),
    deletedFiles: changes.filter((change) => change.type === 'DELETE').map((change) => change.path),
  };
};
