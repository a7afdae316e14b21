import { sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import type { ReportingPeriod } from './reporting-period.ts';
import { dateOrNull, isoOrNull, numberOrNull } from '../../db/row-values.ts';

type Row = Record<string, unknown>;

/** Where a registration, post or claim sits (for the policy) and its status. */
export interface Placed {
  id: number;
  cityId: number;
  communityId: number;
  regionPath: string;
  status: string;
}

// ---------- registrations ----------

export async function insertRegistration(database: Database, tx: Executor, input: { cityId: number; kind: string; communityId: number; regionPath: string; partyMemberId: number | null; unitId: number | null; basis: string; createdBy: number }) {
  const [row] = await database.rows<{ id: number }>(
    sql`INSERT INTO dual_registrations (city_id, kind, community_id, region_path, party_member_id, unit_id, basis, created_by)
        VALUES (${input.cityId}, ${input.kind}, ${input.communityId}, ${input.regionPath}, ${input.partyMemberId}, ${input.unitId}, ${input.basis}, ${input.createdBy}) RETURNING id`,
    tx,
  );
  return Number(row.id);
}

export async function lockRegistration(database: Database, tx: Executor, id: number) {
  const [row] = await database.rows<Row>(sql`SELECT id, city_id, community_id, region_path, status, party_member_id, unit_id, registered_at,
      (registered_at AT TIME ZONE 'Asia/Shanghai')::date::text AS registered_on FROM dual_registrations WHERE id = ${id} FOR UPDATE`, tx);
  if (!row) return null;
  return { ...placed(row), partyMemberId: numberOrNull(row.party_member_id), unitId: numberOrNull(row.unit_id), registeredOn: String(row.registered_on) };
}

const placed = (row: Row): Placed => ({ id: Number(row.id), cityId: Number(row.city_id), communityId: Number(row.community_id), regionPath: row.region_path as string, status: row.status as string });

/** The active registration of a member or a unit with one community (null: not reported there). */
export async function activeRegistration(database: Database, tx: Executor, communityId: number, who: { partyMemberId?: number | null; unitId?: number | null }) {
  const match = who.unitId ? sql`unit_id = ${who.unitId}` : sql`party_member_id = ${who.partyMemberId ?? 0}`;
  const [row] = await database.rows<{ id: number }>(sql`SELECT id FROM dual_registrations WHERE community_id = ${communityId} AND status = 'active' AND ${match}`, tx);
  return row ? Number(row.id) : null;
}

const subjectName = sql`coalesce(pm.name, u.name)`;
const registrationFrom = sql`dual_registrations dr JOIN region_nodes c ON c.id = dr.community_id
  LEFT JOIN party_members pm ON pm.id = dr.party_member_id LEFT JOIN units u ON u.id = dr.unit_id`;

export async function listRegistrations(database: Database, where: SQL, page: { limit: number; offset: number; afterId?: number }) {
  const rows = await database.rows<Row>(sql`
    SELECT dr.id, dr.city_id, dr.kind, dr.community_id, c.name AS community_name, dr.region_path, dr.party_member_id, dr.unit_id, ${subjectName} AS subject_name,
           pm.phone AS member_phone, su.name AS serving_unit_name, dr.basis, dr.status, dr.registered_at, dr.ended_at,
           (SELECT count(*)::int FROM post_claims pc WHERE pc.registration_id = dr.id AND pc.status = 'claimed') AS active_claims
      FROM ${registrationFrom} LEFT JOIN units su ON su.id = pm.serving_unit_id
     WHERE ${where} ${page.afterId !== undefined ? sql`AND dr.id > ${page.afterId}` : sql``}
     ORDER BY dr.id ${page.afterId !== undefined ? sql`` : sql`DESC`} LIMIT ${page.limit} OFFSET ${page.offset}`);
  return rows.map((row) => ({
    id: Number(row.id),
    cityId: Number(row.city_id),
    kind: row.kind as 'member' | 'organization',
    communityId: Number(row.community_id),
    communityName: row.community_name as string,
    regionPath: row.region_path as string,
    partyMemberId: numberOrNull(row.party_member_id),
    unitId: numberOrNull(row.unit_id),
    subjectName: row.subject_name as string,
    memberPhone: (row.member_phone as string | null) ?? null,
    servingUnitName: (row.serving_unit_name as string | null) ?? null,
    basis: row.basis as string,
    status: row.status as string,
    registeredAt: isoOrNull(row.registered_at)!,
    endedAt: isoOrNull(row.ended_at),
    activeClaims: Number(row.active_claims),
  }));
}

export async function countRegistrations(database: Database, where: SQL) {
  const [row] = await database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM ${registrationFrom} WHERE ${where}`);
  return Number(row.total);
}

export const registrationSearch = [sql`pm.name`, sql`u.name`, sql`c.name`];

// ---------- posts ----------

export async function lockPost(database: Database, tx: Executor, id: number) {
  const [row] = await database.rows<Row>(sql`SELECT id, city_id, community_id, region_path, status, slots, title FROM community_posts WHERE id = ${id} FOR UPDATE`, tx);
  return row ? { ...placed(row), slots: Number(row.slots), title: row.title as string } : null;
}

export async function listPosts(database: Database, where: SQL, page: { limit: number; offset: number; afterId?: number }, viewer: { partyMemberId: number | null; unitIds: number[] }) {
  const mine = viewer.unitIds.length
    ? sql`(pc.party_member_id = ${viewer.partyMemberId ?? 0} OR pc.unit_id IN (${sql.join(viewer.unitIds.map((u) => sql`${u}`), sql`, `)}))`
    : sql`pc.party_member_id = ${viewer.partyMemberId ?? 0}`;
  const rows = await database.rows<Row>(sql`
    SELECT p.id, p.city_id, p.community_id, c.name AS community_name, p.region_path, p.title, p.description, p.category, p.slots, p.starts_on, p.ends_on, p.status, p.created_at,
           (SELECT count(*)::int FROM post_claims pc WHERE pc.post_id = p.id AND pc.status = 'claimed') AS claimed,
           (SELECT min(pc.id) FROM post_claims pc WHERE pc.post_id = p.id AND pc.status = 'claimed' AND ${mine}) AS my_claim_id
      FROM community_posts p JOIN region_nodes c ON c.id = p.community_id
     WHERE ${where} ${page.afterId !== undefined ? sql`AND p.id > ${page.afterId}` : sql``}
     ORDER BY p.id ${page.afterId !== undefined ? sql`` : sql`DESC`} LIMIT ${page.limit} OFFSET ${page.offset}`);
  return rows.map((row) => ({
    id: Number(row.id),
    cityId: Number(row.city_id),
    communityId: Number(row.community_id),
    communityName: row.community_name as string,
    regionPath: row.region_path as string,
    title: row.title as string,
    description: row.description as string,
    category: (row.category as string | null) ?? null,
    slots: Number(row.slots),
    claimed: Number(row.claimed),
    startsOn: dateOrNull(row.starts_on),
    endsOn: dateOrNull(row.ends_on),
    status: row.status as 'open' | 'closed',
    createdAt: isoOrNull(row.created_at)!,
    myClaimId: numberOrNull(row.my_claim_id),
  }));
}

export async function countPosts(database: Database, where: SQL) {
  const [row] = await database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM community_posts p JOIN region_nodes c ON c.id = p.community_id WHERE ${where}`);
  return Number(row.total);
}

