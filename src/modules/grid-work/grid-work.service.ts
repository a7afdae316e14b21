import { sql, type SQL } from 'drizzle-orm';
import type { Static } from 'typebox';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../shared/errors.ts';
import { maskAddress, maskName, maskPhone } from '../../shared/personal-data.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { auditOf } from '../auth/auth.service.ts';
import { intakeCase } from '../cases/intake.command.ts';
import { appendItemEvent, itemTimeline } from '../community/item-events.ts';
import { commonFilters, communityOfPath, nodeOf, pageOfList, regionPathOf, type ListFilters } from '../community/list-query.ts';
import { keysetBatches } from '../community/list-export.ts';
import type { Actor } from '../policy/actor.ts';
import { authorize, requireAbility, scopeFor } from '../policy/authorize.ts';
import { regionPathFilter } from '../policy/scope-sql.ts';
import { disputeActionsFrom, nextDisputeStatus, type DisputeAction, type DisputeStatus } from './grid-work-lifecycle.ts';
import * as repo from './grid-work.repository.ts';
import type { CareFromTagsBody, CareSubjectBody, CareSubjectPatchBody, DisputeActionBody, DisputeBody, VisitBody } from './grid-work.schemas.ts';
import { chinaTodaySql, isoOrNull } from '../../db/row-values.ts';

/** A little clock skew between the phone and the server is tolerated; a visit in the future is not. */
const FUTURE_SKEW_MS = 5 * 60_000;
const MAX_AGE_MS = 400 * 86_400_000;

function checkPastTime(value: string, name: string): Date {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new AppError('validation_failed', `${name} is not a valid time`, { [name]: value });
  if (at.getTime() > Date.now() + FUTURE_SKEW_MS) throw new AppError('validation_failed', `${name} must not be in the future`, { [name]: value });
  if (at.getTime() < Date.now() - MAX_AGE_MS) throw new AppError('validation_failed', `${name} is more than 400 days ago`, { [name]: value });
  return at;
}

/** The list scope of grid work for the actor, as SQL over a path column (403 when the actor has none). */
function readScope(actor: Actor, pathColumn: SQL) {
  requireAbility(actor, 'grid_work', 'read');
  return regionPathFilter(pathColumn, scopeFor(actor, 'grid_work', 'read'));
}

const and = (parts: SQL[]) => (parts.length ? sql.join(parts, sql` AND `) : sql`TRUE`);

// ── Home visits (入户走访 / 民情日志) ─────────────────────────────────────────────────────────────────

function visitView(row: Record<string, unknown>) {
  const collected = typeof row.collected === 'string' ? JSON.parse(row.collected) : row.collected;
  return {
    id: Number(row.id),
    gridId: Number(row.grid_id),
    gridName: (row.grid_name as string | null) ?? null,
    householdId: row.household_id === null ? null : Number(row.household_id),
    buildingId: row.building_id === null ? null : Number(row.building_id),
    buildingName: (row.building_name as string | null) ?? null,
    doorNumber: (row.door_number as string | null) ?? null,
    address: maskAddress(row.address as string | null),
    careSubjectId: row.care_subject_id === null ? null : Number(row.care_subject_id),
    careResidentName: maskName(row.care_resident_name as string | null),
    careGroup: (row.care_group as string | null) ?? null,
    visitorUserId: Number(row.visitor_user_id),
    visitorName: (row.visitor_name as string | null) ?? null,
    visitedAt: isoOrNull(row.visited_at)!,
    purpose: row.purpose as string,
    collected: (collected ?? {}) as Record<string, unknown>,
    notes: row.notes as string,
    needItemId: row.need_item_id === null ? null : Number(row.need_item_id),
    createdAt: isoOrNull(row.created_at)!,
  };
}

