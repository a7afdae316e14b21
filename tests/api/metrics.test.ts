import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { insertDefaultCategories } from '../../src/modules/cases/case-categories.repository.ts';
import { measureNames, metricTriggerSql } from '../../src/modules/metrics/metric-measures.ts';
import {
  compactMetricDeltas,
  findMetricNode,
  naiveCounters,
  rollupCounters,
  type Counters,
  type MetricNode,
  type MonthRange,
} from '../../src/modules/metrics/metrics.repository.ts';
import { mulberry32 } from '../../src/shared/random.ts';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;

interface RawCase {
  id: number;
  region_path: string;
  category_id: number | null;
  channel: string;
  status: string;
  triage_color: string;
  overdue: boolean;
  supervised: boolean;
  reopen_count: number;
  created_at: Date;
  dispatched_at: Date | null;
  contacted_at: Date | null;
  contact_due_at: Date | null;
  replied_at: Date | null;
  rating_resolved: boolean | null;
  rating_satisfaction: string | null;
  departments: number[];
}

/**
 * The reference: every measure written again in plain JavaScript over the raw rows, independently of
 * the SQL in metric-measures.ts. The rollups, the naive SQL and this must agree exactly.
 */
function referenceValue(name: string, c: RawCase): number {
  const notMerged = c.status !== 'merged';
  const open = !['closed', 'declined', 'merged'].includes(c.status);
  const dispatched = c.dispatched_at !== null && notMerged;
  const contacted = dispatched && c.contacted_at !== null;
  const replied = c.replied_at !== null && notMerged;
  const rated = c.rating_satisfaction !== null && notMerged;
  const seconds = (later: Date | null, earlier: Date | null) => Math.floor((later!.getTime() - earlier!.getTime()) / 1000);
  if (name.startsWith('channel_')) return c.channel === name.slice(8) ? 1 : 0;
  if (name.startsWith('color_')) return c.triage_color === name.slice(6) ? 1 : 0;
  const values: Record<string, () => number | boolean> = {
    received: () => 1,
    merged: () => c.status === 'merged',
    declined: () => c.status === 'declined',
    backlog: () => open,
    overdue: () => c.overdue && notMerged,
    overdue_open: () => c.overdue && open,
    supervised: () => c.supervised && notMerged,
    reopened: () => c.reopen_count > 0 && notMerged,
    dispatched: () => dispatched,
    dispatch_seconds: () => (dispatched ? seconds(c.dispatched_at, c.created_at) : 0),
    contacted: () => contacted,
    contacted_in_time: () => contacted && c.contact_due_at !== null && c.contacted_at!.getTime() <= c.contact_due_at.getTime(),
    contact_seconds: () => (contacted ? seconds(c.contacted_at, c.dispatched_at) : 0),
    replied: () => replied,
    reply_seconds: () => (replied ? seconds(c.replied_at, c.created_at) : 0),
    closed: () => c.status === 'closed',
    rated: () => rated,
    rated_resolved: () => rated && c.rating_resolved === true,
    satisfied: () => rated && c.rating_satisfaction === 'satisfied',
    basically_satisfied: () => rated && c.rating_satisfaction === 'basically_satisfied',
    dissatisfied: () => rated && c.rating_satisfaction === 'dissatisfied',
  };
  const value = values[name];
  if (!value) throw new Error(`the reference does not know measure ${name}`);
  return Number(value());
}

/** 'YYYY-MM' of a moment in China Standard Time (UTC+8, no daylight saving). */
const monthInChina = (at: Date) => new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 7);

const key = (month: string, categoryId: number) => `${month}|${categoryId}`;
const asMap = (rows: Array<{ month: string; categoryId: number; counters: Counters }>) => {
  const map: Record<string, Counters> = {};
  for (const row of rows) {
    // A group whose every counter is zero is the same as no group at all.
    if (Object.values(row.counters).some((v) => v !== 0)) map[key(row.month, row.categoryId)] = row.counters;
  }
  return map;
};

