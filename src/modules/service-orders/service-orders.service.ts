import { sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import { maskAddress, maskName, maskPhone } from '../../shared/personal-data.ts';
import { enforceRateLimit } from '../../shared/rate-limit.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { auditOf, type ClientInfo } from '../auth/auth.service.ts';
import { appendItemEvent, itemTimeline } from '../community/item-events.ts';
import { chinaToday, keysetBatches, type Ledger } from '../community/list-export.ts';
import { commonFilters, communityOfPath, nodeOf, pageOfList, type ListFilters } from '../community/list-query.ts';
import { hashTrackingToken, newTrackingToken, nextNumber } from '../community/tokens.ts';
import { recordServiceHours } from '../dual-reporting/service-hours.ledger.ts';
import type { Actor } from '../policy/actor.ts';
import { authorize, can, isEmptyScope, scopeFor } from '../policy/authorize.ts';
import { regionPathFilter } from '../policy/scope-sql.ts';
import * as repo from './service-orders.repository.ts';
import { nextOrderStatus, orderActionsFrom, type ServiceOrderAction, type ServiceOrderStatus } from './service-orders-lifecycle.ts';
import { isoOrNull } from '../../db/row-values.ts';

const SUBJECT = 'service_order';
const RESIDENT = '居民';

/** 422: the request is well formed but names someone who may not serve this order. */
export class NotAssignableError extends AppError {
  constructor(message: string, details?: unknown) {
    super('not_assignable', message, details);
  }
}


const residentAudit = (cityId: number, client: ClientInfo, action: string, orderId: number, details?: Record<string, unknown>) => ({
  cityId, actorUserId: null, actorName: RESIDENT, action, resourceType: SUBJECT, resourceId: orderId, outcome: 'success' as const,
  ip: client.ip, userAgent: client.userAgent, details: details ?? null,
});

/** Hours as stored ('1.5'); 0 < hours ≤ 24 like the ledger's check. */
function checkedHours(hours: string | null | undefined): string | null {
  if (hours === null || hours === undefined) return null;
  const value = Number(hours);
  if (!(value > 0 && value <= 24)) throw new AppError('validation_failed', 'hours must be more than 0 and at most 24', { hours });
  return String(value);
}

/**
 * Keyset batches whose first page is read before the answer starts: a query the database refuses (a NUL
 * in the search words, say) becomes a clean 4xx instead of a stream cut off half-way.
 */
async function prefetchedBatches<T extends { id: number }>(fetch: (afterId: number, size: number) => Promise<T[]>, size = 2000): Promise<AsyncIterable<T[]>> {
  const first = await fetch(0, size);
  return (async function* () {
    if (first.length === 0) return;
    yield first;
    if (first.length < size) return;
    yield* keysetBatches((after, n) => fetch(Math.max(after, Number(first[first.length - 1].id)), n), size);
  })();
}

// ── Catalogue ───────────────────────────────────────────────────────────────────────────────────────

/** The city's categories, with the default set inserted the first time a city has none. */
export async function listServiceCategories(context: AppContext, actor: Actor) {
  if (isEmptyScope(scopeFor(actor, 'service_catalogue', 'read'))) throw new AppError('forbidden', 'Your roles do not allow reading the service catalogue');
  if (!(await repo.hasCategories(context.database, actor.cityId))) await repo.ensureServiceCategories(context.database, context.database.db, actor.cityId);
  const rows = await repo.categoriesOfCity(context.database, actor.cityId);
  return { items: rows.map((r) => ({ id: Number(r.id), code: r.code, name: r.name, active: r.active })) };
}

const offeringView = (row: repo.OfferingRow) => ({
  id: Number(row.id),
  categoryId: Number(row.category_id),
  categoryName: row.category_name,
  regionNodeId: Number(row.region_node_id),
  regionName: row.region_name,
  name: row.name,
  description: row.description,
  hours: row.hours,
  active: row.active,
  createdAt: isoOrNull(row.created_at),
});

type OfferingQuery = ListFilters & { categoryId?: number; active?: boolean };

async function offeringWhere(context: AppContext, actor: Actor, query: OfferingQuery): Promise<SQL> {
  const scope = scopeFor(actor, 'service_catalogue', 'read');
  if (isEmptyScope(scope)) throw new AppError('forbidden', 'Your roles do not allow reading the service catalogue');
  // The catalogue of an area is what is offered in it and above it (a grid worker sees the community's offerings).
  const reach = scope.cityWide
    ? sql`true`
    : sql`(${regionPathFilter(sql`o.region_path`, scope)} OR ${sql.join(scope.regionPaths.map((p) => sql`${p} LIKE o.region_path || '%'`).concat(sql`false`), sql` OR `)})`;
  const parts = [sql`o.city_id = ${actor.cityId}`, reach];
  parts.push(...(await commonFilters(context, actor, { ...query, status: undefined }, { path: sql`o.region_path`, search: [sql`o.name`, sql`o.description`], createdAt: sql`o.created_at` })));
  if (query.categoryId) parts.push(sql`o.category_id = ${query.categoryId}`);
  if (query.active !== undefined) parts.push(sql`o.active = ${query.active}`);
  return sql.join(parts, sql` AND `);
}

export async function listOfferings(context: AppContext, actor: Actor, query: OfferingQuery) {
  const { page, pageSize, offset } = pageOfList(query);
  const { items, total } = await repo.offeringsPage(context.database, await offeringWhere(context, actor, query), pageSize, offset);
  return { items: items.map(offeringView), page, pageSize, total };
}

/** 服务事项台账: the offerings with the list's filters, as an Excel ledger. */
export async function offeringLedger(context: AppContext, actor: Actor, query: OfferingQuery): Promise<Ledger<repo.OfferingRow>> {
  const where = await offeringWhere(context, actor, query);
  return {
    fileName: `服务事项清单-${chinaToday()}.xlsx`,
    asciiFileName: `service-offerings-${chinaToday()}.xlsx`,
    sheetName: '服务事项清单',
    columns: [
      { header: '编号', width: 8, value: (r) => Number(r.id) },
      { header: '服务类别', value: (r) => r.category_name },
      { header: '服务项目', width: 24, value: (r) => r.name },
      { header: '说明', width: 40, value: (r) => r.description },
      { header: '提供范围', value: (r) => r.region_name },
      { header: '计入服务时长（小时）', value: (r) => (r.hours === null ? 1 : Number(r.hours)) },
      { header: '启用', width: 8, value: (r) => r.active },
      { header: '创建时间', width: 20, time: true, value: (r) => new Date(r.created_at) },
    ],
    batches: await prefetchedBatches((after, size) => repo.offeringsAfter(context.database, where, after, size)),
  };
}

export async function createOffering(context: AppContext, actor: Actor, body: { regionNodeId: number; categoryId: number; name: string; description?: string; hours?: string }) {
  const node = await nodeOf(context, actor, body.regionNodeId, ['community', 'street', 'district', 'city']);
  authorize(actor, 'service_catalogue', 'manage', { cityId: actor.cityId, regionPath: node.path });
  const hours = checkedHours(body.hours);
  const id = await context.database.db.transaction(async (tx) => {
    await repo.ensureServiceCategories(context.database, tx, actor.cityId);
    const category = await repo.categoryOfCity(context.database, tx, actor.cityId, body.categoryId);
    if (!category || !category.active) throw new AppError('validation_failed', 'Unknown or inactive service category', { categoryId: body.categoryId });
    const offeringId = await repo.insertOffering(context.database, tx, {
      cityId: actor.cityId, categoryId: body.categoryId, regionNodeId: node.id, regionPath: node.path, name: body.name.trim(), description: body.description ?? '', hours, createdBy: actor.userId,
    });
    await appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: 'service_offering', subjectId: offeringId, action: 'create', toStatus: 'active', actorUserId: actor.userId, actorLabel: actor.displayName });
    await appendAudit(context.database, tx, auditOf(actor, 'service_offering.create', 'service_offering', offeringId, { regionNodeId: node.id, categoryId: body.categoryId, name: body.name }));
    return offeringId;
  });
  return offeringView((await repo.findOffering(context.database, id))!);
}

