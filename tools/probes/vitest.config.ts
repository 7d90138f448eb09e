import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.spec.ts'],
    // One npm install of nx and the packed plugin, then a few hundred inputs in a
    // worker: 142 s beside the other targets of a .ci/run. The timeout only catches a hang.
    testTimeout: 600_000,
  },
});
