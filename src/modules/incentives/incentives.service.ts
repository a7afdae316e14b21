import crypto from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import { AppError } from '../../shared/errors.ts';
import { enforceRateLimit } from '../../shared/rate-limit.ts';
import { appendAudit, appendAuditAlone, type AuditEntry } from '../audit/audit.service.ts';
import { auditOf } from '../auth/auth.service.ts';
import { appendItemEvent } from '../community/item-events.ts';
import { nextStatus } from '../community/lifecycle.ts';
import { commonFilters, communityOfPath, nodeOf, pageOfList, type ListFilters } from '../community/list-query.ts';
import { authorize, can, requireAbility, scopeFor } from '../policy/authorize.ts';
import type { Actor } from '../policy/actor.ts';
import { regionPathFilter } from '../policy/scope-sql.ts';
import { buildingHeadsOf, incentiveBalance, writeIncentiveEntry } from './incentive-points.ledger.ts';
import { codeLifecycle, INCENTIVE_POINTS } from './incentives-lifecycle.ts';
import * as repository from './incentives.repository.ts';

/**
 * PostgreSQL refuses NUL in text. An Excel export runs its query after the headers are sent, so a NUL
 * in the search words must be refused here, as a 400, before anything is streamed.
 */
function refuseNul(q: string | undefined) {
  if (q?.includes('\u0000')) throw new AppError('validation_failed', 'q must not contain NUL characters', { field: 'q' });
}

/** A code is good for 24 hours. */
export const CODE_LIFETIME_MS = 24 * 3600_000;
/** Wrong guesses at the counter: 30 a minute per clerk, so 10^8 codes cannot be walked. */
const VERIFY_LIMIT_PER_MINUTE = 30;

export const hashRedemptionCode = (code: string) => crypto.createHash('sha256').update(`redemption:${code}`).digest('hex');
const newCode = () => String(crypto.randomInt(0, 100_000_000)).padStart(8, '0');

const systemAudit = (cityId: number, action: string, resourceType: string, resourceId: number, details: Record<string, unknown>): AuditEntry => ({
  cityId, actorUserId: null, actorName: '系统', action, resourceType, resourceId, outcome: 'success', ip: null, userAgent: null, details,
});

// ---------- expiry ----------

/**
 * Codes past their 24 hours become 'expired' and give their points back ('redemption_returned', once per code).
 * Run lazily before anything that reads balances or codes, in the caller's transaction.
 */
export async function returnExpiredCodes(context: AppContext, executor: Executor, cityId: number, userId?: number) {
  const expired = await context.database.rows<{ id: number; user_id: number; points: number; region_path: string }>(
    sql`UPDATE redemption_codes SET status = 'expired'
         WHERE city_id = ${cityId} AND status = 'issued' AND expires_at <= now() ${userId !== undefined ? sql`AND user_id = ${userId}` : sql``}
        RETURNING id, user_id, points, region_path`,
    executor,
  );
  for (const code of expired) {
    const id = Number(code.id);
    await writeIncentiveEntry(context.database, executor, {
      cityId, userId: Number(code.user_id), regionPath: code.region_path, event: 'redemption_returned', sourceKind: 'redemption_code', sourceId: id, points: Number(code.points), note: '兑换码过期退回',
    });
    await appendItemEvent(context.database, executor, { cityId, subjectType: 'redemption_code', subjectId: id, action: 'expire', fromStatus: 'issued', toStatus: 'expired', actorLabel: '系统' });
    await appendAudit(context.database, executor, systemAudit(cityId, 'incentive.code_expire', 'redemption_code', id, { returned: Number(code.points) }));
  }
  return expired.length;
}

const settleExpired = (context: AppContext, cityId: number, userId?: number) => context.database.db.transaction((tx) => returnExpiredCodes(context, tx, cityId, userId));

// ---------- heads and their points ----------

export async function headWhere(context: AppContext, actor: Actor, query: ListFilters) {
  refuseNul(query.q);
  requireAbility(actor, 'incentive', 'read');
  return [
    ...repository.headBase(actor.cityId),
    regionPathFilter(sql`n.path`, scopeFor(actor, 'incentive', 'read')),
    ...(await commonFilters(context, actor, query, { path: sql`n.path`, search: [sql`u.display_name`, sql`n.name`] })),
  ];
}

