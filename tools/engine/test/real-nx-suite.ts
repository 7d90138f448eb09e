import { defineConfig } from 'vitest/config';

/**
 * Vitest settings of a suite that installs Nx and the packed plugin (in a hook or a global setup),
 * then runs real Nx (and Docker builds on tools/engine) in each case.
 *
 * The timeouts only catch a hang: a case that starts an engine and runs a pipeline
 * takes about a minute on a quiet 2-core machine and three times that on a busy
 * one (tools/ci's two-runner case went past 120 s beside the other targets), so
 * they sit at ten minutes, well inside CI's 90.
 */
export function realNxSuite(include: string) {
  return defineConfig({ test: { environment: 'node', include: [include], hookTimeout: 600_000, testTimeout: 600_000 } });
}
