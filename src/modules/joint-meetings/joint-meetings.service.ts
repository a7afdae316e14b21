import { sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../shared/errors.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { auditOf } from '../auth/auth.service.ts';
import { appendItemEvent, itemTimeline } from '../community/item-events.ts';
import { actionsFrom, nextStatus } from '../community/lifecycle.ts';
import { commonFilters, communityOfPath, nodeOf, pageOfList, type ListFilters } from '../community/list-query.ts';
import { can, authorize, isEmptyScope, requireAbility, scopeFor } from '../policy/authorize.ts';
import type { Actor } from '../policy/actor.ts';
import { regionPathFilter } from '../policy/scope-sql.ts';
import { awardUnitPoints } from '../unit-points/unit-points.ledger.ts';
import { itemLifecycle, itemPolicyAction, meetingLifecycle, type ItemAction, type ItemStatus } from './joint-meetings-lifecycle.ts';
import * as repository from './joint-meetings.repository.ts';

/**
 * PostgreSQL refuses NUL in text. An Excel export runs its query after the headers are sent, so a NUL
 * in the search words must be refused here, as a 400, before anything is streamed.
 */
function refuseNul(q: string | undefined) {
  if (q?.includes('\u0000')) throw new AppError('validation_failed', 'q must not contain NUL characters', { field: 'q' });
}

/** Units that earn unit points for meetings (departments and partner shops are not resident units). */
const pointEarningKinds = new Set(['resident_unit', 'agency', 'property_company', 'social_org']);

const readScope = (actor: Actor, path: SQL) => {
  const scope = scopeFor(actor, 'joint_meeting', 'read');
  return regionPathFilter(path, scope);
};

// ---------- alliances ----------

export async function listAlliances(context: AppContext, actor: Actor, query: ListFilters) {
  requireAbility(actor, 'joint_meeting', 'read');
  const where = await allianceWhere(context, actor, query);
  const { page, pageSize, offset } = pageOfList(query);
  const { items, total } = await repository.listAlliances(context.database, where, { pageSize, offset });
  return { items, page, pageSize, total };
}

export async function allianceWhere(context: AppContext, actor: Actor, query: ListFilters) {
  refuseNul(query.q);
  return [
    sql`a.city_id = ${actor.cityId}`,
    readScope(actor, sql`a.region_path`),
    ...(await commonFilters(context, actor, query, { path: sql`a.region_path`, search: [sql`a.name`, sql`a.description`], createdAt: sql`a.created_at` })),
  ];
}

async function loadAlliance(context: AppContext, actor: Actor, id: number, action: 'read' | 'manage') {
  const alliance = await repository.allianceById(context.database, id);
  if (!alliance || alliance.cityId !== actor.cityId) throw new AppError('not_found', 'No such alliance');
  authorize(actor, 'joint_meeting', action, { cityId: alliance.cityId, regionPath: alliance.regionPath });
  return alliance;
}

export async function allianceDetail(context: AppContext, actor: Actor, id: number) {
  const alliance = await loadAlliance(context, actor, id, 'read');
  const members = await repository.membersOf(context.database, id);
  return { ...alliance, members, canManage: can(actor, 'joint_meeting', 'manage', { cityId: alliance.cityId, regionPath: alliance.regionPath }) };
}

export async function createAlliance(context: AppContext, actor: Actor, input: { regionId: number; name: string; description?: string }) {
  const node = await nodeOf(context, actor, input.regionId, ['street', 'community']);
  authorize(actor, 'joint_meeting', 'manage', { cityId: actor.cityId, regionPath: node.path });
  const id = await context.database.db.transaction(async (tx) => {
    const allianceId = await repository.insertAlliance(context.database, tx, { cityId: actor.cityId, regionNodeId: node.id, regionPath: node.path, name: input.name.trim(), description: input.description ?? '' });
    await appendAudit(context.database, tx, auditOf(actor, 'alliance.create', 'party_alliance', allianceId, { regionId: node.id, name: input.name }));
    return allianceId;
  });
  return allianceDetail(context, actor, id);
}

export async function addMember(context: AppContext, actor: Actor, allianceId: number, input: { unitId?: number; partyOrganizationId?: number; roleLabel?: string }) {
  if ((input.unitId === undefined) === (input.partyOrganizationId === undefined)) throw new AppError('validation_failed', 'Give either unitId or partyOrganizationId');
  const alliance = await loadAlliance(context, actor, allianceId, 'manage');
  if (input.unitId !== undefined) {
    const unit = await repository.unitInCity(context.database, actor.cityId, input.unitId);
    if (!unit) throw new AppError('validation_failed', 'Unknown unit', { unitId: input.unitId });
  } else {
    const organization = await repository.organizationInCity(context.database, actor.cityId, input.partyOrganizationId!);
    if (!organization) throw new AppError('validation_failed', 'Unknown party organisation', { partyOrganizationId: input.partyOrganizationId });
  }
  await context.database.db.transaction(async (tx) => {
    const memberId = await repository.insertMember(context.database, tx, {
      cityId: actor.cityId, allianceId, unitId: input.unitId ?? null, partyOrganizationId: input.partyOrganizationId ?? null, roleLabel: input.roleLabel?.trim() || null,
    });
    if (memberId === null) throw new AppError('conflict', 'Already a member of this alliance');
    await appendAudit(context.database, tx, auditOf(actor, 'alliance.add_member', 'party_alliance', alliance.id, { memberId, unitId: input.unitId ?? null, partyOrganizationId: input.partyOrganizationId ?? null }));
  });
  return allianceDetail(context, actor, allianceId);
}

// ---------- meetings ----------

export async function meetingWhere(context: AppContext, actor: Actor, query: ListFilters & { allianceId?: number }) {
  refuseNul(query.q);
  const where = [
    sql`j.city_id = ${actor.cityId}`,
    readScope(actor, sql`j.region_path`),
    ...(await commonFilters(context, actor, query, { path: sql`j.region_path`, search: [sql`j.title`, sql`j.agenda`, sql`a.name`], status: sql`j.status`, createdAt: sql`j.held_at` })),
  ];
  if (query.allianceId) where.push(sql`j.alliance_id = ${query.allianceId}`);
  return where;
}

export async function listMeetings(context: AppContext, actor: Actor, query: ListFilters & { allianceId?: number }) {
  requireAbility(actor, 'joint_meeting', 'read');
  const where = await meetingWhere(context, actor, query);
  const { page, pageSize, offset } = pageOfList(query);
  const { items, total } = await repository.listMeetings(context.database, where, { pageSize, offset });
  return { items, page, pageSize, total };
}

async function loadMeeting(context: AppContext, actor: Actor, id: number, action: 'read' | 'manage') {
  const meeting = await repository.meetingById(context.database, id);
  if (!meeting || meeting.cityId !== actor.cityId) throw new AppError('not_found', 'No such joint meeting');
  authorize(actor, 'joint_meeting', action, { cityId: meeting.cityId, regionPath: meeting.regionPath });
  return meeting;
}

export async function meetingDetail(context: AppContext, actor: Actor, id: number) {
  const meeting = await loadMeeting(context, actor, id, 'read');
  const canManage = can(actor, 'joint_meeting', 'manage', { cityId: meeting.cityId, regionPath: meeting.regionPath });
  const [attendees, items, timeline] = await Promise.all([
    repository.attendeesOf(context.database, id),
    repository.itemsOfMeeting(context.database, id),
    itemTimeline(context.database, 'joint_meeting', id),
  ]);
  return {
    ...meeting,
    attendees: attendees.map(({ unitRegionPath: _path, ...attendee }) => attendee),
    items,
    timeline,
    canManage,
    allowedActions: canManage ? actionsFrom(meetingLifecycle, meeting.status) : [],
  };
}

export async function createMeeting(context: AppContext, actor: Actor, input: { allianceId: number; title: string; heldAt: string; location?: string; agenda?: string; memberIds?: number[] }) {
  const alliance = await loadAlliance(context, actor, input.allianceId, 'manage');
  const members = await repository.membersOf(context.database, alliance.id);
  const invited = input.memberIds ? members.filter((m) => input.memberIds!.includes(m.id)) : members;
  if (input.memberIds && invited.length !== input.memberIds.length) throw new AppError('validation_failed', 'Invite members of this alliance only', { memberIds: input.memberIds });
  const id = await context.database.db.transaction(async (tx) => {
    const meetingId = await repository.insertMeeting(context.database, tx, {
      cityId: actor.cityId, allianceId: alliance.id, regionPath: alliance.regionPath, title: input.title.trim(), heldAt: new Date(input.heldAt).toISOString(),
      location: input.location?.trim() || null, agenda: input.agenda ?? '', createdBy: actor.userId,
    });
    await repository.insertAttendees(context.database, tx, actor.cityId, meetingId, invited);
    await appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: 'joint_meeting', subjectId: meetingId, action: 'plan', toStatus: 'planned', actorUserId: actor.userId, actorLabel: actor.displayName });
    await appendAudit(context.database, tx, auditOf(actor, 'joint_meeting.plan', 'joint_meeting', meetingId, { allianceId: alliance.id, invited: invited.length }));
    return meetingId;
  });
  return meetingDetail(context, actor, id);
}