export async function listHeads(context: AppContext, actor: Actor, query: ListFilters) {
  const where = await headWhere(context, actor, query);
  await settleExpired(context, actor.cityId);
  const { page, pageSize, offset } = pageOfList(query);
  return { ...(await repository.listHeads(context.database, where, { pageSize, offset })), page, pageSize };
}

export async function entryWhere(context: AppContext, actor: Actor, query: ListFilters & { userId?: number; event?: string }) {
  refuseNul(query.q);
  requireAbility(actor, 'incentive', 'read');
  // A head reads their own ledger wherever it was earned; staff read the entries of their area.
  const where = [
    sql`e.city_id = ${actor.cityId}`,
    sql`(${regionPathFilter(sql`e.region_path`, scopeFor(actor, 'incentive', 'read'))} OR e.user_id = ${actor.userId})`,
    ...(await commonFilters(context, actor, query, { path: sql`e.region_path`, search: [sql`e.note`, sql`u.display_name`], createdAt: sql`e.created_at` })),
  ];
  if (query.userId) where.push(sql`e.user_id = ${query.userId}`);
  if (query.event) where.push(sql`e.event = ${query.event}`);
  return where;
}

export async function listEntries(context: AppContext, actor: Actor, query: ListFilters & { userId?: number; event?: string }) {
  const where = await entryWhere(context, actor, query);
  await settleExpired(context, actor.cityId, query.userId);
  const { page, pageSize, offset } = pageOfList(query);
  const result = await repository.listEntries(context.database, where, { pageSize, offset });
  const balance = query.userId ? await incentiveBalance(context.database, query.userId) : null;
  return { ...result, page, pageSize, balance };
}

/** Points for service (楼栋清洁, 走访 …) or a manual adjustment, recorded by community staff with a note. */
export async function recordEntry(context: AppContext, actor: Actor, input: { userId: number; event: 'service' | 'manual'; points: number; note: string }) {
  if (input.points === 0) throw new AppError('validation_failed', 'Points must not be zero', { field: 'points' });
  if (input.event === 'service' && input.points < 0) throw new AppError('validation_failed', 'Service earns points: use a manual adjustment to take points away', { field: 'points' });
  const buildings = await repository.headBuildings(context.database, actor.cityId, input.userId);
  if (buildings.length === 0) throw new AppError('not_found', 'No such building head');
  const building = buildings.find((b) => can(actor, 'incentive', 'manage', { cityId: actor.cityId, regionPath: b.path }));
  if (!building) throw new AppError('forbidden', 'This building head is outside your area');
  const id = await context.database.db.transaction(async (tx) => {
    // Serialise a head's ledger: a deduction never races a redemption.
    await context.database.rows(sql`SELECT id FROM users WHERE id = ${input.userId} FOR UPDATE`, tx);
    if (input.points < 0 && (await incentiveBalance(context.database, input.userId, tx)) + input.points < 0) {
      throw new AppError('conflict', 'The adjustment would leave a negative balance', { balance: await incentiveBalance(context.database, input.userId, tx) });
    }
    const [row] = await context.database.rows<{ id: number }>(
      sql`INSERT INTO incentive_point_entries (city_id, user_id, region_path, event, source_kind, source_id, points, note, created_by)
          VALUES (${actor.cityId}, ${input.userId}, ${building.path}, ${input.event}, ${input.event === 'service' ? 'service_record' : 'adjustment'}, NULL, ${input.points}, ${input.note.trim()}, ${actor.userId}) RETURNING id`,
      tx,
    );
    await appendAudit(context.database, tx, auditOf(actor, `incentive.${input.event}`, 'incentive_point_entry', Number(row.id), { userId: input.userId, points: input.points, buildingId: building.id }));
    return Number(row.id);
  });
  return { id, userId: input.userId, points: input.points, balance: await incentiveBalance(context.database, input.userId) };
}

// ---------- offers ----------

