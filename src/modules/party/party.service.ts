import { sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import { maskIdNumber, maskName, maskPhone } from '../../shared/personal-data.ts';
import { appendAudit, appendAuditAlone } from '../audit/audit.service.ts';
import { auditOf } from '../auth/auth.service.ts';
import type { Actor } from '../policy/actor.ts';
import { authorize, can, requireAbility, scopeFor } from '../policy/authorize.ts';
import { regionPathFilter } from '../policy/scope-sql.ts';
import { readableNode } from '../regions/regions.service.ts';

const likeOf = (q: string) => `%${q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;

export async function listPartyOrganizations(context: AppContext, actor: Actor, query: { q?: string; kind?: string; regionId?: number; page: number; pageSize: number }) {
  requireAbility(actor, 'party_organization', 'read');
  const scope = scopeFor(actor, 'party_organization', 'read');
  const conditions: SQL[] = [sql`po.city_id = ${actor.cityId}`, regionPathFilter(sql.raw('rn.path'), scope)];
  if (query.regionId) conditions.push(sql`rn.path LIKE ${(await readableNode(context, actor, query.regionId)).path + '%'}`);
  if (query.kind) conditions.push(sql`po.kind = ${query.kind}`);
  if (query.q?.trim()) conditions.push(sql`po.name LIKE ${likeOf(query.q.trim())}`);
  const where = sql.join(conditions, sql` AND `);
  const rows = await context.database.rows<Record<string, unknown>>(sql`
    SELECT po.id, po.kind, po.name, po.code, po.parent_id, po.region_node_id, rn.name AS region_name, po.secretary_name,
      (SELECT count(*)::int FROM party_members pm WHERE pm.party_organization_id = po.id) AS member_count
    FROM party_organizations po JOIN region_nodes rn ON rn.id = po.region_node_id
    WHERE ${where} ORDER BY rn.path, po.id LIMIT ${query.pageSize} OFFSET ${(query.page - 1) * query.pageSize}`);
  const [{ total }] = await context.database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM party_organizations po JOIN region_nodes rn ON rn.id = po.region_node_id WHERE ${where}`);
  return {
    items: rows.map((row) => ({
      id: Number(row.id),
      kind: row.kind as string,
      name: row.name as string,
      code: row.code as string,
      parentId: row.parent_id === null ? null : Number(row.parent_id),
      regionNodeId: Number(row.region_node_id),
      regionName: row.region_name as string,
      secretaryName: maskName(row.secretary_name as string | null),
      memberCount: Number(row.member_count),
    })),
    page: query.page,
    pageSize: query.pageSize,
    total: Number(total),
  };
}

export async function partyOrganizationDetail(context: AppContext, actor: Actor, id: number) {
  const [row] = await context.database.rows<Record<string, unknown>>(sql`
    SELECT po.*, rn.path, rn.name AS region_name FROM party_organizations po JOIN region_nodes rn ON rn.id = po.region_node_id WHERE po.id = ${id}`);
  if (!row) throw notFound('Party organisation');
  authorize(actor, 'party_organization', 'read', { cityId: Number(row.city_id), regionPath: row.path as string });
  const members = await context.database.rows<Record<string, unknown>>(sql`
    SELECT m.name, m.position, m.part_time, u.name AS unit_name FROM party_committee_members m LEFT JOIN units u ON u.id = m.unit_id
    WHERE m.party_organization_id = ${id} ORDER BY m.id`);
  const children = await context.database.rows<Record<string, unknown>>(sql`SELECT id, kind, name FROM party_organizations WHERE parent_id = ${id} ORDER BY id LIMIT 500`);
  return {
    id,
    kind: row.kind as string,
    name: row.name as string,
    code: row.code as string,
    parentId: row.parent_id === null ? null : Number(row.parent_id),
    regionNodeId: Number(row.region_node_id),
    regionName: row.region_name as string,
    secretaryName: maskName(row.secretary_name as string | null),
    committeeMembers: members.map((m) => ({ name: maskName(m.name as string), position: m.position as string, partTime: m.part_time === 'yes', unitName: (m.unit_name as string | null) ?? null })),
    children: children.map((c) => ({ id: Number(c.id), kind: c.kind as string, name: c.name as string })),
  };
}

