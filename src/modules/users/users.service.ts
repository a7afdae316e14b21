import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { roles as allRoles, type Role } from '../../db/schema/index.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import { isValidMobilePhone, maskPhone } from '../../shared/personal-data.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { auditOf } from '../auth/auth.service.ts';
import { hashPassword } from '../auth/passwords.ts';
import { checkPasswordPolicy } from '../auth/password-policy.ts';
import type { Actor } from '../policy/actor.ts';
import { authorize } from '../policy/authorize.ts';
import { roleScopeLevel, separatedAdministratorRoles } from '../policy/policies.ts';
import { childPath } from '../regions/region-path.ts';
import { findNode } from '../regions/regions.repository.ts';
import { insertDefaultCategories } from '../cases/case-categories.repository.ts';

export const roleLabels: Record<Role, string> = {
  grid_worker: '网格员',
  grid_head: '网格长',
  building_head: '楼栋长',
  household_link_head: '联户长',
  dispatcher: '社区书记(调度员)',
  street_officer: '街道干部',
  department_staff: '部门工作人员',
  district_admin: '区级管理员',
  city_admin: '市级管理员',
  organization_officer: '组织部干部',
  party_member: '党员',
  unit_contact: '单位联络员',
  system_admin: '系统管理员',
  security_admin: '安全管理员',
  audit_admin: '审计管理员',
};

export const listRoles = () => allRoles.map((role) => ({ role, label: roleLabels[role], scopeLevel: roleScopeLevel[role] }));

const cityRecord = (actor: Actor) => ({ cityId: actor.cityId });

