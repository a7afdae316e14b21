/**
 * Command-centre benchmark: are the figures of any node and month fast (rollups) and exact (equal to
 * counting the cases) on a city with years of history, while reports keep coming in?
 * Run: npm run bench:metrics [-- --cases 10000000] [--db pglite] [--queries 100] [--intake-rate 30]
 *        [--months 24] [--database-url URL] [--data-dir DIR] [--seed 20261125]
 *
 * 1. Storage that is KEPT between runs (seeding 10,000,000 cases takes a while):
 *    PostgreSQL: the database `civicgrid_bench_metrics` on DATABASE_URL's server (default 127.0.0.1:5432),
 *    created if missing, or --database-url; PGlite: <tmp>/civicgrid-bench-metrics-pglite, or --data-dir.
 * 2. The demo city at scale `city` (900 grids, 9,000 buildings) and N history cases
 *    (src/modules/demo/seed-history.ts, the same as `civicgrid seed --cases N`). History cases are counted
 *    by their 'H' numbers: when the count already matches, nothing is seeded; fewer are topped up; more
 *    means the storage is recreated. Cases from earlier runs' intake are left alone.
 * 3. The server: a separate `civicgrid serve` process on PostgreSQL; on PGlite (one process per data
 *    directory) the same app inside this process. Intake keeps running in the background through the real
 *    public API (POST /api/v1/public/cases, --intake-rate reports/s), so rollups are read while the
 *    triggers append deltas and the server's compactor folds them in.
 * 4. --queries random (node, month) pairs: node drawn from city / district / street / community / grid /
 *    department (kind first, then a node of that kind), month from the seeded span. Per pair:
 *    - metrics_ms: GET /api/v1/metrics?node=…&from=YYYY-MM over HTTP as the organisation department
 *      (`orgdept`, city-wide reader), the whole request;
 *    - naive_ms: naiveCounters() for the same node and month, straight from `cases`;
 *    - mismatches: rollupCounters() (rollups + pending deltas) against naiveCounters(), both inside ONE
 *      REPEATABLE READ transaction (intake is running: two snapshots could differ legitimately).
 * Progress goes to stderr; the LAST line on stdout is the JSON summary.
 */
import { parseArgs } from 'node:util';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config.ts';
import type { AppContext } from '../src/context.ts';
import { createContext } from '../src/server.ts';
import { mulberry32 } from '../src/shared/random.ts';
import { DEMO_CITY_CODE, seedDemoCity } from '../src/modules/demo/seed-demo.ts';
import { HISTORY_NUMBER_PREFIX, drainMetricCompaction, progressBar, seedCaseHistory } from '../src/modules/demo/seed-history.ts';
import { findMetricNode, naiveCounters, rollupCounters, type Counters, type MetricNode, type MonthRange } from '../src/modules/metrics/metrics.repository.ts';
import { Cleanup, DEFAULT_POSTGRES_URL, adminQuery, freePort, withDatabaseName } from './support/scratch.ts';
import { ServerProcess } from './support/server-process.ts';
import { HttpClient, percentile, round } from './support/http-load.ts';
import { randomReport } from './support/reports.ts';
import { startInProcessServer } from './support/in-process-server.ts';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'postgres' },
    cases: { type: 'string', default: '10000000' },
    months: { type: 'string', default: '24' },
    queries: { type: 'string', default: '100' },
    'intake-rate': { type: 'string', default: '30' },
    'database-url': { type: 'string' },
    'data-dir': { type: 'string' },
    seed: { type: 'string', default: '20261125' },
  },
});
const engine = values.db;
if (engine !== 'postgres' && engine !== 'pglite') throw new Error('--db must be postgres or pglite');
const cases = Number(values.cases.replaceAll('_', ''));
const months = Number(values.months);
const queries = Number(values.queries);
const intakeRate = Number(values['intake-rate']);
if (!(Number.isInteger(cases) && cases > 0 && queries > 0 && intakeRate >= 0)) throw new Error('--cases and --queries must be positive, --intake-rate not negative');

