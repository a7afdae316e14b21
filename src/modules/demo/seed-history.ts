/**
 * Case history for the demo city (`civicgrid seed --cases N`): months of realistic past requests so the
 * command centre, the board and the benchmarks have something to show and to measure.
 *
 * What is realistic about it:
 * - when: more cases in summer, a dip around the Spring Festival and National Day, fewer at weekends, a
 *   slow growth over the years, and most cases between 8:00 and 20:00 (few at night);
 * - what and how: a category mix per season (noise and water in summer, gas and the elderly in winter),
 *   the category's default colour (some raised one level), hotline most, then QR, grid worker, H5, Open311;
 * - where: spread over the city's grids with uneven weights (a few busy grids), at a building (its path,
 *   building_id and a point by it) or at the grid (a point inside the grid: grids are convex);
 * - the loop: dispatched minutes after intake, contact due 30 minutes after dispatch (~90% in time, some
 *   late, a few never), escalations to the community and the street (~5%, with case_summonses rows for
 *   one of the city's departments, some in two rounds with the same department), replies hours or days
 *   later, callbacks, ratings for most (~80% satisfied, ~12% basically, the rest dissatisfied), reopened
 *   rounds, a few % overdue and supervised, ~1% merged into an earlier case at the same place, ~1% declined.
 *   Every case's plan runs to its end, then is cut at "now": old cases are closed, the last days' cases are
 *   open in whatever state their plan has reached, so created ≤ dispatched ≤ contacted ≤ replied ≤ rated ≤
 *   closed always holds.
 *
 * How it is fast: everything is generated inside the database, one `INSERT … SELECT … generate_series`
 * statement per block of ~100,000 cases (with its summonses in the same statement), never row by row from
 * Node. A block is one month of one group of grids, so each statement covers every (place, month,
 * category) it touches completely. The random draws are hashes of each case's ordinal (hashint8extended),
 * so the same options give the same history on PGlite and PostgreSQL; only the tracking tokens use a
 * per-run random salt (they must stay unguessable). The statement triggers on `cases` and
 * `case_summonses` (drizzle/0013) keep the metric rollups exact as the blocks go in; the deltas are
 * compacted (`compactMetricDeltas`) on a second connection meanwhile (PostgreSQL) and drained at the end.
 *
 * History cases get no case_events, audit records, tasks, clocks or outbox rows: like imported cases they
 * are the record of work done elsewhere, not actions taken in this system. They carry no personal data
 * (no reporter name or phone). Their numbers start with 'H' (H + yyyymmdd + '-' + id), which is how the
 * benchmark recognises them.
 */
import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { mulberry32 } from '../../shared/random.ts';
import { compactMetricDeltas } from '../metrics/metrics.repository.ts';
import { DEMO_CITY_CODE } from './seed-demo.ts';

export interface SeedHistoryOptions {
  /** How many cases to add. */
  cases: number;
  /** Months of history, up to now (default 24: this month so far and the 23 before it). */
  months?: number;
  /** Rows per INSERT statement (default 100,000). */
  blockSize?: number;
  /** The moment the history is cut at (default now): no case is created later, and each case's plan stops there. */
  now?: Date;
  /** Varies the generated history; the same seed gives the same cases. */
  seed?: number;
  /** City code of the city to fill (default the demo city). */
  cityCode?: string;
  /** Progress: phase 'cases' counts rows inserted of `cases`; 'compaction' counts metric deltas moved. */
  onProgress?: (phase: 'cases' | 'compaction', done: number, total: number) => void;
}

export interface SeedHistoryResult {
  cityId: number;
  cases: number;
  summonses: number;
  /** First and last month with history, 'YYYY-MM'. */
  fromMonth: string;
  toMonth: string;
  insertSeconds: number;
  /** Draining the metric deltas, VACUUM and ANALYZE. */
  compactSeconds: number;
}

/** Marks history cases: their `number` starts with this. */
export const HISTORY_NUMBER_PREFIX = 'H';

const DAY = 86_400;
const CST = 8 * 3600;

// ---------------------------------------------------------------------------------------------
// The shape of the history (weights, not counts)
// ---------------------------------------------------------------------------------------------

/** Relative volume per month of the year (Jan … Dec): a summer peak (rain, heat, noise, water). */
const MONTH_WEIGHTS = [0.86, 0.8, 0.92, 0.96, 1.04, 1.18, 1.3, 1.28, 1.08, 0.96, 0.92, 0.88];
/** Sunday … Saturday: Monday brings the weekend's backlog; weekends are quieter. */
const WEEKDAY_WEIGHTS = [0.72, 1.14, 1.06, 1.03, 1.02, 1.0, 0.8];
/** Relative volume per hour of the day (China time): most between 8:00 and 20:00, few at night. */
const HOUR_WEIGHTS = [0.16, 0.1, 0.07, 0.05, 0.05, 0.08, 0.3, 0.9, 2.6, 3.4, 3.5, 3.0, 2.1, 2.4, 3.1, 3.2, 3.0, 2.6, 2.0, 1.6, 1.3, 0.95, 0.6, 0.32];
/** 春节 (the first day of the lunar year), for the dip around it. */
const SPRING_FESTIVAL = ['2019-02-05', '2020-01-25', '2021-02-12', '2022-02-01', '2023-01-22', '2024-02-10', '2025-01-29', '2026-02-17', '2027-02-06', '2028-01-26', '2029-02-13', '2030-02-03', '2031-01-23', '2032-02-11'];

