import { sql, type SQL } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError, forbidden, notFound } from '../../shared/errors.ts';
import { maskName } from '../../shared/personal-data.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { auditOf } from '../auth/auth.service.ts';
import { actorLabelOf, appendItemEvent, itemTimeline } from '../community/item-events.ts';
import { actionsFrom, nextStatus } from '../community/lifecycle.ts';
import { chinaToday, keysetBatches, sendLedger } from '../community/list-export.ts';
import { commonFilters, nodeOf, pageOfList, type ListFilters } from '../community/list-query.ts';
import type { Actor } from '../policy/actor.ts';
import { can, requireAbility, scopeFor } from '../policy/authorize.ts';
import { regionPathFilter } from '../policy/scope-sql.ts';
import { noticeLifecycle, type NoticeAction } from './notices-lifecycle.ts';
import * as repository from './notices.repository.ts';
import type { NoticeRow } from './notices.repository.ts';

export const NOTICE_SUBJECT = 'notice';
export const noticeKindNames = { organization_life: '组织生活通知', policy: '政策发布', party_affairs: '党务公开', residents_affairs: '居务公开' } as const;
const noticeStatusNames = { draft: '草稿', published: '已发布', withdrawn: '已撤回' } as const;

const recordOf = (notice: Pick<NoticeRow, 'cityId' | 'regionPath'>) => ({ cityId: notice.cityId, regionPath: notice.regionPath });
const isPublisher = (actor: Actor, notice: NoticeRow) => can(actor, 'notice', 'publish', recordOf(notice));

/**
 * The organisations whose organisation-life notices reach the actor: their party member's organisation and
 * every one above it. Empty unless the actor signs in as a party member (role party_member).
 */
async function memberReach(context: AppContext, actor: Actor): Promise<number[]> {
  if (actor.partyMemberId === null || !actor.grants.some((g) => g.role === 'party_member')) return [];
  const member = await repository.memberOrganization(context.database, actor.partyMemberId);
  if (!member || member.cityId !== actor.cityId) return [];
  return repository.organizationAndAncestors(context.database, member.organizationId);
}

/** Publishers read every notice in their area; others published ones: public kinds by area, organisation life by membership. */
function mayRead(actor: Actor, notice: NoticeRow, reach: number[]) {
  if (notice.cityId !== actor.cityId) return false;
  if (isPublisher(actor, notice)) return true;
  if (notice.status !== 'published') return false;
  if (notice.kind === 'organization_life') return notice.partyOrganizationId !== null && reach.includes(notice.partyOrganizationId);
  return can(actor, 'notice', 'read', recordOf(notice));
}

const allowedActionsOf = (actor: Actor, notice: NoticeRow) => (isPublisher(actor, notice) ? actionsFrom(noticeLifecycle, notice.status) : []);

const presentNotice = (notice: NoticeRow) => ({
  id: notice.id,
  kind: notice.kind,
  regionNodeId: notice.regionNodeId,
  regionName: notice.regionName,
  partyOrganizationId: notice.partyOrganizationId,
  partyOrganizationName: notice.partyOrganizationName,
  title: notice.title,
  body: notice.body,
  status: notice.status,
  publishedAt: notice.publishedAt,
  eventAt: notice.eventAt,
  createdAt: notice.createdAt,
  readCount: notice.readCount,
});

interface NoticeFilters extends ListFilters {
  kind?: NoticeRow['kind'];
}

async function noticeWhere(context: AppContext, actor: Actor, query: NoticeFilters): Promise<SQL> {
  requireAbility(actor, 'notice', 'read');
  const reach = await memberReach(context, actor);
  const publishScope = regionPathFilter(sql.raw('n.region_path'), scopeFor(actor, 'notice', 'publish'));
  const readScope = regionPathFilter(sql.raw('n.region_path'), scopeFor(actor, 'notice', 'read'));
  const members = reach.length ? sql`n.party_organization_id IN (${sql.join(reach.map((id) => sql`${id}`), sql`, `)})` : sql`false`;
  const parts: SQL[] = [
    sql`n.city_id = ${actor.cityId}`,
    sql`(${publishScope} OR (n.status = 'published' AND ((n.kind <> 'organization_life' AND ${readScope}) OR (n.kind = 'organization_life' AND ${members}))))`,
    ...(await commonFilters(context, actor, query, { path: sql.raw('n.region_path'), search: [sql.raw('n.title'), sql.raw('n.body')], status: sql.raw('n.status'), createdAt: sql.raw('n.created_at') })),
  ];
  if (query.kind) parts.push(sql`n.kind = ${query.kind}`);
  return sql.join(parts, sql` AND `);
}

