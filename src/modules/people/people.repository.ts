import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';

export interface HouseholdRow {
  id: number;
  cityId: number;
  buildingId: number;
  regionPath: string;
  code: string;
  doorNumber: string;
  address: string | null;
  phone: string | null;
}

const toHousehold = (row: Record<string, unknown>): HouseholdRow => ({
  id: Number(row.id),
  cityId: Number(row.city_id),
  buildingId: Number(row.building_id),
  regionPath: row.region_path as string,
  code: row.code as string,
  doorNumber: row.door_number as string,
  address: (row.address as string | null) ?? null,
  phone: (row.phone as string | null) ?? null,
});

export async function findHousehold(database: Database, id: number): Promise<HouseholdRow | null> {
  const [row] = await database.rows(sql`SELECT * FROM households WHERE id = ${id}`);
  return row ? toHousehold(row) : null;
}

export async function listHouseholdsOfBuilding(database: Database, buildingId: number) {
  const rows = await database.rows<Record<string, unknown>>(sql`
    SELECT h.id, h.door_number, h.phone, h.code,
      (SELECT r.name FROM residents r WHERE r.household_id = h.id ORDER BY r.is_head DESC, r.id LIMIT 1) AS head_name,
      (SELECT count(*)::int FROM residents r WHERE r.household_id = h.id) AS member_count,
      (SELECT coalesce(array_agg(DISTINCT t.tag), '{}') FROM resident_tags t JOIN residents r ON r.id = t.resident_id WHERE r.household_id = h.id) AS tags
    FROM households h WHERE h.building_id = ${buildingId} ORDER BY h.door_number, h.id`);
  return rows.map((row) => ({
    id: Number(row.id),
    code: row.code as string,
    doorNumber: row.door_number as string,
    phone: (row.phone as string | null) ?? null,
    headName: (row.head_name as string | null) ?? null,
    memberCount: Number(row.member_count),
    tags: parseArray(row.tags),
  }));
}

/** text[] arrives as a JS array from node-postgres and as `{a,b}` text in some paths: accept both. */
export function parseArray(value: unknown): string[] {
  if (Array.isArray(value)) return value as string[];
  if (typeof value === 'string') return value.replace(/^\{|\}$/g, '').split(',').filter(Boolean).map((v) => v.replace(/^"|"$/g, ''));
  return [];
}

export interface ResidentRow {
  id: number;
  cityId: number;
  householdId: number;
  regionPath: string;
  name: string;
  gender: string | null;
  birthDate: string | null;
  phone: string | null;
  idNumberEncrypted: string | null;
  relationToHead: string | null;
  isHead: boolean;
}

const toResident = (row: Record<string, unknown>): ResidentRow => ({
  id: Number(row.id),
  cityId: Number(row.city_id),
  householdId: Number(row.household_id),
  regionPath: row.region_path as string,
  name: row.name as string,
  gender: (row.gender as string | null) ?? null,
  birthDate: row.birth_date ? String(row.birth_date) : null,
  phone: (row.phone as string | null) ?? null,
  idNumberEncrypted: (row.id_number_encrypted as string | null) ?? null,
  relationToHead: (row.relation_to_head as string | null) ?? null,
  isHead: Boolean(row.is_head),
});

export async function findResident(database: Database, id: number): Promise<ResidentRow | null> {
  const [row] = await database.rows(sql`SELECT * FROM residents WHERE id = ${id}`);
  return row ? toResident(row) : null;
}

export async function listResidentsOfHousehold(database: Database, householdId: number): Promise<ResidentRow[]> {
  const rows = await database.rows(sql`SELECT * FROM residents WHERE household_id = ${householdId} ORDER BY is_head DESC, id`);
  return rows.map(toResident);
}

export async function tagsOfResidents(database: Database, residentIds: number[]): Promise<Map<number, Array<{ tag: string; setOn: string }>>> {
  const map = new Map<number, Array<{ tag: string; setOn: string }>>();
  if (residentIds.length === 0) return map;
  const rows = await database.rows<Record<string, unknown>>(
    sql`SELECT resident_id, tag, set_on FROM resident_tags WHERE resident_id IN (${sql.join(residentIds.map((id) => sql`${id}`), sql`, `)}) ORDER BY set_on`,
  );
  for (const row of rows) {
    const id = Number(row.resident_id);
    if (!map.has(id)) map.set(id, []);
    map.get(id)!.push({ tag: row.tag as string, setOn: String(row.set_on) });
  }
  return map;
}

export interface ResidentSearch {
  cityId: number;
  scopeFilter: SQL;
  q?: string;
  qIdNumberHash?: string;
  tag?: string;
  regionPath?: string;
  limit: number;
  offset: number;
}

export async function searchResidents(database: Database, search: ResidentSearch) {
  const conditions: SQL[] = [sql`r.city_id = ${search.cityId}`, search.scopeFilter];
  if (search.regionPath) conditions.push(sql`r.region_path LIKE ${search.regionPath + '%'}`);
  if (search.tag) conditions.push(sql`EXISTS (SELECT 1 FROM resident_tags t WHERE t.resident_id = r.id AND t.tag = ${search.tag})`);
  if (search.q) {
    const like = `%${search.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    const parts = [sql`r.name LIKE ${like}`, sql`r.phone LIKE ${like}`];
    if (search.qIdNumberHash) parts.push(sql`r.id_number_hash = ${search.qIdNumberHash}`);
    conditions.push(sql`(${sql.join(parts, sql` OR `)})`);
  }
  const where = sql.join(conditions, sql` AND `);
  const rows = await database.rows<Record<string, unknown>>(sql`
    SELECT r.*, b.name AS building_name, g.name AS grid_name, h.door_number
    FROM residents r JOIN households h ON h.id = r.household_id
    JOIN region_nodes b ON b.id = h.building_id LEFT JOIN region_nodes g ON g.id = b.parent_id
    WHERE ${where} ORDER BY r.id LIMIT ${search.limit} OFFSET ${search.offset}`);
  const [{ total }] = await database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM residents r WHERE ${where}`);
  return {
    items: rows.map((row) => ({ ...toResident(row), buildingName: row.building_name as string, gridName: (row.grid_name as string | null) ?? null, doorNumber: row.door_number as string })),
    total: Number(total),
  };
}
