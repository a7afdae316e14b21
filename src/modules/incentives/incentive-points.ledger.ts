import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import type { incentiveEvents } from '../../db/schema/index.ts';
import { INCENTIVE_POINTS } from './incentives-lifecycle.ts';

export type IncentiveEvent = (typeof incentiveEvents)[number];

export interface IncentiveEntryInput {
  cityId: number;
  userId: number;
  regionPath: string;
  event: IncentiveEvent;
  sourceKind: string;
  /** With a source id the entry is written once per (user, event, source) — the unique index decides. */
  sourceId: number | null;
  points: number;
  note?: string | null;
  createdBy?: number | null;
}

/** One ledger entry, in the caller's transaction; returns the points written (0 when the source already counted). */
export async function writeIncentiveEntry(database: Database, executor: Executor, input: IncentiveEntryInput): Promise<number> {
  const rows = await database.rows(
    sql`INSERT INTO incentive_point_entries (city_id, user_id, region_path, event, source_kind, source_id, points, note, created_by)
        VALUES (${input.cityId}, ${input.userId}, ${input.regionPath}, ${input.event}, ${input.sourceKind}, ${input.sourceId}, ${input.points}, ${input.note ?? null}, ${input.createdBy ?? null})
        ON CONFLICT (user_id, event, source_kind, source_id) WHERE source_id IS NOT NULL DO NOTHING RETURNING id`,
    executor,
  );
  return rows.length ? input.points : 0;
}

/** A head's balance: the sum of their entries. */
export async function incentiveBalance(database: Database, userId: number, executor?: Executor): Promise<number> {
  const [row] = await database.rows<{ total: number }>(sql`SELECT coalesce(sum(points), 0)::int AS total FROM incentive_point_entries WHERE user_id = ${userId}`, executor);
  return Number(row.total);
}

/** The building heads (active users with the building_head role on the building). */
export async function buildingHeadsOf(database: Database, buildingId: number, executor?: Executor): Promise<number[]> {
  const rows = await database.rows<{ user_id: number }>(
    sql`SELECT DISTINCT ra.user_id FROM role_assignments ra JOIN users u ON u.id = ra.user_id
         WHERE ra.role = 'building_head' AND ra.region_node_id = ${buildingId} AND u.status = 'active' ORDER BY ra.user_id`,
    executor,
  );
  return rows.map((r) => Number(r.user_id));
}

/**
 * 一事一评: a case in a building rated 满意 earns the building's head(s) points — called from the case
 * rating's transaction (after its UPDATE), once per case (a re-rating after a reopen does not pay again).
 */
export async function awardCaseSatisfiedPoints(database: Database, executor: Executor, caseId: number): Promise<number> {
  const [row] = await database.rows<{ city_id: number; number: string; building_id: number | null; region_path: string; rating_satisfaction: string | null }>(
    sql`SELECT city_id, number, building_id, region_path, rating_satisfaction FROM cases WHERE id = ${caseId}`,
    executor,
  );
  if (!row || row.building_id === null || row.rating_satisfaction !== 'satisfied') return 0;
  let total = 0;
  for (const userId of await buildingHeadsOf(database, Number(row.building_id), executor)) {
    total += await writeIncentiveEntry(database, executor, {
      cityId: Number(row.city_id), userId, regionPath: row.region_path, event: 'case_satisfied', sourceKind: 'case', sourceId: caseId,
      points: INCENTIVE_POINTS.caseSatisfied, note: `工单 ${row.number} 满意`,
    });
  }
  return total;
}