/** Offers a reader may see: staff in their area, heads of buildings in the offer's community, the shop's own liaison. */
function offerVisibility(actor: Actor): SQL {
  const parts: SQL[] = [regionPathFilter(sql`o.region_path`, scopeFor(actor, 'incentive', 'read'), sql`o.shop_unit_id`)];
  for (const path of scopeFor(actor, 'incentive', 'redeem').regionPaths) parts.push(sql`${path} LIKE o.region_path || '%'`);
  for (const unitId of scopeFor(actor, 'incentive', 'verify_code').unitIds) parts.push(sql`o.shop_unit_id = ${unitId}`);
  return sql`(${sql.join(parts, sql` OR `)})`;
}

const mayReadOffers = (actor: Actor) => ['read', 'redeem', 'verify_code'].some((a) => scopeFor(actor, 'incentive', a as 'read').regionPaths.length + scopeFor(actor, 'incentive', a as 'read').unitIds.length > 0 || scopeFor(actor, 'incentive', a as 'read').cityWide);

export async function offerWhere(context: AppContext, actor: Actor, query: ListFilters & { shopUnitId?: number }) {
  refuseNul(query.q);
  if (!mayReadOffers(actor)) throw new AppError('forbidden', 'Your roles do not allow reading partner-shop offers');
  const where = [
    sql`o.city_id = ${actor.cityId}`,
    offerVisibility(actor),
    ...(await commonFilters(context, actor, { ...query, status: undefined }, { path: sql`o.region_path`, search: [sql`o.title`, sql`o.description`, sql`s.name`], createdAt: sql`o.created_at` })),
  ];
  const available = repository.offerAvailableSql;
  if (query.status === 'available') where.push(available);
  else if (query.status === 'unavailable') where.push(sql`NOT ${available}`);
  else if (query.status) throw new AppError('validation_failed', 'status is available or unavailable', { status: query.status });
  if (query.shopUnitId) where.push(sql`o.shop_unit_id = ${query.shopUnitId}`);
  return where;
}

export async function listOffers(context: AppContext, actor: Actor, query: ListFilters & { shopUnitId?: number }) {
  const where = await offerWhere(context, actor, query);
  const { page, pageSize, offset } = pageOfList(query);
  return { ...(await repository.listOffers(context.database, where, { pageSize, offset })), page, pageSize };
}

export async function createOffer(context: AppContext, actor: Actor, input: { shopUnitId: number; title: string; description?: string; pointsCost: number; validUntil?: string }) {
  const shop = await repository.shopInCity(context.database, actor.cityId, input.shopUnitId);
  if (!shop || shop.kind !== 'partner_shop' || !shop.path) throw new AppError('validation_failed', 'shopUnitId must be a partner shop (红城星店) placed in the region tree', { shopUnitId: input.shopUnitId });
  // The offer belongs to the shop's community: every building head there may use it.
  const community = await communityOfPath(context, shop.path);
  const regionPath = community?.path ?? shop.path;
  authorize(actor, 'incentive', 'manage', { cityId: actor.cityId, regionPath });
  const id = await context.database.db.transaction(async (tx) => {
    const [row] = await context.database.rows<{ id: number }>(
      sql`INSERT INTO partner_shop_offers (city_id, shop_unit_id, region_path, title, description, points_cost, valid_until)
          VALUES (${actor.cityId}, ${shop.id}, ${regionPath}, ${input.title.trim()}, ${input.description ?? ''}, ${input.pointsCost}, ${input.validUntil ?? null}) RETURNING id`,
      tx,
    );
    await appendAudit(context.database, tx, auditOf(actor, 'incentive.offer_create', 'partner_shop_offer', Number(row.id), { shopUnitId: shop.id, pointsCost: input.pointsCost }));
    return Number(row.id);
  });
  return (await repository.offerById(context.database, id))!;
}

async function loadOffer(context: AppContext, actor: Actor, id: number) {
  const offer = await repository.offerById(context.database, id);
  if (!offer || offer.cityId !== actor.cityId) throw new AppError('not_found', 'No such offer');
  return offer;
}

export async function updateOffer(context: AppContext, actor: Actor, id: number, input: { title?: string; description?: string; pointsCost?: number; validUntil?: string | null; active?: boolean }) {
  const offer = await loadOffer(context, actor, id);
  authorize(actor, 'incentive', 'manage', { cityId: offer.cityId, regionPath: offer.regionPath });
  await context.database.db.transaction(async (tx) => {
    await context.database.rows(
      sql`UPDATE partner_shop_offers SET title = ${input.title?.trim() ?? sql`title`}, description = ${input.description ?? sql`description`},
            points_cost = ${input.pointsCost ?? sql`points_cost`}, valid_until = ${input.validUntil !== undefined ? input.validUntil : sql`valid_until`}, active = ${input.active ?? sql`active`}
          WHERE id = ${id}`,
      tx,
    );
    await appendAudit(context.database, tx, auditOf(actor, 'incentive.offer_update', 'partner_shop_offer', id, { fields: Object.keys(input) }));
  });
  return (await repository.offerById(context.database, id))!;
}

