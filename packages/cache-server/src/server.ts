import type { Logger } from '@imagewise/common';
import { healthHandler } from '@imagewise/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Access, Authorizer } from './auth.js';
import { closeIfBodyUnread } from './connection.js';
import { entryHashOf, isValidHash } from './hash.js';
import type { Metrics } from './metrics.js';
import type { CacheStorage } from './storage/storage.js';
import { VERSION } from './version.js';

export interface CacheHandlerOptions {
  storage: CacheStorage;
  authorize: Authorizer;
  maxEntryBytes: number;
  metrics: Metrics;
  logger: Logger;
}

/** What one request did, for its log line. */
interface Outcome {
  status: number;
  result: string;
  size?: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** The request listener: Nx's `/v1/cache/{hash}` API, `/health` and `/metrics`. */
export function createCacheHandler(options: CacheHandlerOptions): Handler {
  const { metrics, logger } = options;
  const health = healthHandler({ service: 'imagewise-cache-server', version: VERSION, checks: { storage: () => options.storage.check() } });
  return (req, res) => {
    const started = performance.now();
    // The raw path: URL parsing would resolve `..` segments before the hash is checked.
    const pathname = (req.url ?? '/').split('?')[0]!;
    const hash = entryHashOf(pathname);
    if (hash === undefined) {
      // None of these reads a body.
      closeIfBodyUnread(req, res);
      if (pathname === '/health' || pathname === '/healthz') return health(req, res);
      if (pathname === '/metrics') return sendMetrics(req, res, metrics);
      return sendText(res, 404, 'not found: this server answers /v1/cache/{hash}, /health and /metrics\n');
    }
    handleEntry(req, res, hash, options).then(
      (outcome) => finish(outcome),
      (error: unknown) => {
        if (clientWentAway(req)) {
          // Mid-transfer: nothing was stored, nothing is wrong here.
          return finish({ status: 499, result: 'client-closed' });
        }
        // Storage failures: the client sees a plain 5xx, the log has the cause.
        logger.error('request failed', { method: req.method, hash: safeHash(hash), err: error });
        const full = isStorageFull(error);
        const status = full ? 507 : 500;
        if (res.headersSent) res.destroy();
        else {
          // What is left of an upload is not read: the server would only throw it away.
          closeIfBodyUnread(req, res);
          sendText(
            res,
            status,
            full ? 'insufficient storage: the cache storage is full, nothing was stored\n' : 'internal error: the cache storage failed, see the server log\n',
          );
        }
        finish({ status, result: full ? 'storage-full' : 'error' });
      },
    );

    function finish(outcome: Outcome): void {
      metrics.countRequest(req.method ?? '', outcome.status);
      logger.info('request', {
        method: req.method,
        hash: safeHash(hash!),
        status: outcome.status,
        result: outcome.result,
        size: outcome.size,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      });
    }
  };
}

async function handleEntry(req: IncomingMessage, res: ServerResponse, hash: string, options: CacheHandlerOptions): Promise<Outcome> {
  const access = options.authorize(req.headers.authorization);
  if (!access) {
    res.setHeader('www-authenticate', 'Bearer');
    refuse(req, res, 401, 'unauthorized: send Authorization: Bearer <token> (NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN)\n');
    return { status: 401, result: 'unauthorized' };
  }
  if (!isValidHash(hash)) {
    refuse(req, res, 400, 'bad hash: expected 1 to 128 letters and digits\n');
    return { status: 400, result: 'bad-hash' };
  }
  if (req.method === 'GET') return getEntry(res, hash, options);
  if (req.method === 'PUT') return putEntry(req, res, hash, access, options);
  res.setHeader('allow', 'GET, PUT');
  refuse(req, res, 405, 'method not allowed: use GET or PUT\n');
  return { status: 405, result: 'bad-method' };
}

async function getEntry(res: ServerResponse, hash: string, { storage, metrics }: CacheHandlerOptions): Promise<Outcome> {
  const entry = await storage.get(hash);
  if (!entry) {
    metrics.misses.value++;
    sendText(res, 404, 'not found\n');
    return { status: 404, result: 'miss' };
  }
  metrics.hits.value++;
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': entry.size });
  await pipeline(entry.body, res);
  metrics.bytesOut.value += entry.size;
  return { status: 200, result: 'hit', size: entry.size };
}

async function putEntry(req: IncomingMessage, res: ServerResponse, hash: string, access: Access, options: CacheHandlerOptions): Promise<Outcome> {
  const { storage, metrics, maxEntryBytes } = options;
  const declared = req.headers['content-length'];
  const size = declared === undefined ? undefined : Number(declared);
  if (access === 'read-only') {
    // Nx counts 403 as "not stored" and goes on, once it reads it: a client
    // still sending when the connection closes gets a reset instead, retries
    // and fails the task (Nx 23 with a 40 MB output did). So the body is read
    // and dropped first, as for 409: the token is ours, the body within
    // --max-entry-size; a larger or unbounded one is refused unread.
    if (size !== undefined && size <= maxEntryBytes) await drain(req);
    refuse(req, res, 403, 'forbidden: this token may only read\n');
    return { status: 403, result: 'read-only', size };
  }
  if (size === undefined) {
    refuse(req, res, 411, 'length required: send Content-Length\n');
    return { status: 411, result: 'no-length' };
  }
  if (size > maxEntryBytes) {
    refuse(req, res, 413, `entry too large: ${size} bytes, over this server's limit of ${maxEntryBytes} bytes (--max-entry-size)\n`);
    return { status: 413, result: 'too-large', size };
  }
  // Entries are immutable; an existing one answers 409, which Nx takes as success.
  const result = (await storage.has(hash)) ? 'exists' : await storage.put(hash, req, size);
  // Read to its end even for 409, Nx's success: a client still sending when the
  // connection closes may see the close rather than the answer. It is a
  // read-write client's body, and at most --max-entry-size.
  await drain(req);
  if (result === 'exists') {
    sendText(res, 409, 'exists: entries are immutable\n');
    return { status: 409, result: 'exists', size };
  }
  metrics.stored.value++;
  metrics.bytesIn.value += size;
  // 200, not 201 or 202: Nx takes anything else as a failed store and retries.
  sendText(res, 200, 'stored\n');
  return { status: 200, result: 'stored', size };
}

function sendMetrics(req: IncomingMessage, res: ServerResponse, metrics: Metrics): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendText(res, 405, 'method not allowed\n');
  }
  const text = metrics.render();
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** An answer that needs no body, sent without reading what is left of it (see connection.ts). */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, text: string): void {
  closeIfBodyUnread(req, res);
  sendText(res, status, text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Reads and discards what is left of the request body, so the client has sent
 * everything before it reads the answer (an early answer can reach it as a
 * broken connection instead).
 */
function drain(req: IncomingMessage): Promise<void> {
  if (req.complete) return Promise.resolve();
  return new Promise((resolve) => {
    req.once('end', resolve);
    req.once('close', resolve);
    req.resume();
  });
}

/** The client closed the connection (or it broke) before its request was answered. */
function clientWentAway(req: IncomingMessage): boolean {
  // Once a connection breaks, Node may have taken the socket off the request already.
  return req.socket?.destroyed ?? true;
}

/** A full disk or an exhausted quota: 507, so the client can tell it from a broken storage. */
function isStorageFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** Invalid hashes are logged only as far as they are harmless to print. */
function safeHash(hash: string): string {
  return isValidHash(hash) ? hash : JSON.stringify(hash.slice(0, 140));
}
