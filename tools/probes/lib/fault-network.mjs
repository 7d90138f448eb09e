// The network build-faults.mjs cuts: a throwaway docker-registry of its own
// (so that it can kill it) and the TCP proxy through which the plugin and the
// engine reach it (so that it can cut the traffic).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { sleep } from './common.mjs';

const REGISTRY_BIN = process.env.IMAGEWISE_REGISTRY_BIN || '/usr/bin/docker-registry';

export async function freePort() {
  const server = createServer();
  await new Promise((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address();
  await new Promise((closed) => server.close(closed));
  return port;
}

/** A docker-registry of our own: started, killed and started again on the same storage and port. */
export class Registry {
  constructor(dir, port) {
    this.dir = dir;
    this.port = port;
    mkdirSync(join(dir, 'storage'), { recursive: true });
    writeFileSync(
      join(dir, 'config.yml'),
      `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/storage\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n`,
    );
  }

  async start() {
    this.child = spawn(REGISTRY_BIN, ['serve', join(this.dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'ignore'] });
    for (let i = 0; i < 100; i++) {
      if (this.child.exitCode !== null) throw new Error(`docker-registry exited ${this.child.exitCode}`);
      try {
        if ((await fetch(`http://127.0.0.1:${this.port}/v2/`)).ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error('docker-registry did not answer');
  }

  async kill(signal = 'SIGKILL') {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise((exited) => {
      child.once('exit', exited);
      child.kill(signal);
    });
  }
}

/**
 * A TCP proxy to the registry that counts the bytes it forwards (both ways)
 * and, when armed, cuts the connection that crosses the budget; with `all`,
 * it also refuses every later connection until disarmed.
 */
export class CuttingProxy {
  constructor(upstreamPort) {
    this.upstreamPort = upstreamPort;
    this.sockets = new Set();
    this.disarm();
    this.server = createServer((client) => this.connect(client));
  }

  async listen() {
    await new Promise((listening) => this.server.listen(0, '127.0.0.1', listening));
    return this.server.address().port;
  }

  arm(after, all) {
    Object.assign(this, { bytes: 0, budget: after, all, cut: false, refusing: false });
  }

  disarm() {
    Object.assign(this, { bytes: 0, budget: Infinity, all: false, cut: false, refusing: false });
  }

  /** Resolves at the next connection: the first one after Nx starts is docker:build's executor asking the registry. */
  nextConnection() {
    return new Promise((done) => (this.onConnection = done));
  }

  connect(client) {
    this.onConnection?.(performance.now());
    this.onConnection = undefined;
    if (this.refusing) return client.resetAndDestroy();
    const upstream = connect(this.upstreamPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    const forward = (from, to) =>
      from.on('data', (chunk) => {
        if (this.cut && this.all) return;
        const left = this.budget - this.bytes;
        if (chunk.length >= left) {
          if (left > 0) to.write(chunk.subarray(0, left));
          this.bytes += Math.max(0, left);
          this.cut = true;
          this.refusing = this.all;
          // One connection cut: the ones after it pass, as after a network blip.
          if (!this.all) this.budget = Infinity;
          client.resetAndDestroy();
          upstream.resetAndDestroy();
          return;
        }
        this.bytes += chunk.length;
        to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  async close() {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((closed) => this.server.close(closed));
  }
}