// ---------- one-time codes ----------

/**
 * A building head spends points on an offer: the points are deducted and a one-time 8-digit code is
 * returned once (only its hash is stored); it expires in 24 hours. Not enough points → 409.
 */
export async function issueCode(context: AppContext, actor: Actor, offerId: number) {
  const offer = await loadOffer(context, actor, offerId);
  const headPath = actor.grants.find((g) => g.role === 'building_head' && g.regionPath?.startsWith(offer.regionPath))?.regionPath;
  if (!headPath) throw new AppError('forbidden', 'Only a building head of the offer’s community can use it');
  authorize(actor, 'incentive', 'redeem', { cityId: offer.cityId, regionPath: headPath });
  if (!offer.available) throw new AppError('conflict', 'This offer is no longer available', { offerId });
  const expiresAt = new Date(Date.now() + CODE_LIFETIME_MS);
  const issued = await context.database.db.transaction(async (tx) => {
    await context.database.rows(sql`SELECT id FROM users WHERE id = ${actor.userId} FOR UPDATE`, tx);
    await returnExpiredCodes(context, tx, actor.cityId, actor.userId);
    const balance = await incentiveBalance(context.database, actor.userId, tx);
    if (balance < offer.pointsCost) throw new AppError('conflict', `Not enough points: ${balance} of ${offer.pointsCost}`, { balance, pointsCost: offer.pointsCost });
    // A fresh code must not collide with any code ever issued (the unique index on the hash); draw again if it does.
    for (let attempt = 0; attempt < 5; attempt++) {
      const code = newCode();
      const rows = await context.database.rows<{ id: number }>(
        sql`INSERT INTO redemption_codes (city_id, offer_id, shop_unit_id, user_id, region_path, code_hash, points, expires_at)
            VALUES (${actor.cityId}, ${offer.id}, ${offer.shopUnitId}, ${actor.userId}, ${headPath}, ${hashRedemptionCode(code)}, ${offer.pointsCost}, ${expiresAt.toISOString()})
            ON CONFLICT (code_hash) DO NOTHING RETURNING id`,
        tx,
      );
      if (!rows.length) continue;
      const id = Number(rows[0].id);
      if (offer.pointsCost > 0) {
        await writeIncentiveEntry(context.database, tx, {
          cityId: actor.cityId, userId: actor.userId, regionPath: headPath, event: 'redeemed', sourceKind: 'redemption_code', sourceId: id, points: -offer.pointsCost, note: `${offer.shopName}：${offer.title}`, createdBy: actor.userId,
        });
      }
      await appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: 'redemption_code', subjectId: id, action: 'issue', toStatus: 'issued', actorUserId: actor.userId, actorLabel: actor.displayName });
      await appendAudit(context.database, tx, auditOf(actor, 'incentive.code_issue', 'redemption_code', id, { offerId: offer.id, points: offer.pointsCost }));
      return { id, code, balance: balance - offer.pointsCost };
    }
    throw new AppError('conflict', 'Could not draw a fresh code: please try again');
  });
  return { id: issued.id, code: issued.code, expiresAt: expiresAt.toISOString(), points: offer.pointsCost, offerTitle: offer.title, shopName: offer.shopName, balance: issued.balance };
}

/**
 * The shop's liaison verifies a code at the counter: one conditional UPDATE … WHERE status = 'issued' AND
 * expires_at > now(), so a code redeems once however many clerks try at once. Another shop's code → 403,
 * unknown → 404, used → 409, expired → 409 (and its points go back to the head).
 */
