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
import { commonFilters, nodeOf, pageOfList, regionPathOf, type ListFilters } from '../community/list-query.ts';
import type { Actor } from '../policy/actor.ts';
import { authorize, can, requireAbility, scopeFor } from '../policy/authorize.ts';
import { regionPathFilter } from '../policy/scope-sql.ts';
import { claimLifecycle, postLifecycle, registrationLifecycle, type ClaimStatus, type PostAction, type PostStatus } from './dual-reporting-lifecycle.ts';
import * as repo from './dual-reporting.repository.ts';
import { checkHours, checkNotFuture, chinaDate, reportingPeriod, type ReportingPeriod } from './reporting-period.ts';
import { recordServiceHours } from './service-hours.ledger.ts';

const tx = <T>(context: AppContext, work: (tx: Executor) => Promise<T>) => context.database.db.transaction(work) as Promise<T>;
const pgCodeOf = (error: unknown) => ((error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code) as string | undefined;
const constraintOf = (error: unknown) => ((error as { cause?: { constraint?: string } }).cause?.constraint ?? (error as { constraint?: string }).constraint) as string | undefined;

/** Unique-index violations of this module as clear 409s (the transaction is rolled back by the throw). */
function asConflict(error: unknown): never {
  if (pgCodeOf(error) === '23505') {
    const constraint = constraintOf(error) ?? '';
    const message = constraint.startsWith('dual_registrations')
      ? 'This member or organisation is already actively registered with the community'
      : constraint.startsWith('post_claims')
        ? 'This post is already claimed by the same member or organisation'
        : 'A record with the same unique value already exists';
    throw new AppError('conflict', message, { constraint });
  }
  throw error;
}

const EXPORT_CAP = 100_000;
const whereOf = (parts: SQL[]) => sql.join(parts, sql` AND `);
const unitContactUnits = (actor: Actor) => [...new Set(actor.grants.filter((g) => g.role === 'unit_contact' && g.unitId !== null).map((g) => g.unitId as number))];
const isManager = (actor: Actor, record: { cityId: number; regionPath: string }) => can(actor, 'dual_reporting', 'manage', record);

// ======================= registrations =======================

export async function register(context: AppContext, actor: Actor, input: { communityId: number; kind: 'member' | 'organization'; partyMemberId?: number; unitId?: number; basis: 'work' | 'residence' }) {
  const community = await nodeOf(context, actor, input.communityId, ['community']);
  authorize(actor, 'dual_reporting', 'register', { cityId: actor.cityId, regionPath: community.path });
  if (input.kind === 'member' && (!input.partyMemberId || input.unitId)) throw new AppError('validation_failed', 'A member registration names partyMemberId (and no unitId)');
  if (input.kind === 'organization' && (!input.unitId || input.partyMemberId)) throw new AppError('validation_failed', 'An organisation registration names unitId (and no partyMemberId)');
  const [subject] = input.kind === 'member'
    ? await context.database.rows<{ name: string }>(sql`SELECT name FROM party_members WHERE id = ${input.partyMemberId!} AND city_id = ${actor.cityId}`)
    : await context.database.rows<{ name: string }>(sql`SELECT name FROM units WHERE id = ${input.unitId!} AND city_id = ${actor.cityId} AND kind <> 'department'`);
  if (!subject) throw new AppError('validation_failed', input.kind === 'member' ? 'Unknown party member' : 'Unknown unit (an agency, resident unit or organisation of your city)', { partyMemberId: input.partyMemberId, unitId: input.unitId });
  const id = await tx(context, async (t) => {
    const newId = await repo
      .insertRegistration(context.database, t, { cityId: actor.cityId, kind: input.kind, communityId: community.id, regionPath: community.path, partyMemberId: input.partyMemberId ?? null, unitId: input.unitId ?? null, basis: input.basis, createdBy: actor.userId })
      .catch(asConflict);
    await appendItemEvent(context.database, t, { cityId: actor.cityId, subjectType: 'dual_registration', subjectId: newId, action: 'register', toStatus: 'active', actorUserId: actor.userId, actorLabel: actor.displayName, note: `${input.kind === 'member' ? maskName(subject.name) : subject.name} → ${community.name}` });
    await appendAudit(context.database, t, auditOf(actor, 'dual_reporting.register', 'dual_registration', newId, { communityId: community.id, kind: input.kind, partyMemberId: input.partyMemberId ?? null, unitId: input.unitId ?? null, basis: input.basis }));
    return newId;
  });
  return { id, status: 'active' as const };
}

/** Ending a registration removes the derived grant (auth reads active ones) and withdraws its open claims. */
export async function endRegistration(context: AppContext, actor: Actor, id: number, input: { endedOn: string }) {
  return tx(context, async (t) => {
    const registration = await repo.lockRegistration(context.database, t, id);
    if (!registration || registration.cityId !== actor.cityId) throw notFound('Registration');
    authorize(actor, 'dual_reporting', 'register', registration);
    const to = nextStatus(registrationLifecycle, 'registration', registration.status as 'active' | 'ended', 'end');
    checkNotFuture(input.endedOn, 'endedOn');
    if (input.endedOn < registration.registeredOn) throw new AppError('validation_failed', 'endedOn is before the registration began', { endedOn: input.endedOn, registeredOn: registration.registeredOn });
    await t.execute(sql`UPDATE dual_registrations SET status = ${to},
      ended_at = CASE WHEN ${input.endedOn} = ${chinaDate()} THEN now() ELSE (${input.endedOn}::date)::timestamp AT TIME ZONE 'Asia/Shanghai' END WHERE id = ${id}`);
    const withdrawn = await context.database.rows<{ id: number }>(sql`UPDATE post_claims SET status = 'withdrawn', withdrawn_at = now() WHERE registration_id = ${id} AND status = 'claimed' RETURNING id`, t);
    for (const claim of withdrawn) {
      await appendItemEvent(context.database, t, { cityId: actor.cityId, subjectType: 'post_claim', subjectId: Number(claim.id), action: 'withdraw', fromStatus: 'claimed', toStatus: 'withdrawn', actorUserId: actor.userId, actorLabel: actor.displayName, note: '报到已结束' });
    }
    await appendItemEvent(context.database, t, { cityId: actor.cityId, subjectType: 'dual_registration', subjectId: id, action: 'end', fromStatus: registration.status, toStatus: to, actorUserId: actor.userId, actorLabel: actor.displayName, note: input.endedOn });
    await appendAudit(context.database, t, auditOf(actor, 'dual_reporting.end_registration', 'dual_registration', id, { endedOn: input.endedOn, withdrawnClaims: withdrawn.map((c) => Number(c.id)) }));
    return { id, status: to, withdrawnClaims: withdrawn.length };
  });
}

async function registrationWhere(context: AppContext, actor: Actor, query: ListFilters & { kind?: string }) {
  requireAbility(actor, 'dual_reporting', 'read');
  const parts = [sql`dr.city_id = ${actor.cityId}`, regionPathFilter(sql`dr.region_path`, scopeFor(actor, 'dual_reporting', 'read'))];
  parts.push(...(await commonFilters(context, actor, query, { path: sql`dr.region_path`, search: repo.registrationSearch, status: sql`dr.status`, createdAt: sql`dr.registered_at` })));
  if (query.kind) parts.push(sql`dr.kind = ${query.kind}`);
  return whereOf(parts);
}

const registrationView = (actor: Actor) => (row: Awaited<ReturnType<typeof repo.listRegistrations>>[number]) => ({
  ...row,
  subjectName: row.kind === 'member' ? maskName(row.subjectName)! : row.subjectName,
  memberPhone: maskPhone(row.memberPhone),
  abilities: { end: row.status === 'active' && can(actor, 'dual_reporting', 'register', row) },
});

export async function listRegistrations(context: AppContext, actor: Actor, query: ListFilters & { kind?: string }) {
  const where = await registrationWhere(context, actor, query);
  const { page, pageSize, offset } = pageOfList(query);
  const [items, total] = await Promise.all([repo.listRegistrations(context.database, where, { limit: pageSize, offset }), repo.countRegistrations(context.database, where)]);
  return { items: items.map(registrationView(actor)), page, pageSize, total, abilities: { register: scopeFor(actor, 'dual_reporting', 'register').regionPaths.length > 0 } };
}

const KIND_LABEL: Record<string, string> = { member: '在职党员', organization: '单位党组织' };
const BASIS_LABEL: Record<string, string> = { work: '工作地', residence: '居住地' };
const STATUS_LABEL: Record<string, string> = { active: '在册', ended: '已结束', open: '招募中', closed: '已关闭', claimed: '已认领', withdrawn: '已退出' };

export async function exportRegistrations(context: AppContext, actor: Actor, query: ListFilters & { kind?: string }, request: FastifyRequest, reply: FastifyReply) {
  const where = await registrationWhere(context, actor, query);
  const view = registrationView(actor);
  const columns: LedgerColumn<ReturnType<typeof view>>[] = [
    { header: '编号', value: (r) => r.id, width: 8 },
    { header: '社区', value: (r) => r.communityName },
    { header: '类别', value: (r) => KIND_LABEL[r.kind] },
    { header: '党员/单位', value: (r) => r.subjectName, width: 24 },
    { header: '报到依据', value: (r) => BASIS_LABEL[r.basis] },
    { header: '状态', value: (r) => STATUS_LABEL[r.status] },
    { header: '报到时间', value: (r) => r.registeredAt, time: true, width: 20 },
    { header: '结束时间', value: (r) => r.endedAt, time: true, width: 20 },
    { header: '在岗认领数', value: (r) => r.activeClaims },
  ];
  return sendLedger(request, reply, {
    fileName: `双报到登记-${chinaToday()}.xlsx`, asciiFileName: `dual-registrations-${chinaToday()}.xlsx`, sheetName: '双报到登记', columns,
    batches: keysetBatches(async (afterId, size) => (afterId >= EXPORT_CAP ? [] : (await repo.listRegistrations(context.database, where, { limit: size, offset: 0, afterId })).map(view))),
  });
}

// ======================= posts =======================

export async function createPost(context: AppContext, actor: Actor, input: { communityId: number; title: string; description?: string; category?: string; slots: number; startsOn?: string; endsOn?: string }) {
  const community = await nodeOf(context, actor, input.communityId, ['community']);
  authorize(actor, 'dual_reporting', 'manage', { cityId: actor.cityId, regionPath: community.path });
  const title = input.title.trim();
  if (!title) throw new AppError('validation_failed', 'title is empty');
  if (input.startsOn && input.endsOn && input.endsOn < input.startsOn) throw new AppError('validation_failed', 'endsOn is before startsOn', { startsOn: input.startsOn, endsOn: input.endsOn });
  return tx(context, async (t) => {
    const [row] = await context.database.rows<{ id: number }>(sql`INSERT INTO community_posts (city_id, community_id, region_path, title, description, category, slots, starts_on, ends_on, created_by)
      VALUES (${actor.cityId}, ${community.id}, ${community.path}, ${title}, ${input.description?.trim() ?? ''}, ${input.category?.trim() || null}, ${input.slots}, ${input.startsOn ?? null}, ${input.endsOn ?? null}, ${actor.userId}) RETURNING id`, t);
    const id = Number(row.id);
    await appendItemEvent(context.database, t, { cityId: actor.cityId, subjectType: 'community_post', subjectId: id, action: 'publish', toStatus: 'open', actorUserId: actor.userId, actorLabel: actor.displayName });
    await appendAudit(context.database, t, auditOf(actor, 'dual_reporting.publish_post', 'community_post', id, { communityId: community.id, title, slots: input.slots }));
    return { id, status: 'open' as const };
  });
}

export async function postAction(context: AppContext, actor: Actor, id: number, action: PostAction) {
  return tx(context, async (t) => {
    const post = await repo.lockPost(context.database, t, id);
    if (!post || post.cityId !== actor.cityId) throw notFound('Post');
    authorize(actor, 'dual_reporting', 'manage', post);
    const to = nextStatus(postLifecycle, 'post', post.status as PostStatus, action);
    await t.execute(sql`UPDATE community_posts SET status = ${to}, updated_at = now() WHERE id = ${id}`);
    await appendItemEvent(context.database, t, { cityId: actor.cityId, subjectType: 'community_post', subjectId: id, action, fromStatus: post.status, toStatus: to, actorUserId: actor.userId, actorLabel: actor.displayName });
    await appendAudit(context.database, t, auditOf(actor, `dual_reporting.${action}_post`, 'community_post', id));
    return { id, status: to };
  });
}

async function postWhere(context: AppContext, actor: Actor, query: ListFilters & { category?: string }) {
  requireAbility(actor, 'dual_reporting', 'read');
  const parts = [sql`p.city_id = ${actor.cityId}`, regionPathFilter(sql`p.region_path`, scopeFor(actor, 'dual_reporting', 'read'))];
  parts.push(...(await commonFilters(context, actor, query, { path: sql`p.region_path`, search: [sql`p.title`, sql`p.description`, sql`p.category`], status: sql`p.status`, createdAt: sql`p.created_at` })));
  if (query.category) parts.push(sql`p.category = ${query.category}`);
  return whereOf(parts);
}

const postView = (actor: Actor) => (row: Awaited<ReturnType<typeof repo.listPosts>>[number]) => ({
  ...row,
  abilities: {
    manage: can(actor, 'dual_reporting', 'manage', row),
    claim: row.status === 'open' && row.myClaimId === null && row.claimed < row.slots && can(actor, 'dual_reporting', 'claim_post', row),
  },
});

export async function listPosts(context: AppContext, actor: Actor, query: ListFilters & { category?: string }) {
  const where = await postWhere(context, actor, query);
  const { page, pageSize, offset } = pageOfList(query);
  const viewer = { partyMemberId: actor.partyMemberId, unitIds: unitContactUnits(actor) };
  const [items, total] = await Promise.all([repo.listPosts(context.database, where, { limit: pageSize, offset }, viewer), repo.countPosts(context.database, where)]);
  return { items: items.map(postView(actor)), page, pageSize, total };
}

export async function exportPosts(context: AppContext, actor: Actor, query: ListFilters & { category?: string }, request: FastifyRequest, reply: FastifyReply) {
  const where = await postWhere(context, actor, query);
  const viewer = { partyMemberId: actor.partyMemberId, unitIds: unitContactUnits(actor) };
  type PostRow = Awaited<ReturnType<typeof repo.listPosts>>[number];
  const columns: LedgerColumn<PostRow>[] = [
    { header: '编号', value: (r) => r.id, width: 8 },
    { header: '社区', value: (r) => r.communityName },
    { header: '岗位', value: (r) => r.title, width: 30 },
    { header: '类别', value: (r) => r.category },
    { header: '名额', value: (r) => r.slots },
    { header: '已认领', value: (r) => r.claimed },
    { header: '开始日期', value: (r) => r.startsOn },
    { header: '结束日期', value: (r) => r.endsOn },
    { header: '状态', value: (r) => STATUS_LABEL[r.status] },
    { header: '发布时间', value: (r) => r.createdAt, time: true, width: 20 },
  ];
  return sendLedger(request, reply, {
    fileName: `双报到岗位-${chinaToday()}.xlsx`, asciiFileName: `dual-reporting-posts-${chinaToday()}.xlsx`, sheetName: '岗位', columns,
    batches: keysetBatches((afterId, size) => repo.listPosts(context.database, where, { limit: size, offset: 0, afterId }, viewer)),
  });
}

export async function postDetail(context: AppContext, actor: Actor, id: number) {
  const viewer = { partyMemberId: actor.partyMemberId, unitIds: unitContactUnits(actor) };
  const [post] = await repo.listPosts(context.database, sql`p.id = ${id}`, { limit: 1, offset: 0 }, viewer);
  if (!post || post.cityId !== actor.cityId) throw notFound('Post');
  authorize(actor, 'dual_reporting', 'read', post);
  const claims = await repo.listClaims(context.database, sql`pc.post_id = ${id}`, { limit: 1000, offset: 0 });
  return {
    ...postView(actor)(post),
    claims: claims.map(claimView(actor)),
    timeline: await itemTimeline(context.database, 'community_post', id),
  };
}

// ======================= claims =======================

/**
 * 认领岗位: a reported party member for themselves, or a unit contact for its organisation. The post row is
 * locked while the open claims are counted, so two claims for the last slot cannot both succeed.
 */
export async function claimPost(context: AppContext, actor: Actor, postId: number, input: { unitId?: number }) {
  return tx(context, async (t) => {
    const post = await repo.lockPost(context.database, t, postId);
    if (!post || post.cityId !== actor.cityId) throw notFound('Post');
    authorize(actor, 'dual_reporting', 'claim_post', post);
    let who: { partyMemberId: number | null; unitId: number | null };
    if (input.unitId !== undefined) {
      if (!actor.grants.some((g) => g.role === 'unit_contact' && g.unitId === input.unitId && g.regionPath !== null && post.regionPath.startsWith(g.regionPath))) {
        throw new AppError('forbidden', 'You are not the contact of this unit in the post\'s community', { unitId: input.unitId });
      }
      who = { partyMemberId: null, unitId: input.unitId };
    } else {
      if (actor.partyMemberId === null) throw new AppError('validation_failed', 'Name the unit (unitId) you claim for; only party members claim for themselves');
      who = { partyMemberId: actor.partyMemberId, unitId: null };
    }
    const registrationId = await repo.activeRegistration(context.database, t, post.communityId, who);
    if (registrationId === null) throw new AppError('forbidden', 'Only members and organisations reported (双报到) to this community can claim its posts', { communityId: post.communityId });
    if (post.status !== 'open') throw new AppError('conflict', 'This post is closed', { status: post.status });
    const claimed = await repo.countActiveClaims(context.database, t, postId);
    if (claimed >= post.slots) throw new AppError('conflict', 'All places of this post are taken', { slots: post.slots, claimed });
    const [row] = await context.database
      .rows<{ id: number }>(sql`INSERT INTO post_claims (city_id, post_id, region_path, registration_id, party_member_id, unit_id)
        VALUES (${actor.cityId}, ${postId}, ${post.regionPath}, ${registrationId}, ${who.partyMemberId}, ${who.unitId}) RETURNING id`, t)
      .catch(asConflict);
    const id = Number(row.id);
    await appendItemEvent(context.database, t, { cityId: actor.cityId, subjectType: 'post_claim', subjectId: id, action: 'claim', toStatus: 'claimed', actorUserId: actor.userId, actorLabel: actor.displayName, note: post.title });
    await appendItemEvent(context.database, t, { cityId: actor.cityId, subjectType: 'community_post', subjectId: postId, action: 'claim', actorUserId: actor.userId, actorLabel: actor.displayName, note: `${claimed + 1}/${post.slots}` });
    await appendAudit(context.database, t, auditOf(actor, 'dual_reporting.claim_post', 'post_claim', id, { postId, registrationId, ...who }));
    return { id, postId, status: 'claimed' as const, claimed: claimed + 1, slots: post.slots };
  });
}

const isClaimant = (actor: Actor, claim: { partyMemberId: number | null; unitId: number | null }) =>
  (claim.partyMemberId !== null && claim.partyMemberId === actor.partyMemberId) || (claim.unitId !== null && unitContactUnits(actor).includes(claim.unitId));

export async function withdrawClaim(context: AppContext, actor: Actor, id: number) {
  return tx(context, async (t) => {
    const claim = await repo.lockClaim(context.database, t, id);
    if (!claim || claim.cityId !== actor.cityId) throw notFound('Claim');
    authorize(actor, 'dual_reporting', 'read', claim);
    if (!isManager(actor, claim) && !(isClaimant(actor, claim) && can(actor, 'dual_reporting', 'claim_post', claim))) throw new AppError('forbidden', 'Only the claimant or the community can withdraw a claim');
    const to = nextStatus(claimLifecycle, 'claim', claim.status as ClaimStatus, 'withdraw');
    await t.execute(sql`UPDATE post_claims SET status = ${to}, withdrawn_at = now() WHERE id = ${id}`);
    await appendItemEvent(context.database, t, { cityId: actor.cityId, subjectType: 'post_claim', subjectId: id, action: 'withdraw', fromStatus: claim.status, toStatus: to, actorUserId: actor.userId, actorLabel: actor.displayName });
    await appendAudit(context.database, t, auditOf(actor, 'dual_reporting.withdraw_claim', 'post_claim', id, { postId: claim.postId }));
    return { id, status: to };
  });
}

const claimView = (actor: Actor) => (row: Awaited<ReturnType<typeof repo.listClaims>>[number]) => {
  const manager = isManager(actor, row);
  const claimant = isClaimant(actor, row);
  return {
    ...row,
    claimantName: row.partyMemberId !== null ? maskName(row.claimantName)! : row.claimantName,
    mine: claimant,
    abilities: {
      withdraw: row.status === 'claimed' && (manager || (claimant && can(actor, 'dual_reporting', 'claim_post', row))),
      logHours: row.status === 'claimed' && can(actor, 'dual_reporting', 'log_hours', row) && (manager || claimant),
    },
  };
};

async function claimWhere(context: AppContext, actor: Actor, query: ListFilters & { postId?: number; mine?: boolean }) {
  requireAbility(actor, 'dual_reporting', 'read');
  const parts = [sql`pc.city_id = ${actor.cityId}`, regionPathFilter(sql`pc.region_path`, scopeFor(actor, 'dual_reporting', 'read'))];
  parts.push(...(await commonFilters(context, actor, query, { path: sql`pc.region_path`, search: repo.claimSearch, status: sql`pc.status`, createdAt: sql`pc.claimed_at` })));
  if (query.postId) parts.push(sql`pc.post_id = ${query.postId}`);
  if (query.mine) {
    const units = unitContactUnits(actor);
    parts.push(sql`(pc.party_member_id = ${actor.partyMemberId ?? 0} ${units.length ? sql`OR pc.unit_id IN (${sql.join(units.map((u) => sql`${u}`), sql`, `)})` : sql``})`);
  }
  return whereOf(parts);
}

export async function listClaims(context: AppContext, actor: Actor, query: ListFilters & { postId?: number; mine?: boolean }) {
  const where = await claimWhere(context, actor, query);
  const { page, pageSize, offset } = pageOfList(query);
  const [items, total] = await Promise.all([repo.listClaims(context.database, where, { limit: pageSize, offset }), repo.countClaims(context.database, where)]);
  return { items: items.map(claimView(actor)), page, pageSize, total };
}

export async function exportClaims(context: AppContext, actor: Actor, query: ListFilters & { postId?: number; mine?: boolean }, request: FastifyRequest, reply: FastifyReply) {
  const where = await claimWhere(context, actor, query);
  const view = claimView(actor);
  const columns: LedgerColumn<ReturnType<typeof view>>[] = [
    { header: '编号', value: (r) => r.id, width: 8 },
    { header: '社区', value: (r) => r.communityName },
    { header: '岗位', value: (r) => r.postTitle, width: 30 },
    { header: '认领人/单位', value: (r) => r.claimantName, width: 24 },
    { header: '状态', value: (r) => STATUS_LABEL[r.status] },
    { header: '认领时间', value: (r) => r.claimedAt, time: true, width: 20 },
    { header: '服务次数', value: (r) => r.sessions },
    { header: '服务时长(小时)', value: (r) => r.hours },
  ];
  return sendLedger(request, reply, {
    fileName: `岗位认领-${chinaToday()}.xlsx`, asciiFileName: `post-claims-${chinaToday()}.xlsx`, sheetName: '岗位认领', columns,
    batches: keysetBatches(async (afterId, size) => (await repo.listClaims(context.database, where, { limit: size, offset: 0, afterId })).map(view)),
  });
}

// ======================= service hours =======================

/** 服务记录: the claimant logs a session on a claimed post; the community may log on their behalf. */
export async function logHours(context: AppContext, actor: Actor, claimId: number, input: { servedOn: string; hours: number; description?: string }) {
  checkHours(input.hours);
  checkNotFuture(input.servedOn, 'servedOn');
  return tx(context, async (t) => {
    const claim = await repo.lockClaim(context.database, t, claimId);
    if (!claim || claim.cityId !== actor.cityId) throw notFound('Claim');
    authorize(actor, 'dual_reporting', 'log_hours', claim);
    const manager = isManager(actor, claim);
    if (!manager && !isClaimant(actor, claim)) throw new AppError('forbidden', 'Only the claimant or the community can log service on this claim');
    if (claim.status !== 'claimed') throw new AppError('conflict', 'This claim was withdrawn', { status: claim.status });
    if (input.servedOn < claim.claimedOn) throw new AppError('validation_failed', 'servedOn is before the post was claimed', { servedOn: input.servedOn, claimedOn: claim.claimedOn });
    const id = await recordServiceHours(context.database, t, {
      cityId: actor.cityId, communityId: claim.communityId, regionPath: claim.regionPath, partyMemberId: claim.partyMemberId, unitId: claim.unitId,
      sourceKind: 'post', sourceId: claim.postId, servedOn: input.servedOn, hours: input.hours, description: input.description?.trim() ?? '', createdBy: actor.userId,
    });
    if (id === null) throw new AppError('conflict', 'The session was not recorded');
    await appendItemEvent(context.database, t, { cityId: actor.cityId, subjectType: 'post_claim', subjectId: claimId, action: 'log_hours', actorUserId: actor.userId, actorLabel: actor.displayName, note: `${input.servedOn} ${input.hours}h${manager && !isClaimant(actor, claim) ? '（代录）' : ''}` });
    await appendAudit(context.database, t, auditOf(actor, 'dual_reporting.log_hours', 'service_hours', id, { claimId, postId: claim.postId, servedOn: input.servedOn, hours: input.hours, onBehalf: !isClaimant(actor, claim) }));
    return { id, claimId, servedOn: input.servedOn, hours: input.hours };
  });
}

/** 更正: the community corrects a logged session; the audit keeps what it was. */
export async function correctHours(context: AppContext, actor: Actor, id: number, input: { servedOn?: string; hours?: number; description?: string; reason: string }) {
  if (input.hours !== undefined) checkHours(input.hours);
  if (input.servedOn !== undefined) checkNotFuture(input.servedOn, 'servedOn');
  if (input.servedOn === undefined && input.hours === undefined && input.description === undefined) throw new AppError('validation_failed', 'Nothing to correct');
  return tx(context, async (t) => {
    const entry = await repo.lockHours(context.database, t, id);
    if (!entry || entry.cityId !== actor.cityId) throw notFound('Service entry');
    authorize(actor, 'dual_reporting', 'manage', entry);
    if (entry.sourceKind !== 'post') throw new AppError('conflict', 'Only post sessions are corrected here; activity and order hours follow their records', { sourceKind: entry.sourceKind });
    const after = { servedOn: input.servedOn ?? entry.servedOn, hours: input.hours ?? entry.hours, description: input.description?.trim() ?? entry.description };
    await t.execute(sql`UPDATE service_hours SET served_on = ${after.servedOn}, hours = ${after.hours}, description = ${after.description} WHERE id = ${id}`);
    await appendItemEvent(context.database, t, { cityId: actor.cityId, subjectType: 'service_hours', subjectId: id, action: 'correct', actorUserId: actor.userId, actorLabel: actor.displayName, note: input.reason });
    await appendAudit(context.database, t, auditOf(actor, 'dual_reporting.correct_hours', 'service_hours', id, { before: { servedOn: entry.servedOn, hours: entry.hours, description: entry.description }, after, reason: input.reason }));
    return { id, ...after };
  });
}

type HoursFilters = ListFilters & { partyMemberId?: number; unitId?: number; postId?: number };
async function hoursWhere(context: AppContext, actor: Actor, query: HoursFilters) {
  requireAbility(actor, 'dual_reporting', 'read');
  const parts = [sql`sh.city_id = ${actor.cityId}`, regionPathFilter(sql`sh.region_path`, scopeFor(actor, 'dual_reporting', 'read'))];
  // from/to are the service days here, not when the entry was written.
  parts.push(...(await commonFilters(context, actor, { q: query.q, regionId: query.regionId }, { path: sql`sh.region_path`, search: repo.hoursSearch })));
  if (query.from) parts.push(sql`sh.served_on >= ${query.from}::date`);
  if (query.to) parts.push(sql`sh.served_on <= ${query.to}::date`);
  if (query.status) parts.push(sql`sh.source_kind = ${query.status}`);
  if (query.partyMemberId) parts.push(sql`sh.party_member_id = ${query.partyMemberId}`);
  if (query.unitId) parts.push(sql`sh.unit_id = ${query.unitId}`);
  if (query.postId) parts.push(sql`sh.source_kind = 'post' AND sh.source_id = ${query.postId}`);
  return whereOf(parts);
}

const hoursView = (actor: Actor) => (row: Awaited<ReturnType<typeof repo.listHours>>[number]) => ({
  ...row,
  personName: row.unitId !== null && row.partyMemberId === null && row.volunteerId === null ? row.personName : maskName(row.personName) ?? '',
  abilities: { correct: row.sourceKind === 'post' && isManager(actor, row) },
});

export async function listHours(context: AppContext, actor: Actor, query: HoursFilters) {
  const where = await hoursWhere(context, actor, query);
  const { page, pageSize, offset } = pageOfList(query);
  const [items, totals] = await Promise.all([repo.listHours(context.database, where, { limit: pageSize, offset }), repo.countHours(context.database, where)]);
  return { items: items.map(hoursView(actor)), page, pageSize, total: totals.total, totalHours: totals.hours };
}

const SOURCE_LABEL: Record<string, string> = { post: '岗位服务', activity: '志愿活动', service_order: '服务订单', micro_wish: '微心愿', list_item: '三张清单', other: '其他' };

export async function exportHours(context: AppContext, actor: Actor, query: HoursFilters, request: FastifyRequest, reply: FastifyReply) {
  const where = await hoursWhere(context, actor, query);
  const view = hoursView(actor);
  const columns: LedgerColumn<ReturnType<typeof view>>[] = [
    { header: '编号', value: (r) => r.id, width: 8 },
    { header: '社区', value: (r) => r.communityName },
    { header: '服务人/单位', value: (r) => r.personName, width: 20 },
    { header: '来源', value: (r) => SOURCE_LABEL[r.sourceKind] ?? r.sourceKind },
    { header: '岗位', value: (r) => r.postTitle, width: 24 },
    { header: '服务日期', value: (r) => r.servedOn, width: 12 },
    { header: '时长(小时)', value: (r) => r.hours },
    { header: '服务内容', value: (r) => r.description, width: 40 },
  ];
  return sendLedger(request, reply, {
    fileName: `服务记录-${chinaToday()}.xlsx`, asciiFileName: `service-hours-${chinaToday()}.xlsx`, sheetName: '服务记录', columns,
    batches: keysetBatches(async (afterId, size) => (await repo.listHours(context.database, where, { limit: size, offset: 0, afterId })).map(view)),
  });
}

// ======================= ledger (台账) =======================

type LedgerFilters = ListFilters & { year?: number; quarter?: number; kind?: string };
async function ledgerWhere(context: AppContext, actor: Actor, query: LedgerFilters, period: ReportingPeriod) {
  requireAbility(actor, 'dual_reporting', 'read');
  const parts = [sql`dr.city_id = ${actor.cityId}`, regionPathFilter(sql`dr.region_path`, scopeFor(actor, 'dual_reporting', 'read')), repo.inPeriod(period)];
  parts.push(...(await commonFilters(context, actor, { q: query.q, regionId: query.regionId, status: query.status }, { path: sql`dr.region_path`, search: repo.registrationSearch, status: sql`dr.status` })));
  if (query.from) parts.push(sql`dr.registered_at >= (${query.from}::date)::timestamp AT TIME ZONE 'Asia/Shanghai'`);
  if (query.to) parts.push(sql`dr.registered_at < (${query.to}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'`);
  if (query.kind) parts.push(sql`dr.kind = ${query.kind}`);
  return whereOf(parts);
}

const ledgerView = (row: Awaited<ReturnType<typeof repo.ledgerRows>>[number]) => ({ ...row, subjectName: row.kind === 'member' ? maskName(row.subjectName)! : row.subjectName });

export async function ledger(context: AppContext, actor: Actor, query: LedgerFilters) {
  const period = reportingPeriod(query);
  const where = await ledgerWhere(context, actor, query, period);
  const { page, pageSize, offset } = pageOfList(query);
  const [items, totals] = await Promise.all([repo.ledgerRows(context.database, where, period, { limit: pageSize, offset }), repo.ledgerTotals(context.database, where, period)]);
  return { period: { year: period.year, quarter: period.quarter, from: period.from, until: period.until, label: period.label }, items: items.map(ledgerView), page, pageSize, total: totals.total, totals: { sessions: totals.sessions, hours: totals.hours } };
}

export async function exportLedger(context: AppContext, actor: Actor, query: LedgerFilters, request: FastifyRequest, reply: FastifyReply) {
  const period = reportingPeriod(query);
  const where = await ledgerWhere(context, actor, query, period);
  const columns: LedgerColumn<ReturnType<typeof ledgerView>>[] = [
    { header: '社区', value: (r) => r.communityName },
    { header: '类别', value: (r) => KIND_LABEL[r.kind] },
    { header: '党员/单位', value: (r) => r.subjectName, width: 24 },
    { header: '报到依据', value: (r) => BASIS_LABEL[r.basis] },
    { header: '报到日期', value: (r) => r.registeredAt, time: true, width: 20 },
    { header: '状态', value: (r) => STATUS_LABEL[r.status] },
    { header: '认领岗位', value: (r) => r.posts, width: 36 },
    { header: '岗位数', value: (r) => r.postsClaimed },
    { header: '服务次数', value: (r) => r.sessions },
    { header: '服务时长(小时)', value: (r) => r.hours },
    { header: '统计期间', value: () => period.label, width: 14 },
  ];
  return sendLedger(request, reply, {
    fileName: `双报到服务台账-${period.key}-${chinaToday()}.xlsx`, asciiFileName: `dual-reporting-ledger-${period.key}-${chinaToday()}.xlsx`, sheetName: `双报到台账${period.key}`, columns,
    batches: keysetBatches(async (afterId, size) => (await repo.ledgerRows(context.database, where, period, { limit: size, offset: 0, afterId })).map(ledgerView)),
  });
}

/** Drill-down: a registration's service entries in the period. */
export async function registrationEntries(context: AppContext, actor: Actor, id: number, query: { year?: number; quarter?: number }) {
  const [registration] = await repo.listRegistrations(context.database, sql`dr.id = ${id}`, { limit: 1, offset: 0 });
  if (!registration || registration.cityId !== actor.cityId) throw notFound('Registration');
  authorize(actor, 'dual_reporting', 'read', registration);
  const period = reportingPeriod(query);
  const entries = await repo.registrationEntries(context.database, id, period);
  return {
    registration: registrationView(actor)(registration),
    period: { year: period.year, quarter: period.quarter, from: period.from, until: period.until, label: period.label },
    entries,
    totalHours: Math.round(entries.reduce((sum, e) => sum + e.hours, 0) * 100) / 100,
    timeline: await itemTimeline(context.database, 'dual_registration', id),
  };
}

// ======================= reminders =======================

export async function listReminders(context: AppContext, actor: Actor, query: ListFilters) {
  requireAbility(actor, 'dual_reporting', 'manage');
  const period = reportingPeriod({});
  const parts = [sql`dr.city_id = ${actor.cityId}`, regionPathFilter(sql`dr.region_path`, scopeFor(actor, 'dual_reporting', 'manage')), repo.notServed(period)];
  parts.push(...(await commonFilters(context, actor, { q: query.q, regionId: query.regionId }, { path: sql`dr.region_path`, search: [sql`pm.name`, sql`c.name`] })));
  const where = whereOf(parts);
  const { page, pageSize, offset } = pageOfList(query);
  const [items, total] = await Promise.all([repo.reminderCandidates(context.database, where, period, { limit: pageSize, offset }), repo.countRegistrations(context.database, where)]);
  return {
    period: { year: period.year, quarter: period.quarter, label: period.label },
    items: items.map((row) => ({ ...row, memberName: maskName(row.memberName)!, hasAccount: row.userId !== null, userId: undefined })),
    page, pageSize, total,
  };
}

/** 提醒: an in-app message to every reported member of the area who has not served this quarter, once per quarter. */
export async function sendReminders(context: AppContext, actor: Actor, input: { regionId: number }) {
  const path = await regionPathOf(context, actor, input.regionId);
  authorize(actor, 'dual_reporting', 'manage', { cityId: actor.cityId, regionPath: path });
  const period = reportingPeriod({});
  return tx(context, async (t) => {
    const where = whereOf([sql`dr.city_id = ${actor.cityId}`, sql`dr.region_path LIKE ${path + '%'}`, regionPathFilter(sql`dr.region_path`, scopeFor(actor, 'dual_reporting', 'manage')), repo.notServed(period)]);
    const candidates = await repo.reminderCandidates(context.database, where, period, { limit: 100_000, offset: 0 }, t);
    let sent = 0;
    let alreadyReminded = 0;
    let withoutAccount = 0;
    const reminded = new Set<number>();
    for (const c of candidates) {
      if (reminded.has(c.partyMemberId)) continue;
      reminded.add(c.partyMemberId);
      if (c.userId === null) withoutAccount++;
      else if (await repo.sendReminder(context.database, t, { cityId: actor.cityId, partyMemberId: c.partyMemberId, userId: c.userId, period, communityName: c.communityName })) sent++;
      else alreadyReminded++;
    }
    await appendAudit(context.database, t, auditOf(actor, 'dual_reporting.remind', 'region_node', input.regionId, { period: period.key, candidates: reminded.size, sent, alreadyReminded, withoutAccount }));
    return { period: { year: period.year, quarter: period.quarter, label: period.label }, candidates: reminded.size, sent, alreadyReminded, withoutAccount };
  });
}
