import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import { maskPhone } from '../../shared/personal-data.ts';
import { appendAudit, appendAuditAlone } from '../audit/audit.service.ts';
import { auditOf } from '../auth/auth.service.ts';
import { transition, type CaseSnapshot, type CaseStatus, type HolderLevel } from '../cases/case-lifecycle.ts';
import { caseAbilities } from '../cases/cases.service.ts';
import type { Actor, ScopedRecord } from '../policy/actor.ts';
import { can, requireAbility, scopeFor } from '../policy/authorize.ts';
import { regionPathFilter } from '../policy/scope-sql.ts';
import { countTasks, findCaseContact, listTaskRows, workedStatuses } from './tasks.repository.ts';
import { workerActions, type WorkerAction } from './tasks.schemas.ts';

/** How many queued steps ahead the app may plan while offline (contact → reply → … ). */
const PLAN_DEPTH = 3;
const SHORT_DESCRIPTION = 120;

interface PlanStep {
  status: CaseStatus;
  holderLevel: HolderLevel;
  actions: WorkerAction[];
}

const parseJson = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

function snapshotOf(row: Record<string, unknown>): CaseSnapshot {
  const summonses = parseJson<Array<{ departmentId: number | string; reportedIn: boolean; replied: boolean }>>(row.summonses) ?? [];
  return {
    status: row.status as CaseStatus,
    holderLevel: row.holder_level as HolderLevel,
    reopenCount: Number(row.reopen_count),
    rating: row.rating_satisfaction
      ? { resolved: Boolean(row.rating_resolved), satisfaction: row.rating_satisfaction as NonNullable<CaseSnapshot['rating']>['satisfaction'] }
      : null,
    summonses: summonses.map((s) => ({ departmentId: Number(s.departmentId), reportedIn: Boolean(s.reportedIn), replied: Boolean(s.replied) })),
    claimedByPartyOrganizationId: row.claimed_by_party_organization_id === null ? null : Number(row.claimed_by_party_organization_id),
    extensionPending: Boolean(row.extension_pending),
    supervised: Boolean(row.supervised),
    overdue: Boolean(row.overdue),
  };
}

/**
 * The worker actions open to this user now: the policy (may handle) and the one transition table both
 * have to agree. A case that left the grid (escalated) and is not assigned to the user offers nothing more.
 */
function openActions(snapshot: CaseSnapshot, mayHandle: boolean, assigned: boolean): WorkerAction[] {
  if (!mayHandle) return [];
  if (!(workedStatuses as readonly string[]).includes(snapshot.status) || (snapshot.holderLevel !== 'grid' && !assigned)) return [];
  return workerActions.filter((action) => transition(snapshot, { action }).ok);
}

/**
 * What each chain of queued actions would lead to, from the same transition table, so the phone can
 * queue "record contact, then reply" with no network and still show only allowed buttons.
 * Keys are the action sequence joined by '>' (`record_contact>reply`).
 */
function planOf(snapshot: CaseSnapshot, mayHandle: boolean, assigned: boolean): Record<string, PlanStep> {
  const plan: Record<string, PlanStep> = {};
  const walk = (from: CaseSnapshot, prefix: string, depth: number) => {
    if (depth === PLAN_DEPTH) return;
    for (const action of openActions(from, mayHandle, depth === 0 && assigned)) {
      const result = transition(from, { action });
      if (!result.ok) continue;
      const key = prefix ? `${prefix}>${action}` : action;
      // Only the current state counts an assignment: the steps that move a case off the grid (escalate,
      // reply) also finish its task rows (case-action.command.ts), so a planned state never relies on one.
      const actions = openActions(result.next, mayHandle, false);
      plan[key] = { status: result.next.status, holderLevel: result.next.holderLevel, actions };
      walk(result.next, key, depth + 1);
    }
  };
  walk(snapshot, '', 0);
  return plan;
}

function presentTask(actor: Actor, row: Record<string, unknown>) {
  const snapshot = snapshotOf(row);
  const assigned = Number(row.assigned) > 0;
  const record: ScopedRecord = { cityId: Number(row.city_id), regionPath: row.region_path as string, unitIds: snapshot.summonses.map((s) => s.departmentId), assigneeUserIds: assigned ? [actor.userId] : [] };
  const abilities = caseAbilities(actor, { ...record, holderLevel: snapshot.holderLevel });
  const deadline = row.deadline === null || row.deadline === undefined ? null : new Date(row.deadline as string);
  const description = row.description as string;
  return {
    id: Number(row.id),
    number: row.number as string,
    title: row.title as string,
    description: description.length > SHORT_DESCRIPTION ? `${description.slice(0, SHORT_DESCRIPTION)}…` : description,
    status: snapshot.status,
    holderLevel: snapshot.holderLevel,
    triageColor: row.triage_color as string,
    categoryName: (row.category_name as string | null) ?? null,
    address: (row.address as string | null) ?? null,
    buildingName: (row.building_name as string | null) ?? null,
    gridName: (row.grid_name as string | null) ?? null,
    deadline: deadline ? deadline.toISOString() : null,
    deadlineKind: (row.deadline_kind as string | null) ?? null,
    overdue: snapshot.overdue || (deadline !== null && deadline.getTime() < Date.now()),
    extensionPending: snapshot.extensionPending,
    version: Number(row.version),
    assigned,
    reporterPhone: maskPhone(row.reporter_phone as string | null),
    canCall: abilities.handle && Boolean(row.reporter_phone),
    abilities,
    actions: openActions(snapshot, abilities.handle, assigned),
    plan: planOf(snapshot, abilities.handle, assigned),
  };
}

export type MyTask = ReturnType<typeof presentTask>;

/** The open cases this user must act on, the most urgent running deadline first (no deadline last). */
export async function listMyTasks(context: AppContext, actor: Actor, query: { page: number; pageSize: number }) {
  requireAbility(actor, 'case', 'handle');
  const scope = scopeFor(actor, 'case', 'handle');
  const filter = { cityId: actor.cityId, userId: actor.userId, regionFilter: regionPathFilter(sql.raw('c.region_path'), { ...scope, unitIds: [] }) };
  const rows = await listTaskRows(context.database, filter, query.pageSize, (query.page - 1) * query.pageSize);
  const total = await countTasks(context.database, filter);
  return { items: rows.map((row) => presentTask(actor, row)), page: query.page, pageSize: query.pageSize, total };
}

/**
 * The reporter's full phone number for the call button's tel: link: only for someone who may handle the
 * case, and audited every time (refusals too), like the people module's "show full".
 */
export async function revealReporterPhone(context: AppContext, actor: Actor, caseId: number) {
  const found = await findCaseContact(context.database, caseId);
  if (!found) throw notFound('Case');
  if (!can(actor, 'case', 'handle', found.record)) {
    await appendAuditAlone(context.database, { ...auditOf(actor, 'case.reveal_phone', 'case', caseId), outcome: 'failure' });
    throw new AppError('forbidden', 'Not allowed to call the reporter of this case');
  }
  if (!found.phone) throw new AppError('not_found', 'The reporter left no phone number');
  await context.database.db.transaction(async (tx) => {
    await appendAudit(context.database, tx, auditOf(actor, 'case.reveal_phone', 'case', caseId, { fields: ['reporterPhone'] }));
  });
  return { phone: found.phone };
}
