import { sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { auditOf } from '../auth/auth.service.ts';
import { authorize, can, requireAbility, scopeFor } from '../policy/authorize.ts';
import type { Actor } from '../policy/actor.ts';
import { regionPathFilter } from '../policy/scope-sql.ts';
import { likePattern, pageOfList, regionPathOf } from '../community/list-query.ts';
import { chinaToday, keysetBatches, type Ledger } from '../community/list-export.ts';
import { DEFAULT_UNIT_POINT_RULES, DEFAULT_UNIT_POINT_SETTINGS, pointStanding, unitPointBalance, type UnitPointEvent } from './unit-points.ledger.ts';
import * as repo from './unit-points.repository.ts';
import { ruleEvents, type AdjustmentInput, type BalanceFilters, type EntryFilters, type RulesInput, type SettingsInput } from './unit-points.schemas.ts';

/** Chinese words of the ledger (Excel headers and sheet values). */
export const eventLabels: Record<UnitPointEvent, string> = {
  activity_served: '参加活动',
  service_claimed: '认领服务',
  need_delivered: '办结需求',
  wish_fulfilled: '实现微心愿',
  meeting_attended: '出席联席会议',
  meeting_missed: '缺席联席会议',
  post_served: '认领岗位服务',
  manual: '人工调整',
};
export const standingLabels = { restricted: '受限（低于预约门槛）', normal: '正常', honoured: '表彰（高于表彰线）' } as const;

/** A community of the actor's city, by id: 404 when unknown or foreign, 400 when the node is not a community. */
export async function communityById(context: AppContext, actor: Actor, id: number) {
  const node = await repo.findRegionNode(context.database, id);
  if (!node || node.cityId !== actor.cityId) throw notFound('Community');
  if (node.level !== 'community') throw new AppError('validation_failed', `Region node ${id} is a ${node.level}, not a community`, { id, level: node.level });
  return node;
}

async function unitById(context: AppContext, actor: Actor, id: number) {
  const unit = await repo.findUnit(context.database, id);
  if (!unit || unit.cityId !== actor.cityId) throw notFound('Unit');
  return unit;
}

// ---------- settings and rules ----------

export async function getSettings(context: AppContext, actor: Actor, communityId: number) {
  const community = await communityById(context, actor, communityId);
  authorize(actor, 'unit_points', 'read', { cityId: actor.cityId, regionPath: community.path });
  const stored = await repo.readSettingsRow(context.database, community.id);
  const rules = await repo.readRules(context.database, community.id);
  const byEvent = new Map(rules.map((r) => [r.event, r]));
  return {
    community: { id: community.id, name: community.name },
    settings: stored ?? { ...DEFAULT_UNIT_POINT_SETTINGS, updatedAt: null, updatedByName: null },
    isDefault: stored === null,
    rules: ruleEvents.map((event) => {
      const rule = byEvent.get(event);
      return { event, label: eventLabels[event], points: rule?.points ?? DEFAULT_UNIT_POINT_RULES[event], active: rule?.active ?? true, isDefault: !rule };
    }),
    abilities: { configure: can(actor, 'unit_points', 'configure', { cityId: actor.cityId, regionPath: community.path }) },
  };
}

export async function updateSettings(context: AppContext, actor: Actor, communityId: number, input: SettingsInput) {
  const community = await communityById(context, actor, communityId);
  authorize(actor, 'unit_points', 'configure', { cityId: actor.cityId, regionPath: community.path });
  // Seed 001: below the minimum a unit cannot book, above the threshold it is honoured; the two must not cross.
  if (input.bookingMinimum >= input.honourThreshold) {
    throw new AppError('validation_failed', 'The booking minimum must be below the honour threshold', { bookingMinimum: input.bookingMinimum, honourThreshold: input.honourThreshold });
  }
  await context.database.db.transaction(async (tx) => {
    const before = await repo.readSettingsRow(context.database, community.id, tx);
    await repo.upsertSettings(context.database, tx, { cityId: actor.cityId, communityId: community.id, regionPath: community.path, userId: actor.userId, ...input });
    await appendAudit(
      context.database,
      tx,
      auditOf(actor, 'unit_points.settings_update', 'region_node', community.id, {
        before: before ? { basePoints: before.basePoints, bookingMinimum: before.bookingMinimum, honourThreshold: before.honourThreshold } : null,
        after: input,
      }),
    );
  });
  return getSettings(context, actor, communityId);
}

export async function updateRules(context: AppContext, actor: Actor, communityId: number, input: RulesInput) {
  const community = await communityById(context, actor, communityId);
  authorize(actor, 'unit_points', 'configure', { cityId: actor.cityId, regionPath: community.path });
  const events = input.rules.map((r) => r.event);
  const repeated = events.filter((e, i) => events.indexOf(e) !== i);
  if (repeated.length) throw new AppError('validation_failed', 'Each event may have one rule', { repeated });
  await context.database.db.transaction(async (tx) => {
    const before = await repo.readRules(context.database, community.id, tx);
    for (const rule of input.rules) {
      await repo.upsertRule(context.database, tx, { cityId: actor.cityId, communityId: community.id, regionPath: community.path, event: rule.event, points: rule.points, active: rule.active ?? true });
    }
    await appendAudit(context.database, tx, auditOf(actor, 'unit_points.rules_update', 'region_node', community.id, { before, after: input.rules }));
  });
  return getSettings(context, actor, communityId);
}

// ---------- balances ----------

async function balanceWhere(context: AppContext, actor: Actor, query: Omit<BalanceFilters, 'page' | 'pageSize'>): Promise<SQL[]> {
  requireAbility(actor, 'unit_points', 'read');
  const scope = scopeFor(actor, 'unit_points', 'read');
  const where: SQL[] = [regionPathFilter(sql`b.community_path`, scope, sql`b.unit_id`)];
  if (query.q?.trim()) where.push(sql`b.unit_name LIKE ${likePattern(query.q)}`);
  if (query.regionId) where.push(sql`b.community_path LIKE ${(await regionPathOf(context, actor, query.regionId)) + '%'}`);
  if (query.communityId) where.push(sql`b.community_id = ${query.communityId}`);
  if (query.standing) where.push(sql`b.standing = ${query.standing}`);
  return where;
}

export async function listBalances(context: AppContext, actor: Actor, query: BalanceFilters) {
  const where = await balanceWhere(context, actor, query);
  const { page, pageSize, offset } = pageOfList(query);
  const { rows, total } = await repo.listBalances(context.database, actor.cityId, where, { limit: pageSize, offset });
  return {
    items: rows.map(({ communityPath, ...row }) => ({ ...row, canAdjust: can(actor, 'unit_points', 'configure', { cityId: actor.cityId, regionPath: communityPath }) })),
    page,
    pageSize,
    total,
  };
}

export async function balanceLedger(context: AppContext, actor: Actor, query: Omit<BalanceFilters, 'page' | 'pageSize'>): Promise<Ledger<repo.BalanceRow & { id: number }>> {
  const where = await balanceWhere(context, actor, query);
  const { rows } = await repo.listBalances(context.database, actor.cityId, where, null);
  const today = chinaToday();
  return {
    fileName: `驻区单位积分台账-${today}.xlsx`,
    asciiFileName: `unit-points-${today}.xlsx`,
    sheetName: '单位积分',
    columns: [
      { header: '单位', width: 28, value: (r) => r.unitName },
      { header: '社区', width: 18, value: (r) => r.communityName },
      { header: '积分', width: 10, value: (r) => r.balance },
      { header: '状态', width: 20, value: (r) => standingLabels[r.standing] },
      { header: '累计加分', width: 10, value: (r) => r.earned },
      { header: '累计扣分', width: 10, value: (r) => r.deducted },
      { header: '记录数', width: 10, value: (r) => r.entryCount },
      { header: '预约门槛', width: 10, value: (r) => r.bookingMinimum },
      { header: '表彰线', width: 10, value: (r) => r.honourThreshold },
      { header: '最近记分', width: 20, value: (r) => (r.lastEntryAt ? new Date(r.lastEntryAt) : null), time: true },
    ],
    // A city has hundreds to a few thousand member units: one batch, read before the response starts.
    batches: (async function* () {
      yield rows.map((r, i) => ({ ...r, id: i + 1 }));
    })(),
  };
}

// ---------- one unit's ledger ----------

async function ledgerSubject(context: AppContext, actor: Actor, unitId: number, communityId: number, action: 'read' | 'configure') {
  const unit = await unitById(context, actor, unitId);
  const community = await communityById(context, actor, communityId);
  authorize(actor, 'unit_points', action, { cityId: actor.cityId, regionPath: community.path, unitId: unit.id });
  return { unit, community };
}

function entryWhere(query: Omit<EntryFilters, 'communityId' | 'page' | 'pageSize'>): SQL[] {
  const where: SQL[] = [];
  if (query.q?.trim()) {
    const pattern = likePattern(query.q);
    where.push(sql`(e.note LIKE ${pattern} OR e.source_kind LIKE ${pattern})`);
  }
  if (query.event) where.push(sql`e.event = ${query.event}`);
  if (query.from) where.push(sql`e.created_at >= (${query.from}::date)::timestamp AT TIME ZONE 'Asia/Shanghai'`);
  if (query.to) where.push(sql`e.created_at < (${query.to}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'`);
  return where;
}

export async function unitLedger(context: AppContext, actor: Actor, unitId: number, query: EntryFilters) {
  const { unit, community } = await ledgerSubject(context, actor, unitId, query.communityId, 'read');
  const { page, pageSize, offset } = pageOfList(query);
  const { balance, settings } = await unitPointBalance(context.database, unit.id, community.id);
  const { rows, total } = await repo.listEntries(context.database, unit.id, community.id, entryWhere(query), { limit: pageSize, offset });
  return {
    unit: { id: unit.id, name: unit.name, kind: unit.kind },
    community: { id: community.id, name: community.name },
    balance,
    standing: pointStanding(balance, settings),
    settings,
    canAdjust: can(actor, 'unit_points', 'configure', { cityId: actor.cityId, regionPath: community.path }),
    items: rows.map((r) => ({ ...r, eventLabel: eventLabels[r.event] })),
    page,
    pageSize,
    total,
  };
}

export async function unitEntryLedger(context: AppContext, actor: Actor, unitId: number, query: Omit<EntryFilters, 'page' | 'pageSize'>): Promise<Ledger<repo.EntryRow>> {
  const { unit, community } = await ledgerSubject(context, actor, unitId, query.communityId, 'read');
  const where = entryWhere(query);
  const today = chinaToday();
  return {
    fileName: `${unit.name}积分明细-${today}.xlsx`,
    asciiFileName: `unit-${unit.id}-points-${today}.xlsx`,
    sheetName: '积分明细',
    columns: [
      { header: '时间', width: 20, value: (r) => new Date(r.createdAt), time: true },
      { header: '事项', width: 16, value: (r) => eventLabels[r.event] },
      { header: '分值', width: 8, value: (r) => r.points },
      { header: '来源', width: 22, value: (r) => (r.sourceId === null ? r.sourceKind : `${r.sourceKind}#${r.sourceId}`) },
      { header: '说明', width: 36, value: (r) => r.note },
      { header: '记分人', width: 14, value: (r) => r.createdByName },
      { header: '社区', width: 16, value: () => community.name },
    ],
    batches: keysetBatches(async (afterId, size) => (await repo.listEntries(context.database, unit.id, community.id, where, { afterId, limit: size })).rows),
  };
}

export async function adjust(context: AppContext, actor: Actor, unitId: number, input: AdjustmentInput) {
  const { unit, community } = await ledgerSubject(context, actor, unitId, input.communityId, 'configure');
  if (input.points === 0) throw new AppError('validation_failed', 'An adjustment of 0 points changes nothing', { points: 0 });
  const note = input.note.trim();
  if (note.length < 2) throw new AppError('validation_failed', 'Say why the points change (a note is required)', { field: 'note' });
  if (!(await repo.isMemberUnit(context.database, actor.cityId, unit.id, community.id))) {
    throw new AppError('validation_failed', `${unit.name} is not a unit of ${community.name} (not located there, not reported there)`, { unitId: unit.id, communityId: community.id });
  }
  const result = await context.database.db.transaction(async (tx) => {
    const entryId = await repo.insertManualEntry(context.database, tx, { cityId: actor.cityId, communityId: community.id, regionPath: community.path, unitId: unit.id, points: input.points, note, userId: actor.userId });
    const { balance, settings } = await unitPointBalance(context.database, unit.id, community.id, tx);
    await appendAudit(context.database, tx, auditOf(actor, 'unit_points.adjust', 'unit', unit.id, { communityId: community.id, entryId, points: input.points, note, balance }));
    return { entryId, balance, standing: pointStanding(balance, settings) };
  });
  return { ...result, unitId: unit.id, communityId: community.id };
}