const log = (line: string) => process.stderr.write(`${line}\n`);
const cleanup = new Cleanup();
const seconds = (from: number) => `${((performance.now() - from) / 1000).toFixed(1)} s`;
const KINDS = ['city', 'district', 'street', 'community', 'grid', 'department'] as const;

/** Where the kept storage lives. */
async function prepareStorage(recreate: boolean) {
  const dataDir = values['data-dir'] ?? path.join(os.tmpdir(), engine === 'pglite' ? 'civicgrid-bench-metrics-pglite' : 'civicgrid-bench-metrics');
  if (engine === 'pglite') {
    if (recreate) await fs.rm(path.join(dataDir, 'pglite'), { recursive: true, force: true });
    await fs.mkdir(dataDir, { recursive: true });
    return { dataDir, databaseUrl: null };
  }
  const databaseUrl = values['database-url'] ?? withDatabaseName(process.env.DATABASE_URL || DEFAULT_POSTGRES_URL, 'civicgrid_bench_metrics');
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = withDatabaseName(databaseUrl, 'postgres');
  if (recreate) await adminQuery(admin, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${name}"`);
      log(`database ${name} created`);
    }
  } finally {
    await client.end();
  }
  await fs.mkdir(dataDir, { recursive: true });
  return { dataDir, databaseUrl };
}

async function openContext(storage: { dataDir: string; databaseUrl: string | null }, port = 0): Promise<AppContext> {
  return createContext(loadConfig({}, { databaseUrl: storage.databaseUrl, dataDir: storage.dataDir, demo: true, logLevel: 'warn', port, host: '127.0.0.1' }));
}

async function historyCount(context: AppContext): Promise<{ cityId: number | null; history: number }> {
  const [city] = await context.database.rows<{ id: number }>(sql`SELECT id FROM cities WHERE code = ${DEMO_CITY_CODE}`);
  if (!city) return { cityId: null, history: 0 };
  const [{ n }] = await context.database.rows<{ n: number }>(
    sql`SELECT count(*)::bigint AS n FROM cases WHERE city_id = ${Number(city.id)} AND number LIKE ${HISTORY_NUMBER_PREFIX + '%'}`,
  );
  return { cityId: Number(city.id), history: Number(n) };
}

/** The demo city (scale city) with exactly `cases` history cases; reused when it already has them. */
async function ensureSeeded(): Promise<{ storage: { dataDir: string; databaseUrl: string | null }; context: AppContext; cityId: number }> {
  let storage = await prepareStorage(false);
  let context = await openContext(storage);
  let { cityId, history } = await historyCount(context);
  if (history > cases) {
    log(`the kept database holds ${history.toLocaleString('en-US')} history cases, more than ${cases.toLocaleString('en-US')}: recreating it`);
    await context.database.close();
    storage = await prepareStorage(true);
    context = await openContext(storage);
    ({ cityId, history } = await historyCount(context));
  }
  if (cityId === null) {
    const started = performance.now();
    const result = await seedDemoCity(context, { scale: 'city', password: context.config.demoPassword, onProgress: progressBar('demo city') });
    cityId = result.cityId;
    log(`demo city (scale city) seeded in ${seconds(started)}`);
  }
  if (history === cases) {
    log(`reusing ${history.toLocaleString('en-US')} history cases already in the database`);
  } else {
    const adding = cases - history;
    log(`${history ? `topping up ${history.toLocaleString('en-US')} history cases with` : 'seeding'} ${adding.toLocaleString('en-US')} (${months} months)…`);
    const result = await seedCaseHistory(context.database, { cases: adding, months, seed: 1 + (history % 1_000_000), onProgress: progressBar('history') });
    log(`${result.cases.toLocaleString('en-US')} cases and ${result.summonses.toLocaleString('en-US')} summonses inserted in ${result.insertSeconds.toFixed(1)} s ` +
      `(${Math.round(result.cases / result.insertSeconds).toLocaleString('en-US')}/s); rollups compacted, VACUUM ANALYZE in ${result.compactSeconds.toFixed(1)} s`);
  }
  // Whatever an earlier run left pending.
  await drainMetricCompaction(context.database);
  return { storage, context, cityId };
}