export async function countActiveClaims(database: Database, tx: Executor, postId: number) {
  const [row] = await database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM post_claims WHERE post_id = ${postId} AND status = 'claimed'`, tx);
  return Number(row.n);
}

// ---------- claims ----------

export async function lockClaim(database: Database, tx: Executor, id: number) {
  const [row] = await database.rows<Row>(sql`SELECT pc.id, pc.city_id, p.community_id, pc.region_path, pc.status, pc.post_id, pc.party_member_id, pc.unit_id, pc.registration_id,
      (pc.claimed_at AT TIME ZONE 'Asia/Shanghai')::date::text AS claimed_on, p.title
      FROM post_claims pc JOIN community_posts p ON p.id = pc.post_id WHERE pc.id = ${id} FOR UPDATE OF pc`, tx);
  if (!row) return null;
  return { ...placed(row), postId: Number(row.post_id), partyMemberId: numberOrNull(row.party_member_id), unitId: numberOrNull(row.unit_id), registrationId: Number(row.registration_id), claimedOn: String(row.claimed_on), title: row.title as string };
}

const claimFrom = sql`post_claims pc JOIN community_posts p ON p.id = pc.post_id JOIN region_nodes c ON c.id = p.community_id
  LEFT JOIN party_members pm ON pm.id = pc.party_member_id LEFT JOIN units u ON u.id = pc.unit_id`;
export const claimSearch = [sql`p.title`, sql`pm.name`, sql`u.name`];

export async function listClaims(database: Database, where: SQL, page: { limit: number; offset: number; afterId?: number }) {
  const rows = await database.rows<Row>(sql`
    SELECT pc.id, pc.city_id, pc.post_id, p.title AS post_title, p.community_id, c.name AS community_name, pc.region_path, pc.party_member_id, pc.unit_id,
           ${subjectName} AS claimant_name, pc.status, pc.claimed_at, pc.withdrawn_at,
           logged.sessions, logged.hours
      FROM ${claimFrom}
      -- The claimant's sessions on this post, counted and summed in one pass.
      CROSS JOIN LATERAL (SELECT count(*)::int AS sessions, coalesce(sum(sh.hours), 0) AS hours FROM service_hours sh
        WHERE sh.source_kind = 'post' AND sh.source_id = pc.post_id
          AND (sh.party_member_id = pc.party_member_id OR (pc.party_member_id IS NULL AND sh.party_member_id IS NULL AND sh.unit_id = pc.unit_id))) logged
     WHERE ${where} ${page.afterId !== undefined ? sql`AND pc.id > ${page.afterId}` : sql``}
     ORDER BY pc.id ${page.afterId !== undefined ? sql`` : sql`DESC`} LIMIT ${page.limit} OFFSET ${page.offset}`);
  return rows.map((row) => ({
    id: Number(row.id),
    cityId: Number(row.city_id),
    postId: Number(row.post_id),
    postTitle: row.post_title as string,
    communityId: Number(row.community_id),
    communityName: row.community_name as string,
    regionPath: row.region_path as string,
    partyMemberId: numberOrNull(row.party_member_id),
    unitId: numberOrNull(row.unit_id),
    claimantName: row.claimant_name as string,
    status: row.status as 'claimed' | 'withdrawn',
    claimedAt: isoOrNull(row.claimed_at)!,
    withdrawnAt: isoOrNull(row.withdrawn_at),
    sessions: Number(row.sessions),
    hours: Number(row.hours),
  }));
}

export async function countClaims(database: Database, where: SQL) {
  const [row] = await database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM ${claimFrom} WHERE ${where}`);
  return Number(row.total);
}