export async function redeemCode(context: AppContext, actor: Actor, input: { code: string }) {
  requireAbility(actor, 'incentive', 'verify_code');
  await enforceRateLimit(context, `shop-code:${actor.userId}`, VERIFY_LIMIT_PER_MINUTE, 60, 'Too many codes tried: wait a minute');
  const found = await repository.codeBy(context.database, sql`r.code_hash = ${hashRedemptionCode(input.code)} AND r.city_id = ${actor.cityId}`);
  if (!found) {
    await appendAuditAlone(context.database, { ...auditOf(actor, 'incentive.code_redeem', 'redemption_code', null, { reason: 'unknown' }), outcome: 'failure' });
    throw new AppError('not_found', 'No such code');
  }
  if (!can(actor, 'incentive', 'verify_code', { cityId: found.cityId, unitId: found.shopUnitId })) {
    await appendAuditAlone(context.database, { ...auditOf(actor, 'incentive.code_redeem', 'redemption_code', found.id, { reason: 'other_shop' }), outcome: 'failure' });
    throw new AppError('forbidden', 'This code belongs to another shop');
  }
  const outcome = await context.database.db.transaction(async (tx) => {
    const updated = await context.database.rows<{ id: number }>(
      sql`UPDATE redemption_codes SET status = 'redeemed', redeemed_at = now(), redeemed_by = ${actor.userId}
           WHERE id = ${found.id} AND status = 'issued' AND expires_at > now() RETURNING id`,
      tx,
    );
    if (updated.length) {
      nextStatus(codeLifecycle, 'redemption_code', 'issued', 'redeem');
      await appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: 'redemption_code', subjectId: found.id, action: 'redeem', fromStatus: 'issued', toStatus: 'redeemed', actorUserId: actor.userId, actorLabel: actor.displayName });
      await appendAudit(context.database, tx, auditOf(actor, 'incentive.code_redeem', 'redemption_code', found.id, { offerId: found.offerId, shopUnitId: found.shopUnitId }));
      return { ok: true as const };
    }
    // Not redeemable: settle an expiry now (points back) and say why.
    await returnExpiredCodes(context, tx, actor.cityId, found.userId);
    const [row] = await context.database.rows<{ status: string }>(sql`SELECT status FROM redemption_codes WHERE id = ${found.id}`, tx);
    return { ok: false as const, status: row.status as 'redeemed' | 'expired' | 'cancelled' };
  });
  if (outcome.ok) return { ...(await repository.codeBy(context.database, sql`r.id = ${found.id}`))!, redeemed: true };
  // (a clerk racing this one may have redeemed it between the read and the update: the answer is 'already used')
  await appendAuditAlone(context.database, { ...auditOf(actor, 'incentive.code_redeem', 'redemption_code', found.id, { reason: outcome.status }), outcome: 'failure' });
  const messages = { redeemed: 'This code has already been used', expired: 'This code has expired (its points went back to the building head)', cancelled: 'This code was cancelled by its holder' };
  throw new AppError('conflict', messages[outcome.status], { status: outcome.status });
}

/** The head cancels an unused code before it is used: the points come back. */
export async function cancelCode(context: AppContext, actor: Actor, id: number) {
  const code = await repository.codeBy(context.database, sql`r.id = ${id}`);
  if (!code || code.cityId !== actor.cityId) throw new AppError('not_found', 'No such code');
  if (code.userId !== actor.userId) authorize(actor, 'incentive', 'manage', { cityId: code.cityId, regionPath: code.regionPath });
  const result = await context.database.db.transaction(async (tx) => {
    const rows = await context.database.rows<{ id: number }>(
      sql`UPDATE redemption_codes SET status = 'cancelled' WHERE id = ${id} AND status = 'issued' AND expires_at > now() RETURNING id`,
      tx,
    );
    if (!rows.length) {
      await returnExpiredCodes(context, tx, code.cityId, code.userId);
      const [row] = await context.database.rows<{ status: 'issued' | 'redeemed' | 'expired' | 'cancelled' }>(sql`SELECT status FROM redemption_codes WHERE id = ${id}`, tx);
      return { cancelled: false, status: row.status };
    }
    await writeIncentiveEntry(context.database, tx, {
      cityId: code.cityId, userId: code.userId, regionPath: code.regionPath, event: 'redemption_returned', sourceKind: 'redemption_code', sourceId: id, points: code.points, note: '兑换码取消退回', createdBy: actor.userId,
    });
    await appendItemEvent(context.database, tx, { cityId: code.cityId, subjectType: 'redemption_code', subjectId: id, action: 'cancel', fromStatus: 'issued', toStatus: 'cancelled', actorUserId: actor.userId, actorLabel: actor.displayName });
    await appendAudit(context.database, tx, auditOf(actor, 'incentive.code_cancel', 'redemption_code', id, { returned: code.points }));
    return { cancelled: true, status: 'cancelled' as const };
  });
  if (!result.cancelled) nextStatus(codeLifecycle, 'redemption_code', result.status, 'cancel');
  return { ...(await repository.codeBy(context.database, sql`r.id = ${id}`))!, balance: await incentiveBalance(context.database, code.userId) };
}

