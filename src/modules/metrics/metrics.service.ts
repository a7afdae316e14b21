import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Actor } from '../policy/actor.ts';
import { authorize, can } from '../policy/authorize.ts';
import { AppError } from '../../shared/errors.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { auditOf } from '../auth/auth.service.ts';
import { caseChannelsMeasured, measureNames, measures, triageColorsMeasured } from './metric-measures.ts';
import {
  emptyCounters,
  figureCasesFilter,
  findMetricNode,
  naiveCountersByBucket,
  rollupCounters,
  rollupCountersByNode,
  type Counters,
  type MetricNode,
  type MonthRange,
} from './metrics.repository.ts';
import { addCounters, averages, computeRates, mergeMetricSettings, type MetricSettings } from './metric-rates.ts';

export interface NodeRef {
  kind: 'region' | 'department';
  id: number;
}

/** 'region:12' or 'department:7'. */
export function parseNodeRef(value: string): NodeRef {
  const match = /^(region|department):([1-9][0-9]{0,17})$/.exec(value);
  if (!match) throw new AppError('validation_failed', "node must look like 'region:<id>' or 'department:<id>'", { node: value });
  return { kind: match[1] as NodeRef['kind'], id: Number(match[2]) };
}

const MAX_MONTHS = 60;

/** Months counted from year 0: 'YYYY-MM…' → index, and back to 'YYYY-MM'. */
export const monthIndex = (month: string) => Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
export const monthOfIndex = (index: number) => `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;

/** 'YYYY-MM' to 'YYYY-MM' (both included) as a half-open range of month starts. */
export function parseMonthRange(from: string, to: string = from): MonthRange {
  const parse = (value: string, name: string) => {
    if (!/^[0-9]{4}-(0[1-9]|1[0-2])$/.test(value)) throw new AppError('validation_failed', `${name} must be a month like 2026-03`, { [name]: value });
    return monthIndex(value);
  };
  const start = parse(from, 'from');
  const end = parse(to, 'to');
  if (end < start) throw new AppError('validation_failed', 'to must not be before from', { from, to });
  if (end - start + 1 > MAX_MONTHS) throw new AppError('validation_failed', `A period is at most ${MAX_MONTHS} months`, { from, to });
  return { from: `${monthOfIndex(start)}-01`, to: `${monthOfIndex(end + 1)}-01` };
}

/** The months of a range, 'YYYY-MM', in order. */
export const monthsOf = (range: MonthRange): string[] => {
  const out: string[] = [];
  for (let i = monthIndex(range.from); i < monthIndex(range.to); i++) out.push(monthOfIndex(i));
  return out;
};

/** Rollup rows folded into one set of counters per month of the range (months without cases included). */
function countersByMonth(range: MonthRange, rows: Array<{ month: string; counters: Counters }>) {
  const byMonth = new Map(monthsOf(range).map((m) => [m, emptyCounters()]));
  for (const row of rows) addCounters(byMonth.get(row.month) ?? byMonth.set(row.month, emptyCounters()).get(row.month)!, row.counters);
  return byMonth;
}

/** The actor's own place: the node their first command-centre role covers. */
async function defaultNodeRef(context: AppContext, actor: Actor): Promise<NodeRef> {
  for (const grant of actor.grants) {
    if (grant.unitId !== null && grant.role === 'department_staff') return { kind: 'department', id: grant.unitId };
    if (grant.regionNodeId !== null && can(actor, 'metrics', 'read', { cityId: actor.cityId, regionPath: grant.regionPath })) {
      // A building-level role looks at its grid's figures.
      const [row] = await context.database.rows<{ id: number }>(
        sql`SELECT id FROM region_nodes WHERE city_id = ${actor.cityId} AND ${grant.regionPath} LIKE path || '%' AND level <> 'building' ORDER BY length(path) DESC LIMIT 1`,
      );
      if (row) return { kind: 'region', id: Number(row.id) };
    }
  }
  throw new AppError('forbidden', 'Your roles do not include the command centre');
}

/** Finds the node and checks the actor may read its figures (region tree or own department). */
export async function readableMetricNode(context: AppContext, actor: Actor, ref: NodeRef | null): Promise<MetricNode> {
  const target = ref ?? (await defaultNodeRef(context, actor));
  const node = await findMetricNode(context.database, actor.cityId, target.kind, target.id);
  if (!node) throw new AppError('not_found', `${target.kind === 'region' ? 'Region node' : 'Department'} not found`, { node: `${target.kind}:${target.id}` });
  if (node.kind === 'region' && node.level === 'building') {
    throw new AppError('validation_failed', 'Figures go down to grids; ask for the building\'s grid', { node: `${node.kind}:${node.id}` });
  }
  authorize(actor, 'metrics', 'read', await scopedRecordOf(context, node));
  return node;
}

async function scopedRecordOf(context: AppContext, node: MetricNode) {
  if (node.kind === 'region') return { cityId: node.cityId, regionPath: node.path };
  // Departments serve the city: region roles at the department's own node see it, its staff see their own.
  const [row] = await context.database.rows<{ path: string | null }>(
    sql`SELECT r.path FROM units u LEFT JOIN region_nodes r ON r.id = u.region_node_id WHERE u.id = ${node.id}`,
  );
  return { cityId: node.cityId, unitId: node.id, regionPath: row?.path ?? null };
}

export async function metricSettingsOf(context: AppContext, cityId: number): Promise<MetricSettings> {
  const [row] = await context.database.rows<{ settings: unknown }>(sql`SELECT settings FROM city_metric_settings WHERE city_id = ${cityId}`);
  const stored = typeof row?.settings === 'string' ? JSON.parse(row.settings) : row?.settings;
  return mergeMetricSettings((stored as Partial<MetricSettings>) ?? null);
}

export function describeNode(node: MetricNode) {
  return { ref: `${node.kind}:${node.id}`, kind: node.kind, id: node.id, name: node.name, level: node.level };
}

function summarise(counters: Counters, settings: MetricSettings) {
  return { counters, rates: computeRates(counters, settings), averages: averages(counters) };
}

async function categoryNames(context: AppContext, cityId: number) {
  const rows = await context.database.rows<{ id: number; name: string }>(sql`SELECT id, name FROM case_categories WHERE city_id = ${cityId}`);
  return new Map(rows.map((r) => [Number(r.id), r.name]));
}

/** Every figure of a node for a period: totals, the three rates, breakdowns, and the months. */
export async function nodeMetrics(context: AppContext, actor: Actor, input: { node: NodeRef | null; from: string; to?: string }) {
  const range = parseMonthRange(input.from, input.to);
  const node = await readableMetricNode(context, actor, input.node);
  const [rows, settings, names] = await Promise.all([
    rollupCounters(context.database, node, range),
    metricSettingsOf(context, actor.cityId),
    categoryNames(context, actor.cityId),
  ]);
  const total = emptyCounters();
  const byMonth = countersByMonth(range, rows);
  const byCategory = new Map<number, Counters>();
  for (const row of rows) {
    addCounters(total, row.counters);
    addCounters(byCategory.get(row.categoryId) ?? byCategory.set(row.categoryId, emptyCounters()).get(row.categoryId)!, row.counters);
  }
  return {
    node: describeNode(node),
    period: { from: input.from, to: input.to ?? input.from },
    settings,
    ...summarise(total, settings),
    byChannel: caseChannelsMeasured.map((channel) => ({ channel, measure: `channel_${channel}`, count: total[`channel_${channel}`] })),
    byColor: triageColorsMeasured.map((color) => ({ color, measure: `color_${color}`, count: total[`color_${color}`] })),
    byCategory: [...byCategory.entries()]
      .map(([categoryId, counters]) => ({ categoryId, name: categoryId === 0 ? '未分类' : (names.get(categoryId) ?? String(categoryId)), ...summarise(counters, settings) }))
      .sort((a, b) => b.counters.received - a.counters.received),
    byMonth: [...byMonth.entries()].map(([month, counters]) => ({ month, ...summarise(counters, settings) })),
    measures: measures.map((m) => ({ name: m.name, zh: m.zh, en: m.en })),
  };
}

const rankingLevels = ['district', 'street', 'community', 'grid', 'department'] as const;
export type RankingLevel = (typeof rankingLevels)[number];

/** The nodes of one level under a node (or the city's departments), each with its figures, best first. */
export async function rankings(
  context: AppContext,
  actor: Actor,
  input: { node: NodeRef | null; level: RankingLevel; from: string; to?: string; sort?: 'composite' | 'response' | 'resolution' | 'satisfaction' | 'received' | 'backlog' | 'overdue_open' },
) {
  const range = parseMonthRange(input.from, input.to);
  const parent = await readableMetricNode(context, actor, input.node);
  let nodes: MetricNode[];
  if (input.level === 'department') {
    const rows = await context.database.rows<{ id: number; name: string; path: string | null }>(
      sql`SELECT u.id, u.name, r.path FROM units u LEFT JOIN region_nodes r ON r.id = u.region_node_id WHERE u.city_id = ${actor.cityId} AND u.kind = 'department' ORDER BY u.id`,
    );
    nodes = rows
      .filter((r) => can(actor, 'metrics', 'read', { cityId: actor.cityId, unitId: Number(r.id), regionPath: r.path }))
      .map((r) => ({ kind: 'department' as const, id: Number(r.id), cityId: actor.cityId, name: r.name, path: null, level: 'department' }));
  } else {
    if (parent.kind !== 'region') throw new AppError('validation_failed', 'Rank regions under a region node');
    const rows = await context.database.rows<{ id: number; name: string; path: string; level: string }>(
      sql`SELECT id, name, path, level FROM region_nodes WHERE city_id = ${actor.cityId} AND level = ${input.level} AND path LIKE ${parent.path + '%'} ORDER BY id LIMIT 10000`,
    );
    nodes = rows.map((r) => ({ kind: 'region' as const, id: Number(r.id), cityId: actor.cityId, name: r.name, path: r.path, level: r.level }));
  }
  const [byNode, settings] = await Promise.all([rollupCountersByNode(context.database, actor.cityId, nodes, range), metricSettingsOf(context, actor.cityId)]);
  const sort = input.sort ?? 'composite';
  const items = nodes.map((node) => {
    const summary = summarise(byNode.get(node.id) ?? emptyCounters(), settings);
    const key =
      sort === 'composite'
        ? summary.rates.composite
        : sort === 'received' || sort === 'backlog' || sort === 'overdue_open'
          ? summary.counters[sort]
          : summary.rates[sort].value;
    return { node: describeNode(node), ...summary, sortValue: key };
  });
  // Higher is better for rates; for counts (received, backlog, overdue) the largest come first too.
  items.sort((a, b) => (b.sortValue ?? -1) - (a.sortValue ?? -1) || a.node.id - b.node.id);
  return { parent: describeNode(parent), level: input.level, period: { from: input.from, to: input.to ?? input.from }, sort, items: items.map((item, index) => ({ rank: index + 1, ...item })) };
}

/** Per grid under a node: what the map colours by (open cases, or any rate). */
export async function gridFigures(context: AppContext, actor: Actor, input: { node: NodeRef | null; from: string; to?: string }) {
  const result = await rankings(context, actor, { ...input, level: 'grid', sort: 'backlog' });
  return {
    parent: result.parent,
    period: result.period,
    grids: result.items.map((item) => ({
      id: item.node.id,
      name: item.node.name,
      received: item.counters.received,
      backlog: item.counters.backlog,
      overdueOpen: item.counters.overdue_open,
      response: item.rates.response.value,
      resolution: item.rates.resolution.value,
      satisfaction: item.rates.satisfaction.value,
      composite: item.rates.composite,
    })),
  };
}

/** Day or week trends from the raw cases (the rollups are monthly); at most 120 buckets. */
export async function trend(context: AppContext, actor: Actor, input: { node: NodeRef | null; granularity: 'day' | 'week' | 'month'; from: string; to: string }) {
  const node = await readableMetricNode(context, actor, input.node);
  const settings = await metricSettingsOf(context, actor.cityId);
  if (input.granularity === 'month') {
    const range = parseMonthRange(input.from.slice(0, 7), input.to.slice(0, 7));
    const rows = await rollupCounters(context.database, node, range);
    const byMonth = countersByMonth(range, rows);
    return { node: describeNode(node), granularity: input.granularity, points: [...byMonth.entries()].map(([bucket, counters]) => ({ bucket, ...summarise(counters, settings) })) };
  }
  const day = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
  if (!day.test(input.from) || !day.test(input.to)) throw new AppError('validation_failed', 'from and to must be days like 2026-03-01 for day and week trends');
  const from = new Date(`${input.from}T00:00:00Z`);
  const to = new Date(`${input.to}T00:00:00Z`);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || to < from) throw new AppError('validation_failed', 'from and to must be valid days, from first');
  const days = Math.round((to.getTime() - from.getTime()) / 86_400_000) + 1;
  if (days > (input.granularity === 'day' ? 120 : 840)) throw new AppError('validation_failed', 'Too long a period for this granularity (120 buckets at most)');
  const toExclusive = new Date(to.getTime() + 86_400_000).toISOString().slice(0, 10);
  const rows = await naiveCountersByBucket(context.database, node, input.from, toExclusive, input.granularity);
  return { node: describeNode(node), granularity: input.granularity, points: rows.map((row) => ({ bucket: row.bucket, ...summarise(row.counters, settings) })) };
}

export const figureCaseColumns = sql`c.id, c.number, c.title, c.status, c.channel, c.triage_color, c.holder_level, c.overdue, c.supervised, c.created_at, c.dispatched_at,
  c.contacted_at, c.contact_due_at, c.replied_at, c.closed_at, c.rating_resolved, c.rating_satisfaction, c.reopen_count,
  cc.name AS category_name, g.name AS grid_name`;
export const figureCaseJoins = sql`LEFT JOIN case_categories cc ON cc.id = c.category_id LEFT JOIN region_nodes g ON g.id = c.grid_id`;

export interface FigureQuery {
  node: NodeRef | null;
  from: string;
  to?: string;
  measure: string;
  categoryId?: number;
}

export function validateMeasure(measure: string) {
  if (!measureNames.includes(measure)) throw new AppError('validation_failed', `Unknown measure '${measure}'`, { measure, known: measureNames });
}

/** Resolves a figure to the WHERE clause of exactly the cases it counts (scoped and validated). */
export async function figureFilter(context: AppContext, actor: Actor, query: FigureQuery) {
  validateMeasure(query.measure);
  const range = parseMonthRange(query.from, query.to);
  const node = await readableMetricNode(context, actor, query.node);
  return { node, range, where: figureCasesFilter(node, range, query.measure, query.categoryId) };
}

/** The cases behind a figure, newest first, a page at a time. */
export async function figureCases(context: AppContext, actor: Actor, query: FigureQuery & { page: number; pageSize: number }) {
  const { node, where } = await figureFilter(context, actor, query);
  const [rows, [{ total }]] = await Promise.all([
    context.database.rows<Record<string, unknown>>(
      sql`SELECT ${figureCaseColumns} FROM cases c ${figureCaseJoins} WHERE ${where} ORDER BY c.created_at DESC, c.id DESC
          LIMIT ${query.pageSize} OFFSET ${(query.page - 1) * query.pageSize}`,
    ),
    context.database.rows<{ total: number }>(sql`SELECT count(*)::bigint AS total FROM cases c WHERE ${where}`),
  ]);
  return {
    node: describeNode(node),
    measure: query.measure,
    total: Number(total),
    page: query.page,
    pageSize: query.pageSize,
    items: rows.map((row) => ({
      id: Number(row.id),
      number: row.number,
      title: row.title,
      status: row.status,
      channel: row.channel,
      triageColor: row.triage_color,
      holderLevel: row.holder_level,
      overdue: row.overdue,
      category: row.category_name ?? null,
      grid: row.grid_name ?? null,
      createdAt: new Date(row.created_at as string).toISOString(),
      contactedAt: row.contacted_at ? new Date(row.contacted_at as string).toISOString() : null,
      repliedAt: row.replied_at ? new Date(row.replied_at as string).toISOString() : null,
      closedAt: row.closed_at ? new Date(row.closed_at as string).toISOString() : null,
      ratingSatisfaction: row.rating_satisfaction ?? null,
      ratingResolved: row.rating_resolved ?? null,
    })),
  };
}

export async function getMetricSettings(context: AppContext, actor: Actor) {
  return { settings: await metricSettingsOf(context, actor.cityId) };
}

/** The city administrator sets the rate definitions and composite weights (audited). */
export async function updateMetricSettings(context: AppContext, actor: Actor, input: Partial<MetricSettings>) {
  const [city] = await context.database.rows<{ path: string }>(sql`SELECT path FROM region_nodes WHERE city_id = ${actor.cityId} AND level = 'city' LIMIT 1`);
  authorize(actor, 'metrics', 'configure', { cityId: actor.cityId, regionPath: city?.path ?? null });
  const settings = mergeMetricSettings(input);
  const { response, resolution, satisfaction } = settings.weights;
  if (response + resolution + satisfaction <= 0) throw new AppError('validation_failed', 'At least one weight must be above zero', { weights: settings.weights });
  await context.database.db.transaction(async (tx) => {
    await tx.execute(sql`INSERT INTO city_metric_settings (city_id, settings, updated_at, updated_by) VALUES (${actor.cityId}, ${JSON.stringify(settings)}::jsonb, now(), ${actor.userId})
      ON CONFLICT (city_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now(), updated_by = EXCLUDED.updated_by`);
    await appendAudit(context.database, tx, auditOf(actor, 'metric_settings.update', 'city', actor.cityId, { settings }));
  });
  return { settings };
}
