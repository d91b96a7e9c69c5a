import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two test files at a time: most wait on containers and child processes, not on a core (vitest's
    // default on a 2-core machine is one). Engine restarts use a private dockerd of their own.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
