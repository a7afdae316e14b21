/**
 * Intake benchmark: POST /api/v1/public/cases against the real server in a separate process, over HTTP.
 * Run: npm run bench:intake [-- --db pglite] [--concurrency 32] [--duration 10] [--warmup 2] [--rate 1000] [--profile] [--skip-pgbench]
 *
 * 1. a scratch database (PostgreSQL `cg_bench_<random>` on DATABASE_URL's server, default 127.0.0.1:5432,
 *    or PGlite in a temp directory), migrated and seeded with the small demo city;
 * 2. `civicgrid serve` as a child process with CIVICGRID_INTAKE_RATE_LIMIT=off (one client IP sends everything);
 * 3. maximum throughput: N keep-alive workers, closed loop, for --duration seconds after --warmup;
 * 4. latency: an open-loop 1,000 reports/s (or 90% of the maximum if that is lower) for --duration seconds;
 * 5. PostgreSQL only: pgbench with a two-insert transaction of a case row and its event on the same server.
 * Progress goes to stderr; the LAST line on stdout is the JSON summary.
 */
import { parseArgs } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { sql } from 'drizzle-orm';
import { mulberry32 } from '../src/shared/random.ts';
import { prepareDemoCity, type Engine } from './support/demo-city.ts';
import { Cleanup, DEFAULT_POSTGRES_URL } from './support/scratch.ts';
import { ServerProcess, repoRoot } from './support/server-process.ts';
import { HttpClient, closedLoop, openLoop, percentile, round, type LoadResult } from './support/http-load.ts';
import { randomReport } from './support/reports.ts';
import { findPgbench, pgbenchTwoInserts } from './support/pgbench.ts';
import { summariseCpuProfile } from './support/cpu-profile.ts';
import { sampleActivity } from './support/pg-activity.ts';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'postgres' },
    concurrency: { type: 'string', default: '32' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    rate: { type: 'string', default: '1000' },
    profile: { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'warn' },
    /** Skip the pgbench baseline (quick A/B runs while changing the server). */
    'skip-pgbench': { type: 'boolean', default: false },
  },
});
const engine = values.db as Engine;
if (engine !== 'postgres' && engine !== 'pglite') throw new Error('--db must be postgres or pglite');
const concurrency = Number(values.concurrency);
const durationS = Number(values.duration);
const warmupS = Number(values.warmup);
const targetRate = Number(values.rate);

const log = (line: string) => process.stderr.write(`${line}\n`);
const cleanup = new Cleanup();

function describe(label: string, result: LoadResult) {
  const rate = result.ok / (result.elapsedMs / 1000);
  const failures = Object.entries(result.failures).map(([k, v]) => `${k}×${v}`).join(', ');
  log(
    `${label}: ${result.ok} reports in ${(result.elapsedMs / 1000).toFixed(0)} s = ${rate.toFixed(0)}/s; latency p50 ${percentile(result.latenciesMs, 50).toFixed(1)} ms, ` +
      `p99 ${percentile(result.latenciesMs, 99).toFixed(1)} ms, max ${percentile(result.latenciesMs, 100).toFixed(1)} ms${failures ? `; failures ${failures}` : ''}`,
  );
  for (const sample of result.samples) log(`  e.g. ${sample}`);
  return rate;
}

