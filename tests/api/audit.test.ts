import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { appendAudit, verifyAuditChain } from '../../src/modules/audit/audit.service.ts';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

const run = promisify(execFile);
type City = Awaited<ReturnType<typeof buildScopedCity>>;

interface AuditRecord {
  id: number;
  actor_user_id: number | null;
  actor_name: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  outcome: string;
  ip: string | null;
  details: unknown;
}

const recordsAfter = async (database: Database, afterId: number) =>
  (await database.rows<AuditRecord>(sql`SELECT id, actor_user_id, actor_name, action, resource_type, resource_id, outcome, ip, details FROM audit_log WHERE id > ${afterId} ORDER BY id`)).map(
    (row) => ({ ...row, id: Number(row.id), actor_user_id: row.actor_user_id === null ? null : Number(row.actor_user_id), details: typeof row.details === 'string' ? JSON.parse(row.details) : row.details }),
  );

/** The database's own message (Drizzle wraps driver errors in "Failed query: …" with the original as `cause`). */
const refusal = async (statement: Promise<unknown>): Promise<string> => {
  try {
    await statement;
  } catch (error) {
    const e = error as { message: string; cause?: { message?: string; code?: string } };
    return `${e.cause?.code ?? ''} ${e.cause?.message ?? e.message}`;
  }
  return 'no error: the statement succeeded';
};

const lastAuditId = async (database: Database) => {
  const [{ id }] = await database.rows<{ id: number | null }>(sql`SELECT coalesce(max(id), 0) AS id FROM audit_log`);
  return Number(id);
};

