import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../../db/client.ts';
import { runMigrations } from '../../db/migrate.ts';
import { appendAudit, verifyAuditChain } from '../audit/audit.service.ts';
import { jsonNumbersExact, restoreBackup, writeBackup } from './backup.service.ts';

const run = promisify(execFile);
const projectRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'cg-backup-test-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

async function freshPglite(dataDir?: string): Promise<Database> {
  const database = await openDatabase({ databaseUrl: null, dataDir });
  await runMigrations(database);
  return database;
}

/** A representative sample, including the awkward values every type must carry exactly. */
async function populate(database: Database): Promise<{ cityId: number }> {
  const [{ id: rawCityId }] = await database.rows<{ id: number }>(sql`INSERT INTO cities (code, name) VALUES ('520300000000', '遵义市') RETURNING id`);
  const cityId = Number(rawCityId);
  const geometry = {
    type: 'Polygon',
    coordinates: [[[106.9271, 27.7255], [106.93, 27.7255], [106.93, 27.73], [106.9271, 27.7255]]],
    properties: { 名称: '红花岗区', nested: { deep: [1, 2.5, -3e-7, true, null, 'x"y\\z'] } },
  };
  const [{ id: rawRoot }] = await database.rows<{ id: number }>(sql`
    INSERT INTO region_nodes (city_id, parent_id, level, code, name, path, geometry, min_lng, min_lat, max_lng, max_lat, centroid_lng, centroid_lat, valid_from, valid_to)
    VALUES (${cityId}, NULL, 'city', '520300000000', '遵义市', '1', ${JSON.stringify(geometry)}::jsonb,
            106.9271, 27.7255, ${0.1 + 0.2}, 'NaN', '-0', 'Infinity', '2020-01-01', 'infinity')
    RETURNING id`);
  const rootId = Number(rawRoot);
  const [{ id: rawBuilding }] = await database.rows<{ id: number }>(sql`
    INSERT INTO region_nodes (city_id, parent_id, level, code, name, path, geometry, address, centroid_lng, centroid_lat)
    VALUES (${cityId}, ${rootId}, 'building', 'B-1', '1栋', ${`${rootId}.2`}, ${JSON.stringify({ type: 'Point', coordinates: [106.92711234567891, 27.72551234567891] })}::jsonb,
            ${'第一行\n第二行 "引号" \\ 反斜杠 😀 \t tab'}, 106.92711234567891, -27.72551234567891)
    RETURNING id`);
  const buildingId = Number(rawBuilding);
  const [{ id: rawHousehold }] = await database.rows<{ id: number }>(sql`
    INSERT INTO households (city_id, building_id, region_path, code, door_number, address, phone)
    VALUES (${cityId}, ${buildingId}, ${`${rootId}.${buildingId}`}, 'H-0001', '1-101', '遵义市红花岗区1栋101', NULL) RETURNING id`);
  const householdId = Number(rawHousehold);
  await database.rows(sql`
    INSERT INTO residents (city_id, household_id, region_path, name, gender, birth_date, phone, id_number_encrypted, id_number_hash, relation_to_head, is_head, created_at)
    VALUES (${cityId}, ${householdId}, ${`${rootId}.${buildingId}`}, '张三', 'male', '1960-02-29', '13800000000', 'v1:abc', 'h1', '户主', true, '2024-02-29T23:59:59.123456Z'),
           (${cityId}, ${householdId}, ${`${rootId}.${buildingId}`}, '李四', NULL, '0001-01-01', NULL, NULL, NULL, NULL, false, '0044-03-15 12:00:00+00 BC')`);
  await database.rows(sql`
    INSERT INTO users (city_id, username, display_name, password_hash, failed_logins, locked_until, totp_enabled, totp_last_step)
    VALUES (${cityId}, 'admin', '管理员', '$argon2id$v=19$m=19456,t=2,p=1$abc$def', 3, '2030-01-01T00:00:00.000001Z', true, 9007199254740993)`);
  await database.rows(sql`
    INSERT INTO import_jobs (city_id, kind, file_name, status, total, processed, errors, summary, finished_at) VALUES
      (${cityId}, 'residents', 'a.xlsx', 'done', 2147483647, -2147483648, '[{"row": 1, "message": "坏"}]', 'null', 'infinity'),
      (${cityId}, 'residents', NULL, 'done', 0, 0, '[]', '{"big": 12345678901234567890.5, "scale": 1.10, "e": 1e21, "neg": -0}', '-infinity'),
      (${cityId}, 'units', NULL, 'queued', 0, 0, '[]', '{"$jsonb": 1}', NULL),
      (${cityId}, 'units', NULL, 'queued', 0, 0, '"just a string"', NULL, now())`);
  await database.rows(sql`
    INSERT INTO party_organizations (city_id, kind, name, code, region_node_id) VALUES (${cityId}, 'community_party_org', '第一党支部', 'P-1', ${rootId})`);
  // A case: its metric deltas (written by the triggers) are restored as they are, not counted again.
  await database.rows(sql`
    INSERT INTO cases (city_id, number, tracking_token, channel, status, triage_color, title, description, region_path, created_at, dispatched_at)
    VALUES (${cityId}, 'C-1', 'token-backup', 'hotline', 'dispatched', 'yellow', '路灯不亮', '描述', ${`/${rootId}/`}, '2026-01-31T16:00:00Z', '2026-01-31T16:05:00Z')`);
  await database.db.transaction((tx) =>
    appendAudit(database, tx, {
      cityId,
      actorUserId: 1,
      actorName: 'admin',
      action: 'resident.create',
      resourceType: 'resident',
      resourceId: 1,
      outcome: 'success',
      ip: '127.0.0.1',
      userAgent: 'vitest',
      details: { z: 1, a: [1.5, '二'], nested: { ok: true } },
    }),
  );
  await database.db.transaction((tx) =>
    appendAudit(database, tx, {
      cityId,
      actorUserId: null,
      actorName: null,
      action: 'auth.login',
      resourceType: 'session',
      resourceId: null,
      outcome: 'failure',
      ip: null,
      userAgent: null,
      details: null,
    }),
  );
  return { cityId };
}