/** Category weights by code, and per season: [other months, summer (Jun–Aug), winter (Dec–Feb)]. */
const CATEGORY_WEIGHTS: Record<string, [number, number, number]> = {
  public_safety: [4, 4.5, 4],
  gas_electric: [5, 4, 8],
  water_supply: [10, 14, 12],
  roads_facilities: [12, 13, 10],
  environment: [16, 21, 13],
  property: [15, 15, 15],
  noise: [9, 14, 6],
  neighbour_dispute: [7, 8, 7],
  elderly_care: [5, 5, 7],
  social_security: [7, 6, 8],
  consultation: [8, 7, 9],
  suggestion: [2, 2, 2],
};
/** Which departments a category's street escalation summons: [usual, sometimes]. */
const CATEGORY_DEPARTMENTS: Record<string, [string, string]> = {
  public_safety: ['公安局', '住建局'],
  gas_electric: ['住建局', '市场监管局'],
  water_supply: ['水务局', '住建局'],
  roads_facilities: ['住建局', '城管局'],
  environment: ['城管局', '生态环境局'],
  property: ['住建局', '市场监管局'],
  noise: ['生态环境局', '公安局'],
  neighbour_dispute: ['公安局', '民政局'],
  elderly_care: ['民政局', '卫健局'],
  social_security: ['人社局', '民政局'],
  consultation: ['人社局', '教育局'],
  suggestion: ['城管局', '教育局'],
};
const CATEGORY_TITLES: Record<string, [string, string, string]> = {
  public_safety: ['楼道堆放杂物存在消防隐患', '小区围墙出现裂缝有倒塌风险', '广告牌松动随时可能掉落'],
  gas_electric: ['楼栋停电至今未恢复', '闻到燃气味请派人检查', '电表箱门损坏电线外露'],
  water_supply: ['小区停水没有提前通知', '下水道堵塞污水外溢', '自来水发黄有沉淀'],
  roads_facilities: ['路灯不亮晚上看不清路', '井盖松动车辆经过响声大', '人行道路沿石破损'],
  environment: ['垃圾桶满了两天没人清运', '小区绿化带有人私自种菜', '餐馆油烟直排扰民'],
  property: ['电梯经常停运老人上下楼困难', '物业不作为车位被长期占用', '单元门禁损坏'],
  noise: ['夜间广场舞音响声音太大', '装修从早上七点开始打电钻', '工地夜间施工噪音扰民'],
  neighbour_dispute: ['楼上空调外机滴水到我家窗台', '邻居占用公共走廊', '宠物狗夜间吠叫引发纠纷'],
  elderly_care: ['独居老人几天没出门请上门看看', '咨询高龄津贴申领', '希望社区增加助餐服务'],
  social_security: ['咨询医保异地报销材料', '低保申请进度查询', '灵活就业社保缴费咨询'],
  consultation: ['咨询居住证办理流程', '咨询新生儿落户', '咨询老旧小区改造政策'],
  suggestion: ['建议小区增加休息长椅', '建议增设公交站点', '建议增加充电桩'],
};
const GENERIC_TITLES: [string, string, string] = ['反映问题请尽快处理', '居民诉求', '群众来电反映情况'];
const DESCRIPTION_ENDINGS = ['，请尽快派人处理。', '，已经持续好几天了，希望相关部门尽快解决。', '，影响周边居民正常生活，盼复。', '，麻烦网格员来现场看一下。', '，之前反映过一次还没有解决。', '，谢谢！'];
const CHANNELS: Array<[string, number]> = [['hotline', 0.45], ['qr', 0.25], ['grid_worker', 0.15], ['h5', 0.1], ['open311', 0.05]];
const COLOR_INDEX: Record<string, number> = { red: 1, orange: 2, yellow: 3, green: 4 };
/** Reply time after contact, log-uniform between these (seconds), per colour red … green. */
const REPLY_MIN = [3600, 7200, 14_400, 7200];
const REPLY_MAX = [20 * 3600, 2.5 * DAY, 4 * DAY, 5 * DAY];
/** When a case of a colour went overdue (the resolve clock, in calendar time for history). */
const OVERDUE_AFTER = [DAY, 3 * DAY, 5 * DAY, 7 * DAY];

// ---------------------------------------------------------------------------------------------
// Calendar
// ---------------------------------------------------------------------------------------------

interface Day {
  /** Days since 1970-01-01 (China time). */
  day: number;
  /** Epoch seconds of 00:00 China time. */
  start: number;
  /** 0 other, 1 summer, 2 winter. */
  season: number;
  count: number;
  /** Today only: the share of the day's hour profile already past (1 for whole days)… */
  ulim: number;
  /** … and the latest second of the day a case may be created at. */
  tmax: number;
}

const chinaDayOf = (epochSeconds: number) => Math.floor((epochSeconds + CST) / DAY);
const isoOfDay = (day: number) => new Date(day * DAY * 1000).toISOString().slice(0, 10);

/** The days of the span, up to now, with their share of `total` (largest remainder, so the counts add up exactly). */
export function planDays(total: number, months: number, now: Date): Day[] {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const today = chinaDayOf(nowSeconds);
  const hourBounds = lowerBounds(HOUR_WEIGHTS);
  const hourTotal = HOUR_WEIGHTS.reduce((s, w) => s + w, 0);
  const [y, m] = isoOfDay(today).split('-').map(Number);
  const firstMonth = y * 12 + (m - 1) - (months - 1);
  const firstDay = Math.floor(Date.UTC(Math.floor(firstMonth / 12), firstMonth % 12, 1) / 1000 / DAY);
  const festivalDays = SPRING_FESTIVAL.map((d) => Math.floor(Date.parse(`${d}T00:00:00Z`) / 1000 / DAY));
  const days: Array<Day & { weight: number }> = [];
  for (let day = firstDay; day <= today; day++) {
    const date = new Date(day * DAY * 1000);
    const month = date.getUTCMonth();
    let weight = MONTH_WEIGHTS[month] * WEEKDAY_WEIGHTS[date.getUTCDay()];
    const fromFestival = Math.min(...festivalDays.map((f) => (day >= f - 2 && day <= f + 7 ? day - f : 99)));
    if (fromFestival !== 99) weight *= fromFestival >= -1 && fromFestival <= 3 ? 0.3 : 0.5;
    if (month === 9 && date.getUTCDate() <= 7) weight *= 0.7; // National Day week
    weight *= 1 + (0.08 * (day - firstDay)) / 365; // slowly growing use of the channels
    const season = month >= 5 && month <= 7 ? 1 : month === 11 || month <= 1 ? 2 : 0;
    const start = day * DAY - CST;
    let ulim = 1;
    let tmax = DAY - 1;
    if (day === today) {
      // Today so far: the part of the hour profile that has passed, and no case after now.
      tmax = nowSeconds - start;
      const hour = Math.floor(tmax / 3600);
      ulim = hourBounds[hour] + (HOUR_WEIGHTS[hour] / hourTotal) * ((tmax % 3600) / 3600);
      weight *= ulim;
      if (ulim <= 0) continue;
    }
    days.push({ day, start, season, count: 0, weight, ulim, tmax });
  }
  if (days.length === 0) throw new Error('the history span is empty');
  const counts = apportion(total, days.map((d) => d.weight));
  return days.map(({ weight: _weight, ...d }, i) => ({ ...d, count: counts[i] }));
}

