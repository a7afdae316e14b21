import { sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import { isoOrNull, numberOrNull } from '../../db/row-values.ts';


export interface NoticeRow {
  id: number;
  cityId: number;
  kind: 'organization_life' | 'policy' | 'party_affairs' | 'residents_affairs';
  regionNodeId: number;
  regionName: string;
  regionPath: string;
  partyOrganizationId: number | null;
  partyOrganizationName: string | null;
  title: string;
  body: string;
  status: 'draft' | 'published' | 'withdrawn';
  publishedAt: string | null;
  eventAt: string | null;
  createdBy: number | null;
  createdAt: string;
  readCount: number;
}

const noticeSelect = sql`
  SELECT n.*, rn.name AS region_name, po.name AS party_organization_name,
         (SELECT count(*)::int FROM notice_receipts r WHERE r.notice_id = n.id) AS read_count
    FROM notices n JOIN region_nodes rn ON rn.id = n.region_node_id LEFT JOIN party_organizations po ON po.id = n.party_organization_id`;

const noticeOf = (row: Record<string, unknown>): NoticeRow => ({
  id: Number(row.id),
  cityId: Number(row.city_id),
  kind: row.kind as NoticeRow['kind'],
  regionNodeId: Number(row.region_node_id),
  regionName: row.region_name as string,
  regionPath: row.region_path as string,
  partyOrganizationId: numberOrNull(row.party_organization_id),
  partyOrganizationName: (row.party_organization_name as string | null) ?? null,
  title: row.title as string,
  body: row.body as string,
  status: row.status as NoticeRow['status'],
  publishedAt: isoOrNull(row.published_at),
  eventAt: isoOrNull(row.event_at),
  createdBy: numberOrNull(row.created_by),
  createdAt: isoOrNull(row.created_at)!,
  readCount: Number(row.read_count ?? 0),
});

export async function findNotice(database: Database, id: number, executor?: Executor) {
  const [row] = await database.rows<Record<string, unknown>>(sql`${noticeSelect} WHERE n.id = ${id}`, executor);
  return row ? noticeOf(row) : null;
}

export async function listNotices(database: Database, where: SQL, limit: number, offset: number) {
  const rows = await database.rows<Record<string, unknown>>(sql`${noticeSelect} WHERE ${where} ORDER BY n.id DESC LIMIT ${limit} OFFSET ${offset}`);
  const [{ total }] = await database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM notices n WHERE ${where}`);
  return { rows: rows.map(noticeOf), total: Number(total) };
}

export async function noticeBatch(database: Database, where: SQL, afterId: number, size: number) {
  return (await database.rows<Record<string, unknown>>(sql`${noticeSelect} WHERE ${where} AND n.id > ${afterId} ORDER BY n.id LIMIT ${size}`)).map(noticeOf);
}

export async function insertNotice(
  database: Database,
  executor: Executor,
  input: { cityId: number; kind: string; regionNodeId: number; regionPath: string; partyOrganizationId: number | null; title: string; body: string; eventAt: string | null; createdBy: number },
) {
  const [row] = await database.rows<{ id: number }>(
    sql`INSERT INTO notices (city_id, kind, region_node_id, region_path, party_organization_id, title, body, event_at, created_by)
        VALUES (${input.cityId}, ${input.kind}, ${input.regionNodeId}, ${input.regionPath}, ${input.partyOrganizationId}, ${input.title}, ${input.body}, ${input.eventAt}, ${input.createdBy})
        RETURNING id`,
    executor,
  );
  return Number(row.id);
}

/** Conditional: only from the status the caller saw (a concurrent change makes this return false). */
export async function moveNotice(database: Database, executor: Executor, id: number, from: string, to: string) {
  const rows = await database.rows(
    sql`UPDATE notices SET status = ${to}, updated_at = now(), published_at = CASE WHEN ${to} = 'published' THEN now() ELSE published_at END
         WHERE id = ${id} AND status = ${from} RETURNING id`,
    executor,
  );
  return rows.length === 1;
}

/** The organisation and every organisation above it (a notice to any of them reaches this organisation's members). */
export async function organizationAndAncestors(database: Database, organizationId: number): Promise<number[]> {
  const rows = await database.rows<{ id: number }>(sql`
    WITH RECURSIVE up AS (
      SELECT id, parent_id, 0 AS depth FROM party_organizations WHERE id = ${organizationId}
      UNION ALL SELECT p.id, p.parent_id, up.depth + 1 FROM party_organizations p JOIN up ON p.id = up.parent_id WHERE up.depth < 20)
    SELECT id FROM up`);
  return rows.map((r) => Number(r.id));
}

export async function memberOrganization(database: Database, partyMemberId: number): Promise<{ organizationId: number; cityId: number } | null> {
  const [row] = await database.rows<{ party_organization_id: number; city_id: number }>(sql`SELECT party_organization_id, city_id FROM party_members WHERE id = ${partyMemberId}`);
  return row ? { organizationId: Number(row.party_organization_id), cityId: Number(row.city_id) } : null;
}

export async function organizationOf(database: Database, id: number) {
  const [row] = await database.rows<{ id: number; city_id: number; path: string; name: string }>(
    sql`SELECT po.id, po.city_id, rn.path, po.name FROM party_organizations po JOIN region_nodes rn ON rn.id = po.region_node_id WHERE po.id = ${id}`,
  );
  return row ? { id: Number(row.id), cityId: Number(row.city_id), path: row.path, name: row.name } : null;
}

/** The members an organisation-life notice reaches (its organisation and those below), with when each read it. */
export async function noticeAudience(database: Database, noticeId: number, organizationId: number) {
  const rows = await database.rows<{ id: number; name: string; organization_name: string; read_at: string | null }>(sql`
    WITH RECURSIVE down AS (
      SELECT id, 0 AS depth FROM party_organizations WHERE id = ${organizationId}
      UNION ALL SELECT p.id, down.depth + 1 FROM party_organizations p JOIN down ON p.parent_id = down.id WHERE down.depth < 20)
    SELECT pm.id, pm.name, po.name AS organization_name, r.read_at
      FROM party_members pm JOIN down ON down.id = pm.party_organization_id JOIN party_organizations po ON po.id = pm.party_organization_id
      LEFT JOIN notice_receipts r ON r.notice_id = ${noticeId} AND r.party_member_id = pm.id
     ORDER BY r.read_at IS NULL, r.read_at, pm.id LIMIT 2000`);
  return rows.map((r) => ({ partyMemberId: Number(r.id), name: r.name, organizationName: r.organization_name, readAt: isoOrNull(r.read_at) }));
}

export async function insertReceipt(database: Database, executor: Executor, cityId: number, noticeId: number, partyMemberId: number) {
  const rows = await database.rows<{ read_at: string }>(
    sql`INSERT INTO notice_receipts (city_id, notice_id, party_member_id) VALUES (${cityId}, ${noticeId}, ${partyMemberId})
        ON CONFLICT (notice_id, party_member_id) DO NOTHING RETURNING read_at`,
    executor,
  );
  return rows.length ? isoOrNull(rows[0].read_at) : null;
}

export async function receiptOf(database: Database, noticeId: number, partyMemberId: number, executor?: Executor) {
  const [row] = await database.rows<{ read_at: string }>(sql`SELECT read_at FROM notice_receipts WHERE notice_id = ${noticeId} AND party_member_id = ${partyMemberId}`, executor);
  return row ? isoOrNull(row.read_at) : null;
}

/** The current building or grid behind a QR place code: its city and path (a notice of any node above it applies). */
export async function placeOfCode(database: Database, code: string, cityCode?: string) {
  return database.rows<{ city_id: number; path: string }>(sql`
    SELECT n.city_id, n.path FROM region_nodes n JOIN cities c ON c.id = n.city_id
     WHERE n.code = ${code} AND n.valid_to IS NULL AND n.level IN ('building', 'grid') ${cityCode ? sql`AND c.code = ${cityCode}` : sql``}
     LIMIT 2`);
}

export async function publicNoticesAt(database: Database, cityId: number, path: string) {
  const rows = await database.rows<Record<string, unknown>>(sql`
    ${noticeSelect}
     WHERE n.city_id = ${cityId} AND n.status = 'published' AND n.kind <> 'organization_life' AND ${path} LIKE n.region_path || '%'
     ORDER BY n.published_at DESC, n.id DESC LIMIT 50`);
  return rows.map(noticeOf);
}

// ---- deliberation ----

export interface MeetingRow {
  id: number;
  cityId: number;
  kind: 'community_council' | 'building_council';
  regionNodeId: number;
  regionName: string;
  regionPath: string;
  title: string;
  heldAt: string;
  location: string | null;
  participants: string | null;
  status: 'planned' | 'held' | 'published';
  summary: string | null;
  publishedAt: string | null;
  createdBy: number | null;
  createdAt: string;
  proposalCount: number;
  adoptedCount: number;
}

const meetingSelect = sql`
  SELECT m.*, rn.name AS region_name,
         (SELECT count(*)::int FROM deliberation_proposals p WHERE p.meeting_id = m.id) AS proposal_count,
         (SELECT count(*)::int FROM deliberation_proposals p WHERE p.meeting_id = m.id AND p.decision = 'adopted') AS adopted_count
    FROM deliberation_meetings m JOIN region_nodes rn ON rn.id = m.region_node_id`;

const meetingOf = (row: Record<string, unknown>): MeetingRow => ({
  id: Number(row.id),
  cityId: Number(row.city_id),
  kind: row.kind as MeetingRow['kind'],
  regionNodeId: Number(row.region_node_id),
  regionName: row.region_name as string,
  regionPath: row.region_path as string,
  title: row.title as string,
  heldAt: isoOrNull(row.held_at)!,
  location: (row.location as string | null) ?? null,
  participants: (row.participants as string | null) ?? null,
  status: row.status as MeetingRow['status'],
  summary: (row.summary as string | null) ?? null,
  publishedAt: isoOrNull(row.published_at),
  createdBy: numberOrNull(row.created_by),
  createdAt: isoOrNull(row.created_at)!,
  proposalCount: Number(row.proposal_count ?? 0),
  adoptedCount: Number(row.adopted_count ?? 0),
});

export async function findMeeting(database: Database, id: number, executor?: Executor) {
  const [row] = await database.rows<Record<string, unknown>>(sql`${meetingSelect} WHERE m.id = ${id}`, executor);
  return row ? meetingOf(row) : null;
}

export async function listMeetings(database: Database, where: SQL, limit: number, offset: number) {
  const rows = await database.rows<Record<string, unknown>>(sql`${meetingSelect} WHERE ${where} ORDER BY m.held_at DESC, m.id DESC LIMIT ${limit} OFFSET ${offset}`);
  const [{ total }] = await database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM deliberation_meetings m WHERE ${where}`);
  return { rows: rows.map(meetingOf), total: Number(total) };
}