export async function updateOffering(context: AppContext, actor: Actor, id: number, body: { categoryId?: number; name?: string; description?: string; hours?: string | null; active?: boolean }) {
  await context.database.db.transaction(async (tx) => {
    const offering = await repo.findOffering(context.database, id, tx, true);
    if (!offering || Number(offering.city_id) !== actor.cityId) throw notFound('Service offering');
    authorize(actor, 'service_catalogue', 'manage', { cityId: actor.cityId, regionPath: offering.region_path });
    if (body.categoryId !== undefined) {
      const category = await repo.categoryOfCity(context.database, tx, actor.cityId, body.categoryId);
      if (!category || !category.active) throw new AppError('validation_failed', 'Unknown or inactive service category', { categoryId: body.categoryId });
    }
    const hours = body.hours === undefined ? undefined : checkedHours(body.hours);
    await repo.updateOffering(context.database, tx, id, { ...body, name: body.name?.trim(), hours });
    const action = body.active === false && offering.active ? 'deactivate' : body.active === true && !offering.active ? 'activate' : 'update';
    await appendItemEvent(context.database, tx, {
      cityId: actor.cityId, subjectType: 'service_offering', subjectId: id, action, fromStatus: offering.active ? 'active' : 'inactive',
      toStatus: (body.active ?? offering.active) ? 'active' : 'inactive', actorUserId: actor.userId, actorLabel: actor.displayName,
    });
    await appendAudit(context.database, tx, auditOf(actor, `service_offering.${action}`, 'service_offering', id, { changes: body }));
  });
  return offeringView((await repo.findOffering(context.database, id))!);
}

