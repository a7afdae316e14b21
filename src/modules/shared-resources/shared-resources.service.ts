import { sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { auditOf } from '../auth/auth.service.ts';
import { appendItemEvent, actorLabelOf, itemTimeline } from '../community/item-events.ts';
import { likePattern, pageOfList, regionPathOf } from '../community/list-query.ts';
import { chinaToday, keysetBatches, type Ledger } from '../community/list-export.ts';
import { authorize, can, mayEver, requireAbility, scopeFor } from '../policy/authorize.ts';
import type { Actor } from '../policy/actor.ts';
import { regionPathFilter } from '../policy/scope-sql.ts';
import { pointStanding, unitPointBalance } from '../unit-points/unit-points.ledger.ts';
import { isMemberUnit, findUnit } from '../unit-points/unit-points.repository.ts';
import { communityById } from '../unit-points/unit-points.service.ts';
import { bookingActionsFrom, initialBookingStatus, nextBookingStatus, type BookingAction, type BookingStatus } from './shared-resources-lifecycle.ts';
import * as repo from './shared-resources.repository.ts';
import type { BookingFilters, BookingInput, CalendarFilters, ResourceFilters, ResourceInput, ResourcePatch } from './shared-resources.schemas.ts';

export const kindLabels: Record<string, string> = { wall: '文化墙', parking: '停车位', venue: '活动场地', sports_ground: '运动场', meeting_room: '会议室', other: '其他' };
export const termLabels: Record<string, string> = { free: '免费', low_cost: '低偿', paid: '有偿' };
export const bookingStatusLabels: Record<BookingStatus, string> = { pending: '待审批', approved: '已通过', rejected: '已驳回', cancelled: '已取消' };

const HOUR = 3600_000;
/** Seed 001 books a venue for an activity, not a season: one booking spans at most a week. */
export const MAX_BOOKING_MS = 7 * 24 * HOUR;
/** A request sent a moment before its start (clock skew, a slow form) is not "in the past". */
const PAST_GRACE_MS = 60_000;
const MAX_CALENDAR_MS = 62 * 24 * HOUR;

const scoped = (actor: Actor, resource: repo.ResourceRow) => ({ cityId: actor.cityId, regionPath: resource.regionPath, unitId: resource.ownerUnitId });

async function resourceById(context: AppContext, actor: Actor, id: number) {
  const resource = await repo.findResource(context.database, id);
  if (!resource || resource.cityId !== actor.cityId) throw notFound('Shared resource');
  return resource;
}

/** The units this actor is the liaison of, for records under `path` (their unit_contact grants there). */
const liaisonUnitsAt = (actor: Actor, path: string) =>
  [...new Set(actor.grants.filter((g) => g.role === 'unit_contact' && g.unitId !== null && g.regionPath !== null && path.startsWith(g.regionPath)).map((g) => g.unitId as number))];
const isLiaisonOf = (actor: Actor, unitId: number | null) => unitId !== null && actor.grants.some((g) => g.role === 'unit_contact' && g.unitId === unitId);

function abilitiesOn(actor: Actor, resource: repo.ResourceRow) {
  const record = scoped(actor, resource);
  return {
    /** Edit or take out of use: the community, or the owner unit's liaison (the approve rule). */
    edit: can(actor, 'shared_resource', 'approve', record),
    approve: can(actor, 'shared_resource', 'approve', record),
    book: resource.active && can(actor, 'shared_resource', 'book', record),
  };
}

// ---------- resources ----------

async function resourceWhere(context: AppContext, actor: Actor, query: Omit<ResourceFilters, 'page' | 'pageSize'>): Promise<SQL[]> {
  requireAbility(actor, 'shared_resource', 'read');
  const where: SQL[] = [sql`x.city_id = ${actor.cityId}`, regionPathFilter(sql`x.region_path`, scopeFor(actor, 'shared_resource', 'read'))];
  if (query.q?.trim()) {
    const pattern = likePattern(query.q);
    where.push(sql`(x.name LIKE ${pattern} OR x.description LIKE ${pattern} OR coalesce(x.location, '') LIKE ${pattern} OR coalesce(x.owner_unit_name, '') LIKE ${pattern})`);
  }
  if (query.regionId) where.push(sql`x.region_path LIKE ${(await regionPathOf(context, actor, query.regionId)) + '%'}`);
  if (query.kind) where.push(sql`x.kind = ${query.kind}`);
  if (query.terms) where.push(sql`x.terms = ${query.terms}`);
  if (query.ownerUnitId) where.push(sql`x.owner_unit_id = ${query.ownerUnitId}`);
  if (query.active !== undefined) where.push(sql`x.active = ${query.active}`);
  return where;
}

export async function listResources(context: AppContext, actor: Actor, query: ResourceFilters) {
  const where = await resourceWhere(context, actor, query);
  const { page, pageSize, offset } = pageOfList(query);
  const { rows, total } = await repo.listResources(context.database, where, { limit: pageSize, offset });
  return {
    items: rows.map((r) => ({ ...r, abilities: abilitiesOn(actor, r) })),
    page,
    pageSize,
    total,
    /** Where the caller may add resources (the console shows the button). */
    canCreate: mayEver(actor, 'shared_resource', 'manage'),
  };
}

export async function resourceLedger(context: AppContext, actor: Actor, query: Omit<ResourceFilters, 'page' | 'pageSize'>): Promise<Ledger<repo.ResourceRow>> {
  const where = await resourceWhere(context, actor, query);
  const today = chinaToday();
  return {
    fileName: `区域资源清单-${today}.xlsx`,
    asciiFileName: `shared-resources-${today}.xlsx`,
    sheetName: '区域资源清单',
    columns: [
      { header: '名称', width: 24, value: (r) => r.name },
      { header: '类别', width: 12, value: (r) => kindLabels[r.kind] ?? r.kind },
      { header: '社区', width: 16, value: (r) => r.communityName },
      { header: '所属单位', width: 22, value: (r) => r.ownerUnitName ?? '社区' },
      { header: '位置', width: 24, value: (r) => r.location },
      { header: '方式', width: 8, value: (r) => termLabels[r.terms] },
      { header: '收费说明', width: 20, value: (r) => r.priceNote },
      { header: '容量', width: 8, value: (r) => r.capacity },
      { header: '需审批', width: 8, value: (r) => r.requiresApproval },
      { header: '在用', width: 8, value: (r) => r.active },
      { header: '待审批预约', width: 10, value: (r) => r.pendingBookings },
      { header: '未来预约', width: 10, value: (r) => r.upcomingBookings },
      { header: '说明', width: 30, value: (r) => r.description },
    ],
    batches: keysetBatches(async (afterId, size) => (await repo.listResources(context.database, where, { afterId, limit: size })).rows),
  };
}

/** The units the actor may book for here, with their standing (the console's booking form). */
async function bookersFor(context: AppContext, actor: Actor, resource: repo.ResourceRow) {
  const units = liaisonUnitsAt(actor, resource.regionPath);
  const result = [];
  for (const unitId of units) {
    const unit = await findUnit(context.database, unitId);
    if (!unit) continue;
    const { balance, settings } = await unitPointBalance(context.database, unitId, resource.communityId);
    result.push({ unitId, name: unit.name, balance, bookingMinimum: settings.bookingMinimum, standing: pointStanding(balance, settings), mayBook: balance >= settings.bookingMinimum });
  }
  return result;
}

export async function resourceDetail(context: AppContext, actor: Actor, id: number) {
  const resource = await resourceById(context, actor, id);
  authorize(actor, 'shared_resource', 'read', scoped(actor, resource));
  return { ...resource, abilities: abilitiesOn(actor, resource), myUnits: await bookersFor(context, actor, resource), timeline: await itemTimeline(context.database, 'shared_resource', resource.id) };
}

const blankToNull = (value: string | null | undefined) => (value && value.trim() ? value.trim() : null);

export async function createResource(context: AppContext, actor: Actor, input: ResourceInput) {
  const community = await communityById(context, actor, input.communityId);
  authorize(actor, 'shared_resource', 'manage', { cityId: actor.cityId, regionPath: community.path });
  const ownerUnitId = input.ownerUnitId ?? null;
  if (ownerUnitId !== null) {
    const unit = await findUnit(context.database, ownerUnitId);
    if (!unit || unit.cityId !== actor.cityId) throw new AppError('validation_failed', 'Unknown owner unit', { ownerUnitId });
    if (!(await isMemberUnit(context.database, actor.cityId, ownerUnitId, community.id))) {
      throw new AppError('validation_failed', `${unit.name} is not a unit of ${community.name}`, { ownerUnitId, communityId: community.id });
    }
  }
  const name = input.name.trim();
  if (!name) throw new AppError('validation_failed', 'A resource needs a name', { field: 'name' });
  const id = await context.database.db.transaction(async (tx) => {
    const id = await repo.insertResource(context.database, tx, {
      cityId: actor.cityId,
      communityId: community.id,
      regionPath: community.path,
      ownerUnitId,
      kind: input.kind,
      name,
      description: input.description?.trim() ?? '',
      location: blankToNull(input.location),
      terms: input.terms,
      priceNote: input.terms === 'free' ? null : blankToNull(input.priceNote),
      requiresApproval: input.requiresApproval,
      capacity: input.capacity ?? null,
    });
    await appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: 'shared_resource', subjectId: id, action: 'create', toStatus: 'active', actorUserId: actor.userId, actorLabel: actorLabelOf(actor) });
    await appendAudit(context.database, tx, auditOf(actor, 'shared_resource.create', 'shared_resource', id, { communityId: community.id, ownerUnitId, kind: input.kind, name, terms: input.terms }));
    return id;
  });
  return resourceDetail(context, actor, id);
}

