import type { ExecutorContext } from 'nx/src/devkit-exports';
import { parseMaxAge } from '../../build/staleness';
import { explainImage, type BaseNow } from '../../explain/explain';
import { parseImageReference, repositoryIn, type ImageReference } from '../../image-reference/reference';
import { normaliseOptions, pluginOptionsFromNxJson } from '../../plugins/options';
import { registryAuth } from '../../registry/credentials';
import { RegistryClient } from '../../registry/registry-client';
import { selectImage } from '../selected-image';

export interface ExplainExecutorOptions {
  /** The image's key (`worker` for `docker:build:worker`); default: the primary. */
  image?: string;
  ref?: string;
  maxAge?: string;
  mirror?: string;
}

/**
 * docker:explain: what made an image, read from the registry and the image's
 * labels alone (no metadata.json, no engine, no checkout needed beyond the
 * project's name): commit, Dockerfile, bases by digest, library packs, and
 * whether it is stale under maxAge.
 */
export default async function explainExecutor(options: ExplainExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const { entry, image, note } = selectImage(context, 'docker:explain', options.image);
    if (note && !options.ref) console.log(note);
    const pluginOptions = normaliseOptions(pluginOptionsFromNxJson(context.nxJsonConfiguration));
    const registry = process.env.IMAGEWISE_REGISTRY || pluginOptions.registry;
    // The image's own build target (`docker:build`, or `docker:build:<key>` where the project has several images) sets its maxAge.
    const buildOptions = (entry.project.targets?.[image.buildTarget]?.options ?? {}) as { maxAge?: string };
    const maxAge = parseMaxAge(options.maxAge ?? buildOptions.maxAge ?? pluginOptions.maxAge);
    const reference = imageReference(options.ref, registry ? repositoryIn(registry, image.imageName) : undefined);
    const client = new RegistryClient({ credentials: (host) => registryAuth(host), dockerHubMirror: options.mirror ?? process.env.IMAGEWISE_MIRROR });

    const digest = reference.digest ?? (await client.manifestDigest(reference));
    if (!digest) throw new Error(`${show(reference)} is not in the registry`);
    const config = await client.imageConfig(reference, digest);
    const bases: Record<string, BaseNow> = {};
    const baseImages = parseJson(config.labels['dev.imagewise.base-images']);
    for (const [name, text] of Object.entries(baseImages)) {
      // Workspace bases only: images under the registry, which carry a content tag.
      if (!registry || !text.startsWith(`${registry}/`) || !text.includes('@')) continue;
      bases[name] = await baseNow(client, parseImageReference(text));
    }
    const lines = explainImage({
      image: `${repositoryText(reference)}@${digest}`,
      created: config.created,
      labels: config.labels,
      bases,
      maxAge,
      now: Date.now(),
    });
    console.log(lines.join('\n'));
    return { success: true };
  } catch (error) {
    console.error((error as Error).message);
    return { success: false };
  }
}

/** A full reference, a digest or a tag of the project's repository (default: latest). */
export function imageReference(ref: string | undefined, repository: string | undefined): ImageReference {
  const text = ref?.trim() || 'latest';
  const own = /^sha256:[0-9a-f]{64}$/.test(text) ? `@${text}` : /^[\w][\w.-]{0,127}$/.test(text) ? `:${text}` : undefined;
  if (own === undefined) return parseImageReference(text);
  if (!repository) throw new Error(`no registry configured (plugin option "registry" or IMAGEWISE_REGISTRY): give --ref a full reference`);
  return parseImageReference(`${repository}${own}`);
}

async function baseNow(client: RegistryClient, reference: ImageReference): Promise<BaseNow> {
  try {
    const config = await client.imageConfig(reference, reference.digest!);
    const identity = config.labels['dev.imagewise.content-identity'];
    if (!identity) return { created: config.created };
    const contentTag = `c-${identity}`;
    const currentDigest = await client.manifestDigest({ ...reference, digest: undefined, tag: contentTag });
    return { created: config.created, contentTag, currentDigest };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

function parseJson(text: string | undefined): Record<string, string> {
  try {
    return text ? (JSON.parse(text) as Record<string, string>) : {};
  } catch {
    return {};
  }
}

function repositoryText(reference: ImageReference): string {
  return `${reference.domain}/${reference.path}`;
}

function show(reference: ImageReference): string {
  return `${repositoryText(reference)}${reference.digest ? `@${reference.digest}` : `:${reference.tag ?? 'latest'}`}`;
}