export async function recordVisit(context: AppContext, actor: Actor, body: Static<typeof VisitBody>) {
  const visitedAt = checkPastTime(body.visitedAt, 'visitedAt');
  const household = await repo.findHouseholdPlace(context.database, body.householdId);
  if (!household || household.cityId !== actor.cityId) throw new AppError('not_found', 'Household not found', { householdId: body.householdId });
  authorize(actor, 'grid_work', 'record', { cityId: household.cityId, regionPath: household.path });
  if (household.gridLevel !== 'grid') throw new AppError('validation_failed', 'The household\'s building is not in a grid', { householdId: household.id });
  const community = body.raiseNeed ? await communityOfPath(context, household.path) : null;
  if (body.raiseNeed && !community) throw new AppError('validation_failed', 'The household is not in a community, so a need cannot be listed', { householdId: household.id });

  return context.database.db.transaction(async (tx) => {
    let careSubject: { id: number; nextVisitDue: string | null; lastVisitAt: string | null } | null = null;
    if (body.careSubjectId) {
      const [subject] = await context.database.rows<{ id: number; household_id: number; city_id: number; active: boolean }>(
        sql`SELECT cs.id, cs.city_id, cs.active, r.household_id FROM care_subjects cs JOIN residents r ON r.id = cs.resident_id WHERE cs.id = ${body.careSubjectId} FOR UPDATE OF cs`,
        tx,
      );
      if (!subject || Number(subject.city_id) !== actor.cityId) throw new AppError('validation_failed', 'Unknown care subject', { careSubjectId: body.careSubjectId });
      if (Number(subject.household_id) !== household.id) throw new AppError('validation_failed', 'The care subject does not live in this household', { careSubjectId: body.careSubjectId });
      if (!subject.active) throw new AppError('validation_failed', 'The care subject has been removed from the care list', { careSubjectId: body.careSubjectId });
      careSubject = { id: Number(subject.id), nextVisitDue: null, lastVisitAt: null };
    }
    let needItemId: number | null = null;
    if (body.raiseNeed && community) {
      needItemId = await repo.insertNeedItem(context.database, tx, {
        cityId: actor.cityId,
        communityId: community.id,
        communityPath: community.path,
        title: body.raiseNeed.title.trim(),
        description: body.raiseNeed.description ?? '',
        category: body.raiseNeed.category ?? null,
        createdBy: actor.userId,
      });
      await appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: 'list_item', subjectId: needItemId, action: 'post', toStatus: 'posted', actorUserId: actor.userId, actorLabel: actor.displayName, note: '入户走访时收集' });
      await appendAudit(context.database, tx, auditOf(actor, 'community_list.post', 'community_list_item', needItemId, { listKind: 'need', source: 'grid_worker' }));
    }
    const id = await repo.insertVisit(context.database, tx, {
      cityId: actor.cityId,
      gridId: household.gridId,
      regionPath: household.path,
      householdId: household.id,
      buildingId: household.buildingId,
      careSubjectId: careSubject?.id ?? null,
      visitorUserId: actor.userId,
      visitedAt,
      purpose: body.purpose ?? (careSubject ? 'care' : 'routine'),
      collected: body.collected ?? {},
      notes: body.notes ?? '',
      needItemId,
    });
    if (careSubject) {
      const advanced = await repo.advanceCareSubject(context.database, tx, careSubject.id, visitedAt);
      if (advanced) careSubject = { id: careSubject.id, ...advanced };
    }
    await appendAudit(context.database, tx, auditOf(actor, 'home_visit.record', 'home_visit', id, { householdId: household.id, careSubjectId: careSubject?.id ?? null, needItemId }));
    return { id, needItemId, careSubject };
  });
}

async function visitWhere(context: AppContext, actor: Actor, query: ListFilters & { mine?: boolean; purpose?: string; careSubjectId?: number }) {
  const parts = [readScope(actor, sql`v.region_path`), sql`v.city_id = ${actor.cityId}`];
  parts.push(...(await commonFilters(context, actor, query, { path: sql`v.region_path`, search: [sql`v.notes`, sql`v.collected::text`], createdAt: sql`v.visited_at` })));
  if (query.mine) parts.push(sql`v.visitor_user_id = ${actor.userId}`);
  if (query.purpose) parts.push(sql`v.purpose = ${query.purpose}`);
  if (query.careSubjectId) parts.push(sql`v.care_subject_id = ${query.careSubjectId}`);
  return and(parts);
}