/** Community staff, or the owner unit's liaison for its own resource, change it (incl. taking it out of use). */
export async function updateResource(context: AppContext, actor: Actor, id: number, patch: ResourcePatch) {
  const resource = await resourceById(context, actor, id);
  authorize(actor, 'shared_resource', 'approve', scoped(actor, resource));
  const changes: Record<string, unknown> = { ...patch };
  if (typeof patch.name === 'string') {
    changes.name = patch.name.trim();
    if (!changes.name) throw new AppError('validation_failed', 'A resource needs a name', { field: 'name' });
  }
  if ('location' in patch) changes.location = blankToNull(patch.location);
  if ('priceNote' in patch) changes.priceNote = blankToNull(patch.priceNote);
  if ((patch.terms ?? resource.terms) === 'free' && (patch.terms !== undefined || 'priceNote' in patch)) changes.priceNote = null;
  const changed = Object.keys(changes).filter((key) => (resource as unknown as Record<string, unknown>)[key] !== changes[key]);
  if (changed.length === 0) return resourceDetail(context, actor, id);
  const diff = Object.fromEntries(changed.map((key) => [key, { from: (resource as unknown as Record<string, unknown>)[key] ?? null, to: changes[key] ?? null }]));
  await context.database.db.transaction(async (tx) => {
    await repo.updateResource(context.database, tx, id, Object.fromEntries(changed.map((key) => [key, changes[key]])));
    const statusChange = 'active' in diff ? { fromStatus: resource.active ? 'active' : 'inactive', toStatus: patch.active ? 'active' : 'inactive' } : {};
    await appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: 'shared_resource', subjectId: id, action: 'active' in diff ? (patch.active ? 'reopen' : 'withdraw') : 'update', ...statusChange, actorUserId: actor.userId, actorLabel: actorLabelOf(actor), note: changed.join(', ') });
    await appendAudit(context.database, tx, auditOf(actor, 'shared_resource.update', 'shared_resource', id, { changes: diff }));
  });
  return resourceDetail(context, actor, id);
}

