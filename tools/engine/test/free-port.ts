import { createServer } from 'node:net';

/**
 * A loopback port free a moment ago, for a server the test starts at once.
 * Not for "nothing listens here": another test may take it meanwhile (closed-port.ts).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