export async function listVisits(context: AppContext, actor: Actor, query: ListFilters & { mine?: boolean; purpose?: string; careSubjectId?: number }) {
  const { page, pageSize, offset } = pageOfList(query);
  const where = await visitWhere(context, actor, query);
  const [rows, total] = await Promise.all([
    repo.selectVisits(context.database, where, sql`v.visited_at DESC, v.id DESC`, pageSize, offset),
    repo.countRows(context.database, sql`home_visits v`, where),
  ]);
  return { items: rows.map(visitView), page, pageSize, total };
}

export async function visitExportBatches(context: AppContext, actor: Actor, query: ListFilters & { mine?: boolean; purpose?: string; careSubjectId?: number }) {
  const where = await visitWhere(context, actor, query);
  return keysetBatches(async (after, size) => (await repo.selectVisits(context.database, sql`${where} AND v.id > ${after}`, sql`v.id`, size)).map(visitView));
}

export async function visitDetail(context: AppContext, actor: Actor, id: number) {
  const [row] = await repo.selectVisits(context.database, sql`v.id = ${id}`, sql`v.id`, 1);
  if (!row || Number(row.city_id) !== actor.cityId) throw new AppError('not_found', 'Visit not found', { id });
  authorize(actor, 'grid_work', 'read', { cityId: actor.cityId, regionPath: row.region_path as string });
  return visitView(row);
}

// ── Disputes (矛盾纠纷排查化解) ─────────────────────────────────────────────────────────────────────

/** Each party's name masked: '张三、李四' → '张*、李*'. */
export const maskParties = (parties: string | null) =>
  parties === null ? null : parties.split(/([、,，;；\s]+)/).map((part, i) => (i % 2 === 1 || !part ? part : maskName(part))).join('');

function disputeView(row: Record<string, unknown>, actor?: Actor) {
  const status = row.status as DisputeStatus;
  return {
    id: Number(row.id),
    gridId: Number(row.grid_id),
    gridName: (row.grid_name as string | null) ?? null,
    title: row.title as string,
    description: row.description as string,
    category: row.category as string,
    parties: maskParties((row.parties as string | null) ?? null),
    status,
    foundAt: isoOrNull(row.found_at)!,
    foundByName: (row.found_by_name as string | null) ?? null,
    mediator: (row.mediator as string | null) ?? null,
    mediationStartedAt: isoOrNull(row.mediation_started_at),
    resolvedAt: isoOrNull(row.resolved_at),
    result: (row.result as string | null) ?? null,
    caseId: row.case_id === null ? null : Number(row.case_id),
    caseNumber: (row.case_number as string | null) ?? null,
    caseStatus: (row.case_status as string | null) ?? null,
    version: Number(row.version),
    createdAt: isoOrNull(row.created_at)!,
    updatedAt: isoOrNull(row.updated_at)!,
    ...(actor ? { allowedActions: disputeActionsFrom(status) } : {}),
  };
}

export async function reportDispute(context: AppContext, actor: Actor, body: Static<typeof DisputeBody>) {
  const grid = await nodeOf(context, actor, body.gridId, ['grid']);
  authorize(actor, 'grid_work', 'record', { cityId: actor.cityId, regionPath: grid.path });
  const foundAt = body.foundAt ? checkPastTime(body.foundAt, 'foundAt') : new Date();
  return context.database.db.transaction(async (tx) => {
    const [row] = await context.database.rows<{ id: number }>(
      sql`INSERT INTO disputes (city_id, grid_id, region_path, title, description, category, parties, status, found_at, found_by)
          VALUES (${actor.cityId}, ${grid.id}, ${grid.path}, ${body.title.trim()}, ${body.description ?? ''}, ${body.category ?? 'other'}, ${body.parties?.trim() || null},
                  'found', ${foundAt.toISOString()}::timestamptz, ${actor.userId}) RETURNING id`,
      tx,
    );
    const id = Number(row.id);
    await appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: 'dispute', subjectId: id, action: 'find', toStatus: 'found', actorUserId: actor.userId, actorLabel: actor.displayName });
    await appendAudit(context.database, tx, auditOf(actor, 'dispute.find', 'dispute', id, { gridId: grid.id, category: body.category ?? 'other' }));
    const [created] = await repo.selectDisputes(context.database, sql`d.id = ${id}`, sql`d.id`, 1, 0, tx);
    return disputeView(created, actor);
  });
}

