import { sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import { AppError, forbidden, notFound } from '../../shared/errors.ts';
import { maskName, maskPhone } from '../../shared/personal-data.ts';
import { enforceRateLimit } from '../../shared/rate-limit.ts';
import { appendAudit, type AuditEntry } from '../audit/audit.service.ts';
import { auditOf, type ClientInfo } from '../auth/auth.service.ts';
import { appendItemEvent, itemTimeline } from '../community/item-events.ts';
import { chinaToday, keysetBatches, type Ledger } from '../community/list-export.ts';
import { commonFilters, communityOfPath, nodeOf, pageOfList, type ListFilters } from '../community/list-query.ts';
import { hashTrackingToken, newTrackingToken, nextNumber } from '../community/tokens.ts';
import { recordServiceHours } from '../dual-reporting/service-hours.ledger.ts';
import { readPhotoFile } from '../photos/photo-storage.ts';
import type { Actor } from '../policy/actor.ts';
import { authorize, can, mayEver, requireAbility, scopeFor } from '../policy/authorize.ts';
import { regionPathFilter } from '../policy/scope-sql.ts';
import { awardUnitPoints } from '../unit-points/unit-points.ledger.ts';
import { nextWishStatus, wallStatuses, wishActionsFrom, type MicroWishAction, type MicroWishStatus } from './micro-wishes-lifecycle.ts';
import {
  claimIfPosted,
  findWishById,
  findWishByTokenHash,
  insertWish,
  lockUpload,
  lockWish,
  markUploadCity,
  pageOfWishes,
  placeOfCode,
  updateWishStatus,
  wallPhotoStorageKey,
  wishesAfter,
  type WishRow,
} from './micro-wishes.repository.ts';
import { isoOrNull } from '../../db/row-values.ts';

const SUBJECT = 'micro_wish';
const RESIDENT = '居民';
export const wishPhotoUrl = (token: string | null) => (token ? `/api/v1/public/wish-photos/${token}` : null);

export interface WishInput {
  title: string;
  description?: string;
  wisherKind: string;
  wisherName: string;
  wisherPhone?: string;
  photoToken?: string;
}

const record = (wish: Pick<WishRow, 'cityId' | 'regionPath'>) => ({ cityId: wish.cityId, regionPath: wish.regionPath });

/** Who claimed a wish, as anyone may see it: the unit's name, or 党员 and the member's masked name. */
export function claimerLabel(wish: WishRow): { kind: 'unit' | 'party_member'; label: string } | null {
  if (wish.claimedByUnitId !== null) return { kind: 'unit', label: wish.claimedByUnitName ?? '驻区单位' };
  if (wish.claimedByPartyMemberId !== null) return { kind: 'party_member', label: `党员 ${maskName(wish.claimedByPartyMemberName) ?? ''}`.trim() };
  return null;
}

const pgErrorOf = (error: unknown) => ((error as { cause?: unknown }).cause ?? error) as { code?: string; constraint?: string };

// ── Who may do what ─────────────────────────────────────────────────────────────────────────────────

/** The party member or unit this actor claims as, where the wish lies (a 双报到 or assignment grant there). */
function claimerOf(actor: Actor, wish: WishRow, as?: 'unit' | 'party_member') {
  const covers = (path: string | null) => path !== null && wish.regionPath.startsWith(path);
  const unitGrant = actor.grants.find((g) => g.role === 'unit_contact' && g.unitId !== null && covers(g.regionPath));
  const memberGrant = actor.partyMemberId !== null ? actor.grants.find((g) => g.role === 'party_member' && covers(g.regionPath)) : undefined;
  if (as !== 'party_member' && unitGrant) return { unitId: unitGrant.unitId, partyMemberId: null, label: unitGrant.unitName ?? actor.displayName };
  if (as !== 'unit' && memberGrant) return { unitId: null, partyMemberId: actor.partyMemberId, label: actor.displayName };
  return null;
}

/** The claimer: the user who claimed, the same party member, or a liaison of the claiming unit placed there. */
function isClaimer(actor: Actor, wish: WishRow): boolean {
  if (wish.cityId !== actor.cityId || (wish.claimedByUnitId === null && wish.claimedByPartyMemberId === null)) return false;
  if (wish.claimedByUserId === actor.userId) return true;
  const covers = (path: string | null) => path !== null && wish.regionPath.startsWith(path);
  if (wish.claimedByPartyMemberId !== null && actor.partyMemberId === wish.claimedByPartyMemberId) return actor.grants.some((g) => g.role === 'party_member' && covers(g.regionPath));
  if (wish.claimedByUnitId !== null) return actor.grants.some((g) => g.role === 'unit_contact' && g.unitId === wish.claimedByUnitId && covers(g.regionPath));
  return false;
}

function mayAct(actor: Actor, wish: WishRow, action: MicroWishAction): boolean {
  switch (action) {
    case 'claim':
      return can(actor, 'micro_wish', 'claim', record(wish)) && claimerOf(actor, wish) !== null;
    case 'fulfil':
      return isClaimer(actor, wish);
    case 'release':
      return isClaimer(actor, wish) || can(actor, 'micro_wish', 'manage', record(wish));
    case 'confirm':
      return can(actor, 'micro_wish', 'manage', record(wish));
    case 'withdraw':
      return can(actor, 'micro_wish', 'manage', record(wish)) || (wish.createdBy === actor.userId && can(actor, 'micro_wish', 'post', record(wish)));
  }
}

const mayReveal = (actor: Actor, wish: WishRow) => isClaimer(actor, wish) || can(actor, 'micro_wish', 'manage', record(wish));

/** The buttons: the lifecycle's next steps this actor may take now. */
export const allowedActions = (actor: Actor, wish: WishRow): MicroWishAction[] => (wishActionsFrom(wish.status) as MicroWishAction[]).filter((a) => mayAct(actor, wish, a));

// ── Views ───────────────────────────────────────────────────────────────────────────────────────────

/** A wish for the console: names and phone masked; the full ones only through reveal. */
function staffView(actor: Actor, wish: WishRow) {
  return {
    id: wish.id,
    number: wish.number,
    title: wish.title,
    description: wish.description,
    wisherKind: wish.wisherKind,
    wisherName: maskName(wish.wisherName),
    wisherPhone: maskPhone(wish.wisherPhone),
    status: wish.status,
    communityId: wish.communityId,
    communityName: wish.communityName,
    buildingName: wish.buildingName,
    photoUrl: wishPhotoUrl(wish.photoKey),
    claimedBy: claimerLabel(wish),
    claimedAt: isoOrNull(wish.claimedAt),
    fulfilledAt: isoOrNull(wish.fulfilledAt),
    fulfilmentNote: wish.fulfilmentNote,
    fulfilmentPhotoUrl: wishPhotoUrl(wish.fulfilmentPhotoKey),
    confirmedAt: isoOrNull(wish.confirmedAt),
    thanksNote: wish.thanksNote,
    createdAt: wish.createdAt.toISOString(),
    version: wish.version,
    allowedActions: allowedActions(actor, wish),
    mayReveal: mayReveal(actor, wish),
  };
}

/** A wish on the public wall: no phone, the wisher's name masked, no ids. */
function wallView(wish: WishRow) {
  return {
    number: wish.number,
    title: wish.title,
    description: wish.description,
    wisherKind: wish.wisherKind,
    wisherName: maskName(wish.wisherName),
    status: wish.status,
    photoUrl: wishPhotoUrl(wish.photoKey),
    claimedBy: claimerLabel(wish),
    createdAt: wish.createdAt.toISOString(),
    fulfilledAt: isoOrNull(wish.fulfilledAt),
    confirmedAt: isoOrNull(wish.confirmedAt),
  };
}

// ── Places and photos ───────────────────────────────────────────────────────────────────────────────

async function placeByCode(context: AppContext, code: string, cityCode?: string) {
  const rows = await placeOfCode(context.database, code, cityCode);
  if (rows.length > 1) throw new AppError('validation_failed', 'The place code exists in several cities: give cityCode');
  const [node] = rows;
  if (!node) throw notFound('Place');
  const community = await communityOfPath(context, node.path);
  if (!community) throw notFound('Place');
  return { cityId: Number(node.city_id), nodeId: Number(node.id), level: node.level, path: node.path, community };
}

/**
 * Ties an uploaded photo to a wish, in the wish's transaction: it must be the poster's own upload (same
 * user; anonymously the same client address), attached to nothing yet. Anything else is as good as unknown.
 */
async function claimUpload(context: AppContext, tx: Executor, token: string, cityId: number, uploader: { userId: number | null; ip: string | null }) {
  const upload = await lockUpload(context.database, tx, token);
  const own =
    upload &&
    (upload.uploaded_by_user_id === null
      ? uploader.ip !== null && upload.uploaded_from_ip === uploader.ip
      : upload.uploaded_by_user_id === uploader.userId);
  if (!upload || !own || (upload.city_id !== null && upload.city_id !== cityId)) throw new AppError('validation_failed', 'The photo cannot be attached: upload it again', { photoToken: 'unknown' });
  if (upload.case_id !== null || upload.used) throw new AppError('validation_failed', 'The photo is already attached elsewhere: upload it again', { photoToken: 'already_attached' });
  await markUploadCity(context.database, tx, upload.id, cityId);
}

export async function wallPhoto(context: AppContext, token: string): Promise<Buffer> {
  const key = await wallPhotoStorageKey(context.database, token);
  const bytes = key ? await readPhotoFile(context.config, key) : null;
  if (!bytes) throw notFound('Photo');
  return bytes;
}

// ── Posting ─────────────────────────────────────────────────────────────────────────────────────────

interface Placement {
  cityId: number;
  communityId: number;
  regionPath: string;
  buildingId: number | null;
}

async function createWish(context: AppContext, placement: Placement, input: WishInput, by: { actor: Actor | null; client: ClientInfo }) {
  const phone = input.wisherPhone?.trim() || null;
  for (let attempt = 1; ; attempt++) {
    const { token, hash } = newTrackingToken();
    try {
      return await context.database.db.transaction(async (tx) => {
        const number = await nextNumber(context.database, tx, placement.cityId, 'micro_wishes', 'WX');
        if (input.photoToken) await claimUpload(context, tx, input.photoToken, placement.cityId, { userId: by.actor?.userId ?? null, ip: by.client.ip });
        const id = await insertWish(context.database, tx, {
          ...placement,
          number,
          trackingTokenHash: hash,
          title: input.title.trim(),
          description: (input.description ?? '').trim(),
          wisherKind: input.wisherKind,
          wisherName: input.wisherName.trim(),
          wisherPhone: phone,
          photoKey: input.photoToken ?? null,
          createdBy: by.actor?.userId ?? null,
        });
        await appendItemEvent(context.database, tx, { cityId: placement.cityId, subjectType: SUBJECT, subjectId: id, action: 'post', toStatus: 'posted', actorUserId: by.actor?.userId ?? null, actorLabel: by.actor?.displayName ?? RESIDENT });
        const details = { number, onBehalf: by.actor !== null, photo: Boolean(input.photoToken) };
        await appendAudit(context.database, tx, by.actor ? auditOf(by.actor, 'micro_wish.post', SUBJECT, id, details) : residentAudit(placement.cityId, 'micro_wish.post', id, by.client, details));
        return { id, number, trackingToken: token };
      });
    } catch (error) {
      // Two posts on the same day may count the same next number: the unique index refuses one; count again.
      if (attempt < 5 && pgErrorOf(error).code === '23505' && pgErrorOf(error).constraint === 'micro_wishes_city_number_uq') continue;
      throw error;
    }
  }
}

const residentAudit = (cityId: number, action: string, id: number, client: ClientInfo, details?: Record<string, unknown>): AuditEntry => ({
  cityId,
  actorUserId: null,
  actorName: RESIDENT,
  action,
  resourceType: SUBJECT,
  resourceId: id,
  outcome: 'success',
  ip: client.ip,
  userAgent: client.userAgent,
  details: details ?? null,
});

/** A resident posts on the wall of the place they scanned (anonymous, limited per client and per place). */
export async function postPublicWish(context: AppContext, code: string, cityCode: string | undefined, input: WishInput & { consent?: boolean }, client: ClientInfo) {
  const { intakeLimitPerClient, intakeLimitPerPlace, intakeLimitWindowSeconds } = context.config;
  await enforceRateLimit(context, `wish-client:${client.ip ?? 'unknown'}`, intakeLimitPerClient, intakeLimitWindowSeconds, 'Too many wishes from here: please try again later');
  const place = await placeByCode(context, code, cityCode);
  await enforceRateLimit(context, `wish-place:${place.nodeId}`, intakeLimitPerPlace, intakeLimitWindowSeconds, 'Too many wishes for this place right now: please try again later');
  if (input.wisherPhone && !input.consent) throw new AppError('validation_failed', 'Leaving a phone number needs your consent', { field: 'consent' });
  const created = await createWish(context, { cityId: place.cityId, communityId: place.community.id, regionPath: place.path, buildingId: place.level === 'building' ? place.nodeId : null }, input, { actor: null, client });
  return { number: created.number, trackingToken: created.trackingToken };
}

/** Community staff, grid workers and building heads post for a resident who cannot (policy micro_wish.post). */
export async function postStaffWish(context: AppContext, actor: Actor, input: WishInput & { regionId: number }, client: ClientInfo) {
  requireAbility(actor, 'micro_wish', 'post');
  const node = await nodeOf(context, actor, input.regionId, ['community', 'grid', 'building']);
  authorize(actor, 'micro_wish', 'post', { cityId: actor.cityId, regionPath: node.path });
  const community = node.level === 'community' ? node : await communityOfPath(context, node.path);
  if (!community) throw new AppError('validation_failed', 'The place is not inside a community', { regionId: input.regionId });
  const created = await createWish(context, { cityId: actor.cityId, communityId: community.id, regionPath: node.path, buildingId: node.level === 'building' ? node.id : null }, input, { actor, client });
  return { ...(await wishDetail(context, actor, created.id)), trackingToken: created.trackingToken };
}

// ── Reading ─────────────────────────────────────────────────────────────────────────────────────────

export async function publicWall(context: AppContext, code: string, query: { cityCode?: string; status?: string; page?: number; pageSize?: number }) {
  const place = await placeByCode(context, code, query.cityCode);
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? 50;
  const statuses = query.status ? [query.status] : wallStatuses;
  const where = sql`w.city_id = ${place.cityId} AND w.community_id = ${place.community.id} AND w.status IN (${sql.join(statuses.map((s) => sql`${s}`), sql`, `)})`;
  const { items, total } = await pageOfWishes(context.database, where, pageSize, (page - 1) * pageSize);
  return { communityName: place.community.name, items: items.map(wallView), page, pageSize, total };
}

async function wishOfToken(context: AppContext, token: string, executor?: Executor) {
  const wish = await findWishByTokenHash(context.database, hashTrackingToken(token), executor);
  if (!wish) throw notFound('Wish');
  return wish;
}

/** The wisher's page: their wish, who took it, the timeline, and what they can do now. */
export async function publicWishView(context: AppContext, token: string) {
  const wish = await wishOfToken(context, token);
  const timeline = await itemTimeline(context.database, SUBJECT, wish.id);
  return {
    ...wallView(wish),
    communityName: wish.communityName,
    claimedAt: isoOrNull(wish.claimedAt),
    fulfilmentNote: wish.fulfilmentNote,
    fulfilmentPhotoUrl: wishPhotoUrl(wish.fulfilmentPhotoKey),
    thanksNote: wish.thanksNote,
    timeline: timeline.map((e) => ({ action: e.action, status: e.toStatus, actorLabel: e.actorLabel, note: e.action === 'fulfil' || e.action === 'confirm' ? e.note : null, at: e.at })),
    canConfirm: wish.status === 'fulfilled',
    canWithdraw: wish.status === 'posted',
  };
}

async function visibleWish(context: AppContext, actor: Actor, id: number) {
  const wish = await findWishById(context.database, id);
  if (!wish || wish.cityId !== actor.cityId) throw notFound('Wish');
  authorize(actor, 'micro_wish', 'read', record(wish));
  return wish;
}

export async function wishDetail(context: AppContext, actor: Actor, id: number) {
  const wish = await visibleWish(context, actor, id);
  return { ...staffView(actor, wish), timeline: await itemTimeline(context.database, SUBJECT, wish.id) };
}

export interface WishListFilters extends ListFilters {
  kind?: string;
}

async function listWhere(context: AppContext, actor: Actor, query: WishListFilters): Promise<SQL> {
  requireAbility(actor, 'micro_wish', 'read');
  const parts = [
    sql`w.city_id = ${actor.cityId}`,
    regionPathFilter(sql`w.region_path`, scopeFor(actor, 'micro_wish', 'read')),
    ...(await commonFilters(context, actor, query, { path: sql`w.region_path`, search: [sql`w.title`, sql`w.number`, sql`w.description`], status: sql`w.status`, createdAt: sql`w.created_at` })),
  ];
  if (query.kind) parts.push(sql`w.wisher_kind = ${query.kind}`);
  return sql.join(parts, sql` AND `);
}

/** 微心愿墙 in the console: the wishes of the actor's area, filtered and paged, with each row's buttons. */
export async function listWishes(context: AppContext, actor: Actor, query: WishListFilters) {
  const where = await listWhere(context, actor, query);
  const { page, pageSize, offset } = pageOfList(query);
  const { items, total } = await pageOfWishes(context.database, where, pageSize, offset);
  // mayPost: the console's "post for a resident" button, from the same policy (no rule copied into the UI).
  return { items: items.map((w) => staffView(actor, w)), page, pageSize, total, mayPost: mayEver(actor, 'micro_wish', 'post') };
}

const statusWords: Record<MicroWishStatus, string> = { posted: '待认领', claimed: '已认领', fulfilled: '已实现', confirmed: '已确认', withdrawn: '已撤回' };
const kindWords: Record<string, string> = { elderly: '老人', child: '儿童', disabled: '残疾人', low_income: '困难群众', other: '其他' };

/** 微心愿台账: the same filters, every page, streamed (names masked as on screen). */
export async function wishLedger(context: AppContext, actor: Actor, query: WishListFilters): Promise<Ledger<WishRow>> {
  const where = await listWhere(context, actor, query);
  const today = chinaToday();
  return {
    fileName: `微心愿台账-${today}.xlsx`,
    asciiFileName: `micro-wishes-${today}.xlsx`,
    sheetName: '微心愿',
    columns: [
      { header: '编号', width: 18, value: (w) => w.number },
      { header: '社区', value: (w) => w.communityName },
      { header: '楼栋', value: (w) => w.buildingName },
      { header: '心愿', width: 30, value: (w) => w.title },
      { header: '心愿人', value: (w) => maskName(w.wisherName) },
      { header: '类别', value: (w) => kindWords[w.wisherKind] ?? w.wisherKind },
      { header: '状态', value: (w) => statusWords[w.status] },
      { header: '认领方', width: 24, value: (w) => claimerLabel(w)?.label ?? '' },
      { header: '发布时间', time: true, width: 20, value: (w) => w.createdAt },
      { header: '认领时间', time: true, width: 20, value: (w) => w.claimedAt },
      { header: '实现时间', time: true, width: 20, value: (w) => w.fulfilledAt },
      { header: '确认时间', time: true, width: 20, value: (w) => w.confirmedAt },
      { header: '实现说明', width: 30, value: (w) => w.fulfilmentNote },
    ],
    batches: keysetBatches((after, size) => wishesAfter(context.database, where, after, size)),
  };
}

// ── Steps ───────────────────────────────────────────────────────────────────────────────────────────

export interface StepInput {
  as?: 'unit' | 'party_member';
  note?: string;
  photoToken?: string;
  thanksNote?: string;
}

/**
 * One lifecycle step by signed-in staff, a party member or a unit liaison: checked against the policy and the
 * claimer, then the status change, its item_event, the audit record and any points or hours in one transaction.
 */
export async function actOnWish(context: AppContext, actor: Actor, id: number, action: MicroWishAction, input: StepInput, client: ClientInfo) {
  const wish = await visibleWish(context, actor, id);
  if (action === 'claim') {
    authorize(actor, 'micro_wish', 'claim', record(wish));
    const claimer = claimerOf(actor, wish, input.as);
    if (!claimer) throw forbidden(input.as ? `You cannot claim as ${input.as.replace('_', ' ')} here` : 'Only a party member or unit reported to this community can claim its wishes');
    if (wish.status === 'claimed') throw new AppError('conflict', 'This wish has already been claimed', { status: wish.status });
    nextWishStatus(wish.status, 'claim');
    await context.database.db.transaction(async (tx) => {
      if (!(await claimIfPosted(context.database, tx, wish.id, { unitId: claimer.unitId, partyMemberId: claimer.partyMemberId, userId: actor.userId }))) {
        const now = await findWishById(context.database, wish.id, tx);
        if (now?.status === 'claimed') throw new AppError('conflict', 'This wish has just been claimed by someone else', { status: now.status });
        nextWishStatus(now?.status ?? wish.status, 'claim');
        throw new AppError('conflict', 'The wish changed meanwhile: reload it');
      }
      const claimed = (await findWishById(context.database, wish.id, tx))!;
      await appendItemEvent(context.database, tx, { cityId: wish.cityId, subjectType: SUBJECT, subjectId: wish.id, action: 'claim', fromStatus: 'posted', toStatus: 'claimed', actorUserId: actor.userId, actorLabel: claimerLabel(claimed)?.label ?? claimer.label });
      await appendAudit(context.database, tx, auditOf(actor, 'micro_wish.claim', SUBJECT, wish.id, { as: claimer.unitId !== null ? 'unit' : 'party_member', unitId: claimer.unitId, partyMemberId: claimer.partyMemberId }));
    });
    return wishDetail(context, actor, wish.id);
  }

  if (!mayAct(actor, wish, action)) throw forbidden(`Not allowed to ${action} this wish`);
  await context.database.db.transaction(async (tx) => {
    await lockWish(context.database, tx, wish.id);
    const current = (await findWishById(context.database, wish.id, tx))!;
    // Re-checked under the lock: a release or another step may have landed since the first read.
    const to = nextWishStatus(current.status, action);
    if (!mayAct(actor, current, action)) throw forbidden(`Not allowed to ${action} this wish`);
    const label = isClaimer(actor, current) ? claimerLabel(current)?.label ?? actor.displayName : actor.displayName;
    let set: SQL;
    let note: string | null = input.note?.trim() || null;
    const details: Record<string, unknown> = {};
    switch (action) {
      case 'fulfil':
        if (input.photoToken) await claimUpload(context, tx, input.photoToken, current.cityId, { userId: actor.userId, ip: client.ip });
        set = sql`status = ${to}, fulfilled_at = now(), fulfilment_note = ${note}, fulfilment_photo_key = ${input.photoToken ?? null}`;
        break;
      case 'release':
        set = sql`status = ${to}, claimed_by_unit_id = NULL, claimed_by_party_member_id = NULL, claimed_by_user_id = NULL, claimed_at = NULL`;
        details.releasedClaimer = claimerLabel(current)?.label ?? null;
        break;
      case 'confirm':
        note = input.thanksNote?.trim() || null;
        set = sql`status = ${to}, confirmed_at = now(), thanks_note = ${note}`;
        details.onBehalfOfWisher = true;
        break;
      default:
        set = sql`status = ${to}`;
    }
    if (!(await updateWishStatus(context.database, tx, current.id, current.status, set))) throw new AppError('conflict', 'The wish changed meanwhile: reload it');
    await appendItemEvent(context.database, tx, { cityId: current.cityId, subjectType: SUBJECT, subjectId: current.id, action, fromStatus: current.status, toStatus: to, actorUserId: actor.userId, actorLabel: label, note });
    if (action === 'fulfil') Object.assign(details, await creditFulfilment(context, tx, current, actor.userId));
    await appendAudit(context.database, tx, auditOf(actor, `micro_wish.${action}`, SUBJECT, current.id, details));
  });
  return wishDetail(context, actor, wish.id);
}

/** A fulfilled wish earns the claiming unit its points, or the party member one hour of service — once (unique per source). */
async function creditFulfilment(context: AppContext, tx: Executor, wish: WishRow, userId: number) {
  if (wish.claimedByUnitId !== null) {
    const points = await awardUnitPoints(context.database, tx, {
      cityId: wish.cityId, communityId: wish.communityId, regionPath: wish.communityPath, unitId: wish.claimedByUnitId,
      event: 'wish_fulfilled', sourceKind: SUBJECT, sourceId: wish.id, note: `微心愿 ${wish.number}`, createdBy: userId,
    });
    return { unitPoints: points };
  }
  if (wish.claimedByPartyMemberId !== null) {
    const entry = await recordServiceHours(context.database, tx, {
      cityId: wish.cityId, communityId: wish.communityId, regionPath: wish.communityPath, partyMemberId: wish.claimedByPartyMemberId,
      sourceKind: 'micro_wish', sourceId: wish.id, servedOn: chinaToday(), hours: 1, description: `微心愿 ${wish.number}：${wish.title}`, createdBy: userId,
    });
    return { serviceHours: entry === null ? 0 : 1 };
  }
  return {};
}

/** The wisher on their token: confirm the wish came true (with thanks), or withdraw a wish nobody took yet. */
export async function actOnWishByToken(context: AppContext, token: string, action: 'confirm' | 'withdraw', input: { thanksNote?: string }, client: ClientInfo) {
  const first = await wishOfToken(context, token);
  await context.database.db.transaction(async (tx) => {
    await lockWish(context.database, tx, first.id);
    const wish = (await findWishById(context.database, first.id, tx))!;
    const to = nextWishStatus(wish.status, action);
    const note = action === 'confirm' ? input.thanksNote?.trim() || null : null;
    const set = action === 'confirm' ? sql`status = ${to}, confirmed_at = now(), thanks_note = ${note}` : sql`status = ${to}`;
    if (!(await updateWishStatus(context.database, tx, wish.id, wish.status, set))) throw new AppError('conflict', 'The wish changed meanwhile: reload it');
    await appendItemEvent(context.database, tx, { cityId: wish.cityId, subjectType: SUBJECT, subjectId: wish.id, action, fromStatus: wish.status, toStatus: to, actorUserId: null, actorLabel: RESIDENT, note });
    await appendAudit(context.database, tx, residentAudit(wish.cityId, `micro_wish.${action}`, wish.id, client));
  });
  return publicWishView(context, token);
}

/** The wisher's full name and phone, for the claimer arranging delivery and for staff — audited every time. */
export async function revealWisher(context: AppContext, actor: Actor, id: number) {
  const wish = await visibleWish(context, actor, id);
  if (!mayReveal(actor, wish)) throw forbidden('Only the claimer and community staff may see the wisher\u2019s contact');
  await context.database.db.transaction(async (tx) => {
    await appendAudit(context.database, tx, auditOf(actor, 'micro_wish.reveal', SUBJECT, wish.id, { fields: ['wisherName', 'wisherPhone'] }));
  });
  return { wisherName: wish.wisherName, wisherPhone: wish.wisherPhone };
}
