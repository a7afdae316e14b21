import { sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import { DEFAULT_UNIT_POINT_SETTINGS, type UnitPointEvent, type UnitPointSettings } from './unit-points.ledger.ts';

/** A community node of a city (404 when unknown or of another city, the caller decides the level check). */
export async function findRegionNode(database: Database, id: number, executor?: Executor) {
  const [row] = await database.rows<Record<string, unknown>>(sql`SELECT id, city_id, path, level, name FROM region_nodes WHERE id = ${id}`, executor);
  return row ? { id: Number(row.id), cityId: Number(row.city_id), path: row.path as string, level: row.level as string, name: row.name as string } : null;
}

export async function findUnit(database: Database, id: number, executor?: Executor) {
  const [row] = await database.rows<Record<string, unknown>>(sql`SELECT id, city_id, kind, name, region_node_id FROM units WHERE id = ${id}`, executor);
  return row ? { id: Number(row.id), cityId: Number(row.city_id), kind: row.kind as string, name: row.name as string, regionNodeId: row.region_node_id === null ? null : Number(row.region_node_id) } : null;
}

/**
 * The units that belong to a community's points ledger: resident units located in it, units reported to it
 * (an active 'organization' 双报到 registration), and any unit that already has entries there.
 */
const membersSql = (cityId: number) => sql`
  SELECT u.id AS unit_id, c.id AS community_id
    FROM units u JOIN region_nodes rn ON rn.id = u.region_node_id
    JOIN region_nodes c ON c.level = 'community' AND c.city_id = u.city_id
     AND c.id = ANY (string_to_array(trim(both '/' from rn.path), '/')::bigint[])
   WHERE u.city_id = ${cityId} AND u.kind = 'resident_unit'
  UNION
  SELECT dr.unit_id, dr.community_id FROM dual_registrations dr
   WHERE dr.city_id = ${cityId} AND dr.status = 'active' AND dr.unit_id IS NOT NULL
  UNION
  SELECT DISTINCT e.unit_id, e.community_id FROM unit_point_entries e WHERE e.city_id = ${cityId}`;

export async function isMemberUnit(database: Database, cityId: number, unitId: number, communityId: number, executor?: Executor): Promise<boolean> {
  const rows = await database.rows(sql`SELECT 1 FROM (${membersSql(cityId)}) m WHERE m.unit_id = ${unitId} AND m.community_id = ${communityId} LIMIT 1`, executor);
  return rows.length > 0;
}

export interface BalanceRow {
  unitId: number;
  unitName: string;
  unitKind: string;
  communityId: number;
  communityName: string;
  communityPath: string;
  balance: number;
  earned: number;
  deducted: number;
  entryCount: number;
  lastEntryAt: string | null;
  bookingMinimum: number;
  honourThreshold: number;
  standing: 'restricted' | 'normal' | 'honoured';
}

const D = DEFAULT_UNIT_POINT_SETTINGS;

/** Balances of member units with their standing; `where` is applied to the computed rows (alias b). */
export async function listBalances(database: Database, cityId: number, where: SQL[], page: { limit: number; offset: number } | null): Promise<{ rows: BalanceRow[]; total: number }> {
  const rows = await database.rows<Record<string, unknown>>(sql`
    WITH members AS (${membersSql(cityId)}),
    sums AS (
      SELECT e.unit_id, e.community_id, sum(e.points)::int AS total, coalesce(sum(e.points) FILTER (WHERE e.points > 0), 0)::int AS earned,
             coalesce(sum(e.points) FILTER (WHERE e.points < 0), 0)::int AS deducted, count(*)::int AS entry_count, max(e.created_at) AS last_entry_at
        FROM unit_point_entries e WHERE e.city_id = ${cityId} GROUP BY e.unit_id, e.community_id
    ),
    balances AS (
      SELECT m.unit_id, u.name AS unit_name, u.kind AS unit_kind, c.id AS community_id, c.name AS community_name, c.path AS community_path,
             coalesce(s.base_points, ${D.basePoints}) + coalesce(x.total, 0) AS balance,
             coalesce(x.earned, 0) AS earned, coalesce(x.deducted, 0) AS deducted, coalesce(x.entry_count, 0) AS entry_count, x.last_entry_at,
             coalesce(s.booking_minimum, ${D.bookingMinimum}) AS booking_minimum, coalesce(s.honour_threshold, ${D.honourThreshold}) AS honour_threshold
        FROM members m JOIN units u ON u.id = m.unit_id JOIN region_nodes c ON c.id = m.community_id
        LEFT JOIN unit_point_settings s ON s.community_id = m.community_id
        LEFT JOIN sums x ON x.unit_id = m.unit_id AND x.community_id = m.community_id
    ),
    b AS (
      SELECT *, CASE WHEN balance < booking_minimum THEN 'restricted' WHEN balance > honour_threshold THEN 'honoured' ELSE 'normal' END AS standing FROM balances
    )
    SELECT b.*, count(*) OVER ()::int AS total FROM b
     WHERE ${where.length ? sql.join(where, sql` AND `) : sql`true`}
     ORDER BY b.balance DESC, b.unit_name, b.unit_id, b.community_id
     ${page ? sql`LIMIT ${page.limit} OFFSET ${page.offset}` : sql``}`);
  return {
    total: rows.length ? Number(rows[0].total) : 0,
    rows: rows.map((r) => ({
      unitId: Number(r.unit_id),
      unitName: r.unit_name as string,
      unitKind: r.unit_kind as string,
      communityId: Number(r.community_id),
      communityName: r.community_name as string,
      communityPath: r.community_path as string,
      balance: Number(r.balance),
      earned: Number(r.earned),
      deducted: Number(r.deducted),
      entryCount: Number(r.entry_count),
      lastEntryAt: r.last_entry_at ? new Date(r.last_entry_at as string).toISOString() : null,
      bookingMinimum: Number(r.booking_minimum),
      honourThreshold: Number(r.honour_threshold),
      standing: r.standing as BalanceRow['standing'],
    })),
  };
}

export interface EntryRow {
  id: number;
  event: UnitPointEvent;
  sourceKind: string;
  sourceId: number | null;
  points: number;
  note: string | null;
  createdByName: string | null;
  createdAt: string;
}

const toEntry = (r: Record<string, unknown>): EntryRow => ({
  id: Number(r.id),
  event: r.event as UnitPointEvent,
  sourceKind: r.source_kind as string,
  sourceId: r.source_id === null ? null : Number(r.source_id),
  points: Number(r.points),
  note: (r.note as string | null) ?? null,
  createdByName: (r.created_by_name as string | null) ?? null,
  createdAt: new Date(r.created_at as string).toISOString(),
});

/** One unit's entries in one community, newest first (or in id order after `afterId` for the export). */
export async function listEntries(
  database: Database,
  unitId: number,
  communityId: number,
  where: SQL[],
  page: { limit: number; offset: number } | { afterId: number; limit: number },
): Promise<{ rows: EntryRow[]; total: number }> {
  const conditions = sql.join([sql`e.unit_id = ${unitId}`, sql`e.community_id = ${communityId}`, ...where], sql` AND `);
  const keyset = 'afterId' in page;
  const rows = await database.rows<Record<string, unknown>>(sql`
    SELECT e.id, e.event, e.source_kind, e.source_id, e.points, e.note, e.created_at, us.display_name AS created_by_name,
           ${keyset ? sql`0` : sql`count(*) OVER ()`}::int AS total
      FROM unit_point_entries e LEFT JOIN users us ON us.id = e.created_by
     WHERE ${conditions} ${keyset ? sql`AND e.id > ${page.afterId}` : sql``}
     ORDER BY ${keyset ? sql`e.id` : sql`e.created_at DESC, e.id DESC`}
     LIMIT ${page.limit} ${keyset ? sql`` : sql`OFFSET ${page.offset}`}`);
  return { total: rows.length ? Number(rows[0].total) : 0, rows: rows.map(toEntry) };
}

export async function readSettingsRow(database: Database, communityId: number, executor?: Executor): Promise<(UnitPointSettings & { updatedAt: string | null; updatedByName: string | null }) | null> {
  const [row] = await database.rows<Record<string, unknown>>(
    sql`SELECT s.base_points, s.booking_minimum, s.honour_threshold, s.updated_at, us.display_name AS updated_by_name
          FROM unit_point_settings s LEFT JOIN users us ON us.id = s.updated_by WHERE s.community_id = ${communityId}`,
    executor,
  );
  if (!row) return null;
  return {
    basePoints: Number(row.base_points),
    bookingMinimum: Number(row.booking_minimum),
    honourThreshold: Number(row.honour_threshold),
    updatedAt: row.updated_at ? new Date(row.updated_at as string).toISOString() : null,
    updatedByName: (row.updated_by_name as string | null) ?? null,
  };
}

export async function upsertSettings(
  database: Database,
  executor: Executor,
  input: { cityId: number; communityId: number; regionPath: string; userId: number } & UnitPointSettings,
): Promise<void> {
  await database.rows(
    sql`INSERT INTO unit_point_settings (city_id, community_id, region_path, base_points, booking_minimum, honour_threshold, updated_by)
        VALUES (${input.cityId}, ${input.communityId}, ${input.regionPath}, ${input.basePoints}, ${input.bookingMinimum}, ${input.honourThreshold}, ${input.userId})
        ON CONFLICT (community_id) DO UPDATE SET base_points = excluded.base_points, booking_minimum = excluded.booking_minimum,
           honour_threshold = excluded.honour_threshold, updated_by = excluded.updated_by, updated_at = now()`,
    executor,
  );
}

export async function readRules(database: Database, communityId: number, executor?: Executor): Promise<Array<{ event: UnitPointEvent; points: number; active: boolean }>> {
  const rows = await database.rows<Record<string, unknown>>(sql`SELECT event, points, active FROM unit_point_rules WHERE community_id = ${communityId} ORDER BY event`, executor);
  return rows.map((r) => ({ event: r.event as UnitPointEvent, points: Number(r.points), active: Boolean(r.active) }));
}

export async function upsertRule(
  database: Database,
  executor: Executor,
  input: { cityId: number; communityId: number; regionPath: string; event: UnitPointEvent; points: number; active: boolean },
): Promise<void> {
  await database.rows(
    sql`INSERT INTO unit_point_rules (city_id, community_id, region_path, event, points, active)
        VALUES (${input.cityId}, ${input.communityId}, ${input.regionPath}, ${input.event}, ${input.points}, ${input.active})
        ON CONFLICT (community_id, event) DO UPDATE SET points = excluded.points, active = excluded.active`,
    executor,
  );
}

/** A manual adjustment: its own entry with no source id (so the per-source unique index never merges two). */
export async function insertManualEntry(
  database: Database,
  executor: Executor,
  input: { cityId: number; communityId: number; regionPath: string; unitId: number; points: number; note: string; userId: number },
): Promise<number> {
  const [row] = await database.rows<{ id: number }>(
    sql`INSERT INTO unit_point_entries (city_id, community_id, region_path, unit_id, event, source_kind, source_id, points, note, created_by)
        VALUES (${input.cityId}, ${input.communityId}, ${input.regionPath}, ${input.unitId}, 'manual', 'manual_adjustment', NULL, ${input.points}, ${input.note}, ${input.userId})
        RETURNING id`,
    executor,
  );
  return Number(row.id);
}