async function disputeWhere(context: AppContext, actor: Actor, query: ListFilters & { category?: string }) {
  const parts = [readScope(actor, sql`d.region_path`), sql`d.city_id = ${actor.cityId}`];
  parts.push(...(await commonFilters(context, actor, query, { path: sql`d.region_path`, search: [sql`d.title`, sql`d.description`], status: sql`d.status`, createdAt: sql`d.found_at` })));
  if (query.category) parts.push(sql`d.category = ${query.category}`);
  return and(parts);
}

export async function listDisputes(context: AppContext, actor: Actor, query: ListFilters & { category?: string }) {
  const { page, pageSize, offset } = pageOfList(query);
  const where = await disputeWhere(context, actor, query);
  const [rows, total] = await Promise.all([
    repo.selectDisputes(context.database, where, sql`d.found_at DESC, d.id DESC`, pageSize, offset),
    repo.countRows(context.database, sql`disputes d`, where),
  ]);
  return { items: rows.map((r) => disputeView(r, actor)), page, pageSize, total };
}

export async function disputeExportBatches(context: AppContext, actor: Actor, query: ListFilters & { category?: string }) {
  const where = await disputeWhere(context, actor, query);
  return keysetBatches(async (after, size) => (await repo.selectDisputes(context.database, sql`${where} AND d.id > ${after}`, sql`d.id`, size)).map((r) => disputeView(r)));
}

export async function disputeDetail(context: AppContext, actor: Actor, id: number) {
  const [row] = await repo.selectDisputes(context.database, sql`d.id = ${id}`, sql`d.id`, 1);
  if (!row || Number(row.city_id) !== actor.cityId) throw new AppError('not_found', 'Dispute not found', { id });
  authorize(actor, 'grid_work', 'read', { cityId: actor.cityId, regionPath: row.region_path as string });
  return { ...disputeView(row, actor), timeline: await itemTimeline(context.database, 'dispute', id) };
}

/** Which stripe the intake's audit record went to, so the escalation's record joins it (one stripe per transaction). */
async function stripeOfCaseSubmit(context: AppContext, tx: Parameters<typeof appendAudit>[1], cityId: number, caseId: number) {
  const [row] = await context.database.rows<{ stripe: number }>(
    sql`SELECT h.stripe FROM audit_chain_heads h JOIN audit_log a ON a.id = h.last_id
         WHERE h.city_id = ${cityId} AND a.resource_type = 'case' AND a.resource_id = ${String(caseId)} LIMIT 1`,
    tx,
  );
  return row ? Number(row.stripe) : 0;
}

