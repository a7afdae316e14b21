import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import crypto from 'node:crypto';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { withDatabaseName } from '../support/database-names.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { usingPostgres } from '../support/test-database.ts';

const run = promisify(execFile);

describe('migrations', () => {
  it('are idempotent on the embedded database', async () => {
    const database = await openDatabase({ databaseUrl: null });
    await runMigrations(database);
    await runMigrations(database);
    const [{ count }] = await database.rows<{ count: number }>(sql`SELECT count(*)::int AS count FROM drizzle.__drizzle_migrations`);
    expect(count).toBeGreaterThanOrEqual(2);
    await database.close();
  });

  it.runIf(usingPostgres())('are safe from two processes at once on PostgreSQL', async () => {
    const url = process.env.DATABASE_URL!;
    const name = `cg_migrate_${crypto.randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    try {
      const target = withDatabaseName(url, name);
      // Two real processes racing, as two servers starting together would.
      const results = await Promise.all(
        [1, 2].map(() => run(process.execPath, ['bin/civicgrid.mjs', 'migrate'], { env: { ...process.env, DATABASE_URL: target } })),
      );
      for (const result of results) expect(result.stdout).toContain('migrations applied');
      const database = await openDatabase({ databaseUrl: target, poolSize: 1 });
      const [{ count }] = await database.rows<{ count: number }>(sql`SELECT count(*)::int AS count FROM drizzle.__drizzle_migrations`);
      const applied = (await import('node:fs')).readdirSync('drizzle').filter((f) => f.endsWith('.sql')).length;
      expect(count).toBe(applied);
      await database.close();
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });
});

describe('command line', () => {
  it('refuses demo mode in production', async () => {
    const error = await run(process.execPath, ['bin/civicgrid.mjs', 'seed', '--demo'], { env: { ...process.env, NODE_ENV: 'production', CIVICGRID_DATA_DIR: '/tmp/cg-never-created' } }).catch((e) => e);
    expect(error.code).toBe(1);
    expect(error.stderr).toMatch(/Demo mode is refused with NODE_ENV=production/);
  });
});

describe('API surface', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('publishes an OpenAPI document generated from the route schemas, and a browsable reference', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/api/v1/residents', '/api/v1/regions/{id}', '/api/v1/imports']));
    expect(document.paths['/api/v1/auth/login'].post.requestBody.content['application/json'].schema.required).toEqual(['username', 'password']);
    const docs = await t.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });

  it('answers unknown API routes with the JSON error body', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'not_found', message: expect.any(String), details: null } });
  });

  it('requires a session for data', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/residents' });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('unauthenticated');
  });
});
