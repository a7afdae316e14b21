import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../src/config.ts';
import type { AppContext } from '../../src/context.ts';
import { PersonalDataCipher } from '../../src/shared/personal-data.ts';
import { pointInPolygon } from '../../src/modules/geography/point-in-polygon.ts';
import { seedDemoCity } from '../../src/modules/demo/seed-demo.ts';
import { HISTORY_NUMBER_PREFIX, planDays, progressBar, seedCaseHistory, type SeedHistoryResult } from '../../src/modules/demo/seed-history.ts';
import { findMetricNode, naiveCounters, rollupCounters, type Counters, type MetricNode, type MonthRange } from '../../src/modules/metrics/metrics.repository.ts';
import { createTestDatabase } from '../support/test-database.ts';

type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;

const CASES = 3000;
/** A fixed "now" (Wednesday 25 November 2026, 15:20 China time), so the history is the same on every run. */
const NOW = new Date('2026-11-25T07:20:00Z');
const DAY_MS = 86_400_000;

interface Row {
  id: number;
  number: string;
  tracking_token: string;
  channel: string;
  status: string;
  holder_level: string;
  category_id: number;
  triage_color: string;
  region_path: string;
  grid_id: number;
  building_id: number | null;
  lng: number;
  lat: number;
  reopen_count: number;
  rating_satisfaction: string | null;
  rating_resolved: boolean | null;
  overdue: boolean;
  supervised: boolean;
  merged_into_case_id: number | null;
  created: number;
  dispatched: number | null;
  contacted: number | null;
  contact_due: number | null;
  replied: number | null;
  rated: number | null;
  closed: number | null;
  /** China time. */
  hour: number;
  dow: number;
  month: string;
}

const share = (rows: Row[], predicate: (r: Row) => boolean) => rows.filter(predicate).length / rows.length;
const countBy = <K extends string | number>(rows: Row[], key: (r: Row) => K) => {
  const counts = new Map<K, number>();
  for (const r of rows) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
  return counts;
};
const nonZero = (rows: Array<{ month: string; categoryId: number; counters: Counters }>) => {
  const map: Record<string, Counters> = {};
  for (const row of rows) if (Object.values(row.counters).some((v) => v !== 0)) map[`${row.month}|${row.categoryId}`] = row.counters;
  return map;
};