export async function meetingBatch(database: Database, where: SQL, afterId: number, size: number) {
  return (await database.rows<Record<string, unknown>>(sql`${meetingSelect} WHERE ${where} AND m.id > ${afterId} ORDER BY m.id LIMIT ${size}`)).map(meetingOf);
}

export async function insertMeeting(
  database: Database,
  executor: Executor,
  input: { cityId: number; kind: string; regionNodeId: number; regionPath: string; title: string; heldAt: string; location: string | null; createdBy: number },
) {
  const [row] = await database.rows<{ id: number }>(
    sql`INSERT INTO deliberation_meetings (city_id, kind, region_node_id, region_path, title, held_at, location, created_by)
        VALUES (${input.cityId}, ${input.kind}, ${input.regionNodeId}, ${input.regionPath}, ${input.title}, ${input.heldAt}, ${input.location}, ${input.createdBy}) RETURNING id`,
    executor,
  );
  return Number(row.id);
}

export async function moveMeeting(database: Database, executor: Executor, id: number, from: string, to: string, set: { participants?: string; summary?: string }) {
  const parts: SQL[] = [sql`status = ${to}`];
  if (set.participants !== undefined) parts.push(sql`participants = ${set.participants}`);
  if (set.summary !== undefined) parts.push(sql`summary = ${set.summary}`);
  if (to === 'published') parts.push(sql`published_at = now()`);
  const rows = await database.rows(sql`UPDATE deliberation_meetings SET ${sql.join(parts, sql`, `)} WHERE id = ${id} AND status = ${from} RETURNING id`, executor);
  return rows.length === 1;
}

