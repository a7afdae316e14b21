import { sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { notFound } from '../../shared/errors.ts';
import { maskName, maskPhone } from '../../shared/personal-data.ts';
import type { Actor } from '../policy/actor.ts';
import { authorize, mayEver, requireAbility, scopeFor } from '../policy/authorize.ts';
import { regionPathFilter } from '../policy/scope-sql.ts';
import { readableNode } from '../regions/regions.service.ts';

const present = (row: Record<string, unknown>) => ({
  id: Number(row.id),
  kind: row.kind as string,
  name: row.name as string,
  code: row.code as string,
  regionNodeId: row.region_node_id === null ? null : Number(row.region_node_id),
  regionName: (row.region_name as string | null) ?? null,
  contactName: maskName(row.contact_name as string | null),
  contactPhone: maskPhone(row.contact_phone as string | null),
  address: (row.address as string | null) ?? null,
});

/** Units are placed by their region node; department staff additionally see their own department. */
export async function listUnits(context: AppContext, actor: Actor, query: { q?: string; kind?: string; regionId?: number; page: number; pageSize: number }) {
  if (!mayEver(actor, 'unit', 'read') && !mayEver(actor, 'department', 'read')) requireAbility(actor, 'unit', 'read');
  const unitFilter = regionPathFilter(sql.raw("coalesce(rn.path, '')"), scopeFor(actor, 'unit', 'read'), sql.raw('u.id'));
  const departmentFilter = regionPathFilter(sql.raw("coalesce(rn.path, '')"), scopeFor(actor, 'department', 'read'), sql.raw('u.id'));
  const conditions: SQL[] = [sql`u.city_id = ${actor.cityId}`, sql`((u.kind <> 'department' AND ${unitFilter}) OR (u.kind = 'department' AND ${departmentFilter}))`];
  if (query.regionId) conditions.push(sql`rn.path LIKE ${(await readableNode(context, actor, query.regionId)).path + '%'}`);
  if (query.kind) conditions.push(sql`u.kind = ${query.kind}`);
  if (query.q?.trim()) conditions.push(sql`u.name LIKE ${'%' + query.q.trim().replace(/[\\%_]/g, (c) => '\\' + c) + '%'}`);
  const where = sql.join(conditions, sql` AND `);
  const rows = await context.database.rows<Record<string, unknown>>(sql`
    SELECT u.*, rn.name AS region_name FROM units u LEFT JOIN region_nodes rn ON rn.id = u.region_node_id
    WHERE ${where} ORDER BY u.kind, u.id LIMIT ${query.pageSize} OFFSET ${(query.page - 1) * query.pageSize}`);
  const [{ total }] = await context.database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM units u LEFT JOIN region_nodes rn ON rn.id = u.region_node_id WHERE ${where}`);
  return { items: rows.map(present), page: query.page, pageSize: query.pageSize, total: Number(total) };
}

export async function unitDetail(context: AppContext, actor: Actor, id: number) {
  const [row] = await context.database.rows<Record<string, unknown>>(sql`
    SELECT u.*, rn.name AS region_name, rn.path FROM units u LEFT JOIN region_nodes rn ON rn.id = u.region_node_id WHERE u.id = ${id}`);
  if (!row) throw notFound('Unit');
  authorize(actor, row.kind === 'department' ? 'department' : 'unit', 'read', { cityId: Number(row.city_id), regionPath: (row.path as string | null) ?? null, unitId: id });
  return present(row);
}
