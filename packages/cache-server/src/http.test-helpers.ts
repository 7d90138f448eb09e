// Raw HTTP for tests: unlike fetch, node:http sends the path exactly as
// written (`/v1/cache/../x` stays unnormalised), like a hostile client would.
import { request as httpRequest } from 'node:http';

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