export async function updateMeeting(context: AppContext, actor: Actor, id: number, input: { title?: string; heldAt?: string; location?: string; agenda?: string; minutes?: string }) {
  await loadMeeting(context, actor, id, 'manage');
  await context.database.db.transaction(async (tx) => {
    const meeting = (await repository.meetingById(context.database, id, tx, true))!;
    if (meeting.status === 'cancelled') throw new AppError('invalid_transition', 'A cancelled meeting cannot be edited', { status: meeting.status });
    if (meeting.status === 'held' && (input.title !== undefined || input.heldAt !== undefined || input.location !== undefined || input.agenda !== undefined)) {
      throw new AppError('invalid_transition', 'A held meeting keeps its title, time, place and agenda: only its minutes can be edited', { status: meeting.status });
    }
    await context.database.rows(
      sql`UPDATE joint_meetings SET
            title = ${input.title?.trim() ?? sql`title`}, held_at = ${input.heldAt ? new Date(input.heldAt).toISOString() : sql`held_at`},
            location = ${input.location !== undefined ? input.location.trim() || null : sql`location`}, agenda = ${input.agenda ?? sql`agenda`},
            minutes = ${input.minutes ?? sql`minutes`}, updated_at = now()
          WHERE id = ${id}`,
      tx,
    );
    await appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: 'joint_meeting', subjectId: id, action: input.minutes !== undefined ? 'edit_minutes' : 'edit', actorUserId: actor.userId, actorLabel: actor.displayName });
    await appendAudit(context.database, tx, auditOf(actor, 'joint_meeting.update', 'joint_meeting', id, { fields: Object.keys(input) }));
  });
  return meetingDetail(context, actor, id);
}

