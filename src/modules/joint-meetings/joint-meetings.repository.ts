import { sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import { chinaTodaySql, dateOrNull, isoOrNull } from '../../db/row-values.ts';

/** SQL of the joint-meeting module: alliances, members, meetings, attendees and co-building items. */


export interface AllianceRow {
  id: number;
  cityId: number;
  regionNodeId: number;
  regionPath: string;
  regionName: string;
  regionLevel: string;
  name: string;
  description: string;
  memberCount: number;
  meetingCount: number;
  createdAt: string;
}

const allianceOf = (row: Record<string, unknown>): AllianceRow => ({
  id: Number(row.id),
  cityId: Number(row.city_id),
  regionNodeId: Number(row.region_node_id),
  regionPath: row.region_path as string,
  regionName: row.region_name as string,
  regionLevel: row.region_level as string,
  name: row.name as string,
  description: row.description as string,
  memberCount: Number(row.member_count ?? 0),
  meetingCount: Number(row.meeting_count ?? 0),
  createdAt: isoOrNull(row.created_at)!,
});

const allianceSelect = sql`SELECT a.*, n.name AS region_name, n.level AS region_level,
    (SELECT count(*)::int FROM alliance_members m WHERE m.alliance_id = a.id) AS member_count,
    (SELECT count(*)::int FROM joint_meetings j WHERE j.alliance_id = a.id) AS meeting_count
  FROM party_alliances a JOIN region_nodes n ON n.id = a.region_node_id`;

export async function listAlliances(database: Database, where: SQL[], page: { pageSize: number; offset: number } | { afterId: number; size: number }) {
  const clause = sql.join(where, sql` AND `);
  if ('afterId' in page) {
    const rows = await database.rows<Record<string, unknown>>(sql`${allianceSelect} WHERE ${clause} AND a.id > ${page.afterId} ORDER BY a.id LIMIT ${page.size}`);
    return { items: rows.map(allianceOf), total: 0 };
  }
  const rows = await database.rows<Record<string, unknown>>(sql`${allianceSelect} WHERE ${clause} ORDER BY a.id DESC LIMIT ${page.pageSize} OFFSET ${page.offset}`);
  const [{ total }] = await database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM party_alliances a WHERE ${clause}`);
  return { items: rows.map(allianceOf), total: Number(total) };
}

export async function allianceById(database: Database, id: number, executor?: Executor) {
  const [row] = await database.rows<Record<string, unknown>>(sql`${allianceSelect} WHERE a.id = ${id}`, executor);
  return row ? allianceOf(row) : null;
}

export async function insertAlliance(database: Database, executor: Executor, input: { cityId: number; regionNodeId: number; regionPath: string; name: string; description: string }) {
  const [row] = await database.rows<{ id: number }>(
    sql`INSERT INTO party_alliances (city_id, region_node_id, region_path, name, description)
        VALUES (${input.cityId}, ${input.regionNodeId}, ${input.regionPath}, ${input.name}, ${input.description}) RETURNING id`,
    executor,
  );
  return Number(row.id);
}

export interface MemberRow {
  id: number;
  unitId: number | null;
  partyOrganizationId: number | null;
  name: string;
  kind: string;
  roleLabel: string | null;
  joinedAt: string;
}

export async function membersOf(database: Database, allianceId: number, executor?: Executor): Promise<MemberRow[]> {
  const rows = await database.rows<Record<string, unknown>>(
    sql`SELECT m.id, m.unit_id, m.party_organization_id, m.role_label, m.created_at AS joined_at, coalesce(u.name, o.name) AS name, coalesce(u.kind, o.kind) AS kind
          FROM alliance_members m LEFT JOIN units u ON u.id = m.unit_id LEFT JOIN party_organizations o ON o.id = m.party_organization_id
         WHERE m.alliance_id = ${allianceId} ORDER BY m.id`,
    executor,
  );
  return rows.map((row) => ({
    id: Number(row.id),
    unitId: row.unit_id === null ? null : Number(row.unit_id),
    partyOrganizationId: row.party_organization_id === null ? null : Number(row.party_organization_id),
    name: row.name as string,
    kind: row.kind as string,
    roleLabel: (row.role_label as string | null) ?? null,
    joinedAt: isoOrNull(row.joined_at)!,
  }));
}

export async function unitInCity(database: Database, cityId: number, unitId: number, executor?: Executor) {
  const [row] = await database.rows<Record<string, unknown>>(
    sql`SELECT u.id, u.name, u.kind, u.region_node_id, n.path AS region_path FROM units u LEFT JOIN region_nodes n ON n.id = u.region_node_id WHERE u.id = ${unitId} AND u.city_id = ${cityId}`,
    executor,
  );
  return row ? { id: Number(row.id), name: row.name as string, kind: row.kind as string, regionPath: (row.region_path as string | null) ?? null } : null;
}

export async function organizationInCity(database: Database, cityId: number, organizationId: number, executor?: Executor) {
  const [row] = await database.rows<Record<string, unknown>>(sql`SELECT id, name FROM party_organizations WHERE id = ${organizationId} AND city_id = ${cityId}`, executor);
  return row ? { id: Number(row.id), name: row.name as string } : null;
}

export async function insertMember(database: Database, executor: Executor, input: { cityId: number; allianceId: number; unitId: number | null; partyOrganizationId: number | null; roleLabel: string | null }) {
  const rows = await database.rows<{ id: number }>(
    sql`INSERT INTO alliance_members (city_id, alliance_id, unit_id, party_organization_id, role_label)
        VALUES (${input.cityId}, ${input.allianceId}, ${input.unitId}, ${input.partyOrganizationId}, ${input.roleLabel})
        ON CONFLICT DO NOTHING RETURNING id`,
    executor,
  );
  return rows.length ? Number(rows[0].id) : null;
}

export interface MeetingRow {
  id: number;
  cityId: number;
  allianceId: number;
  allianceName: string;
  regionPath: string;
  title: string;
  heldAt: string;
  location: string | null;
  agenda: string;
  minutes: string | null;
  status: 'planned' | 'held' | 'cancelled';
  invitedCount: number;
  attendedCount: number;
  itemCount: number;
  createdAt: string;
  updatedAt: string;
}

const meetingOf = (row: Record<string, unknown>): MeetingRow => ({
  id: Number(row.id),
  cityId: Number(row.city_id),
  allianceId: Number(row.alliance_id),
  allianceName: row.alliance_name as string,
  regionPath: row.region_path as string,
  title: row.title as string,
  heldAt: isoOrNull(row.held_at)!,
  location: (row.location as string | null) ?? null,
  agenda: row.agenda as string,
  minutes: (row.minutes as string | null) ?? null,
  status: row.status as MeetingRow['status'],
  invitedCount: Number(row.invited_count ?? 0),
  attendedCount: Number(row.attended_count ?? 0),
  itemCount: Number(row.item_count ?? 0),
  createdAt: isoOrNull(row.created_at)!,
  updatedAt: isoOrNull(row.updated_at)!,
});

const meetingSelect = sql`SELECT j.*, a.name AS alliance_name,
    (SELECT count(*)::int FROM joint_meeting_attendees t WHERE t.meeting_id = j.id) AS invited_count,
    (SELECT count(*)::int FROM joint_meeting_attendees t WHERE t.meeting_id = j.id AND t.attended) AS attended_count,
    (SELECT count(*)::int FROM co_building_items i WHERE i.meeting_id = j.id) AS item_count
  FROM joint_meetings j JOIN party_alliances a ON a.id = j.alliance_id`;

export async function listMeetings(database: Database, where: SQL[], page: { pageSize: number; offset: number } | { afterId: number; size: number }) {
  const clause = sql.join(where, sql` AND `);
  if ('afterId' in page) {
    const rows = await database.rows<Record<string, unknown>>(sql`${meetingSelect} WHERE ${clause} AND j.id > ${page.afterId} ORDER BY j.id LIMIT ${page.size}`);
    return { items: rows.map(meetingOf), total: 0 };
  }
  const rows = await database.rows<Record<string, unknown>>(sql`${meetingSelect} WHERE ${clause} ORDER BY j.held_at DESC, j.id DESC LIMIT ${page.pageSize} OFFSET ${page.offset}`);
  const [{ total }] = await database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM joint_meetings j JOIN party_alliances a ON a.id = j.alliance_id WHERE ${clause}`);
  return { items: rows.map(meetingOf), total: Number(total) };
}