// ---------- calendar ----------

/** Monday 00:00 of this week in Asia/Shanghai. */
export function startOfChinaWeek(now = new Date()): Date {
  const local = new Date(now.getTime() + 8 * HOUR);
  const daysSinceMonday = (local.getUTCDay() + 6) % 7;
  const monday = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() - daysSinceMonday);
  return new Date(monday - 8 * HOUR);
}

export async function resourceCalendar(context: AppContext, actor: Actor, id: number, query: CalendarFilters) {
  const resource = await resourceById(context, actor, id);
  authorize(actor, 'shared_resource', 'read', scoped(actor, resource));
  const from = query.from ? new Date(query.from) : startOfChinaWeek();
  const to = query.to ? new Date(query.to) : new Date(from.getTime() + 7 * 24 * HOUR);
  if (!(from.getTime() < to.getTime())) throw new AppError('validation_failed', '`from` must be before `to`', { from: query.from, to: query.to });
  if (to.getTime() - from.getTime() > MAX_CALENDAR_MS) throw new AppError('validation_failed', 'A calendar spans at most 62 days', { from: query.from, to: query.to });
  const bookings = await repo.bookingsOverlapping(context.database, resource.id, from.toISOString(), to.toISOString(), !query.includeClosed);
  return { resource: { id: resource.id, name: resource.name, requiresApproval: resource.requiresApproval }, from: from.toISOString(), to: to.toISOString(), items: bookings.map((b) => bookingView(actor, b)) };
}

