// What build-faults.mjs checks after each fault: every tag in the registry
// and in the engine names a whole image of the content its tag says.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';

export const NAMESPACE = 'probes';
const REPOSITORIES = ['pbase', 'psvc'];
const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** A publish's staging tag (imagewise-staging-<random>), or the one tag earlier builds shared. */
const isStagingTag = (tag) => tag === 'imagewise-staging' || tag.startsWith('imagewise-staging-');

/** The engine's environment: from this process, else from tools/engine's env file. */
export function engineEnv() {
  if (process.env.DOCKER_HOST) return { DOCKER_HOST: process.env.DOCKER_HOST };
  const home = process.env.IMAGEWISE_ENGINE_HOME || '/var/lib/imagewise-engine';
  const text = readFileSync(join(home, 'env'), 'utf8');
  return Object.fromEntries([...text.matchAll(/^export ([A-Z_]+)=(.*)$/gm)].map((match) => [match[1], match[2]]));
}

/** The Engine API over its unix socket. */
export function engine(dockerHost, method, path) {
  return new Promise((done, fail) => {
    const req = request({ socketPath: dockerHost.replace(/^unix:\/\//, ''), path, method }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        done({ status: res.statusCode, body: text && res.headers['content-type']?.includes('json') ? JSON.parse(text) : text });
      });
    });
    req.on('error', fail);
    req.end();
  });
}

/** What a registry repository's tags name, checked blob by blob. Returns failures and counts. */
export async function checkRegistry(registryPort) {
  const failures = [];
  const base = `http://127.0.0.1:${registryPort}/v2/${NAMESPACE}`;
  const tags = {};
  let checked = 0;
  let staging = 0;
  for (const repository of REPOSITORIES) {
    const list = await fetch(`${base}/${repository}/tags/list`);
    const names = list.status === 404 ? [] : ((await list.json()).tags ?? []);
    const digests = {};
    const identities = {};
    for (const tag of names) {
      checked++;
      if (isStagingTag(tag)) staging++;
      const response = await fetch(`${base}/${repository}/manifests/${tag}`, { headers: { Accept: MANIFEST_TYPES } });
      if (!response.ok) {
        failures.push(`${repository}:${tag}: manifest answers ${response.status}`);
        continue;
      }
      digests[tag] = response.headers.get('docker-content-digest');
      const manifest = await response.json();
      const manifests = manifest.manifests
        ? await Promise.all(
            manifest.manifests.map(async (entry) =>
              (await fetch(`${base}/${repository}/manifests/${entry.digest}`, { headers: { Accept: MANIFEST_TYPES } })).json(),
            ),
          )
        : [manifest];
      for (const image of manifests) {
        const blobs = [image.config, ...(image.layers ?? [])].filter(Boolean);
        const heads = await Promise.all(
          blobs.map(async (blob) => [blob.digest, (await fetch(`${base}/${repository}/blobs/${blob.digest}`, { method: 'HEAD' })).status]),
        );
        for (const [digest, status] of heads)
          if (status !== 200) failures.push(`${repository}:${tag}: blob ${digest.slice(0, 19)}… answers HEAD ${status} (not pullable)`);
        if (!image.config) continue;
        const config = await fetch(`${base}/${repository}/blobs/${image.config.digest}`);
        if (!config.ok) continue;
        identities[tag] = (await config.json()).config?.Labels?.['dev.imagewise.content-identity'];
      }
    }
    for (const [tag, identity] of Object.entries(identities)) {
      if (tag.startsWith('c-') && identity !== tag.slice(2)) failures.push(`${repository}:${tag} names an image of content ${identity}`);
      if (!tag.startsWith('c-') && !isStagingTag(tag) && !digests[`c-${identity}`])
        failures.push(`${repository}:${tag} names an image whose content tag c-${identity} is not there`);
    }
    tags[repository] = digests;
  }
  return { failures, checked, staging, tags };
}

/** Every tag of both repositories in the engine: a content tag names an image of that identity. */
export async function checkEngine(dockerHost, prefix) {
  const failures = [];
  let checked = 0;
  let staging = 0;
  const { body: images } = await engine(dockerHost, 'GET', '/images/json');
  for (const image of images) {
    for (const tag of image.RepoTags ?? []) {
      if (!tag.startsWith(prefix)) continue;
      checked++;
      const name = tag.slice(tag.lastIndexOf(':') + 1);
      if (isStagingTag(name)) staging++;
      const { status, body } = await engine(dockerHost, 'GET', `/images/${encodeURIComponent(tag)}/json`);
      if (status !== 200) {
        failures.push(`engine ${tag}: inspect answers ${status}`);
        continue;
      }
      const identity = body.Config?.Labels?.['dev.imagewise.content-identity'];
      if (name.startsWith('c-') && identity !== name.slice(2)) failures.push(`engine ${tag} names an image of content ${identity}`);
    }
  }
  return { failures, checked, staging };
}