/**
 * Holds a meeting: minutes, who came, and the unit points of seed 001 — attending units earn
 * 'meeting_attended', invited units that stayed away 'meeting_missed' (once per meeting and unit).
 */
export async function holdMeeting(context: AppContext, actor: Actor, id: number, input: { minutes: string; attendedIds: number[] }) {
  await loadMeeting(context, actor, id, 'manage');
  if (!input.minutes.trim()) throw new AppError('validation_failed', 'Minutes are required to hold a meeting');
  const points = await context.database.db.transaction(async (tx) => {
    const meeting = (await repository.meetingById(context.database, id, tx, true))!;
    const to = nextStatus(meetingLifecycle, 'joint_meeting', meeting.status, 'hold');
    const attendees = await repository.attendeesOf(context.database, id, tx);
    const unknown = input.attendedIds.filter((a) => !attendees.some((t) => t.id === a));
    if (unknown.length) throw new AppError('validation_failed', 'attendedIds must be invitees of this meeting', { unknown });
    await repository.markAttendance(context.database, tx, id, input.attendedIds);
    await context.database.rows(sql`UPDATE joint_meetings SET status = ${to}, minutes = ${input.minutes}, updated_at = now() WHERE id = ${id}`, tx);
    const alliance = (await repository.allianceById(context.database, meeting.allianceId, tx))!;
    const allianceCommunity = alliance.regionLevel === 'community' ? { id: alliance.regionNodeId, path: alliance.regionPath } : null;
    const awarded: Array<{ unitId: number; event: string; points: number }> = [];
    for (const attendee of attendees) {
      if (attendee.unitId === null || !attendee.unitKind || !pointEarningKinds.has(attendee.unitKind)) continue;
      const community = allianceCommunity ?? (attendee.unitRegionPath ? await communityOfPath(context, attendee.unitRegionPath, tx) : null);
      if (!community) continue;
      const event = input.attendedIds.includes(attendee.id) ? 'meeting_attended' : 'meeting_missed';
      const written = await awardUnitPoints(context.database, tx, {
        cityId: actor.cityId, communityId: community.id, regionPath: community.path, unitId: attendee.unitId, event,
        sourceKind: 'joint_meeting', sourceId: id, note: meeting.title, createdBy: actor.userId,
      });
      if (written) awarded.push({ unitId: attendee.unitId, event, points: written });
    }
    await appendItemEvent(context.database, tx, {
      cityId: actor.cityId, subjectType: 'joint_meeting', subjectId: id, action: 'hold', fromStatus: meeting.status, toStatus: to, actorUserId: actor.userId, actorLabel: actor.displayName,
      note: `出席 ${input.attendedIds.length}/${attendees.length}`,
    });
    await appendAudit(context.database, tx, auditOf(actor, 'joint_meeting.hold', 'joint_meeting', id, { from: meeting.status, to, attended: input.attendedIds.length, invited: attendees.length, awarded }));
    return awarded;
  });
  return { ...(await meetingDetail(context, actor, id)), pointsAwarded: points };
}