// ── Orders: staff ───────────────────────────────────────────────────────────────────────────────────

const assigneeOf = (row: repo.OrderRow) =>
  row.assignee_party_member_id
    ? { kind: 'party_member' as const, id: Number(row.assignee_party_member_id), name: row.assignee_name }
    : row.assignee_volunteer_id
      ? { kind: 'volunteer' as const, id: Number(row.assignee_volunteer_id), name: row.assignee_name }
      : null;

/** An order as staff see it in lists: the resident's name and phone masked. */
const orderSummary = (row: repo.OrderRow) => ({
  id: Number(row.id),
  number: row.number,
  status: row.status,
  offeringId: Number(row.offering_id),
  offeringName: row.offering_name,
  categoryId: Number(row.category_id),
  categoryName: row.category_name,
  communityId: Number(row.community_id),
  communityName: row.community_name,
  residentName: maskName(row.resident_name),
  residentPhone: maskPhone(row.resident_phone),
  address: maskAddress(row.address),
  preferredTime: row.preferred_time,
  assignee: assigneeOf(row),
  rating: row.rating === null ? null : Number(row.rating),
  createdAt: isoOrNull(row.created_at),
  completedAt: isoOrNull(row.completed_at),
  version: Number(row.version),
});

type OrderQuery = ListFilters & { categoryId?: number };

async function orderWhere(context: AppContext, actor: Actor, query: OrderQuery): Promise<SQL> {
  const scope = scopeFor(actor, 'service_order', 'read');
  if (isEmptyScope(scope)) throw new AppError('forbidden', 'Your roles do not allow reading service orders here; party members see theirs under /my/service-orders');
  const parts = [sql`so.city_id = ${actor.cityId}`, regionPathFilter(sql`so.region_path`, scope)];
  parts.push(...(await commonFilters(context, actor, query, { path: sql`so.region_path`, search: [sql`so.number`, sql`o.name`, sql`so.description`], status: sql`so.status`, createdAt: sql`so.created_at` })));
  if (query.categoryId) parts.push(sql`so.category_id = ${query.categoryId}`);
  return sql.join(parts, sql` AND `);
}

export async function listOrders(context: AppContext, actor: Actor, query: OrderQuery) {
  const { page, pageSize, offset } = pageOfList(query);
  const { items, total } = await repo.ordersPage(context.database, await orderWhere(context, actor, query), pageSize, offset);
  return { items: items.map(orderSummary), page, pageSize, total };
}