export interface ProposalRow {
  id: number;
  meetingId: number;
  title: string;
  description: string;
  proposerName: string | null;
  decision: 'pending' | 'adopted' | 'rejected' | 'deferred';
  votesFor: number | null;
  votesAgainst: number | null;
  votesAbstain: number | null;
  decisionNote: string | null;
  publicResult: string | null;
}

const proposalOf = (row: Record<string, unknown>): ProposalRow => ({
  id: Number(row.id),
  meetingId: Number(row.meeting_id),
  title: row.title as string,
  description: row.description as string,
  proposerName: (row.proposer_name as string | null) ?? null,
  decision: row.decision as ProposalRow['decision'],
  votesFor: numberOrNull(row.votes_for),
  votesAgainst: numberOrNull(row.votes_against),
  votesAbstain: numberOrNull(row.votes_abstain),
  decisionNote: (row.decision_note as string | null) ?? null,
  publicResult: (row.public_result as string | null) ?? null,
});

export async function proposalsOf(database: Database, meetingIds: number[], executor?: Executor) {
  if (meetingIds.length === 0) return [];
  const rows = await database.rows<Record<string, unknown>>(
    sql`SELECT * FROM deliberation_proposals WHERE meeting_id IN (${sql.join(meetingIds.map((id) => sql`${id}`), sql`, `)}) ORDER BY id`,
    executor,
  );
  return rows.map(proposalOf);
}