export async function meetingById(database: Database, id: number, executor?: Executor, lock = false) {
  if (lock) await database.rows(sql`SELECT id FROM joint_meetings WHERE id = ${id} FOR UPDATE`, executor);
  const [row] = await database.rows<Record<string, unknown>>(sql`${meetingSelect} WHERE j.id = ${id}`, executor);
  return row ? meetingOf(row) : null;
}

export async function insertMeeting(database: Database, executor: Executor, input: { cityId: number; allianceId: number; regionPath: string; title: string; heldAt: string; location: string | null; agenda: string; createdBy: number }) {
  const [row] = await database.rows<{ id: number }>(
    sql`INSERT INTO joint_meetings (city_id, alliance_id, region_path, title, held_at, location, agenda, created_by)
        VALUES (${input.cityId}, ${input.allianceId}, ${input.regionPath}, ${input.title}, ${input.heldAt}, ${input.location}, ${input.agenda}, ${input.createdBy}) RETURNING id`,
    executor,
  );
  return Number(row.id);
}

export async function insertAttendees(database: Database, executor: Executor, cityId: number, meetingId: number, members: MemberRow[]) {
  for (const member of members) {
    await database.rows(
      sql`INSERT INTO joint_meeting_attendees (city_id, meeting_id, unit_id, party_organization_id, attendee_name)
          VALUES (${cityId}, ${meetingId}, ${member.unitId}, ${member.partyOrganizationId}, ${member.name}) ON CONFLICT DO NOTHING`,
      executor,
    );
  }
}