export async function actOnDispute(context: AppContext, actor: Actor, id: number, body: Static<typeof DisputeActionBody>) {
  const [current] = await repo.selectDisputes(context.database, sql`d.id = ${id}`, sql`d.id`, 1);
  if (!current || Number(current.city_id) !== actor.cityId) throw new AppError('not_found', 'Dispute not found', { id });
  authorize(actor, 'grid_work', 'record', { cityId: actor.cityId, regionPath: current.region_path as string });
  const action = body.action as DisputeAction;
  // Fail fast before any write; the same checks run again under the row lock.
  const checkState = (row: Record<string, unknown>) => {
    if (Number(row.version) !== body.version) throw new AppError('version_conflict', 'The dispute has changed since you loaded it', { version: Number(row.version) });
    return nextDisputeStatus(row.status as DisputeStatus, action);
  };
  checkState(current);
  if (action === 'resolve' && !body.result?.trim()) throw new AppError('validation_failed', 'Say how the dispute was resolved (result)', { field: 'result' });

  const record = async (tx: Parameters<typeof appendAudit>[1], from: DisputeStatus, to: DisputeStatus, details: Record<string, unknown>, stripe = 0) => {
    await appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: 'dispute', subjectId: id, action, fromStatus: from, toStatus: to, actorUserId: actor.userId, actorLabel: actor.displayName, note: body.note ?? body.result ?? null });
    await appendAudit(context.database, tx, auditOf(actor, `dispute.${action}`, 'dispute', id, { from, to, ...details }), stripe);
  };

  if (action === 'escalate') {
    const [grid] = await context.database.rows<{ code: string }>(sql`SELECT code FROM region_nodes WHERE id = ${Number(current.grid_id)}`);
    const description = [current.description as string, body.note].filter((s) => s && String(s).trim()).join('\n') || (current.title as string);
    // The case and the dispute's escalation commit together: the dispute is locked and re-checked in the
    // intake's transaction, so a second escalation (or a stale one) rolls its case back.
    const created = await intakeCase(
      context,
      actor,
      { channel: 'grid_worker', placeCode: grid.code, categoryCode: body.categoryCode ?? 'neighbour_dispute', title: `矛盾纠纷：${current.title as string}`.slice(0, 60), description: description.length >= 2 ? description : `矛盾纠纷：${description}` },
      { ip: actor.ip, userAgent: actor.userAgent },
      {
        beforeCommit: async (tx, result) => {
          const locked = await repo.lockDispute(context.database, tx, id);
          if (!locked) throw new AppError('not_found', 'Dispute not found', { id });
          const to = checkState(locked);
          await tx.execute(sql`UPDATE disputes SET status = ${to}, case_id = ${result.id}, version = version + 1, updated_at = now() WHERE id = ${id}`);
          await record(tx, locked.status as DisputeStatus, to, { caseId: result.id, caseNumber: result.number }, await stripeOfCaseSubmit(context, tx, actor.cityId, result.id));
        },
      },
    );
    return { ...(await disputeDetail(context, actor, id)), caseId: created.id, caseNumber: created.number };
  }

  await context.database.db.transaction(async (tx) => {
    const locked = await repo.lockDispute(context.database, tx, id);
    if (!locked) throw new AppError('not_found', 'Dispute not found', { id });
    const to = checkState(locked);
    if (action === 'mediate') {
      const mediator = body.mediator?.trim() || actor.displayName;
      await tx.execute(sql`UPDATE disputes SET status = ${to}, mediator = ${mediator}, mediation_started_at = now(), version = version + 1, updated_at = now() WHERE id = ${id}`);
      await record(tx, locked.status as DisputeStatus, to, { mediator });
    } else {
      await tx.execute(sql`UPDATE disputes SET status = ${to}, result = ${body.result!.trim()}, resolved_at = now(), version = version + 1, updated_at = now() WHERE id = ${id}`);
      await record(tx, locked.status as DisputeStatus, to, {});
    }
  });
  return disputeDetail(context, actor, id);
}