export async function findProposal(database: Database, id: number) {
  const [row] = await database.rows<Record<string, unknown>>(sql`SELECT * FROM deliberation_proposals WHERE id = ${id}`);
  return row ? proposalOf(row) : null;
}

export async function insertProposal(database: Database, executor: Executor, input: { cityId: number; meetingId: number; regionPath: string; title: string; description: string; proposerName: string | null }) {
  const [row] = await database.rows<{ id: number }>(
    sql`INSERT INTO deliberation_proposals (city_id, meeting_id, region_path, title, description, proposer_name)
        VALUES (${input.cityId}, ${input.meetingId}, ${input.regionPath}, ${input.title}, ${input.description}, ${input.proposerName}) RETURNING id`,
    executor,
  );
  return Number(row.id);
}

export async function updateProposalDecision(
  database: Database,
  executor: Executor,
  id: number,
  input: { decision: string; votesFor: number | null; votesAgainst: number | null; votesAbstain: number | null; decisionNote: string | null; publicResult: string | null },
) {
  await database.rows(
    sql`UPDATE deliberation_proposals SET decision = ${input.decision}, votes_for = ${input.votesFor}, votes_against = ${input.votesAgainst},
               votes_abstain = ${input.votesAbstain}, decision_note = ${input.decisionNote}, public_result = ${input.publicResult}
         WHERE id = ${id}`,
    executor,
  );
}

/** Lock the meeting row so a decision and the publishing of results never interleave. */
export async function lockMeetingStatus(database: Database, executor: Executor, id: number) {
  const [row] = await database.rows<{ status: string }>(sql`SELECT status FROM deliberation_meetings WHERE id = ${id} FOR UPDATE`, executor);
  return row?.status ?? null;
}

export async function publicMeetingsAt(database: Database, cityId: number, path: string) {
  const rows = await database.rows<Record<string, unknown>>(sql`
    ${meetingSelect} WHERE m.city_id = ${cityId} AND m.status = 'published' AND ${path} LIKE m.region_path || '%'
     ORDER BY m.held_at DESC, m.id DESC LIMIT 20`);
  return rows.map(meetingOf);
}
