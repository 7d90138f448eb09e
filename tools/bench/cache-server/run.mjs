// Hit latency and throughput of @imagewise/cache-server (filesystem storage)
// for 1 KB, 1 MB and 50 MB entries at concurrency 1 and 16, next to a plain
// file copy of the same bytes at the same concurrency (the floor).
//
//   npx nx run @imagewise/cache-server:build && node tools/bench/cache-server/run.mjs [--quick]
//
// The server runs as its own process (dist/bin.js), the client here, on loopback.
// Every loop is bounded by a request count and a time cap.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../packages/cache-server/dist/bin.js', import.meta.url));
const TOKEN = 'bench-token';
const QUICK = process.argv.includes('--quick');
const CAP_MS = 60_000;
const SIZES = [
  { label: '1 KB', bytes: 1024, requests: QUICK ? 200 : 2000 },
  { label: '1 MB', bytes: 1024 ** 2, requests: QUICK ? 50 : 400 },
  { label: '50 MB', bytes: 50 * 1024 ** 2, requests: QUICK ? 8 : 48 },
];
const CONCURRENCY = [1, 16];

const work = mkdtempSync(join(tmpdir(), 'cache-server-bench-'));
const server = await startServer(join(work, 'storage'));
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
const rows = [];
try {
  for (const [index, size] of SIZES.entries()) {
    const hash = String(1000 + index);
    const data = randomBytes(size.bytes);
    await httpPut(hash, data);
    const source = join(work, `source-${hash}`);
    writeFileSync(source, data);
    for (const concurrency of CONCURRENCY) {
      // Warm-up: connections, page cache, JIT.
      await measure(Math.min(size.requests, 2 * concurrency), concurrency, () => httpGet(hash, size.bytes));
      const hit = await measure(size.requests, concurrency, () => httpGet(hash, size.bytes));
      const copy = await measure(size.requests, concurrency, (worker) => copyFile(source, join(work, `copy-${worker}`)));
      rows.push({ size: size.label, bytes: size.bytes, concurrency, hit, copy });
      process.stderr.write(`${size.label} x${concurrency}: hit p50 ${ms(hit.p50)} p95 ${ms(hit.p95)}; copy p50 ${ms(copy.p50)} p95 ${ms(copy.p95)}\n`);
    }
  }
} finally {
  agent.destroy();
  server.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}

console.log(
  '| entry | concurrency | requests | hit median (ms) | hit p95 (ms) | hits/s | hit MB/s | copy median (ms) | copy p95 (ms) | copies/s | copy MB/s |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const { size, bytes, concurrency, hit, copy } of rows) {
  const perSecond = (result) => result.count / (result.wallMs / 1000);
  const mbps = (result) => ((perSecond(result) * bytes) / 1024 ** 2).toFixed(bytes < 1024 ** 2 ? 2 : 0);
  console.log(
    `| ${size} | ${concurrency} | ${hit.count} | ${ms(hit.p50)} | ${ms(hit.p95)} | ${perSecond(hit).toFixed(0)} | ${mbps(hit)} | ${ms(copy.p50)} | ${ms(copy.p95)} | ${perSecond(copy).toFixed(0)} | ${mbps(copy)} |`,
  );
}

/** Runs `count` operations over `concurrency` workers; latency of each, and the wall time. */
async function measure(count, concurrency, operation) {
  const latencies = [];
  let started = 0;
  const begin = performance.now();
  const worker = async (id) => {
    while (started < count && performance.now() - begin < CAP_MS) {
      started++;
      const t0 = performance.now();
      await operation(id);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, id) => worker(id)));
  const wallMs = performance.now() - begin;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { count: latencies.length, wallMs, p50: at(0.5), p95: at(0.95) };
}

function httpGet(hash, expectedBytes) {
  return new Promise((resolve, reject) => {
    const req = request({ ...server.address, path: `/v1/cache/${hash}`, agent, headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
      let received = 0;
      res.on('data', (chunk) => (received += chunk.length));
      res.on('end', () =>
        res.statusCode === 200 && received === expectedBytes ? resolve() : reject(new Error(`GET ${hash}: ${res.statusCode}, ${received} bytes`)),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function httpPut(hash, data) {
  return new Promise((resolve, reject) => {
    const req = request(
      { ...server.address, path: `/v1/cache/${hash}`, method: 'PUT', agent, headers: { authorization: `Bearer ${TOKEN}`, 'content-length': data.length } },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`PUT ${hash}: ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

function startServer(storage) {
  const child = spawn(process.execPath, [BIN, '--port', '0', '--storage', storage, '--max-entry-size', '100MiB'], {
    // Request logging stays on, as in production; its lines are read and dropped.
    env: { ...process.env, IMAGEWISE_CACHE_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
    child.stdout.setEncoding('utf8');
    let buffered = '';
    let listening = false;
    child.stdout.on('data', (text) => {
      if (listening) return;
      buffered += text;
      const match = /"port":(\d+)/.exec(buffered);
      if (!match) return;
      listening = true;
      resolve(Object.assign(child, { address: { host: '127.0.0.1', port: Number(match[1]) } }));
    });
  });
}

function ms(value) {
  return value.toFixed(value < 10 ? 2 : 1);
}
