import { sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import { maskName } from '../../shared/personal-data.ts';
import { chinaTodaySql, dateOrNull, isoOrNull } from '../../db/row-values.ts';

/** SQL of the incentive module: heads and their ledger, partner-shop offers, one-time codes, building evaluations. */

type Page = { pageSize: number; offset: number } | { afterId: number; size: number };

async function paged<T>(database: Database, select: SQL, count: SQL, where: SQL[], order: SQL, idColumn: SQL, page: Page, map: (row: Record<string, unknown>) => T) {
  const clause = sql.join(where, sql` AND `);
  if ('afterId' in page) {
    const rows = await database.rows<Record<string, unknown>>(sql`${select} WHERE ${clause} AND ${idColumn} > ${page.afterId} ORDER BY ${idColumn} LIMIT ${page.size}`);
    return { items: rows.map(map), total: 0 };
  }
  const rows = await database.rows<Record<string, unknown>>(sql`${select} WHERE ${clause} ORDER BY ${order} LIMIT ${page.pageSize} OFFSET ${page.offset}`);
  const [{ total }] = await database.rows<{ total: number }>(sql`${count} WHERE ${clause}`);
  return { items: rows.map(map), total: Number(total) };
}

// ---------- heads ----------

export interface HeadRow {
  id: number;
  userId: number;
  name: string;
  buildingId: number;
  buildingName: string;
  regionPath: string;
  balance: number;
  earned: number;
  spent: number;
}

const headSelect = sql`SELECT ra.id, ra.user_id, u.display_name, n.id AS building_id, n.name AS building_name, n.path,
    coalesce(b.balance, 0)::int AS balance, coalesce(b.earned, 0)::int AS earned, coalesce(b.spent, 0)::int AS spent
  FROM role_assignments ra JOIN users u ON u.id = ra.user_id JOIN region_nodes n ON n.id = ra.region_node_id
  LEFT JOIN LATERAL (SELECT sum(e.points) AS balance, sum(e.points) FILTER (WHERE e.points > 0 AND e.event <> 'redemption_returned') AS earned,
                            -sum(e.points) FILTER (WHERE e.event IN ('redeemed', 'redemption_returned')) AS spent
                       FROM incentive_point_entries e WHERE e.user_id = ra.user_id) b ON true`;
const headCount = sql`SELECT count(*)::int AS total FROM role_assignments ra JOIN users u ON u.id = ra.user_id JOIN region_nodes n ON n.id = ra.region_node_id`;

export const headBase = (cityId: number) => [sql`ra.city_id = ${cityId}`, sql`ra.role = 'building_head'`, sql`n.level = 'building'`, sql`u.status = 'active'`];

export const listHeads = (database: Database, where: SQL[], page: Page) =>
  paged(database, headSelect, headCount, where, sql`coalesce(b.balance, 0) DESC, ra.id`, sql`ra.id`, page, (row): HeadRow => ({
    id: Number(row.id),
    userId: Number(row.user_id),
    name: row.display_name as string,
    buildingId: Number(row.building_id),
    buildingName: row.building_name as string,
    regionPath: row.path as string,
    balance: Number(row.balance),
    earned: Number(row.earned),
    spent: Number(row.spent),
  }));

/** Where a user heads a building: the buildings' paths (an entry is written under the first one the actor may manage). */
export async function headBuildings(database: Database, cityId: number, userId: number) {
  const rows = await database.rows<{ id: number; path: string; name: string }>(
    sql`SELECT n.id, n.path, n.name FROM role_assignments ra JOIN region_nodes n ON n.id = ra.region_node_id
         WHERE ra.user_id = ${userId} AND ra.city_id = ${cityId} AND ra.role = 'building_head' AND n.level = 'building' ORDER BY ra.id`,
  );
  return rows.map((r) => ({ id: Number(r.id), path: r.path, name: r.name }));
}

// ---------- ledger entries ----------

export interface EntryRow {
  id: number;
  userId: number;
  userName: string;
  regionPath: string;
  event: string;
  sourceKind: string;
  sourceId: number | null;
  points: number;
  note: string | null;
  createdByName: string | null;
  createdAt: string;
}

const entrySelect = sql`SELECT e.*, u.display_name AS user_name, c.display_name AS created_by_name
  FROM incentive_point_entries e JOIN users u ON u.id = e.user_id LEFT JOIN users c ON c.id = e.created_by`;
const entryCount = sql`SELECT count(*)::int AS total FROM incentive_point_entries e JOIN users u ON u.id = e.user_id`;

export const listEntries = (database: Database, where: SQL[], page: Page) =>
  paged(database, entrySelect, entryCount, where, sql`e.id DESC`, sql`e.id`, page, (row): EntryRow => ({
    id: Number(row.id),
    userId: Number(row.user_id),
    userName: row.user_name as string,
    regionPath: row.region_path as string,
    event: row.event as string,
    sourceKind: row.source_kind as string,
    sourceId: row.source_id === null ? null : Number(row.source_id),
    points: Number(row.points),
    note: (row.note as string | null) ?? null,
    createdByName: (row.created_by_name as string | null) ?? null,
    createdAt: isoOrNull(row.created_at)!,
  }));

// ---------- offers ----------

export interface OfferRow {
  id: number;
  cityId: number;
  shopUnitId: number;
  shopName: string;
  regionPath: string;
  title: string;
  description: string;
  pointsCost: number;
  validUntil: string | null;
  active: boolean;
  available: boolean;
  redeemedCount: number;
  createdAt: string;
}

/** An offer can be redeemed: active and not past its last day (Asia/Shanghai). */
export const offerAvailableSql = sql`(o.active AND (o.valid_until IS NULL OR o.valid_until >= ${chinaTodaySql}))`;

const offerSelect = sql`SELECT o.*, s.name AS shop_name,
    ${offerAvailableSql} AS available,
    (SELECT count(*)::int FROM redemption_codes r WHERE r.offer_id = o.id AND r.status = 'redeemed') AS redeemed_count
  FROM partner_shop_offers o JOIN units s ON s.id = o.shop_unit_id`;
const offerCount = sql`SELECT count(*)::int AS total FROM partner_shop_offers o JOIN units s ON s.id = o.shop_unit_id`;
const offerOf = (row: Record<string, unknown>): OfferRow => ({
  id: Number(row.id),
  cityId: Number(row.city_id),
  shopUnitId: Number(row.shop_unit_id),
  shopName: row.shop_name as string,
  regionPath: row.region_path as string,
  title: row.title as string,
  description: row.description as string,
  pointsCost: Number(row.points_cost),
  validUntil: dateOrNull(row.valid_until),
  active: Boolean(row.active),
  available: Boolean(row.available),
  redeemedCount: Number(row.redeemed_count ?? 0),
  createdAt: isoOrNull(row.created_at)!,
});

export const listOffers = (database: Database, where: SQL[], page: Page) => paged(database, offerSelect, offerCount, where, sql`o.id DESC`, sql`o.id`, page, offerOf);

export async function offerById(database: Database, id: number, executor?: Executor) {
  const [row] = await database.rows<Record<string, unknown>>(sql`${offerSelect} WHERE o.id = ${id}`, executor);
  return row ? offerOf(row) : null;
}

export async function shopInCity(database: Database, cityId: number, unitId: number) {
  const [row] = await database.rows<Record<string, unknown>>(
    sql`SELECT u.id, u.name, u.kind, n.path FROM units u LEFT JOIN region_nodes n ON n.id = u.region_node_id WHERE u.id = ${unitId} AND u.city_id = ${cityId}`,
  );
  return row ? { id: Number(row.id), name: row.name as string, kind: row.kind as string, path: (row.path as string | null) ?? null } : null;
}

// ---------- codes ----------

export interface CodeRow {
  id: number;
  cityId: number;
  offerId: number;
  offerTitle: string;
  shopUnitId: number;
  shopName: string;
  userId: number;
  holderName: string;
  regionPath: string;
  points: number;
  status: 'issued' | 'redeemed' | 'expired' | 'cancelled';
  issuedAt: string;
  expiresAt: string;
  redeemedAt: string | null;
}

const codeSelect = sql`SELECT r.id, r.city_id, r.offer_id, r.shop_unit_id, r.user_id, r.region_path, r.points, r.status, r.issued_at, r.expires_at, r.redeemed_at,
    o.title AS offer_title, s.name AS shop_name, u.display_name AS holder_name
  FROM redemption_codes r JOIN partner_shop_offers o ON o.id = r.offer_id JOIN units s ON s.id = r.shop_unit_id JOIN users u ON u.id = r.user_id`;
const codeCount = sql`SELECT count(*)::int AS total FROM redemption_codes r JOIN partner_shop_offers o ON o.id = r.offer_id`;
export const codeOf = (row: Record<string, unknown>): CodeRow => ({
  id: Number(row.id),
  cityId: Number(row.city_id),
  offerId: Number(row.offer_id),
  offerTitle: row.offer_title as string,
  shopUnitId: Number(row.shop_unit_id),
  shopName: row.shop_name as string,
  userId: Number(row.user_id),
  holderName: maskName(row.holder_name as string) ?? '',
  regionPath: row.region_path as string,
  points: Number(row.points),
  status: row.status as CodeRow['status'],
  issuedAt: isoOrNull(row.issued_at)!,
  expiresAt: isoOrNull(row.expires_at)!,
  redeemedAt: isoOrNull(row.redeemed_at),
});

export const listCodes = (database: Database, where: SQL[], page: Page) => paged(database, codeSelect, codeCount, where, sql`r.id DESC`, sql`r.id`, page, codeOf);

export async function codeBy(database: Database, condition: SQL, executor?: Executor) {
  const [row] = await database.rows<Record<string, unknown>>(sql`${codeSelect} WHERE ${condition}`, executor);
  return row ? codeOf(row) : null;
}

// ---------- evaluations ----------

export interface EvaluationRow {
  id: number;
  cityId: number;
  communityId: number;
  communityName: string;
  buildingId: number;
  buildingName: string;
  regionPath: string;
  period: string;
  score: number;
  rank: number;
  criteria: Record<string, number>;
  comment: string | null;
  redFlag: boolean;
  evaluatedByName: string | null;
  createdAt: string;
}

const evaluationSelect = sql`SELECT v.*, c.name AS community_name, b.name AS building_name, w.display_name AS evaluated_by_name,
    rank() OVER (PARTITION BY v.community_id, v.period ORDER BY v.score DESC) AS rank
  FROM building_evaluations v JOIN region_nodes c ON c.id = v.community_id JOIN region_nodes b ON b.id = v.building_id LEFT JOIN users w ON w.id = v.evaluated_by`;
const evaluationCount = sql`SELECT count(*)::int AS total FROM building_evaluations v JOIN region_nodes b ON b.id = v.building_id`;
const evaluationOf = (row: Record<string, unknown>): EvaluationRow => ({
  id: Number(row.id),
  cityId: Number(row.city_id),
  communityId: Number(row.community_id),
  communityName: row.community_name as string,
  buildingId: Number(row.building_id),
  buildingName: row.building_name as string,
  regionPath: row.region_path as string,
  period: row.period as string,
  score: Number(row.score),
  rank: Number(row.rank),
  criteria: (typeof row.criteria === 'string' ? JSON.parse(row.criteria) : row.criteria) as Record<string, number>,
  comment: (row.comment as string | null) ?? null,
  redFlag: Boolean(row.red_flag),
  evaluatedByName: (row.evaluated_by_name as string | null) ?? null,
  createdAt: isoOrNull(row.created_at)!,
});

/** The rank is within (community, period) over the whole period, so filters narrow the rows, not the ranking. */
export async function listEvaluations(database: Database, where: SQL[], page: Page) {
  const inner = sql`SELECT * FROM (${evaluationSelect}) ranked`;
  const clause = sql.join(where, sql` AND `);
  if ('afterId' in page) {
    const rows = await database.rows<Record<string, unknown>>(sql`SELECT v.* FROM (${inner}) v JOIN region_nodes b ON b.id = v.building_id WHERE ${clause} AND v.id > ${page.afterId} ORDER BY v.id LIMIT ${page.size}`);
    return { items: rows.map(evaluationOf), total: 0 };
  }
  const rows = await database.rows<Record<string, unknown>>(
    sql`SELECT v.* FROM (${inner}) v JOIN region_nodes b ON b.id = v.building_id WHERE ${clause} ORDER BY v.period DESC, v.community_id, v.score DESC, v.id LIMIT ${page.pageSize} OFFSET ${page.offset}`,
  );
  const [{ total }] = await database.rows<{ total: number }>(sql`${evaluationCount} WHERE ${clause}`);
  return { items: rows.map(evaluationOf), total: Number(total) };
}

export async function evaluationById(database: Database, id: number, executor?: Executor) {
  const [row] = await database.rows<Record<string, unknown>>(sql`SELECT * FROM (${evaluationSelect}) v WHERE v.id = ${id}`, executor);
  return row ? evaluationOf(row) : null;
}