export const orderStatusNames: Record<ServiceOrderStatus, string> = {
  ordered: '待派单', dispatched: '已派单', accepted: '已接单', completed: '已完成', confirmed: '已确认', cancelled: '已取消', declined: '已退回',
};

/** 服务订单台账: the orders with the list's filters (resident's name and phone masked, like the list). */
export async function orderLedger(context: AppContext, actor: Actor, query: OrderQuery): Promise<Ledger<repo.OrderRow>> {
  const where = await orderWhere(context, actor, query);
  return {
    fileName: `服务订单台账-${chinaToday()}.xlsx`,
    asciiFileName: `service-orders-${chinaToday()}.xlsx`,
    sheetName: '服务订单台账',
    columns: [
      { header: '订单编号', width: 18, value: (r) => r.number },
      { header: '状态', width: 10, value: (r) => orderStatusNames[r.status] ?? r.status },
      { header: '服务类别', value: (r) => r.category_name },
      { header: '服务项目', width: 22, value: (r) => r.offering_name },
      { header: '社区', value: (r) => r.community_name },
      { header: '居民', width: 10, value: (r) => maskName(r.resident_name) },
      { header: '联系电话', width: 14, value: (r) => maskPhone(r.resident_phone) },
      { header: '地址', width: 28, value: (r) => maskAddress(r.address) },
      { header: '期望时间', width: 16, value: (r) => r.preferred_time },
      { header: '服务人', width: 12, value: (r) => r.assignee_name },
      { header: '下单时间', width: 20, time: true, value: (r) => new Date(r.created_at) },
      { header: '完成时间', width: 20, time: true, value: (r) => (r.completed_at ? new Date(r.completed_at) : null) },
      { header: '评分', width: 8, value: (r) => (r.rating === null ? null : Number(r.rating)) },
      { header: '评价', width: 30, value: (r) => r.rating_comment },
    ],
    batches: await prefetchedBatches((after, size) => repo.ordersAfter(context.database, where, after, size)),
  };
}

/** Orders given to me (my party member, or my volunteer record), each with what I can do now. */
export async function myOrders(context: AppContext, actor: Actor, query: { status?: string; page?: number; pageSize?: number }) {
  const volunteerIds = await repo.volunteerIdsOfUser(context.database, actor.userId);
  if (actor.partyMemberId === null && volunteerIds.length === 0) throw new AppError('forbidden', 'Only party members and volunteers have orders of their own');
  const mine = [sql`so.assignee_party_member_id = ${actor.partyMemberId ?? 0}`];
  if (volunteerIds.length) mine.push(sql`so.assignee_volunteer_id IN (${sql.join(volunteerIds.map((v) => sql`${v}`), sql`, `)})`);
  const parts = [sql`so.city_id = ${actor.cityId}`, sql`(${sql.join(mine, sql` OR `)})`];
  if (query.status) parts.push(sql`so.status = ${query.status}`);
  const { page, pageSize, offset } = pageOfList(query);
  const { items, total } = await repo.ordersPage(context.database, sql.join(parts, sql` AND `), pageSize, offset);
  const withActions = await Promise.all(items.map(async (row) => ({ ...orderSummary(row), allowedActions: await allowedActions(context, actor, row) })));
  return { items: withActions, page, pageSize, total };
}

const recordOf = (row: repo.OrderRow, assigneeUserIds: number[]) => ({ cityId: Number(row.city_id), regionPath: row.region_path, assigneeUserIds });

/**
 * May the actor take `action` on the order? Dispatching and cancelling are the community's; accepting,
 * declining and completing belong to the assignee's own login (policy `serve`, assigned), and a party
 * member must still be reported to the community. A volunteer without a login is served on record by
 * the community.
 */