export interface AttendeeRow {
  id: number;
  unitId: number | null;
  unitKind: string | null;
  unitRegionPath: string | null;
  partyOrganizationId: number | null;
  name: string;
  attended: boolean;
}

export async function attendeesOf(database: Database, meetingId: number, executor?: Executor): Promise<AttendeeRow[]> {
  const rows = await database.rows<Record<string, unknown>>(
    sql`SELECT t.id, t.unit_id, t.party_organization_id, t.attendee_name, t.attended, u.kind AS unit_kind, n.path AS unit_region_path
          FROM joint_meeting_attendees t LEFT JOIN units u ON u.id = t.unit_id LEFT JOIN region_nodes n ON n.id = u.region_node_id
         WHERE t.meeting_id = ${meetingId} ORDER BY t.id`,
    executor,
  );
  return rows.map((row) => ({
    id: Number(row.id),
    unitId: row.unit_id === null ? null : Number(row.unit_id),
    unitKind: (row.unit_kind as string | null) ?? null,
    unitRegionPath: (row.unit_region_path as string | null) ?? null,
    partyOrganizationId: row.party_organization_id === null ? null : Number(row.party_organization_id),
    name: row.attendee_name as string,
    attended: Boolean(row.attended),
  }));
}

export async function markAttendance(database: Database, executor: Executor, meetingId: number, attendedIds: number[]) {
  await database.rows(
    sql`UPDATE joint_meeting_attendees SET attended = (id IN (${attendedIds.length ? sql.join(attendedIds.map((i) => sql`${i}`), sql`, `) : sql`NULL`})) WHERE meeting_id = ${meetingId}`,
    executor,
  );
}