// ---------- bookings ----------

function bookingView(actor: Actor, booking: repo.BookingRow) {
  const record = { cityId: actor.cityId, regionPath: booking.regionPath, unitId: booking.ownerUnitId };
  const allowed = bookingActionsFrom(booking.status).filter((action) => mayAct(actor, booking, action, record));
  return { ...booking, statusLabel: bookingStatusLabels[booking.status], allowedActions: allowed };
}

function mayAct(actor: Actor, booking: repo.BookingRow, action: BookingAction, record: { cityId: number; regionPath: string; unitId: number | null }) {
  if (action === 'cancel') {
    return isLiaisonOf(actor, booking.bookerUnitId) || (booking.bookerUnitId === null && booking.bookerUserId === actor.userId) || can(actor, 'shared_resource', 'manage', record);
  }
  return can(actor, 'shared_resource', 'approve', record);
}

const pgCodeOf = (error: unknown): string | undefined => {
  const e = error as { code?: unknown; cause?: { code?: unknown } };
  const code = typeof e?.cause?.code === 'string' ? e.cause.code : typeof e?.code === 'string' ? e.code : undefined;
  return code;
};

const formatChina = (iso: string) => new Date(new Date(iso).getTime() + 8 * HOUR).toISOString().slice(0, 16).replace('T', ' ');