async function tableNames(database: Database): Promise<string[]> {
  const rows = await database.rows<{ t: string }>(
    sql`SELECT table_name::text AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  return rows.map((row) => row.t);
}

/** Every table as exact text (to_jsonb in UTC) and as the drivers see it (SELECT * ORDER BY 1). */
async function dump(database: Database): Promise<{ exact: Record<string, string[]>; plain: Record<string, string> }> {
  const exact: Record<string, string[]> = {};
  const plain: Record<string, string> = {};
  for (const table of await tableNames(database)) {
    const rows = await database.db.transaction(async (tx) => {
      await database.rows(sql`SELECT set_config('TimeZone', 'UTC', true)`, tx);
      return database.rows<{ j: string }>(sql`SELECT to_jsonb(t)::text AS j FROM public.${sql.raw(`"${table}"`)} t ORDER BY 1`, tx);
    });
    exact[table] = rows.map((row) => row.j);
    // (PGlite hands an int8 beyond 2^53 over as a BigInt.)
    plain[table] = JSON.stringify(await database.rows(sql`SELECT * FROM public.${sql.raw(`"${table}"`)} ORDER BY 1`), (_key, value) =>
      typeof value === 'bigint' ? `${value}n` : value,
    );
  }
  return { exact, plain };
}

async function totalRows(database: Database): Promise<number> {
  let total = 0;
  for (const table of await tableNames(database)) {
    const [{ n }] = await database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM public.${sql.raw(`"${table}"`)}`);
    total += n;
  }
  return total;
}

