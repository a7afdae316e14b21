import { defineConfig } from 'vitest/config';

// Fault tests (npm run test:fault): the real server as a child process, killed with SIGKILL under load,
// on the embedded database and on PostgreSQL (an own scratch database; no shared template needed).
export default defineConfig({
  root: '.',
  test: {
    include: ['tests/fault/**/*.fault.ts'],
    testTimeout: 6 * 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