export interface ItemRow {
  id: number;
  cityId: number;
  meetingId: number;
  meetingTitle: string;
  allianceId: number;
  regionPath: string;
  title: string;
  description: string;
  leadUnitId: number | null;
  leadUnitName: string | null;
  dueOn: string | null;
  status: 'decided' | 'in_progress' | 'done' | 'dropped';
  progressNote: string | null;
  doneAt: string | null;
  overdue: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export const overdueSql = (alias: string) => sql`(${sql.raw(alias)}.due_on IS NOT NULL AND ${sql.raw(alias)}.due_on < ${chinaTodaySql} AND ${sql.raw(alias)}.status IN ('decided', 'in_progress'))`;

const itemOf = (row: Record<string, unknown>): ItemRow => ({
  id: Number(row.id),
  cityId: Number(row.city_id),
  meetingId: Number(row.meeting_id),
  meetingTitle: row.meeting_title as string,
  allianceId: Number(row.alliance_id),
  regionPath: row.region_path as string,
  title: row.title as string,
  description: row.description as string,
  leadUnitId: row.lead_unit_id === null ? null : Number(row.lead_unit_id),
  leadUnitName: (row.lead_unit_name as string | null) ?? null,
  dueOn: dateOrNull(row.due_on),
  status: row.status as ItemRow['status'],
  progressNote: (row.progress_note as string | null) ?? null,
  doneAt: isoOrNull(row.done_at),
  overdue: Boolean(row.overdue),
  version: Number(row.version),
  createdAt: isoOrNull(row.created_at)!,
  updatedAt: isoOrNull(row.updated_at)!,
});

const itemSelect = sql`SELECT i.*, j.title AS meeting_title, u.name AS lead_unit_name, ${overdueSql('i')} AS overdue
  FROM co_building_items i JOIN joint_meetings j ON j.id = i.meeting_id LEFT JOIN units u ON u.id = i.lead_unit_id`;

export async function listItems(database: Database, where: SQL[], page: { pageSize: number; offset: number } | { afterId: number; size: number }) {
  const clause = sql.join(where, sql` AND `);
  if ('afterId' in page) {
    const rows = await database.rows<Record<string, unknown>>(sql`${itemSelect} WHERE ${clause} AND i.id > ${page.afterId} ORDER BY i.id LIMIT ${page.size}`);
    return { items: rows.map(itemOf), total: 0 };
  }
  const rows = await database.rows<Record<string, unknown>>(sql`${itemSelect} WHERE ${clause} ORDER BY i.id DESC LIMIT ${page.pageSize} OFFSET ${page.offset}`);
  const [{ total }] = await database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM co_building_items i WHERE ${clause}`);
  return { items: rows.map(itemOf), total: Number(total) };
}

export async function itemById(database: Database, id: number, executor?: Executor, lock = false) {
  if (lock) await database.rows(sql`SELECT id FROM co_building_items WHERE id = ${id} FOR UPDATE`, executor);
  const [row] = await database.rows<Record<string, unknown>>(sql`${itemSelect} WHERE i.id = ${id}`, executor);
  return row ? itemOf(row) : null;
}

export async function itemsOfMeeting(database: Database, meetingId: number) {
  const rows = await database.rows<Record<string, unknown>>(sql`${itemSelect} WHERE i.meeting_id = ${meetingId} ORDER BY i.id`);
  return rows.map(itemOf);
}

export async function insertItem(
  database: Database,
  executor: Executor,
  input: { cityId: number; meetingId: number; allianceId: number; regionPath: string; title: string; description: string; leadUnitId: number | null; dueOn: string | null },
) {
  const [row] = await database.rows<{ id: number }>(
    sql`INSERT INTO co_building_items (city_id, meeting_id, alliance_id, region_path, title, description, lead_unit_id, due_on)
        VALUES (${input.cityId}, ${input.meetingId}, ${input.allianceId}, ${input.regionPath}, ${input.title}, ${input.description}, ${input.leadUnitId}, ${input.dueOn}) RETURNING id`,
    executor,
  );
  return Number(row.id);
}

/** Counts under one node and under each of its children: set (every item decided), done, in progress, dropped, overdue. */
export async function itemCounts(database: Database, nodePath: string, nodeId: number, scope: SQL) {
  const figures = sql`count(i.id)::int AS set, (count(i.id) FILTER (WHERE i.status = 'done'))::int AS done,
      (count(i.id) FILTER (WHERE i.status = 'in_progress'))::int AS in_progress, (count(i.id) FILTER (WHERE i.status = 'decided'))::int AS decided,
      (count(i.id) FILTER (WHERE i.status = 'dropped'))::int AS dropped, (count(i.id) FILTER (WHERE ${overdueSql('i')}))::int AS overdue`;
  const [total] = await database.rows<Record<string, unknown>>(sql`SELECT ${figures} FROM co_building_items i WHERE i.region_path LIKE ${nodePath + '%'} AND ${scope}`);
  const children = await database.rows<Record<string, unknown>>(
    sql`SELECT c.id, c.name, c.level, ${figures} FROM region_nodes c
          LEFT JOIN co_building_items i ON i.region_path LIKE c.path || '%' AND ${scope}
         WHERE c.parent_id = ${nodeId} AND c.level IN ('district', 'street', 'community')
         GROUP BY c.id, c.name, c.level ORDER BY c.id`,
  );
  const counts = (row: Record<string, unknown>) => ({
    set: Number(row.set), done: Number(row.done), inProgress: Number(row.in_progress), decided: Number(row.decided), dropped: Number(row.dropped), overdue: Number(row.overdue),
  });
  return { total: counts(total), children: children.map((row) => ({ id: Number(row.id), name: row.name as string, level: row.level as string, ...counts(row) })) };
}
