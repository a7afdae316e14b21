import { sql, type SQL } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import { AppError, forbidden, notFound } from '../../shared/errors.ts';
import { maskName, maskPhone } from '../../shared/personal-data.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { auditOf } from '../auth/auth.service.ts';
import { caseDetail } from '../cases/cases.service.ts';
import { actorLabelOf, appendItemEvent, itemTimeline } from '../community/item-events.ts';
import { actionsFrom, nextStatus } from '../community/lifecycle.ts';
import { chinaToday, keysetBatches, sendLedger, type LedgerColumn } from '../community/list-export.ts';
import { commonFilters, communityOfPath, nodeOf, pageOfList, type ListFilters } from '../community/list-query.ts';
import type { Actor } from '../policy/actor.ts';
import { authorize, can, requireAbility, scopeFor } from '../policy/authorize.ts';
import { regionPathFilter } from '../policy/scope-sql.ts';
import { awardUnitPoints } from '../unit-points/unit-points.ledger.ts';
import { listItemLifecycle, type ListItemAction } from './community-lists-lifecycle.ts';
import * as repository from './community-lists.repository.ts';
import type { ListItemRow } from './community-lists.repository.ts';
import type { postSources } from './community-lists.schemas.ts';
import { isoOrNull } from '../../db/row-values.ts';

export const SUBJECT = 'list_item';
export const DEFAULT_PROBLEM_THRESHOLD = 3;

export const listKindNames = { need: '需求清单', problem: '问题清单', service: '服务清单' } as const;
export const statusNames = { posted: '待认领', claimed: '已认领', delivered: '已完成', closed: '已办结', withdrawn: '已撤回' } as const;
export const sourceNames: Record<string, string> = { resident: '居民', community: '社区', resident_unit: '驻区单位', grid_worker: '网格员', case: '民情工单', compiled: '季度汇总' };

const recordOf = (row: Pick<ListItemRow, 'city_id' | 'region_path'>) => ({ cityId: row.city_id, regionPath: row.region_path });

/** The actor without their unit-liaison grants: a unit contact posts and acts for its unit only. */
const withoutUnitContact = (actor: Actor): Actor => ({ ...actor, grants: actor.grants.filter((g) => g.role !== 'unit_contact') });

export interface Claimant {
  unitId: number | null;
  partyMemberId: number | null;
  /** As shown on the timeline: the unit's name, or the user's for a party member. */
  label: string;
}

/**
 * Who the actor claims as: their department (city-wide), their resident unit (in its communities), or
 * themselves as a reported party member (in the communities they reported to). First matching grant wins.
 */
export function claimantOf(actor: Actor, item: Pick<ListItemRow, 'city_id' | 'region_path'>): Claimant | null {
  if (item.city_id !== actor.cityId) return null;
  for (const grant of actor.grants) {
    if (grant.role === 'department_staff' && grant.unitId !== null) return { unitId: grant.unitId, partyMemberId: null, label: grant.unitName ?? actor.displayName };
  }
  for (const grant of actor.grants) {
    if (grant.role === 'unit_contact' && grant.unitId !== null && grant.regionPath && item.region_path.startsWith(grant.regionPath)) {
      return { unitId: grant.unitId, partyMemberId: null, label: grant.unitName ?? actor.displayName };
    }
  }
  for (const grant of actor.grants) {
    if (grant.role === 'party_member' && actor.partyMemberId !== null && grant.regionPath && item.region_path.startsWith(grant.regionPath)) {
      return { unitId: null, partyMemberId: actor.partyMemberId, label: actor.displayName };
    }
  }
  return null;
}

const isClaimer = (actor: Actor, item: ListItemRow) =>
  (item.claimed_by_unit_id !== null && actor.grants.some((g) => (g.role === 'department_staff' || g.role === 'unit_contact') && g.unitId === item.claimed_by_unit_id)) ||
  (item.claimed_by_party_member_id !== null && actor.partyMemberId === item.claimed_by_party_member_id);

const isPoster = (actor: Actor, item: ListItemRow) =>
  item.created_by === actor.userId || (item.poster_unit_id !== null && actor.grants.some((g) => g.role === 'unit_contact' && g.unitId === item.poster_unit_id));

const isManager = (actor: Actor, item: ListItemRow) => can(actor, 'community_list', 'manage', recordOf(item));