describe('audit log', () => {
  let t: TestApp;
  let city: City;
  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
  });
  afterAll(async () => t?.close());

  const db = () => t.context.database;

  it('a write appends a record with actor, action, resource, outcome and ip', async () => {
    const cookie = await t.login('sysadmin');
    const before = await lastAuditId(db());
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { cookie, 'user-agent': 'audit-test/1.0' },
      remoteAddress: '10.20.30.40',
      payload: { username: 'audited_user', displayName: '审计', password: 'Abcdefgh-123' },
    });
    expect(response.statusCode).toBe(201);
    const newId = response.json().id;
    const records = await recordsAfter(db(), before);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      actor_user_id: city.users.system_admin.id,
      actor_name: 'sysadmin',
      action: 'user.create',
      resource_type: 'user',
      resource_id: String(newId),
      outcome: 'success',
      ip: '10.20.30.40',
      details: { username: 'audited_user' },
    });
    const [{ user_agent }] = await db().rows<{ user_agent: string }>(sql`SELECT user_agent FROM audit_log WHERE id = ${records[0].id}`);
    expect(user_agent).toBe('audit-test/1.0');
  });

  it('a reveal appends a success record naming the resident and the fields', async () => {
    const cookie = await t.login('gridworker');
    const before = await lastAuditId(db());
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/residents/${city.a.resident.id}/reveal`,
      headers: { cookie },
      remoteAddress: '10.0.0.7',
      payload: { fields: ['phone'] },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ phone: '13912345678' });
    const records = await recordsAfter(db(), before);
    expect(records).toEqual([
      expect.objectContaining({
        actor_user_id: city.users.grid_worker.id,
        actor_name: 'gridworker',
        action: 'resident.reveal',
        resource_type: 'resident',
        resource_id: String(city.a.resident.id),
        outcome: 'success',
        ip: '10.0.0.7',
        details: { fields: ['phone'] },
      }),
    ]);
  });

  it('a refused reveal (resident outside the grid worker\'s area) appends a failure record', async () => {
    const cookie = await t.login('gridworker');
    const before = await lastAuditId(db());
    const response = await t.app.inject({ method: 'POST', url: `/api/v1/residents/${city.b.resident.id}/reveal`, headers: { cookie }, payload: { fields: ['phone', 'idNumber'] } });
    expect(response.statusCode).toBe(403);
    expect(response.body).not.toContain('13912345678');
    const records = await recordsAfter(db(), before);
    expect(records).toEqual([
      expect.objectContaining({
        actor_user_id: city.users.grid_worker.id,
        action: 'resident.reveal',
        resource_type: 'resident',
        resource_id: String(city.b.resident.id),
        outcome: 'failure',
        ip: expect.any(String),
        details: { fields: ['phone', 'idNumber'] },
      }),
    ]);
  });

  it('failed logins are audited (wrong password, locked account)', async () => {
    const user = await city.factory.user(city.cityId, 'auditlock', 'grid_worker', { regionNodeId: city.a.grid.id });
    const before = await lastAuditId(db());
    const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '192.0.2.9', payload: { username: 'auditlock', password: 'Wrong-Password-1' } });
    expect(wrong.statusCode).toBe(401);
    const records = await recordsAfter(db(), before);
    expect(records).toEqual([
      expect.objectContaining({ actor_user_id: user.id, actor_name: 'auditlock', action: 'auth.login', outcome: 'failure', ip: '192.0.2.9', details: { reason: 'wrong_password', locked: false } }),
    ]);
    for (let i = 0; i < 4; i++) await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'auditlock', password: 'Wrong-Password-1' } });
    const locked = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'auditlock', password: 'Test-Password-2024' } });
    expect(locked.statusCode).toBe(423);
    const all = await recordsAfter(db(), before);
    expect(all.map((r) => [r.action, r.outcome, (r.details as { reason?: string } | null)?.reason])).toEqual([
      ...Array(5).fill(['auth.login', 'failure', 'wrong_password']),
      ['auth.login', 'failure', 'locked'],
    ]);
    expect((all[4].details as { locked: boolean }).locked).toBe(true);
  });

  it('a successful login and a logout are audited', async () => {
    const before = await lastAuditId(db());
    const cookie = await t.login('street');
    await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie } });
    const records = await recordsAfter(db(), before);
    expect(records.map((r) => [r.action, r.outcome, r.actor_user_id])).toEqual([
      ['auth.login', 'success', city.users.street_officer.id],
      ['auth.logout', 'success', city.users.street_officer.id],
    ]);
  });

  it('the database refuses UPDATE, DELETE and TRUNCATE on audit_log', async () => {
    const id = await lastAuditId(db());
    expect(id).toBeGreaterThan(0);
    expect(await refusal(db().db.execute(sql`UPDATE audit_log SET action = 'tampered' WHERE id = ${id}`))).toMatch(/42501 audit_log is append-only/);
    expect(await refusal(db().db.execute(sql`UPDATE audit_log SET details = '{"x":1}'::jsonb`))).toMatch(/42501 audit_log is append-only/);
    expect(await refusal(db().db.execute(sql`DELETE FROM audit_log WHERE id = ${id}`))).toMatch(/42501 audit_log is append-only/);
    expect(await refusal(db().db.execute(sql`DELETE FROM audit_log`))).toMatch(/42501 audit_log is append-only/);
    expect(await refusal(db().db.execute(sql`TRUNCATE audit_log`))).toMatch(/42501 audit_log is append-only/);
    const [row] = await db().rows<{ action: string }>(sql`SELECT action FROM audit_log WHERE id = ${id}`);
    expect(row.action).not.toBe('tampered');
    expect(await lastAuditId(db())).toBe(id);
  });

  describe('hash chain verification', () => {
    const superuser = async (statement: ReturnType<typeof sql>) => db().db.execute(statement);
    const rowAsJson = async (id: number) => {
      const [row] = await db().rows<{ j: unknown }>(sql`SELECT row_to_json(a)::text AS j FROM audit_log a WHERE id = ${id}`);
      return row.j as string;
    };
    const restore = async (json: string) => superuser(sql`INSERT INTO audit_log SELECT * FROM json_populate_record(null::audit_log, ${json}::json)`);
    const ids = async () => (await db().rows<{ id: number }>(sql`SELECT id FROM audit_log WHERE city_id = ${city.cityId} ORDER BY id`)).map((r) => Number(r.id));

    beforeAll(async () => {
      // a few more records so there is a middle
      const cookie = await t.login('gridworker');
      for (let i = 0; i < 3; i++) await t.app.inject({ method: 'POST', url: `/api/v1/residents/${city.a.resident.id}/reveal`, headers: { cookie }, payload: { fields: ['name'] } });
      await superuser(sql`ALTER TABLE audit_log DISABLE TRIGGER USER`);
    });
    afterAll(async () => {
      await superuser(sql`ALTER TABLE audit_log ENABLE TRIGGER USER`);
      // the triggers are back
      expect(await refusal(db().db.execute(sql`DELETE FROM audit_log`))).toMatch(/42501 audit_log is append-only/);
    });

    it('is ok on an intact log', async () => {
      const result = await verifyAuditChain(db());
      const [{ count }] = await db().rows<{ count: number }>(sql`SELECT count(*)::int AS count FROM audit_log`);
      expect(count).toBeGreaterThan(10);
      expect(result).toEqual({ ok: true, checked: count, firstBrokenId: null, reason: null });
    });

    it('detects an edited record', async () => {
      const all = await ids();
      const target = all[Math.floor(all.length / 2)];
      const saved = await rowAsJson(target);
      await superuser(sql`UPDATE audit_log SET details = '{"fields":["phone","idNumber"]}'::jsonb WHERE id = ${target}`);
      const result = await verifyAuditChain(db());
      expect(result.ok).toBe(false);
      expect(result.firstBrokenId).toBe(target);
      expect(result.reason).toMatch(/edited/);
      await superuser(sql`DELETE FROM audit_log WHERE id = ${target}`);
      await restore(saved);
      expect((await verifyAuditChain(db())).ok).toBe(true);
    });

    it('detects an edited actor or timestamp', async () => {
      const all = await ids();
      const target = all[2];
      const saved = await rowAsJson(target);
      await superuser(sql`UPDATE audit_log SET actor_name = 'someone-else' WHERE id = ${target}`);
      expect(await verifyAuditChain(db())).toMatchObject({ ok: false, firstBrokenId: target });
      await superuser(sql`DELETE FROM audit_log WHERE id = ${target}`);
      await restore(saved);
      await superuser(sql`UPDATE audit_log SET at = at - interval '1 second' WHERE id = ${target}`);
      expect(await verifyAuditChain(db())).toMatchObject({ ok: false, firstBrokenId: target });
      await superuser(sql`DELETE FROM audit_log WHERE id = ${target}`);
      await restore(saved);
      expect((await verifyAuditChain(db())).ok).toBe(true);
    });

    it('detects a deleted record in the middle (its successor\'s link breaks)', async () => {
      const all = await ids();
      const index = Math.floor(all.length / 2);
      const target = all[index];
      const saved = await rowAsJson(target);
      await superuser(sql`DELETE FROM audit_log WHERE id = ${target}`);
      const result = await verifyAuditChain(db());
      expect(result.ok).toBe(false);
      expect(result.firstBrokenId).toBe(all[index + 1]);
      expect(result.reason).toMatch(/removed/);
      await restore(saved);
      expect((await verifyAuditChain(db())).ok).toBe(true);
    });

    it('detects the deletion of the newest record (the chain head no longer matches)', async () => {
      const all = await ids();
      const newest = all.at(-1)!;
      const saved = await rowAsJson(newest);
      await superuser(sql`DELETE FROM audit_log WHERE id = ${newest}`);
      const result = await verifyAuditChain(db());
      expect(result.ok).toBe(false);
      expect(result.reason).toMatch(/head/);
      expect(result.firstBrokenId).toBe(all.at(-2));
      await restore(saved);
      expect((await verifyAuditChain(db())).ok).toBe(true);
    });
  });

  describe('reading the log', () => {
    it('only the audit administrator reads it; every read is itself audited', async () => {
      for (const username of ['sysadmin', 'cityadmin', 'secadmin', 'gridworker']) {
        const response = await t.app.inject({ method: 'GET', url: '/api/v1/audit', headers: { cookie: await t.login(username) } });
        expect(response.statusCode, username).toBe(403);
        expect(response.json().error.code).toBe('forbidden');
      }
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/audit' })).statusCode).toBe(401);

      const cookie = await t.login('auditadmin');
      const reads = async () => (await db().rows<{ count: number }>(sql`SELECT count(*)::int AS count FROM audit_log WHERE action = 'audit.read' AND actor_user_id = ${city.users.audit_admin.id}`))[0].count;
      expect(await reads()).toBe(0);
      const first = await t.app.inject({ method: 'GET', url: '/api/v1/audit?pageSize=5', headers: { cookie } });
      expect(first.statusCode).toBe(200);
      const body = first.json();
      expect(body.items).toHaveLength(5);
      expect(body.total).toBeGreaterThan(5);
      expect(body.items[0]).toMatchObject({ id: expect.any(Number), at: expect.any(String), action: expect.any(String), outcome: expect.stringMatching(/^(success|failure)$/) });
      expect(await reads()).toBe(1);
      const filtered = await t.app.inject({ method: 'GET', url: '/api/v1/audit?action=resident.reveal&outcome=failure', headers: { cookie } });
      expect(filtered.statusCode).toBe(200);
      expect(filtered.json().items.length).toBeGreaterThan(0);
      expect(filtered.json().items.every((i: { action: string; outcome: string }) => i.action === 'resident.reveal' && i.outcome === 'failure')).toBe(true);
      expect(await reads()).toBe(2);
      // the reads themselves show up in the log
      const again = await t.app.inject({ method: 'GET', url: '/api/v1/audit?action=audit.read', headers: { cookie } });
      expect(again.json().items.map((i: { actorName: string }) => i.actorName)).toEqual(['auditadmin', 'auditadmin']);
      expect(await reads()).toBe(3);
    });

    it('the audit administrator can verify the chain over the API', async () => {
      const response = await t.app.inject({ method: 'POST', url: '/api/v1/audit/verify', headers: { cookie: await t.login('auditadmin') } });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ ok: true, firstBrokenId: null });
    });
  });
});

describe('civicgrid audit verify (command line)', () => {
  let dir: string;
  const env = () => {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('CIVICGRID_') && key !== 'DATABASE_URL'));
    return { ...inherited, CIVICGRID_DATA_DIR: dir, CIVICGRID_DATA_KEY: '0'.repeat(64), LOG_LEVEL: 'warn' };
  };
  const verify = () =>
    run(process.execPath, ['bin/civicgrid.mjs', 'audit', 'verify'], { env: env(), timeout: 60_000 }).then(
      (result) => ({ code: 0, stdout: result.stdout, stderr: result.stderr }),
      (error) => ({ code: error.code as number, stdout: error.stdout as string, stderr: error.stderr as string }),
    );

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'civicgrid-audit-'));
    const database = await openDatabase({ databaseUrl: null, dataDir: dir + '/pglite' });
    try {
      await runMigrations(database);
      for (let i = 0; i < 4; i++) {
        await database.db.transaction((tx) =>
          appendAudit(database, tx, { cityId: 1, actorUserId: 1, actorName: 'cli-test', action: 'test.write', resourceType: 'thing', resourceId: i, outcome: 'success', ip: '127.0.0.1', userAgent: null, details: { i } }),
        );
      }
    } finally {
      await database.close();
    }
  });
  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('exits 0 and says "intact" on an intact log, exits 1 after tampering', async () => {
    const intact = await verify();
    expect(intact.code, intact.stderr).toBe(0);
    expect(intact.stdout).toMatch(/intact: 4 records/);

    const database = await openDatabase({ databaseUrl: null, dataDir: dir + '/pglite' });
    try {
      await database.db.execute(sql`ALTER TABLE audit_log DISABLE TRIGGER USER`);
      await database.db.execute(sql`UPDATE audit_log SET details = '{"i":99}'::jsonb WHERE id = (SELECT min(id) + 1 FROM audit_log)`);
    } finally {
      await database.close();
    }
    const tampered = await verify();
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(/TAMPERED/);
  }, 120_000);
});