export async function codeWhere(context: AppContext, actor: Actor, query: ListFilters & { offerId?: number }) {
  refuseNul(query.q);
  if (!mayReadOffers(actor)) throw new AppError('forbidden', 'Your roles do not allow reading redemption codes');
  const where = [
    sql`r.city_id = ${actor.cityId}`,
    sql`(r.user_id = ${actor.userId} OR ${regionPathFilter(sql`r.region_path`, scopeFor(actor, 'incentive', 'read'))}
         OR ${regionPathFilter(sql`r.region_path`, { cityWide: false, regionPaths: [], unitIds: scopeFor(actor, 'incentive', 'verify_code').unitIds }, sql`r.shop_unit_id`)})`,
    ...(await commonFilters(context, actor, query, { path: sql`r.region_path`, search: [sql`o.title`], status: sql`r.status`, createdAt: sql`r.issued_at` })),
  ];
  if (query.offerId) where.push(sql`r.offer_id = ${query.offerId}`);
  return where;
}

export async function listCodes(context: AppContext, actor: Actor, query: ListFilters & { offerId?: number }) {
  const where = await codeWhere(context, actor, query);
  await settleExpired(context, actor.cityId);
  const { page, pageSize, offset } = pageOfList(query);
  return { ...(await repository.listCodes(context.database, where, { pageSize, offset })), page, pageSize };
}

// ---------- building evaluations and the red flag ----------

export async function evaluationWhere(context: AppContext, actor: Actor, query: ListFilters & { period?: string; redFlag?: boolean }) {
  refuseNul(query.q);
  requireAbility(actor, 'incentive', 'read');
  const where = [
    sql`v.city_id = ${actor.cityId}`,
    regionPathFilter(sql`v.region_path`, scopeFor(actor, 'incentive', 'read')),
    ...(await commonFilters(context, actor, { ...query, status: undefined }, { path: sql`v.region_path`, search: [sql`b.name`, sql`coalesce(v.comment, '')`], createdAt: sql`v.created_at` })),
  ];
  if (query.period) where.push(sql`v.period = ${query.period}`);
  if (query.redFlag !== undefined) where.push(sql`v.red_flag = ${query.redFlag}`);
  return where;
}

export async function listEvaluations(context: AppContext, actor: Actor, query: ListFilters & { period?: string; redFlag?: boolean }) {
  const where = await evaluationWhere(context, actor, query);
  const { page, pageSize, offset } = pageOfList(query);
  return { ...(await repository.listEvaluations(context.database, where, { pageSize, offset })), page, pageSize };
}

/** 最美楼栋: the community scores a building for a period (saving again replaces the score). */
export async function saveEvaluation(
  context: AppContext,
  actor: Actor,
  input: { buildingId: number; period: string; score: number; criteria?: Record<string, number>; comment?: string; redFlag?: boolean },
) {
  const building = await nodeOf(context, actor, input.buildingId, ['building']);
  const community = await communityOfPath(context, building.path);
  if (!community) throw new AppError('validation_failed', 'The building is not inside a community', { buildingId: building.id });
  authorize(actor, 'incentive', 'manage', { cityId: actor.cityId, regionPath: building.path });
  const score = Math.round(input.score * 10) / 10;
  const id = await context.database.db.transaction(async (tx) => {
    const [row] = await context.database.rows<{ id: number }>(
      sql`INSERT INTO building_evaluations (city_id, community_id, building_id, region_path, period, score, criteria, comment, evaluated_by)
          VALUES (${actor.cityId}, ${community.id}, ${building.id}, ${building.path}, ${input.period}, ${score}, ${JSON.stringify(input.criteria ?? {})}::jsonb, ${input.comment ?? null}, ${actor.userId})
          ON CONFLICT (community_id, period, building_id) DO UPDATE SET score = EXCLUDED.score, criteria = EXCLUDED.criteria, comment = EXCLUDED.comment, evaluated_by = EXCLUDED.evaluated_by
          RETURNING id`,
      tx,
    );
    const evaluationId = Number(row.id);
    await appendAudit(context.database, tx, auditOf(actor, 'incentive.evaluate', 'building_evaluation', evaluationId, { buildingId: building.id, period: input.period, score }));
    if (input.redFlag) await moveRedFlag(context, tx, actor, evaluationId);
    return evaluationId;
  });
  return (await repository.evaluationById(context.database, id))!;
}