async function expectSameContent(source: Database, target: Database) {
  const [a, b] = [await dump(source), await dump(target)];
  expect(Object.keys(b.exact)).toEqual(Object.keys(a.exact));
  for (const table of Object.keys(a.exact)) {
    expect(b.exact[table], table).toEqual(a.exact[table]);
    // Raw rows() differ between the drivers themselves (node-postgres via Drizzle returns int8 and timestamptz as
    // strings, PGlite as numbers and Dates), so the driver-level view is compared within one engine only.
    if (source.engine === target.engine) expect(b.plain[table], table).toEqual(a.plain[table]);
  }
}

async function expectSequencesContinue(source: Database, target: Database) {
  const [{ max: maxAudit }] = await source.rows<{ max: number }>(sql`SELECT max(id)::int AS max FROM audit_log`);
  const [{ max: maxCity }] = await source.rows<{ max: number }>(sql`SELECT max(id)::int AS max FROM cities`);
  const [{ max: maxNode }] = await source.rows<{ max: number }>(sql`SELECT max(id)::int AS max FROM region_nodes`);
  const [next] = await target.rows<{ audit: number; city: number; node: number; session: number }>(
    sql`SELECT nextval('audit_log_id_seq')::int AS audit, nextval('cities_id_seq')::int AS city, nextval('region_nodes_id_seq')::int AS node, nextval('sessions_id_seq')::int AS session`,
  );
  expect(next.audit).toBe(maxAudit + 1);
  expect(next.city).toBe(maxCity + 1);
  expect(next.node).toBe(maxNode + 1);
  expect(next.session).toBe(1); // never used: restored as unused
}

