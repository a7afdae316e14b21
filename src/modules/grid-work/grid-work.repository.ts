import { sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import { chinaTodaySql, isoOrNull } from '../../db/row-values.ts';

/** Asia/Shanghai's today, as the database sees it (overdue care visits are counted against it). */


// ── Places ────────────────────────────────────────────────────────────────────────────────────────

export interface HouseholdPlace {
  id: number;
  cityId: number;
  path: string;
  buildingId: number;
  gridId: number;
  gridLevel: string;
  address: string | null;
}

/** A household with its building and the building's grid (a building keeps its grid as parent). */
export async function findHouseholdPlace(database: Database, householdId: number, executor?: Executor): Promise<HouseholdPlace | null> {
  const [row] = await database.rows<Record<string, unknown>>(
    sql`SELECT h.id, h.city_id, h.region_path, h.building_id, h.address, b.parent_id AS grid_id, g.level AS grid_level
          FROM households h JOIN region_nodes b ON b.id = h.building_id LEFT JOIN region_nodes g ON g.id = b.parent_id
         WHERE h.id = ${householdId}`,
    executor,
  );
  if (!row) return null;
  return {
    id: Number(row.id),
    cityId: Number(row.city_id),
    path: row.region_path as string,
    buildingId: Number(row.building_id),
    gridId: Number(row.grid_id),
    gridLevel: (row.grid_level as string) ?? '',
    address: (row.address as string | null) ?? null,
  };
}

/** The grid above a path (the node of level grid among its ancestors), or null. */
export async function gridOfPath(database: Database, path: string, executor?: Executor): Promise<{ id: number; path: string } | null> {
  const ids = path.split('/').filter(Boolean).map(Number);
  if (!ids.length) return null;
  const [row] = await database.rows<{ id: number; path: string }>(
    sql`SELECT id, path FROM region_nodes WHERE id IN (${sql.join(ids.map((i) => sql`${i}`), sql`, `)}) AND level = 'grid' LIMIT 1`,
    executor,
  );
  return row ? { id: Number(row.id), path: row.path } : null;
}

// ── Home visits ───────────────────────────────────────────────────────────────────────────────────

export const visitColumns = sql`v.id, v.city_id, v.grid_id, v.region_path, v.household_id, v.building_id, v.care_subject_id, v.visitor_user_id, v.visited_at,
  v.purpose, v.collected, v.notes, v.need_item_id, v.created_at, u.display_name AS visitor_name, g.name AS grid_name, b.name AS building_name,
  h.door_number, h.address, r.name AS care_resident_name, cs.care_group`;
export const visitJoins = sql`LEFT JOIN users u ON u.id = v.visitor_user_id LEFT JOIN region_nodes g ON g.id = v.grid_id
  LEFT JOIN region_nodes b ON b.id = v.building_id LEFT JOIN households h ON h.id = v.household_id
  LEFT JOIN care_subjects cs ON cs.id = v.care_subject_id LEFT JOIN residents r ON r.id = cs.resident_id`;

export async function selectVisits(database: Database, where: SQL, order: SQL, limit: number, offset = 0) {
  return database.rows<Record<string, unknown>>(sql`SELECT ${visitColumns} FROM home_visits v ${visitJoins} WHERE ${where} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`);
}

export async function countRows(database: Database, table: SQL, where: SQL) {
  const [row] = await database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM ${table} WHERE ${where}`);
  return Number(row.total);
}

export interface NewVisit {
  cityId: number;
  gridId: number;
  regionPath: string;
  householdId: number;
  buildingId: number;
  careSubjectId: number | null;
  visitorUserId: number;
  visitedAt: Date;
  purpose: string;
  collected: unknown;
  notes: string;
  needItemId: number | null;
}

export async function insertVisit(database: Database, tx: Executor, visit: NewVisit): Promise<number> {
  const [row] = await database.rows<{ id: number }>(
    sql`INSERT INTO home_visits (city_id, grid_id, region_path, household_id, building_id, care_subject_id, visitor_user_id, visited_at, purpose, collected, notes, need_item_id)
        VALUES (${visit.cityId}, ${visit.gridId}, ${visit.regionPath}, ${visit.householdId}, ${visit.buildingId}, ${visit.careSubjectId}, ${visit.visitorUserId},
                ${visit.visitedAt.toISOString()}::timestamptz, ${visit.purpose}, ${JSON.stringify(visit.collected)}::jsonb, ${visit.notes}, ${visit.needItemId})
        RETURNING id`,
    tx,
  );
  return Number(row.id);
}

/** A need raised on a visit (需求清单, source grid_worker), under the household's community. */
export async function insertNeedItem(
  database: Database,
  tx: Executor,
  item: { cityId: number; communityId: number; communityPath: string; title: string; description: string; category: string | null; createdBy: number },
): Promise<number> {
  const [row] = await database.rows<{ id: number }>(
    sql`INSERT INTO community_list_items (city_id, list_kind, region_node_id, region_path, title, description, category, source, status, created_by)
        VALUES (${item.cityId}, 'need', ${item.communityId}, ${item.communityPath}, ${item.title}, ${item.description}, ${item.category}, 'grid_worker', 'posted', ${item.createdBy})
        RETURNING id`,
    tx,
  );
  return Number(row.id);
}

/** After a visit: the care subject's last visit and next due date move on, unless a later visit is already recorded. */
export async function advanceCareSubject(database: Database, tx: Executor, careSubjectId: number, visitedAt: Date) {
  const [row] = await database.rows<{ next_visit_due: string; last_visit_at: string }>(
    sql`UPDATE care_subjects SET last_visit_at = ${visitedAt.toISOString()}::timestamptz,
               next_visit_due = ((${visitedAt.toISOString()}::timestamptz AT TIME ZONE 'Asia/Shanghai')::date + visit_every_days)
         WHERE id = ${careSubjectId} AND (last_visit_at IS NULL OR last_visit_at <= ${visitedAt.toISOString()}::timestamptz)
        RETURNING next_visit_due::text, last_visit_at`,
    tx,
  );
  return row ? { nextVisitDue: row.next_visit_due, lastVisitAt: isoOrNull(row.last_visit_at) } : null;
}

// ── Disputes ──────────────────────────────────────────────────────────────────────────────────────

export const disputeColumns = sql`d.id, d.city_id, d.grid_id, d.region_path, d.title, d.description, d.category, d.parties, d.status, d.found_at, d.found_by,
  d.mediator, d.mediation_started_at, d.resolved_at, d.result, d.case_id, d.version, d.created_at, d.updated_at,
  g.name AS grid_name, u.display_name AS found_by_name, c.number AS case_number, c.status AS case_status`;
export const disputeJoins = sql`LEFT JOIN region_nodes g ON g.id = d.grid_id LEFT JOIN users u ON u.id = d.found_by LEFT JOIN cases c ON c.id = d.case_id`;

export async function selectDisputes(database: Database, where: SQL, order: SQL, limit: number, offset = 0, executor?: Executor) {
  return database.rows<Record<string, unknown>>(
    sql`SELECT ${disputeColumns} FROM disputes d ${disputeJoins} WHERE ${where} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`,
    executor,
  );
}

export async function lockDispute(database: Database, tx: Executor, id: number) {
  const [row] = await database.rows<Record<string, unknown>>(
    sql`SELECT id, city_id, grid_id, region_path, title, description, status, version, case_id FROM disputes WHERE id = ${id} FOR UPDATE`,
    tx,
  );
  return row ?? null;
}

// ── Care subjects ─────────────────────────────────────────────────────────────────────────────────

export const careColumns = sql`cs.id, cs.city_id, cs.resident_id, cs.grid_id, cs.region_path, cs.care_group, cs.visit_every_days, cs.responsible_user_id,
  cs.last_visit_at, cs.next_visit_due::text AS next_visit_due, cs.active, cs.created_at, r.name AS resident_name, r.phone AS resident_phone, r.household_id,
  h.address, h.door_number, g.name AS grid_name, u.display_name AS responsible_name, (cs.active AND cs.next_visit_due < ${chinaTodaySql}) AS overdue,
  GREATEST(0, ${chinaTodaySql} - cs.next_visit_due) AS days_overdue`;
export const careJoins = sql`JOIN residents r ON r.id = cs.resident_id LEFT JOIN households h ON h.id = r.household_id
  LEFT JOIN region_nodes g ON g.id = cs.grid_id LEFT JOIN users u ON u.id = cs.responsible_user_id`;

export async function selectCareSubjects(database: Database, where: SQL, order: SQL, limit: number, offset = 0, executor?: Executor) {
  return database.rows<Record<string, unknown>>(
    sql`SELECT ${careColumns} FROM care_subjects cs ${careJoins} WHERE ${where} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`,
    executor,
  );
}