async function mayAct(context: AppContext, actor: Actor, row: repo.OrderRow, action: ServiceOrderAction, executor?: Executor): Promise<boolean> {
  const assignees = await repo.assigneeUserIds(context.database, row, executor);
  const record = recordOf(row, assignees);
  switch (action) {
    case 'dispatch':
    case 'redispatch':
    case 'cancel':
      return can(actor, 'service_order', 'dispatch', record);
    case 'accept':
    case 'decline':
    case 'complete':
      if (row.assignee_party_member_id) {
        return can(actor, 'service_order', 'serve', record) && (await repo.isReportedMember(context.database, executor ?? context.database.db, Number(row.community_id), Number(row.assignee_party_member_id)));
      }
      if (row.assignee_volunteer_id) return can(actor, 'service_order', 'serve', record) || (assignees.length === 0 && can(actor, 'service_order', 'dispatch', record));
      return false;
    default:
      return false;
  }
}

async function allowedActions(context: AppContext, actor: Actor, row: repo.OrderRow): Promise<ServiceOrderAction[]> {
  const actions: ServiceOrderAction[] = [];
  for (const action of orderActionsFrom(row.status)) if (await mayAct(context, actor, row, action)) actions.push(action);
  return actions;
}

async function readableOrder(context: AppContext, actor: Actor, id: number) {
  const row = await repo.findOrder(context.database, id);
  if (!row || Number(row.city_id) !== actor.cityId) throw notFound('Service order');
  authorize(actor, 'service_order', 'read', recordOf(row, await repo.assigneeUserIds(context.database, row)));
  return row;
}

export async function orderDetail(context: AppContext, actor: Actor, id: number) {
  const row = await readableOrder(context, actor, id);
  const record = recordOf(row, []);
  return {
    ...orderSummary(row),
    description: row.description,
    offeringHours: row.offering_hours,
    dispatchedAt: isoOrNull(row.dispatched_at),
    acceptedAt: isoOrNull(row.accepted_at),
    completionNote: row.completion_note,
    confirmedAt: isoOrNull(row.confirmed_at),
    ratingComment: row.rating_comment,
    timeline: await itemTimeline(context.database, SUBJECT, id),
    allowedActions: await allowedActions(context, actor, row),
    canReveal: can(actor, 'service_order', 'dispatch', record),
  };
}

/** The people the community may dispatch an order to, least busy first. */
export async function orderCandidates(context: AppContext, actor: Actor, id: number) {
  const row = await repo.findOrder(context.database, id);
  if (!row || Number(row.city_id) !== actor.cityId) throw notFound('Service order');
  authorize(actor, 'service_order', 'dispatch', recordOf(row, []));
  const rows = await repo.dispatchCandidates(context.database, actor.cityId, Number(row.community_id), row.community_path);
  return { items: rows.map((r) => ({ kind: r.kind, id: Number(r.id), name: r.name, skills: r.skills, openOrders: Number(r.open_orders), hasAccount: Boolean(r.has_account) })) };
}

/** The resident's full name, phone and address for the dispatcher who must call: audited every time. */
export async function revealOrder(context: AppContext, actor: Actor, id: number, reason?: string) {
  const row = await repo.findOrder(context.database, id);
  if (!row || Number(row.city_id) !== actor.cityId) throw notFound('Service order');
  authorize(actor, 'service_order', 'dispatch', recordOf(row, []));
  await context.database.db.transaction(async (tx) => {
    await appendAudit(context.database, tx, auditOf(actor, 'service_order.reveal', SUBJECT, id, { fields: ['residentName', 'residentPhone', 'address'], reason: reason ?? null }));
  });
  return { residentName: row.resident_name, residentPhone: row.resident_phone, address: row.address };
}

export type OrderActionInput =
  | { action: 'dispatch' | 'redispatch'; partyMemberId?: number; volunteerId?: number; note?: string }
  | { action: 'accept'; note?: string }
  | { action: 'decline'; reason: string; note?: string }
  | { action: 'complete'; note: string }
  | { action: 'cancel'; reason: string; note?: string };

/** Who does what, as the timeline (and the public view) shows it. */
const timelineLabel = (actor: Actor) => actor.displayName;

/**
 * One staff action: lock the order, check the version the client read (If-Match), the policy and the
 * table, then status + side records (hours, in-app notice) + item event + audit in one transaction.
 */