/** May the actor take this action on the item (the policy plus who claimed or posted it)? */
export function mayAct(actor: Actor, item: ListItemRow, action: ListItemAction): boolean {
  if (!can(actor, 'community_list', 'read', recordOf(item))) return false;
  switch (action) {
    case 'claim': {
      if (!can(actor, 'community_list', 'claim', recordOf(item))) return false;
      const claimant = claimantOf(actor, item);
      // A unit does not claim its own need.
      return claimant !== null && !(claimant.unitId !== null && claimant.unitId === item.poster_unit_id);
    }
    case 'deliver':
    case 'release':
      return isClaimer(actor, item) || isManager(actor, item);
    case 'close':
      return isManager(actor, item);
    case 'withdraw':
      return isPoster(actor, item) || isManager(actor, item);
  }
}

export const allowedActionsOf = (actor: Actor, item: ListItemRow) => actionsFrom(listItemLifecycle, item.status).filter((action) => mayAct(actor, item, action));

export const presentItem = (row: ListItemRow) => ({
  id: row.id,
  listKind: row.list_kind,
  regionNodeId: row.region_node_id,
  regionName: row.region_name,
  quarter: row.quarter,
  title: row.title,
  description: row.description,
  category: row.category,
  source: row.source,
  posterUnitId: row.poster_unit_id,
  posterUnitName: row.poster_unit_name,
  posterName: maskName(row.poster_name),
  posterPhone: maskPhone(row.poster_phone),
  caseId: row.case_id,
  sourceItemId: row.source_item_id,
  caseCount: row.case_count,
  status: row.status,
  claimedByUnitId: row.claimed_by_unit_id,
  claimedByUnitName: row.claimed_by_unit_name,
  claimedByPartyMemberId: row.claimed_by_party_member_id,
  claimedByPartyMemberName: maskName(row.claimed_by_party_member_name),
  claimedAt: isoOrNull(row.claimed_at),
  deliveredAt: isoOrNull(row.delivered_at),
  deliveryNote: row.delivery_note,
  dueOn: row.due_on,
  version: row.version,
  createdAt: isoOrNull(row.created_at)!,
  updatedAt: isoOrNull(row.updated_at)!,
});

interface ItemListFilters extends ListFilters {
  listKind?: 'need' | 'problem' | 'service';
  quarter?: string;
  category?: string;
}

async function listWhere(context: AppContext, actor: Actor, query: ItemListFilters): Promise<SQL> {
  requireAbility(actor, 'community_list', 'read');
  const scope = scopeFor(actor, 'community_list', 'read');
  const parts: SQL[] = [sql`li.city_id = ${actor.cityId}`, regionPathFilter(sql.raw('li.region_path'), scope)];
  parts.push(...(await commonFilters(context, actor, query, { path: sql.raw('li.region_path'), search: [sql.raw('li.title'), sql.raw('li.description')], status: sql.raw('li.status'), createdAt: sql.raw('li.created_at') })));
  if (query.listKind) parts.push(sql`li.list_kind = ${query.listKind}`);
  if (query.quarter) parts.push(sql`li.quarter = ${query.quarter}`);
  if (query.category?.trim()) parts.push(sql`li.category = ${query.category.trim()}`);
  return sql.join(parts, sql` AND `);
}

export async function listListItems(context: AppContext, actor: Actor, query: ItemListFilters) {
  const where = await listWhere(context, actor, query);
  const { page, pageSize, offset } = pageOfList(query);
  const { rows, total } = await repository.listItems(context.database, where, pageSize, offset);
  return { items: rows.map((row) => ({ ...presentItem(row), allowedActions: allowedActionsOf(actor, row) })), page, pageSize, total };
}

const ledgerColumns: LedgerColumn<ListItemRow>[] = [
  { header: '编号', width: 8, value: (r) => r.id },
  { header: '清单', width: 10, value: (r) => listKindNames[r.list_kind] },
  { header: '社区/街道', width: 14, value: (r) => r.region_name },
  { header: '季度', width: 9, value: (r) => r.quarter },
  { header: '标题', width: 30, value: (r) => r.title },
  { header: '内容', width: 40, value: (r) => r.description },
  { header: '类别', width: 12, value: (r) => r.category },
  { header: '来源', width: 10, value: (r) => sourceNames[r.source] ?? r.source },
  { header: '提出单位', width: 16, value: (r) => r.poster_unit_name },
  { header: '提出人', width: 8, value: (r) => maskName(r.poster_name) },
  { header: '联系电话', width: 13, value: (r) => maskPhone(r.poster_phone) },
  { header: '工单数', width: 8, value: (r) => r.case_count },
  { header: '状态', width: 8, value: (r) => statusNames[r.status] },
  { header: '认领方', width: 16, value: (r) => r.claimed_by_unit_name ?? maskName(r.claimed_by_party_member_name) },
  { header: '认领时间', time: true, width: 18, value: (r) => (r.claimed_at ? new Date(r.claimed_at) : null) },
  { header: '完成时间', time: true, width: 18, value: (r) => (r.delivered_at ? new Date(r.delivered_at) : null) },
  { header: '完成情况', width: 30, value: (r) => r.delivery_note },
  { header: '登记时间', time: true, width: 18, value: (r) => new Date(r.created_at) },
];

