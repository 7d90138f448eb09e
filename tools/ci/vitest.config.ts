import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.spec.ts'],
    // The pipelines suite installs Nx and the plugin into a template, then runs real Nx and Docker builds.
    hookTimeout: 300_000,
    testTimeout: 120_000,
  },
});