export async function book(context: AppContext, actor: Actor, resourceId: number, input: BookingInput) {
  const resource = await resourceById(context, actor, resourceId);
  authorize(actor, 'shared_resource', 'book', scoped(actor, resource));
  if (!resource.active) throw new AppError('conflict', 'This resource is not in use at the moment', { resourceId, active: false });

  // Period: half-open [from, to), so one booking may end exactly when the next begins.
  const from = new Date(input.from);
  const to = new Date(input.to);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw new AppError('validation_failed', 'from and to must be instants', { from: input.from, to: input.to });
  if (!(from.getTime() < to.getTime())) throw new AppError('validation_failed', 'The booking must end after it starts', { from: input.from, to: input.to });
  if (to.getTime() - from.getTime() > MAX_BOOKING_MS) throw new AppError('validation_failed', 'A booking lasts at most 7 days', { from: input.from, to: input.to, maxDays: 7 });
  if (from.getTime() < Date.now() - PAST_GRACE_MS) throw new AppError('validation_failed', 'A booking cannot start in the past', { from: input.from });
  const purpose = input.purpose.trim();
  if (purpose.length < 2) throw new AppError('validation_failed', 'Say what the booking is for', { field: 'purpose' });

  // Who books: a liaison for its own unit, community staff for a unit of the community or for the community itself.
  const mayManage = can(actor, 'shared_resource', 'manage', scoped(actor, resource));
  const ownUnits = liaisonUnitsAt(actor, resource.regionPath);
  let bookerUnitId: number | null;
  if (input.unitId !== undefined) {
    if (!ownUnits.includes(input.unitId) && !mayManage) throw new AppError('forbidden', 'You may book only for your own unit', { unitId: input.unitId });
    bookerUnitId = input.unitId;
  } else if (ownUnits.length === 1) {
    bookerUnitId = ownUnits[0];
  } else if (ownUnits.length > 1 && !mayManage) {
    throw new AppError('validation_failed', 'You are the liaison of several units here: say which one books (unitId)', { unitIds: ownUnits });
  } else {
    bookerUnitId = null;
  }
  let bookerLabel = `${resource.communityName}（社区）`;
  if (bookerUnitId !== null) {
    const unit = await findUnit(context.database, bookerUnitId);
    if (!unit || unit.cityId !== actor.cityId) throw new AppError('validation_failed', 'Unknown unit', { unitId: bookerUnitId });
    if (!(await isMemberUnit(context.database, actor.cityId, unit.id, resource.communityId))) {
      throw new AppError('validation_failed', `${unit.name} is not a unit of ${resource.communityName}`, { unitId: unit.id, communityId: resource.communityId });
    }
    bookerLabel = unit.name;
  }

  const status = initialBookingStatus(resource.requiresApproval);
  try {
    const id = await context.database.db.transaction(async (tx) => {
      if (bookerUnitId !== null) {
        // Seed 001: a unit below the community's booking minimum loses access to shared resources. Read in the
        // booking's own transaction, so the refusal and the booking see the same ledger.
        const { balance, settings } = await unitPointBalance(context.database, bookerUnitId, resource.communityId, tx);
        if (balance < settings.bookingMinimum) {
          throw new AppError('forbidden', `${bookerLabel} has ${balance} points, below the ${settings.bookingMinimum} needed to book shared resources`, {
            reason: 'points_below_booking_minimum',
            unitId: bookerUnitId,
            balance,
            bookingMinimum: settings.bookingMinimum,
          });
        }
      }
      const id = await repo.insertBooking(context.database, tx, {
        cityId: actor.cityId,
        resourceId: resource.id,
        regionPath: resource.regionPath,
        bookerUnitId,
        bookerUserId: actor.userId,
        bookerLabel,
        purpose,
        from: from.toISOString(),
        to: to.toISOString(),
        status,
        decidedBy: null,
      });
      await appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: 'resource_booking', subjectId: id, action: 'book', toStatus: status, actorUserId: actor.userId, actorLabel: actorLabelOf(actor), note: purpose });
      await appendAudit(context.database, tx, auditOf(actor, 'shared_resource.book', 'resource_booking', id, { resourceId: resource.id, bookerUnitId, from: from.toISOString(), to: to.toISOString(), status }));
      return id;
    });
    return bookingDetail(context, actor, id);
  } catch (error) {
    // The database is the rule (EXCLUDE … WHERE status in ('pending','approved')); the read below only names the clash.
    if (pgCodeOf(error) === '23P01') {
      const clashes = await repo.bookingsOverlapping(context.database, resource.id, from.toISOString(), to.toISOString(), true);
      const clash = clashes[0];
      throw new AppError(
        'conflict',
        clash ? `${resource.name} is already booked ${formatChina(clash.from)} – ${formatChina(clash.to)} (${clash.bookerLabel}, ${bookingStatusLabels[clash.status]})` : `${resource.name} is already booked in this period`,
        { reason: 'period_taken', clashes: clashes.map((c) => ({ bookingId: c.id, from: c.from, to: c.to, status: c.status, bookerLabel: c.bookerLabel })) },
      );
    }
    throw error;
  }
}

async function bookingById(context: AppContext, actor: Actor, id: number) {
  const booking = await repo.findBooking(context.database, id);
  if (!booking || booking.cityId !== actor.cityId) throw notFound('Booking');
  return booking;
}

export async function bookingDetail(context: AppContext, actor: Actor, id: number) {
  const booking = await bookingById(context, actor, id);
  authorize(actor, 'shared_resource', 'read', { cityId: actor.cityId, regionPath: booking.regionPath, unitId: booking.ownerUnitId });
  return { ...bookingView(actor, booking), timeline: await itemTimeline(context.database, 'resource_booking', booking.id) };
}

