import { defineConfig } from 'vitest/config';

// Real Nx runs in temporary workspaces with the plugin installed from its tarball.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['e2e/**/*.spec.ts'],
    hookTimeout: 300_000,
    testTimeout: 120_000,
  },
});
