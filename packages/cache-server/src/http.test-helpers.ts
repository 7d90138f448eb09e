// Raw HTTP for tests: unlike fetch, node:http sends the path exactly as
// written (`/v1/cache/../x` stays unnormalised), like a hostile client would.
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { vi } from 'vitest';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface RequestOptions {
  method?: string;
  token?: string;
  body?: Buffer | string;
  headers?: Record<string, string>;
}

export function request(baseUrl: string, path: string, options: RequestOptions = {}): Promise<Reply> {
  const url = new URL(baseUrl);
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method: options.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export const put = (baseUrl: string, hash: string, body: Buffer | string, token?: string) =>
  request(baseUrl, `/v1/cache/${hash}`, { method: 'PUT', body, token });

export const get = (baseUrl: string, hash: string, token?: string) => request(baseUrl, `/v1/cache/${hash}`, { token });

export interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends a request's head and `body` (which may be less than its Content-Length
 * says: a body still arriving), then reads the answer until the server closes
 * the connection. Never ends its own side: only a server that closes resolves it.
 */
export function sendAndAwaitClose(baseUrl: string, head: string, body: Buffer = Buffer.alloc(0)): Promise<RawReply> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset after the answer (the server destroyed a socket with unread data) still counts as a close.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine)?.[1]);
      if (!status) return reject(new Error(`no answer before the connection closed: ${JSON.stringify(text.slice(0, 200))}`));
      const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status, headers, body: rest.join('\r\n\r\n') });
    });
    socket.write(head);
    if (body.length > 0) socket.write(body);
  });
}

/** The head of a PUT of `length` bytes. */
export function putHead(hash: string, length: number, token?: string): string {
  return `PUT /v1/cache/${hash} HTTP/1.1\r\nHost: cache\r\n${token === undefined ? '' : `Authorization: Bearer ${token}\r\n`}Content-Length: ${length}\r\n\r\n`;
}

/**
 * Resolves once `check` passes (returns anything but false, and throws
 * nothing): for what the server does on its own schedule, such as a log line,
 * a counter or a file. The minute only catches a hang; a busy runner is slow.
 */
export function settled(check: () => boolean | void | Promise<boolean | void>): Promise<void> {
  return vi.waitFor(
    async () => {
      if ((await check()) === false) throw new Error('the server has not got there yet');
    },
    { timeout: 60_000, interval: 10 },
  );
}
