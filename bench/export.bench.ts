/**
 * Excel export benchmark: the case ledger of a whole city (GET /api/v1/metrics/cases.xlsx) with a million
 * cases, downloaded over HTTP from the real server in a separate process, while the server's memory is sampled.
 * Run: npm run bench:export [-- --db pglite] [--cases 1000000] [--months 36] [--keep-file]
 *
 * 1. a scratch database (PostgreSQL `cg_bench_export_<random>` on DATABASE_URL's server, default 127.0.0.1:5432,
 *    or PGlite in a temp directory) with the small demo city and N cases of history over --months months up to
 *    now (`civicgrid seed --cases N --months M`; without that command, INSERT … SELECT generate_series blocks here);
 * 2. the server as a child process; the organisation department's demo account (city-wide, no TOTP) logs in;
 * 3. the download is streamed to a temp file while the server's VmRSS (/proc/<pid>/status) is read every 50 ms;
 * 4. meanwhile GET /api/v1/metrics every 500 ms: the server keeps answering (no transaction spans the download);
 * 5. the file is read back with ExcelJS's streaming reader: header and row count checked against the database.
 * Progress goes to stderr; the LAST line on stdout is the JSON summary
 * {"rows":N,"db":"postgres","peak_rss_mb":X,"seconds":S,"rows_per_s":R,"baseline_rss_mb":B}. Target: peak RSS below
 * 300 MB (on PostgreSQL; on PGlite the server process also holds the database).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { DEFAULT_DEMO_PASSWORD } from '../src/config.ts';
import { caseLedgerHeaders } from '../src/modules/metrics/metrics-export.service.ts';
import { prepareDemoCity } from './support/demo-city.ts';
import { Cleanup, DEFAULT_POSTGRES_URL, makeTempDir } from './support/scratch.ts';
import { ServerProcess, repoRoot, runCli } from './support/server-process.ts';

await runBench();

async function runBench() {
  const { values } = parseArgs({
    options: {
      db: { type: 'string', default: 'postgres' },
      cases: { type: 'string', default: '1000000' },
      months: { type: 'string', default: '36' },
      'keep-file': { type: 'boolean', default: false },
    },
  });
  const engine = values.db as 'postgres' | 'pglite';
  if (engine !== 'postgres' && engine !== 'pglite') throw new Error('--db must be postgres or pglite');
  const caseCount = Number(values.cases);
  const months = Number(values.months);
  if (!(Number.isInteger(caseCount) && caseCount > 0)) throw new Error('--cases must be a positive integer');
  if (!(Number.isInteger(months) && months >= 1 && months <= 60)) throw new Error('--months must be 1 to 60 (the longest period a figure covers)');

  const log = (line: string) => process.stderr.write(`${line}\n`);
  const cleanup = new Cleanup();
  const seconds = (from: number) => `${((performance.now() - from) / 1000).toFixed(1)} s`;

  // The period: --months months in China time, ending with this month (as `civicgrid seed --cases` fills them).
  const now = new Date(Date.now() + 8 * 3600_000);
  const lastIndex = now.getUTCFullYear() * 12 + now.getUTCMonth();
  const firstIndex = lastIndex - months + 1;
  const monthText = (index: number) => `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
  const from = monthText(firstIndex);
  const to = monthText(lastIndex);

  try {
    log(`bench:export on ${engine}, ${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(1)} GB, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const city = await prepareDemoCity({ engine, adminUrl: process.env.DATABASE_URL || DEFAULT_POSTGRES_URL, prefix: 'cg_bench_export', cleanup, log });

    let started = performance.now();
    const seededByCli = fs.existsSync(path.join(repoRoot, 'src/modules/demo/seed-history.ts'))
      ? await runCli(['seed', '--cases', String(caseCount), '--months', String(months)], city.server).then(
          () => true,
          (error: Error) => {
            log(`civicgrid seed --cases failed, inserting here instead: ${error.message.split('\n')[0]}`);
            return false;
          },
        )
      : false;
    const { cityId, total, all } = await city.withDatabase(async (database) => {
      const [root] = await database.rows<{ id: number; city_id: number }>(sql`SELECT id, city_id FROM region_nodes WHERE level = 'city' ORDER BY id LIMIT 1`);
      if (!seededByCli) {
        // Up to 100,000 cases per statement (PGlite keeps a statement's transition tables in its wasm heap).
        for (let start = 1; start <= caseCount; start += 100_000) {
          const end = Math.min(caseCount, start + 99_999);
          await database.db.execute(sql`
            WITH b AS (SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, city_id, parent_id, path FROM region_nodes WHERE level = 'building' AND valid_to IS NULL),
                 nb AS (SELECT count(*) AS n FROM b),
                 cat AS (SELECT array_agg(id ORDER BY id) AS ids FROM case_categories WHERE active)
            INSERT INTO cases (city_id, number, tracking_token, channel, status, holder_level, triage_color, category_id, title, description, region_path, grid_id, building_id,
              overdue, supervised, reopen_count, created_at, dispatched_at, contacted_at, contact_due_at, replied_at, rated_at, closed_at, rating_resolved, rating_satisfaction)
            SELECT b.city_id, 'E' || lpad(g::text, 8, '0'), md5('export-' || g), (ARRAY['qr','h5','grid_worker','hotline','open311'])[1 + g % 5],
              s.status, 'grid', (ARRAY['red','orange','yellow','green','yellow','green'])[1 + g % 6], cat.ids[1 + g % array_length(cat.ids, 1)],
              '人行道上的路沿石破损 ' || g, '人行道上的路沿石破损，轮椅和婴儿车都过不去，请尽快派人来看看。', b.path, b.parent_id, b.id,
              g % 23 = 0, g % 41 = 0, (g % 37 = 0)::int,
              t.created, t.created + interval '25 minutes', t.created + interval '55 minutes', t.created + interval '55 minutes' + (g % 3) * interval '10 minutes',
              CASE WHEN s.rank >= 4 THEN t.created + interval '2 days' END, CASE WHEN s.rank >= 6 THEN t.created + interval '3 days' END,
              CASE WHEN s.status = 'closed' THEN t.created + interval '4 days' END,
              CASE WHEN s.rank >= 6 THEN g % 5 > 0 END, CASE WHEN s.rank >= 6 THEN (ARRAY['satisfied','satisfied','basically_satisfied','dissatisfied'])[1 + g % 4] END
            FROM generate_series(${start}::int, ${end}::int) g
            JOIN b ON b.k = g % (SELECT n FROM nb)
            CROSS JOIN cat
            CROSS JOIN LATERAL (SELECT (${`${from}-01 00:00:00+08`}::timestamptz
              + (g::float8 / ${caseCount}::float8) * (now() - interval '1 hour' - ${`${from}-01 00:00:00+08`}::timestamptz)) AS created) t
            CROSS JOIN LATERAL (SELECT (ARRAY['closed','closed','closed','closed','closed','rated','replied','in_progress','summoned','dispatched','submitted','declined'])[1 + g % 12] AS status) st
            CROSS JOIN LATERAL (SELECT st.status, CASE st.status WHEN 'closed' THEN 7 WHEN 'rated' THEN 6 WHEN 'replied' THEN 4 ELSE 2 END AS rank) s`);
          log(`  ${end.toLocaleString('en-US')} cases`);
        }
      }
      await database.db.execute(sql`VACUUM ANALYZE cases`);
      // What the ledger must hold: the city's cases received in the period (Beijing months).
      const [{ n, all }] = await database.rows<{ n: number; all: number }>(sql`SELECT
          count(*) FILTER (WHERE created_at >= ${`${from}-01 00:00:00+08`}::timestamptz AND created_at < ${`${monthText(lastIndex + 1)}-01 00:00:00+08`}::timestamptz)::bigint AS n,
          count(*)::bigint AS all FROM cases WHERE city_id = ${root.city_id}`);
      return { cityId: Number(root.id), total: Number(n), all: Number(all) };
    });
    log(`${all.toLocaleString('en-US')} cases ${seededByCli ? 'seeded by civicgrid seed --cases' : 'inserted'} in ${seconds(started)}; ${total.toLocaleString('en-US')} received ${from} to ${to}`);

    const server = new ServerProcess(city.server);
    cleanup.add('stop the server', () => server.stop());
    const startMs = await server.start(120_000);
    const pid = server.pid!;
    const status = () => fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (text: string, name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) / 1024;
    log(`server pid ${pid} answering after ${startMs.toFixed(0)} ms; RSS ${field(status(), 'VmRSS').toFixed(0)} MB`);

    const login = await fetch(`${server.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'orgdept', password: process.env.CIVICGRID_DEMO_PASSWORD || DEFAULT_DEMO_PASSWORD }),
    });
    if (login.status !== 200) throw new Error(`login answered ${login.status}: ${await login.text()}`);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    // Let the compactor fold the inserted deltas and the process settle before measuring.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const baseline = field(status(), 'VmRSS');

    const query = `node=region:${cityId}&from=${from}&to=${to}&measure=received`;
    const temp = await makeTempDir('cg-bench-export-');
    if (!values['keep-file']) cleanup.add(`remove ${temp.dir}`, () => temp.remove());
    const file = path.join(temp.dir, 'cases.xlsx');
    let peak = baseline;
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, field(status(), 'VmRSS'));
      } catch {
        // the process is gone; the download will fail too
      }
    }, 50);
    // Meanwhile the server must keep answering other requests (the export holds no transaction across batches).
    const probes: number[] = [];
    let probing: Promise<unknown> = Promise.resolve();
    const prober = setInterval(() => {
      probing = probing.then(async () => {
        const at = performance.now();
        const answer = await fetch(`${server.baseUrl}/api/v1/metrics?node=region:${cityId}&from=${to}`, { headers: { cookie } });
        await answer.arrayBuffer();
        if (answer.status === 200) probes.push(performance.now() - at);
      }).catch(() => undefined);
    }, 500);
    started = performance.now();
    let firstByteMs = 0;
    const response = await fetch(`${server.baseUrl}/api/v1/metrics/cases.xlsx?${query}`, { headers: { cookie } });
    if (response.status !== 200 || !response.body) throw new Error(`GET cases.xlsx answered ${response.status}: ${await response.text()}`);
    const announced = Number(response.headers.get('x-export-rows'));
    let bytes = 0;
    const body = Readable.fromWeb(response.body as never);
    body.on('data', (chunk: Buffer) => {
      if (bytes === 0) firstByteMs = performance.now() - started;
      bytes += chunk.length;
    });
    await pipeline(body, fs.createWriteStream(file));
    const elapsedS = (performance.now() - started) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, field(status(), 'VmRSS'));
    const hwm = field(status(), 'VmHWM');
    log(`downloaded ${(bytes / 2 ** 20).toFixed(1)} MB in ${elapsedS.toFixed(1)} s (first byte after ${firstByteMs.toFixed(0)} ms; X-Export-Rows ${announced}); ` +
      `server RSS ${baseline.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB during (VmHWM since start ${hwm.toFixed(0)} MB)`);

    clearInterval(prober);
    await probing;
    log(`other requests during the download (GET /api/v1/metrics every 500 ms): ${probes.length}, slowest ${Math.max(0, ...probes).toFixed(0)} ms`);
    await server.stop();

    started = performance.now();
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, { worksheets: 'emit', sharedStrings: 'cache', styles: 'ignore', hyperlinks: 'ignore', entries: 'emit' } as never);
    let rows = 0;
    let header: string[] = [];
    let firstNumber = '';
    for await (const worksheet of reader) {
      for await (const row of worksheet as unknown as AsyncIterable<{ number: number; values: unknown[] }>) {
        if (row.number === 1) header = (row.values as unknown[]).slice(1).map(String);
        else {
          if (rows === 0) firstNumber = String(row.values[1]);
          rows++;
        }
      }
    }
    log(`read back with ExcelJS's stream reader in ${seconds(started)}: ${rows.toLocaleString('en-US')} rows, first ${firstNumber}`);
    if (JSON.stringify(header) !== JSON.stringify(caseLedgerHeaders)) throw new Error(`unexpected header ${JSON.stringify(header)}`);
    if (rows !== total || announced !== total) throw new Error(`the file has ${rows} rows (announced ${announced}), the city received ${total} cases in the period`);
    if (values['keep-file']) log(`file kept: ${file}`);
    const peakMb = Math.round(peak);
    if (peakMb >= 300) log(`peak RSS ${peakMb} MB is above the 300 MB target`);
    // baseline_rss_mb: the idle server before the download (on PGlite it holds the database itself).
    console.log(JSON.stringify({ rows, db: engine, peak_rss_mb: peakMb, seconds: Math.round(elapsedS * 10) / 10, rows_per_s: Math.round(rows / elapsedS), baseline_rss_mb: Math.round(baseline) }));
  } catch (error) {
    log(`bench:export failed: ${(error as Error).stack ?? error}`);
    process.exitCode = 1;
  } finally {
    await cleanup.run();
  }
}