export async function cancelMeeting(context: AppContext, actor: Actor, id: number, input: { reason: string }) {
  await loadMeeting(context, actor, id, 'manage');
  await context.database.db.transaction(async (tx) => {
    const meeting = (await repository.meetingById(context.database, id, tx, true))!;
    const to = nextStatus(meetingLifecycle, 'joint_meeting', meeting.status, 'cancel');
    await context.database.rows(sql`UPDATE joint_meetings SET status = ${to}, updated_at = now() WHERE id = ${id}`, tx);
    await appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: 'joint_meeting', subjectId: id, action: 'cancel', fromStatus: meeting.status, toStatus: to, actorUserId: actor.userId, actorLabel: actor.displayName, note: input.reason });
    await appendAudit(context.database, tx, auditOf(actor, 'joint_meeting.cancel', 'joint_meeting', id, { from: meeting.status, to, reason: input.reason }));
  });
  return meetingDetail(context, actor, id);
}

// ---------- co-building items ----------

export async function createItem(context: AppContext, actor: Actor, meetingId: number, input: { title: string; description?: string; leadUnitId?: number; dueOn?: string }) {
  await loadMeeting(context, actor, meetingId, 'manage');
  const id = await context.database.db.transaction(async (tx) => {
    const meeting = (await repository.meetingById(context.database, meetingId, tx, true))!;
    if (meeting.status !== 'held') throw new AppError('invalid_transition', 'Co-building items are decided in a held meeting', { status: meeting.status });
    if (input.leadUnitId !== undefined) {
      const members = await repository.membersOf(context.database, meeting.allianceId, tx);
      if (!members.some((m) => m.unitId === input.leadUnitId)) throw new AppError('validation_failed', 'The lead unit must be a member unit of the alliance', { leadUnitId: input.leadUnitId });
    }
    const itemId = await repository.insertItem(context.database, tx, {
      cityId: actor.cityId, meetingId, allianceId: meeting.allianceId, regionPath: meeting.regionPath, title: input.title.trim(), description: input.description ?? '',
      leadUnitId: input.leadUnitId ?? null, dueOn: input.dueOn ?? null,
    });
    await appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: 'co_building_item', subjectId: itemId, action: 'decide', toStatus: 'decided', actorUserId: actor.userId, actorLabel: actor.displayName });
    await appendAudit(context.database, tx, auditOf(actor, 'co_building_item.decide', 'co_building_item', itemId, { meetingId, leadUnitId: input.leadUnitId ?? null, dueOn: input.dueOn ?? null }));
    return itemId;
  });
  return itemDetail(context, actor, id);
}

export async function itemWhere(context: AppContext, actor: Actor, query: ListFilters & { meetingId?: number; leadUnitId?: number; overdue?: boolean }) {
  refuseNul(query.q);
  const scope = scopeFor(actor, 'joint_meeting', 'read');
  const progress = scopeFor(actor, 'joint_meeting', 'report_progress');
  // A lead unit's liaison sees its own unit's items wherever the alliance sits.
  const visible = regionPathFilter(sql`i.region_path`, { ...scope, unitIds: progress.unitIds }, sql`i.lead_unit_id`);
  const where = [
    sql`i.city_id = ${actor.cityId}`,
    visible,
    ...(await commonFilters(context, actor, query, { path: sql`i.region_path`, search: [sql`i.title`, sql`i.description`], status: sql`i.status`, createdAt: sql`i.created_at` })),
  ];
  if (query.meetingId) where.push(sql`i.meeting_id = ${query.meetingId}`);
  if (query.leadUnitId) where.push(sql`i.lead_unit_id = ${query.leadUnitId}`);
  if (query.overdue !== undefined) where.push(query.overdue ? repository.overdueSql('i') : sql`NOT ${repository.overdueSql('i')}`);
  return where;
}

export async function listItems(context: AppContext, actor: Actor, query: ListFilters & { meetingId?: number; leadUnitId?: number; overdue?: boolean }) {
  requireAbility(actor, 'joint_meeting', 'read');
  const where = await itemWhere(context, actor, query);
  const { page, pageSize, offset } = pageOfList(query);
  const { items, total } = await repository.listItems(context.database, where, { pageSize, offset });
  return { items, page, pageSize, total };
}