export async function performOrderAction(context: AppContext, actor: Actor, id: number, input: OrderActionInput, expectedVersion?: number) {
  await context.database.db.transaction(async (tx) => {
    const row = await repo.findOrder(context.database, id, tx, true);
    if (!row || Number(row.city_id) !== actor.cityId) throw notFound('Service order');
    // Read access first: someone who may not even see the order learns nothing more from the answer.
    authorize(actor, 'service_order', 'read', recordOf(row, await repo.assigneeUserIds(context.database, row, tx)));
    if (expectedVersion !== undefined && expectedVersion !== Number(row.version)) {
      throw new AppError('version_conflict', 'The order changed since you read it: reload and try again', { expected: expectedVersion, current: Number(row.version) });
    }
    const to = nextOrderStatus(row.status, input.action);
    if (!(await mayAct(context, actor, row, input.action, tx))) {
      throw new AppError('forbidden', `Not allowed to ${input.action} this service order`, { resource: SUBJECT, action: input.action });
    }
    const changes: SQL[] = [];
    let note: string | null = input.note ?? null;
    const details: Record<string, unknown> = { number: row.number, from: row.status, to };
    let notify: { userIds: number[] } | null = null;

    if (input.action === 'dispatch' || input.action === 'redispatch') {
      const { partyMemberId, volunteerId } = input;
      if (Boolean(partyMemberId) === Boolean(volunteerId)) throw new AppError('validation_failed', 'Give exactly one of partyMemberId or volunteerId');
      if (partyMemberId) {
        if (!(await repo.isReportedMember(context.database, tx, Number(row.community_id), partyMemberId))) {
          throw new NotAssignableError('This party member is not reported (双报到) to the order\'s community', { partyMemberId, communityId: Number(row.community_id) });
        }
        changes.push(sql`assignee_party_member_id = ${partyMemberId}`, sql`assignee_volunteer_id = NULL`);
        notify = { userIds: await repo.assigneeUserIds(context.database, { assignee_party_member_id: partyMemberId, assignee_volunteer_id: null }, tx) };
        details.partyMemberId = partyMemberId;
      } else {
        const volunteer = await repo.volunteerOfCommunity(context.database, tx, actor.cityId, volunteerId!, row.community_path);
        if (!volunteer) throw new NotAssignableError('This volunteer is not an active volunteer of the order\'s community', { volunteerId, communityId: Number(row.community_id) });
        changes.push(sql`assignee_volunteer_id = ${volunteerId!}`, sql`assignee_party_member_id = NULL`);
        notify = { userIds: volunteer.user_id ? [Number(volunteer.user_id)] : [] };
        details.volunteerId = volunteerId;
      }
      changes.push(sql`dispatched_by = ${actor.userId}`, sql`dispatched_at = now()`, sql`accepted_at = NULL`);
    } else if (input.action === 'accept') {
      changes.push(sql`accepted_at = now()`);
    } else if (input.action === 'decline') {
      // Back to the community, with nobody on it.
      note = input.reason;
      changes.push(sql`assignee_party_member_id = NULL`, sql`assignee_volunteer_id = NULL`, sql`accepted_at = NULL`);
      details.reason = input.reason;
    } else if (input.action === 'complete') {
      note = input.note;
      changes.push(sql`completed_at = now()`, sql`completion_note = ${input.note}`);
    } else if (input.action === 'cancel') {
      note = input.reason;
      details.reason = input.reason;
    }

    const version = await repo.updateOrderStatus(context.database, tx, id, Number(row.version), to, changes);
    if (version === null) throw new AppError('version_conflict', 'The order changed meanwhile: reload and try again');

    if (input.action === 'complete') {
      const hours = row.offering_hours !== null && Number(row.offering_hours) > 0 ? Number(row.offering_hours) : 1;
      const entry = await recordServiceHours(context.database, tx, {
        cityId: actor.cityId, communityId: Number(row.community_id), regionPath: row.community_path,
        partyMemberId: row.assignee_party_member_id ? Number(row.assignee_party_member_id) : null,
        volunteerId: row.assignee_party_member_id ? null : row.assignee_volunteer_id ? Number(row.assignee_volunteer_id) : null,
        sourceKind: 'service_order', sourceId: id, servedOn: chinaToday(), hours, description: `${row.number} ${row.offering_name}`, createdBy: actor.userId,
      });
      details.hours = hours;
      details.hoursEntryId = entry;
    }
    if (notify && notify.userIds.length) {
      await repo.notifyUsers(context.database, tx, {
        cityId: actor.cityId, eventKey: `service_order:${id}:v${version}`, userIds: notify.userIds,
        title: '新的服务订单', body: `${row.number} ${row.offering_name}（${row.community_name}）：请及时接单`, payload: { serviceOrderId: id, number: row.number },
      });
    }
    await appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: SUBJECT, subjectId: id, action: input.action, fromStatus: row.status, toStatus: to, actorUserId: actor.userId, actorLabel: timelineLabel(actor), note });
    await appendAudit(context.database, tx, auditOf(actor, `service_order.${input.action}`, SUBJECT, id, details));
  });
  try {
    return await orderDetail(context, actor, id);
  } catch (error) {
    // A party member who declined no longer reads the order: the answer is just its new state.
    if (!(error instanceof AppError && error.code === 'forbidden')) throw error;
    const row = (await repo.findOrder(context.database, id))!;
    return { id, number: row.number, status: row.status, version: Number(row.version), allowedActions: [] as ServiceOrderAction[] };
  }
}