interface Segment {
  day: number;
  start: number;
  season: number;
  ulim: number;
  tmax: number;
  k0: number;
  n: number;
}

interface Block {
  /** Indexes into the city's grids: the block's cases happen there. */
  grids: number[];
  segments: Segment[];
}

/** Splits `total` by `weights` (largest remainder: the parts add up exactly, deterministically). */
function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  const parts = weights.map((w) => Math.floor((total * w) / sum));
  const order = weights.map((w, i) => [(total * w) / sum - parts[i], i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0, left = total - parts.reduce((s, p) => s + p, 0); k < left; k++) parts[order[k][1]]++;
  return parts;
}

/**
 * Blocks of about `blockSize` cases: each month is cut into as many groups of grids (by weight) as it needs
 * blocks, and a block holds one month of one group. A statement then touches each (place, month, category)
 * of the city at most once, so the insert trigger groups many cases into one delta (compaction has little
 * to do), instead of the same groups recurring in every block.
 */
function blocksOf(days: Day[], grids: CityShape['grids'], blockSize: number): Block[] {
  const blocks: Block[] = [];
  const months = new Map<string, Day[]>();
  for (const d of days) {
    const key = isoOfDay(d.day).slice(0, 7);
    months.set(key, [...(months.get(key) ?? []), d]);
  }
  for (const monthDays of months.values()) {
    const rows = monthDays.reduce((s, d) => s + d.count, 0);
    if (rows === 0) continue;
    const groups = Math.min(grids.length, Math.max(1, Math.ceil(rows / blockSize)));
    // Contiguous runs of grids (by id: neighbours) with about equal weight.
    const totalWeight = grids.reduce((s, g) => s + g.weight, 0);
    const members: number[][] = Array.from({ length: groups }, () => []);
    let acc = 0;
    grids.forEach((g, i) => {
      const group = Math.min(groups - 1, Math.floor(((acc + g.weight / 2) / totalWeight) * groups));
      members[group].push(i);
      acc += g.weight;
    });
    const nonEmpty = members.filter((m) => m.length > 0);
    const weights = nonEmpty.map((m) => m.reduce((s, i) => s + grids[i].weight, 0));
    const groupBlocks: Block[] = nonEmpty.map((m) => ({ grids: m, segments: [] }));
    for (const d of monthDays) {
      let k0 = 0;
      apportion(d.count, weights).forEach((n, g) => {
        if (n > 0) groupBlocks[g].segments.push({ day: d.day, start: d.start, season: d.season, ulim: d.ulim, tmax: d.tmax, k0, n });
        k0 += n;
      });
    }
    blocks.push(...groupBlocks.filter((b) => b.segments.length > 0));
  }
  return blocks;
}

// ---------------------------------------------------------------------------------------------
// The city: places, categories, departments
// ---------------------------------------------------------------------------------------------

interface CityShape {
  cityId: number;
  categories: Array<{ id: number; code: string; color: number }>;
  departmentsByName: Map<string, number>;
  departmentIds: number[];
  /** One row per building (or per grid without buildings), grouped by grid. */
  places: Array<{ i: number; bid: number | null; gid: number; path: string; gpath: string; lng: number; lat: number; clng: number; clat: number; addr: string }>;
  grids: Array<{ first: number; count: number; weight: number }>;
}

async function loadCityShape(database: Database, cityCode: string, seed: number): Promise<CityShape> {
  const [city] = await database.rows<{ id: number }>(sql`SELECT id FROM cities WHERE code = ${cityCode}`);
  if (!city) throw new Error(`no city with code ${cityCode}: seed the demo city first (civicgrid seed --demo)`);
  const cityId = Number(city.id);
  const categories = (await database.rows<{ id: number; code: string; default_color: string }>(
    sql`SELECT id, code, default_color FROM case_categories WHERE city_id = ${cityId} AND active ORDER BY id`,
  )).map((c) => ({ id: Number(c.id), code: c.code, color: COLOR_INDEX[c.default_color] ?? 3 }));
  if (categories.length === 0) throw new Error('the city has no active case categories');
  const departments = await database.rows<{ id: number; name: string }>(sql`SELECT id, name FROM units WHERE city_id = ${cityId} AND kind = 'department' ORDER BY id`);
  const departmentsByName = new Map<string, number>();
  for (const d of departments) departmentsByName.set(d.name.replace(/^遵义市/, ''), Number(d.id));
  const grids = await database.rows<{ id: number; path: string; clng: number | null; clat: number | null; name: string }>(
    sql`SELECT id, path, centroid_lng AS clng, centroid_lat AS clat, name FROM region_nodes WHERE city_id = ${cityId} AND level = 'grid' AND valid_to IS NULL ORDER BY id`,
  );
  if (grids.length === 0) throw new Error('the city has no grids');
  const buildings = await database.rows<{ id: number; parent_id: number; path: string; lng: number | null; lat: number | null; address: string | null; name: string }>(
    sql`SELECT id, parent_id, path, centroid_lng AS lng, centroid_lat AS lat, address, name FROM region_nodes
        WHERE city_id = ${cityId} AND level = 'building' AND valid_to IS NULL ORDER BY parent_id, id`,
  );
  const byGrid = new Map<number, typeof buildings>();
  for (const b of buildings) {
    const list = byGrid.get(Number(b.parent_id)) ?? [];
    list.push(b);
    byGrid.set(Number(b.parent_id), list);
  }
  // Uneven load: log-normal weights, and one grid in twenty is a busy one (markets, old estates, schools).
  const rng = mulberry32(seed ^ 0x9e3779b9);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const places: CityShape['places'] = [];
  const gridRows: CityShape['grids'] = [];
  for (const g of grids) {
    const own = byGrid.get(Number(g.id)) ?? [];
    const clng = Number(g.clng ?? 0);
    const clat = Number(g.clat ?? 0);
    const first = places.length + 1;
    if (own.length === 0) places.push({ i: first, bid: null, gid: Number(g.id), path: g.path, gpath: g.path, lng: clng, lat: clat, clng, clat, addr: g.name });
    for (const b of own) {
      places.push({
        i: places.length + 1, bid: Number(b.id), gid: Number(g.id), path: b.path, gpath: g.path,
        lng: Number(b.lng ?? clng), lat: Number(b.lat ?? clat), clng, clat, addr: b.address ?? b.name,
      });
    }
    const weight = Math.exp(0.7 * normal()) * (rng() < 0.05 ? 3 : 1);
    gridRows.push({ first, count: places.length + 1 - first, weight });
  }
  return { cityId, categories, departmentsByName, departmentIds: departments.map((d) => Number(d.id)), places, grids: gridRows };
}

