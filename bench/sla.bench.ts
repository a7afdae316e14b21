/**
 * SLA sweeper benchmark on PostgreSQL: does an idle sweep stay cheap with a million running clocks,
 * and do due reminders fire within a second?
 * Run: npm run bench:sla [-- --cases 1000000] [--due 200]
 *
 * 1. a scratch database `cg_bench_sla_<random>` (DATABASE_URL's server, default 127.0.0.1:5432) with the
 *    small demo city; N open (dispatched) cases spread over its buildings, each with a running resolve
 *    clock due 1 hour to 15 days from now (bulk INSERT … SELECT generate_series), then VACUUM ANALYZE;
 * 2. idle sweep: sweepDueTimers() 50 times with nothing due, median in ms;
 * 3. fire delay: ~200 of those clocks made due at staggered moments over the next ~5 s, the real sweeper
 *    loop (startSlaSweeper, 250 ms) running; fire delay = fired_at − due_at per timer, p99. The delay until
 *    the reminder's event is committed (seen through LISTEN civicgrid_case_events) is printed as well.
 * Progress goes to stderr; the LAST line on stdout is the JSON summary.
 */
import { parseArgs } from 'node:util';
import os from 'node:os';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config.ts';
import { createContext } from '../src/server.ts';
import { startSlaSweeper, sweepDueTimers } from '../src/modules/sla/sla-sweeper.ts';
import { mulberry32 } from '../src/shared/random.ts';
import { prepareDemoCity } from './support/demo-city.ts';
import { Cleanup, DEFAULT_POSTGRES_URL } from './support/scratch.ts';
import { percentile, round } from './support/http-load.ts';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000000' },
    due: { type: 'string', default: '200' },
    'spread-ms': { type: 'string', default: '5000' },
  },
});
const openCases = Number(values.cases);
const dueCount = Number(values.due);
const spreadMs = Number(values['spread-ms']);
if (!(openCases >= dueCount && dueCount > 0)) throw new Error('--cases must be at least --due, and --due positive');

const log = (line: string) => process.stderr.write(`${line}\n`);
const cleanup = new Cleanup();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (from: number) => `${((performance.now() - from) / 1000).toFixed(1)} s`;

