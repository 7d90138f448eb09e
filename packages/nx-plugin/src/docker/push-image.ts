import type Docker from 'dockerode';
import type { RegistryAuth } from '../registry/credentials';

/** Pushes one tag; resolves to the manifest digest the registry stored. */
export async function pushImage(docker: Docker, repository: string, tag: string, auth: RegistryAuth | undefined, log: (line: string) => void): Promise<string> {
  // The Engine API's form: the repository in the path, the tag in the query. dockerd also
  // takes "repo:tag" in the path; Podman's compatible API appends the tag again.
  const stream = await docker.getImage(repository).push({ tag, authconfig: auth ?? {} });
  let digest: string | undefined;
  let failure: string | undefined;
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null) => (error ? reject(error) : resolve()),
      (message: { error?: string; errorDetail?: { message?: string }; aux?: { Digest?: string }; status?: string; id?: string }) => {
        if (message.error || message.errorDetail) failure = message.errorDetail?.message ?? message.error;
        if (message.aux?.Digest) digest = message.aux.Digest;
        // Podman's compatible API says it only in words, as the docker CLI prints it: "TAG: digest: sha256:… size: N".
        digest ??= message.status?.match(/^\S+: digest: (sha256:[0-9a-f]{64}) size: \d+$/)?.[1];
        if (message.status && !message.id) log(message.status);
      },
    );
  });
  // The message names the registry, never the credentials.
  if (failure) throw new Error(`push of ${repository}:${tag} failed: ${failure}`);
  if (!digest) throw new Error(`push of ${repository}:${tag} reported no digest`);
  return digest;
}