// ---------- service hours ----------

const hoursFrom = sql`service_hours sh JOIN region_nodes c ON c.id = sh.community_id
  LEFT JOIN party_members pm ON pm.id = sh.party_member_id LEFT JOIN units u ON u.id = sh.unit_id LEFT JOIN volunteers v ON v.id = sh.volunteer_id
  LEFT JOIN community_posts p ON sh.source_kind = 'post' AND p.id = sh.source_id`;
export const hoursSearch = [sql`sh.description`, sql`pm.name`, sql`u.name`, sql`p.title`];

export async function listHours(database: Database, where: SQL, page: { limit: number; offset: number; afterId?: number }) {
  const rows = await database.rows<Row>(sql`
    SELECT sh.id, sh.city_id, sh.community_id, c.name AS community_name, sh.region_path, sh.party_member_id, sh.unit_id, sh.volunteer_id,
           coalesce(pm.name, v.name, u.name) AS person_name, u.name AS unit_name, sh.source_kind, sh.source_id, p.title AS post_title,
           sh.served_on::text AS served_on, sh.hours, sh.description, sh.created_at
      FROM ${hoursFrom}
     WHERE ${where} ${page.afterId !== undefined ? sql`AND sh.id > ${page.afterId}` : sql``}
     ORDER BY ${page.afterId !== undefined ? sql`sh.id` : sql`sh.served_on DESC, sh.id DESC`} LIMIT ${page.limit} OFFSET ${page.offset}`);
  return rows.map((row) => ({
    id: Number(row.id),
    cityId: Number(row.city_id),
    communityId: Number(row.community_id),
    communityName: row.community_name as string,
    regionPath: row.region_path as string,
    partyMemberId: numberOrNull(row.party_member_id),
    unitId: numberOrNull(row.unit_id),
    volunteerId: numberOrNull(row.volunteer_id),
    personName: (row.person_name as string | null) ?? '',
    unitName: (row.unit_name as string | null) ?? null,
    sourceKind: row.source_kind as string,
    sourceId: numberOrNull(row.source_id),
    postTitle: (row.post_title as string | null) ?? null,
    servedOn: dateOrNull(row.served_on)!,
    hours: Number(row.hours),
    description: row.description as string,
    createdAt: isoOrNull(row.created_at)!,
  }));
}

export async function countHours(database: Database, where: SQL) {
  const [row] = await database.rows<{ total: number; hours: number }>(sql`SELECT count(*)::int AS total, coalesce(sum(sh.hours), 0) AS hours FROM ${hoursFrom} WHERE ${where}`);
  return { total: Number(row.total), hours: Number(row.hours) };
}