/** The same filters as the list, every row, streamed as an Excel ledger (三张清单台账). */
export async function exportListItems(context: AppContext, actor: Actor, query: ItemListFilters, request: FastifyRequest, reply: FastifyReply) {
  const where = await listWhere(context, actor, query);
  const name = query.listKind ? listKindNames[query.listKind] : '三张清单';
  return sendLedger(request, reply, {
    fileName: `${name}台账-${chinaToday()}.xlsx`,
    asciiFileName: `community-lists-${chinaToday()}.xlsx`,
    sheetName: name,
    columns: ledgerColumns,
    batches: keysetBatches((after, size) => repository.itemBatch(context.database, where, after, size)),
  });
}

async function readableItem(context: AppContext, actor: Actor, id: number, executor?: Executor) {
  const item = await repository.findItem(context.database, id, executor);
  if (!item || item.city_id !== actor.cityId) throw notFound('List item');
  authorize(actor, 'community_list', 'read', recordOf(item));
  return item;
}

export async function listItemDetail(context: AppContext, actor: Actor, id: number) {
  const item = await readableItem(context, actor, id);
  const sourceItem = item.source_item_id ? await repository.findItem(context.database, item.source_item_id) : null;
  return {
    ...presentItem(item),
    sourceItem: sourceItem && can(actor, 'community_list', 'read', recordOf(sourceItem)) ? { id: sourceItem.id, listKind: sourceItem.list_kind, title: sourceItem.title, status: sourceItem.status } : null,
    allowedActions: allowedActionsOf(actor, item),
    timeline: await itemTimeline(context.database, SUBJECT, id),
  };
}

export interface CreateListItemInput {
  listKind: 'need' | 'problem' | 'service';
  regionId: number;
  title: string;
  description?: string;
  category?: string;
  source?: (typeof postSources)[number];
  posterName?: string;
  posterPhone?: string;
  posterUnitId?: number;
  caseId?: number;
  sourceItemId?: number;
  quarter?: string;
  dueOn?: string;
}

const trimmed = (value: string | undefined) => (value?.trim() ? value.trim() : null);

