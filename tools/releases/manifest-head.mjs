// HEAD of a manifest by tag or digest, as the registry API wants it asked: with
// Accept for Docker v2 and OCI manifests and indexes (else distribution answers
// schema1, under another digest). Loopback registries speak plain HTTP.
const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

/**
 * The registry's answer for `host/repository` at `tagOrDigest` (status 200 or 404, or an error status).
 * @param {string} host
 * @param {string} repository
 * @param {string} tagOrDigest
 */
export function headManifest(host, repository, tagOrDigest) {
  const scheme = /^(localhost|127\.|\[::1\])/.test(host) ? 'http' : 'https';
  return fetch(`${scheme}://${host}/v2/${repository}/manifests/${tagOrDigest}`, { method: 'HEAD', headers: { Accept: MANIFEST_TYPES } });
}
