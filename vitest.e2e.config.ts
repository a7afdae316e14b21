import { defineConfig } from 'vitest/config';

// One id per test run names the PostgreSQL template database (global setup and workers agree on it).
process.env.CIVICGRID_TEST_RUN_ID ??= `${process.pid}_${Date.now().toString(36)}`;

// Browser walks in Debian Chromium (playwright-core), against a real server on a real database.
export default defineConfig({
  root: '.',
  test: {
    env: { CIVICGRID_TEST_RUN_ID: process.env.CIVICGRID_TEST_RUN_ID },
    include: ['tests/e2e/**/*.e2e.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
