/**
 * The PostgreSQL limit for intake: pgbench running a transaction of two inserts shaped like a case row
 * and its `submit` event, into scratch copies of the real tables (same columns, defaults and indexes).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export function findPgbench(): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'pgbench');
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  const lib = '/usr/lib/postgresql';
  if (fs.existsSync(lib)) {
    for (const version of fs.readdirSync(lib).sort().reverse()) {
      const candidate = path.join(lib, version, 'bin', 'pgbench');
      if (fs.existsSync(candidate)) return candidate;
    }
  }
  return null;
}

/**
 * Creates pgbench_cases / pgbench_case_events LIKE cases / case_events INCLUDING ALL (indexes too: a
 * case insert maintains them) with sequences of their own, and returns a real building's place.
 */
async function prepareTables(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`
      DROP TABLE IF EXISTS pgbench_cases, pgbench_case_events;
      DROP SEQUENCE IF EXISTS pgbench_cases_id_seq, pgbench_case_events_id_seq, pgbench_cases_number_seq;
      CREATE TABLE pgbench_cases (LIKE cases INCLUDING ALL);
      CREATE TABLE pgbench_case_events (LIKE case_events INCLUDING ALL);
      CREATE SEQUENCE pgbench_cases_id_seq OWNED BY pgbench_cases.id;
      CREATE SEQUENCE pgbench_case_events_id_seq OWNED BY pgbench_case_events.id;
      CREATE SEQUENCE pgbench_cases_number_seq OWNED BY pgbench_cases.number;
      ALTER TABLE pgbench_cases ALTER id SET DEFAULT nextval('pgbench_cases_id_seq');
      ALTER TABLE pgbench_case_events ALTER id SET DEFAULT nextval('pgbench_case_events_id_seq');`);
    const { rows } = await client.query<{ city_id: string; id: string; parent_id: string; path: string }>(
      `SELECT city_id, id, parent_id, path FROM region_nodes WHERE level = 'building' ORDER BY id LIMIT 1`,
    );
    return rows[0];
  } finally {
    await client.end();
  }
}

export async function dropTables(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('DROP TABLE IF EXISTS pgbench_cases, pgbench_case_events');
  } finally {
    await client.end();
  }
}

export interface PgbenchResult {
  tps: number;
  transactions: number;
  latencyAverageMs: number | null;
  output: string;
}

/** One transaction = the two inserts of an intake; description 40–200 Chinese characters, half with a phone number. */
export async function pgbenchTwoInserts(options: { pgbench: string; databaseUrl: string; clients: number; threads: number; durationS: number; scriptDir: string }): Promise<PgbenchResult> {
  const place = await prepareTables(options.databaseUrl);
  const text = '小区门口的路灯已经坏了一个多星期，晚上出门很不方便，希望尽快维修。'.repeat(8);
  const script = `\\set len random(40, 200)
\\set phone random(13000000000, 19999999999)
BEGIN;
INSERT INTO pgbench_cases (city_id, number, tracking_token, channel, triage_color, category_id, title, description, region_path, grid_id, building_id,
    reporter_name, reporter_phone, reporter_consent)
  VALUES (${place.city_id}, to_char(now(), 'YYYYMMDD') || '-' || lpad(nextval('pgbench_cases_number_seq')::text, 6, '0'), substr(md5(random()::text), 1, 24),
    'qr', 'yellow', 7, substr('${text}', 1, least(:len::int, 60)), substr('${text}', 1, :len::int), '${place.path}', ${place.parent_id}, ${place.id},
    NULL, CASE WHEN :phone::bigint % 2 = 0 THEN :phone::bigint::text END, :phone::bigint % 2 = 0)
  RETURNING id \\gset
INSERT INTO pgbench_case_events (city_id, case_id, action, to_status, actor_user_id, actor_label, details, is_public)
  VALUES (${place.city_id}, :id, 'submit', 'submitted', NULL, '居民', '{"channel": "qr", "raisedBy": [], "triageColor": "yellow"}'::jsonb, true);
END;
`;
  const scriptFile = path.join(options.scriptDir, 'two-inserts.sql');
  fs.writeFileSync(scriptFile, script);
  const { stdout, stderr } = await run(
    options.pgbench,
    ['-n', '-M', 'prepared', '-c', String(options.clients), '-j', String(options.threads), '-T', String(options.durationS), '-f', scriptFile, options.databaseUrl],
    { maxBuffer: 10 * 1024 * 1024 },
  );
  const output = `${stdout}${stderr}`;
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output) ?? /tps = ([\d.]+)/.exec(output);
  if (!tps) throw new Error(`could not read tps from pgbench:\n${output}`);
  const transactions = /number of transactions actually processed: (\d+)/.exec(output);
  const latency = /latency average = ([\d.]+) ms/.exec(output);
  return { tps: Number(tps[1]), transactions: transactions ? Number(transactions[1]) : 0, latencyAverageMs: latency ? Number(latency[1]) : null, output };
}