/** Found / mediating / resolved / escalated under a node, and per child node (seed 002: 6,116 found, 5,997 resolved). */
export async function disputeCounts(context: AppContext, actor: Actor, query: { regionId?: number; from?: string; to?: string }) {
  requireAbility(actor, 'grid_work', 'read');
  const scope = scopeFor(actor, 'grid_work', 'read');
  let nodeId = query.regionId;
  if (!nodeId) {
    const grant = actor.grants.find((g) => g.regionPath && scope.regionPaths.includes(g.regionPath) && g.regionNodeId !== null);
    if (!grant) throw new AppError('validation_failed', 'Give regionId');
    nodeId = grant.regionNodeId!;
  }
  const path = await regionPathOf(context, actor, nodeId);
  authorize(actor, 'grid_work', 'read', { cityId: actor.cityId, regionPath: path });
  const period: SQL[] = [];
  if (query.from) period.push(sql`d.found_at >= (${query.from}::date)::timestamp AT TIME ZONE 'Asia/Shanghai'`);
  if (query.to) period.push(sql`d.found_at < (${query.to}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'`);
  const periodSql = period.length ? sql` AND ${and(period)}` : sql``;
  const counts = sql`count(d.id)::int AS found, count(d.id) FILTER (WHERE d.status = 'mediating')::int AS mediating,
    count(d.id) FILTER (WHERE d.status = 'resolved')::int AS resolved, count(d.id) FILTER (WHERE d.status = 'escalated')::int AS escalated`;
  const [node] = await context.database.rows<Record<string, unknown>>(
    sql`SELECT n.id, n.name, n.level, ${counts} FROM region_nodes n LEFT JOIN disputes d ON d.city_id = n.city_id AND d.region_path LIKE n.path || '%'${periodSql}
         WHERE n.id = ${nodeId} GROUP BY n.id, n.name, n.level`,
  );
  const children = await context.database.rows<Record<string, unknown>>(
    sql`SELECT n.id, n.name, n.level, ${counts} FROM region_nodes n LEFT JOIN disputes d ON d.city_id = n.city_id AND d.region_path LIKE n.path || '%'${periodSql}
         WHERE n.parent_id = ${nodeId} AND n.level IN ('district', 'street', 'community', 'grid') AND n.valid_to IS NULL GROUP BY n.id, n.name, n.level ORDER BY n.id`,
  );
  const view = (row: Record<string, unknown>) => {
    const found = Number(row.found);
    const resolved = Number(row.resolved);
    return {
      id: Number(row.id), name: row.name as string, level: row.level as string, found, mediating: Number(row.mediating), resolved, escalated: Number(row.escalated),
      resolutionRate: found ? resolved / found : null,
    };
  };
  return { node: view(node), children: children.map(view), period: { from: query.from ?? null, to: query.to ?? null } };
}

// ── Care lists (关爱对象) ────────────────────────────────────────────────────────────────────────────

function careView(row: Record<string, unknown>) {
  return {
    id: Number(row.id),
    residentId: Number(row.resident_id),
    residentName: maskName(row.resident_name as string | null),
    residentPhone: maskPhone(row.resident_phone as string | null),
    householdId: row.household_id === null ? null : Number(row.household_id),
    address: maskAddress(row.address as string | null),
    gridId: Number(row.grid_id),
    gridName: (row.grid_name as string | null) ?? null,
    careGroup: row.care_group as string,
    visitEveryDays: Number(row.visit_every_days),
    responsibleUserId: row.responsible_user_id === null ? null : Number(row.responsible_user_id),
    responsibleName: (row.responsible_name as string | null) ?? null,
    lastVisitAt: isoOrNull(row.last_visit_at),
    nextVisitDue: row.next_visit_due as string,
    overdue: Boolean(row.overdue),
    daysOverdue: Number(row.days_overdue ?? 0),
    active: Boolean(row.active),
    createdAt: isoOrNull(row.created_at)!,
  };
}

async function careSubjectView(context: AppContext, id: number, executor?: Parameters<typeof appendAudit>[1]) {
  const [row] = await repo.selectCareSubjects(context.database, sql`cs.id = ${id}`, sql`cs.id`, 1, 0, executor);
  return careView(row);
}

/** The responsible grid worker must work this grid (a grid worker or grid head whose grid covers the subject). */
async function checkResponsible(context: AppContext, actor: Actor, userId: number, path: string) {
  const [row] = await context.database.rows<{ ok: number }>(
    sql`SELECT 1 AS ok FROM role_assignments ra JOIN region_nodes n ON n.id = ra.region_node_id JOIN users u ON u.id = ra.user_id
         WHERE ra.user_id = ${userId} AND u.city_id = ${actor.cityId} AND ra.role IN ('grid_worker', 'grid_head') AND ${path} LIKE n.path || '%' LIMIT 1`,
  );
  if (!row) throw new AppError('validation_failed', 'The responsible user must be a grid worker or grid head of this grid', { responsibleUserId: userId });
}