export async function listUsers(context: AppContext, actor: Actor, query: { q?: string; page: number; pageSize: number }) {
  authorize(actor, 'user', 'read', cityRecord(actor));
  const like = query.q?.trim() ? `%${query.q.trim().replace(/[\\%_]/g, (c) => '\\' + c)}%` : null;
  const where = like ? sql`u.city_id = ${actor.cityId} AND (u.username LIKE ${like} OR u.display_name LIKE ${like})` : sql`u.city_id = ${actor.cityId}`;
  const rows = await context.database.rows<Record<string, unknown>>(sql`
    SELECT u.id, u.username, u.display_name, u.phone, u.status, u.locked_until, u.totp_enabled FROM users u
    WHERE ${where} ORDER BY u.id LIMIT ${query.pageSize} OFFSET ${(query.page - 1) * query.pageSize}`);
  const [{ total }] = await context.database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM users u WHERE ${where}`);
  const ids = rows.map((r) => Number(r.id));
  const grants = ids.length
    ? await context.database.rows<Record<string, unknown>>(sql`
        SELECT ra.id, ra.user_id, ra.role, ra.region_node_id, rn.name AS region_name, ra.unit_id, un.name AS unit_name
        FROM role_assignments ra LEFT JOIN region_nodes rn ON rn.id = ra.region_node_id LEFT JOIN units un ON un.id = ra.unit_id
        WHERE ra.user_id IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)}) ORDER BY ra.id`)
    : [];
  const now = Date.now();
  return {
    items: rows.map((row) => {
      const lockedUntil = row.locked_until ? new Date(row.locked_until as string) : null;
      return {
        id: Number(row.id),
        username: row.username as string,
        displayName: row.display_name as string,
        phone: maskPhone(row.phone as string | null),
        status: lockedUntil && lockedUntil.getTime() > now ? 'locked' : (row.status as string),
        lockedUntil: lockedUntil?.toISOString() ?? null,
        totpEnabled: Boolean(row.totp_enabled),
        roles: grants
          .filter((g) => Number(g.user_id) === Number(row.id))
          .map((g) => ({
            id: Number(g.id),
            role: g.role as string,
            regionNodeId: g.region_node_id === null ? null : Number(g.region_node_id),
            regionName: (g.region_name as string | null) ?? null,
            unitId: g.unit_id === null ? null : Number(g.unit_id),
            unitName: (g.unit_name as string | null) ?? null,
          })),
      };
    }),
    page: query.page,
    pageSize: query.pageSize,
    total: Number(total),
  };
}

export interface NewUser {
  username: string;
  displayName: string;
  phone?: string;
  password: string;
  /** The party member this account belongs to (党员账号): it may then hold the party_member role. */
  partyMemberId?: number;
}

function validateNewUser(context: AppContext, input: NewUser) {
  if (!/^[A-Za-z0-9_.-]{3,64}$/.test(input.username)) throw new AppError('validation_failed', 'Username: 3–64 letters, digits, _ . -');
  if (input.phone && !isValidMobilePhone(input.phone)) throw new AppError('validation_failed', 'Phone must be an 11-digit mainland mobile number');
  checkPasswordPolicy(context.config, input.password, input.username);
}

export async function createUser(context: AppContext, actor: Actor, input: NewUser) {
  authorize(actor, 'user', 'create', cityRecord(actor));
  validateNewUser(context, input);
  const passwordHash = await hashPassword(input.password);
  return context.database.db.transaction(async (tx) => {
    const existing = await context.database.rows(sql`SELECT 1 FROM users WHERE lower(username) = lower(${input.username})`, tx);
    if (existing.length) throw new AppError('conflict', `Username ${input.username} is taken`);
    if (input.partyMemberId !== undefined) {
      const [member] = await context.database.rows<{ city_id: number; linked: boolean }>(
        sql`SELECT pm.city_id, EXISTS (SELECT 1 FROM users u WHERE u.party_member_id = pm.id) AS linked FROM party_members pm WHERE pm.id = ${input.partyMemberId}`,
        tx,
      );
      if (!member || Number(member.city_id) !== actor.cityId) throw new AppError('validation_failed', 'partyMemberId is not a party member of this city', { partyMemberId: input.partyMemberId });
      if (member.linked) throw new AppError('conflict', 'This party member already has an account', { partyMemberId: input.partyMemberId });
    }
    const [row] = await context.database.rows<{ id: number }>(
      sql`INSERT INTO users (city_id, username, display_name, phone, password_hash, party_member_id)
          VALUES (${actor.cityId}, ${input.username}, ${input.displayName}, ${input.phone ?? null}, ${passwordHash}, ${input.partyMemberId ?? null}) RETURNING id`,
      tx,
    );
    await appendAudit(context.database, tx, auditOf(actor, 'user.create', 'user', Number(row.id), { username: input.username, partyMemberId: input.partyMemberId ?? null }));
    return { id: Number(row.id), username: input.username, displayName: input.displayName };
  });
}

export async function updateUserStatus(context: AppContext, actor: Actor, id: number, status: 'active' | 'disabled') {
  authorize(actor, 'user', 'update', cityRecord(actor));
  if (id === actor.userId) throw new AppError('conflict', 'You cannot change your own account status');
  await context.database.db.transaction(async (tx) => {
    const rows = await context.database.rows(sql`UPDATE users SET status = ${status}, updated_at = now() WHERE id = ${id} AND city_id = ${actor.cityId} RETURNING id`, tx);
    if (!rows.length) throw notFound('User');
    if (status === 'disabled') await tx.execute(sql`UPDATE sessions SET revoked_at = now() WHERE user_id = ${id} AND revoked_at IS NULL`);
    await appendAudit(context.database, tx, auditOf(actor, 'user.update_status', 'user', id, { status }));
  });
}

export async function unlockUser(context: AppContext, actor: Actor, id: number) {
  authorize(actor, 'user', 'unlock', cityRecord(actor));
  await context.database.db.transaction(async (tx) => {
    const rows = await context.database.rows(sql`UPDATE users SET locked_until = NULL, failed_logins = 0 WHERE id = ${id} AND city_id = ${actor.cityId} RETURNING id`, tx);
    if (!rows.length) throw notFound('User');
    await appendAudit(context.database, tx, auditOf(actor, 'user.unlock', 'user', id));
  });
}

/** Checks a role's scope target and the separation of the three administrators; returns the columns to store. */
async function resolveAssignment(context: AppContext, cityId: number, userId: number, input: { role: Role; regionNodeId?: number; unitId?: number }, executor?: Parameters<typeof context.database.rows>[1]) {
  const level = roleScopeLevel[input.role];
  let regionNodeId: number | null = null;
  let unitId: number | null = null;
  if (level === 'registration') {
    // The account is placed by the member's registrations, never by the assignment.
    if (input.regionNodeId !== undefined || input.unitId !== undefined) throw new AppError('validation_failed', 'A party member is placed in communities by their 双报到 registrations: give no regionNodeId or unitId');
  } else if (level === 'unit') {
    // A unit's liaison acts for a resident unit, agency or partner shop, placed at the unit's own node.
    if (!input.unitId) throw new AppError('validation_failed', 'A unit contact needs a unit (unitId)');
    const [unit] = await context.database.rows<{ kind: string; city_id: number; region_node_id: number | null }>(sql`SELECT kind, city_id, region_node_id FROM units WHERE id = ${input.unitId}`, executor);
    if (!unit || Number(unit.city_id) !== cityId || unit.kind === 'department') throw new AppError('validation_failed', 'unitId must be a unit of this city other than a department');
    unitId = input.unitId;
    regionNodeId = unit.region_node_id === null ? null : Number(unit.region_node_id);
  } else if (level === 'department') {
    if (!input.unitId) throw new AppError('validation_failed', 'Department staff need a department (unitId)');
    const [unit] = await context.database.rows<{ kind: string; city_id: number }>(sql`SELECT kind, city_id FROM units WHERE id = ${input.unitId}`, executor);
    if (!unit || Number(unit.city_id) !== cityId || unit.kind !== 'department') throw new AppError('validation_failed', 'unitId must be a department of this city');
    unitId = input.unitId;
  } else {
    if (level === 'city' && !input.regionNodeId) {
      const [city] = await context.database.rows<{ id: number }>(sql`SELECT id FROM region_nodes WHERE city_id = ${cityId} AND level = 'city' LIMIT 1`, executor);
      input = { ...input, regionNodeId: city ? Number(city.id) : undefined };
    }
    if (!input.regionNodeId) throw new AppError('validation_failed', `The role ${input.role} needs a ${level} node (regionNodeId)`);
    const node = await findNode(context.database, input.regionNodeId, executor);
    if (!node || node.cityId !== cityId) throw new AppError('validation_failed', 'regionNodeId is not a node of this city');
    if (node.level !== level) throw new AppError('validation_failed', `The role ${input.role} is held on a ${level}, not a ${node.level}`);
    regionNodeId = node.id;
  }
  if (input.role === 'party_member') {
    const [user] = await context.database.rows<{ party_member_id: number | null }>(sql`SELECT party_member_id FROM users WHERE id = ${userId}`, executor);
    if (!user || user.party_member_id === null) throw new AppError('validation_failed', 'Link this account to a party member (partyMemberId) before giving it the party member role');
  }
  const held = await context.database.rows<{ role: Role }>(sql`SELECT role FROM role_assignments WHERE user_id = ${userId}`, executor);
  const heldRoles = held.map((h) => h.role);
  const isSeparated = separatedAdministratorRoles.includes(input.role);
  if (isSeparated && heldRoles.some((r) => r !== input.role)) {
    throw new AppError('role_conflict', `${roleLabels[input.role]} cannot be combined with any other role (separation of the three administrators)`, { held: heldRoles });
  }
  if (!isSeparated && heldRoles.some((r) => separatedAdministratorRoles.includes(r))) {
    throw new AppError('role_conflict', 'This user is a separated administrator and cannot hold other roles', { held: heldRoles });
  }
  return { regionNodeId, unitId };
}

export async function assignRole(context: AppContext, actor: Actor, userId: number, input: { role: Role; regionNodeId?: number; unitId?: number }) {
  authorize(actor, 'role_assignment', 'create', cityRecord(actor));
  if (userId === actor.userId) throw new AppError('conflict', 'You cannot change your own roles');
  return context.database.db.transaction(async (tx) => {
    const [user] = await context.database.rows<{ city_id: number }>(sql`SELECT city_id FROM users WHERE id = ${userId} FOR UPDATE`, tx);
    if (!user || Number(user.city_id) !== actor.cityId) throw notFound('User');
    const target = await resolveAssignment(context, actor.cityId, userId, input, tx);
    const [row] = await context.database.rows<{ id: number }>(
      sql`INSERT INTO role_assignments (city_id, user_id, role, region_node_id, unit_id, created_by)
          VALUES (${actor.cityId}, ${userId}, ${input.role}, ${target.regionNodeId}, ${target.unitId}, ${actor.userId}) RETURNING id`,
      tx,
    );
    await appendAudit(context.database, tx, auditOf(actor, 'role.assign', 'role_assignment', Number(row.id), { userId, role: input.role, ...target }));
    return { id: Number(row.id), userId, role: input.role, ...target };
  });
}

export async function revokeRole(context: AppContext, actor: Actor, assignmentId: number) {
  authorize(actor, 'role_assignment', 'delete', cityRecord(actor));
  await context.database.db.transaction(async (tx) => {
    const rows = await context.database.rows<{ user_id: number; role: string }>(
      sql`DELETE FROM role_assignments WHERE id = ${assignmentId} AND city_id = ${actor.cityId} AND user_id <> ${actor.userId} RETURNING user_id, role`,
      tx,
    );
    if (!rows.length) throw notFound('Role assignment');
    await appendAudit(context.database, tx, auditOf(actor, 'role.revoke', 'role_assignment', assignmentId, { userId: Number(rows[0].user_id), role: rows[0].role }));
  });
}

/**
 * The first administrators, from the CLI or the environment: creates the city (with its root node) when
 * it does not exist yet. The TOTP second factor is enrolled at first login.
 */
export async function createAdministrator(
  context: AppContext,
  input: { username: string; password: string; role: Role; displayName: string; cityCode?: string; cityName?: string },
) {
  if (!['system_admin', 'security_admin', 'audit_admin', 'city_admin'].includes(input.role)) {
    throw new AppError('validation_failed', 'The CLI creates system_admin, security_admin, audit_admin or city_admin accounts');
  }
  validateNewUser(context, input);
  const passwordHash = await hashPassword(input.password);
  return context.database.db.transaction(async (tx) => {
    let [city] = input.cityCode
      ? await context.database.rows<{ id: number }>(sql`SELECT id FROM cities WHERE code = ${input.cityCode}`, tx)
      : await context.database.rows<{ id: number }>(sql`SELECT id FROM cities ORDER BY id LIMIT 1`, tx);
    if (!city) {
      if (!input.cityCode || !input.cityName) throw new AppError('validation_failed', 'No city exists yet: pass --city-code (12 digits) and --city-name');
      [city] = await context.database.rows<{ id: number }>(sql`INSERT INTO cities (code, name) VALUES (${input.cityCode}, ${input.cityName}) RETURNING id`, tx);
      const [{ id: nodeId }] = await context.database.rows<{ id: number }>(sql`SELECT nextval('region_nodes_id_seq') AS id`, tx);
      await tx.execute(sql`INSERT INTO region_nodes (id, city_id, level, code, name, path) VALUES (${Number(nodeId)}, ${Number(city.id)}, 'city', ${input.cityCode}, ${input.cityName}, ${childPath(null, Number(nodeId))})`);
      await insertDefaultCategories(context.database, tx, Number(city.id));
    }
    const cityId = Number(city.id);
    const existing = await context.database.rows(sql`SELECT 1 FROM users WHERE lower(username) = lower(${input.username})`, tx);
    if (existing.length) throw new AppError('conflict', `Username ${input.username} is taken`);
    const [user] = await context.database.rows<{ id: number }>(
      sql`INSERT INTO users (city_id, username, display_name, password_hash) VALUES (${cityId}, ${input.username}, ${input.displayName}, ${passwordHash}) RETURNING id`,
      tx,
    );
    const userId = Number(user.id);
    const target = await resolveAssignment(context, cityId, userId, { role: input.role }, tx);
    await tx.execute(sql`INSERT INTO role_assignments (city_id, user_id, role, region_node_id) VALUES (${cityId}, ${userId}, ${input.role}, ${target.regionNodeId})`);
    await appendAudit(context.database, tx, {
      cityId, actorUserId: null, actorName: 'cli', action: 'user.create_administrator', resourceType: 'user', resourceId: userId,
      outcome: 'success', ip: null, userAgent: 'civicgrid-cli', details: { username: input.username, role: input.role },
    });
    return { id: userId, username: input.username };
  });
}
