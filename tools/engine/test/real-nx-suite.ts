import { defineConfig } from 'vitest/config';

/**
 * Vitest settings of a suite that installs Nx and the packed plugin (in a hook or a global setup),
 * then runs real Nx (and Docker builds on tools/engine) in each case.
 *
 * The timeouts only catch a hang: a case that starts an engine and runs a pipeline
 * takes about a minute on a quiet 2-core machine and three times that on a busy
 * one (tools/ci's two-runner case went past 120 s beside the other targets), so
 * they sit at ten minutes, well inside CI's 90.
 *
 * Every Nx the cases run keeps its cache in its own checkout (CHECKOUT_NX_CACHE)
 * and, unless a case asks for Nx's default, loads plugins in its own process
 * (PLUGINS_IN_PROCESS).
 */
export function realNxSuite(include: string) {
  return defineConfig({
    test: { environment: 'node', include: [include], hookTimeout: 600_000, testTimeout: 600_000, env: { ...CHECKOUT_NX_CACHE, ...PLUGINS_IN_PROCESS } },
  });
}

/**
 * Nx's cache in each checkout's own `.nx/cache` (relative: resolved against
 * each workspace root), as on a fresh CI runner and as Nx up to 22 kept it.
 * From 23.2 Nx shares one cache per repository under `~/.nx/<id>`: clones of a
 * test's repository would take local cache hits from each other (a "fresh
 * runner" would not be fresh), every throwaway workspace would leave its
 * directory there, and each Nx process (the CLI and every plugin worker) asks
 * git for the repository's identity first.
 */
export const CHECKOUT_NX_CACHE = { NX_CACHE_DIRECTORY: '.nx/cache' };

/**
 * Nx's plugins loaded in the Nx process itself, a mode Nx supports, instead of
 * its default: a worker process per plugin for every command. Each worker
 * compiles Nx's modules again (Node 20 has no compile cache), so a small
 * `nx show projects` costs about 3.5 CPU-s isolated and 1.5 in process, and
 * these suites run hundreds of commands on 2 cores (e2e/identity.spec.ts:
 * 259 CPU-s isolated, 121 in process). The plugin's code and its executors are
 * the same either way; what only isolation exercises (createNodes results and
 * errors crossing the worker boundary, each Nx major's worker protocol) is
 * covered by the cases that keep Nx's default (NX_DEFAULT_PLUGIN_ISOLATION):
 * e2e/nx-versions, e2e/getting-started and e2e/problems.
 */
export const PLUGINS_IN_PROCESS = { NX_ISOLATE_PLUGINS: 'false' };

/** Nx's default back for one run's environment: plugins in isolated workers (an undefined variable is not passed on). */
export const NX_DEFAULT_PLUGIN_ISOLATION = { NX_ISOLATE_PLUGINS: undefined };
