import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseJson } from '../library/json-text';

/** Credentials for one registry, as the Engine API's X-Registry-Auth wants them. */
export interface RegistryAuth {
  username: string;
  password: string;
  serveraddress: string;
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** Where the docker CLI keeps Docker Hub credentials, whichever of its host names is asked for. */
const DOCKER_HUB_SERVER = 'https://index.docker.io/v1/';
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * Credentials for a registry host from ~/.docker/config.json (or $DOCKER_CONFIG):
 * `auths` entries and credential helpers, as the docker CLI reads them.
 * Undefined when none are configured. Never logs them.
 */
export function registryAuth(host: string, env: NodeJS.ProcessEnv = process.env): RegistryAuth | undefined {
  const path = dockerConfigPath(env);
  const config = readDockerConfig(path);
  if (!config) return undefined;
  // docker login stores Docker Hub under its v1 URL, and asks helpers by that URL too.
  const hub = DOCKER_HUB_HOSTS.has(host.toLowerCase());
  const hostname = hub ? 'index.docker.io' : host;
  const serverAddress = hub ? DOCKER_HUB_SERVER : host;
  const helper = config.credHelpers?.[hostname] ?? config.credHelpers?.[host] ?? config.credsStore;
  if (helper) {
    const fromHelper = fromCredentialHelper(helper, serverAddress);
    if (fromHelper) return { ...fromHelper, serveraddress: host };
  }
  const entry = authsEntry(config.auths ?? {}, serverAddress, hostname);
  if (!entry) return undefined;
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // The message names the file and host, never the value.
    if (colon < 0) throw new Error(`${path}: the auth for ${host} is not base64 of username:password; run docker login ${host} again`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress: host };
  }
  if (entry.username && entry.password) return { username: entry.username, password: entry.password, serveraddress: host };
  return undefined;
}

type AuthsEntry = NonNullable<DockerConfig['auths']>[string];

/** The `auths` key as written, else (like the CLI) any key that is the host with a scheme or a path. */
function authsEntry(auths: Record<string, AuthsEntry>, serverAddress: string, hostname: string): AuthsEntry | undefined {
  if (auths[serverAddress]) return auths[serverAddress];
  const key = Object.keys(auths).find((k) => keyHostname(k) === hostname.toLowerCase());
  return key === undefined ? undefined : auths[key];
}

function keyHostname(key: string): string {
  const hostname = key
    .replace(/^https?:\/\//i, '')
    .split('/')[0]
    .toLowerCase();
  return DOCKER_HUB_HOSTS.has(hostname) ? 'index.docker.io' : hostname;
}

function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  return join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
}

function readDockerConfig(path: string): DockerConfig | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${path} (${(error as Error).message}); registry credentials come from it`, { cause: error });
  }
  const parsed = parseJson(text);
  // What is wrong and where, never the text around it: this file holds secrets.
  if ('error' in parsed) throw new Error(`${path} is not valid JSON (${parsed.error} at line ${parsed.line}); fix it so registry credentials can be read`);
  return parsed.value as DockerConfig;
}

function fromCredentialHelper(helper: string, host: string): RegistryAuth | undefined {
  try {
    const output = execFileSync(`docker-credential-${helper}`, ['get'], { input: host, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
    const { Username, Secret } = JSON.parse(output) as { Username?: string; Secret?: string };
    return Secret ? { username: Username ?? '', password: Secret, serveraddress: host } : undefined;
  } catch {
    // The helper has nothing for this host (or is not installed): like the CLI, go on without.
    return undefined;
  }
}
