#!/usr/bin/env node
// Re-resolves the workspace's imagewise.lock.json files when the digests they
// record are not in the registry that serves them. Here docker.io is a mirror
// that tools/engine seeds on each fresh machine: a new seed has new digests,
// and the committed ones exist only where they were resolved. (Docker Hub keeps
// old digests; this stand-in cannot.) The re-resolved locks stay uncommitted.
//   node tools/releases/upstream-locks.mjs      (IMAGEWISE_MIRROR set)
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { headManifest } from './manifest-head.mjs';


/** Runs docker:lock in `dir` when a locked upstream digest is missing; says which one. */
export async function relockIfMissing(dir, env = process.env) {
  const missing = await firstMissingDigest(dir, env);
  if (!missing) return false;
  console.log(`upstream-locks: ${missing} is not in the registry serving it (a freshly seeded mirror?): re-resolving the locks with docker:lock`);
  execFileSync(join(dir, 'node_modules/.bin/nx'), ['run-many', '-t', 'docker:lock', '--outputStyle=stream', '--skipNxCache'], {
    cwd: dir,
    env: { ...env, NX_DAEMON: 'false' },
    stdio: 'inherit',
  });
  return true;
}

async function firstMissingDigest(dir, env) {
  for (const group of ['images', 'services']) {
    if (!existsSync(join(dir, group))) continue;
    for (const name of readdirSync(join(dir, group))) {
      const lock = join(dir, group, name, 'imagewise.lock.json');
      if (!existsSync(lock)) continue;
      for (const [reference, digest] of Object.entries(JSON.parse(readFileSync(lock, 'utf8')).upstream ?? {})) {
        if (!(await digestExists(reference, digest, env))) return `${reference}@${digest} (${group}/${name}/imagewise.lock.json)`;
      }
    }
  }
  return undefined;
}

async function digestExists(reference, digest, env) {
  const [domain, ...rest] = reference.replace(/:[^/:]+$/, '').split('/');
  const host = domain === 'docker.io' ? env.IMAGEWISE_MIRROR : domain;
  if (!host) throw new Error('upstream-locks: IMAGEWISE_MIRROR is not set; start tools/engine and source its env file');
  const response = await headManifest(host, rest.join('/'), digest);
  return response.ok;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
  await relockIfMissing(root);
}
