// The bin killed with SIGKILL while uploads are under way, again and again, as
// a crash-looping container would be: each restart on the same directory serves,
// holds no partial entry, and leaves no temporary file behind.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { get, put, putHead, settled } from '../src/http.test-helpers.js';
import { startServerProcess } from './server-process.js';

const RW = 'crash-read-write-token';
const MiB = 1024 * 1024;

describe('kill -9 during PUTs', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cache-server-crash-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const temporaryFiles = () => readdirSync(join(root, 'tmp'));

  it('leaves, after each restart, the whole entries only and no temporary file', async () => {
    const args = ['--storage', root, '--token', RW];
    const setup = await startServerProcess(args);
    expect((await put(setup.url, '1', 'whole', RW)).status).toBe(200);
    await setup.stop();

    for (const round of [1, 2, 3]) {
      const server = await startServerProcess(args);
      expect(temporaryFiles(), `round ${round}: swept at start`).toEqual([]);
      // Three uploads, each half sent.
      const hashes = [`${round}01`, `${round}02`, `${round}03`];
      const clients = hashes.map((hash) => startUpload(server.url, hash));
      await settled(() => temporaryFiles().length === hashes.length);
      await server.kill();
      expect(temporaryFiles(), `round ${round}: what the kill left`).toHaveLength(hashes.length);
      for (const client of clients) client.destroy();
    }

    const server = await startServerProcess(args);
    try {
      expect(temporaryFiles()).toEqual([]);
      expect(readdirSync(join(root, 'entries'))).toEqual(['1']);
      expect((await get(server.url, '1', RW)).body.toString()).toBe('whole');
      expect((await get(server.url, '101', RW)).status).toBe(404);
      expect((await put(server.url, '101', randomBytes(MiB), RW)).status).toBe(200);
      expect(temporaryFiles()).toEqual([]);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});

/** A PUT of 1 MiB that sends half its body and then waits. */
function startUpload(url: string, hash: string): Socket {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => undefined);
  socket.write(putHead(hash, MiB, RW));
  socket.write(randomBytes(MiB / 2));
  return socket;
}