interface Pick {
  node: MetricNode;
  month: string;
}

async function pickQueries(context: AppContext, cityId: number, rng: () => number): Promise<Pick[]> {
  const { database } = context;
  const regions = await database.rows<{ id: number; level: string }>(
    sql`SELECT id, level FROM region_nodes WHERE city_id = ${cityId} AND level IN ('city', 'district', 'street', 'community', 'grid') AND valid_to IS NULL ORDER BY id`,
  );
  const departments = await database.rows<{ id: number }>(sql`SELECT id FROM units WHERE city_id = ${cityId} AND kind = 'department' ORDER BY id`);
  const byKind = new Map<string, Array<{ kind: 'region' | 'department'; id: number }>>(KINDS.map((k) => [k, []]));
  for (const r of regions) byKind.get(r.level)!.push({ kind: 'region', id: Number(r.id) });
  for (const d of departments) byKind.get('department')!.push({ kind: 'department', id: Number(d.id) });
  // The seeded span: from the first history month to the current one.
  const [span] = await database.rows<{ first: string; last: string }>(sql`
    SELECT to_char(min(created_at) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS first, to_char(max(created_at) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS last
    FROM cases WHERE city_id = ${cityId}`);
  const monthList: string[] = [];
  for (let [y, m] = span.first.split('-').map(Number); `${y}-${String(m).padStart(2, '0')}` <= span.last; m === 12 ? ((m = 1), y++) : m++) {
    monthList.push(`${y}-${String(m).padStart(2, '0')}`);
  }
  log(`${regions.length} region nodes and ${departments.length} departments; months ${span.first} … ${span.last} (${monthList.length})`);
  const picks: Pick[] = [];
  while (picks.length < queries) {
    const kind = KINDS[Math.floor(rng() * KINDS.length)];
    const candidates = byKind.get(kind)!;
    if (candidates.length === 0) continue;
    const ref = candidates[Math.floor(rng() * candidates.length)];
    const node = await findMetricNode(database, cityId, ref.kind, ref.id);
    picks.push({ node: node!, month: monthList[Math.floor(rng() * monthList.length)] });
  }
  return picks;
}

