import { defineConfig } from 'vitest/config';

// One id per test run names the PostgreSQL template database (global setup and workers agree on it).
process.env.CIVICGRID_TEST_RUN_ID ??= `${process.pid}_${Date.now().toString(36)}`;

// API and unit tests. Each test file gets its own database: in-memory PGlite by default, or a fresh
// PostgreSQL database cloned from a migrated template when DATABASE_URL is set (tests/support/global-setup.ts).
export default defineConfig({
  root: '.',
  test: {
    env: { CIVICGRID_TEST_RUN_ID: process.env.CIVICGRID_TEST_RUN_ID },
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['tests/e2e/**', 'node_modules/**', 'web/**'],
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