export async function listPartyMembers(context: AppContext, actor: Actor, query: { q?: string; regionId?: number; isServing?: boolean; page: number; pageSize: number }) {
  requireAbility(actor, 'party_member', 'read');
  const scope = scopeFor(actor, 'party_member', 'read');
  const conditions: SQL[] = [sql`pm.city_id = ${actor.cityId}`, regionPathFilter(sql.raw('pm.region_path'), scope)];
  if (query.regionId) conditions.push(sql`pm.region_path LIKE ${(await readableNode(context, actor, query.regionId)).path + '%'}`);
  if (query.isServing !== undefined) conditions.push(sql`pm.is_serving = ${query.isServing}`);
  if (query.q?.trim()) conditions.push(sql`(pm.name LIKE ${likeOf(query.q.trim())} OR pm.phone LIKE ${likeOf(query.q.trim())})`);
  const where = sql.join(conditions, sql` AND `);
  const rows = await context.database.rows<Record<string, unknown>>(sql`
    SELECT pm.id, pm.city_id, pm.name, pm.phone, pm.region_path, pm.is_serving, pm.joined_on, po.name AS org_name, u.name AS unit_name,
      (SELECT count(*)::int FROM party_member_household_links l WHERE l.party_member_id = pm.id) AS linked
    FROM party_members pm JOIN party_organizations po ON po.id = pm.party_organization_id LEFT JOIN units u ON u.id = pm.serving_unit_id
    WHERE ${where} ORDER BY pm.id LIMIT ${query.pageSize} OFFSET ${(query.page - 1) * query.pageSize}`);
  const [{ total }] = await context.database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM party_members pm WHERE ${where}`);
  return {
    items: rows.map((row) => ({
      id: Number(row.id),
      name: maskName(row.name as string),
      phone: maskPhone(row.phone as string | null),
      partyOrganizationName: row.org_name as string,
      servingUnitName: (row.unit_name as string | null) ?? null,
      isServing: Boolean(row.is_serving),
      joinedOn: row.joined_on ? String(row.joined_on) : null,
      linkedHouseholdCount: Number(row.linked),
      abilities: { reveal: can(actor, 'party_member', 'reveal', { cityId: Number(row.city_id), regionPath: row.region_path as string }) },
    })),
    page: query.page,
    pageSize: query.pageSize,
    total: Number(total),
  };
}

export async function revealPartyMember(context: AppContext, actor: Actor, id: number, fields: Array<'name' | 'phone' | 'idNumber'>) {
  const [row] = await context.database.rows<Record<string, unknown>>(sql`SELECT * FROM party_members WHERE id = ${id}`);
  if (!row) throw notFound('Party member');
  if (!can(actor, 'party_member', 'reveal', { cityId: Number(row.city_id), regionPath: row.region_path as string })) {
    await appendAuditAlone(context.database, { ...auditOf(actor, 'party_member.reveal', 'party_member', id, { fields }), outcome: 'failure' });
    throw new AppError('forbidden', 'Not allowed to view the full personal data of this party member');
  }
  const result: Record<string, string | null> = {};
  for (const field of new Set(fields)) {
    if (field === 'name') result.name = row.name as string;
    if (field === 'phone') result.phone = (row.phone as string | null) ?? null;
    if (field === 'idNumber') result.idNumber = row.id_number_encrypted ? context.cipher.decrypt(row.id_number_encrypted as string) : null;
  }
  await context.database.db.transaction(async (tx) => appendAudit(context.database, tx, auditOf(actor, 'party_member.reveal', 'party_member', id, { fields: [...new Set(fields)] })));
  return result;
}

export { maskIdNumber };
