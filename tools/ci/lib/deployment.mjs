// @ts-check
// The deploy stage's product: a manifest of the images this pipeline built, by
// digest, for whatever rolls them out (a GitOps commit, a Helm values file).
// It does not deploy anything itself.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * What docker:build writes to dist/images/<project>/metadata.json (the fields used here).
 * @typedef {{ image: string, digest?: string, tags: string[], contentIdentity: string, reused: boolean }} ImageMetadata
 */

/**
 * @typedef {object} DeploymentManifest
 * @property {string} commit
 * @property {string} branch
 * @property {string | undefined} pipeline
 * @property {string} createdAt
 * @property {{ project: string, image: string, digest: string, reference: string, tags: string[], reused: boolean }[]} images
 */

export const MANIFEST_PATH = 'dist/deploy/manifest.json';

/**
 * The manifest for these projects' builds; throws naming every project whose
 * build output is missing or was not pushed.
 * @param {{ commit: string, branch: string, pipeline: string | undefined, createdAt: string }} run
 * @param {{ project: string, metadata: ImageMetadata | undefined }[]} builds
 * @returns {DeploymentManifest}
 */
export function deploymentManifest(run, builds) {
  const problems = [];
  const images = [];
  for (const { project, metadata } of [...builds].sort((a, b) => a.project.localeCompare(b.project))) {
    if (!metadata) {
      problems.push(`${project}: no ${metadataPath(project)}; run the build-images stage first and pass dist/images/ on to this job`);
    } else if (!metadata.digest) {
      problems.push(`${project}: ${metadata.image} was built but not pushed (no registry); set IMAGEWISE_REGISTRY`);
    } else {
      images.push({
        project,
        image: metadata.image,
        digest: metadata.digest,
        reference: `${metadata.image}@${metadata.digest}`,
        tags: metadata.tags,
        reused: metadata.reused,
      });
    }
  }
  if (problems.length) throw new Error(`cannot write the deployment manifest:\n  ${problems.join('\n  ')}`);
  return { ...run, images };
}

/** @param {string} project */
export function metadataPath(project) {
  return `dist/images/${project}/metadata.json`;
}

/** @param {string} root @param {string} project @returns {ImageMetadata | undefined} */
export function readMetadata(root, project) {
  const path = join(root, metadataPath(project));
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${/** @type {Error} */ (error).message}); run build-images again`, { cause: error });
  }
}

/** Whole or not at all. @param {string} root @param {DeploymentManifest} manifest */
export function writeManifest(root, manifest) {
  const path = join(root, MANIFEST_PATH);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
  return path;
}