describe('seed --cases: generated case history', () => {
  let database: TestDatabase;
  let result: SeedHistoryResult;
  let rows: Row[];
  let cityId: number;
  const phases = new Set<string>();

  beforeAll(async () => {
    database = await createTestDatabase();
    const context: AppContext = { config: loadConfig({}), database, cipher: new PersonalDataCipher('22'.repeat(32)) };
    ({ cityId } = await seedDemoCity(context, { scale: 'small', password: 'Civic-Grid-2024' }));
    result = await seedCaseHistory(database, { cases: CASES, now: NOW, blockSize: 1000, onProgress: (phase) => phases.add(phase) });
    const raw = await database.rows<Record<string, unknown>>(sql`
      SELECT id, number, tracking_token, channel, status, holder_level, category_id, triage_color, region_path, grid_id, building_id, lng, lat,
        reopen_count, rating_satisfaction, rating_resolved, overdue, supervised, merged_into_case_id,
        extract(epoch FROM created_at)::float8 * 1000 AS created, extract(epoch FROM dispatched_at)::float8 * 1000 AS dispatched,
        extract(epoch FROM contacted_at)::float8 * 1000 AS contacted, extract(epoch FROM contact_due_at)::float8 * 1000 AS contact_due,
        extract(epoch FROM replied_at)::float8 * 1000 AS replied, extract(epoch FROM rated_at)::float8 * 1000 AS rated,
        extract(epoch FROM closed_at)::float8 * 1000 AS closed,
        extract(hour FROM created_at AT TIME ZONE 'Asia/Shanghai')::int AS hour, extract(dow FROM created_at AT TIME ZONE 'Asia/Shanghai')::int AS dow,
        to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month
      FROM cases WHERE city_id = ${cityId} ORDER BY id`);
    const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    rows = raw.map((r) => ({
      ...(r as unknown as Row),
      id: Number(r.id),
      category_id: Number(r.category_id),
      grid_id: Number(r.grid_id),
      building_id: num(r.building_id),
      lng: Number(r.lng),
      lat: Number(r.lat),
      reopen_count: Number(r.reopen_count),
      merged_into_case_id: num(r.merged_into_case_id),
      created: Number(r.created),
      dispatched: num(r.dispatched),
      contacted: num(r.contacted),
      contact_due: num(r.contact_due),
      replied: num(r.replied),
      rated: num(r.rated),
      closed: num(r.closed),
      hour: Number(r.hour),
      dow: Number(r.dow),
    }));
  }, 120_000);
  afterAll(async () => database?.drop());

  it('inserts exactly the cases asked for, numbered H…, with unique tracking tokens, over 24 months up to now', () => {
    expect(result.cases).toBe(CASES);
    expect(rows).toHaveLength(CASES);
    expect([...phases]).toEqual(['cases', 'compaction']);
    expect(rows.every((r) => r.number.startsWith(HISTORY_NUMBER_PREFIX) && /^H\d{8}-\d{8}$/.test(r.number))).toBe(true);
    expect(new Set(rows.map((r) => r.number)).size).toBe(CASES);
    expect(new Set(rows.map((r) => r.tracking_token)).size).toBe(CASES);
    expect(result.fromMonth).toBe('2024-12');
    expect(result.toMonth).toBe('2026-11');
    expect(new Set(rows.map((r) => r.month)).size).toBe(24);
    expect(Math.max(...rows.map((r) => r.created))).toBeLessThanOrEqual(NOW.getTime());
  });

  it('follows the calendar: summer busier than winter, a Spring Festival dip, quieter weekends, mostly working hours', () => {
    const byMonth = countBy(rows, (r) => r.month);
    const summer = ['2025-06', '2025-07', '2025-08', '2026-06', '2026-07', '2026-08'].reduce((s, m) => s + byMonth.get(m)!, 0);
    const winter = ['2024-12', '2025-01', '2025-02', '2025-12', '2026-01', '2026-02'].reduce((s, m) => s + byMonth.get(m)!, 0);
    expect(summer / winter).toBeGreaterThan(1.25);
    // 春节 2026 falls on 17 February: the week around it is much quieter than the same days a month later.
    const festival = rows.filter((r) => r.created >= Date.parse('2026-02-15T16:00:00Z') && r.created < Date.parse('2026-02-21T16:00:00Z')).length;
    const later = rows.filter((r) => r.created >= Date.parse('2026-03-15T16:00:00Z') && r.created < Date.parse('2026-03-21T16:00:00Z')).length;
    expect(festival).toBeLessThan(later * 0.6);
    const weekend = share(rows, (r) => r.dow === 0 || r.dow === 6) / (2 / 7);
    const weekday = share(rows, (r) => r.dow >= 1 && r.dow <= 5) / (5 / 7);
    expect(weekend).toBeLessThan(weekday * 0.85);
    expect(share(rows, (r) => r.hour >= 8 && r.hour < 20)).toBeGreaterThan(0.8);
    expect(share(rows, (r) => r.hour < 6)).toBeLessThan(0.04);
    expect(share(rows, (r) => r.hour < 6)).toBeGreaterThan(0);
  });

  it('mixes channels and categories like a city hotline, with the category colour (sometimes raised one level)', async () => {
    const channels = [...countBy(rows, (r) => r.channel).entries()].sort((a, b) => b[1] - a[1]).map(([c]) => c);
    expect(channels).toEqual(['hotline', 'qr', 'grid_worker', 'h5', 'open311']);
    expect(share(rows, (r) => r.channel === 'hotline')).toBeGreaterThan(0.38);
    expect(share(rows, (r) => r.channel === 'hotline')).toBeLessThan(0.52);
    const categories = await database.rows<{ id: number; code: string; default_color: string }>(sql`SELECT id, code, default_color FROM case_categories WHERE city_id = ${cityId}`);
    const byCategory = countBy(rows, (r) => r.category_id);
    expect(byCategory.size).toBe(categories.length);
    const code = new Map(categories.map((c) => [Number(c.id), c.code]));
    const ranked = [...byCategory.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => code.get(id));
    expect(ranked.slice(0, 3)).toContain('environment');
    expect(ranked.at(-1)).toBe('suggestion');
    const order = ['red', 'orange', 'yellow', 'green'];
    const defaultOf = new Map(categories.map((c) => [Number(c.id), order.indexOf(c.default_color)]));
    let raised = 0;
    for (const r of rows) {
      const steps = defaultOf.get(r.category_id)! - order.indexOf(r.triage_color);
      expect(steps === 0 || steps === 1, `${r.number}: ${r.triage_color} for a ${order[defaultOf.get(r.category_id)!]} category`).toBe(true);
      raised += steps;
    }
    expect(raised / CASES).toBeGreaterThan(0.02);
    expect(raised / CASES).toBeLessThan(0.1);
  });

  it('places cases at buildings or grids of the city, inside their grid, some grids much busier than others', async () => {
    const nodes = await database.rows<{ id: number; level: string; path: string; parent_id: number | null; geometry: unknown }>(
      sql`SELECT id, level, path, parent_id, geometry FROM region_nodes WHERE city_id = ${cityId} AND level IN ('grid', 'building')`,
    );
    const byId = new Map(nodes.map((n) => [Number(n.id), n]));
    let atBuilding = 0;
    for (const r of rows) {
      const grid = byId.get(r.grid_id)!;
      expect(grid.level).toBe('grid');
      if (r.building_id !== null) {
        atBuilding++;
        const building = byId.get(r.building_id)!;
        expect(Number(building.parent_id)).toBe(r.grid_id);
        expect(r.region_path).toBe(building.path);
      } else {
        expect(r.region_path).toBe(grid.path);
      }
      const geometry = (typeof grid.geometry === 'string' ? JSON.parse(grid.geometry) : grid.geometry) as { coordinates: [number, number][][] };
      expect(pointInPolygon(r.lng, r.lat, geometry.coordinates), `${r.number} at ${r.lng},${r.lat}`).toBe(1);
    }
    expect(atBuilding / CASES).toBeGreaterThan(0.6);
    expect(atBuilding / CASES).toBeLessThan(0.8);
    const perGrid = [...countBy(rows, (r) => r.grid_id).values()].sort((a, b) => a - b);
    expect(perGrid.length).toBeGreaterThan(40);
    expect(perGrid.at(-1)! / perGrid[Math.floor(perGrid.length / 2)]).toBeGreaterThan(2.5);
  });

  it('keeps every timeline in order and cut at now: old cases closed, recent ones open in various states', () => {
    for (const r of rows) {
      const steps = [r.created, r.dispatched, r.contacted, r.replied, r.rated, r.closed].filter((t): t is number => t !== null);
      for (let i = 1; i < steps.length; i++) expect(steps[i], `${r.number} ${r.status}`).toBeGreaterThanOrEqual(steps[i - 1]);
      expect(Math.max(...steps)).toBeLessThanOrEqual(NOW.getTime());
      if (r.dispatched !== null) {
        expect(r.contact_due).toBe(r.dispatched + 30 * 60_000);
        expect(r.dispatched - r.created).toBeLessThan(4 * 3600_000);
      }
      if (['closed', 'declined', 'merged'].includes(r.status)) expect(r.closed).not.toBeNull();
      else expect(r.closed).toBeNull();
      if (r.status === 'submitted') expect(r.dispatched).toBeNull();
    }
    const old = rows.filter((r) => r.created < NOW.getTime() - 90 * DAY_MS);
    expect(share(old, (r) => r.status === 'closed' || r.status === 'declined' || r.status === 'merged')).toBe(1);
    const recent = rows.filter((r) => r.created >= NOW.getTime() - 7 * DAY_MS);
    const openStates = new Set(recent.filter((r) => !['closed', 'declined', 'merged'].includes(r.status)).map((r) => r.status));
    expect(openStates.size).toBeGreaterThanOrEqual(3);
  });

  it('contacts ~90% in time, rates most replied cases (~80% satisfied), and has a few % overdue, supervised, reopened, merged, declined', () => {
    const dispatched = rows.filter((r) => r.dispatched !== null);
    const inTime = share(dispatched, (r) => r.contacted !== null && r.contacted <= r.contact_due!);
    expect(inTime).toBeGreaterThan(0.85);
    expect(inTime).toBeLessThan(0.95);
    expect(share(dispatched, (r) => r.contacted === null)).toBeGreaterThan(0.005);
    expect(share(dispatched, (r) => r.contacted !== null && r.contacted > r.contact_due!)).toBeGreaterThan(0.03);
    for (const r of rows.filter((x) => x.rating_satisfaction !== null)) {
      expect(r.replied, r.number).not.toBeNull();
      expect(['rated', 'closed']).toContain(r.status);
      expect(r.rating_resolved).not.toBeNull();
    }
    const replied = rows.filter((r) => r.replied !== null && r.status !== 'merged');
    const rated = replied.filter((r) => r.rating_satisfaction !== null);
    expect(rated.length / replied.length).toBeGreaterThan(0.75);
    expect(share(rated, (r) => r.rating_satisfaction === 'satisfied')).toBeGreaterThan(0.72);
    expect(share(rated, (r) => r.rating_satisfaction === 'satisfied')).toBeLessThan(0.88);
    expect(share(rated, (r) => r.rating_satisfaction === 'basically_satisfied')).toBeGreaterThan(0.07);
    expect(share(rated, (r) => r.rating_satisfaction === 'basically_satisfied')).toBeLessThan(0.18);
    expect(share(rated, (r) => r.rating_resolved === true)).toBeGreaterThan(0.85);
    for (const [flag, low, high] of [
      ['overdue', 0.02, 0.1],
      ['supervised', 0.005, 0.05],
      ['reopened', 0.01, 0.06],
      ['merged', 0.004, 0.02],
      ['declined', 0.004, 0.02],
    ] as const) {
      const value = share(rows, (r) =>
        flag === 'overdue' ? r.overdue : flag === 'supervised' ? r.supervised : flag === 'reopened' ? r.reopen_count === 1 : r.status === flag,
      );
      expect(value, flag).toBeGreaterThan(low);
      expect(value, flag).toBeLessThan(high);
    }
    const byId = new Map(rows.map((r) => [r.id, r]));
    const merged = rows.filter((x) => x.status === 'merged');
    for (const r of merged) {
      const target = byId.get(r.merged_into_case_id!)!;
      expect(target, r.number).toBeDefined();
      expect(target.created).toBeLessThanOrEqual(r.created);
      expect(r.dispatched).toBeNull();
      expect(r.rating_satisfaction).toBeNull();
    }
    // Into an earlier case of the same grid where the month had one (3,000 cases are sparse: not always).
    expect(share(merged, (r) => byId.get(r.merged_into_case_id!)!.grid_id === r.grid_id)).toBeGreaterThan(0.1);
  });

  it('escalates ~5% to the street, summoning a department (sometimes in two rounds) between contact and reply', async () => {
    const summonses = await database.rows<{ case_id: number; department_id: number; kind: string; summoned: number; reported: number | null; replied: number | null; returned: number | null }>(sql`
      SELECT s.case_id, s.department_id, u.kind, extract(epoch FROM s.summoned_at)::float8 * 1000 AS summoned,
        extract(epoch FROM s.reported_in_at)::float8 * 1000 AS reported, extract(epoch FROM s.replied_at)::float8 * 1000 AS replied,
        extract(epoch FROM s.returned_at)::float8 * 1000 AS returned
      FROM case_summonses s LEFT JOIN units u ON u.id = s.department_id WHERE s.city_id = ${cityId} ORDER BY s.case_id, s.summoned_at`);
    expect(summonses.length).toBe(result.summonses);
    const cases = new Map<number, typeof summonses>();
    for (const s of summonses) cases.set(Number(s.case_id), [...(cases.get(Number(s.case_id)) ?? []), s]);
    expect(cases.size / CASES).toBeGreaterThan(0.03);
    expect(cases.size / CASES).toBeLessThan(0.07);
    const byId = new Map(rows.map((r) => [r.id, r]));
    let twoRounds = 0;
    for (const [caseId, list] of cases) {
      const c = byId.get(caseId)!;
      expect(list.every((s) => s.kind === 'department')).toBe(true);
      expect(new Set(list.map((s) => Number(s.department_id))).size).toBe(1);
      if (c.reopen_count === 0) expect(c.holder_level).toBe('street');
      const start = c.contacted ?? c.dispatched!;
      for (const s of list) {
        expect(Number(s.summoned)).toBeGreaterThanOrEqual(start);
        if (c.replied !== null) expect(Number(s.replied ?? s.returned)).toBeLessThanOrEqual(c.replied);
        if (s.reported !== null) expect(Number(s.reported)).toBeGreaterThanOrEqual(Number(s.summoned));
      }
      if (list.length === 2) {
        twoRounds++;
        expect(list[0].returned).not.toBeNull();
        expect(Number(list[1].summoned)).toBeGreaterThanOrEqual(Number(list[0].returned));
      }
    }
    expect(twoRounds).toBeGreaterThan(0);
    // A case held by the street has been summoned, unless it is still waiting for the street to do so.
    for (const r of rows.filter((x) => x.holder_level === 'street')) expect(cases.has(r.id) || r.status === 'in_progress', r.number).toBe(true);
  });

  it('the rollups (after compaction) equal the naive counts for the city, regions, grids and departments', async () => {
    const [{ pending }] = await database.rows<{ pending: number }>(sql`SELECT count(*)::int AS pending FROM case_metric_deltas`);
    expect(Number(pending)).toBe(0);
    const region = async (level: string, pick: 'first' | 'busiest') => {
      const [row] = await database.rows<{ id: number }>(
        pick === 'first'
          ? sql`SELECT id FROM region_nodes WHERE city_id = ${cityId} AND level = ${level} ORDER BY id LIMIT 1`
          : sql`SELECT grid_id AS id FROM cases WHERE city_id = ${cityId} GROUP BY grid_id ORDER BY count(*) DESC, grid_id LIMIT 1`,
      );
      return (await findMetricNode(database, cityId, 'region', Number(row.id)))!;
    };
    const departments = await database.rows<{ department_id: number }>(
      sql`SELECT department_id FROM case_summonses WHERE city_id = ${cityId} GROUP BY 1 ORDER BY count(*) DESC LIMIT 2`,
    );
    const nodes: MetricNode[] = [
      await region('city', 'first'),
      await region('district', 'first'),
      await region('street', 'first'),
      await region('community', 'first'),
      await region('grid', 'first'),
      await region('grid', 'busiest'),
      ...(await Promise.all(departments.map(async (d) => (await findMetricNode(database, cityId, 'department', Number(d.department_id)))!))),
    ];
    const ranges: MonthRange[] = [
      { from: '2025-02-01', to: '2025-03-01' },
      { from: '2025-07-01', to: '2025-08-01' },
      { from: '2026-11-01', to: '2026-12-01' },
      { from: '2024-12-01', to: '2026-12-01' },
    ];
    let compared = 0;
    for (const node of nodes) {
      for (const range of ranges) {
        const naive = nonZero(await naiveCounters(database, node, range));
        expect(nonZero(await rollupCounters(database, node, range)), `${node.kind}:${node.name} ${range.from}`).toEqual(naive);
        compared += Object.keys(naive).length;
      }
    }
    expect(compared).toBeGreaterThan(100);
    const city = nodes[0];
    const total = (await rollupCounters(database, city, ranges[3])).reduce((s, r) => s + r.counters.received, 0);
    expect(total).toBe(CASES);
  });

  it('plans days that add up exactly, and prints progress lines in a log (not a terminal) every few percent', () => {
    const days = planDays(1_234_567, 24, NOW);
    expect(days.reduce((s, d) => s + d.count, 0)).toBe(1_234_567);
    const lines: string[] = [];
    const stream = { isTTY: false, write: (text: string) => lines.push(text) } as unknown as NodeJS.WriteStream;
    const report = progressBar('history', stream, 10);
    for (let done = 0; done <= 1000; done += 10) report('cases', done, 1000);
    expect(lines.length).toBe(11);
    expect(lines.at(-1)).toMatch(/history cases .* 100% 1,000\/1,000 [\d,]+\/s in \d+s\n$/);
    expect(lines[5]).toMatch(/ 50% 500\/1,000 .*ETA/);
  });
});