// ── Residents (no login) ────────────────────────────────────────────────────────────────────────────

async function placeOf(context: AppContext, code: string, executor?: Executor) {
  const rows = await repo.placesByCode(context.database, code, executor);
  if (rows.length !== 1) throw notFound('Place');
  const place = rows[0];
  const community = await communityOfPath(context, place.path, executor);
  if (!community) throw notFound('Community of this place');
  return { place, community };
}

/** The catalogue behind a building's QR code: the community's (and wider) active offerings by category. */
export async function placeServices(context: AppContext, code: string) {
  const { place, community } = await placeOf(context, code);
  const offerings = await repo.offeringsForPlace(context.database, Number(place.city_id), place.path);
  const categories: Array<{ id: number; code: string; name: string; offerings: Array<{ id: number; name: string; description: string }> }> = [];
  for (const o of offerings) {
    let category = categories.find((c) => c.id === Number(o.category_id));
    if (!category) categories.push((category = { id: Number(o.category_id), code: o.category_code, name: o.category_name, offerings: [] }));
    category.offerings.push({ id: Number(o.id), name: o.name, description: o.description });
  }
  return { placeName: place.name, communityName: community.name, categories };
}

export async function placeOrder(
  context: AppContext,
  client: ClientInfo,
  body: { placeCode: string; offeringId: number; name: string; phone: string; description?: string; preferredTime?: string },
) {
  const { intakeLimitPerClient, intakeLimitWindowSeconds } = context.config;
  await enforceRateLimit(context, `service-order-client:${client.ip ?? 'unknown'}`, intakeLimitPerClient, intakeLimitWindowSeconds, 'Too many orders from here: please try again later');
  const { place, community } = await placeOf(context, body.placeCode);
  const cityId = Number(place.city_id);
  const offering = await repo.findOffering(context.database, body.offeringId);
  if (!offering || Number(offering.city_id) !== cityId || !offering.active || !place.path.startsWith(offering.region_path)) throw notFound('Service offered at this place');
  const name = body.name.trim();
  if (!name) throw new AppError('validation_failed', 'Please give your name');
  const { token, hash } = newTrackingToken();
  const created = await context.database.db.transaction(async (tx) => {
    const number = await nextNumber(context.database, tx, cityId, 'service_orders', 'FW');
    const id = await repo.insertOrder(context.database, tx, {
      cityId, number, tokenHash: hash, offeringId: Number(offering.id), categoryId: Number(offering.category_id), communityId: community.id, regionPath: place.path,
      buildingId: place.level === 'building' ? Number(place.id) : null, residentName: name, residentPhone: body.phone, address: place.address ?? place.name,
      description: body.description?.trim() ?? '', preferredTime: body.preferredTime?.trim() || null,
    });
    await appendItemEvent(context.database, tx, { cityId, subjectType: SUBJECT, subjectId: id, action: 'order', toStatus: 'ordered', actorUserId: null, actorLabel: RESIDENT });
    await appendAudit(context.database, tx, residentAudit(cityId, client, 'service_order.order', id, { number, offeringId: Number(offering.id), placeCode: body.placeCode }));
    return { id, number };
  });
  return { number: created.number, trackingToken: token };
}

