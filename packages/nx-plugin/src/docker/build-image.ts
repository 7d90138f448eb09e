import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import dockerignore from '@balena/dockerignore';
import type Docker from 'dockerode';
import { pack } from 'tar-fs';
import { BuildProgress } from './build-progress';

export interface BuildImageOptions {
  contextDir: string;
  /** The Dockerfile to build with (bases already pinned); sent inside the context. */
  dockerfileText: string;
  dockerignoreText?: string;
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
  log: (line: string) => void;
}

/** Where the pinned Dockerfile goes inside the context; .dockerignore cannot drop it. */
const DOCKERFILE_ENTRY = '.imagewise.Dockerfile';

export class BuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildError';
  }
}

/** Builds through the Engine API; resolves to the image ID, rejects with the failing step. */
export async function buildImage(docker: Docker, options: BuildImageOptions): Promise<string> {
  const ignore = dockerignore().add(options.dockerignoreText ?? '');
  const context = pack(options.contextDir, {
    ignore: (path) => {
      const name = relative(options.contextDir, path);
      return name !== '' && ignore.ignores(name);
    },
    finalize: false,
    finish: (archive) => {
      archive.entry({ name: DOCKERFILE_ENTRY }, options.dockerfileText);
      for (const file of options.stagedFiles ?? []) archive.entry({ name: file.name }, readFileSync(file.path));
      archive.finalize();
    },
  });
  const stream = await docker.buildImage(context, {
    t: options.tag,
    dockerfile: DOCKERFILE_ENTRY,
    buildargs: options.buildArgs,
    labels: options.labels,
    target: options.target,
    platform: options.platform,
    networkmode: options.network,
    cachefrom: JSON.stringify(options.cacheFrom),
    // "2" selects BuildKit inside the daemon (dockerd 20.10 has it built in).
    version: options.builder === 'buildkit' ? '2' : '1',
  } as Docker.ImageBuildOptions);
  const progress = new BuildProgress(options.log);
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

/** Whether the daemon offers BuildKit (dockerd 18.09+ on Linux). */
export async function daemonHasBuildKit(docker: Docker): Promise<boolean> {
  const version = await docker.version();
  const [major, minor] = version.ApiVersion.split('.').map(Number);
  return version.Os === 'linux' && (major > 1 || minor >= 39);
}
