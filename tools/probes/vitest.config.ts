import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.spec.ts'],
    // One npm install of nx and the packed plugin, then a few hundred inputs in a worker.
    testTimeout: 180_000,
  },
});
