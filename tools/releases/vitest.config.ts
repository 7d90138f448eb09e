import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.spec.ts'],
    // Each case runs real Nx (docker:lock against the mirror) in a fresh clone.
    hookTimeout: 300_000,
    testTimeout: 120_000,
  },
});
