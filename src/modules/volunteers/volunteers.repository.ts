import { sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import { isoOrNull, numberOrNull } from '../../db/row-values.ts';

type Row = Record<string, unknown>;
export interface Page {
  limit: number;
  offset: number;
  afterId?: number;
}
const keyset = (column: SQL, page: Page) => (page.afterId !== undefined ? sql`AND ${column} > ${page.afterId}` : sql``);
const order = (column: SQL, page: Page) => (page.afterId !== undefined ? sql`${column}` : sql`${column} DESC`);

// ---------- teams ----------

const teamFrom = sql`volunteer_teams t JOIN region_nodes r ON r.id = t.region_node_id`;
export const teamSearch = [sql`t.name`, sql`t.description`, sql`t.leader_name`];

export async function listTeams(database: Database, where: SQL, page: Page) {
  const rows = await database.rows<Row>(sql`
    SELECT t.id, t.city_id, t.region_node_id, r.name AS region_name, t.region_path, t.name, t.kind, t.description, t.leader_name, t.created_at,
           (SELECT count(*)::int FROM volunteer_team_members m WHERE m.team_id = t.id) AS members
      FROM ${teamFrom} WHERE ${where} ${keyset(sql`t.id`, page)} ORDER BY ${order(sql`t.id`, page)} LIMIT ${page.limit} OFFSET ${page.offset}`);
  return rows.map((row) => ({
    id: Number(row.id),
    cityId: Number(row.city_id),
    regionNodeId: Number(row.region_node_id),
    regionName: row.region_name as string,
    regionPath: row.region_path as string,
    name: row.name as string,
    kind: row.kind as string,
    description: row.description as string,
    leaderName: (row.leader_name as string | null) ?? null,
    members: Number(row.members),
    createdAt: isoOrNull(row.created_at)!,
  }));
}

export async function countTeams(database: Database, where: SQL) {
  const [row] = await database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM ${teamFrom} WHERE ${where}`);
  return Number(row.total);
}

// ---------- volunteers ----------

const volunteerFrom = sql`volunteers v JOIN region_nodes r ON r.id = v.region_node_id`;
export const volunteerSearch = [sql`v.name`, sql`v.skills`, sql`v.phone`];

export async function listVolunteers(database: Database, where: SQL, page: Page, executor?: Executor) {
  const rows = await database.rows<Row>(sql`
    SELECT v.id, v.city_id, v.region_node_id, r.name AS region_name, v.region_path, v.name, v.phone, v.resident_id, v.party_member_id, v.user_id, v.skills, v.status, v.created_at,
           (SELECT string_agg(t.name, '、' ORDER BY t.id) FROM volunteer_team_members m JOIN volunteer_teams t ON t.id = m.team_id WHERE m.volunteer_id = v.id) AS teams,
           (SELECT coalesce(sum(sh.hours), 0) FROM service_hours sh WHERE sh.volunteer_id = v.id) AS hours
      FROM ${volunteerFrom} WHERE ${where} ${keyset(sql`v.id`, page)} ORDER BY ${order(sql`v.id`, page)} LIMIT ${page.limit} OFFSET ${page.offset}`, executor);
  return rows.map((row) => ({
    id: Number(row.id),
    cityId: Number(row.city_id),
    regionNodeId: Number(row.region_node_id),
    regionName: row.region_name as string,
    regionPath: row.region_path as string,
    name: row.name as string,
    phone: (row.phone as string | null) ?? null,
    residentId: numberOrNull(row.resident_id),
    partyMemberId: numberOrNull(row.party_member_id),
    userId: numberOrNull(row.user_id),
    skills: (row.skills as string | null) ?? null,
    status: row.status as string,
    teams: (row.teams as string | null) ?? '',
    hours: Number(row.hours),
    createdAt: isoOrNull(row.created_at)!,
  }));
}

export async function countVolunteers(database: Database, where: SQL) {
  const [row] = await database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM ${volunteerFrom} WHERE ${where}`);
  return Number(row.total);
}

// ---------- activities ----------

const activityFrom = sql`volunteer_activities a JOIN region_nodes r ON r.id = a.region_node_id LEFT JOIN volunteer_teams t ON t.id = a.team_id`;
export const activitySearch = [sql`a.title`, sql`a.description`, sql`a.location`];

