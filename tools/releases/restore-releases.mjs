#!/usr/bin/env node
// Puts the base-image releases that services pin (FROM node-base:1.0.0 while
// the workspace is at 1.1.0) into the registry when it lacks them: a fresh
// registry holds no release yet. Each release is built from its git tag
// (<project>@<version>, what `nx release` makes) in a worktree, or from the
// commit release-commits.json records for it where the checkout lacks the tag,
// by the workspace's own docker:build, so it gets the same content tag and version
// tag its release build had; no moving tag (latest, mr-…) is pushed.
//   node tools/releases/restore-releases.mjs      (IMAGEWISE_REGISTRY set)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createProjectGraphAsync } from '@nx/devkit';
import { headManifest } from './manifest-head.mjs';
import { relockIfMissing } from './upstream-locks.mjs';

// CI variables that would add moving tags to a release build.
const MOVING_TAG_VARIABLES = ['CI_COMMIT_BRANCH', 'CI_MERGE_REQUEST_IID', 'GITHUB_HEAD_REF', 'GITHUB_REF_NAME', 'GITHUB_REF'];

const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
const registry = process.env.IMAGEWISE_REGISTRY?.replace(/\/+$/, '');
if (!registry) {
  console.error('restore-releases: IMAGEWISE_REGISTRY is not set; start tools/engine and source its env file');
  process.exit(1);
}

const graph = await createProjectGraphAsync({ exitOnError: true });
const nodeByRoot = new Map(Object.values(graph.nodes).map((node) => [node.data.root, node]));
const wanted = new Map();
for (const node of Object.values(graph.nodes)) {
  for (const pin of node.data.metadata?.imagewise?.pinnedImages ?? []) {
    if (pin.pin.startsWith('sha256:')) continue;
    const base = nodeByRoot.get(pin.root);
    wanted.set(`${base.name}@${pin.pin}`, { project: base.name, imageName: base.data.metadata.imagewise.imageName, version: pin.pin, by: node.name });
  }
}

let failed = false;
for (const [tag, release] of wanted) {
  if (await inRegistry(`${release.imageName}`, release.version)) {
    console.log(`restore-releases: ${registry}/${release.imageName}:${release.version} is in the registry`);
    continue;
  }
  const source = releaseSource(tag);
  if (!source) {
    console.error(
      `restore-releases: ${release.by} pins ${release.imageName}:${release.version}, but there is no git tag ${tag} to build it from, nor a commit for it in tools/releases/release-commits.json; fetch tags (git fetch --tags) or follow the workspace version (nx sync)`,
    );
    failed = true;
    continue;
  }
  console.log(`restore-releases: building ${release.imageName}:${release.version} from ${source.what}`);
  const worktree = mkdtempSync(join(tmpdir(), 'imagewise-release-'));
  try {
    execFileSync('git', ['worktree', 'add', '--detach', '--quiet', worktree, source.commit], { cwd: root, stdio: 'inherit' });
    linkNodeModules(worktree);
    await relockIfMissing(worktree);
    const env = { ...process.env, NX_DAEMON: 'false' };
    for (const name of MOVING_TAG_VARIABLES) delete env[name];
    execFileSync(join(root, 'node_modules/.bin/nx'), ['run', `${release.project}:docker:build`, '--outputStyle=stream', '--skipNxCache'], {
      cwd: worktree,
      env,
      stdio: 'inherit',
    });
  } catch {
    console.error(`restore-releases: building ${tag} failed (output above)`);
    failed = true;
  } finally {
    execFileSync('git', ['worktree', 'remove', '--force', worktree], { cwd: root, stdio: 'inherit' });
    rmSync(worktree, { recursive: true, force: true });
  }
}
process.exit(failed ? 1 : 0);

async function inRegistry(imageName, tag) {
  const [host, ...path] = `${registry}/${imageName}`.split('/');
  const response = await headManifest(host, path.join('/'), tag);
  if (response.status === 404) return false;
  if (!response.ok) throw new Error(`restore-releases: ${host} answered ${response.status} for ${imageName}:${tag}`);
  return true;
}

/**
 * The worktree uses this checkout's installed packages, but its own workspace
 * packages: the release builds with the plugin and libraries of its commit
 * (Nx loads the plugin from the worktree's source, and its executors through
 * node_modules, so both must be the release's).
 */
function linkNodeModules(worktree) {
  const workspaceDirs = ['packages', 'services', 'images'].map((group) => `${join(root, group)}/`);
  const link = (from, to) => {
    mkdirSync(to, { recursive: true });
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      const source = join(from, entry.name);
      if (entry.name.startsWith('@') && entry.isDirectory()) {
        link(source, join(to, entry.name));
        continue;
      }
      const resolved = entry.isSymbolicLink() ? realpathSync(source) : source;
      const own = workspaceDirs.some((dir) => resolved.startsWith(dir)) ? join(worktree, relative(root, resolved)) : undefined;
      if (own === undefined) symlinkSync(source, join(to, entry.name));
      else if (existsSync(own)) symlinkSync(own, join(to, entry.name));
    }
  };
  link(join(root, 'node_modules'), join(worktree, 'node_modules'));
  for (const group of ['packages', 'services', 'images']) {
    if (!existsSync(join(root, group))) continue;
    for (const name of readdirSync(join(root, group))) {
      const installed = join(root, group, name, 'node_modules');
      const target = join(worktree, group, name);
      if (existsSync(installed) && existsSync(target) && !existsSync(join(target, 'node_modules'))) symlinkSync(installed, join(target, 'node_modules'));
    }
  }
}

/** The release's git tag, else the commit release-commits.json records for it (when this checkout has it); undefined when neither. */
function releaseSource(tag) {
  if (commitExists(`refs/tags/${tag}`)) return { commit: `refs/tags/${tag}`, what: `git tag ${tag}` };
  const { releases } = JSON.parse(readFileSync(join(root, 'tools/releases/release-commits.json'), 'utf8'));
  const commit = releases[tag];
  if (commit && commitExists(`${commit}^{commit}`))
    return { commit, what: `commit ${commit.slice(0, 12)} (release-commits.json: the checkout has no tag ${tag})` };
  return undefined;
}

function commitExists(revision) {
  try {
    execFileSync('git', ['rev-parse', '--verify', '--quiet', revision], { cwd: root, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
