import { sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import { measureByName, measureNames, measureValueSql, metricTimeZone } from './metric-measures.ts';

/** A node the figures are for: a region node (grid and above) or a department. */
export interface MetricNode {
  kind: 'region' | 'department';
  id: number;
  cityId: number;
  name: string;
  /** Region nodes: the materialised path; departments: null. */
  path: string | null;
  level: string;
}

/** Months as 'YYYY-MM-01' dates; `to` is exclusive. */
export interface MonthRange {
  from: string;
  to: string;
}

export type Counters = Record<string, number>;
const counterColumns = sql.raw(measureNames.join(', '));
const counterSums = sql.raw(measureNames.map((name) => `sum(${name})::bigint AS ${name}`).join(', '));
/** Every measure summed straight over `cases c`: the naive side. */
const naiveSums = sql.raw(measureNames.map((name) => `sum(${measureValueSql(measureByName.get(name)!)})::bigint AS ${name}`).join(', '));

export function toCounters(row: Record<string, unknown>): Counters {
  const counters: Counters = {};
  for (const name of measureNames) counters[name] = Number(row[name] ?? 0);
  return counters;
}

export function emptyCounters(): Counters {
  return Object.fromEntries(measureNames.map((name) => [name, 0]));
}

export async function findMetricNode(database: Database, cityId: number, kind: 'region' | 'department', id: number, executor?: Executor): Promise<MetricNode | null> {
  if (kind === 'region') {
    const [row] = await database.rows<{ id: number; name: string; path: string; level: string }>(
      sql`SELECT id, name, path, level FROM region_nodes WHERE id = ${id} AND city_id = ${cityId}`,
      executor,
    );
    return row ? { kind, id: Number(row.id), cityId, name: row.name, path: row.path, level: row.level } : null;
  }
  const [row] = await database.rows<{ id: number; name: string }>(
    sql`SELECT id, name FROM units WHERE id = ${id} AND city_id = ${cityId} AND kind = 'department'`,
    executor,
  );
  return row ? { kind, id: Number(row.id), cityId, name: row.name, path: null, level: 'department' } : null;
}

/** Pending (not yet compacted) deltas that belong to a node. */
function deltaNodeFilter(node: MetricNode): SQL {
  return node.kind === 'region' ? sql`department_id = 0 AND leaf_path LIKE ${node.path + '%'}` : sql`department_id = ${node.id}`;
}

/**
 * The node's counters per month and category over a range: compacted rollups plus pending deltas, in
 * one statement (one snapshot), so the answer is exact at every moment, whatever the compactor does.
 */
export async function rollupCounters(database: Database, node: MetricNode, range: MonthRange, executor?: Executor) {
  const rows = await database.rows<Record<string, unknown>>(
    sql`SELECT to_char(month, 'YYYY-MM') AS month, category_id, ${counterSums} FROM (
          SELECT month, category_id, ${counterColumns} FROM case_metric_rollups
          WHERE city_id = ${node.cityId} AND node_kind = ${node.kind} AND node_id = ${node.id} AND month >= ${range.from} AND month < ${range.to}
          UNION ALL
          SELECT month, category_id, ${counterColumns} FROM case_metric_deltas
          WHERE city_id = ${node.cityId} AND month >= ${range.from} AND month < ${range.to} AND ${deltaNodeFilter(node)}
        ) x GROUP BY month, category_id ORDER BY month, category_id`,
    executor,
  );
  return rows.map((row) => ({ month: String(row.month), categoryId: Number(row.category_id), counters: toCounters(row) }));
}

/** Counters of several nodes of one kind (rankings, the map), summed over the range. */
export async function rollupCountersByNode(database: Database, cityId: number, nodes: MetricNode[], range: MonthRange, executor?: Executor) {
  const result = new Map<number, Counters>();
  if (nodes.length === 0) return result;
  const kind = nodes[0].kind;
  const ids = nodes.map((n) => n.id);
  const idList = sql.join(ids.map((id) => sql`${id}::bigint`), sql`, `);
  const pending =
    kind === 'region'
      ? sql`SELECT n.id AS node_id, ${counterColumns} FROM case_metric_deltas d
            JOIN (VALUES ${sql.join(nodes.map((n) => sql`(${n.id}::bigint, ${n.path}::text)`), sql`, `)}) n(id, path) ON d.leaf_path LIKE n.path || '%'
            WHERE d.city_id = ${cityId} AND d.department_id = 0 AND d.month >= ${range.from} AND d.month < ${range.to}`
      : sql`SELECT department_id AS node_id, ${counterColumns} FROM case_metric_deltas
            WHERE city_id = ${cityId} AND department_id IN (${idList}) AND month >= ${range.from} AND month < ${range.to}`;
  const rows = await database.rows<Record<string, unknown>>(
    sql`SELECT node_id, ${counterSums} FROM (
          SELECT node_id, ${counterColumns} FROM case_metric_rollups
          WHERE city_id = ${cityId} AND node_kind = ${kind} AND node_id IN (${idList}) AND month >= ${range.from} AND month < ${range.to}
          UNION ALL ${pending}
        ) x GROUP BY node_id`,
    executor,
  );
  for (const row of rows) result.set(Number(row.node_id), toCounters(row));
  return result;
}

/** Which cases a node's figures count, as a WHERE fragment over `cases c`. */
export function nodeCasesFilter(node: MetricNode): SQL {
  return node.kind === 'region'
    ? sql`c.region_path LIKE ${node.path + '%'}`
    : sql`EXISTS (SELECT 1 FROM case_summonses s WHERE s.case_id = c.id AND s.department_id = ${node.id})`;
}

/** Cases received in the range (months in the city's time zone). */
export function monthRangeFilter(range: MonthRange): SQL {
  const zone = sql.raw(`'${metricTimeZone}'`);
  return sql`c.created_at >= (${range.from}::date::timestamp AT TIME ZONE ${zone}) AND c.created_at < (${range.to}::date::timestamp AT TIME ZONE ${zone})`;
}

/** The cases behind one figure: the measure's predicate over the node's cases of the range. */
export function figureCasesFilter(node: MetricNode, range: MonthRange, measure: string, categoryId?: number | null): SQL {
  const definition = measureByName.get(measure);
  if (!definition) throw new Error(`unknown measure ${measure}`);
  const parts = [sql`c.city_id = ${node.cityId}`, nodeCasesFilter(node), monthRangeFilter(range), sql.raw(`(${definition.predicate})`)];
  if (categoryId !== undefined && categoryId !== null) parts.push(categoryId === 0 ? sql`c.category_id IS NULL` : sql`c.category_id = ${categoryId}`);
  return sql.join(parts, sql` AND `);
}

/**
 * The naive answer straight from `cases`: what the rollups must equal. Used by the tests and by
 * `bench:metrics`, and by the day and week trends (periods the monthly rollups do not cut).
 */
export async function naiveCounters(database: Database, node: MetricNode, range: MonthRange, executor?: Executor) {
  const zone = sql.raw(`'${metricTimeZone}'`);
  const rows = await database.rows<Record<string, unknown>>(
    sql`SELECT to_char(date_trunc('month', c.created_at AT TIME ZONE ${zone}), 'YYYY-MM') AS month, COALESCE(c.category_id, 0) AS category_id, ${naiveSums}
        FROM cases c WHERE c.city_id = ${node.cityId} AND ${nodeCasesFilter(node)} AND ${monthRangeFilter(range)}
        GROUP BY 1, 2 ORDER BY 1, 2`,
    executor,
  );
  return rows.map((row) => ({ month: String(row.month), categoryId: Number(row.category_id), counters: toCounters(row) }));
}

/** Counters per day (or ISO week) from the raw cases, for short trends. */
export async function naiveCountersByBucket(database: Database, node: MetricNode, fromDay: string, toDay: string, bucket: 'day' | 'week', executor?: Executor) {
  const zone = sql.raw(`'${metricTimeZone}'`);
  const unit = sql.raw(`'${bucket}'`);
  const rows = await database.rows<Record<string, unknown>>(
    sql`SELECT to_char(date_trunc(${unit}, c.created_at AT TIME ZONE ${zone}), 'YYYY-MM-DD') AS bucket, ${naiveSums}
        FROM cases c WHERE c.city_id = ${node.cityId} AND ${nodeCasesFilter(node)}
          AND c.created_at >= (${fromDay}::date::timestamp AT TIME ZONE ${zone}) AND c.created_at < (${toDay}::date::timestamp AT TIME ZONE ${zone})
        GROUP BY 1 ORDER BY 1`,
    executor,
  );
  return rows.map((row) => ({ bucket: String(row.bucket), counters: toCounters(row) }));
}

/**
 * Moves committed deltas into the rollups (one statement per batch); returns how many moved. Readers
 * stay exact throughout: a delta is either pending or compacted, in any snapshot.
 */
export async function compactMetricDeltas(database: Database, limit = 20_000): Promise<number> {
  const [row] = await database.rows<{ moved: number }>(sql`SELECT civicgrid_compact_case_metrics(${limit}) AS moved`);
  return Number(row?.moved ?? 0);
}