const monthRange = (month: string): MonthRange => {
  const [y, m] = month.split('-').map(Number);
  return { from: `${month}-01`, to: m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01` };
};

/** Groups whose counters are all zero are the same as no group. */
const nonZero = (rows: Array<{ month: string; categoryId: number; counters: Counters }>) => {
  const map: Record<string, Counters> = {};
  for (const row of rows) if (Object.values(row.counters).some((v) => v !== 0)) map[`${row.month}|${row.categoryId}`] = row.counters;
  return map;
};

/** A steady stream of anonymous reports through the public intake API. */
function startIntake(client: HttpClient, buildingCodes: string[], categoryCodes: string[], ratePerS: number) {
  const stats = { sent: 0, ok: 0, failed: 0, samples: [] as string[] };
  if (ratePerS <= 0) return { stats, stop: async () => undefined };
  const rng = mulberry32(0x1a7a_4e);
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * ratePerS) - stats.sent;
    for (let i = 0; i < due; i++) {
      stats.sent++;
      const request = client
        .post('/api/v1/public/cases', JSON.stringify(randomReport(rng, buildingCodes, categoryCodes)))
        .then((res) => {
          if (res.status === 201) stats.ok++;
          else {
            stats.failed++;
            if (stats.samples.length < 3) stats.samples.push(`${res.status} ${res.body.slice(0, 200)}`);
          }
        })
        .catch((error: Error) => {
          stats.failed++;
          if (stats.samples.length < 3) stats.samples.push(error.message);
        })
        .finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
  }, 20);
  return {
    stats,
    stop: async () => {
      clearInterval(timer);
      await Promise.all(inFlight);
    },
  };
}

async function main() {
  log(`bench:metrics on ${engine}, ${cases.toLocaleString('en-US')} cases, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const { storage, context, cityId } = await ensureSeeded();
  cleanup.add('close the database', () => context.database.close());
  const { database } = context;
  const rng = mulberry32(Number(values.seed));
  const picks = await pickQueries(context, cityId, rng);
  const buildingCodes = (await database.rows<{ code: string }>(sql`SELECT code FROM region_nodes WHERE city_id = ${cityId} AND level = 'building' AND valid_to IS NULL ORDER BY id`)).map((r) => r.code);
  const categoryCodes = (await database.rows<{ code: string }>(sql`SELECT code FROM case_categories WHERE city_id = ${cityId} AND active ORDER BY id`)).map((r) => r.code);

  // The server.
  const port = await freePort();
  let baseUrl: string;
  if (engine === 'postgres') {
    const server = new ServerProcess({ port, dataDir: storage.dataDir, databaseUrl: storage.databaseUrl, env: { CIVICGRID_INTAKE_RATE_LIMIT: 'off' } });
    cleanup.add('stop the server', () => server.stop());
    const startMs = await server.start(180_000);
    log(`server pid ${server.pid} answering on ${server.baseUrl} after ${startMs.toFixed(0)} ms`);
    baseUrl = server.baseUrl;
  } else {
    // Same process, same PGlite handle; intake rate limits off as for the server process.
    context.config.intakeLimitPerClient = 0;
    context.config.intakeLimitPerPlace = 0;
    const server = await startInProcessServer(context, port, (error) => log(`server loop failed: ${String(error)}`));
    cleanup.add('stop the in-process server', () => server.stop());
    log(`in-process server (PGlite allows one process) answering on ${server.baseUrl}`);
    baseUrl = server.baseUrl;
  }
  const client = new HttpClient(baseUrl, 64);
  cleanup.add('close HTTP clients', async () => client.close());
  const login = await client.post('/api/v1/auth/login', JSON.stringify({ username: 'orgdept', password: context.config.demoPassword }));
  const cookie = /cg_session=[^;]+/.exec(String(login.headers['set-cookie'] ?? ''))?.[0];
  if (login.status !== 200 || !cookie) throw new Error(`login as orgdept failed: ${login.status} ${login.body}`);

  const intakeClient = new HttpClient(baseUrl, 64);
  cleanup.add('close the intake client', async () => intakeClient.close());
  const intake = startIntake(intakeClient, buildingCodes, categoryCodes, intakeRate);
  cleanup.add('stop intake', () => intake.stop());
  const intakeStarted = performance.now();
  log(`intake running at ${intakeRate} reports/s; ${queries} (node, month) queries…`);

  const get = async (pick: Pick) => {
    const started = performance.now();
    const res = await client.request('GET', `/api/v1/metrics?node=${pick.node.kind}:${pick.node.id}&from=${pick.month}`, undefined, { cookie });
    const ms = performance.now() - started;
    if (res.status !== 200) throw new Error(`GET /api/v1/metrics for ${pick.node.kind}:${pick.node.id} ${pick.month} answered ${res.status}: ${res.body.slice(0, 300)}`);
    return { ms, received: Number((JSON.parse(res.body) as { counters: Counters }).counters.received) };
  };
  for (const pick of picks.slice(0, 5)) await get(pick); // warm-up: connections, caches, JIT

  const metricsMs: number[] = [];
  const naiveMs: number[] = [];
  const byKind = new Map<string, { metrics: number[]; naive: number[] }>();
  let mismatches = 0;
  let received = 0;
  const startedQueries = performance.now();
  for (const [index, pick] of picks.entries()) {
    const answer = await get(pick);
    metricsMs.push(answer.ms);
    received += answer.received;
    const range = monthRange(pick.month);
    const { naive, rolled, ms } = await database.db.transaction(
      async (tx) => {
        const started = performance.now();
        const naive = await naiveCounters(database, pick.node, range, tx);
        const ms = performance.now() - started;
        const rolled = await rollupCounters(database, pick.node, range, tx);
        return { naive, rolled, ms };
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
    naiveMs.push(ms);
    const kind = pick.node.kind === 'department' ? 'department' : pick.node.level;
    const entry = byKind.get(kind) ?? byKind.set(kind, { metrics: [], naive: [] }).get(kind)!;
    entry.metrics.push(answer.ms);
    entry.naive.push(ms);
    if (!isDeepStrictEqual(nonZero(rolled), nonZero(naive))) {
      mismatches++;
      if (mismatches <= 3) log(`MISMATCH ${pick.node.kind}:${pick.node.id} (${pick.node.level}) ${pick.month}:\n  rollups ${JSON.stringify(nonZero(rolled)).slice(0, 400)}\n  naive   ${JSON.stringify(nonZero(naive)).slice(0, 400)}`);
    }
    if ((index + 1) % 10 === 0) {
      log(`  ${index + 1}/${queries}: metrics p50 ${percentile(metricsMs, 50).toFixed(1)} ms, naive p50 ${percentile(naiveMs, 50).toFixed(1)} ms, mismatches ${mismatches}, ` +
        `intake ${intake.stats.ok} ok / ${intake.stats.failed} failed`);
    }
  }
  const queryMs = performance.now() - startedQueries;
  await intake.stop();
  const intakeS = (performance.now() - intakeStarted) / 1000;
  log(`intake during the queries: ${intake.stats.ok} reports stored (${(intake.stats.ok / intakeS).toFixed(1)}/s), ${intake.stats.failed} failed${intake.stats.samples.length ? `: ${intake.stats.samples.join(' | ')}` : ''}`);
  if (intake.stats.ok === 0 && intakeRate > 0) throw new Error('no report was stored while the queries ran: intake is broken');
  log(`${queries} queries in ${(queryMs / 1000).toFixed(1)} s; ${received.toLocaleString('en-US')} cases counted in the answers`);
  for (const [kind, entry] of [...byKind.entries()].sort()) {
    log(`  ${kind.padEnd(10)} ${String(entry.metrics.length).padStart(3)} queries: metrics p50 ${percentile(entry.metrics, 50).toFixed(1)} ms (max ${percentile(entry.metrics, 100).toFixed(1)}), ` +
      `naive p50 ${percentile(entry.naive, 50).toFixed(1)} ms (max ${percentile(entry.naive, 100).toFixed(1)})`);
  }
  const metricsP50 = percentile(metricsMs, 50);
  const naiveP50 = percentile(naiveMs, 50);
  log(`metrics: p50 ${metricsP50.toFixed(2)} ms, p90 ${percentile(metricsMs, 90).toFixed(2)} ms, max ${percentile(metricsMs, 100).toFixed(2)} ms; ` +
    `naive: p50 ${naiveP50.toFixed(1)} ms, p90 ${percentile(naiveMs, 90).toFixed(1)} ms, max ${percentile(naiveMs, 100).toFixed(1)} ms`);
  const [{ n: total }] = await database.rows<{ n: number }>(sql`SELECT count(*)::bigint AS n FROM cases WHERE city_id = ${cityId} AND number LIKE ${HISTORY_NUMBER_PREFIX + '%'}`);
  if (Number(total) !== cases) throw new Error(`expected ${cases} history cases, found ${total}`);
  console.log(JSON.stringify({ cases, db: engine, metrics_p50_ms: round(metricsP50, 2), naive_p50_ms: round(naiveP50, 1), speedup: round(naiveP50 / metricsP50, 1), mismatches }));
}

try {
  await main();
} catch (error) {
  log(`bench:metrics failed: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
} finally {
  await cleanup.run();
}