const itemRecord = (item: repository.ItemRow) => ({ cityId: item.cityId, regionPath: item.regionPath, unitId: item.leadUnitId });

export async function itemDetail(context: AppContext, actor: Actor, id: number) {
  const item = await repository.itemById(context.database, id);
  if (!item || item.cityId !== actor.cityId) throw new AppError('not_found', 'No such co-building item');
  const readable = can(actor, 'joint_meeting', 'read', itemRecord(item)) || can(actor, 'joint_meeting', 'report_progress', itemRecord(item));
  if (!readable) throw new AppError('forbidden', 'Not allowed to read this co-building item');
  const allowedActions = actionsFrom(itemLifecycle, item.status).filter((action) => can(actor, 'joint_meeting', itemPolicyAction[action], itemRecord(item)));
  return { ...item, timeline: await itemTimeline(context.database, 'co_building_item', id), allowedActions };
}

export async function itemAction(context: AppContext, actor: Actor, id: number, input: { action: ItemAction; note?: string; expectedVersion?: number }) {
  const found = await repository.itemById(context.database, id);
  if (!found || found.cityId !== actor.cityId) throw new AppError('not_found', 'No such co-building item');
  authorize(actor, 'joint_meeting', itemPolicyAction[input.action], itemRecord(found));
  if ((input.action === 'report_progress' || input.action === 'complete') && !input.note?.trim()) {
    throw new AppError('validation_failed', input.action === 'complete' ? 'Describe the result of the item' : 'Describe the progress', { field: 'note' });
  }
  await context.database.db.transaction(async (tx) => {
    const item = (await repository.itemById(context.database, id, tx, true))!;
    if (input.expectedVersion !== undefined && input.expectedVersion !== item.version) {
      throw new AppError('version_conflict', 'The item was changed since you read it: reload and try again', { currentVersion: item.version });
    }
    const to: ItemStatus = nextStatus(itemLifecycle, 'co_building_item', item.status, input.action);
    await context.database.rows(
      sql`UPDATE co_building_items SET status = ${to}, version = version + 1, updated_at = now(),
            progress_note = ${input.note?.trim() ?? sql`progress_note`},
            done_at = ${to === 'done' ? sql`now()` : sql`done_at`}
          WHERE id = ${id}`,
      tx,
    );
    await appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: 'co_building_item', subjectId: id, action: input.action, fromStatus: item.status, toStatus: to, actorUserId: actor.userId, actorLabel: actor.displayName, note: input.note ?? null });
    await appendAudit(context.database, tx, auditOf(actor, `co_building_item.${input.action}`, 'co_building_item', id, { from: item.status, to }));
  });
  return itemDetail(context, actor, id);
}

/** Seed 002's figure per node: co-building items set and done, under the node and each child. */
export async function itemSummary(context: AppContext, actor: Actor, query: { regionId?: number }) {
  const scope = scopeFor(actor, 'joint_meeting', 'read');
  if (isEmptyScope(scope) || (!scope.cityWide && scope.regionPaths.length === 0)) throw new AppError('forbidden', 'Your roles do not allow reading co-building items');
  let node: { id: number; path: string; name: string; level: string };
  if (query.regionId) {
    node = await nodeOf(context, actor, query.regionId, ['city', 'district', 'street', 'community']);
  } else {
    const path = scope.cityWide ? null : scope.regionPaths[0];
    const [row] = await context.database.rows<Record<string, unknown>>(
      path ? sql`SELECT id, path, name, level FROM region_nodes WHERE path = ${path} AND city_id = ${actor.cityId}` : sql`SELECT id, path, name, level FROM region_nodes WHERE city_id = ${actor.cityId} AND parent_id IS NULL`,
    );
    node = { id: Number(row.id), path: row.path as string, name: row.name as string, level: row.level as string };
  }
  // The node must overlap the reader's area (inside it, or holding it); counts stay inside the area.
  const overlaps = scope.cityWide || scope.regionPaths.some((p) => node.path.startsWith(p) || p.startsWith(node.path));
  if (!overlaps) throw new AppError('forbidden', 'This region is outside your area');
  const counts = await repository.itemCounts(context.database, node.path, node.id, sql`i.city_id = ${actor.cityId} AND ${regionPathFilter(sql`i.region_path`, scope)}`);
  return { node: { id: node.id, name: node.name, level: node.level }, ...counts.total, children: counts.children };
}