describe('command centre metrics', () => {
  let t: TestApp;
  let city: City;
  let categories: number[];
  const cookie: Record<string, string> = {};
  // Seeded, so a failure can be replayed.
  const rng = mulberry32(20261125);

  const db = () => t.context.database;

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    await insertDefaultCategories(t.context.database, t.context.database.db, city.cityId);
    categories = (await db().rows<{ id: number }>(sql`SELECT id FROM case_categories WHERE city_id = ${city.cityId} ORDER BY id`)).map((r) => Number(r.id));
    for (const name of ['gridworker', 'dispatcher', 'street', 'water', 'cityadmin', 'orgdept', 'district']) cookie[name] = await t.login(name);
  });
  afterAll(async () => t?.close());

  async function loadRawCases(): Promise<RawCase[]> {
    const rows = await db().rows<Record<string, unknown>>(
      sql`SELECT c.*, COALESCE((SELECT array_agg(DISTINCT s.department_id) FROM case_summonses s WHERE s.case_id = c.id), '{}') AS departments
          FROM cases c WHERE c.city_id = ${city.cityId}`,
    );
    const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
    return rows.map((r) => ({
      id: Number(r.id),
      region_path: String(r.region_path),
      category_id: r.category_id === null ? null : Number(r.category_id),
      channel: String(r.channel),
      status: String(r.status),
      triage_color: String(r.triage_color),
      overdue: Boolean(r.overdue),
      supervised: Boolean(r.supervised),
      reopen_count: Number(r.reopen_count),
      created_at: date(r.created_at)!,
      dispatched_at: date(r.dispatched_at),
      contacted_at: date(r.contacted_at),
      contact_due_at: date(r.contact_due_at),
      replied_at: date(r.replied_at),
      rating_resolved: r.rating_resolved === null ? null : Boolean(r.rating_resolved),
      rating_satisfaction: (r.rating_satisfaction as string | null) ?? null,
      departments: (typeof r.departments === 'string' ? (r.departments as string).replace(/[{}]/g, '').split(',').filter(Boolean) : (r.departments as unknown[])).map(Number),
    }));
  }

  function reference(raw: RawCase[], node: MetricNode, range: MonthRange) {
    const from = range.from.slice(0, 7);
    const to = range.to.slice(0, 7);
    const map: Record<string, Counters> = {};
    for (const c of raw) {
      const month = monthInChina(c.created_at);
      if (month < from || month >= to) continue;
      const inside = node.kind === 'region' ? c.region_path.startsWith(node.path!) : c.departments.includes(node.id);
      if (!inside) continue;
      const counters = (map[key(month, c.category_id ?? 0)] ??= Object.fromEntries(measureNames.map((n) => [n, 0])));
      for (const name of measureNames) counters[name] += referenceValue(name, c);
    }
    return map;
  }

  async function allNodes(): Promise<MetricNode[]> {
    const regions = await db().rows<{ id: number }>(sql`SELECT id FROM region_nodes WHERE city_id = ${city.cityId} AND level <> 'building'`);
    const nodes: MetricNode[] = [];
    for (const r of regions) nodes.push((await findMetricNode(db(), city.cityId, 'region', Number(r.id)))!);
    for (const unit of [city.department, city.otherDepartment]) nodes.push((await findMetricNode(db(), city.cityId, 'department', unit.id))!);
    return nodes;
  }

  /** Every node × several ranges: rollups (plus pending deltas) = naive SQL = JavaScript reference. */
  async function expectAllEqual(ranges: MonthRange[]) {
    const raw = await loadRawCases();
    let compared = 0;
    for (const node of await allNodes()) {
      for (const range of ranges) {
        const rolled = asMap(await rollupCounters(db(), node, range));
        const naive = asMap(await naiveCounters(db(), node, range));
        const expected = reference(raw, node, range);
        expect(naive, `naive SQL vs reference for ${node.kind}:${node.name} ${range.from}`).toEqual(expected);
        expect(rolled, `rollups vs reference for ${node.kind}:${node.name} ${range.from}`).toEqual(expected);
        compared++;
      }
    }
    return compared;
  }

  it('the database runs exactly the trigger text generated from the measures (one definition)', async () => {
    const generated = metricTriggerSql();
    const names = [...generated.matchAll(/CREATE OR REPLACE FUNCTION (\w+)\(/g)].map((m) => m[1]);
    expect(names.length).toBe(6);
    for (const name of names) {
      const body = new RegExp(`FUNCTION ${name}\\([^)]*\\)[^$]*\\$fn\\$([\\s\\S]*?)\\$fn\\$`).exec(generated)![1];
      const [row] = await db().rows<{ prosrc: string }>(sql`SELECT prosrc FROM pg_proc WHERE proname = ${name}`);
      expect(row?.prosrc, name).toBe(body);
    }
  });

  const act = (who: string, caseId: number, body: object) =>
    t.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/actions`, headers: { cookie: cookie[who] }, payload: body });
  const ok = async (who: string, caseId: number, body: object) => {
    const response = await act(who, caseId, body);
    expect(response.statusCode, `${JSON.stringify(body)}: ${response.body}`).toBe(200);
  };
  async function report(description = '楼下路灯不亮，晚上看不清路') {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/public/cases',
      payload: { placeCode: city.a.building.code, categoryCode: 'roads_facilities', description },
    });
    expect(response.statusCode, response.body).toBe(201);
    const [row] = await db().rows<{ id: number }>(sql`SELECT id FROM cases WHERE tracking_token = ${response.json().trackingToken}`);
    return { id: Number(row.id), token: response.json().trackingToken as string };
  }
  const rate = (token: string, satisfaction: string, resolved: boolean) =>
    t.app.inject({ method: 'POST', url: `/api/v1/public/cases/${token}/rating`, payload: { satisfaction, resolved } });

  let thisMonth: MonthRange;

  it('a real loop: escalation, a department summoned in two rounds, a reopen, a merge and a decline count as they should', async () => {
    const now = new Date();
    const month = monthInChina(now);
    const [y, m] = month.split('-').map(Number);
    thisMonth = { from: `${month}-01`, to: m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01` };

    const plain = await report();
    await ok('dispatcher', plain.id, { action: 'dispatch' });
    await ok('gridworker', plain.id, { action: 'record_contact' });
    await ok('gridworker', plain.id, { action: 'reply', note: '已修好' });
    await ok('dispatcher', plain.id, { action: 'callback', note: '回访' });
    const rated = await rate(plain.token, 'satisfied', true);
    expect([200, 201]).toContain(rated.statusCode);

    const hard = await report('小区供水管道漏水严重');
    await ok('dispatcher', hard.id, { action: 'dispatch' });
    await ok('gridworker', hard.id, { action: 'record_contact' });
    await ok('gridworker', hard.id, { action: 'escalate' });
    await ok('dispatcher', hard.id, { action: 'escalate' });
    await ok('street', hard.id, { action: 'summon', departmentIds: [city.department.id] });
    await ok('water', hard.id, { action: 'report_in', departmentId: city.department.id });
    await ok('water', hard.id, { action: 'department_reply', departmentId: city.department.id, note: '已维修' });
    await ok('street', hard.id, { action: 'reply', note: '已由水务局维修' });
    await ok('street', hard.id, { action: 'callback', note: '回访' });
    expect((await rate(hard.token, 'dissatisfied', false)).statusCode).toBeLessThan(300);
    const reopened = await t.app.inject({ method: 'POST', url: `/api/v1/public/cases/${hard.token}/reopen`, payload: { reason: '还在漏' } });
    expect(reopened.statusCode, reopened.body).toBeLessThan(300);
    await ok('dispatcher', hard.id, { action: 'dispatch' });
    await ok('gridworker', hard.id, { action: 'record_contact' });
    await ok('gridworker', hard.id, { action: 'escalate' });
    await ok('dispatcher', hard.id, { action: 'escalate' });
    await ok('street', hard.id, { action: 'summon', departmentIds: [city.department.id] });

    const duplicate = await report('路灯不亮');
    await ok('dispatcher', duplicate.id, { action: 'merge', intoCaseId: plain.id });
    const spam = await report('测试一下');
    await ok('dispatcher', spam.id, { action: 'decline', reason: '测试信息' });

    const street = (await findMetricNode(db(), city.cityId, 'region', city.a.street.id))!;
    const [streetRow] = (await rollupCounters(db(), street, thisMonth)).filter((r) => r.counters.received > 0);
    expect(streetRow.counters).toMatchObject({ received: 4, merged: 1, declined: 1, dispatched: 2, contacted: 2, rated: 1, satisfied: 1, reopened: 1, backlog: 2 });
    const department = (await findMetricNode(db(), city.cityId, 'department', city.department.id))!;
    const deptRows = await rollupCounters(db(), department, thisMonth);
    // Summoned in two rounds, counted once.
    expect(deptRows.reduce((sum, r) => sum + r.counters.received, 0)).toBe(1);
    await expectAllEqual([thisMonth]);
  });

  it('generated history across month boundaries, with re-dated, re-categorised, re-rated and un-summoned cases, matches before, during and after compaction', async () => {
    const months = ['2026-01', '2026-02', '2026-03'];
    // Boundaries in China time: 2026-02-01 00:00 CST is 2026-01-31 16:00 UTC.
    const boundary = Date.UTC(2026, 0, 31, 16, 0, 0);
    const paths = [city.a.grid.path, city.a.grid2.path, city.a.building.path, city.b.grid.path, city.b.building.path, city.a.community.path];
    const statuses = ['submitted', 'dispatched', 'in_progress', 'summoned', 'replied', 'called_back', 'rated', 'closed', 'declined', 'merged'];
    const rows: string[] = [];
    for (let i = 0; i < 400; i++) {
      const created = i % 20 === 0 ? boundary + (i % 40 === 0 ? -1000 : 0) : Date.UTC(2026, Math.floor(rng() * 3), 1 + Math.floor(rng() * 28), Math.floor(rng() * 24), Math.floor(rng() * 60));
      const status = statuses[Math.floor(rng() * statuses.length)];
      const dispatched = status !== 'submitted' && rng() < 0.9 ? created + Math.floor(rng() * 7200_000) : null;
      const contacted = dispatched && rng() < 0.85 ? dispatched + Math.floor(rng() * 3600_000) : null;
      const due = dispatched ? dispatched + 1800_000 : null;
      const replied = contacted && ['replied', 'called_back', 'rated', 'closed'].includes(status) ? contacted + Math.floor(rng() * 5 * 86400_000) : null;
      const ratedNow = replied && ['rated', 'closed'].includes(status) && rng() < 0.8;
      const satisfaction = ratedNow ? ['satisfied', 'basically_satisfied', 'dissatisfied'][Math.floor(rng() * 3)] : null;
      const ts = (ms: number | null) => (ms === null ? 'NULL' : `'${new Date(ms).toISOString()}'::timestamptz`);
      const category = rng() < 0.1 ? 'NULL' : String(categories[Math.floor(rng() * categories.length)]);
      rows.push(
        `(${city.cityId}, 'H${i}', 'token-metrics-${i}', '${['qr', 'h5', 'grid_worker', 'hotline', 'open311'][i % 5]}', '${status}', ${category}, '${['red', 'orange', 'yellow', 'green'][Math.floor(rng() * 4)]}',
          '历史工单${i}', '描述', '${paths[Math.floor(rng() * paths.length)]}', ${rng() < 0.2}, ${rng() < 0.1}, ${rng() < 0.1 ? 1 : 0},
          ${ts(created)}, ${ts(dispatched)}, ${ts(contacted)}, ${ts(due)}, ${ts(replied)}, ${satisfaction ? String(rng() < 0.7) : 'NULL'}, ${satisfaction ? `'${satisfaction}'` : 'NULL'})`,
      );
    }
    // Two statements, so the insert trigger handles several grouped batches.
    for (const part of [rows.slice(0, 150), rows.slice(150)]) {
      await db().db.execute(
        sql.raw(`INSERT INTO cases (city_id, number, tracking_token, channel, status, category_id, triage_color, title, description, region_path, overdue, supervised, reopen_count,
          created_at, dispatched_at, contacted_at, contact_due_at, replied_at, rating_resolved, rating_satisfaction) VALUES ${part.join(',\n')}`),
      );
    }
    const ids = (await db().rows<{ id: number }>(sql`SELECT id FROM cases WHERE tracking_token LIKE 'token-metrics-%' ORDER BY id`)).map((r) => Number(r.id));
    // Departments: some summoned once, some twice (two rounds), some to both.
    const summonses: string[] = [];
    ids.forEach((id, k) => {
      if (k % 5 === 0) summonses.push(`(${city.cityId}, ${id}, ${city.department.id})`);
      if (k % 10 === 0) summonses.push(`(${city.cityId}, ${id}, ${city.department.id})`);
      if (k % 15 === 0) summonses.push(`(${city.cityId}, ${id}, ${city.otherDepartment.id})`);
    });
    await db().db.execute(sql.raw(`INSERT INTO case_summonses (city_id, case_id, department_id) VALUES ${summonses.join(', ')}`));
    const ranges: MonthRange[] = [...months.map((m) => ({ from: `${m}-01`, to: m === '2026-03' ? '2026-04-01' : `2026-0${Number(m.slice(5)) + 1}-01` })), { from: '2026-01-01', to: '2026-04-01' }];
    await expectAllEqual(ranges);

    // Changes after the fact: a case moved across a month boundary, re-categorised, re-rated, reopened,
    // moved to the other side's grid, a summons withdrawn, and a case deleted.
    await db().db.execute(sql`UPDATE cases SET created_at = created_at + interval '20 days' WHERE id = ANY(${`{${ids.slice(0, 40).join(',')}}`}::bigint[])`);
    await db().db.execute(sql`UPDATE cases SET category_id = ${categories[0]} WHERE id = ANY(${`{${ids.slice(40, 60).join(',')}}`}::bigint[])`);
    await db().db.execute(sql`UPDATE cases SET rating_satisfaction = 'satisfied', rating_resolved = true WHERE id = ANY(${`{${ids.slice(60, 90).join(',')}}`}::bigint[]) AND replied_at IS NOT NULL`);
    await db().db.execute(sql`UPDATE cases SET rating_satisfaction = NULL, rating_resolved = NULL, reopen_count = 1, status = 'submitted' WHERE id = ANY(${`{${ids.slice(90, 110).join(',')}}`}::bigint[])`);
    await db().db.execute(sql`UPDATE cases SET region_path = ${city.b.grid.path} WHERE id = ANY(${`{${ids.slice(110, 130).join(',')}}`}::bigint[])`);
    await db().db.execute(sql`DELETE FROM case_summonses WHERE case_id = ${ids[0]}`);
    await db().db.execute(sql`DELETE FROM case_summonses WHERE id = (SELECT min(id) FROM case_summonses WHERE case_id = ${ids[10]})`);
    await db().db.execute(sql`DELETE FROM cases WHERE id = ${ids[399]}`);
    await expectAllEqual(ranges);

    // Part-way through compaction, then fully compacted: still the same answers.
    await compactMetricDeltas(db(), 7);
    await expectAllEqual(ranges);
    while ((await compactMetricDeltas(db(), 1000)) > 0);
    const [{ pending }] = await db().rows<{ pending: number }>(sql`SELECT count(*)::int AS pending FROM case_metric_deltas`);
    expect(Number(pending)).toBe(0);
    const compared = await expectAllEqual([...ranges, thisMonth]);
    expect(compared).toBeGreaterThan(40);
  });

  it('a case contacted on a holiday counts against the clock its working calendar set', async () => {
    // Dispatched on the eve of a holiday at 17:50; with the clock due the next working morning, a contact
    // during the holiday is in time, one after the due time is not.
    const base = Date.UTC(2026, 9, 1, 9, 50); // 2026-10-01 17:50 CST, National Day
    const due = Date.UTC(2026, 9, 8, 1, 0); // 2026-10-08 09:00 CST, first working day after
    const insert = (token: string, contacted: number) =>
      db().db.execute(sql`INSERT INTO cases (city_id, number, tracking_token, channel, status, triage_color, title, description, region_path, created_at, dispatched_at, contacted_at, contact_due_at)
        VALUES (${city.cityId}, ${token}, ${token}, 'hotline', 'in_progress', 'yellow', '国庆期间来电', '描述', ${city.a.grid.path},
          ${new Date(base).toISOString()}, ${new Date(base).toISOString()}, ${new Date(contacted).toISOString()}, ${new Date(due).toISOString()})`);
    await insert('holiday-in-time', Date.UTC(2026, 9, 3, 2, 0));
    await insert('holiday-late', due + 60_000);
    const grid = (await findMetricNode(db(), city.cityId, 'region', city.a.grid.id))!;
    const [row] = await rollupCounters(db(), grid, { from: '2026-10-01', to: '2026-11-01' });
    expect(row.counters).toMatchObject({ dispatched: 2, contacted: 2, contacted_in_time: 1 });
    await expectAllEqual([{ from: '2026-10-01', to: '2026-11-01' }]);
  });

  it('the drill-down lists exactly the cases each figure counts', async () => {
    const nodes = [
      (await findMetricNode(db(), city.cityId, 'region', city.city.id))!,
      (await findMetricNode(db(), city.cityId, 'region', city.a.street.id))!,
      (await findMetricNode(db(), city.cityId, 'department', city.department.id))!,
    ];
    for (const node of nodes) {
      const range = { from: '2026-01', to: '2026-03' };
      const rows = await rollupCounters(db(), node, { from: '2026-01-01', to: '2026-04-01' });
      const totals: Counters = Object.fromEntries(measureNames.map((n) => [n, 0]));
      for (const row of rows) for (const n of measureNames) totals[n] += row.counters[n];
      for (const measure of measureNames.filter((n) => !n.endsWith('_seconds'))) {
        const response = await t.app.inject({
          method: 'GET',
          url: `/api/v1/metrics/cases?node=${node.kind}:${node.id}&from=${range.from}&to=${range.to}&measure=${measure}&pageSize=5`,
          headers: { cookie: cookie.cityadmin },
        });
        expect(response.statusCode, response.body).toBe(200);
        expect(response.json().total, `${node.name} ${measure}`).toBe(totals[measure]);
      }
      const byCategory = rows.find((r) => r.categoryId !== 0 && r.counters.received > 0)!;
      const response = await t.app.inject({
        method: 'GET',
        url: `/api/v1/metrics/cases?node=${node.kind}:${node.id}&from=${byCategory.month}&measure=received&categoryId=${byCategory.categoryId}`,
        headers: { cookie: cookie.cityadmin },
      });
      expect(response.json().total).toBe(byCategory.counters.received);
    }
  });

  it('figures are scoped by the region tree: a street officer sees their street by default and never the other', async () => {
    const mine = await t.app.inject({ method: 'GET', url: '/api/v1/metrics?from=2026-01&to=2026-03', headers: { cookie: cookie.street } });
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json().node).toMatchObject({ kind: 'region', id: city.a.street.id });
    expect(mine.json().rates.response.denominator).toBe(mine.json().counters.dispatched);
    const other = await t.app.inject({ method: 'GET', url: `/api/v1/metrics?node=region:${city.b.street.id}&from=2026-01`, headers: { cookie: cookie.street } });
    expect(other.statusCode).toBe(403);
    const otherCases = await t.app.inject({ method: 'GET', url: `/api/v1/metrics/cases?node=region:${city.b.grid.id}&from=2026-01&measure=received`, headers: { cookie: cookie.street } });
    expect(otherCases.statusCode).toBe(403);
    const departmentOwn = await t.app.inject({ method: 'GET', url: '/api/v1/metrics?from=2026-01', headers: { cookie: cookie.water } });
    expect(departmentOwn.json().node).toMatchObject({ kind: 'department', id: city.department.id });
    const departmentOther = await t.app.inject({ method: 'GET', url: `/api/v1/metrics?node=department:${city.otherDepartment.id}&from=2026-01`, headers: { cookie: cookie.water } });
    expect(departmentOther.statusCode).toBe(403);
    const worker = await t.app.inject({ method: 'GET', url: '/api/v1/metrics?from=2026-01', headers: { cookie: cookie.gridworker } });
    expect(worker.statusCode).toBe(403);
    const org = await t.app.inject({ method: 'GET', url: `/api/v1/metrics/rankings?level=department&from=2026-01&to=2026-03`, headers: { cookie: cookie.orgdept } });
    expect(org.statusCode, org.body).toBe(200);
    expect(org.json().items.map((i: { node: { id: number } }) => i.node.id).sort()).toEqual([city.department.id, city.otherDepartment.id].sort());
    const streets = await t.app.inject({ method: 'GET', url: `/api/v1/metrics/rankings?level=street&from=2026-01&to=2026-03&sort=received`, headers: { cookie: cookie.district } });
    expect(streets.json().items.map((i: { node: { id: number } }) => i.node.id)).toEqual([city.a.street.id]);
  });

  it('hot topics: words segmented with jieba, stop words removed, counted once per case, with the previous month', async () => {
    const insert = (token: string, at: string, description: string, path = city.a.grid.path) =>
      db().db.execute(sql`INSERT INTO cases (city_id, number, tracking_token, channel, status, triage_color, title, description, region_path, created_at)
        VALUES (${city.cityId}, ${token}, ${token}, 'hotline', 'submitted', 'yellow', '居民来电', ${description}, ${path}, ${at})`);
    await insert('topic-1', '2026-05-03T02:00:00Z', '小区水管漏水漏水，希望尽快解决');
    await insert('topic-2', '2026-05-04T02:00:00Z', '楼上漏水，天花板发霉');
    await insert('topic-3', '2026-05-05T02:00:00Z', '停车位被占用，车辆乱停');
    await insert('topic-4', '2026-04-05T02:00:00Z', '车辆乱停，堵住消防通道');
    await insert('topic-other-side', '2026-05-05T02:00:00Z', '漏水漏水漏水', city.b.grid.path);
    const response = await t.app.inject({ method: 'GET', url: `/api/v1/metrics/hot-topics?node=region:${city.a.grid.id}&from=2026-05`, headers: { cookie: cookie.street } });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json() as { casesRead: number; topics: Array<{ word: string; count: number; previousCount: number; trend: string }> };
    expect(body.casesRead).toBe(3);
    const words = Object.fromEntries(body.topics.map((topic) => [topic.word, topic]));
    expect(words['漏水']).toMatchObject({ count: 2, previousCount: 0, trend: 'up' });
    expect(words['车辆']).toMatchObject({ count: 1, previousCount: 1, trend: 'flat' });
    for (const stop of ['希望', '解决', '小区', '尽快', '居民']) expect(words[stop], stop).toBeUndefined();
  });

  it('answers bad input with 4xx and a JSON error', async () => {
    const bad = [
      '/api/v1/metrics?from=2026-13',
      '/api/v1/metrics?from=2026-03&to=2026-01',
      '/api/v1/metrics?from=2020-01&to=2026-01',
      '/api/v1/metrics?from=2026-01&node=region:abc',
      '/api/v1/metrics?from=2026-01&node=region:999999999',
      `/api/v1/metrics?from=2026-01&node=region:${city.a.building.id}`,
      '/api/v1/metrics/cases?from=2026-01&measure=nonsense',
      '/api/v1/metrics/trend?granularity=day&from=2026-01-01&to=2026-12-31',
      '/api/v1/metrics/rankings?from=2026-01&level=building',
    ];
    for (const url of bad) {
      const response = await t.app.inject({ method: 'GET', url, headers: { cookie: cookie.cityadmin } });
      expect(response.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, url).toBeLessThan(500);
      expect(response.json().error.code, url).toBeTruthy();
    }
  });

  it('the city sets its own rate definitions and weights; only the city administrator may', async () => {
    const before = (await t.app.inject({ method: 'GET', url: '/api/v1/metrics?from=2026-01&to=2026-03', headers: { cookie: cookie.cityadmin } })).json();
    const refused = await t.app.inject({ method: 'PUT', url: '/api/v1/metrics/settings', headers: { cookie: cookie.street }, payload: { satisfactionIncludesBasic: false } });
    expect(refused.statusCode).toBe(403);
    const saved = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/metrics/settings',
      headers: { cookie: cookie.cityadmin },
      payload: { satisfactionIncludesBasic: false, weights: { response: 0, resolution: 0, satisfaction: 1 } },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const after = (await t.app.inject({ method: 'GET', url: '/api/v1/metrics?from=2026-01&to=2026-03', headers: { cookie: cookie.cityadmin } })).json();
    expect(after.rates.satisfaction.numerator).toBe(before.counters.satisfied);
    expect(after.rates.composite).toBeCloseTo(after.rates.satisfaction.value * 100, 1);
    const zero = await t.app.inject({ method: 'PUT', url: '/api/v1/metrics/settings', headers: { cookie: cookie.cityadmin }, payload: { weights: { response: 0, resolution: 0, satisfaction: 0 } } });
    expect(zero.statusCode).toBe(400);
  });
});
