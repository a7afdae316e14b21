import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import type { RoleGrant } from '../policy/actor.ts';
import type { Role, RegionLevel } from '../../db/schema/index.ts';

export interface UserRow {
  id: number;
  city_id: number;
  username: string;
  display_name: string;
  password_hash: string;
  status: 'active' | 'disabled';
  failed_logins: number;
  locked_until: Date | null;
  totp_secret_encrypted: string | null;
  totp_pending_secret_encrypted: string | null;
  totp_enabled: boolean;
  totp_last_step: number | null;
  party_member_id: number | null;
}

const toUser = (row: Record<string, unknown>): UserRow => ({
  ...(row as unknown as UserRow),
  id: Number(row.id),
  city_id: Number(row.city_id),
  failed_logins: Number(row.failed_logins),
  locked_until: row.locked_until ? new Date(row.locked_until as string) : null,
  totp_last_step: row.totp_last_step === null ? null : Number(row.totp_last_step),
  party_member_id: row.party_member_id === null || row.party_member_id === undefined ? null : Number(row.party_member_id),
});

export async function findUserByUsername(database: Database, username: string, executor?: Executor): Promise<UserRow | null> {
  const rows = await database.rows(sql`SELECT * FROM users WHERE lower(username) = lower(${username})`, executor);
  return rows[0] ? toUser(rows[0]) : null;
}

export async function findUserById(database: Database, id: number, executor?: Executor): Promise<UserRow | null> {
  const rows = await database.rows(sql`SELECT * FROM users WHERE id = ${id}`, executor);
  return rows[0] ? toUser(rows[0]) : null;
}

export async function loadGrants(database: Database, userId: number, executor?: Executor): Promise<RoleGrant[]> {
  // One round trip on every authenticated request: the assignments, then the grants 双报到 derives from them (an
  // active registration places a party member's account, or a unit's liaisons, in that community).
  const rows = await database.rows<Record<string, unknown>>(
    sql`SELECT * FROM (
          SELECT 0 AS derived, ra.id, ra.role, ra.region_node_id, rn.path, rn.level, rn.name AS region_name, ra.unit_id, u.name AS unit_name
            FROM role_assignments ra
            LEFT JOIN region_nodes rn ON rn.id = ra.region_node_id
            LEFT JOIN units u ON u.id = ra.unit_id
           WHERE ra.user_id = ${userId}
          UNION ALL
          SELECT 1, dr.id, 'party_member', dr.community_id, rn.path, rn.level, rn.name, NULL::bigint, NULL::text
            FROM users us JOIN dual_registrations dr ON dr.party_member_id = us.party_member_id AND dr.status = 'active'
            JOIN region_nodes rn ON rn.id = dr.community_id
           WHERE us.id = ${userId} AND EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id = us.id AND ra.role = 'party_member')
          UNION ALL
          SELECT 1, dr.id, 'unit_contact', dr.community_id, rn.path, rn.level, rn.name, dr.unit_id, u.name
            FROM role_assignments ra JOIN dual_registrations dr ON dr.unit_id = ra.unit_id AND dr.status = 'active'
            JOIN region_nodes rn ON rn.id = dr.community_id JOIN units u ON u.id = dr.unit_id
           WHERE ra.user_id = ${userId} AND ra.role = 'unit_contact'
        ) grants ORDER BY derived, id`,
    executor,
  );
  return rows.map((row) => ({
    id: Number(row.id),
    source: Number(row.derived) === 1 ? 'dual_registration' : 'assignment',
    role: row.role as Role,
    regionNodeId: row.region_node_id === null ? null : Number(row.region_node_id),
    regionPath: (row.path as string | null) ?? null,
    regionLevel: (row.level as RegionLevel | null) ?? null,
    regionName: (row.region_name as string | null) ?? null,
    unitId: row.unit_id === null ? null : Number(row.unit_id),
    unitName: (row.unit_name as string | null) ?? null,
  }));
}

export interface SessionRow {
  id: number;
  user_id: number;
  city_id: number;
  last_seen_at: Date;
  revoked_at: Date | null;
}

export async function findSession(database: Database, tokenHash: string): Promise<SessionRow | null> {
  const rows = await database.rows<Record<string, unknown>>(sql`SELECT id, user_id, city_id, last_seen_at, revoked_at FROM sessions WHERE token_hash = ${tokenHash}`);
  const row = rows[0];
  if (!row) return null;
  return {
    id: Number(row.id),
    user_id: Number(row.user_id),
    city_id: Number(row.city_id),
    last_seen_at: new Date(row.last_seen_at as string),
    revoked_at: row.revoked_at ? new Date(row.revoked_at as string) : null,
  };
}