export async function listActivities(database: Database, where: SQL, page: Page, viewerPartyMemberId: number | null) {
  const rows = await database.rows<Row>(sql`
    SELECT a.id, a.city_id, a.region_node_id, r.name AS region_name, a.region_path, a.team_id, t.name AS team_name, a.title, a.description, a.location,
           a.starts_at, a.ends_at, a.capacity, a.hours, a.status, a.created_at,
           (SELECT count(*)::int FROM activity_signups s WHERE s.activity_id = a.id AND s.status <> 'cancelled') AS signed_up,
           (SELECT count(*)::int FROM activity_signups s WHERE s.activity_id = a.id AND s.status = 'checked_in') AS checked_in,
           (SELECT s.id FROM activity_signups s JOIN volunteers v ON v.id = s.volunteer_id
             WHERE s.activity_id = a.id AND s.status <> 'cancelled' AND v.party_member_id = ${viewerPartyMemberId ?? 0} LIMIT 1) AS my_signup_id
      FROM ${activityFrom} WHERE ${where} ${keyset(sql`a.id`, page)} ORDER BY ${page.afterId !== undefined ? sql`a.id` : sql`a.starts_at DESC, a.id DESC`} LIMIT ${page.limit} OFFSET ${page.offset}`);
  return rows.map((row) => ({
    id: Number(row.id),
    cityId: Number(row.city_id),
    regionNodeId: Number(row.region_node_id),
    regionName: row.region_name as string,
    regionPath: row.region_path as string,
    teamId: numberOrNull(row.team_id),
    teamName: (row.team_name as string | null) ?? null,
    title: row.title as string,
    description: row.description as string,
    location: (row.location as string | null) ?? null,
    startsAt: isoOrNull(row.starts_at)!,
    endsAt: isoOrNull(row.ends_at)!,
    capacity: numberOrNull(row.capacity),
    hours: Number(row.hours),
    status: row.status as 'open' | 'closed' | 'finished' | 'cancelled',
    signedUp: Number(row.signed_up),
    checkedIn: Number(row.checked_in),
    mySignupId: numberOrNull(row.my_signup_id),
    createdAt: isoOrNull(row.created_at)!,
  }));
}

export async function countActivities(database: Database, where: SQL) {
  const [row] = await database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM ${activityFrom} WHERE ${where}`);
  return Number(row.total);
}

export async function lockActivity(database: Database, tx: Executor, id: number) {
  const [row] = await database.rows<Row>(sql`SELECT id, city_id, region_node_id, region_path, title, status, capacity, hours, starts_at, ends_at,
      (starts_at AT TIME ZONE 'Asia/Shanghai')::date::text AS starts_on, (ends_at AT TIME ZONE 'Asia/Shanghai')::date::text AS ends_on
      FROM volunteer_activities WHERE id = ${id} FOR UPDATE`, tx);
  if (!row) return null;
  return {
    id: Number(row.id), cityId: Number(row.city_id), regionNodeId: Number(row.region_node_id), regionPath: row.region_path as string, title: row.title as string,
    status: row.status as 'open' | 'closed' | 'finished' | 'cancelled', capacity: numberOrNull(row.capacity), hours: Number(row.hours), startsOn: String(row.starts_on), endsOn: String(row.ends_on),
    endsAt: new Date(row.ends_at as string),
  };
}

export async function countTakenPlaces(database: Database, tx: Executor, activityId: number) {
  const [row] = await database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM activity_signups WHERE activity_id = ${activityId} AND status <> 'cancelled'`, tx);
  return Number(row.n);
}

const signupFrom = sql`activity_signups s JOIN volunteers v ON v.id = s.volunteer_id LEFT JOIN units u ON u.id = s.unit_id`;

export async function listSignups(database: Database, where: SQL) {
  const rows = await database.rows<Row>(sql`
    SELECT s.id, s.activity_id, s.volunteer_id, v.name AS volunteer_name, v.phone, v.party_member_id, s.unit_id, u.name AS unit_name, s.status, s.signed_up_at, s.checked_in_at
      FROM ${signupFrom} WHERE ${where} ORDER BY s.id LIMIT 2000`);
  return rows.map((row) => ({
    id: Number(row.id),
    activityId: Number(row.activity_id),
    volunteerId: Number(row.volunteer_id),
    volunteerName: row.volunteer_name as string,
    phone: (row.phone as string | null) ?? null,
    partyMemberId: numberOrNull(row.party_member_id),
    unitId: numberOrNull(row.unit_id),
    unitName: (row.unit_name as string | null) ?? null,
    status: row.status as 'signed_up' | 'checked_in' | 'cancelled',
    signedUpAt: isoOrNull(row.signed_up_at)!,
    checkedInAt: isoOrNull(row.checked_in_at),
  }));
}