export async function addCareSubject(context: AppContext, actor: Actor, body: Static<typeof CareSubjectBody>) {
  const [resident] = await context.database.rows<{ id: number; city_id: number; region_path: string }>(sql`SELECT id, city_id, region_path FROM residents WHERE id = ${body.residentId}`);
  if (!resident || Number(resident.city_id) !== actor.cityId) throw new AppError('not_found', 'Resident not found', { residentId: body.residentId });
  authorize(actor, 'grid_work', 'manage', { cityId: actor.cityId, regionPath: resident.region_path });
  const grid = await repo.gridOfPath(context.database, resident.region_path);
  if (!grid) throw new AppError('validation_failed', 'The resident does not live in a grid', { residentId: body.residentId });
  if (body.responsibleUserId) await checkResponsible(context, actor, body.responsibleUserId, resident.region_path);
  const every = body.visitEveryDays ?? 7;
  return context.database.db.transaction(async (tx) => {
    const [existing] = await context.database.rows<{ id: number; active: boolean }>(
      sql`SELECT id, active FROM care_subjects WHERE resident_id = ${body.residentId} AND care_group = ${body.careGroup} FOR UPDATE`,
      tx,
    );
    if (existing?.active) throw new AppError('conflict', 'The resident is already on the care list for this group', { careSubjectId: Number(existing.id) });
    let id: number;
    if (existing) {
      // Back on the list: the first visit is due today.
      id = Number(existing.id);
      await tx.execute(sql`UPDATE care_subjects SET active = true, visit_every_days = ${every}, responsible_user_id = ${body.responsibleUserId ?? null},
        grid_id = ${grid.id}, region_path = ${resident.region_path}, next_visit_due = ${chinaTodaySql} WHERE id = ${id}`);
    } else {
      const [row] = await context.database.rows<{ id: number }>(
        sql`INSERT INTO care_subjects (city_id, resident_id, grid_id, region_path, care_group, visit_every_days, responsible_user_id, next_visit_due)
            VALUES (${actor.cityId}, ${body.residentId}, ${grid.id}, ${resident.region_path}, ${body.careGroup}, ${every}, ${body.responsibleUserId ?? null}, ${chinaTodaySql})
            RETURNING id`,
        tx,
      );
      id = Number(row.id);
    }
    await appendAudit(context.database, tx, auditOf(actor, 'care_subject.add', 'care_subject', id, { residentId: body.residentId, careGroup: body.careGroup, visitEveryDays: every, reactivated: Boolean(existing) }));
    return careSubjectView(context, id, tx);
  });
}

export async function updateCareSubject(context: AppContext, actor: Actor, id: number, body: Static<typeof CareSubjectPatchBody>) {
  const [current] = await context.database.rows<{ city_id: number; region_path: string }>(sql`SELECT city_id, region_path FROM care_subjects WHERE id = ${id}`);
  if (!current || Number(current.city_id) !== actor.cityId) throw new AppError('not_found', 'Care subject not found', { id });
  authorize(actor, 'grid_work', 'manage', { cityId: actor.cityId, regionPath: current.region_path });
  if (body.responsibleUserId) await checkResponsible(context, actor, body.responsibleUserId, current.region_path);
  return context.database.db.transaction(async (tx) => {
    const [before] = await context.database.rows<Record<string, unknown>>(
      sql`SELECT visit_every_days, responsible_user_id, active, next_visit_due::text AS next_visit_due FROM care_subjects WHERE id = ${id} FOR UPDATE`,
      tx,
    );
    const sets: SQL[] = [];
    if (body.visitEveryDays !== undefined) {
      sets.push(sql`visit_every_days = ${body.visitEveryDays}`);
      // A new frequency counts from the last visit (or from today when nobody has visited yet).
      sets.push(sql`next_visit_due = COALESCE((last_visit_at AT TIME ZONE 'Asia/Shanghai')::date, ${chinaTodaySql}) + ${body.visitEveryDays}::int`);
    }
    if (body.responsibleUserId !== undefined) sets.push(sql`responsible_user_id = ${body.responsibleUserId}`);
    if (body.active !== undefined) sets.push(sql`active = ${body.active}`);
    await tx.execute(sql`UPDATE care_subjects SET ${sql.join(sets, sql`, `)} WHERE id = ${id}`);
    const action = body.active === false ? 'care_subject.remove' : body.active === true && !before.active ? 'care_subject.restore' : 'care_subject.update';
    await appendAudit(context.database, tx, auditOf(actor, action, 'care_subject', id, {
      before: { visitEveryDays: Number(before.visit_every_days), responsibleUserId: before.responsible_user_id === null ? null : Number(before.responsible_user_id), active: before.active, nextVisitDue: before.next_visit_due },
      changes: body,
    }));
    return careSubjectView(context, id, tx);
  });
}

