import { defineConfig } from 'vitest/config';

/**
 * Vitest settings of a suite that installs Nx and the packed plugin (in a hook or a global setup),
 * then runs real Nx (and Docker builds on tools/engine) in each case.
 */
export function realNxSuite(include: string) {
  return defineConfig({ test: { environment: 'node', include: [include], hookTimeout: 300_000, testTimeout: 120_000 } });
}