/**
 * The rotating red flag (流动红旗) goes to one building per community and period: taking it from the
 * current holder and giving it to this one is one transaction (the period's rows are locked first; the
 * partial unique index is the last word). The new holder's head earns 'evaluation' points once; a head
 * whose building loses the flag within the period gives those points back.
 */
async function moveRedFlag(context: AppContext, tx: Executor, actor: Actor, evaluationId: number) {
  const [target] = await context.database.rows<{ id: number; community_id: number; period: string; building_id: number; region_path: string; red_flag: boolean }>(
    sql`SELECT id, community_id, period, building_id, region_path, red_flag FROM building_evaluations WHERE id = ${evaluationId}`,
    tx,
  );
  const period = await context.database.rows<{ id: number; building_id: number; region_path: string; red_flag: boolean }>(
    sql`SELECT id, building_id, region_path, red_flag FROM building_evaluations WHERE community_id = ${target.community_id} AND period = ${target.period} ORDER BY id FOR UPDATE`,
    tx,
  );
  const holder = period.find((e) => e.red_flag);
  if (holder && Number(holder.id) === evaluationId) return { moved: false, from: Number(holder.building_id) };
  if (holder) {
    await context.database.rows(sql`UPDATE building_evaluations SET red_flag = false WHERE id = ${Number(holder.id)}`, tx);
    for (const userId of await buildingHeadsOf(context.database, Number(holder.building_id), tx)) {
      const paid = await context.database.rows(sql`SELECT 1 FROM incentive_point_entries WHERE user_id = ${userId} AND event = 'evaluation' AND source_kind = 'red_flag' AND source_id = ${Number(holder.id)}`, tx);
      if (paid.length) {
        await writeIncentiveEntry(context.database, tx, {
          cityId: actor.cityId, userId, regionPath: holder.region_path, event: 'evaluation', sourceKind: 'red_flag_withdrawn', sourceId: Number(holder.id), points: -INCENTIVE_POINTS.redFlag, note: `流动红旗移交（${target.period}）`, createdBy: actor.userId,
        });
      }
    }
  }
  await context.database.rows(sql`UPDATE building_evaluations SET red_flag = true WHERE id = ${evaluationId}`, tx);
  for (const userId of await buildingHeadsOf(context.database, Number(target.building_id), tx)) {
    await writeIncentiveEntry(context.database, tx, {
      cityId: actor.cityId, userId, regionPath: target.region_path, event: 'evaluation', sourceKind: 'red_flag', sourceId: evaluationId, points: INCENTIVE_POINTS.redFlag, note: `流动红旗（${target.period}）`, createdBy: actor.userId,
    });
  }
  await appendAudit(context.database, tx, auditOf(actor, 'incentive.red_flag', 'building_evaluation', evaluationId, { period: target.period, from: holder ? Number(holder.building_id) : null, to: Number(target.building_id) }));
  return { moved: true, from: holder ? Number(holder.building_id) : null };
}

export async function giveRedFlag(context: AppContext, actor: Actor, evaluationId: number) {
  const evaluation = await repository.evaluationById(context.database, evaluationId);
  if (!evaluation || evaluation.cityId !== actor.cityId) throw new AppError('not_found', 'No such evaluation');
  authorize(actor, 'incentive', 'manage', { cityId: evaluation.cityId, regionPath: evaluation.regionPath });
  await context.database.db.transaction((tx) => moveRedFlag(context, tx, actor, evaluationId));
  return (await repository.evaluationById(context.database, evaluationId))!;
}
