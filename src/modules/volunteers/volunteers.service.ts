import { sql, type SQL } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import { maskName, maskPhone } from '../../shared/personal-data.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { auditOf } from '../auth/auth.service.ts';
import { appendItemEvent, itemTimeline } from '../community/item-events.ts';
import { nextStatus } from '../community/lifecycle.ts';
import { chinaToday, keysetBatches, sendLedger, type LedgerColumn } from '../community/list-export.ts';
import { commonFilters, communityOfPath, nodeOf, pageOfList, type ListFilters } from '../community/list-query.ts';
import { checkHours, chinaDate } from '../dual-reporting/reporting-period.ts';
import { recordServiceHours } from '../dual-reporting/service-hours.ledger.ts';
import type { Actor } from '../policy/actor.ts';
import { authorize, can, requireAbility, scopeFor } from '../policy/authorize.ts';
import { regionPathFilter } from '../policy/scope-sql.ts';
import { awardUnitPoints } from '../unit-points/unit-points.ledger.ts';
import { activityLifecycle, signupLifecycle, type ActivityAction } from './volunteers-lifecycle.ts';
import * as repo from './volunteers.repository.ts';

const tx = <T>(context: AppContext, work: (tx: Executor) => Promise<T>) => context.database.db.transaction(work) as Promise<T>;
const whereOf = (parts: SQL[]) => sql.join(parts, sql` AND `);
const pgCodeOf = (error: unknown) => ((error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code) as string | undefined;
const TEAM_LEVELS = ['community', 'street'] as const;
const isManager = (actor: Actor, record: { cityId: number; regionPath: string }) => can(actor, 'volunteer', 'manage', record);

const STATUS_LABEL: Record<string, string> = { open: '报名中', closed: '报名截止', finished: '已结束', cancelled: '已取消', signed_up: '已报名', checked_in: '已签到', active: '在册', inactive: '停用' };
const TEAM_KIND_LABEL: Record<string, string> = { general: '综合', running: '红色跑团', mediation: '调解队', patrol: '巡逻队', care: '关爱帮扶' };

// ======================= teams =======================

export async function createTeam(context: AppContext, actor: Actor, input: { regionId: number; name: string; kind?: string; description?: string; leaderName?: string }) {
  const node = await nodeOf(context, actor, input.regionId, TEAM_LEVELS);
  authorize(actor, 'volunteer', 'manage', { cityId: actor.cityId, regionPath: node.path });
  const name = input.name.trim();
  if (!name) throw new AppError('validation_failed', 'name is empty');
  return tx(context, async (t) => {
    const [row] = await context.database.rows<{ id: number }>(sql`INSERT INTO volunteer_teams (city_id, region_node_id, region_path, name, kind, description, leader_name)
      VALUES (${actor.cityId}, ${node.id}, ${node.path}, ${name}, ${input.kind ?? 'general'}, ${input.description?.trim() ?? ''}, ${input.leaderName?.trim() || null}) RETURNING id`, t);
    const id = Number(row.id);
    await appendAudit(context.database, t, auditOf(actor, 'volunteer.create_team', 'volunteer_team', id, { regionId: node.id, name }));
    return { id };
  });
}

async function teamWhere(context: AppContext, actor: Actor, query: ListFilters & { kind?: string }) {
  requireAbility(actor, 'volunteer', 'read');
  const parts = [sql`t.city_id = ${actor.cityId}`, regionPathFilter(sql`t.region_path`, scopeFor(actor, 'volunteer', 'read'))];
  parts.push(...(await commonFilters(context, actor, query, { path: sql`t.region_path`, search: repo.teamSearch, createdAt: sql`t.created_at` })));
  if (query.kind) parts.push(sql`t.kind = ${query.kind}`);
  return whereOf(parts);
}

const teamView = (actor: Actor) => (row: Awaited<ReturnType<typeof repo.listTeams>>[number]) => ({ ...row, abilities: { manage: isManager(actor, row) } });

export async function listTeams(context: AppContext, actor: Actor, query: ListFilters & { kind?: string }) {
  const where = await teamWhere(context, actor, query);
  const { page, pageSize, offset } = pageOfList(query);
  const [items, total] = await Promise.all([repo.listTeams(context.database, where, { limit: pageSize, offset }), repo.countTeams(context.database, where)]);
  return { items: items.map(teamView(actor)), page, pageSize, total };
}

export async function exportTeams(context: AppContext, actor: Actor, query: ListFilters & { kind?: string }, request: FastifyRequest, reply: FastifyReply) {
  const where = await teamWhere(context, actor, query);
  type TeamRow = Awaited<ReturnType<typeof repo.listTeams>>[number];
  const columns: LedgerColumn<TeamRow>[] = [
    { header: '编号', value: (r) => r.id, width: 8 },
    { header: '所属', value: (r) => r.regionName },
    { header: '队伍名称', value: (r) => r.name, width: 24 },
    { header: '类别', value: (r) => TEAM_KIND_LABEL[r.kind] ?? r.kind },
    { header: '负责人', value: (r) => r.leaderName },
    { header: '队员数', value: (r) => r.members },
    { header: '简介', value: (r) => r.description, width: 40 },
  ];
  return sendLedger(request, reply, {
    fileName: `志愿队伍-${chinaToday()}.xlsx`, asciiFileName: `volunteer-teams-${chinaToday()}.xlsx`, sheetName: '志愿队伍', columns,
    batches: keysetBatches((afterId, size) => repo.listTeams(context.database, where, { limit: size, offset: 0, afterId })),
  });
}

async function teamOf(context: AppContext, actor: Actor, id: number, executor?: Executor) {
  const [team] = await context.database.rows<Record<string, unknown>>(sql`SELECT id, city_id, region_path, name FROM volunteer_teams WHERE id = ${id}`, executor);
  if (!team || Number(team.city_id) !== actor.cityId) throw notFound('Team');
  return { id: Number(team.id), cityId: Number(team.city_id), regionPath: team.region_path as string, name: team.name as string };
}

export async function teamDetail(context: AppContext, actor: Actor, id: number) {
  const [team] = await repo.listTeams(context.database, sql`t.id = ${id}`, { limit: 1, offset: 0 });
  if (!team || team.cityId !== actor.cityId) throw notFound('Team');
  authorize(actor, 'volunteer', 'read', team);
  const members = await repo.listVolunteers(context.database, sql`v.id IN (SELECT volunteer_id FROM volunteer_team_members WHERE team_id = ${id})`, { limit: 1000, offset: 0 });
  return { ...teamView(actor)(team), members: members.map(volunteerView(actor)) };
}

export async function addTeamMember(context: AppContext, actor: Actor, teamId: number, volunteerId: number) {
  return tx(context, async (t) => {
    const team = await teamOf(context, actor, teamId, t);
    authorize(actor, 'volunteer', 'manage', team);
    await volunteerOf(context, actor, volunteerId, t);
    const rows = await context.database.rows(sql`INSERT INTO volunteer_team_members (city_id, team_id, volunteer_id) VALUES (${actor.cityId}, ${teamId}, ${volunteerId}) ON CONFLICT DO NOTHING RETURNING id`, t);
    if (rows.length === 0) throw new AppError('conflict', 'The volunteer is already in this team', { teamId, volunteerId });
    await appendAudit(context.database, t, auditOf(actor, 'volunteer.join_team', 'volunteer_team', teamId, { volunteerId }));
    return { teamId, volunteerId };
  });
}

export async function removeTeamMember(context: AppContext, actor: Actor, teamId: number, volunteerId: number) {
  return tx(context, async (t) => {
    const team = await teamOf(context, actor, teamId, t);
    authorize(actor, 'volunteer', 'manage', team);
    const rows = await context.database.rows(sql`DELETE FROM volunteer_team_members WHERE team_id = ${teamId} AND volunteer_id = ${volunteerId} RETURNING id`, t);
    if (rows.length === 0) throw notFound('Team member');
    await appendAudit(context.database, t, auditOf(actor, 'volunteer.leave_team', 'volunteer_team', teamId, { volunteerId }));
    return { teamId, volunteerId, removed: true };
  });
}

// ======================= volunteers =======================

async function volunteerOf(context: AppContext, actor: Actor, id: number, executor?: Executor) {
  const [volunteer] = await repo.listVolunteers(context.database, sql`v.id = ${id}`, { limit: 1, offset: 0 }, executor);
  if (!volunteer || volunteer.cityId !== actor.cityId) throw notFound('Volunteer');
  return volunteer;
}

/** Staff see names and masked phones; a party member browsing the lists sees masked names too. */
const volunteerView = (actor: Actor) => (row: Awaited<ReturnType<typeof repo.listVolunteers>>[number]) => {
  const manager = isManager(actor, row);
  return { ...row, name: manager ? row.name : maskName(row.name)!, phone: maskPhone(row.phone), userId: undefined, abilities: { manage: manager } };
};

export async function createVolunteer(context: AppContext, actor: Actor, input: { regionId: number; name: string; phone?: string; residentId?: number; partyMemberId?: number; skills?: string; teamIds?: number[] }) {
  const node = await nodeOf(context, actor, input.regionId, TEAM_LEVELS);
  authorize(actor, 'volunteer', 'manage', { cityId: actor.cityId, regionPath: node.path });
  const name = input.name.trim();
  if (!name) throw new AppError('validation_failed', 'name is empty');
  if (input.residentId) {
    const [resident] = await context.database.rows(sql`SELECT 1 FROM residents WHERE id = ${input.residentId} AND city_id = ${actor.cityId}`);
    if (!resident) throw new AppError('validation_failed', 'Unknown resident', { residentId: input.residentId });
  }
  let userId: number | null = null;
  if (input.partyMemberId) {
    const [member] = await context.database.rows<{ user_id: number | null }>(sql`SELECT (SELECT min(id) FROM users WHERE party_member_id = pm.id) AS user_id FROM party_members pm WHERE pm.id = ${input.partyMemberId} AND pm.city_id = ${actor.cityId}`);
    if (!member) throw new AppError('validation_failed', 'Unknown party member', { partyMemberId: input.partyMemberId });
    userId = member.user_id === null ? null : Number(member.user_id);
  }
  return tx(context, async (t) => {
    const [row] = await context.database
      .rows<{ id: number }>(sql`INSERT INTO volunteers (city_id, region_node_id, region_path, name, phone, resident_id, party_member_id, user_id, skills)
        VALUES (${actor.cityId}, ${node.id}, ${node.path}, ${name}, ${input.phone?.trim() || null}, ${input.residentId ?? null}, ${input.partyMemberId ?? null}, ${userId}, ${input.skills?.trim() || null}) RETURNING id`, t)
      .catch((error) => {
        if (pgCodeOf(error) === '23505') throw new AppError('conflict', 'This party member is already registered as a volunteer', { partyMemberId: input.partyMemberId });
        throw error;
      });
    const id = Number(row.id);
    for (const teamId of input.teamIds ?? []) {
      const team = await teamOf(context, actor, teamId, t);
      authorize(actor, 'volunteer', 'manage', team);
      await t.execute(sql`INSERT INTO volunteer_team_members (city_id, team_id, volunteer_id) VALUES (${actor.cityId}, ${teamId}, ${id})`);
    }
    await appendAudit(context.database, t, auditOf(actor, 'volunteer.register', 'volunteer', id, { regionId: node.id, teamIds: input.teamIds ?? [], partyMemberId: input.partyMemberId ?? null }));
    return { id };
  });
}

async function volunteerWhere(context: AppContext, actor: Actor, query: ListFilters & { teamId?: number }) {
  requireAbility(actor, 'volunteer', 'read');
  const parts = [sql`v.city_id = ${actor.cityId}`, regionPathFilter(sql`v.region_path`, scopeFor(actor, 'volunteer', 'read'))];
  parts.push(...(await commonFilters(context, actor, query, { path: sql`v.region_path`, search: repo.volunteerSearch, status: sql`v.status`, createdAt: sql`v.created_at` })));
  if (query.teamId) parts.push(sql`v.id IN (SELECT volunteer_id FROM volunteer_team_members WHERE team_id = ${query.teamId})`);
  return whereOf(parts);
}

export async function listVolunteers(context: AppContext, actor: Actor, query: ListFilters & { teamId?: number }) {
  const where = await volunteerWhere(context, actor, query);
  const { page, pageSize, offset } = pageOfList(query);
  const [items, total] = await Promise.all([repo.listVolunteers(context.database, where, { limit: pageSize, offset }), repo.countVolunteers(context.database, where)]);
  return { items: items.map(volunteerView(actor)), page, pageSize, total };
}

export async function exportVolunteers(context: AppContext, actor: Actor, query: ListFilters & { teamId?: number }, request: FastifyRequest, reply: FastifyReply) {
  const where = await volunteerWhere(context, actor, query);
  const view = volunteerView(actor);
  const columns: LedgerColumn<ReturnType<typeof view>>[] = [
    { header: '编号', value: (r) => r.id, width: 8 },
    { header: '所属', value: (r) => r.regionName },
    { header: '姓名', value: (r) => r.name },
    { header: '电话', value: (r) => r.phone, width: 14 },
    { header: '党员', value: (r) => r.partyMemberId !== null },
    { header: '队伍', value: (r) => r.teams, width: 30 },
    { header: '特长', value: (r) => r.skills, width: 24 },
    { header: '累计服务时长(小时)', value: (r) => r.hours },
    { header: '状态', value: (r) => STATUS_LABEL[r.status] },
  ];
  return sendLedger(request, reply, {
    fileName: `志愿者-${chinaToday()}.xlsx`, asciiFileName: `volunteers-${chinaToday()}.xlsx`, sheetName: '志愿者', columns,
    batches: keysetBatches(async (afterId, size) => (await repo.listVolunteers(context.database, where, { limit: size, offset: 0, afterId })).map(view)),
  });
}

export async function volunteerDetail(context: AppContext, actor: Actor, id: number) {
  const volunteer = await volunteerOf(context, actor, id);
  authorize(actor, 'volunteer', 'read', volunteer);
  return volunteerView(actor)(volunteer);
}

/** A person's service record: activities, hours by month and the total (as a volunteer and as a party member). */
export async function serviceRecord(context: AppContext, actor: Actor, id: number, range: { from?: string; to?: string }) {
  const volunteer = await volunteerOf(context, actor, id);
  authorize(actor, 'volunteer', 'read', volunteer);
  const [activities, entries] = await Promise.all([repo.recordActivities(context.database, id, range), repo.recordEntries(context.database, volunteer, range)]);
  const months = new Map<string, number>();
  for (const entry of entries) months.set(entry.servedOn.slice(0, 7), (months.get(entry.servedOn.slice(0, 7)) ?? 0) + entry.hours);
  const round = (h: number) => Math.round(h * 100) / 100;
  return {
    volunteer: volunteerView(actor)(volunteer),
    activities,
    entries,
    hoursByMonth: [...months.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([month, hours]) => ({ month, hours: round(hours) })),
    totalHours: round(entries.reduce((sum, e) => sum + e.hours, 0)),
  };
}

const SOURCE_LABEL: Record<string, string> = { post: '双报到岗位', activity: '志愿活动', service_order: '服务订单', micro_wish: '微心愿', list_item: '三张清单', other: '其他' };

export async function exportServiceRecord(context: AppContext, actor: Actor, id: number, range: { from?: string; to?: string }, request: FastifyRequest, reply: FastifyReply) {
  const record = await serviceRecord(context, actor, id, range);
  type Entry = (typeof record.entries)[number];
  const columns: LedgerColumn<Entry>[] = [
    { header: '服务日期', value: (r) => r.servedOn, width: 12 },
    { header: '来源', value: (r) => SOURCE_LABEL[r.sourceKind] ?? r.sourceKind },
    { header: '活动/岗位', value: (r) => r.title, width: 30 },
    { header: '时长(小时)', value: (r) => r.hours },
    { header: '服务内容', value: (r) => r.description, width: 40 },
  ];
  const rows = record.entries.map((e, i) => ({ ...e, id: i + 1 }));
  return sendLedger(request, reply, {
    fileName: `志愿服务记录-${record.volunteer.name}-${chinaToday()}.xlsx`, asciiFileName: `volunteer-record-${id}-${chinaToday()}.xlsx`, sheetName: '服务记录', columns,
    batches: (async function* () { if (rows.length) yield rows; })(),
  });
}

// ======================= activities =======================

export async function createActivity(context: AppContext, actor: Actor, input: { regionId: number; teamId?: number; title: string; description?: string; location?: string; startsAt: string; endsAt: string; capacity?: number; hours: number }) {
  const node = await nodeOf(context, actor, input.regionId, TEAM_LEVELS);
  authorize(actor, 'volunteer', 'manage', { cityId: actor.cityId, regionPath: node.path });
  checkHours(input.hours);
  const title = input.title.trim();
  if (!title) throw new AppError('validation_failed', 'title is empty');
  const startsAt = new Date(input.startsAt);
  const endsAt = new Date(input.endsAt);
  if (!(endsAt.getTime() > startsAt.getTime())) throw new AppError('validation_failed', 'endsAt must be after startsAt', { startsAt: input.startsAt, endsAt: input.endsAt });
  if (input.teamId) {
    const team = await teamOf(context, actor, input.teamId);
    if (!team.regionPath.startsWith(node.path) && !node.path.startsWith(team.regionPath)) throw new AppError('validation_failed', 'The team belongs to another area', { teamId: input.teamId });
  }
  return tx(context, async (t) => {
    const [row] = await context.database.rows<{ id: number }>(sql`INSERT INTO volunteer_activities (city_id, region_node_id, region_path, team_id, title, description, location, starts_at, ends_at, capacity, hours, created_by)
      VALUES (${actor.cityId}, ${node.id}, ${node.path}, ${input.teamId ?? null}, ${title}, ${input.description?.trim() ?? ''}, ${input.location?.trim() || null},
              ${startsAt.toISOString()}, ${endsAt.toISOString()}, ${input.capacity ?? null}, ${input.hours}, ${actor.userId}) RETURNING id`, t);
    const id = Number(row.id);
    await appendItemEvent(context.database, t, { cityId: actor.cityId, subjectType: 'volunteer_activity', subjectId: id, action: 'publish', toStatus: 'open', actorUserId: actor.userId, actorLabel: actor.displayName });
    await appendAudit(context.database, t, auditOf(actor, 'volunteer.publish_activity', 'volunteer_activity', id, { regionId: node.id, title, capacity: input.capacity ?? null, hours: input.hours }));
    return { id, status: 'open' as const };
  });
}

async function activityWhere(context: AppContext, actor: Actor, query: ListFilters & { teamId?: number }) {
  requireAbility(actor, 'volunteer', 'read');
  const parts = [sql`a.city_id = ${actor.cityId}`, regionPathFilter(sql`a.region_path`, scopeFor(actor, 'volunteer', 'read'))];
  // from/to: the day the activity takes place.
  parts.push(...(await commonFilters(context, actor, query, { path: sql`a.region_path`, search: repo.activitySearch, status: sql`a.status`, createdAt: sql`a.starts_at` })));
  if (query.teamId) parts.push(sql`a.team_id = ${query.teamId}`);
  return whereOf(parts);
}

const activityView = (actor: Actor) => (row: Awaited<ReturnType<typeof repo.listActivities>>[number]) => {
  const manager = isManager(actor, row);
  const full = row.capacity !== null && row.signedUp >= row.capacity;
  return {
    ...row,
    full,
    abilities: {
      manage: manager,
      signUp: row.status === 'open' && !full && (manager || (row.mySignupId === null && actor.partyMemberId !== null && can(actor, 'volunteer', 'sign_up', row))),
      actions: manager ? (Object.keys(activityLifecycle[row.status]) as ActivityAction[]) : [],
    },
  };
};

export async function listActivities(context: AppContext, actor: Actor, query: ListFilters & { teamId?: number }) {
  const where = await activityWhere(context, actor, query);
  const { page, pageSize, offset } = pageOfList(query);
  const [items, total] = await Promise.all([repo.listActivities(context.database, where, { limit: pageSize, offset }, actor.partyMemberId), repo.countActivities(context.database, where)]);
  return { items: items.map(activityView(actor)), page, pageSize, total };
}

export async function exportActivities(context: AppContext, actor: Actor, query: ListFilters & { teamId?: number }, request: FastifyRequest, reply: FastifyReply) {
  const where = await activityWhere(context, actor, query);
  type ActivityRow = Awaited<ReturnType<typeof repo.listActivities>>[number];
  const columns: LedgerColumn<ActivityRow>[] = [
    { header: '编号', value: (r) => r.id, width: 8 },
    { header: '所属', value: (r) => r.regionName },
    { header: '活动', value: (r) => r.title, width: 30 },
    { header: '队伍', value: (r) => r.teamName },
    { header: '地点', value: (r) => r.location, width: 20 },
    { header: '开始时间', value: (r) => r.startsAt, time: true, width: 20 },
    { header: '结束时间', value: (r) => r.endsAt, time: true, width: 20 },
    { header: '名额', value: (r) => r.capacity },
    { header: '报名', value: (r) => r.signedUp },
    { header: '签到', value: (r) => r.checkedIn },
    { header: '每人时长(小时)', value: (r) => r.hours },
    { header: '状态', value: (r) => STATUS_LABEL[r.status] },
  ];
  return sendLedger(request, reply, {
    fileName: `志愿活动-${chinaToday()}.xlsx`, asciiFileName: `volunteer-activities-${chinaToday()}.xlsx`, sheetName: '志愿活动', columns,
    batches: keysetBatches((afterId, size) => repo.listActivities(context.database, where, { limit: size, offset: 0, afterId }, actor.partyMemberId)),
  });
}

export async function activityDetail(context: AppContext, actor: Actor, id: number) {
  const [activity] = await repo.listActivities(context.database, sql`a.id = ${id}`, { limit: 1, offset: 0 }, actor.partyMemberId);
  if (!activity || activity.cityId !== actor.cityId) throw notFound('Activity');
  authorize(actor, 'volunteer', 'read', activity);
  const manager = isManager(actor, activity);
  const signups = await repo.listSignups(context.database, sql`s.activity_id = ${id}`);
  return {
    ...activityView(actor)(activity),
    signups: signups.map((s) => {
      const own = s.partyMemberId !== null && s.partyMemberId === actor.partyMemberId;
      return {
        ...s,
        volunteerName: manager || own ? s.volunteerName : maskName(s.volunteerName)!,
        phone: maskPhone(s.phone),
        abilities: { checkIn: manager && s.status === 'signed_up' && activity.status !== 'finished' && activity.status !== 'cancelled', cancel: s.status === 'signed_up' && (manager || own) },
      };
    }),
    timeline: await itemTimeline(context.database, 'volunteer_activity', id),
  };
}

export async function activityAction(context: AppContext, actor: Actor, id: number, action: ActivityAction) {
  return tx(context, async (t) => {
    const activity = await repo.lockActivity(context.database, t, id);
    if (!activity || activity.cityId !== actor.cityId) throw notFound('Activity');
    authorize(actor, 'volunteer', 'manage', activity);
    const to = nextStatus(activityLifecycle, 'activity', activity.status, action);
    await t.execute(sql`UPDATE volunteer_activities SET status = ${to} WHERE id = ${id}`);
    let cancelledSignups = 0;
    if (action === 'cancel') {
      // Nobody served: the open sign-ups end with the activity.
      const rows = await context.database.rows(sql`UPDATE activity_signups SET status = 'cancelled' WHERE activity_id = ${id} AND status = 'signed_up' RETURNING id`, t);
      cancelledSignups = rows.length;
    }
    await appendItemEvent(context.database, t, { cityId: actor.cityId, subjectType: 'volunteer_activity', subjectId: id, action, fromStatus: activity.status, toStatus: to, actorUserId: actor.userId, actorLabel: actor.displayName });
    await appendAudit(context.database, t, auditOf(actor, `volunteer.${action}_activity`, 'volunteer_activity', id, { cancelledSignups }));
    return { id, status: to };
  });
}

/**
 * 报名: staff sign up any volunteer of their area; a party member signs up themselves (their volunteer record is
 * made on first sign-up). The activity row is locked while the places are counted: never more than its capacity.
 */
export async function signUp(context: AppContext, actor: Actor, activityId: number, input: { volunteerId?: number; unitId?: number }) {
  return tx(context, async (t) => {
    const activity = await repo.lockActivity(context.database, t, activityId);
    if (!activity || activity.cityId !== actor.cityId) throw notFound('Activity');
    const manager = isManager(actor, activity);
    let volunteerId: number;
    if (manager && input.volunteerId !== undefined) {
      const volunteer = await volunteerOf(context, actor, input.volunteerId, t);
      authorize(actor, 'volunteer', 'read', volunteer);
      if (volunteer.status !== 'active') throw new AppError('conflict', 'This volunteer is inactive');
      volunteerId = volunteer.id;
    } else {
      authorize(actor, 'volunteer', 'sign_up', activity);
      if (actor.partyMemberId === null) throw new AppError('validation_failed', 'Name the volunteer (volunteerId)');
      volunteerId = await ownVolunteer(context, actor, activity, t);
      if (input.volunteerId !== undefined && input.volunteerId !== volunteerId) throw new AppError('forbidden', 'Party members sign up themselves only');
    }
    if (input.unitId !== undefined) {
      const [unit] = await context.database.rows(sql`SELECT 1 FROM units WHERE id = ${input.unitId} AND city_id = ${actor.cityId} AND kind = 'resident_unit'`, t);
      if (!unit) throw new AppError('validation_failed', 'unitId is not a resident unit of your city', { unitId: input.unitId });
    }
    if (activity.status !== 'open') throw new AppError('conflict', 'Sign-up for this activity is not open', { status: activity.status });
    if (activity.endsAt.getTime() <= Date.now()) throw new AppError('conflict', 'This activity is over');
    const taken = await repo.countTakenPlaces(context.database, t, activityId);
    if (activity.capacity !== null && taken >= activity.capacity) throw new AppError('conflict', 'This activity is full', { capacity: activity.capacity, taken });
    const [existing] = await context.database.rows<{ id: number; status: string }>(sql`SELECT id, status FROM activity_signups WHERE activity_id = ${activityId} AND volunteer_id = ${volunteerId} FOR UPDATE`, t);
    let id: number;
    if (existing && existing.status !== 'cancelled') throw new AppError('conflict', 'Already signed up for this activity', { signupId: Number(existing.id) });
    if (existing) {
      id = Number(existing.id);
      await t.execute(sql`UPDATE activity_signups SET status = 'signed_up', unit_id = ${input.unitId ?? null}, signed_up_at = now(), checked_in_at = NULL WHERE id = ${id}`);
    } else {
      const [row] = await context.database.rows<{ id: number }>(sql`INSERT INTO activity_signups (city_id, activity_id, volunteer_id, unit_id) VALUES (${actor.cityId}, ${activityId}, ${volunteerId}, ${input.unitId ?? null}) RETURNING id`, t);
      id = Number(row.id);
    }
    await appendItemEvent(context.database, t, { cityId: actor.cityId, subjectType: 'activity_signup', subjectId: id, action: 'sign_up', fromStatus: existing ? 'cancelled' : null, toStatus: 'signed_up', actorUserId: actor.userId, actorLabel: actor.displayName, note: activity.title });
    await appendAudit(context.database, t, auditOf(actor, 'volunteer.sign_up', 'activity_signup', id, { activityId, volunteerId, unitId: input.unitId ?? null }));
    return { id, activityId, volunteerId, status: 'signed_up' as const, taken: taken + 1, capacity: activity.capacity };
  });
}

/** The party member's own volunteer record, made on their first sign-up in the activity's area. */
async function ownVolunteer(context: AppContext, actor: Actor, activity: { regionNodeId: number; regionPath: string }, t: Executor) {
  const [found] = await context.database.rows<{ id: number }>(sql`SELECT id FROM volunteers WHERE city_id = ${actor.cityId} AND party_member_id = ${actor.partyMemberId}`, t);
  if (found) return Number(found.id);
  const [member] = await context.database.rows<{ name: string; phone: string | null }>(sql`SELECT name, phone FROM party_members WHERE id = ${actor.partyMemberId}`, t);
  const byUser = await context.database.rows(sql`SELECT 1 FROM volunteers WHERE user_id = ${actor.userId}`, t);
  const [row] = await context.database.rows<{ id: number }>(sql`INSERT INTO volunteers (city_id, region_node_id, region_path, name, phone, party_member_id, user_id)
    VALUES (${actor.cityId}, ${activity.regionNodeId}, ${activity.regionPath}, ${member?.name ?? actor.displayName}, ${member?.phone ?? null}, ${actor.partyMemberId}, ${byUser.length ? null : actor.userId}) RETURNING id`, t);
  await appendAudit(context.database, t, auditOf(actor, 'volunteer.register', 'volunteer', Number(row.id), { self: true, partyMemberId: actor.partyMemberId }));
  return Number(row.id);
}

export async function cancelSignup(context: AppContext, actor: Actor, id: number) {
  return tx(context, async (t) => {
    const signup = await repo.lockSignup(context.database, t, id);
    if (!signup || signup.cityId !== actor.cityId) throw notFound('Sign-up');
    const activity = await repo.lockActivity(context.database, t, signup.activityId);
    if (!activity) throw notFound('Activity');
    const own = signup.partyMemberId !== null && signup.partyMemberId === actor.partyMemberId && can(actor, 'volunteer', 'sign_up', activity);
    if (!own) authorize(actor, 'volunteer', 'manage', activity);
    const to = nextStatus(signupLifecycle, 'sign-up', signup.status, 'cancel');
    await t.execute(sql`UPDATE activity_signups SET status = ${to} WHERE id = ${id}`);
    await appendItemEvent(context.database, t, { cityId: actor.cityId, subjectType: 'activity_signup', subjectId: id, action: 'cancel', fromStatus: signup.status, toStatus: to, actorUserId: actor.userId, actorLabel: actor.displayName });
    await appendAudit(context.database, t, auditOf(actor, 'volunteer.cancel_signup', 'activity_signup', id, { activityId: signup.activityId }));
    return { id, status: to };
  });
}

/**
 * 签到: staff check a volunteer in on the day. The activity's hours are credited once (the ledger's unique index
 * per activity and person) and the resident unit served for gets its points once (per sign-up).
 */
export async function checkIn(context: AppContext, actor: Actor, id: number) {
  return tx(context, async (t) => {
    const signup = await repo.lockSignup(context.database, t, id);
    if (!signup || signup.cityId !== actor.cityId) throw notFound('Sign-up');
    const activity = await repo.lockActivity(context.database, t, signup.activityId);
    if (!activity) throw notFound('Activity');
    authorize(actor, 'volunteer', 'manage', activity);
    if (activity.status === 'finished' || activity.status === 'cancelled') throw new AppError('conflict', `The activity is ${activity.status}`, { status: activity.status });
    const to = nextStatus(signupLifecycle, 'sign-up', signup.status, 'check_in');
    const today = chinaDate();
    if (today < activity.startsOn || today > activity.endsOn) throw new AppError('conflict', 'Check-in is on the day of the activity', { startsOn: activity.startsOn, endsOn: activity.endsOn, today });
    await t.execute(sql`UPDATE activity_signups SET status = ${to}, checked_in_at = now() WHERE id = ${id}`);
    const community = (await communityOfPath(context, signup.volunteerPath, t)) ?? (await communityOfPath(context, activity.regionPath, t));
    const communityId = community?.id ?? activity.regionNodeId;
    const regionPath = community?.path ?? activity.regionPath;
    const hoursId = await recordServiceHours(context.database, t, {
      cityId: actor.cityId, communityId, regionPath, volunteerId: signup.volunteerId, partyMemberId: signup.partyMemberId, unitId: signup.unitId,
      sourceKind: 'activity', sourceId: activity.id, servedOn: today, hours: activity.hours, description: activity.title, createdBy: actor.userId,
    });
    const points = signup.unitId !== null
      ? await awardUnitPoints(context.database, t, { cityId: actor.cityId, communityId, regionPath, unitId: signup.unitId, event: 'activity_served', sourceKind: 'activity_signup', sourceId: id, createdBy: actor.userId, note: activity.title })
      : 0;
    await appendItemEvent(context.database, t, { cityId: actor.cityId, subjectType: 'activity_signup', subjectId: id, action: 'check_in', fromStatus: signup.status, toStatus: to, actorUserId: actor.userId, actorLabel: actor.displayName, note: `${activity.hours}h` });
    await appendAudit(context.database, t, auditOf(actor, 'volunteer.check_in', 'activity_signup', id, { activityId: activity.id, volunteerId: signup.volunteerId, hoursCredited: hoursId === null ? 0 : activity.hours, unitPoints: points }));
    return { id, status: to, hoursCredited: hoursId === null ? 0 : activity.hours, unitPoints: points };
  });
}