export async function lockHours(database: Database, tx: Executor, id: number) {
  const [row] = await database.rows<Row>(sql`SELECT id, city_id, community_id, region_path, source_kind, served_on::text AS served_on, hours, description FROM service_hours WHERE id = ${id} FOR UPDATE`, tx);
  if (!row) return null;
  return { id: Number(row.id), cityId: Number(row.city_id), communityId: Number(row.community_id), regionPath: row.region_path as string, sourceKind: row.source_kind as string, servedOn: dateOrNull(row.served_on)!, hours: Number(row.hours), description: row.description as string };
}

// ---------- ledger ----------

/** The service-hours rows of a registration: its member (or its unit's own entries) in its community. */
const servedBy = sql`sh.community_id = dr.community_id AND (sh.party_member_id = dr.party_member_id OR (dr.unit_id IS NOT NULL AND sh.party_member_id IS NULL AND sh.unit_id = dr.unit_id))`;

/** Registrations that were active at some time in the period. */
export const inPeriod = (period: ReportingPeriod) =>
  sql`dr.registered_at < (${period.until}::date)::timestamp AT TIME ZONE 'Asia/Shanghai' AND (dr.ended_at IS NULL OR dr.ended_at >= (${period.from}::date)::timestamp AT TIME ZONE 'Asia/Shanghai')`;

export async function ledgerRows(database: Database, where: SQL, period: ReportingPeriod, page: { limit: number; offset: number; afterId?: number }) {
  const rows = await database.rows<Row>(sql`
    SELECT dr.id, dr.city_id, dr.kind, c.name AS community_name, dr.region_path, ${subjectName} AS subject_name, dr.party_member_id, dr.unit_id, dr.basis, dr.status,
           dr.registered_at, dr.ended_at,
           (SELECT string_agg(DISTINCT p.title, '、') FROM post_claims pc JOIN community_posts p ON p.id = pc.post_id
             WHERE pc.registration_id = dr.id AND pc.claimed_at < (${period.until}::date)::timestamp AT TIME ZONE 'Asia/Shanghai'
               AND (pc.withdrawn_at IS NULL OR pc.withdrawn_at >= (${period.from}::date)::timestamp AT TIME ZONE 'Asia/Shanghai')) AS posts,
           (SELECT count(DISTINCT pc.post_id)::int FROM post_claims pc
             WHERE pc.registration_id = dr.id AND pc.claimed_at < (${period.until}::date)::timestamp AT TIME ZONE 'Asia/Shanghai'
               AND (pc.withdrawn_at IS NULL OR pc.withdrawn_at >= (${period.from}::date)::timestamp AT TIME ZONE 'Asia/Shanghai')) AS posts_claimed,
           s.sessions, s.hours
      FROM ${registrationFrom}
      CROSS JOIN LATERAL (SELECT count(*)::int AS sessions, coalesce(sum(sh.hours), 0) AS hours FROM service_hours sh
                           WHERE ${servedBy} AND sh.served_on >= ${period.from}::date AND sh.served_on < ${period.until}::date) s
     WHERE ${where} ${page.afterId !== undefined ? sql`AND dr.id > ${page.afterId}` : sql``}
     ORDER BY dr.id LIMIT ${page.limit} OFFSET ${page.offset}`);
  return rows.map((row) => ({
    id: Number(row.id),
    cityId: Number(row.city_id),
    kind: row.kind as 'member' | 'organization',
    communityName: row.community_name as string,
    regionPath: row.region_path as string,
    subjectName: row.subject_name as string,
    partyMemberId: numberOrNull(row.party_member_id),
    unitId: numberOrNull(row.unit_id),
    basis: row.basis as string,
    status: row.status as string,
    registeredAt: isoOrNull(row.registered_at)!,
    endedAt: isoOrNull(row.ended_at),
    posts: (row.posts as string | null) ?? '',
    postsClaimed: Number(row.posts_claimed),
    sessions: Number(row.sessions),
    hours: Number(row.hours),
  }));
}

export async function ledgerTotals(database: Database, where: SQL, period: ReportingPeriod) {
  const [row] = await database.rows<Row>(sql`
    SELECT count(*)::int AS total, coalesce(sum(s.sessions), 0)::int AS sessions, coalesce(sum(s.hours), 0) AS hours
      FROM ${registrationFrom}
      CROSS JOIN LATERAL (SELECT count(*)::int AS sessions, coalesce(sum(sh.hours), 0) AS hours FROM service_hours sh
                           WHERE ${servedBy} AND sh.served_on >= ${period.from}::date AND sh.served_on < ${period.until}::date) s
     WHERE ${where}`);
  return { total: Number(row.total), sessions: Number(row.sessions), hours: Number(row.hours) };
}

