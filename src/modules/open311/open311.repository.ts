import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { idsOfPath } from '../regions/region-path.ts';

export interface City {
  id: number;
  code: string;
  name: string;
}

export async function findCityByCode(database: Database, code: string): Promise<City | null> {
  const [row] = await database.rows<{ id: number; code: string; name: string }>(sql`SELECT id, code, name FROM cities WHERE code = ${code}`);
  return row ? { id: Number(row.id), code: row.code, name: row.name } : null;
}

/** At most two cities: enough to know whether the endpoint serves one jurisdiction or several. */
export async function firstCities(database: Database): Promise<City[]> {
  const rows = await database.rows<{ id: number; code: string; name: string }>(sql`SELECT id, code, name FROM cities ORDER BY id LIMIT 2`);
  return rows.map((row) => ({ id: Number(row.id), code: row.code, name: row.name }));
}

export interface CategoryRow {
  code: string;
  name: string;
  default_color: string;
  raise_keywords: unknown;
}

export async function activeCategories(database: Database, cityId: number, code?: string): Promise<CategoryRow[]> {
  return database.rows<CategoryRow>(sql`SELECT code, name, default_color, raise_keywords FROM case_categories
    WHERE city_id = ${cityId} AND active ${code === undefined ? sql`` : sql`AND code = ${code}`} ORDER BY id`);
}

export interface CaseRow {
  id: number;
  number: string;
  status: string;
  holder_level: string;
  description: string;
  address: string | null;
  lng: number | null;
  lat: number | null;
  created_at: string | Date;
  updated_at: string | Date;
  service_code: string | null;
  service_name: string | null;
  grid_name: string | null;
  grid_path: string | null;
  building_address: string | null;
  building_lng: number | null;
  building_lat: number | null;
}

export interface CaseFilter {
  cityId: number;
  numbers?: string[];
  serviceCodes?: string[];
  from?: Date;
  to?: Date;
  statuses?: { include: boolean; values: readonly string[] };
  limit: number;
}

/** Cases of one city for Open311 (no reporter columns are ever selected). */
export async function findCases(database: Database, filter: CaseFilter): Promise<CaseRow[]> {
  const list = (values: readonly string[]) => sql.join(values.map((value) => sql`${value}`), sql`, `);
  const conditions: SQL[] = [sql`c.city_id = ${filter.cityId}`];
  if (filter.numbers) conditions.push(sql`c.number IN (${list(filter.numbers)})`);
  if (filter.serviceCodes) conditions.push(sql`cc.code IN (${list(filter.serviceCodes)})`);
  if (filter.from) conditions.push(sql`c.created_at >= ${filter.from.toISOString()}`);
  if (filter.to) conditions.push(sql`c.created_at <= ${filter.to.toISOString()}`);
  if (filter.statuses) conditions.push(filter.statuses.include ? sql`c.status IN (${list(filter.statuses.values)})` : sql`c.status NOT IN (${list(filter.statuses.values)})`);
  return database.rows<CaseRow>(sql`
    SELECT c.id, c.number, c.status, c.holder_level, c.description, c.address, c.lng, c.lat, c.created_at, c.updated_at,
      cc.code AS service_code, cc.name AS service_name, g.name AS grid_name, g.path AS grid_path,
      b.address AS building_address, b.centroid_lng AS building_lng, b.centroid_lat AS building_lat
    FROM cases c
    LEFT JOIN case_categories cc ON cc.id = c.category_id
    LEFT JOIN region_nodes g ON g.id = c.grid_id
    LEFT JOIN region_nodes b ON b.id = c.building_id
    WHERE ${sql.join(conditions, sql` AND `)}
    ORDER BY c.created_at DESC, c.id DESC LIMIT ${filter.limit}`);
}

export interface CaseExtras {
  /** Community and street names of each grid's ancestors, by region node id. */
  regionNames: Map<number, { level: string; name: string }>;
  /** Departments summoned and still to answer (not replied, not returned), per case. */
  openSummonses: Map<number, string[]>;
  /** The earliest deadline of each case's running SLA clocks. */
  nextDeadline: Map<number, Date>;
  /** The note of each case's last public event that has one. */
  lastPublicNote: Map<number, string>;
}

/** Everything the Open311 view needs besides the case row, in four queries for the whole page. */
export async function loadCaseExtras(database: Database, rows: CaseRow[]): Promise<CaseExtras> {
  const extras: CaseExtras = { regionNames: new Map(), openSummonses: new Map(), nextDeadline: new Map(), lastPublicNote: new Map() };
  if (rows.length === 0) return extras;
  const ids = sql.join(rows.map((row) => sql`${Number(row.id)}`), sql`, `);
  const ancestorIds = [...new Set(rows.flatMap((row) => (row.grid_path ? idsOfPath(row.grid_path) : [])))];
  if (ancestorIds.length) {
    const nodes = await database.rows<{ id: number; level: string; name: string }>(sql`SELECT id, level, name FROM region_nodes
      WHERE id IN (${sql.join(ancestorIds.map((id) => sql`${id}`), sql`, `)}) AND level IN ('community', 'street')`);
    for (const node of nodes) extras.regionNames.set(Number(node.id), { level: node.level, name: node.name });
  }
  const summonses = await database.rows<{ case_id: number; name: string }>(sql`SELECT s.case_id, u.name FROM case_summonses s JOIN units u ON u.id = s.department_id
    WHERE s.case_id IN (${ids}) AND s.returned_at IS NULL AND s.replied_at IS NULL ORDER BY s.id`);
  for (const summons of summonses) {
    const caseId = Number(summons.case_id);
    extras.openSummonses.set(caseId, [...(extras.openSummonses.get(caseId) ?? []), summons.name]);
  }
  const timers = await database.rows<{ case_id: number; due_at: string | Date }>(sql`SELECT case_id, min(due_at) AS due_at FROM sla_timers
    WHERE case_id IN (${ids}) AND fired_at IS NULL AND cancelled_at IS NULL GROUP BY case_id`);
  for (const timer of timers) extras.nextDeadline.set(Number(timer.case_id), new Date(timer.due_at));
  const notes = await database.rows<{ case_id: number; note: string }>(sql`SELECT DISTINCT ON (case_id) case_id, note FROM case_events
    WHERE case_id IN (${ids}) AND is_public AND note IS NOT NULL AND note <> '' ORDER BY case_id, id DESC`);
  for (const note of notes) extras.lastPublicNote.set(Number(note.case_id), note.note);
  return extras;
}

export async function caseNumberByToken(database: Database, cityId: number, token: string): Promise<string | null> {
  const [row] = await database.rows<{ number: string }>(sql`SELECT number FROM cases WHERE city_id = ${cityId} AND tracking_token = ${token}`);
  return row?.number ?? null;
}
