import { sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import type { RegionLevel } from '../../db/schema/index.ts';

export interface RegionNodeRow {
  id: number;
  cityId: number;
  parentId: number | null;
  level: RegionLevel;
  code: string;
  name: string;
  path: string;
  compoundId: number | null;
  centroid: [number, number] | null;
  address: string | null;
  hasChildren: boolean;
}

const nodeColumns = sql`rn.id, rn.city_id, rn.parent_id, rn.level, rn.code, rn.name, rn.path, rn.compound_id, rn.centroid_lng, rn.centroid_lat, rn.address,
  EXISTS (SELECT 1 FROM region_nodes c WHERE c.parent_id = rn.id AND c.valid_to IS NULL) AS has_children`;

export const toNode = (row: Record<string, unknown>): RegionNodeRow => ({
  id: Number(row.id),
  cityId: Number(row.city_id),
  parentId: row.parent_id === null ? null : Number(row.parent_id),
  level: row.level as RegionLevel,
  code: row.code as string,
  name: row.name as string,
  path: row.path as string,
  compoundId: row.compound_id === null || row.compound_id === undefined ? null : Number(row.compound_id),
  centroid: row.centroid_lng === null || row.centroid_lng === undefined ? null : [Number(row.centroid_lng), Number(row.centroid_lat)],
  address: (row.address as string | null) ?? null,
  hasChildren: Boolean(row.has_children),
});

export async function findNode(database: Database, id: number, executor?: Executor): Promise<RegionNodeRow | null> {
  const rows = await database.rows(sql`SELECT ${nodeColumns} FROM region_nodes rn WHERE rn.id = ${id}`, executor);
  return rows[0] ? toNode(rows[0]) : null;
}

export async function findNodesByIds(database: Database, ids: number[]): Promise<RegionNodeRow[]> {
  if (ids.length === 0) return [];
  const rows = await database.rows(sql`SELECT ${nodeColumns} FROM region_nodes rn WHERE rn.id IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)}) ORDER BY rn.path`);
  return rows.map(toNode);
}

export async function listChildren(database: Database, parentId: number, limit: number, offset: number): Promise<{ items: RegionNodeRow[]; total: number }> {
  const rows = await database.rows(sql`SELECT ${nodeColumns} FROM region_nodes rn WHERE rn.parent_id = ${parentId} AND rn.valid_to IS NULL ORDER BY rn.code LIMIT ${limit} OFFSET ${offset}`);
  const [{ total }] = await database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM region_nodes WHERE parent_id = ${parentId} AND valid_to IS NULL`);
  return { items: rows.map(toNode), total };
}

export async function findGeometry(database: Database, id: number): Promise<unknown> {
  const [row] = await database.rows<{ geometry: unknown }>(sql`SELECT geometry FROM region_nodes WHERE id = ${id}`);
  return row?.geometry ?? null;
}

export interface GridFeatureRow {
  id: number;
  code: string;
  name: string;
  path: string;
  geometry: unknown;
  communityName: string | null;
}

/** Current grids in a set of subtrees (the filter is built from the actor's scope). */
export async function listGridGeometries(database: Database, cityId: number, filter: SQL): Promise<GridFeatureRow[]> {
  const rows = await database.rows<Record<string, unknown>>(sql`
    SELECT g.id, g.code, g.name, g.path, g.geometry, c.name AS community_name
    FROM region_nodes g LEFT JOIN region_nodes c ON c.id = g.parent_id
    WHERE g.city_id = ${cityId} AND g.level = 'grid' AND g.valid_to IS NULL AND ${filter}
    ORDER BY g.code`);
  return rows.map((row) => ({
    id: Number(row.id),
    code: row.code as string,
    name: row.name as string,
    path: row.path as string,
    geometry: typeof row.geometry === 'string' ? JSON.parse(row.geometry) : row.geometry,
    communityName: (row.community_name as string | null) ?? null,
  }));
}

export async function findBuildingsOfGrid(database: Database, gridId: number) {
  const rows = await database.rows<Record<string, unknown>>(sql`
    SELECT b.id, b.code, b.name, b.centroid_lng, b.centroid_lat,
      (SELECT count(*)::int FROM households h WHERE h.building_id = b.id) AS household_count
    FROM region_nodes b WHERE b.parent_id = ${gridId} AND b.level = 'building' AND b.valid_to IS NULL ORDER BY b.code`);
  return rows.map((row) => ({
    id: Number(row.id),
    code: row.code as string,
    name: row.name as string,
    point: row.centroid_lng === null ? null : ([Number(row.centroid_lng), Number(row.centroid_lat)] as [number, number]),
    householdCount: Number(row.household_count),
  }));
}

export async function findGridWorkers(database: Database, gridId: number) {
  const rows = await database.rows<{ id: number; display_name: string; role: string }>(sql`
    SELECT u.id, u.display_name, ra.role FROM role_assignments ra JOIN users u ON u.id = ra.user_id
    WHERE ra.region_node_id = ${gridId} AND ra.role IN ('grid_worker', 'grid_head') AND u.status = 'active' ORDER BY ra.role DESC, u.id`);
  return rows.map((row) => ({ id: Number(row.id), displayName: row.display_name, role: row.role }));
}

export async function findPartyOrganizationOfNode(database: Database, nodeId: number) {
  const [row] = await database.rows<{ id: number; name: string; kind: string; secretary_name: string | null }>(
    sql`SELECT id, name, kind, secretary_name FROM party_organizations WHERE region_node_id = ${nodeId} AND kind <> 'party_member_household' ORDER BY id LIMIT 1`,
  );
  return row ? { id: Number(row.id), name: row.name, kind: row.kind, secretaryName: row.secretary_name } : null;
}

export async function countPeopleUnder(database: Database, path: string) {
  const [row] = await database.rows<{ households: number; residents: number }>(sql`
    SELECT (SELECT count(*)::int FROM households WHERE region_path LIKE ${path + '%'}) AS households,
           (SELECT count(*)::int FROM residents WHERE region_path LIKE ${path + '%'}) AS residents`);
  return { households: Number(row.households), residents: Number(row.residents) };
}

/** The grid a building belonged to on a date (or today), from its history. */
export async function findBuildingGridOn(database: Database, buildingId: number, date: string) {
  const [row] = await database.rows<Record<string, unknown>>(sql`
    SELECT h.grid_id, h.valid_from, h.valid_to, g.code, g.name FROM building_grid_history h JOIN region_nodes g ON g.id = h.grid_id
    WHERE h.building_id = ${buildingId} AND h.valid_from <= ${date}::date AND (h.valid_to IS NULL OR h.valid_to > ${date}::date)
    ORDER BY h.valid_from DESC LIMIT 1`);
  return row ? { gridId: Number(row.grid_id), code: row.code as string, name: row.name as string, validFrom: String(row.valid_from), validTo: row.valid_to ? String(row.valid_to) : null } : null;
}

export async function listBuildingGridHistory(database: Database, buildingId: number) {
  const rows = await database.rows<Record<string, unknown>>(sql`
    SELECT h.grid_id, h.valid_from, h.valid_to, g.code, g.name FROM building_grid_history h JOIN region_nodes g ON g.id = h.grid_id
    WHERE h.building_id = ${buildingId} ORDER BY h.valid_from`);
  return rows.map((row) => ({ gridId: Number(row.grid_id), code: row.code as string, name: row.name as string, validFrom: String(row.valid_from), validTo: row.valid_to ? String(row.valid_to) : null }));
}