export async function actOnBooking(context: AppContext, actor: Actor, id: number, action: BookingAction, note: string | null) {
  const booking = await bookingById(context, actor, id);
  const record = { cityId: actor.cityId, regionPath: booking.regionPath, unitId: booking.ownerUnitId };
  authorize(actor, 'shared_resource', 'read', record);
  if (!mayAct(actor, booking, action, record)) {
    throw new AppError('forbidden', action === 'cancel' ? 'Only the booker or the community may cancel this booking' : 'Only the owner of this resource or the community may decide on its bookings', { action });
  }
  const trimmed = note?.trim() || null;
  if (action === 'reject' && !trimmed) throw new AppError('validation_failed', 'Say why the booking is rejected', { field: 'note' });
  await context.database.db.transaction(async (tx) => {
    const current = await repo.findBooking(context.database, id, tx, true);
    if (!current) throw notFound('Booking');
    const to = nextBookingStatus(current.status, action);
    const moved = await repo.setBookingStatus(context.database, tx, id, current.status, to, action === 'cancel' ? null : { userId: actor.userId, note: trimmed });
    if (!moved) throw new AppError('version_conflict', 'The booking changed meanwhile; reload it', { id });
    await appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: 'resource_booking', subjectId: id, action, fromStatus: current.status, toStatus: to, actorUserId: actor.userId, actorLabel: actorLabelOf(actor), note: trimmed });
    await appendAudit(context.database, tx, auditOf(actor, `shared_resource.booking_${action}`, 'resource_booking', id, { resourceId: current.resourceId, from: current.status, to, note: trimmed }));
  });
  return bookingDetail(context, actor, id);
}

async function bookingWhere(context: AppContext, actor: Actor, query: Omit<BookingFilters, 'page' | 'pageSize'>): Promise<SQL[]> {
  requireAbility(actor, 'shared_resource', 'read');
  const where: SQL[] = [sql`x.city_id = ${actor.cityId}`, regionPathFilter(sql`x.region_path`, scopeFor(actor, 'shared_resource', 'read'))];
  if (query.toDecide) where.push(sql`x.status = 'pending'`, regionPathFilter(sql`x.region_path`, scopeFor(actor, 'shared_resource', 'approve'), sql`x.owner_unit_id`));
  if (query.q?.trim()) {
    const pattern = likePattern(query.q);
    where.push(sql`(x.resource_name LIKE ${pattern} OR x.booker_label LIKE ${pattern} OR x.purpose LIKE ${pattern})`);
  }
  if (query.regionId) where.push(sql`x.region_path LIKE ${(await regionPathOf(context, actor, query.regionId)) + '%'}`);
  if (query.status) where.push(sql`x.status = ${query.status}`);
  if (query.resourceId) where.push(sql`x.resource_id = ${query.resourceId}`);
  if (query.unitId) where.push(sql`x.booker_unit_id = ${query.unitId}`);
  // from/to: bookings whose period touches those days (Asia/Shanghai).
  if (query.from) where.push(sql`x.period_to > (${query.from}::date)::timestamp AT TIME ZONE 'Asia/Shanghai'`);
  if (query.to) where.push(sql`x.period_from < (${query.to}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'`);
  return where;
}

export async function listBookings(context: AppContext, actor: Actor, query: BookingFilters) {
  const where = await bookingWhere(context, actor, query);
  const { page, pageSize, offset } = pageOfList(query);
  const { rows, total } = await repo.listBookings(context.database, where, { limit: pageSize, offset });
  return { items: rows.map((b) => bookingView(actor, b)), page, pageSize, total };
}

export async function bookingLedger(context: AppContext, actor: Actor, query: Omit<BookingFilters, 'page' | 'pageSize'>): Promise<Ledger<repo.BookingRow>> {
  const where = await bookingWhere(context, actor, query);
  const today = chinaToday();
  return {
    fileName: `资源预约台账-${today}.xlsx`,
    asciiFileName: `resource-bookings-${today}.xlsx`,
    sheetName: '资源预约',
    columns: [
      { header: '资源', width: 22, value: (r) => r.resourceName },
      { header: '类别', width: 10, value: (r) => kindLabels[r.resourceKind] ?? r.resourceKind },
      { header: '社区', width: 16, value: (r) => r.communityName },
      { header: '预约方', width: 22, value: (r) => r.bookerLabel },
      { header: '用途', width: 30, value: (r) => r.purpose },
      { header: '开始', width: 20, value: (r) => new Date(r.from), time: true },
      { header: '结束', width: 20, value: (r) => new Date(r.to), time: true },
      { header: '状态', width: 10, value: (r) => bookingStatusLabels[r.status] },
      { header: '审批人', width: 12, value: (r) => r.decidedByName },
      { header: '审批意见', width: 24, value: (r) => r.decisionNote },
      { header: '提交时间', width: 20, value: (r) => new Date(r.createdAt), time: true },
    ],
    batches: keysetBatches(async (afterId, size) => (await repo.listBookings(context.database, where, { afterId, limit: size })).rows),
  };
}