/** Lower bounds of the buckets for width_bucket(): [0, w1, w1+w2, …] / total. */
function lowerBounds(weights: number[]): number[] {
  const total = weights.reduce((s, w) => s + w, 0);
  const bounds: number[] = [];
  let acc = 0;
  for (const w of weights) {
    bounds.push(acc / total);
    acc += w;
  }
  return bounds;
}

const floatArray = (values: number[]) => `{${values.map((v) => (Number.isFinite(v) ? v.toPrecision(17) : '0')).join(',')}}`;
const intArray = (values: number[]) => `{${values.map((v) => String(Math.trunc(v))).join(',')}}`;
const textArray = (values: string[]) => `{${values.map((v) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;

// ---------------------------------------------------------------------------------------------
// One block: the statement
// ---------------------------------------------------------------------------------------------

/**
 * The INSERT of one block. Levels are subqueries fenced with OFFSET 0 so each draw and each planned time
 * is computed once per row (flattening would repeat the expressions wherever they are referenced).
 */
function blockStatement(shape: CityShape, block: Block, nowSeconds: number, seed: number, salt: string) {
  const { segments } = block;
  const grids = block.grids.map((i) => shape.grids[i]);
  const places = grids.flatMap((g) => shape.places.slice(g.first - 1, g.first - 1 + g.count));
  /** The k-th uniform draw in [0, 1) of the case with ordinal `o`. */
  const u = (k: number) => sql.raw(`((hashint8extended(o, ${seed * 64 + k}::bigint) & 4294967295)::float8 / 4294967296.0)`);
  const logUniform = (draw: string, lo: string, hi: string) => sql.raw(`exp(ln(${lo}) + ${draw} * (ln(${hi}) - ln(${lo})))`);
  const cats = shape.categories;
  const catBounds = [0, 1, 2].map((season) => lowerBounds(cats.map((c) => (CATEGORY_WEIGHTS[c.code] ?? [5, 5, 5])[season])));
  const dept = (which: 0 | 1) =>
    cats.map((c, i) => {
      const named = CATEGORY_DEPARTMENTS[c.code]?.[which];
      const byName = named ? shape.departmentsByName.get(named) : undefined;
      return byName ?? shape.departmentIds[(i + which) % Math.max(1, shape.departmentIds.length)] ?? 0;
    });
  const titles = cats.flatMap((c) => CATEGORY_TITLES[c.code] ?? GENERIC_TITLES);
  const hasDepartments = shape.departmentIds.length > 0;
  const N = sql.raw(String(nowSeconds));

  return sql`