export async function listNotices(context: AppContext, actor: Actor, query: NoticeFilters) {
  const where = await noticeWhere(context, actor, query);
  const { page, pageSize, offset } = pageOfList(query);
  const { rows, total } = await repository.listNotices(context.database, where, pageSize, offset);
  return { items: rows.map((n) => ({ ...presentNotice(n), body: n.body.slice(0, 200), allowedActions: allowedActionsOf(actor, n) })), page, pageSize, total };
}

export async function exportNotices(context: AppContext, actor: Actor, query: NoticeFilters, request: FastifyRequest, reply: FastifyReply) {
  const where = await noticeWhere(context, actor, query);
  return sendLedger(request, reply, {
    fileName: `公告与公开台账-${chinaToday()}.xlsx`,
    asciiFileName: `notices-${chinaToday()}.xlsx`,
    sheetName: '公告与公开',
    columns: [
      { header: '编号', width: 8, value: (n: NoticeRow) => n.id },
      { header: '类型', width: 14, value: (n) => noticeKindNames[n.kind] },
      { header: '发布范围', width: 14, value: (n) => n.regionName },
      { header: '党组织', width: 18, value: (n) => n.partyOrganizationName },
      { header: '标题', width: 30, value: (n) => n.title },
      { header: '状态', width: 8, value: (n) => noticeStatusNames[n.status] },
      { header: '发布时间', width: 18, time: true, value: (n) => (n.publishedAt ? new Date(n.publishedAt) : null) },
      { header: '活动时间', width: 18, time: true, value: (n) => (n.eventAt ? new Date(n.eventAt) : null) },
      { header: '已读人数', width: 9, value: (n) => (n.kind === 'organization_life' ? n.readCount : null) },
      { header: '登记时间', width: 18, time: true, value: (n) => new Date(n.createdAt) },
    ],
    batches: keysetBatches((after, size) => repository.noticeBatch(context.database, where, after, size)),
  });
}

async function readableNotice(context: AppContext, actor: Actor, id: number) {
  const notice = await repository.findNotice(context.database, id);
  if (!notice || notice.cityId !== actor.cityId) throw notFound('Notice');
  const reach = await memberReach(context, actor);
  // A draft, a withdrawn notice or another organisation's notice does not exist for those who may not see it.
  if (!mayRead(actor, notice, reach)) throw notFound('Notice');
  return { notice, reach };
}

export async function noticeDetail(context: AppContext, actor: Actor, id: number) {
  const { notice, reach } = await readableNotice(context, actor, id);
  const publisher = isPublisher(actor, notice);
  const isMember = notice.kind === 'organization_life' && notice.partyOrganizationId !== null && reach.includes(notice.partyOrganizationId);
  const audience = publisher && notice.kind === 'organization_life' && notice.partyOrganizationId !== null ? await repository.noticeAudience(context.database, id, notice.partyOrganizationId) : null;
  return {
    ...presentNotice(notice),
    allowedActions: allowedActionsOf(actor, notice),
    /** For a party member the notice is addressed to: whether (and when) they acknowledged it. */
    acknowledgement: isMember && actor.partyMemberId !== null ? { canAcknowledge: notice.status === 'published', readAt: await repository.receiptOf(context.database, id, actor.partyMemberId) } : null,
    /** For the publisher: who has and has not read it (names masked). */
    receipts: audience
      ? { total: audience.length, read: audience.filter((m) => m.readAt).length, members: audience.map((m) => ({ ...m, name: maskName(m.name) })) }
      : null,
    timeline: publisher ? await itemTimeline(context.database, NOTICE_SUBJECT, id) : [],
  };
}

export interface CreateNoticeInput {
  kind: NoticeRow['kind'];
  regionId: number;
  partyOrganizationId?: number;
  title: string;
  body: string;
  eventAt?: string;
  publish?: boolean;
}