async function main() {
  log(`bench:sla, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const city = await prepareDemoCity({ engine: 'postgres', adminUrl: process.env.DATABASE_URL || DEFAULT_POSTGRES_URL, prefix: 'cg_bench_sla', cleanup, log });
  const databaseUrl = city.server.databaseUrl!;
  // The services' own context (same migrations, same pool size as the server).
  const context = await createContext(loadConfig({}, { databaseUrl, dataDir: city.server.dataDir, demo: true, logLevel: 'warn' }));
  cleanup.add('close the context', () => context.database.close());
  const { database } = context;

  let started = performance.now();
  // Open cases spread over the demo buildings (their real paths and grids), numbered like the real ones.
  await database.db.execute(sql`
    WITH b AS (SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, city_id, parent_id, path FROM region_nodes WHERE level = 'building' AND valid_to IS NULL),
         nb AS (SELECT count(*) AS n FROM b),
         cat AS (SELECT id FROM case_categories WHERE code = 'roads_facilities' LIMIT 1)
    INSERT INTO cases (id, city_id, number, tracking_token, channel, status, holder_level, triage_color, category_id, title, description, region_path, grid_id, building_id, dispatched_at)
    SELECT g, b.city_id, 'B' || lpad(g::text, 8, '0'), md5(g::text || random()::text), 'qr', 'dispatched', 'grid', 'yellow', (SELECT id FROM cat),
           '人行道上的路沿石破损', '人行道上的路沿石破损，轮椅和婴儿车都过不去，请尽快派人来看看。编号' || g, b.path, b.parent_id, b.id, now() - interval '1 hour'
    FROM generate_series(1, ${openCases}::int) g JOIN b ON b.k = g % (SELECT n FROM nb)`);
  await database.db.execute(sql`SELECT setval('cases_id_seq', ${openCases}::bigint)`);
  log(`${openCases.toLocaleString('en-US')} open cases inserted in ${seconds(started)}`);
  started = performance.now();
  await database.db.execute(sql`
    INSERT INTO sla_timers (city_id, case_id, kind, due_at)
    SELECT city_id, id, 'resolve', now() + interval '1 hour' + random() * interval '15 days' FROM cases`);
  log(`${openCases.toLocaleString('en-US')} running SLA timers inserted in ${seconds(started)}`);
  started = performance.now();
  await database.db.execute(sql`VACUUM ANALYZE cases`);
  await database.db.execute(sql`VACUUM ANALYZE sla_timers`);
  log(`VACUUM ANALYZE in ${seconds(started)}`);

  // Idle sweeps: nothing is due.
  for (let i = 0; i < 10; i++) await sweepDueTimers(context);
  const idle: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    const { fired } = await sweepDueTimers(context);
    idle.push(performance.now() - t);
    if (fired !== 0) throw new Error(`an idle sweep fired ${fired} timers`);
  }
  const idleMedian = percentile(idle, 50);
  log(`idle sweep over ${openCases.toLocaleString('en-US')} running clocks: median ${idleMedian.toFixed(2)} ms, p90 ${percentile(idle, 90).toFixed(2)} ms, max ${percentile(idle, 100).toFixed(2)} ms (50 sweeps)`);

  // Make `dueCount` random clocks due at staggered moments over the next `spreadMs`.
  const rng = mulberry32(0x51a_0001);
  const chosen = new Set<number>();
  while (chosen.size < dueCount) chosen.add(1 + Math.floor(rng() * openCases));
  const base = Date.now() + 500;
  const plan = [...chosen].map((caseId, i) => ({ caseId, dueAt: new Date(base + Math.round((i * spreadMs) / dueCount + rng() * 20)) }));
  const dueTimers = await database.rows<{ id: number; case_id: number }>(sql`
    UPDATE sla_timers t SET due_at = p.due_at
    FROM (SELECT unnest(${`{${plan.map((p) => p.caseId).join(',')}}`}::bigint[]) AS case_id, unnest(${`{${plan.map((p) => `"${p.dueAt.toISOString()}"`).join(',')}}`}::timestamptz[]) AS due_at) p
    WHERE t.case_id = p.case_id AND t.fired_at IS NULL AND t.cancelled_at IS NULL RETURNING t.id, t.case_id`);
  if (dueTimers.length !== dueCount) throw new Error(`expected ${dueCount} timers to reschedule, got ${dueTimers.length}`);
  const dueAtByCase = new Map(plan.map((p) => [p.caseId, p.dueAt.getTime()]));

  // When each reminder became visible: the announcer sends committed events in batches (JSON arrays) right after commit.
  const listener = new pg.Client({ connectionString: databaseUrl });
  await listener.connect();
  cleanup.add('close the listener', () => listener.end());
  const visibleDelays: number[] = [];
  const visibleAtByCase = new Map<number, number>();
  listener.on('notification', (message) => {
    const at = Date.now();
    const parsed = JSON.parse(message.payload ?? '[]') as unknown;
    for (const payload of (Array.isArray(parsed) ? parsed : [parsed]) as Array<{ caseId?: number; action?: string }>) {
      const dueAt = dueAtByCase.get(Number(payload.caseId));
      if (payload.action === 'remind' && dueAt !== undefined && !visibleAtByCase.has(Number(payload.caseId))) {
        visibleDelays.push(at - dueAt);
        visibleAtByCase.set(Number(payload.caseId), at);
      }
    }
  });
  await listener.query('LISTEN civicgrid_case_events');

  log(`${dueCount} clocks due between now+0.5 s and now+${((spreadMs + 500) / 1000).toFixed(1)} s; sweeper loop running every 250 ms…`);
  const errors: unknown[] = [];
  const stopSweeper = startSlaSweeper(context, 250, (error) => errors.push(error));
  cleanup.add('stop the sweeper', async () => stopSweeper());
  const deadline = base + spreadMs + 10_000;
  const ids = dueTimers.map((t) => Number(t.id));
  let firedCount = 0;
  while (Date.now() < deadline) {
    await sleep(250);
    const [{ n }] = await database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM sla_timers WHERE id = ANY(${`{${ids.join(',')}}`}::bigint[]) AND fired_at IS NOT NULL`);
    firedCount = Number(n);
    if (firedCount === dueCount && Date.now() > base + spreadMs) break;
  }
  stopSweeper();
  await sleep(300); // a sweep in flight finishes; its NOTIFYs arrive
  if (errors.length) throw new Error(`the sweeper failed: ${String(errors[0])}`);
  if (firedCount !== dueCount) throw new Error(`only ${firedCount} of ${dueCount} due timers fired within 10 s of the last deadline`);

  const fired = await database.rows<{ case_id: number; delay_ms: number; fired_at_ms: number }>(sql`
    SELECT case_id, (extract(epoch FROM fired_at - due_at) * 1000)::float8 AS delay_ms, (extract(epoch FROM fired_at) * 1000)::float8 AS fired_at_ms
    FROM sla_timers WHERE id = ANY(${`{${ids.join(',')}}`}::bigint[])`);
  const delays = fired.map((r) => Number(r.delay_ms));
  // One sweep transaction = one fired_at (its start); it becomes visible when it commits.
  const sweeps = new Map<number, { timers: number; committedAt: number }>();
  for (const row of fired) {
    const sweep = sweeps.get(Number(row.fired_at_ms)) ?? { timers: 0, committedAt: 0 };
    sweep.timers++;
    sweep.committedAt = Math.max(sweep.committedAt, visibleAtByCase.get(Number(row.case_id)) ?? 0);
    sweeps.set(Number(row.fired_at_ms), sweep);
  }
  const sweepMs = [...sweeps.entries()].filter(([, s]) => s.committedAt).map(([start, s]) => (s.committedAt - start) / s.timers);
  log(`${sweeps.size} sweep transactions fired them (${(dueCount / sweeps.size).toFixed(1)} timers each on average); ` +
    `start to commit per timer: median ${percentile(sweepMs, 50).toFixed(0)} ms, max ${percentile(sweepMs, 100).toFixed(0)} ms (remind + escalate, one transaction per sweep)`);
  const [{ reminders }] = await database.rows<{ reminders: number }>(sql`
    SELECT count(*)::int AS reminders FROM case_events WHERE action = 'remind' AND case_id = ANY(${`{${[...chosen].join(',')}}`}::bigint[])`);
  const [{ early }] = await database.rows<{ early: number }>(sql`SELECT count(*)::int AS early FROM sla_timers WHERE fired_at IS NOT NULL AND NOT (id = ANY(${`{${ids.join(',')}}`}::bigint[]))`);
  if (Number(reminders) !== dueCount) throw new Error(`expected ${dueCount} remind events, found ${reminders}`);
  if (Number(early) !== 0) throw new Error(`${early} timers fired that were not due`);
  log(`fire delay (fired_at − due_at) over ${delays.length} timers: p50 ${percentile(delays, 50).toFixed(0)} ms, p99 ${percentile(delays, 99).toFixed(0)} ms, max ${percentile(delays, 100).toFixed(0)} ms`);
  if (visibleDelays.length) {
    log(`committed-and-notified delay over ${visibleDelays.length} reminders: p50 ${percentile(visibleDelays, 50).toFixed(0)} ms, p99 ${percentile(visibleDelays, 99).toFixed(0)} ms, max ${percentile(visibleDelays, 100).toFixed(0)} ms`);
  }
  log(`${reminders} remind events written, one per due timer; no timer fired early`);
  // fired_at is the sweep transaction's start; the reminder is visible once that transaction commits.
  const summary: Record<string, number> = { open_cases: openCases, idle_sweep_ms: round(idleMedian, 2), fire_delay_p99_ms: Math.round(percentile(delays, 99)) };
  if (visibleDelays.length === dueCount) summary.committed_delay_p99_ms = Math.round(percentile(visibleDelays, 99));
  console.log(JSON.stringify(summary));
}

try {
  await main();
} catch (error) {
  log(`bench:sla failed: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
} finally {
  await cleanup.run();
}
