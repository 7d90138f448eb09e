#!/usr/bin/env node
// Faults injected into real docker:build runs, then a look for partial tags.
//
//   source /var/lib/imagewise-engine/env   # tools/engine running
//   npx nx run nx-plugin:pack && node tools/probes/build-faults.mjs [--faults 25] [--seed 1]
//
// A temporary workspace (the packed plugin npm-installed) holds a base image
// FROM debian:bookworm-slim and a service FROM it, each with a few MiB of
// random bytes, so that every build has layers to push. The registry is a
// docker-registry (distribution 2.8) this script starts on its own port and
// storage, so that it can stop it; the plugin and the engine reach it only
// through a TCP proxy in this process. The engine is tools/engine's (used,
// never started or stopped here). The faults, seeded, in turn:
//
//   push-cut       new content; the proxy cuts the traffic after a random
//                  number of bytes of what a clean build sends (one connection,
//                  or that one and every later one until the fault ends)
//   reuse-cut      nothing changed, so the run checks and reuses what the
//                  registry holds; the proxy cuts after a random number of bytes of that
//   sigint/sigkill nx (its whole process group) interrupted at a random moment of a build
//   registry-stop  the registry killed (SIGKILL) at a random moment of a build, started again after
//
// After each fault: every tag of both repositories in the registry names a
// manifest whose blobs all answer HEAD (a pullable image); a content tag
// c-<identity> names an image whose dev.imagewise.content-identity label is
// that identity, and so does every such tag in the engine; every other tag
// names an image whose content tag is there too. Then a clean re-run (the
// proxy passing everything) must succeed, and the same checks hold, and the
// digest its metadata.json reports is what the content tag names.
//
// Plain .mjs, like tools/bench: a script run with `node`, no build step.
// Not part of `npm test`: it takes minutes and the shared engine. The parts:
// lib/fault-network.mjs (the registry and the cutting proxy), lib/fault-checks.mjs
// (the tag checks), lib/fault-run.mjs (the run); this file prints the tables.
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { flag, markdownTable, reportFailures } from './lib/common.mjs';
import { KINDS, probeBuildFaults } from './lib/fault-run.mjs';

export { probeBuildFaults };

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const faults = Number(flag('faults', '25'));
  const seed = Number(flag('seed', '1'));
  const started = Date.now();
  const summary = await probeBuildFaults({ faults, seed, log: (line) => process.stderr.write(`${line}\n`) });
  const { results, failures } = summary;
  console.log(`build-faults: seed ${seed}, ${faults} faults, ${cpus().length} cores, ${Math.round((Date.now() - started) / 1000)} s`);
  console.log(
    `clean build ${Math.round(summary.buildMs)} ms from the first docker:build (${summary.pushBytes} bytes via the proxy), clean reuse ${Math.round(summary.reuseMs)} ms (${summary.reuseBytes} bytes)`,
  );
  console.log(`registry tags checked: ${summary.tagsChecked}; engine tags checked: ${summary.engineTagsChecked}\n`);
  const byKind = KINDS.map((kind) => {
    const rows = results.filter((row) => row.kind === kind);
    return [
      kind,
      rows.length,
      rows.filter((row) => row.exit !== 0).length,
      rows.filter((row) => row.tagsOk).length,
      rows.filter((row) => row.rerun).length,
      rows.filter((row) => row.engineStaging > 0).length,
      Math.max(0, ...rows.map((row) => Number(row.faultSeconds))),
    ];
  });
  console.log(
    markdownTable(['fault', 'injected', 'nx failed', 'all tags whole after', 'clean re-run ok', 'engine kept a staging tag', 'slowest fault run (s)'], byKind),
  );
  console.log('');
  console.log(
    markdownTable(
      ['#', 'fault', 'what', 'nx exit (s)', 'why, as nx said', 'tags whole', 'engine staging tag', 'clean re-run', 'total s'],
      results.map((row) => [
        row.fault,
        row.kind,
        row.detail,
        `${row.exit} (${row.faultSeconds})`,
        row.why.replaceAll('|', '/'),
        row.tagsOk,
        row.engineStaging,
        row.rerun,
        row.seconds,
      ]),
    ),
  );
  reportFailures(failures, { allHeld: 'every check held' });
}
