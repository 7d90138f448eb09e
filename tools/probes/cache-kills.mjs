#!/usr/bin/env node
// kill -9 of the cache server during concurrent PUTs, round after round, then
// every entry read back and compared byte for byte with what was sent.
//
//   npx nx run @imagewise/cache-server:build && node tools/probes/cache-kills.mjs [--rounds 20] [--concurrency 8] [--seed 1]
//
// Reuses the cache server's own e2e machinery (packages/cache-server/e2e/
// server-process.ts: the built bin as a child process, started on a free port
// and killed with SIGKILL; src/http.test-helpers.ts: raw PUT and GET), loaded
// through @swc-node/register, which this script turns on for itself.
//
// Each round starts the server on the same storage directory, starts
// `concurrency` PUTs of seeded random entries (1 byte to 1 MiB; some retry an
// entry an earlier kill lost, as Nx's next run would), kills the server with
// SIGKILL at a random moment, and starts it again. Then, for every entry ever
// sent: one whose PUT was answered 200 or 409 must read back byte for byte;
// one whose PUT was cut must read back byte for byte or be absent (404),
// never partial; the temporary directory must be empty after the start.
//
// Plain .mjs, like tools/bench: a script run with `node`. Not part of `npm
// test`: packages/cache-server/e2e/crash.spec.ts is the test; this is the
// same fault, repeated with real entries and counted.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flag, markdownTable, reportFailures, seededRandom, sleep } from './lib/common.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
if (!process.env.IMAGEWISE_PROBES_TS) {
  // Again, with TypeScript loading on (the e2e helpers are .ts) and this directory's tsconfig.
  const run = spawnSync(process.execPath, ['--import', '@swc-node/register/esm-register', fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    cwd: HERE,
    stdio: 'inherit',
    env: { ...process.env, IMAGEWISE_PROBES_TS: '1', SWC_NODE_PROJECT: join(HERE, 'tsconfig.json') },
  });
  process.exit(run.status ?? 1);
}
const { startServerProcess } = await import('../../packages/cache-server/e2e/server-process.ts');
const { get, put } = await import('../../packages/cache-server/src/http.test-helpers.ts');

const TOKEN = 'probes-read-write-token';

export async function probeCacheKills({ rounds = 20, concurrency = 8, seed = 1, log = () => undefined } = {}) {
  const random = seededRandom(seed);
  const root = mkdtempSync(join(tmpdir(), 'imagewise-probes-cache-'));
  const args = ['--storage', root, '--token', TOKEN];
  /** hash -> { bytes, acknowledged } */
  const sent = new Map();
  const counts = { puts: 0, acknowledged: 0, cut: 0, cutButStored: 0, cutAbsent: 0, checked: 0, mismatched: 0, temporaryLeft: 0, roundsWithKillMidUpload: 0 };
  const failures = [];
  let next = 1;
  const verify = async (server, label) => {
    const temporary = readdirSync(join(root, 'tmp'));
    if (temporary.length) {
      counts.temporaryLeft += temporary.length;
      failures.push(`${label}: ${temporary.length} temporary file(s) after the start`);
    }
    for (const [hash, entry] of sent) {
      const reply = await get(server.url, hash, TOKEN);
      counts.checked++;
      if (reply.status === 200 && reply.body.equals(entry.bytes)) {
        if (!entry.acknowledged && !entry.counted) counts.cutButStored++;
        entry.counted = true;
        continue;
      }
      if (reply.status === 404 && !entry.acknowledged) continue;
      counts.mismatched++;
      failures.push(
        `${label}: entry ${hash} (${entry.bytes.length} bytes, ${entry.acknowledged ? 'acknowledged' : 'cut'}) reads back ${reply.status} with ${reply.body.length} bytes`,
      );
    }
  };
  try {
    for (let round = 1; round <= rounds; round++) {
      const server = await startServerProcess(args);
      await verify(server, `round ${round}, at the start`);
      const lost = [...sent].filter(([, entry]) => !entry.acknowledged && !entry.counted).map(([hash]) => hash);
      const uploads = [];
      for (let i = 0; i < concurrency; i++) {
        // Now and then, the retry of an entry a kill lost: the same hash, the same bytes.
        const retry = lost.length && random.next() < 0.25 ? lost.splice(random.int(0, lost.length - 1), 1)[0] : undefined;
        const hash = retry ?? String(next++);
        if (!retry) sent.set(hash, { bytes: random.bytes(random.next() < 0.2 ? random.int(1, 1024) : random.int(1024, 1024 * 1024)), acknowledged: false });
        const entry = sent.get(hash);
        counts.puts++;
        uploads.push(
          put(server.url, hash, entry.bytes, TOKEN).then(
            (reply) => {
              if (reply.status === 200 || reply.status === 409) entry.acknowledged = true;
              else failures.push(`round ${round}: PUT ${hash} answered ${reply.status}`);
            },
            () => undefined,
          ),
        );
      }
      await sleep(random.int(0, 120));
      const midUpload = readdirSync(join(root, 'tmp')).length > 0;
      if (midUpload) counts.roundsWithKillMidUpload++;
      await server.kill();
      await Promise.all(uploads);
      log(
        `round ${round}: killed ${midUpload ? 'with uploads under way' : 'between uploads'}; ${[...sent.values()].filter((entry) => entry.acknowledged).length}/${sent.size} entries acknowledged so far`,
      );
    }
    const server = await startServerProcess(args);
    try {
      await verify(server, 'after the last restart');
    } finally {
      await server.stop();
    }
    counts.acknowledged = [...sent.values()].filter((entry) => entry.acknowledged).length;
    counts.cut = sent.size - counts.acknowledged;
    counts.cutAbsent = [...sent.values()].filter((entry) => !entry.acknowledged && !entry.counted).length;
    return { counts, failures, entries: sent.size, bytes: [...sent.values()].reduce((sum, entry) => sum + entry.bytes.length, 0) };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rounds = Number(flag('rounds', '20'));
  const concurrency = Number(flag('concurrency', '8'));
  const seed = Number(flag('seed', '1'));
  const started = Date.now();
  const { counts, failures, entries, bytes } = await probeCacheKills({ rounds, concurrency, seed, log: (line) => process.stderr.write(`${line}\n`) });
  console.log(
    `cache-kills: seed ${seed}, ${rounds} rounds of ${concurrency} concurrent PUTs, ${cpus().length} cores, ${Math.round((Date.now() - started) / 1000)} s\n`,
  );
  console.log(
    markdownTable(
      [
        'kills',
        'kills with uploads under way',
        'PUTs',
        'distinct entries (MiB)',
        'acknowledged',
        'cut by the kill',
        'cut, yet stored whole',
        'cut and absent',
        'read-backs compared',
        'mismatched or partial',
        'temporary files left',
      ],
      [
        [
          rounds,
          counts.roundsWithKillMidUpload,
          counts.puts,
          `${entries} (${(bytes / 1024 / 1024).toFixed(0)})`,
          counts.acknowledged,
          counts.cut,
          counts.cutButStored,
          counts.cutAbsent,
          counts.checked,
          counts.mismatched,
          counts.temporaryLeft,
        ],
      ],
    ),
  );
  reportFailures(failures, { allHeld: 'every entry read back whole or not at all', limit: 50 });
}