export async function createListItem(context: AppContext, actor: Actor, input: CreateListItemInput) {
  const title = input.title.trim();
  if (!title) throw new AppError('validation_failed', 'A title is required', { field: 'title' });
  const levels = input.listKind === 'need' ? ['community', 'street', 'grid', 'building'] : ['community', 'street'];
  const node = await nodeOf(context, actor, input.regionId, levels);
  // A need from a grid or building is listed under its community but keeps the narrower path (grid workers see it).
  const listNode = node.level === 'grid' || node.level === 'building' ? await communityOfPath(context, node.path) : node;
  if (!listNode) throw new AppError('validation_failed', 'The place is not inside a community', { regionId: input.regionId });
  const record = { cityId: actor.cityId, regionPath: node.path };
  const item: repository.NewListItem = {
    cityId: actor.cityId,
    listKind: input.listKind,
    regionNodeId: listNode.id,
    regionPath: node.path,
    quarter: null,
    title,
    description: input.description?.trim() ?? '',
    category: trimmed(input.category),
    source: 'community',
    posterUnitId: null,
    posterName: null,
    posterPhone: null,
    caseId: null,
    sourceItemId: null,
    dueOn: input.dueOn ?? null,
    createdBy: actor.userId,
  };

  if (input.listKind === 'need') {
    authorize(actor, 'community_list', 'post', record);
    const asStaff = can(withoutUnitContact(actor), 'community_list', 'post', record);
    const source = input.caseId ? 'case' : input.source ?? (asStaff ? (input.posterName ? (actor.grants.some((g) => g.role === 'grid_worker' || g.role === 'grid_head') ? 'grid_worker' : 'resident') : 'community') : 'resident_unit');
    item.source = source;
    if (source === 'resident_unit') {
      const grant = actor.grants.find((g) => g.role === 'unit_contact' && g.unitId !== null && g.regionPath !== null && node.path.startsWith(g.regionPath) && (input.posterUnitId === undefined || g.unitId === input.posterUnitId));
      if (!grant) throw forbidden('Only the liaison of a resident unit posts its needs, in a community it belongs to');
      if (node.level !== 'community') throw forbidden("A resident unit posts its needs at its community, not at a grid or building");
      item.posterUnitId = grant.unitId;
    } else {
      if (!asStaff) throw forbidden("A resident unit's liaison posts the unit's own needs only");
      if (source === 'resident' || source === 'grid_worker') {
        const posterName = trimmed(input.posterName);
        if (!posterName) throw new AppError('validation_failed', "A resident's need names the resident (posterName)", { field: 'posterName' });
        item.posterName = posterName;
        item.posterPhone = input.posterPhone ?? null;
      }
      if (source === 'case') {
        if (!input.caseId) throw new AppError('validation_failed', 'A need from a case names the case (caseId)', { field: 'caseId' });
        const found = await repository.caseForNeed(context.database, input.caseId);
        if (!found || found.cityId !== actor.cityId) throw notFound('Case');
        await caseDetail(context, actor, input.caseId); // the case policy decides whether the actor may read it
        if (!found.regionPath.startsWith(listNode.path)) throw new AppError('validation_failed', 'The case is not in this community', { caseId: input.caseId });
        item.caseId = found.id;
        item.regionPath = found.regionPath.startsWith(node.path) ? found.regionPath : node.path;
        item.description = item.description || found.description;
        item.category = item.category ?? found.category;
        item.posterName = found.reporterName;
        item.posterPhone = found.reporterPhone;
      }
    }
  } else {
    authorize(actor, 'community_list', 'manage', record);
    if (input.listKind === 'problem') {
      if (!input.quarter) throw new AppError('validation_failed', 'A problem item belongs to a quarter (quarter: 2026Q4)', { field: 'quarter' });
      item.quarter = input.quarter;
    }
    if (input.sourceItemId) {
      const answered = await repository.findItem(context.database, input.sourceItemId);
      if (!answered || answered.city_id !== actor.cityId || !can(actor, 'community_list', 'read', recordOf(answered))) throw notFound('Source item');
      if (answered.list_kind === 'service') throw new AppError('validation_failed', 'A service item answers a need or a problem', { sourceItemId: input.sourceItemId });
      item.sourceItemId = answered.id;
    }
  }

  return context.database.db.transaction(async (tx) => {
    const id = await repository.insertItem(context.database, tx, item);
    await appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: SUBJECT, subjectId: id, action: 'post', toStatus: 'posted', actorUserId: actor.userId, actorLabel: item.posterUnitId ? actorLabelOf(actor) : actorLabelOf(actor) });
    await appendAudit(context.database, tx, auditOf(actor, 'community_list.post', 'community_list_item', id, { listKind: item.listKind, source: item.source, regionNodeId: item.regionNodeId, caseId: item.caseId }));
    const created = await repository.findItem(context.database, id, tx);
    return { ...presentItem(created!), allowedActions: allowedActionsOf(actor, created!) };
  });
}

/** claim, deliver, close, withdraw, release: the table decides the step, the policy and the claim decide who. */
export async function actOnListItem(context: AppContext, actor: Actor, id: number, input: { action: ListItemAction; note?: string }) {
  const item = await readableItem(context, actor, id);
  const note = trimmed(input.note);
  if (input.action === 'claim' && item.status === 'claimed') throw new AppError('conflict', 'This item has already been claimed', { status: item.status });
  const to = nextStatus(listItemLifecycle, SUBJECT, item.status, input.action);
  if (!mayAct(actor, item, input.action)) throw forbidden(`Not allowed to ${input.action} this item`);
  if (input.action === 'deliver' && !note) throw new AppError('validation_failed', 'Say what was delivered (note)', { field: 'note' });

  const claimant = input.action === 'claim' ? claimantOf(actor, item)! : null;
  return context.database.db.transaction(async (tx) => {
    const moved = await repository.moveItem(context.database, tx, id, item.status, to, {
      claim: claimant ? { unitId: claimant.unitId, partyMemberId: claimant.partyMemberId } : input.action === 'release' ? 'clear' : undefined,
      deliveryNote: input.action === 'deliver' ? note! : undefined,
    });
    if (!moved) throw new AppError('conflict', input.action === 'claim' ? 'This item has just been claimed by someone else' : 'This item has just been changed by someone else: reload it');
    await appendItemEvent(context.database, tx, {
      cityId: actor.cityId, subjectType: SUBJECT, subjectId: id, action: input.action, fromStatus: item.status, toStatus: to, actorUserId: actor.userId,
      actorLabel: claimant ? claimant.label : actorLabelOf(actor), note,
    });
    // Resident units earn points for claiming and for delivering (once per item and event: the ledger is idempotent).
    let pointsAwarded = 0;
    const pointUnitId = claimant ? claimant.unitId : input.action === 'deliver' ? item.claimed_by_unit_id : null;
    if (pointUnitId !== null && (input.action === 'claim' || input.action === 'deliver') && (await repository.unitKind(context.database, pointUnitId, tx)) !== 'department') {
      const community = await communityOfPath(context, item.region_path, tx);
      if (community) {
        pointsAwarded = await awardUnitPoints(context.database, tx, {
          cityId: actor.cityId, communityId: community.id, regionPath: community.path, unitId: pointUnitId,
          event: input.action === 'claim' ? 'service_claimed' : 'need_delivered', sourceKind: SUBJECT, sourceId: id, note: item.title, createdBy: actor.userId,
        });
      }
    }
    await appendAudit(context.database, tx, auditOf(actor, `community_list.${input.action}`, 'community_list_item', id, {
      from: item.status, to, ...(claimant ? { unitId: claimant.unitId, partyMemberId: claimant.partyMemberId } : {}), ...(pointsAwarded ? { pointsAwarded } : {}),
    }));
    const updated = (await repository.findItem(context.database, id, tx))!;
    return { ...presentItem(updated), allowedActions: allowedActionsOf(actor, updated), pointsAwarded };
  });
}

