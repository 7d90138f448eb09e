import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import type Docker from 'dockerode';
import { pack } from 'tar-fs';
import { CONTEXT_MTIME, normalisedMode, type ContextEntry } from '../build/build-context';
import { BuildProgress } from './build-progress';
import { classicRegistryConfig, openBuildSession, type BuildSecrets, type RegistryConfig } from './build-session';

export interface BuildImageOptions {
  contextDir: string;
  /** What of the context directory is sent (listBuildContext: .dockerignore applied). */
  contextEntries: ContextEntry[];
  /** The Dockerfile to build with (bases already pinned); sent inside the context. */
  dockerfileText: string;
  /** More files for the context (the libraries' tarballs); .dockerignore does not apply to them. */
  stagedFiles?: Array<{ name: string; path: string }>;
  tag: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  target?: string;
  platform?: string;
  /** docker build --network: where RUN steps may connect. */
  network?: string;
  /** Images whose layers may be reused (the project's previous image). */
  cacheFrom: string[];
  builder: 'buildkit' | 'classic';
  /** Build every step again, no layer from the engine's cache (docker build --no-cache): a stale image's rebuild. */
  noCache?: boolean;
  /** Pull the bases again even when the engine holds them (docker build --pull). */
  pull?: boolean;
  /**
   * Credentials for the registries the Dockerfile pulls from, by host: BuildKit
   * asks for them through a session, the classic builder reads X-Registry-Config.
   * Never logged.
   */
  registryConfig?: RegistryConfig;
  /** Build secrets by id, for RUN --mount=type=secret: handed over through the BuildKit session only, never logged. */
  secrets?: BuildSecrets;
  log: (line: string) => void;
}

const SENT_AS = { uid: 0, gid: 0, uname: '', gname: '', mtime: CONTEXT_MTIME };

/** Where the pinned Dockerfile goes inside the context; .dockerignore cannot drop it. */
const DOCKERFILE_ENTRY = '.imagewise.Dockerfile';

class BuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildError';
  }
}

/** Builds through the Engine API; resolves to the image ID, rejects with the failing step. */
export async function buildImage(docker: Docker, options: BuildImageOptions): Promise<string> {
  // The plan refuses this first; a secret must never fall back to something that stores it.
  if (options.builder !== 'buildkit' && options.secrets?.size) throw new BuildError('the classic builder cannot take secrets; build with BuildKit');
  const sent = new Map(options.contextEntries.map((entry) => [entry.path, entry]));
  const nameOf = (path: string) => relative(options.contextDir, path).split(sep).join('/');
  const context = pack(options.contextDir, {
    ignore: (path) => {
      const name = nameOf(path);
      return name !== '' && !sent.has(name);
    },
    // Owner, mode and time as every runner would send them (see listBuildContext).
    map: (header) => {
      const entry = sent.get(header.name);
      return { ...header, ...SENT_AS, ...(entry ? { mode: normalisedMode(entry) } : {}) };
    },
    finalize: false,
    finish: (archive) => {
      archive.entry({ name: DOCKERFILE_ENTRY, mode: 0o644, ...SENT_AS }, options.dockerfileText);
      for (const file of options.stagedFiles ?? []) archive.entry({ name: file.name, mode: 0o644, ...SENT_AS }, readFileSync(file.path));
      archive.finalize();
    },
  });
  const buildkit = options.builder === 'buildkit';
  const query: Record<string, string | Record<string, string> | undefined> = {
    t: options.tag,
    dockerfile: DOCKERFILE_ENTRY,
    buildargs: options.buildArgs,
    labels: options.labels,
    target: options.target,
    platform: options.platform,
    networkmode: options.network,
    cachefrom: JSON.stringify(options.cacheFrom),
    ...(options.noCache ? { nocache: 'true' } : {}),
    ...(options.pull ? { pull: 'true' } : {}),
    // "2" selects BuildKit inside the daemon (dockerd 20.10 has it built in).
    version: buildkit ? '2' : '1',
  };
  // Credentials go in a header or the session, never in the query string.
  const session = buildkit ? await openBuildSession(docker, options.registryConfig ?? {}, options.secrets) : undefined;
  try {
    const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) => {
      docker.modem.dial(
        {
          path: '/build?',
          method: 'POST',
          file: context,
          options: { ...query, ...(session ? { session: session.id } : {}) },
          registryconfig: buildkit ? undefined : classicRegistryConfig(options.registryConfig ?? {}),
          isStream: true,
          statusCodes: { 200: true, 500: 'server error' },
        },
        (error, data) => (error ? reject(error) : resolve(data as NodeJS.ReadableStream)),
      );
    });
    return await followBuild(docker, stream, options.log);
  } finally {
    session?.close();
  }
}

async function followBuild(docker: Docker, stream: NodeJS.ReadableStream, log: (line: string) => void): Promise<string> {
  const progress = new BuildProgress(log);
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null) => (error ? reject(error) : resolve()),
      (message: Parameters<BuildProgress['handle']>[0]) => progress.handle(message),
    );
  });
  if (progress.error || !progress.imageId) throw new BuildError(progress.failure());
  return progress.imageId;
}

/**
 * Whether the daemon offers BuildKit (dockerd 18.09+ on Linux). Podman's
 * Docker-compatible API reports a recent API version too, but builds with
 * Buildah and has no /session: it gets the classic path.
 */
export async function daemonHasBuildKit(docker: Docker): Promise<boolean> {
  const version = await docker.version();
  if (isPodman(version)) return false;
  const [major, minor] = version.ApiVersion.split('.').map(Number);
  return version.Os === 'linux' && (major > 1 || minor >= 39);
}

/** Podman names itself among the version's components ("Podman Engine"). */
function isPodman(version: { Components?: Array<{ Name?: string }> }): boolean {
  return (version.Components ?? []).some((component) => /^podman/i.test(component.Name ?? ''));
}