async function main() {
  log(`bench:intake on ${engine}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const adminUrl = process.env.DATABASE_URL || DEFAULT_POSTGRES_URL;
  const city = await prepareDemoCity({
    engine,
    adminUrl,
    prefix: 'cg_bench',
    cleanup,
    env: { CIVICGRID_INTAKE_RATE_LIMIT: 'off' },
    log,
  });
  const profileDir = values.profile ? fs.mkdtempSync(path.join(os.tmpdir(), 'cg-bench-prof-')) : null;
  const server = new ServerProcess({
    ...city.server,
    logLevel: values['log-level'],
    nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  });
  cleanup.add('stop the server', () => server.stop());
  const startMs = await server.start();
  log(`server pid ${server.pid} answering on ${server.baseUrl} after ${startMs.toFixed(0)} ms (${city.buildingCodes.length} buildings, ${city.categoryCodes.length} categories)`);
  if (!fs.readFileSync(path.join(repoRoot, 'src/config.ts'), 'utf8').includes('CIVICGRID_INTAKE_RATE_LIMIT')) {
    log('note: src/config.ts does not read CIVICGRID_INTAKE_RATE_LIMIT yet (no intake rate limit in this build)');
  }

  // Pre-built bodies, so the load generator spends its CPU on HTTP, not on building JSON.
  const rng = mulberry32(0xbe_4c_01);
  const bodies = Array.from({ length: 20_000 }, () => JSON.stringify(randomReport(rng, city.buildingCodes, city.categoryCodes)));
  let next = 0;
  const nextBody = () => bodies[next++ % bodies.length];
  const client = new HttpClient(server.baseUrl, Math.max(concurrency, 512));
  cleanup.add('close HTTP client', async () => client.close());
  const path_ = '/api/v1/public/cases';

  // A first request with its answer shown, so a broken build fails loudly before the timed part.
  const probe = await client.post(path_, nextBody());
  if (probe.status !== 201) throw new Error(`POST ${path_} answered ${probe.status}: ${probe.body}`);

  log(`max throughput: ${concurrency} workers, ${warmupS} s warm-up + ${durationS} s…`);
  const sampler = city.server.databaseUrl ? await sampleActivity(city.server.databaseUrl, new URL(city.server.databaseUrl).pathname.slice(1)) : null;
  const cpuBefore = { server: server.cpuMs(), bench: process.cpuUsage(), at: performance.now() };
  const max = await closedLoop({ client, path: path_, nextBody, concurrency, warmupMs: warmupS * 1000, durationMs: durationS * 1000 });
  const maxRate = describe('max throughput', max);
  const serverCpu = server.cpuMs();
  if (serverCpu !== null && cpuBefore.server !== null) {
    // Warm-up included on both sides of the ratio: CPU over the whole closed loop / every report it stored.
    const wallMs = performance.now() - cpuBefore.at;
    const benchCpu = process.cpuUsage(cpuBefore.bench);
    const reports = max.okIncludingWarmup;
    log(`server CPU: ${(((serverCpu - cpuBefore.server) / wallMs) * 100).toFixed(0)}% of one core, ~${((serverCpu - cpuBefore.server) / reports).toFixed(2)} ms per report; ` +
      `load generator: ${(((benchCpu.user + benchCpu.system) / 1000 / wallMs) * 100).toFixed(0)}% of one core`);
  }
  if (sampler) log(await sampler.stop());

  const pacedRate = maxRate >= targetRate ? targetRate : Math.max(1, Math.floor(maxRate * 0.9));
  if (pacedRate < targetRate) log(`the server sustained ${maxRate.toFixed(0)}/s < ${targetRate}/s: measuring latency at ${pacedRate}/s (90% of it) instead`);
  log(`latency: open loop at ${pacedRate}/s, 1 s warm-up + ${durationS} s…`);
  const paced = await openLoop({ client, path: path_, nextBody, ratePerS: pacedRate, warmupMs: 1000, durationMs: durationS * 1000 });
  describe(`open loop ${pacedRate}/s`, paced);
  if (paced.lateSendsMs > 20) log(`note: the load generator itself fell behind by up to ${paced.lateSendsMs.toFixed(0)} ms (counted in the latencies)`);
  const p99 = percentile(paced.latenciesMs, 99);
  client.close();
  await server.stop();

  if (profileDir) {
    for (const file of fs.readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))) log(summariseCpuProfile(path.join(profileDir, file), repoRoot));
    log(`CPU profiles kept in ${profileDir}`);
  }

  // What the server wrote per report (the bench checks it stored more than it answered).
  const counts = await city.withDatabase(async (database) => {
    const [row] = await database.rows<Record<string, number>>(sql`SELECT
        (SELECT count(*) FROM cases)::int AS cases, (SELECT count(*) FROM case_events WHERE action = 'submit')::int AS submit_events,
        (SELECT count(*) FROM sla_timers)::int AS sla_timers, (SELECT count(*) FROM audit_log WHERE action = 'case.submit')::int AS audit_records,
        (SELECT count(*) FROM outbox)::int AS outbox_rows`);
    return row;
  });
  log(`stored: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);

  const summary: Record<string, unknown> = { db: engine, reports_per_s: Math.round(maxRate), p99_ms: round(p99) };
  if (engine === 'postgres' && !values['skip-pgbench']) {
    const pgbench = findPgbench();
    if (!pgbench) throw new Error('pgbench not found (apt-get install postgresql-client, or put /usr/lib/postgresql/*/bin on PATH)');
    log(`pgbench: two inserts per transaction, -c ${concurrency} -j 2 -T ${durationS}…`);
    const limit = await pgbenchTwoInserts({ pgbench, databaseUrl: city.server.databaseUrl!, clients: concurrency, threads: 2, durationS, scriptDir: city.server.dataDir });
    log(`pgbench: ${limit.transactions} transactions, ${limit.tps.toFixed(0)} tps, latency average ${limit.latencyAverageMs} ms`);
    summary.pg_limit_per_s = Math.round(limit.tps);
    summary.ratio = round(maxRate / limit.tps, 2);
  }
  if (pacedRate < targetRate) {
    summary.p99_rate_per_s = pacedRate;
    summary.target_rate_reached = false;
  }
  const failed = Object.values(max.failures).reduce((a, b) => a + b, 0) + Object.values(paced.failures).reduce((a, b) => a + b, 0);
  if (failed) summary.failed_requests = failed;
  console.log(JSON.stringify(summary));
}

try {
  await main();
} catch (error) {
  log(`bench:intake failed: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
} finally {
  await cleanup.run();
}