describe('backup and restore', () => {
  let source: Database;
  let file: string;
  let written: { tables: number; rows: number };

  beforeAll(async () => {
    source = await freshPglite();
    await populate(source);
    file = path.join(tmpRoot, 'round-trip.jsonl.gz');
    written = await writeBackup(source, file);
  });
  afterAll(async () => {
    await source?.close();
  });

  it('writes a gzip JSON-lines file: header, tables with rows, sequences last', async () => {
    const lines = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').trim().split('\n').map((line) => JSON.parse(line));
    const header = lines[0];
    expect(header).toMatchObject({ format: 'civicgrid-backup', version: 1, engine: 'pglite' });
    // Every migration the repository ships, in order, as drizzle-kit's journal lists them.
    const journal = JSON.parse(fs.readFileSync('drizzle/meta/_journal.json', 'utf8')) as { entries: Array<{ tag: string }> };
    expect(header.migrations.map((m: { tag: string }) => m.tag)).toEqual(journal.entries.map((e) => e.tag));
    expect(header.migrations.length).toBeGreaterThanOrEqual(3);
    expect(header.migrations[0].hash).toMatch(/^[0-9a-f]{64}$/);
    const tables = lines.filter((line) => line && !Array.isArray(line) && 'table' in line).map((line) => line.table);
    expect(tables).toEqual(await tableNames(source));
    expect(tables).toContain('audit_chain_heads');
    expect(written.tables).toBe(tables.length);
    expect(written.rows).toBe(await totalRows(source));
    const footer = lines.at(-1);
    expect(footer.sequences.audit_log_id_seq).toBe(2);
    expect(footer.sequences.sessions_id_seq).toBeNull();
    // Values as documented: jsonb stays JSON, bigint beyond 2^53 is a string, timestamps are ISO with microseconds.
    const usersAt = lines.findIndex((line) => line?.table === 'users');
    const columns: string[] = lines[usersAt].columns;
    const user = lines[usersAt + 1];
    expect(user[columns.indexOf('totp_last_step')]).toBe('9007199254740993');
    expect(user[columns.indexOf('locked_until')]).toBe('2030-01-01T00:00:00.000001Z');
    const nodesAt = lines.findIndex((line) => line?.table === 'region_nodes');
    const node = lines[nodesAt + 1];
    expect(node[lines[nodesAt].columns.indexOf('geometry')].type).toBe('Polygon');
    expect(node[lines[nodesAt].columns.indexOf('max_lat')]).toBe('NaN');
    expect(node[lines[nodesAt].columns.indexOf('valid_from')]).toBe('2020-01-01');
  });

  it('restores into a fresh database with identical rows, an intact audit chain and continuing sequences', async () => {
    const target = await freshPglite();
    try {
      const restored = await restoreBackup(target, file);
      expect(restored).toEqual(written);
      await expectSameContent(source, target);
      expect(await verifyAuditChain(target)).toEqual({ ok: true, checked: 2, firstBrokenId: null, reason: null });
      await expectSequencesContinue(source, target);
    } finally {
      await target.close();
    }
  });

  it('refuses to restore into a database that has rows, and leaves it untouched', async () => {
    const target = await freshPglite();
    try {
      await target.rows(sql`INSERT INTO cities (code, name) VALUES ('x', 'y')`);
      await expect(restoreBackup(target, file)).rejects.toThrow(/restore needs an empty database/);
      expect(await totalRows(target)).toBe(1);
      // …including one that was just restored.
      const again = await freshPglite();
      await restoreBackup(again, file);
      await expect(restoreBackup(again, file)).rejects.toThrow(/restore needs an empty database/);
      await again.close();
    } finally {
      await target.close();
    }
  });

  it('rejects truncated or foreign files without restoring anything', async () => {
    const raw = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8');
    const cases: Array<[string, Buffer, RegExp]> = [
      ['no-footer.jsonl.gz', zlib.gzipSync(raw.split('\n').slice(0, -2).join('\n') + '\n'), /truncated/],
      ['cut.jsonl.gz', fs.readFileSync(file).subarray(0, Math.floor(fs.statSync(file).size / 2)), /unexpected end of file|truncated/i],
      ['foreign.jsonl.gz', zlib.gzipSync('{"hello":"world"}\n'), /not a CivicGrid backup/],
    ];
    for (const [name, content, error] of cases) {
      const broken = path.join(tmpRoot, name);
      fs.writeFileSync(broken, content);
      const target = await freshPglite();
      try {
        await expect(restoreBackup(target, broken), name).rejects.toThrow(error);
        expect(await totalRows(target), name).toBe(0);
      } finally {
        await target.close();
      }
    }
  });

  it('streams larger tables in batches', async () => {
    const big = await freshPglite();
    const target = await freshPglite();
    try {
      await big.rows(sql`INSERT INTO cities (code, name) VALUES ('520300000000', '遵义市')`);
      await big.rows(sql`
        INSERT INTO residents (city_id, household_id, region_path, name, birth_date, is_head)
        SELECT 1, g / 3 + 1, '1.' || g, '居民' || g, DATE '1950-01-01' + g % 20000, g % 3 = 0 FROM generate_series(1, 12345) g`);
      const bigFile = path.join(tmpRoot, 'big.jsonl.gz');
      expect(await writeBackup(big, bigFile)).toMatchObject({ rows: 12346 });
      expect(await restoreBackup(target, bigFile)).toMatchObject({ rows: 12346 });
      await expectSameContent(big, target);
    } finally {
      await big.close();
      await target.close();
    }
  });

  it('knows which jsonb numbers JavaScript carries exactly', () => {
    // jsonb prints numbers without exponent: -3e-7 comes back as -0.0000003, 1e21 as 1000000000000000000000.
    expect(jsonNumbersExact('{"a": [1, -2.5, 0.30000000000000004, -0.0000003, 1000000000000000000000, 0], "s": "1.0 12345678901234567890"}')).toBe(true);
    expect(jsonNumbersExact('{"a": 1.0}')).toBe(false);
    expect(jsonNumbersExact('{"a": 0.00}')).toBe(false);
    expect(jsonNumbersExact('{"a": 12345678901234567890}')).toBe(false);
    expect(jsonNumbersExact('[0.1000000000000000055511151231257827]')).toBe(false);
  });

  describe.runIf(Boolean(process.env.DATABASE_URL))('PGlite → PostgreSQL', () => {
    const url = process.env.DATABASE_URL!;
    const names = [1, 2].map(() => `cg_backup_${crypto.randomBytes(6).toString('hex')}`);
    const withName = (name: string) => {
      const parsed = new URL(url);
      parsed.pathname = `/${name}`;
      return parsed.toString();
    };
    const admin = async (statement: string) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(statement);
      } finally {
        await client.end();
      }
    };
    beforeAll(async () => {
      for (const name of names) await admin(`CREATE DATABASE "${name}"`);
    });
    afterAll(async () => {
      for (const name of names) await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    });

    it('restores a PGlite backup into PostgreSQL, and a PostgreSQL backup into PostgreSQL', async () => {
      const first = await openDatabase({ databaseUrl: withName(names[0]), poolSize: 2 });
      const second = await openDatabase({ databaseUrl: withName(names[1]), poolSize: 2 });
      try {
        await runMigrations(first);
        expect(await restoreBackup(first, file)).toEqual(written);
        await expectSameContent(source, first);
        expect(await verifyAuditChain(first)).toMatchObject({ ok: true, checked: 2 });

        const pgFile = path.join(tmpRoot, 'from-postgres.jsonl.gz');
        expect(await writeBackup(first, pgFile)).toEqual(written);
        const header = JSON.parse(zlib.gunzipSync(fs.readFileSync(pgFile)).toString('utf8').split('\n')[0]);
        expect(header.engine).toBe('postgres');
        await runMigrations(second);
        expect(await restoreBackup(second, pgFile)).toEqual(written);
        await expectSameContent(source, second);
        expect(await verifyAuditChain(second)).toMatchObject({ ok: true, checked: 2 });
        await expectSequencesContinue(source, second);
        await expect(restoreBackup(second, pgFile)).rejects.toThrow(/restore needs an empty database/);
      } finally {
        await first.close();
        await second.close();
      }
    });
  });
});

