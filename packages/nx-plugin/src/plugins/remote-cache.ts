import type { PreTasksExecution } from 'nx/src/devkit-exports';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { warn } from '../graph/report';
import { withoutCredentials } from '../registry/without-credentials';

/** Nx's own variables for a self-hosted remote cache (the HTTP API of @imagewise/cache-server). */
export const REMOTE_CACHE_SERVER = 'NX_SELF_HOSTED_REMOTE_CACHE_SERVER';
export const REMOTE_CACHE_TOKEN = 'NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN';
/** How long the probe waits for an answer, in milliseconds. */
export const PROBE_TIMEOUT = 'IMAGEWISE_REMOTE_CACHE_PROBE_TIMEOUT_MS';
const DEFAULT_PROBE_TIMEOUT_MS = 3000;

/** A hash Nx never asks for (its hashes are long decimal numbers): the probe is a plain miss. */
const PROBE_HASH = '0';

/**
 * Before Nx runs tasks: when a remote cache server is configured, ask it once
 * for an entry. If it cannot answer as Nx needs (no connection, a timeout, a
 * 5xx, a refused token), the run goes on with the local cache only and says so
 * once; otherwise Nx would fail the whole run on its first cache request.
 */
export const preTasksExecution: PreTasksExecution = async () => {
  const server = process.env[REMOTE_CACHE_SERVER];
  if (!server) return;
  const problem = await probeRemoteCache(server, process.env[REMOTE_CACHE_TOKEN], probeTimeoutMs(process.env[PROBE_TIMEOUT]));
  if (!problem) return;
  warn(`remote cache ${displayUrl(server)} ${problem}; this run uses the local cache only.`);
  // Nx carries a hook's assignments to process.env over to the run, but not
  // deletions; an empty value leaves the remote cache off.
  process.env[REMOTE_CACHE_SERVER] = '';
};

/** Why the server cannot serve this run, or undefined when it can. */
export async function probeRemoteCache(server: string, token: string | undefined, timeoutMs: number): Promise<string | undefined> {
  let url: URL;
  try {
    url = withoutCredentials(`${server.replace(/\/+$/, '')}/v1/cache/${PROBE_HASH}`);
  } catch {
    return `is not a URL (${REMOTE_CACHE_SERVER})`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `is not an http(s) URL (${REMOTE_CACHE_SERVER})`;
  let status: number;
  try {
    status = await statusOf(url, token, timeoutMs);
  } catch (error) {
    return `is unreachable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
  if (status === 200 || status === 404) return undefined;
  if (status === 401 || status === 403) return `refused the access token (HTTP ${status}; check ${REMOTE_CACHE_TOKEN})`;
  return `answered HTTP ${status}`;
}

/**
 * The status of a GET, its body left unread. node:http rather than fetch:
 * fetch refuses some ports outright (6000, 10080, …) that Nx's client uses fine.
 */
function statusOf(url: URL, token: string | undefined, timeoutMs: number): Promise<number> {
  const get = url.protocol === 'https:' ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const request = get(url, { headers: { accept: 'application/octet-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) } }, (response) => {
      response.destroy();
      resolve(response.statusCode ?? 0);
    });
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

function probeTimeoutMs(raw: string | undefined): number {
  if (!raw) return DEFAULT_PROBE_TIMEOUT_MS;
  const value = Number(raw);
  if (Number.isInteger(value) && value > 0) return value;
  warn(`${PROBE_TIMEOUT}=${JSON.stringify(raw)} is not a positive number of milliseconds; using ${DEFAULT_PROBE_TIMEOUT_MS}.`);
  return DEFAULT_PROBE_TIMEOUT_MS;
}

/** The server's address as printed: never with credentials. */
function displayUrl(server: string): string {
  try {
    return withoutCredentials(server).toString().replace(/\/$/, '');
  } catch {
    return JSON.stringify(server);
  }
}
