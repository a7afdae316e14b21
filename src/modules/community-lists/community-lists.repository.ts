import { sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import type { ListItemStatus } from './community-lists-lifecycle.ts';

/** One list item with the names the console shows (region, poster unit, claimer). */
export interface ListItemRow {
  id: number;
  city_id: number;
  list_kind: 'need' | 'problem' | 'service';
  region_node_id: number;
  region_name: string;
  region_path: string;
  quarter: string | null;
  title: string;
  description: string;
  category: string | null;
  source: string;
  poster_unit_id: number | null;
  poster_unit_name: string | null;
  poster_name: string | null;
  poster_phone: string | null;
  case_id: number | null;
  source_item_id: number | null;
  case_count: number;
  status: ListItemStatus;
  claimed_by_unit_id: number | null;
  claimed_by_unit_name: string | null;
  claimed_by_unit_kind: string | null;
  claimed_by_party_member_id: number | null;
  claimed_by_party_member_name: string | null;
  claimed_at: string | null;
  delivered_at: string | null;
  delivery_note: string | null;
  due_on: string | null;
  created_by: number | null;
  version: number;
  created_at: string;
  updated_at: string;
}

const itemSelect = sql`
  SELECT li.*, rn.name AS region_name, pu.name AS poster_unit_name, cu.name AS claimed_by_unit_name, cu.kind AS claimed_by_unit_kind,
         pm.name AS claimed_by_party_member_name
    FROM community_list_items li
    JOIN region_nodes rn ON rn.id = li.region_node_id
    LEFT JOIN units pu ON pu.id = li.poster_unit_id
    LEFT JOIN units cu ON cu.id = li.claimed_by_unit_id
    LEFT JOIN party_members pm ON pm.id = li.claimed_by_party_member_id`;

const numeric = ['id', 'city_id', 'region_node_id', 'poster_unit_id', 'case_id', 'source_item_id', 'case_count', 'claimed_by_unit_id', 'claimed_by_party_member_id', 'created_by', 'version'] as const;
/** node-postgres returns bigint as text: ids become numbers here, once. */
const normalise = (row: Record<string, unknown>): ListItemRow => {
  const out = { ...row } as Record<string, unknown>;
  for (const key of numeric) out[key] = out[key] === null || out[key] === undefined ? null : Number(out[key]);
  return out as unknown as ListItemRow;
};

export async function findItem(database: Database, id: number, executor?: Executor): Promise<ListItemRow | null> {
  const [row] = await database.rows<Record<string, unknown>>(sql`${itemSelect} WHERE li.id = ${id}`, executor);
  return row ? normalise(row) : null;
}

export async function listItems(database: Database, where: SQL, limit: number, offset: number): Promise<{ rows: ListItemRow[]; total: number }> {
  const rows = await database.rows<Record<string, unknown>>(sql`${itemSelect} WHERE ${where} ORDER BY li.id DESC LIMIT ${limit} OFFSET ${offset}`);
  const [{ total }] = await database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM community_list_items li WHERE ${where}`);
  return { rows: rows.map(normalise), total: Number(total) };
}

/** A keyset page for the Excel ledger (ids above `afterId`, in id order). */
export async function itemBatch(database: Database, where: SQL, afterId: number, size: number): Promise<ListItemRow[]> {
  const rows = await database.rows<Record<string, unknown>>(sql`${itemSelect} WHERE ${where} AND li.id > ${afterId} ORDER BY li.id LIMIT ${size}`);
  return rows.map(normalise);
}

export interface NewListItem {
  cityId: number;
  listKind: 'need' | 'problem' | 'service';
  regionNodeId: number;
  regionPath: string;
  quarter: string | null;
  title: string;
  description: string;
  category: string | null;
  source: string;
  posterUnitId: number | null;
  posterName: string | null;
  posterPhone: string | null;
  caseId: number | null;
  sourceItemId: number | null;
  dueOn: string | null;
  createdBy: number | null;
}

export async function insertItem(database: Database, executor: Executor, item: NewListItem): Promise<number> {
  const [row] = await database.rows<{ id: number }>(
    sql`INSERT INTO community_list_items (city_id, list_kind, region_node_id, region_path, quarter, title, description, category, source, poster_unit_id,
                                          poster_name, poster_phone, case_id, source_item_id, due_on, created_by)
        VALUES (${item.cityId}, ${item.listKind}, ${item.regionNodeId}, ${item.regionPath}, ${item.quarter}, ${item.title}, ${item.description}, ${item.category},
                ${item.source}, ${item.posterUnitId}, ${item.posterName}, ${item.posterPhone}, ${item.caseId}, ${item.sourceItemId}, ${item.dueOn}, ${item.createdBy})
        RETURNING id`,
    executor,
  );
  return Number(row.id);
}

/**
 * Moves an item from `from` to `to` only if it is still `from` (a conditional UPDATE: of two simultaneous
 * claims exactly one matches). Returns false when someone else moved it first.
 */
export async function moveItem(
  database: Database,
  executor: Executor,
  id: number,
  from: ListItemStatus,
  to: ListItemStatus,
  set: { claim?: { unitId: number | null; partyMemberId: number | null } | 'clear'; deliveryNote?: string },
): Promise<boolean> {
  const parts: SQL[] = [sql`status = ${to}`, sql`version = version + 1`, sql`updated_at = now()`];
  if (set.claim === 'clear') parts.push(sql`claimed_by_unit_id = NULL, claimed_by_party_member_id = NULL, claimed_at = NULL`);
  else if (set.claim) parts.push(sql`claimed_by_unit_id = ${set.claim.unitId}, claimed_by_party_member_id = ${set.claim.partyMemberId}, claimed_at = now()`);
  if (set.deliveryNote !== undefined) parts.push(sql`delivered_at = now(), delivery_note = ${set.deliveryNote}`);
  const rows = await database.rows(
    sql`UPDATE community_list_items SET ${sql.join(parts, sql`, `)} WHERE id = ${id} AND status = ${from} RETURNING id`,
    executor,
  );
  return rows.length === 1;
}

/** Case categories with at least `threshold` cases under `path` in [start, end) (Asia/Shanghai dates). */
export async function caseCategoriesOfPeriod(database: Database, executor: Executor, cityId: number, path: string, start: string, end: string, threshold: number) {
  const rows = await database.rows<{ code: string; name: string; count: number }>(
    sql`SELECT cc.code, cc.name, count(*)::int AS count
          FROM cases c JOIN case_categories cc ON cc.id = c.category_id
         WHERE c.city_id = ${cityId} AND c.region_path LIKE ${path + '%'}
           AND c.status NOT IN ('merged', 'declined')
           AND c.created_at >= (${start}::date)::timestamp AT TIME ZONE 'Asia/Shanghai'
           AND c.created_at < (${end}::date)::timestamp AT TIME ZONE 'Asia/Shanghai'
         GROUP BY cc.code, cc.name HAVING count(*) >= ${threshold} ORDER BY count(*) DESC, cc.code`,
    executor,
  );
  return rows.map((r) => ({ code: r.code, name: r.name, count: Number(r.count) }));
}

/**
 * The problem item of a category for a node and quarter: inserted, or its case count brought up to date
 * (the unique index on node, quarter and title makes a re-compile update rather than duplicate).
 */
export async function upsertCategoryProblem(
  database: Database,
  executor: Executor,
  input: { cityId: number; regionNodeId: number; regionPath: string; quarter: string; title: string; category: string; count: number; createdBy: number },
): Promise<{ id: number; inserted: boolean; previousCount: number | null }> {
  const [before] = await database.rows<{ id: number; case_count: number }>(
    sql`SELECT id, case_count FROM community_list_items WHERE region_node_id = ${input.regionNodeId} AND quarter = ${input.quarter} AND title = ${input.title} AND list_kind = 'problem'`,
    executor,
  );
  const [row] = await database.rows<{ id: number; inserted: boolean }>(
    sql`INSERT INTO community_list_items (city_id, list_kind, region_node_id, region_path, quarter, title, description, category, source, case_count, created_by)
        VALUES (${input.cityId}, 'problem', ${input.regionNodeId}, ${input.regionPath}, ${input.quarter}, ${input.title},
                ${`${input.quarter} 本辖区「${input.title}」类民情工单 ${input.count} 件`}, ${input.category}, 'compiled', ${input.count}, ${input.createdBy})
        ON CONFLICT (region_node_id, quarter, title) WHERE list_kind = 'problem'
        DO UPDATE SET case_count = EXCLUDED.case_count, description = EXCLUDED.description, updated_at = now()
        RETURNING id, (xmax = 0) AS inserted`,
    executor,
  );
  return { id: Number(row.id), inserted: Boolean(row.inserted), previousCount: before ? Number(before.case_count) : null };
}

/** Open needs (posted or claimed) created under `path` in the quarter that no problem item of this node stands for yet. */
export async function uncompiledNeeds(database: Database, executor: Executor, cityId: number, regionNodeId: number, path: string, start: string, end: string) {
  const rows = await database.rows<{ id: number; title: string; description: string; category: string | null }>(
    sql`SELECT n.id, n.title, n.description, n.category FROM community_list_items n
         WHERE n.city_id = ${cityId} AND n.list_kind = 'need' AND n.status IN ('posted', 'claimed') AND n.region_path LIKE ${path + '%'}
           AND n.created_at >= (${start}::date)::timestamp AT TIME ZONE 'Asia/Shanghai'
           AND n.created_at < (${end}::date)::timestamp AT TIME ZONE 'Asia/Shanghai'
           AND NOT EXISTS (SELECT 1 FROM community_list_items p WHERE p.list_kind = 'problem' AND p.region_node_id = ${regionNodeId} AND p.source_item_id = n.id)
         ORDER BY n.id`,
    executor,
  );
  return rows.map((r) => ({ id: Number(r.id), title: r.title, description: r.description, category: r.category }));
}

/** A problem item standing for a need; null when the node already has a problem of that title this quarter. */
export async function insertNeedProblem(
  database: Database,
  executor: Executor,
  input: { cityId: number; regionNodeId: number; regionPath: string; quarter: string; need: { id: number; title: string; description: string; category: string | null }; createdBy: number },
): Promise<number | null> {
  const [row] = await database.rows<{ id: number }>(
    sql`INSERT INTO community_list_items (city_id, list_kind, region_node_id, region_path, quarter, title, description, category, source, source_item_id, created_by)
        VALUES (${input.cityId}, 'problem', ${input.regionNodeId}, ${input.regionPath}, ${input.quarter}, ${input.need.title}, ${input.need.description},
                ${input.need.category}, 'compiled', ${input.need.id}, ${input.createdBy})
        ON CONFLICT (region_node_id, quarter, title) WHERE list_kind = 'problem' DO NOTHING RETURNING id`,
    executor,
  );
  return row ? Number(row.id) : null;
}

/** The case a need is made from: where it is and what it says (the caller has checked the actor may read it). */
export async function caseForNeed(database: Database, caseId: number) {
  const [row] = await database.rows<Record<string, unknown>>(
    sql`SELECT c.id, c.city_id, c.region_path, c.title, c.description, c.reporter_name, c.reporter_phone, cc.code AS category
          FROM cases c LEFT JOIN case_categories cc ON cc.id = c.category_id WHERE c.id = ${caseId}`,
  );
  if (!row) return null;
  return {
    id: Number(row.id),
    cityId: Number(row.city_id),
    regionPath: row.region_path as string,
    title: row.title as string,
    description: row.description as string,
    reporterName: (row.reporter_name as string | null) ?? null,
    reporterPhone: (row.reporter_phone as string | null) ?? null,
    category: (row.category as string | null) ?? null,
  };
}

export async function unitKind(database: Database, unitId: number, executor?: Executor): Promise<string | null> {
  const [row] = await database.rows<{ kind: string }>(sql`SELECT kind FROM units WHERE id = ${unitId}`, executor);
  return row?.kind ?? null;
}
