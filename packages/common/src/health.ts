import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Passes when it returns or resolves; fails when it throws, rejects or exceeds the timeout. */
export type HealthCheck = (signal: AbortSignal) => unknown;

export type HealthStatus = 'ok' | 'fail';

export interface CheckResult {
  status: HealthStatus;
  durationMs: number;
  error?: string;
}

export interface HealthReport {
  status: HealthStatus;
  service?: string;
  version?: string;
  checks: Record<string, CheckResult>;
}

export interface HealthOptions {
  service?: string;
  version?: string;
  checks?: Record<string, HealthCheck>;
  /** Per-check budget in milliseconds; defaults to 2000. */
  timeoutMs?: number;
}

export interface HealthServerOptions extends HealthOptions {
  port: number;
  host?: string;
}

export interface HealthServer {
  readonly server: Server;
  /** Resolves with the bound address, so `port: 0` reveals the port picked. */
  listen(): Promise<AddressInfo>;
  /** Stops accepting connections and resolves once open ones have finished. */
  close(): Promise<void>;
}

const HEALTH_PATHS = new Set(['/health', '/healthz']);

/** Runs every check in parallel; never rejects. */
export async function runHealthChecks(options: HealthOptions): Promise<HealthReport> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const entries = await Promise.all(Object.entries(options.checks ?? {}).map(async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const));
  const checks = Object.fromEntries(entries);
  const status = entries.every(([, result]) => result.status === 'ok') ? 'ok' : 'fail';
  return { status, service: options.service, version: options.version, checks };
}

async function runCheck(check: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`timed out after ${timeoutMs}ms`);
      // Lets a well-behaved check stop its own work (e.g. pass the signal to fetch).
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    // Promise.resolve().then turns a synchronous throw into a rejection.
    await Promise.race([Promise.resolve().then(() => check(controller.signal)), timeout]);
    return { status: 'ok', durationMs: elapsed(started) };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return { status: 'fail', durationMs: elapsed(started), error };
  } finally {
    clearTimeout(timer);
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/** A node:http request listener answering GET/HEAD /health and /healthz; anything else is 404. */
export function healthHandler(options: HealthOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!HEALTH_PATHS.has(path)) return send(res, 404, { error: 'not found' });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, { error: 'method not allowed' });
    }
    void runHealthChecks(options).then((report) => send(res, report.status === 'ok' ? 200 : 503, report));
  };
}

function send(res: ServerResponse, statusCode: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(statusCode, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    // Probes must see the current state, never a proxy's copy.
    'cache-control': 'no-store',
  });
  // For HEAD, node drops the body but keeps the headers.
  res.end(payload);
}

export function createHealthServer(options: HealthServerOptions): HealthServer {
  const server = createServer(healthHandler(options));
  return {
    server,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    close: () =>
      new Promise((resolve, reject) => {
        if (!server.listening) return resolve();
        server.close((err) => (err ? reject(err) : resolve()));
        // Node 18's close() leaves idle keep-alive sockets open and waits on them (Node 19+ closes them itself).
        server.closeIdleConnections();
      }),
  };
}
