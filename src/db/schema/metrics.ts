import { sql } from 'drizzle-orm';
import { pgTable, text, bigint, date, index, primaryKey, jsonb, bigserial } from 'drizzle-orm/pg-core';
import { ref, updatedAt } from './columns.ts';
import { measureNames } from '../../modules/metrics/metric-measures.ts';

/** One bigint counter column per measure (src/modules/metrics/metric-measures.ts). */
function counters() {
  return Object.fromEntries(measureNames.map((name) => [name, bigint(name, { mode: 'number' }).notNull().default(0)])) as Record<string, ReturnType<typeof bigint>>;
}

/**
 * Signed changes to the measures, written by statement triggers on `cases` and `case_summonses` in the
 * same transaction as the change (drizzle/0013). Append-only, so concurrent writers never wait on one
 * another; the compactor moves them into case_metric_rollups. Readers add the pending ones.
 */
export const caseMetricDeltas = pgTable(
  'case_metric_deltas',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    cityId: bigint('city_id', { mode: 'number' }).notNull(),
    /** The case's region path ('' for a department delta). */
    leafPath: text('leaf_path').notNull(),
    /** 0 for a region delta. */
    departmentId: bigint('department_id', { mode: 'number' }).notNull().default(0),
    month: date('month', { mode: 'string' }).notNull(),
    categoryId: bigint('category_id', { mode: 'number' }).notNull().default(0),
    ...counters(),
  },
  (t) => [index('case_metric_deltas_city_month_idx').on(t.cityId, t.month)],
);

/** Measures per (node, month, category): every region node on a case's path, and every department summoned. */
export const caseMetricRollups = pgTable(
  'case_metric_rollups',
  {
    cityId: bigint('city_id', { mode: 'number' }).notNull(),
    nodeKind: text('node_kind', { enum: ['region', 'department'] }).notNull(),
    nodeId: bigint('node_id', { mode: 'number' }).notNull(),
    month: date('month', { mode: 'string' }).notNull(),
    categoryId: bigint('category_id', { mode: 'number' }).notNull().default(0),
    ...counters(),
  },
  (t) => [primaryKey({ columns: [t.cityId, t.nodeKind, t.nodeId, t.month, t.categoryId] })],
);

/** A city's own rate definitions and composite weights (null: the defaults in metric-rates.ts). */
export const cityMetricSettings = pgTable('city_metric_settings', {
  cityId: bigint('city_id', { mode: 'number' }).primaryKey(),
  settings: jsonb('settings').notNull().default(sql`'{}'::jsonb`),
  updatedAt: updatedAt(),
  updatedBy: ref('updated_by'),
});