/** Residents tagged elderly living alone, disabled, left-behind child, low income or veteran join the care list. */
export async function careSubjectsFromTags(context: AppContext, actor: Actor, body: Static<typeof CareFromTagsBody>) {
  const path = await regionPathOf(context, actor, body.regionId);
  authorize(actor, 'grid_work', 'manage', { cityId: actor.cityId, regionPath: path });
  const every = body.visitEveryDays ?? 7;
  return context.database.db.transaction(async (tx) => {
    const rows = await context.database.rows<{ id: number }>(
      sql`INSERT INTO care_subjects (city_id, resident_id, grid_id, region_path, care_group, visit_every_days, next_visit_due)
          SELECT r.city_id, r.id, b.parent_id, r.region_path, t.tag, ${every}, ${chinaTodaySql}
            FROM resident_tags t JOIN residents r ON r.id = t.resident_id JOIN households h ON h.id = r.household_id
            JOIN region_nodes b ON b.id = h.building_id JOIN region_nodes g ON g.id = b.parent_id AND g.level = 'grid'
           WHERE t.city_id = ${actor.cityId} AND r.region_path LIKE ${path + '%'}
             AND t.tag IN ('elderly_living_alone', 'disabled', 'left_behind_child', 'low_income', 'veteran')
          ON CONFLICT (resident_id, care_group) DO NOTHING RETURNING id`,
      tx,
    );
    await appendAudit(context.database, tx, auditOf(actor, 'care_subject.add_from_tags', 'region_node', body.regionId, { added: rows.length, visitEveryDays: every }));
    return { added: rows.length, ids: rows.map((r) => Number(r.id)) };
  });
}

type CareQuery = ListFilters & { careGroup?: string; overdue?: boolean; includeRemoved?: boolean };

async function careWhere(context: AppContext, actor: Actor, query: CareQuery) {
  const parts = [readScope(actor, sql`cs.region_path`), sql`cs.city_id = ${actor.cityId}`];
  parts.push(...(await commonFilters(context, actor, { ...query, status: undefined }, { path: sql`cs.region_path`, search: [sql`r.name`], createdAt: sql`cs.created_at` })));
  if (!query.includeRemoved) parts.push(sql`cs.active`);
  if (query.careGroup) parts.push(sql`cs.care_group = ${query.careGroup}`);
  if (query.overdue) parts.push(sql`cs.active AND cs.next_visit_due < ${chinaTodaySql}`);
  return and(parts);
}

export async function listCareSubjects(context: AppContext, actor: Actor, query: CareQuery) {
  const { page, pageSize, offset } = pageOfList(query);
  const where = await careWhere(context, actor, query);
  const [rows, [{ total }]] = await Promise.all([
    repo.selectCareSubjects(context.database, where, sql`cs.next_visit_due, cs.id`, pageSize, offset),
    context.database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM care_subjects cs JOIN residents r ON r.id = cs.resident_id WHERE ${where}`),
  ]);
  return { items: rows.map(careView), page, pageSize, total: Number(total) };
}

export async function careExportBatches(context: AppContext, actor: Actor, query: CareQuery) {
  const where = await careWhere(context, actor, query);
  return keysetBatches(async (after, size) => (await repo.selectCareSubjects(context.database, sql`${where} AND cs.id > ${after}`, sql`cs.id`, size)).map(careView));
}