export async function registrationEntries(database: Database, registrationId: number, period: ReportingPeriod) {
  const rows = await database.rows<Row>(sql`
    SELECT sh.id, sh.source_kind, sh.source_id, p.title AS post_title, sh.served_on::text AS served_on, sh.hours, sh.description, sh.created_at
      FROM dual_registrations dr JOIN service_hours sh ON ${servedBy}
      LEFT JOIN community_posts p ON sh.source_kind = 'post' AND p.id = sh.source_id
     WHERE dr.id = ${registrationId} AND sh.served_on >= ${period.from}::date AND sh.served_on < ${period.until}::date
     ORDER BY sh.served_on, sh.id`);
  return rows.map((row) => ({
    id: Number(row.id),
    sourceKind: row.source_kind as string,
    sourceId: numberOrNull(row.source_id),
    postTitle: (row.post_title as string | null) ?? null,
    servedOn: dateOrNull(row.served_on)!,
    hours: Number(row.hours),
    description: row.description as string,
    createdAt: isoOrNull(row.created_at)!,
  }));
}

// ---------- reminders ----------

/** Active member registrations with no service hours in the period (in their community), with the member's account. */
export const notServed = (period: ReportingPeriod) =>
  sql`dr.kind = 'member' AND dr.status = 'active'
      AND NOT EXISTS (SELECT 1 FROM service_hours sh WHERE ${servedBy} AND sh.served_on >= ${period.from}::date AND sh.served_on < ${period.until}::date)`;

export const reminderKey = (partyMemberId: number, period: ReportingPeriod) => `dual_reporting.reminder:${partyMemberId}:${period.key}`;

export async function reminderCandidates(database: Database, where: SQL, period: ReportingPeriod, page: { limit: number; offset: number }, executor?: Executor) {
  const rows = await database.rows<Row>(sql`
    SELECT dr.id, dr.city_id, dr.community_id, c.name AS community_name, dr.region_path, dr.party_member_id, pm.name AS member_name, dr.registered_at,
           (SELECT min(us.id) FROM users us WHERE us.party_member_id = dr.party_member_id AND us.city_id = dr.city_id AND us.status = 'active') AS user_id,
           (SELECT min(o.created_at) FROM outbox o WHERE o.event_key = 'dual_reporting.reminder:' || dr.party_member_id || ':' || ${period.key}) AS reminded_at
      FROM ${registrationFrom}
     WHERE ${where} ORDER BY dr.id LIMIT ${page.limit} OFFSET ${page.offset}`, executor);
  return rows.map((row) => ({
    registrationId: Number(row.id),
    cityId: Number(row.city_id),
    communityId: Number(row.community_id),
    communityName: row.community_name as string,
    regionPath: row.region_path as string,
    partyMemberId: Number(row.party_member_id),
    memberName: row.member_name as string,
    registeredAt: isoOrNull(row.registered_at)!,
    userId: numberOrNull(row.user_id),
    remindedAt: isoOrNull(row.reminded_at),
  }));
}

/**
 * One in-app reminder per member and period: the outbox dedupe key (delivered at once, so the worker never
 * sends it again) decides; the inbox row is written only when the outbox row is new. True when sent now.
 */
export async function sendReminder(database: Database, tx: Executor, input: { cityId: number; partyMemberId: number; userId: number; period: ReportingPeriod; communityName: string }) {
  const payload = JSON.stringify({ partyMemberId: input.partyMemberId, period: input.period.key });
  const [outboxRow] = await database.rows<{ id: number }>(
    sql`INSERT INTO outbox (city_id, event_key, channel, recipient, recipient_user_id, template, payload, status, attempts, delivered_at)
        VALUES (${input.cityId}, ${reminderKey(input.partyMemberId, input.period)}, 'in_app', ${`user:${input.userId}`}, ${input.userId}, 'dual_reporting.reminder', ${payload}::jsonb, 'delivered', 1, now())
        ON CONFLICT (event_key, channel, recipient) DO NOTHING RETURNING id`,
    tx,
  );
  if (!outboxRow) return false;
  await database.rows(
    sql`INSERT INTO notifications (city_id, user_id, outbox_id, title, body)
        VALUES (${input.cityId}, ${input.userId}, ${Number(outboxRow.id)}, '双报到服务提醒',
                ${`您已向${input.communityName}报到，${input.period.label}尚未记录服务时长，请认领岗位参加服务。`})`,
    tx,
  );
  return true;
}
