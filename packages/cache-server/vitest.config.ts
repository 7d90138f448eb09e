import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['src/**/*.spec.ts'],
    // Only catches a hang: cases wait for the server's own schedule (settled), slow on a busy runner.
    testTimeout: 60_000,
  },
});