WITH seg AS (
  SELECT * FROM json_to_recordset(${JSON.stringify(segments)}::json) AS s(day bigint, start float8, season int, ulim float8, tmax int, k0 int, n int)
), places AS (
  SELECT * FROM json_to_recordset(${JSON.stringify(places)}::json)
    AS p(i int, bid bigint, gid bigint, path text, gpath text, lng float8, lat float8, clng float8, clat float8, addr text)
), plan AS MATERIALIZED (
  SELECT w.*,
    CASE WHEN w.fate = 1 AND w.prev_id IS NOT NULL THEN 1 WHEN w.fate = 2 THEN 2 ELSE 0 END AS outcome
  FROM (
    -- A duplicate is merged into the case before it in the same grid (or, in a sparse block, the one before it).
    SELECT v.*, coalesce(lag(v.id) OVER (PARTITION BY v.gi ORDER BY v.t0, v.id), lag(v.id) OVER (ORDER BY v.t0, v.id)) AS prev_id
    FROM (
      SELECT nextval('cases_id_seq') AS id, t.* FROM (
        -- Level 3: the planned times (epoch seconds) of every step, before cutting at now.
        SELECT c.*,
          c.p_rep + floor(${logUniform('c.u_cb', '3600', '172800')}) AS p_cb,
          c.base + floor((c.p_rep - c.base) * (0.03 + 0.15 * c.u_e1)) AS p_esc1
        FROM (
          SELECT b.*,
            coalesce(b.p_con, b.p_disp) AS base,
            coalesce(b.p_con, b.p_disp) + floor(b.dur) AS p_rep
          FROM (
            SELECT a.*,
              a.p_disp + CASE a.cc WHEN 0 THEN 60 + floor(a.u_cd * 1680) WHEN 1 THEN 1860 + floor(a.u_cd * a.u_cd * 14400) END AS p_con,
              (${logUniform('a.u_dur', `(ARRAY[${REPLY_MIN.join(',')}]::float8[])[a.color]`, `(ARRAY[${REPLY_MAX.join(',')}]::float8[])[a.color]`)})
                * CASE a.esc WHEN 2 THEN 1.6 ELSE 1 END
                * CASE WHEN a.u_tail < 0.012 THEN 4 + 8 * a.u_tail2 ELSE 1 END
                + CASE a.esc WHEN 3 THEN ${3 * DAY} + a.u_tail2 * ${9 * DAY} ELSE 0 END AS dur
            FROM (
              -- Level 2: the choices.
              SELECT x.*,
                x.start + least(x.hour * 3600 + floor(x.u_sec * 3600), x.tmax) AS t0,
                x.start + least(x.hour * 3600 + floor(x.u_sec * 3600), x.tmax)
                  + CASE WHEN x.hour < 8 OR x.hour >= 20 THEN 300 + floor(x.u_d * x.u_d * 10500) ELSE 60 + floor(x.u_d * x.u_d * 2340) END AS p_disp,
                CASE WHEN x.cc = 2 AND x.esc0 = 1 THEN 2 WHEN x.esc0 = 3 AND NOT ${sql.raw(String(hasDepartments))} THEN 2 ELSE x.esc0 END AS esc,
                CASE WHEN x.u_raise < 0.07 AND x.color0 > 1 THEN x.color0 - 1 ELSE x.color0 END AS color,
                (${intArray(grids.map((g) => g.first))}::int[])[x.gi] + floor(x.u_b * (${intArray(grids.map((g) => g.count))}::int[])[x.gi])::int AS pi
              FROM (
                SELECT r.*,
                  width_bucket(r.u_hour * r.ulim, ${floatArray(lowerBounds(HOUR_WEIGHTS))}::float8[]) - 1 AS hour,
                  CASE r.season WHEN 1 THEN width_bucket(r.u_cat, ${floatArray(catBounds[1])}::float8[])
                                WHEN 2 THEN width_bucket(r.u_cat, ${floatArray(catBounds[2])}::float8[])
                                ELSE width_bucket(r.u_cat, ${floatArray(catBounds[0])}::float8[]) END AS ci,
                  width_bucket(r.u_grid, ${floatArray(lowerBounds(grids.map((g) => g.weight)))}::float8[]) AS gi,
                  width_bucket(r.u_ch, ${floatArray(lowerBounds(CHANNELS.map((c) => c[1])))}::float8[]) AS chan,
                  CASE WHEN r.u_fate < 0.01 THEN 1 WHEN r.u_fate < 0.02 THEN 2 ELSE 0 END AS fate,
                  CASE WHEN r.u_esc < 0.05 THEN 3 WHEN r.u_esc < 0.13 THEN 2 ELSE 1 END AS esc0,
                  CASE WHEN r.u_cc < 0.9 THEN 0 WHEN r.u_cc < 0.98 THEN 1 ELSE 2 END AS cc,
                  (${intArray(cats.map((c) => c.color))}::int[])[
                    CASE r.season WHEN 1 THEN width_bucket(r.u_cat, ${floatArray(catBounds[1])}::float8[])
                                  WHEN 2 THEN width_bucket(r.u_cat, ${floatArray(catBounds[2])}::float8[])
                                  ELSE width_bucket(r.u_cat, ${floatArray(catBounds[0])}::float8[]) END] AS color0
                FROM (
                  -- Level 1: one row per case, its ordinal and its uniform draws.
                  SELECT o, start, season, ulim, tmax,
                    ${u(1)} AS u_hour, ${u(2)} AS u_sec, ${u(3)} AS u_cat, ${u(4)} AS u_raise, ${u(5)} AS u_ch, ${u(6)} AS u_grid, ${u(7)} AS u_b,
                    ${u(8)} AS u_lvl, ${u(9)} AS u_pt, ${u(10)} AS u_fate, ${u(11)} AS u_esc, ${u(12)} AS u_cc, ${u(13)} AS u_d, ${u(14)} AS u_cd,
                    ${u(15)} AS u_dur, ${u(16)} AS u_tail, ${u(17)} AS u_tail2, ${u(18)} AS u_cb, ${u(19)} AS u_rate, ${u(20)} AS u_sat,
                    ${u(21)} AS u_res, ${u(22)} AS u_rt, ${u(23)} AS u_reo, ${u(24)} AS u_r1, ${u(25)} AS u_r2, ${u(26)} AS u_r3, ${u(27)} AS u_r4,
                    ${u(28)} AS u_r5, ${u(29)} AS u_cl, ${u(30)} AS u_sup, ${u(31)} AS u_e1, ${u(32)} AS u_e2, ${u(33)} AS u_e3, ${u(34)} AS u_e4,
                    ${u(35)} AS u_e5, ${u(36)} AS u_e6, ${u(37)} AS u_e7, ${u(38)} AS u_dp, ${u(39)} AS u_title, ${u(40)} AS u_text, ${u(41)} AS u_comment
                  FROM (SELECT s.day * 10000000 + k AS o, s.start, s.season, s.ulim, s.tmax FROM seg s CROSS JOIN LATERAL generate_series(s.k0, s.k0 + s.n - 1) AS k) g
                  OFFSET 0
                ) r OFFSET 0
              ) x OFFSET 0
            ) a OFFSET 0
          ) b OFFSET 0
        ) c OFFSET 0
      ) t OFFSET 0
    ) v
  ) w
), timeline AS MATERIALIZED (
  -- Level 4: the second round of reopened cases, escalation and summons times, ratings and closing.
  SELECT q.*,
    CASE WHEN q.reopen THEN coalesce(q.p_rat2, q.p_cb2 + ${3 * DAY} + floor(q.u_cl * ${4 * DAY}))
         ELSE coalesce(q.p_rat, q.p_cb + ${3 * DAY} + floor(q.u_cl * ${4 * DAY})) END + 600 + floor(q.u_cl * ${DAY}) AS p_close
  FROM (
    SELECT p.*,
      CASE WHEN p.reopen THEN p.p_reo + floor(${logUniform('p.u_r2', '14400', '604800')}) END AS p_rep2,
      CASE WHEN p.reopen THEN p.p_reo + floor(${logUniform('p.u_r2', '14400', '604800')}) + 3600 + floor(p.u_r3 * ${DAY}) END AS p_cb2,
      CASE WHEN p.reopen AND p.u_r4 < 0.9 THEN p.p_reo + floor(${logUniform('p.u_r2', '14400', '604800')}) + 3600 + floor(p.u_r3 * ${DAY}) + 600 + floor(p.u_r4 * ${DAY}) END AS p_rat2,
      CASE WHEN p.u_r5 < 0.62 THEN 1 WHEN p.u_r5 < 0.86 THEN 2 ELSE 3 END AS sat2,
      p.u_r1 < CASE WHEN p.u_r5 < 0.62 THEN 0.95 WHEN p.u_r5 < 0.86 THEN 0.8 ELSE 0.4 END AS res2
    FROM (
      SELECT e.*,
        e.p_rat + 1800 + floor(e.u_r1 * 171000) AS p_reo,
        e.rated AND (e.sat1 = 3 OR NOT e.res1) AND e.u_reo < 0.35 AS reopen
      FROM (
        SELECT d.*,
          d.u_rate < 0.85 AS rated,
          CASE WHEN d.u_rate < 0.85 THEN d.p_cb + 600 + floor(d.u_rt * d.u_rt * 258600) END AS p_rat,
          CASE WHEN d.u_sat < 0.78 THEN 1 WHEN d.u_sat < 0.9 THEN 2 ELSE 3 END AS sat1,
          d.u_res < CASE WHEN d.u_sat < 0.78 THEN 0.97 WHEN d.u_sat < 0.9 THEN 0.85 ELSE 0.35 END AS res1,
          d.p_esc1 + floor((d.p_rep - d.base) * (0.02 + 0.08 * d.u_e2)) AS p_esc2,
          d.p_esc1 + floor((d.p_rep - d.base) * (0.02 + 0.08 * d.u_e2)) + floor((d.p_rep - d.base) * (0.01 + 0.04 * d.u_e3)) AS p_sum1,
          d.u_e5 < 0.3 AS two_rounds
        FROM plan d
      ) e
    ) p
  ) q
), summons_plan AS (
  SELECT s.*,
    s.p_sum1 + floor((s.p_rep - s.p_sum1) * (0.01 + 0.05 * s.u_e4)) AS p_rin1,
    s.p_sum1 + floor((s.p_rep - s.p_sum1) * (0.01 + 0.05 * s.u_e4)) + floor((s.p_rep - s.p_sum1) * (0.05 + 0.1 * s.u_e6)) AS p_ret1
  FROM timeline s WHERE s.outcome = 0 AND s.esc = 3
), summons_times AS (
  SELECT s.*,
    s.p_ret1 + floor((s.p_rep - s.p_ret1) * (0.01 + 0.03 * s.u_e7)) AS p_sum2,
    s.p_ret1 + floor((s.p_rep - s.p_ret1) * (0.01 + 0.03 * s.u_e7)) + floor((s.p_rep - s.p_ret1) * (0.01 + 0.05 * s.u_e4)) AS p_rin2
  FROM summons_plan s
), final AS (
  SELECT f.*,
    -- The state the plan has reached at now.
    CASE
      WHEN f.p_disp > ${N} THEN 'submitted'
      WHEN f.outcome = 1 THEN 'merged'
      WHEN f.outcome = 2 THEN 'declined'
      WHEN f.reopened_now THEN
        CASE WHEN f.p_rep2 > ${N} THEN 'in_progress' WHEN f.p_cb2 > ${N} THEN 'replied'
             WHEN f.p_rat2 IS NULL OR f.p_rat2 > ${N} THEN CASE WHEN f.p_close > ${N} THEN 'called_back' ELSE 'closed' END
             WHEN f.p_close > ${N} THEN 'rated' ELSE 'closed' END
      WHEN f.p_rep > ${N} THEN
        CASE WHEN f.esc = 3 AND f.p_sum1 <= ${N} AND NOT (f.two_rounds AND f.p_ret1 <= ${N} AND f.p_sum2 > ${N}) THEN 'summoned'
             WHEN f.p_con IS NOT NULL AND f.p_con <= ${N} THEN 'in_progress'
             WHEN f.esc >= 2 AND f.p_esc1 <= ${N} THEN 'in_progress'
             ELSE 'dispatched' END
      WHEN f.p_cb > ${N} THEN 'replied'
      WHEN f.p_rat IS NULL OR f.p_rat > ${N} THEN CASE WHEN f.p_close > ${N} THEN 'called_back' ELSE 'closed' END
      WHEN f.p_close > ${N} THEN 'rated'
      ELSE 'closed'
    END AS status,
    CASE
      WHEN f.outcome <> 0 OR f.p_disp > ${N} OR f.reopened_now THEN 'grid'
      WHEN f.esc = 3 AND f.p_esc2 <= ${N} THEN 'street'
      WHEN f.esc >= 2 AND f.p_esc1 <= ${N} THEN 'community'
      ELSE 'grid'
    END AS holder,
    -- The rating: the second round's once reopened, else the first; merged and declined cases have none.
    CASE WHEN f.outcome <> 0 THEN NULL WHEN f.reopened_now THEN CASE WHEN f.p_rat2 <= ${N} THEN f.sat2 END WHEN f.p_rat <= ${N} THEN f.sat1 END AS sat,
    CASE WHEN f.outcome <> 0 THEN NULL WHEN f.reopened_now THEN CASE WHEN f.p_rat2 <= ${N} THEN f.res2 END WHEN f.p_rat <= ${N} THEN f.res1 END AS res,
    -- rated_at: a reopened case keeps its first rating's time until it is rated again (as the loop does).
    CASE WHEN f.outcome <> 0 THEN NULL WHEN f.reopened_now AND f.p_rat2 <= ${N} THEN f.p_rat2 WHEN f.p_rat <= ${N} THEN f.p_rat END AS rated_s,
    -- Went overdue: the resolve clock ran out before the reply (or before now); a reopen starts a new round.
    CASE WHEN f.outcome <> 0 OR f.p_disp > ${N} THEN false
         WHEN f.reopened_now THEN f.p_reo + (ARRAY${sql.raw(`[${OVERDUE_AFTER.join(',')}]`)}::float8[])[f.color] < least(f.p_rep2, ${N})
         ELSE f.p_disp + (ARRAY${sql.raw(`[${OVERDUE_AFTER.join(',')}]`)}::float8[])[f.color] < least(f.p_rep, ${N}) END AS went_overdue
  FROM (
    SELECT l.*, st.p_rin1, st.p_ret1, st.p_sum2, st.p_rin2, l.outcome = 0 AND l.reopen AND l.p_reo <= ${N} AS reopened_now
    FROM timeline l LEFT JOIN summons_times st ON st.id = l.id
  ) f
), rows_out AS MATERIALIZED (
  SELECT f.*, pl.bid, pl.gid, pl.path, pl.gpath, pl.lng AS blng, pl.lat AS blat, pl.clng, pl.clat, pl.addr,
    f.u_lvl < 0.7 AND pl.bid IS NOT NULL AS at_building,
    CASE WHEN f.status IN ('submitted', 'merged', 'declined') THEN NULL ELSE f.p_disp END AS dispatched_s,
    CASE WHEN f.status IN ('submitted', 'merged', 'declined') OR f.p_con > ${N} THEN NULL ELSE f.p_con END AS contacted_s,
    CASE WHEN f.outcome = 0 AND f.p_rep <= ${N} THEN f.p_rep END AS replied_s,
    CASE WHEN f.status = 'closed' THEN f.p_close WHEN f.status IN ('merged', 'declined') THEN f.p_disp END AS closed_s,
    f.went_overdue AND f.status <> 'submitted' AS is_overdue
  FROM final f JOIN places pl ON pl.i = f.pi
), inserted AS (
  INSERT INTO cases (id, city_id, number, tracking_token, channel, status, holder_level, version, category_id, triage_color, title, description,
    region_path, grid_id, building_id, lng, lat, address, reporter_consent, reopen_count, rating_resolved, rating_satisfaction, rating_comment,
    supervised, overdue, merged_into_case_id, dispatched_at, contacted_at, contact_due_at, replied_at, rated_at, closed_at, created_at, updated_at)
  SELECT r.id, ${shape.cityId}::bigint,
    ${HISTORY_NUMBER_PREFIX} || to_char(to_timestamp(r.t0) AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-' || lpad(r.id::text, 8, '0'),
    md5(r.id::text || ${salt}),
    (${textArray(CHANNELS.map((c) => c[0]))}::text[])[r.chan],
    r.status, r.holder,
    1 + (r.dispatched_s IS NOT NULL)::int + (r.contacted_s IS NOT NULL)::int + (r.holder <> 'grid')::int + (r.holder = 'street')::int * 2
      + (r.replied_s IS NOT NULL)::int + (r.rated_s IS NOT NULL)::int + (r.closed_s IS NOT NULL)::int + r.reopened_now::int * 3,
    (${intArray(cats.map((c) => c.id))}::bigint[])[r.ci],
    (ARRAY['red', 'orange', 'yellow', 'green'])[r.color],
    (${textArray(titles)}::text[])[(r.ci - 1) * 3 + 1 + floor(r.u_title * 3)::int],
    '位于' || r.addr || CASE WHEN r.at_building THEN '' ELSE '附近' END || '，' || (${textArray(titles)}::text[])[(r.ci - 1) * 3 + 1 + floor(r.u_title * 3)::int]
      || (${textArray(DESCRIPTION_ENDINGS)}::text[])[1 + floor(r.u_text * ${DESCRIPTION_ENDINGS.length})::int],
    CASE WHEN r.at_building THEN r.path ELSE r.gpath END, r.gid, CASE WHEN r.at_building THEN r.bid END,
    -- On the segment from the building to the grid's centroid: inside the grid (grids are convex).
    r.blng + (r.clng - r.blng) * CASE WHEN r.at_building THEN 0.02 * r.u_pt ELSE 0.1 + 0.8 * r.u_pt END,
    r.blat + (r.clat - r.blat) * CASE WHEN r.at_building THEN 0.02 * r.u_pt ELSE 0.1 + 0.8 * r.u_pt END,
    r.addr || CASE WHEN r.at_building THEN '' ELSE '附近' END, false,
    r.reopened_now::int,
    r.res, (ARRAY['satisfied', 'basically_satisfied', 'dissatisfied'])[r.sat],
    CASE WHEN r.sat IS NOT NULL AND r.u_comment < 0.3 THEN (ARRAY['感谢网格员，处理很及时', '问题基本解决了', '问题还是没有解决'])[r.sat] END,
    r.is_overdue AND r.u_sup < 0.4 OR (r.dispatched_s IS NOT NULL AND r.u_sup > 0.996),
    r.is_overdue,
    CASE WHEN r.status = 'merged' THEN r.prev_id END,
    to_timestamp(r.dispatched_s), to_timestamp(r.contacted_s), to_timestamp(r.dispatched_s + 1800), to_timestamp(r.replied_s),
    to_timestamp(r.rated_s),
    to_timestamp(r.closed_s), to_timestamp(r.t0),
    to_timestamp(greatest(r.t0, r.dispatched_s, r.contacted_s, r.replied_s, r.rated_s, r.closed_s, CASE WHEN r.reopened_now THEN r.p_reo END))
  FROM rows_out r
  RETURNING 1
), summoned AS (
  -- 吹哨报到: the street summons one department; in two rounds the department first returns the case.
  INSERT INTO case_summonses (city_id, case_id, department_id, summoned_at, reported_in_at, replied_at, reply, returned_at, return_reason)
  SELECT ${shape.cityId}::bigint, r.id,
    CASE WHEN r.u_dp < 0.7 THEN (${intArray(dept(0))}::bigint[])[r.ci] ELSE (${intArray(dept(1))}::bigint[])[r.ci] END,
    to_timestamp(k.summoned), to_timestamp(CASE WHEN k.reported <= ${N} THEN k.reported END),
    to_timestamp(CASE WHEN k.replied <= ${N} THEN k.replied END), CASE WHEN k.replied <= ${N} THEN '已到现场核实处置，情况已向街道反馈' END,
    to_timestamp(CASE WHEN k.returned <= ${N} THEN k.returned END), CASE WHEN k.returned <= ${N} THEN '需街道协调产权单位后再派' END
  FROM rows_out r CROSS JOIN LATERAL (VALUES
      (r.p_sum1, r.p_rin1, CASE WHEN NOT r.two_rounds THEN r.p_rin1 + floor((r.p_rep - r.p_rin1) * (0.5 + 0.45 * r.u_e7)) END, CASE WHEN r.two_rounds THEN r.p_ret1 END),
      (CASE WHEN r.two_rounds THEN r.p_sum2 END, r.p_rin2, r.p_rin2 + floor((r.p_rep - r.p_rin2) * (0.5 + 0.45 * r.u_e7)), NULL)
    ) AS k(summoned, reported, replied, returned)
  WHERE r.outcome = 0 AND r.esc = 3 AND k.summoned IS NOT NULL AND k.summoned <= ${N}
  RETURNING 1
)
SELECT (SELECT count(*) FROM inserted)::int AS cases, (SELECT count(*) FROM summoned)::int AS summonses`;
}

// ---------------------------------------------------------------------------------------------
// Seeding
// ---------------------------------------------------------------------------------------------

/** Moves every metric delta pending now into the rollups, reporting progress; waits out another compactor. */
export async function drainMetricCompaction(database: Database, onProgress?: (done: number, total: number) => void, batch = 50_000): Promise<number> {
  const [{ last, pending }] = await database.rows<{ last: number | null; pending: number }>(sql`SELECT max(id) AS last, count(*)::int AS pending FROM case_metric_deltas`);
  const total = Number(pending);
  if (!total || last === null) return 0;
  onProgress?.(0, total);
  for (;;) {
    const moved = await compactMetricDeltas(database, batch);
    const [{ left }] = await database.rows<{ left: number }>(sql`SELECT count(*)::int AS left FROM case_metric_deltas WHERE id <= ${Number(last)}`);
    onProgress?.(total - Number(left), total);
    if (Number(left) === 0) return total;
    // 0 moved: another compactor (a running server) holds the lock; it is working on the same deltas.
    if (moved === 0) await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Compacts metric deltas in a loop while `busy()` (a background helper for bulk inserts). */
async function compactWhile(database: Database, busy: () => boolean): Promise<void> {
  while (busy()) {
    const moved = await compactMetricDeltas(database, 50_000);
    if (moved < 50_000) await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function seedCaseHistory(database: Database, options: SeedHistoryOptions): Promise<SeedHistoryResult> {
  const total = Math.floor(options.cases);
  if (!(total > 0)) throw new Error('--cases must be a positive number');
  const months = options.months ?? 24;
  if (!(Number.isInteger(months) && months >= 1 && months <= 120)) throw new Error('--months must be a whole number from 1 to 120');
  const blockSize = options.blockSize ?? 100_000;
  const now = options.now ?? new Date();
  const seed = (options.seed ?? 1) >>> 0;
  if (seed >= 2 ** 24) throw new Error('seed must be below 2^24');
  const shape = await loadCityShape(database, options.cityCode ?? DEMO_CITY_CODE, seed);
  const days = planDays(total, months, now);
  const blocks = blocksOf(days, shape.grids, blockSize);
  const salt = crypto.randomBytes(12).toString('hex');
  const nowSeconds = Math.floor(now.getTime() / 1000);

  const started = performance.now();
  let inserted = 0;
  let summonses = 0;
  // On PostgreSQL the deltas are compacted on a second connection while the blocks go in (the server
  // has a core for each); PGlite has one connection, so there they are compacted at the end.
  let inserting = true;
  const background = database.engine === 'postgres' ? compactWhile(database, () => inserting) : Promise.resolve();
  options.onProgress?.('cases', 0, total);
  try {
    for (const block of blocks) {
      const [row] = await database.rows<{ cases: number; summonses: number }>(blockStatement(shape, block, nowSeconds, seed, salt));
      inserted += Number(row.cases);
      summonses += Number(row.summonses);
      // Fresh statistics for the compactor: a plan it cached while the deltas table was empty can take
      // minutes on a large backlog (ANALYZE also invalidates such cached plans).
      if (database.engine === 'postgres') await database.db.execute(sql`ANALYZE case_metric_deltas`);
      options.onProgress?.('cases', inserted, total);
    }
  } finally {
    inserting = false;
    await background;
  }
  const insertSeconds = (performance.now() - started) / 1000;
  if (inserted !== total) throw new Error(`inserted ${inserted} cases instead of ${total}`);

  const compactStarted = performance.now();
  await database.db.execute(sql`ANALYZE case_metric_deltas`);
  await drainMetricCompaction(database, (done, all) => options.onProgress?.('compaction', done, all));
  // The compacted deltas leave dead rows that every read of pending deltas would wade through (PGlite has no
  // autovacuum); the new cases get their visibility map and statistics in one pass.
  await database.db.execute(sql`VACUUM case_metric_deltas`);
  await database.db.execute(sql`VACUUM (ANALYZE) cases`);
  await database.db.execute(sql`ANALYZE case_summonses`);
  await database.db.execute(sql`ANALYZE case_metric_rollups`);
  const compactSeconds = (performance.now() - compactStarted) / 1000;
  return {
    cityId: shape.cityId,
    cases: inserted,
    summonses,
    fromMonth: isoOfDay(days[0].day).slice(0, 7),
    toMonth: isoOfDay(days[days.length - 1].day).slice(0, 7),
    insertSeconds,
    compactSeconds,
  };
}

// ---------------------------------------------------------------------------------------------
// Progress on stderr
// ---------------------------------------------------------------------------------------------

const duration = (seconds: number) => {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m` : s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s`;
};

/**
 * A progress bar for long runs: rows done / total, rate and ETA. On a terminal it redraws one line (at
 * most 10 times a second); otherwise (a log file, CI) it prints a line every `everyPercent` percent.
 */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr, everyPercent = 5) {
  let started = 0;
  let lastDraw = 0;
  let lastStep = -1;
  let phase = '';
  return (step: string, done: number, total: number) => {
    const at = performance.now();
    if (step !== phase) {
      phase = step;
      started = at;
      lastStep = -1;
    }
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const elapsed = (at - started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? (total - done) / rate : Infinity;
    const width = 24;
    const bar = '█'.repeat(Math.round(ratio * width)).padEnd(width, '░');
    const line = `${label} ${step} ${bar} ${(ratio * 100).toFixed(0).padStart(3)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ` +
      `${Math.round(rate).toLocaleString('en-US')}/s ${done >= total ? `in ${duration(elapsed)}` : `ETA ${duration(eta)}`}`;
    if (stream.isTTY) {
      if (done < total && at - lastDraw < 100) return;
      lastDraw = at;
      stream.write(`\r${line.padEnd(100)}${done >= total ? '\n' : ''}`);
      return;
    }
    const stepIndex = Math.floor((ratio * 100) / everyPercent);
    if (stepIndex === lastStep && done < total) return;
    if (done >= total && lastStep === Infinity) return;
    lastStep = done >= total ? Infinity : stepIndex;
    stream.write(`${line}\n`);
  };
}
