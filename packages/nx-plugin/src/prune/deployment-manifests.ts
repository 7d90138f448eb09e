import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/** Where the CI's deploy stage writes its manifest (tools/ci/lib/deployment.mjs). */
export const DEFAULT_DEPLOYMENT_MANIFEST = 'dist/deploy/manifest.json';

const DIGEST = /sha256:[a-f0-9]{64}/g;

/**
 * Every digest the deployment manifests name, with the manifest that names
 * it. A manifest is a path (from the workspace root) or an http(s) URL; any
 * `sha256:<64 hex>` in its text counts, so the CI's manifest, a Helm values
 * file or a GitOps repository's rendered file all work. Without the option,
 * dist/deploy/manifest.json when it exists. A manifest that is listed but
 * cannot be read stops prune: what it protects is unknown.
 */
export async function deployedDigests(
  manifests: string[] | undefined,
  workspaceRoot: string,
  fetchText: (url: string) => Promise<string> = fetchManifest,
): Promise<{ digests: Map<string, string>; read: string[] }> {
  const sources = manifests ?? (existsSync(join(workspaceRoot, DEFAULT_DEPLOYMENT_MANIFEST)) ? [DEFAULT_DEPLOYMENT_MANIFEST] : []);
  const digests = new Map<string, string>();
  for (const source of sources) {
    let text: string;
    try {
      text = /^https?:\/\//i.test(source) ? await fetchText(source) : readFileSync(isAbsolute(source) ? source : join(workspaceRoot, source), 'utf8');
    } catch (error) {
      throw new Error(
        `cannot read the deployment manifest ${source} (${(error as Error).message}); prune protects every digest it names, so nothing was pruned`,
        { cause: error },
      );
    }
    for (const [digest] of text.toLowerCase().matchAll(DIGEST)) if (!digests.has(digest)) digests.set(digest, source);
  }
  return { digests, read: sources };
}

async function fetchManifest(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  if (!response.ok) throw new Error(`it answered ${response.status} ${response.statusText}`);
  return response.text();
}
