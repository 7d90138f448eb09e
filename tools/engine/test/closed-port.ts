import { connect } from 'node:net';

/**
 * Ports below the kernel's ephemeral range (32768–60999 on Linux), so no
 * other test's `listen(0)` can take one between our choosing it and a client
 * connecting; and none on fetch's list of blocked ports, so a refusal is what
 * every client sees. A port taken from `listen(0)` and closed again was taken
 * by a concurrent test's server on a loaded runner, and "unreachable" answered.
 */
const CANDIDATES = [10, 12, 14, 16];

/** A loopback port nothing listens on: checked refused before it is handed out. */
export async function closedPort(): Promise<number> {
  for (const port of CANDIDATES) if (await refused(port)) return port;
  throw new Error(`every one of loopback ports ${CANDIDATES.join(', ')} accepts connections: a test needs one that refuses; stop what listens there`);
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}
