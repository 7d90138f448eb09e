import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

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

/**
 * Credentials for a registry host from ~/.docker/config.json (or $DOCKER_CONFIG):
 * `auths` entries and credential helpers, as the docker CLI reads them.
 * Undefined when none are configured. Never logs them.
 */
export function registryAuth(host: string, env: NodeJS.ProcessEnv = process.env): RegistryAuth | undefined {
  const config = readDockerConfig(env);
  if (!config) return undefined;
  const helper = config.credHelpers?.[host] ?? config.credsStore;
  if (helper) {
    const fromHelper = fromCredentialHelper(helper, host);
    if (fromHelper) return fromHelper;
  }
  const entry = config.auths?.[host] ?? config.auths?.[`https://${host}`] ?? config.auths?.[`http://${host}`];
  if (!entry) return undefined;
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress: host };
  }
  if (entry.username && entry.password) return { username: entry.username, password: entry.password, serveraddress: host };
  return undefined;
}

function readDockerConfig(env: NodeJS.ProcessEnv): DockerConfig | undefined {
  const path = join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as DockerConfig;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${path} is not valid JSON (${(error as Error).message}); fix it so registry credentials can be read`);
  }
}

function fromCredentialHelper(helper: string, host: string): RegistryAuth | undefined {
  try {
    const output = execFileSync(`docker-credential-${helper}`, ['get'], { input: host, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
    const { Username, Secret } = JSON.parse(output) as { Username: string; Secret: string };
    return { username: Username, password: Secret, serveraddress: host };
  } catch {
    // The helper has nothing for this host (or is not installed): like the CLI, go on without.
    return undefined;
  }
}