/** '2026Q4' → the first days of the quarter and of the next one (Asia/Shanghai dates). */
export function quarterBounds(quarter: string): { start: string; end: string } {
  const year = Number(quarter.slice(0, 4));
  const q = Number(quarter.slice(5));
  const month = (q - 1) * 3 + 1;
  const start = `${year}-${String(month).padStart(2, '0')}-01`;
  const end = q === 4 ? `${year + 1}-01-01` : `${year}-${String(month + 3).padStart(2, '0')}-01`;
  return { start, end };
}

/** The quarter a moment falls in, in Asia/Shanghai. */
export function quarterOf(at: Date): string {
  const local = new Date(at.getTime() + 8 * 3600_000);
  return `${local.getUTCFullYear()}Q${Math.floor(local.getUTCMonth() / 3) + 1}`;
}

/**
 * 问题清单: for a community or street and a quarter, one problem item per case category with at least
 * `threshold` cases, plus every open need of the quarter not compiled yet. Re-compiling updates counts.
 */
export async function compileProblemList(context: AppContext, actor: Actor, input: { regionId: number; quarter: string; threshold?: number }) {
  const node = await nodeOf(context, actor, input.regionId, ['community', 'street']);
  authorize(actor, 'community_list', 'manage', { cityId: actor.cityId, regionPath: node.path });
  const threshold = input.threshold ?? DEFAULT_PROBLEM_THRESHOLD;
  const { start, end } = quarterBounds(input.quarter);
  return context.database.db.transaction(async (tx) => {
    const created: number[] = [];
    const updated: number[] = [];
    const event = (subjectId: number, action: string, note: string, toStatus: string | null) =>
      appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: SUBJECT, subjectId, action, toStatus, actorUserId: actor.userId, actorLabel: actorLabelOf(actor), note });
    for (const category of await repository.caseCategoriesOfPeriod(context.database, tx, actor.cityId, node.path, start, end, threshold)) {
      const result = await repository.upsertCategoryProblem(context.database, tx, {
        cityId: actor.cityId, regionNodeId: node.id, regionPath: node.path, quarter: input.quarter, title: category.name, category: category.code, count: category.count, createdBy: actor.userId,
      });
      if (result.inserted) {
        created.push(result.id);
        await event(result.id, 'compile', `${category.count} 件工单`, 'posted');
      } else if (result.previousCount !== category.count) {
        updated.push(result.id);
        await event(result.id, 'recount', `${result.previousCount} → ${category.count} 件工单`, null);
      }
    }
    for (const need of await repository.uncompiledNeeds(context.database, tx, actor.cityId, node.id, node.path, start, end)) {
      const id = await repository.insertNeedProblem(context.database, tx, { cityId: actor.cityId, regionNodeId: node.id, regionPath: node.path, quarter: input.quarter, need, createdBy: actor.userId });
      if (id !== null) {
        created.push(id);
        await event(id, 'compile', `来自需求 #${need.id}`, 'posted');
      }
    }
    await appendAudit(context.database, tx, auditOf(actor, 'community_list.compile', 'region_node', node.id, { quarter: input.quarter, threshold, created, updated }));
    return { regionId: node.id, quarter: input.quarter, threshold, created: created.length, updated: updated.length, itemIds: [...created, ...updated] };
  });
}