describe('civicgrid backup / restore (CLI)', () => {
  it('backs up one PGlite data directory and restores it into another', async () => {
    const dir1 = path.join(tmpRoot, 'cli-1');
    const dir2 = path.join(tmpRoot, 'cli-2');
    const file = path.join(tmpRoot, 'cli.jsonl.gz');
    const populated = await freshPglite(path.join(dir1, 'pglite'));
    await populate(populated);
    const expected = await dump(populated);
    await populated.close();

    // DATABASE_URL is emptied so that the CLI uses the embedded database even when the tests run against PostgreSQL.
    const env = (dir: string) => ({ ...process.env, DATABASE_URL: '', CIVICGRID_DATA_DIR: dir, CIVICGRID_DATA_KEY: '0'.repeat(64), NODE_ENV: 'test' });
    const backup = await run(process.execPath, ['bin/civicgrid.mjs', 'backup', '--out', file], { cwd: projectRoot, env: env(dir1), timeout: 120_000 });
    expect(backup.stdout).toMatch(/backup written to .*: \d+ rows in \d+ tables/);
    const restore = await run(process.execPath, ['bin/civicgrid.mjs', 'restore', '--in', file], { cwd: projectRoot, env: env(dir2), timeout: 120_000 });
    expect(restore.stdout).toMatch(/restored \d+ rows into \d+ tables/);

    const restored = await openDatabase({ databaseUrl: null, dataDir: path.join(dir2, 'pglite') });
    try {
      const actual = await dump(restored);
      expect(Object.fromEntries(Object.entries(actual.exact).map(([t, rows]) => [t, rows.length]))).toEqual(
        Object.fromEntries(Object.entries(expected.exact).map(([t, rows]) => [t, rows.length])),
      );
      expect(actual.exact).toEqual(expected.exact);
      expect((await verifyAuditChain(restored)).ok).toBe(true);
    } finally {
      await restored.close();
    }
  }, 240_000);
});
