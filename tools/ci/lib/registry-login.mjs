// @ts-check
// Registry credentials from CI variables into the docker config file that the
// plugin reads (as `docker login` would write it), so the job's image needs no
// docker CLI. The values are never printed.
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The registry's host: what comes before the first `/` of `host[:port][/namespace]`. @param {string} registry */
export function registryHost(registry) {
  return registry.replace(/^[a-z]+:\/\//i, '').split('/')[0];
}

/**
 * The docker config with an `auths` entry for `host`, everything else kept.
 * @param {Record<string, unknown>} config
 * @param {string} host @param {string} username @param {string} password
 */
export function withRegistryAuth(config, host, username, password) {
  const auths = /** @type {Record<string, unknown>} */ (typeof config.auths === 'object' && config.auths ? config.auths : {});
  return { ...config, auths: { ...auths, [host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } } };
}

/**
 * Writes IMAGEWISE_REGISTRY_USER / IMAGEWISE_REGISTRY_PASSWORD for the host of
 * IMAGEWISE_REGISTRY into $DOCKER_CONFIG/config.json (~/.docker by default),
 * whole or not at all. Returns a line for the log, or undefined when there is nothing to do.
 * @param {Record<string, string | undefined>} env
 */
export function loginToRegistry(env) {
  const { IMAGEWISE_REGISTRY: registry, IMAGEWISE_REGISTRY_USER: user, IMAGEWISE_REGISTRY_PASSWORD: password } = env;
  if (!user && !password) return undefined;
  if (!registry || !user || !password) {
    throw new Error(
      'registry login needs IMAGEWISE_REGISTRY, IMAGEWISE_REGISTRY_USER and IMAGEWISE_REGISTRY_PASSWORD together; set the missing ones or unset both credentials',
    );
  }
  const dir = env.DOCKER_CONFIG || join(homedir(), '.docker');
  const path = join(dir, 'config.json');
  /** @type {Record<string, unknown>} */
  let config = {};
  try {
    config = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = /** @type {NodeJS.ErrnoException} */ (error).code;
    // Never JSON.parse's message, nor the error as a cause (printed, it shows that message): it can quote
    // the text around the fault, and this file holds secrets.
    // eslint-disable-next-line preserve-caught-error -- see above
    if (code !== 'ENOENT') throw new Error(`${path}: cannot read it as JSON (${code ?? 'not valid JSON'}); fix or remove it`);
  }
  const host = registryHost(registry);
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${path}.tmp`, `${JSON.stringify(withRegistryAuth(config, host, user, password), null, 2)}\n`, { mode: 0o600 });
  chmodSync(`${path}.tmp`, 0o600);
  renameSync(`${path}.tmp`, path);
  return `registry credentials for ${host} written to ${path}`;
}
