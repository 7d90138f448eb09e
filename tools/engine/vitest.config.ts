import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.spec.ts'],
    // Real daemons: a cold start installs packages and seeds upstream images.
    hookTimeout: 600_000,
    testTimeout: 300_000,
    // The suites share one engine and registry; run the files one after another.
    fileParallelism: false,
  },
});