async function orderByToken(context: AppContext, token: string) {
  const id = await repo.orderIdByTokenHash(context.database, hashTrackingToken(token));
  if (id === null) throw notFound('Service order');
  return id;
}

/** Who acted, as a resident may see it: roles, never staff names. */
const publicActor = (action: string, actorUserId: number | null) =>
  actorUserId === null ? 'resident' : action === 'accept' || action === 'decline' || action === 'complete' ? 'server' : 'community';

export async function publicOrderView(context: AppContext, token: string) {
  const id = await orderByToken(context, token);
  const row = (await repo.findOrder(context.database, id))!;
  const events = await repo.publicEvents(context.database, id);
  return {
    number: row.number,
    status: row.status,
    offeringName: row.offering_name,
    categoryName: row.category_name,
    communityName: row.community_name,
    residentName: maskName(row.resident_name),
    residentPhone: maskPhone(row.resident_phone),
    description: row.description,
    preferredTime: row.preferred_time,
    createdAt: isoOrNull(row.created_at),
    progress: events.map((e) => ({
      action: e.action,
      status: e.to_status,
      by: publicActor(e.action, e.actor_user_id === null ? null : Number(e.actor_user_id)),
      at: isoOrNull(e.created_at),
      // The server's note on completion and the resident's own words; internal reasons stay inside.
      note: e.action === 'complete' || e.actor_user_id === null ? e.note : null,
    })),
    rating: row.rating === null ? null : Number(row.rating),
    ratingComment: row.rating_comment,
    canConfirm: row.status === 'completed',
    canCancel: orderActionsFrom(row.status).includes('cancel'),
  };
}

async function residentAction(context: AppContext, token: string, client: ClientInfo, action: 'confirm' | 'cancel', apply: (row: repo.OrderRow) => { changes: SQL[]; note: string | null; details: Record<string, unknown> }) {
  const id = await orderByToken(context, token);
  await context.database.db.transaction(async (tx) => {
    const row = (await repo.findOrder(context.database, id, tx, true))!;
    const to: ServiceOrderStatus = nextOrderStatus(row.status, action);
    const { changes, note, details } = apply(row);
    const version = await repo.updateOrderStatus(context.database, tx, id, Number(row.version), to, changes);
    if (version === null) throw new AppError('version_conflict', 'The order changed meanwhile: reload and try again');
    await appendItemEvent(context.database, tx, { cityId: Number(row.city_id), subjectType: SUBJECT, subjectId: id, action, fromStatus: row.status, toStatus: to, actorUserId: null, actorLabel: RESIDENT, note });
    await appendAudit(context.database, tx, residentAudit(Number(row.city_id), client, `service_order.${action}`, id, { number: row.number, from: row.status, to, ...details }));
  });
  return publicOrderView(context, token);
}

/** The resident confirms the work with a rating of 1–5, once (a second confirmation is a 409). */
export function confirmOrder(context: AppContext, token: string, client: ClientInfo, body: { rating: number; comment?: string }) {
  return residentAction(context, token, client, 'confirm', (row) => {
    if (row.rating !== null) throw new AppError('conflict', 'This order has already been rated');
    const comment = body.comment?.trim() || null;
    return { changes: [sql`confirmed_at = now()`, sql`rating = ${body.rating}`, sql`rating_comment = ${comment}`], note: comment, details: { rating: body.rating } };
  });
}

export function residentCancel(context: AppContext, token: string, client: ClientInfo, body: { reason?: string }) {
  return residentAction(context, token, client, 'cancel', () => ({ changes: [], note: body.reason?.trim() || null, details: { reason: body.reason ?? null } }));
}