export async function createNotice(context: AppContext, actor: Actor, input: CreateNoticeInput) {
  const title = input.title.trim();
  const body = input.body.trim();
  if (!title || !body) throw new AppError('validation_failed', 'A notice needs a title and a body', { field: !title ? 'title' : 'body' });
  const node = await nodeOf(context, actor, input.regionId, ['city', 'district', 'street', 'community']);
  if (!can(actor, 'notice', 'publish', { cityId: actor.cityId, regionPath: node.path })) throw forbidden('Not allowed to publish notices here');
  let organizationId: number | null = null;
  if (input.kind === 'organization_life') {
    if (!input.partyOrganizationId) throw new AppError('validation_failed', 'An organisation-life notice names the party organisation (partyOrganizationId)', { field: 'partyOrganizationId' });
    const organization = await repository.organizationOf(context.database, input.partyOrganizationId);
    if (!organization || organization.cityId !== actor.cityId) throw new AppError('validation_failed', 'Unknown party organisation', { partyOrganizationId: input.partyOrganizationId });
    if (!organization.path.startsWith(node.path)) throw new AppError('validation_failed', 'The party organisation is not in the area of this notice', { partyOrganizationId: input.partyOrganizationId });
    organizationId = organization.id;
  } else if (input.partyOrganizationId) {
    throw new AppError('validation_failed', 'Only organisation-life notices name a party organisation', { field: 'partyOrganizationId' });
  }
  return context.database.db.transaction(async (tx) => {
    const id = await repository.insertNotice(context.database, tx, {
      cityId: actor.cityId, kind: input.kind, regionNodeId: node.id, regionPath: node.path, partyOrganizationId: organizationId, title, body, eventAt: input.eventAt ?? null, createdBy: actor.userId,
    });
    await appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: NOTICE_SUBJECT, subjectId: id, action: 'draft', toStatus: 'draft', actorUserId: actor.userId, actorLabel: actorLabelOf(actor) });
    await appendAudit(context.database, tx, auditOf(actor, 'notice.draft', 'notice', id, { kind: input.kind, regionNodeId: node.id, partyOrganizationId: organizationId }));
    if (input.publish) {
      await repository.moveNotice(context.database, tx, id, 'draft', 'published');
      await appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: NOTICE_SUBJECT, subjectId: id, action: 'publish', fromStatus: 'draft', toStatus: 'published', actorUserId: actor.userId, actorLabel: actorLabelOf(actor) });
      await appendAudit(context.database, tx, auditOf(actor, 'notice.publish', 'notice', id, { kind: input.kind }));
    }
    const notice = (await repository.findNotice(context.database, id, tx))!;
    return { ...presentNotice(notice), allowedActions: allowedActionsOf(actor, notice) };
  });
}

export async function actOnNotice(context: AppContext, actor: Actor, id: number, action: NoticeAction) {
  const { notice } = await readableNotice(context, actor, id);
  if (!isPublisher(actor, notice)) throw forbidden('Only the publisher may publish or withdraw a notice');
  const to = nextStatus(noticeLifecycle, NOTICE_SUBJECT, notice.status, action);
  return context.database.db.transaction(async (tx) => {
    if (!(await repository.moveNotice(context.database, tx, id, notice.status, to))) throw new AppError('conflict', 'The notice has just been changed by someone else: reload it');
    await appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: NOTICE_SUBJECT, subjectId: id, action, fromStatus: notice.status, toStatus: to, actorUserId: actor.userId, actorLabel: actorLabelOf(actor) });
    await appendAudit(context.database, tx, auditOf(actor, `notice.${action}`, 'notice', id, { from: notice.status, to }));
    const updated = (await repository.findNotice(context.database, id, tx))!;
    return { ...presentNotice(updated), allowedActions: allowedActionsOf(actor, updated) };
  });
}

/** A party member acknowledges an organisation-life notice addressed to their organisation (once; repeats are no-ops). */
export async function acknowledgeNotice(context: AppContext, actor: Actor, id: number) {
  const { notice, reach } = await readableNotice(context, actor, id);
  const addressed = notice.kind === 'organization_life' && notice.partyOrganizationId !== null && reach.includes(notice.partyOrganizationId);
  if (!addressed || actor.partyMemberId === null) throw forbidden('Only the party members a notice is addressed to acknowledge it');
  if (notice.status !== 'published') throw new AppError('invalid_transition', 'Only a published notice can be acknowledged', { status: notice.status });
  const partyMemberId = actor.partyMemberId;
  return context.database.db.transaction(async (tx) => {
    const readAt = await repository.insertReceipt(context.database, tx, actor.cityId, id, partyMemberId);
    if (readAt) await appendAudit(context.database, tx, auditOf(actor, 'notice.acknowledge', 'notice', id, { partyMemberId }));
    return { noticeId: id, readAt: readAt ?? (await repository.receiptOf(context.database, id, partyMemberId, tx)), alreadyRead: readAt === null };
  });
}

/** The place behind a QR code, for the public pages (several cities with the code: cityCode decides). */
export async function publicPlace(context: AppContext, code: string, cityCode?: string) {
  const places = await repository.placeOfCode(context.database, code, cityCode);
  if (places.length > 1) throw new AppError('validation_failed', 'The place code exists in several cities: give cityCode');
  if (!places[0]) throw notFound('Place');
  return { cityId: Number(places[0].city_id), path: places[0].path };
}

/** Published policies and disclosures (党务公开, 居务公开) of the place's community and the levels above it. No login. */
export async function publicNotices(context: AppContext, code: string, cityCode?: string) {
  const place = await publicPlace(context, code, cityCode);
  const notices = await repository.publicNoticesAt(context.database, place.cityId, place.path);
  return { items: notices.map((n) => ({ id: n.id, kind: n.kind, regionName: n.regionName, title: n.title, body: n.body, publishedAt: n.publishedAt, eventAt: n.eventAt })) };
}
