import { defineConfig } from 'vitest/config';

// Real Nx runs in temporary workspaces against the built server (dist/bin.js).
export default defineConfig({
  test: {
    environment: 'node',
    include: ['e2e/**/*.spec.ts'],
    hookTimeout: 120_000,
    testTimeout: 180_000,
    // Nx runs are CPU-heavy and the machine has two cores.
    fileParallelism: false,
  },
});