export async function lockSignup(database: Database, tx: Executor, id: number) {
  const [row] = await database.rows<Row>(sql`SELECT s.id, s.city_id, s.activity_id, s.volunteer_id, s.unit_id, s.status, v.party_member_id, v.region_path AS volunteer_path
      FROM activity_signups s JOIN volunteers v ON v.id = s.volunteer_id WHERE s.id = ${id} FOR UPDATE OF s`, tx);
  if (!row) return null;
  return { id: Number(row.id), cityId: Number(row.city_id), activityId: Number(row.activity_id), volunteerId: Number(row.volunteer_id), unitId: numberOrNull(row.unit_id), status: row.status as 'signed_up' | 'checked_in' | 'cancelled', partyMemberId: numberOrNull(row.party_member_id), volunteerPath: row.volunteer_path as string };
}

// ---------- a person's record ----------

export async function recordActivities(database: Database, volunteerId: number, range: { from?: string; to?: string }) {
  const rows = await database.rows<Row>(sql`
    SELECT s.id, a.id AS activity_id, a.title, a.location, a.starts_at, a.ends_at, s.status, s.checked_in_at, sh.hours AS credited
      FROM activity_signups s JOIN volunteer_activities a ON a.id = s.activity_id
      LEFT JOIN service_hours sh ON sh.source_kind = 'activity' AND sh.source_id = a.id AND sh.volunteer_id = s.volunteer_id
     WHERE s.volunteer_id = ${volunteerId}
       ${range.from ? sql`AND a.starts_at >= (${range.from}::date)::timestamp AT TIME ZONE 'Asia/Shanghai'` : sql``}
       ${range.to ? sql`AND a.starts_at < (${range.to}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'` : sql``}
     ORDER BY a.starts_at DESC, s.id DESC LIMIT 1000`);
  return rows.map((row) => ({
    signupId: Number(row.id),
    activityId: Number(row.activity_id),
    title: row.title as string,
    location: (row.location as string | null) ?? null,
    startsAt: isoOrNull(row.starts_at)!,
    endsAt: isoOrNull(row.ends_at)!,
    status: row.status as string,
    checkedInAt: isoOrNull(row.checked_in_at),
    hoursCredited: row.credited === null || row.credited === undefined ? 0 : Number(row.credited),
  }));
}

/** Every service-hours entry of the person: as a volunteer, and as the party member they are. */
export async function recordEntries(database: Database, volunteer: { id: number; partyMemberId: number | null }, range: { from?: string; to?: string }) {
  const rows = await database.rows<Row>(sql`
    SELECT sh.id, sh.source_kind, sh.source_id, coalesce(a.title, p.title) AS title, sh.served_on::text AS served_on, sh.hours, sh.description
      FROM service_hours sh
      LEFT JOIN volunteer_activities a ON sh.source_kind = 'activity' AND a.id = sh.source_id
      LEFT JOIN community_posts p ON sh.source_kind = 'post' AND p.id = sh.source_id
     WHERE (sh.volunteer_id = ${volunteer.id} ${volunteer.partyMemberId ? sql`OR sh.party_member_id = ${volunteer.partyMemberId}` : sql``})
       ${range.from ? sql`AND sh.served_on >= ${range.from}::date` : sql``} ${range.to ? sql`AND sh.served_on <= ${range.to}::date` : sql``}
     ORDER BY sh.served_on DESC, sh.id DESC LIMIT 5000`);
  return rows.map((row) => ({
    id: Number(row.id),
    sourceKind: row.source_kind as string,
    sourceId: numberOrNull(row.source_id),
    title: (row.title as string | null) ?? null,
    servedOn: String(row.served_on).slice(0, 10),
    hours: Number(row.hours),
    description: row.description as string,
  }));
}
