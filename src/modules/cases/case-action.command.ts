import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/client.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import { appendAudit, appendAuditAlone, randomStripe } from '../audit/audit.service.ts';
import { awardCaseSatisfiedPoints } from '../incentives/incentive-points.ledger.ts';
import { auditOf, type ClientInfo } from '../auth/auth.service.ts';
import type { Actor } from '../policy/actor.ts';
import { can } from '../policy/authorize.ts';
import { moveClocks } from '../sla/sla-clocks.ts';
import { enqueueCaseNotifications } from '../notifications/case-notifications.ts';
import { actsAtHolderLevel } from './holder-level.ts';
import { currentSummonsRound, openTaskAssignees } from './cases.repository.ts';
import { policyActionOf } from './allowed-actions.ts';
import { announceCaseEvents } from '../realtime/case-event-announcer.ts';
import type { CaseEventNotice } from '../realtime/case-event-bus.ts';
import { linkAttachments } from '../photos/attachments.repository.ts';
import { transition, type CaseAction, type CaseCommand, type CaseSnapshot, type HolderLevel, type CaseStatus } from './case-lifecycle.ts';

/** Optional hooks a caller runs inside the action's transaction (the Idempotency-Key layer stores its answer there). */
export interface TransactionHooks<T> {
  beforeCommit?: (tx: Tx, result: T) => Promise<void>;
}

/** Actions the resident takes on the tracking page (by token) and the SLA sweeper takes by itself. */
export const residentActions: readonly CaseAction[] = ['rate', 'reopen'];

interface CaseRow {
  id: number;
  number: string;
  title: string;
  tracking_token: string;
  grid_id: number | null;
  reporter_phone: string | null;
  reporter_consent: boolean;
  city_id: number;
  status: CaseStatus;
  holder_level: HolderLevel;
  version: number;
  region_path: string;
  reopen_count: number;
  rating_resolved: boolean | null;
  rating_satisfaction: NonNullable<CaseSnapshot['rating']>['satisfaction'] | null;
  claimed_by_party_organization_id: number | null;
  extension_pending: boolean;
  supervised: boolean;
  overdue: boolean;
}

async function loadForUpdate(context: AppContext, tx: Tx, caseId: number) {
  const [row] = await context.database.rows<CaseRow>(sql`SELECT * FROM cases WHERE id = ${caseId} FOR UPDATE`, tx);
  if (!row) throw notFound('Case');
  const summonses = await context.database.rows<{ id: number; department_id: number; reported_in_at: string | null; replied_at: string | null }>(
    sql`SELECT id, department_id, reported_in_at, replied_at FROM case_summonses WHERE case_id = ${caseId} AND returned_at IS NULL
        AND ${currentSummonsRound(caseId)} ORDER BY id`,
    tx,
  );
  const snapshot: CaseSnapshot = {
    status: row.status,
    holderLevel: row.holder_level,
    reopenCount: Number(row.reopen_count),
    rating: row.rating_satisfaction ? { resolved: Boolean(row.rating_resolved), satisfaction: row.rating_satisfaction } : null,
    summonses: summonses.map((s) => ({ departmentId: Number(s.department_id), reportedIn: s.reported_in_at !== null, replied: s.replied_at !== null })),
    claimedByPartyOrganizationId: row.claimed_by_party_organization_id === null ? null : Number(row.claimed_by_party_organization_id),
    extensionPending: Boolean(row.extension_pending),
    supervised: Boolean(row.supervised),
    overdue: Boolean(row.overdue),
  };
  const assigneeUserIds = await openTaskAssignees(context.database, caseId, tx);
  return { row, snapshot, summonedDepartmentIds: snapshot.summonses.map((s) => s.departmentId), assigneeUserIds };
}

export interface ActionInput {
  command: CaseCommand;
  note?: string;
  attachments?: string[];
  /** The version the client read (If-Match); a mismatch is a 409. */
  expectedVersion?: number;
  comment?: string;
}

/** Who performs the action: a staff member, the resident holding the tracking token, or the system. */
export type Performer = { kind: 'staff'; actor: Actor } | { kind: 'resident'; client: ClientInfo } | { kind: 'system' };

/**
 * Applies one lifecycle action: lock the case, check the version and the policy, ask the pure
 * transition table, then write the new state, its side records, the event and the audit record in
 * the same transaction.
 */
export async function performCaseAction(context: AppContext, performer: Performer, caseId: number, input: ActionInput, hooks: TransactionHooks<ActionResult> = {}) {
  const action = input.command.action;
  try {
    const { notice, ...result } = await context.database.db.transaction(async (tx) => {
      const applied = await applyCaseAction(context, tx, performer, caseId, input);
      const { notice: _notice, ...answer } = applied;
      await hooks.beforeCommit?.(tx, answer);
      return applied;
    });
    // Committed: tell the live screens.
    announceCaseEvents(context.database, [notice]);
    return result;
  } catch (error) {
    if (error instanceof AppError && error.code === 'forbidden' && performer.kind === 'staff') {
      await appendAuditAlone(context.database, { ...auditOf(performer.actor, `case.${action}`, 'case', caseId), outcome: 'failure' });
    }
    throw error;
  }
}

/** The action inside a caller's transaction (the SLA sweeper fires reminders this way, atomically with the timer). */
export interface ActionResult {
  id: number;
  status: CaseStatus;
  holderLevel: HolderLevel;
  version: number;
}

export async function applyCaseAction(context: AppContext, tx: Tx, performer: Performer, caseId: number, input: ActionInput): Promise<ActionResult & { notice: CaseEventNotice }> {
  const action = input.command.action;
  const { row, snapshot, summonedDepartmentIds, assigneeUserIds } = await loadForUpdate(context, tx, caseId);
  const cityId = Number(row.city_id);
  if (performer.kind === 'staff') {
    const needed = policyActionOf[action];
    const allowed = needed !== 'system' && can(performer.actor, 'case', needed, { cityId, regionPath: row.region_path, unitIds: summonedDepartmentIds, assigneeUserIds });
    if (!allowed) throw new AppError('forbidden', `Not allowed to ${action.replaceAll('_', ' ')} this case`);
    // A department answers only for itself.
    if ('departmentId' in input.command && !performer.actor.grants.some((g) => g.role === 'department_staff' && g.unitId === (input.command as { departmentId: number }).departmentId)) {
      throw new AppError('forbidden', 'You can only answer a summons for your own department');
    }
    if (policyActionOf[action] === 'handle' && !actsAtHolderLevel(performer.actor, row.region_path, row.holder_level, assigneeUserIds)) {
      throw new AppError('forbidden', `The case is held at ${row.holder_level} level: it is handled there or above`, { holderLevel: row.holder_level });
    }
  } else if (performer.kind === 'resident' && !residentActions.includes(action)) {
    throw new AppError('forbidden', 'Residents may only rate or reopen their case');
  }
  if (input.expectedVersion !== undefined && input.expectedVersion !== Number(row.version)) {
    throw new AppError('version_conflict', 'The case was changed since you read it: reload and try again', { currentVersion: Number(row.version) });
  }
  const result = transition(snapshot, input.command);
  if (!result.ok) throw new AppError('invalid_transition', result.reason, { status: snapshot.status, action });
  const next = result.next;
  const side = await applySideRecords(context, tx, performer, caseId, cityId, row, input);
  const version = Number(row.version) + 1;
  await tx.execute(sql`UPDATE cases SET status = ${next.status}, holder_level = ${next.holderLevel}, version = ${version}, reopen_count = ${next.reopenCount},
      rating_resolved = ${next.rating?.resolved ?? null}, rating_satisfaction = ${next.rating?.satisfaction ?? null},
      rating_comment = ${action === 'rate' ? (input.comment ?? null) : action === 'reopen' ? null : sql`rating_comment`},
      claimed_by_party_organization_id = ${next.claimedByPartyOrganizationId}, extension_pending = ${next.extensionPending},
      supervised = ${next.supervised}, overdue = ${next.overdue},
      merged_into_case_id = ${input.command.action === 'merge' ? input.command.intoCaseId : sql`merged_into_case_id`},
      closed_by_party_organization_id = ${input.command.action === 'close' && input.command.partyOrganizationId ? input.command.partyOrganizationId : sql`closed_by_party_organization_id`},
      triage_color = ${input.command.action === 'reclassify' ? input.command.color : sql`triage_color`},
      dispatched_at = ${action === 'dispatch' ? sql`COALESCE(dispatched_at, now())` : sql`dispatched_at`},
      contacted_at = ${action === 'record_contact' ? sql`COALESCE(contacted_at, now())` : sql`contacted_at`},
      replied_at = ${action === 'reply' ? sql`COALESCE(replied_at, now())` : sql`replied_at`},
      rated_at = ${action === 'rate' ? sql`now()` : sql`rated_at`},
      closed_at = ${next.status === 'closed' || next.status === 'declined' || next.status === 'merged' ? sql`now()` : sql`closed_at`},
      updated_at = now()
    WHERE id = ${caseId}`);
  // 一事一评: 满意 earns the building head points, in this transaction (src/modules/incentives).
  if (action === 'rate') await awardCaseSatisfiedPoints(context.database, tx, caseId);
  const actorUserId = performer.kind === 'staff' ? performer.actor.userId : null;
  const actorLabel = performer.kind === 'staff' ? performer.actor.displayName : performer.kind === 'resident' ? '居民' : '系统';
  const [event] = await context.database.rows<{ id: number }>(sql`INSERT INTO case_events (city_id, case_id, action, from_status, to_status, actor_user_id, actor_label, note, attachments, details, is_public)
    VALUES (${cityId}, ${caseId}, ${action}, ${snapshot.status}, ${next.status}, ${actorUserId}, ${actorLabel}, ${input.note ?? null},
      '[]'::jsonb, ${JSON.stringify({ ...commandDetails(input.command), ...side.details })}::jsonb, ${publicActions.has(action)})
    RETURNING id`, tx);
  // Photos uploaded for this step (upload tokens from POST /api/v1/photos) belong to its event.
  if (input.attachments?.length) {
    if (performer.kind !== 'staff') throw new AppError('validation_failed', 'Only staff attach photos to an action');
    const photos = await linkAttachments(context, tx, { cityId, caseId, caseEventId: Number(event.id), tokens: input.attachments, uploaderUserId: performer.actor.userId, uploaderIp: null });
    await tx.execute(sql`UPDATE case_events SET attachments = ${JSON.stringify(photos)}::jsonb WHERE id = ${Number(event.id)}`);
  }
  await enqueueCaseNotifications(context, tx, {
    cityId, caseId, eventId: Number(event.id), action, caseNumber: row.number, title: row.title, regionPath: row.region_path, holderLevel: next.holderLevel,
    departmentIds: input.command.action === 'summon' ? [...new Set(input.command.departmentIds)] : undefined,
    assigneeUserIds: side.assigneeUserIds,
    residentPhone: row.reporter_consent ? row.reporter_phone : null,
    trackingToken: row.tracking_token,
  });
  const audit =
    performer.kind === 'staff'
      ? auditOf(performer.actor, `case.${action}`, 'case', caseId, { from: snapshot.status, to: next.status })
      : { cityId, actorUserId: null, actorName: performer.kind, action: `case.${action}`, resourceType: 'case', resourceId: caseId, outcome: 'success' as const,
          ip: performer.kind === 'resident' ? performer.client.ip : null, userAgent: performer.kind === 'resident' ? performer.client.userAgent : null, details: { from: snapshot.status, to: next.status } };
  await appendAudit(context.database, tx, audit, randomStripe());
  await moveClocks(context.database, tx, caseId, action, next, new Date(), input.command);
  const notice: CaseEventNotice = { eventId: Number(event.id), caseId, cityId, action, toStatus: next.status, regionPath: row.region_path, at: new Date().toISOString() };
  return { id: caseId, status: next.status, holderLevel: next.holderLevel, version, notice };
}

/** Events the resident sees on the tracking page. */
const publicActions = new Set<CaseAction>(['dispatch', 'decline', 'merge', 'record_contact', 'escalate', 'summon', 'reply', 'callback', 'rate', 'reopen', 'close']);

function commandDetails(command: CaseCommand): Record<string, unknown> {
  const { action: _action, ...rest } = command;
  return rest;
}

interface SideEffects {
  assigneeUserIds?: number[];
  /** Extra facts kept on the event (e.g. the tasks created, the colour before a change). */
  details?: Record<string, unknown>;
}

/** Actions after which the grid workers' tasks on the case are finished (handed up, back, or answered). */
const endsTasks = new Set<CaseAction>(['escalate', 'return', 'reply', 'close', 'decline', 'merge']);

async function applySideRecords(context: AppContext, tx: Tx, performer: Performer, caseId: number, cityId: number, row: CaseRow, input: ActionInput): Promise<SideEffects> {
  const command = input.command;
  const userId = performer.kind === 'staff' ? performer.actor.userId : null;
  if (endsTasks.has(command.action)) {
    await tx.execute(sql`UPDATE case_tasks SET status = 'done', done_at = now() WHERE case_id = ${caseId} AND status = 'open'`);
  }
  switch (command.action) {
    case 'dispatch':
      return createTasks(context, tx, performer, caseId, cityId, row, command.tasks);
    case 'record_contact':
      await tx.execute(sql`UPDATE case_tasks SET contacted_at = now() WHERE case_id = ${caseId} AND status = 'open' AND contacted_at IS NULL`);
      return {};
    case 'reclassify':
      return { details: { fromColor: (await context.database.rows<{ triage_color: string }>(sql`SELECT triage_color FROM cases WHERE id = ${caseId}`, tx))[0].triage_color } };
    case 'close': {
      if (command.partyOrganizationId) await requirePartyOrganization(context, tx, cityId, command.partyOrganizationId);
      return {};
    }
    case 'summon': {
      const ids = [...new Set(command.departmentIds)];
      const departments = await context.database.rows<{ id: number }>(
        sql`SELECT id FROM units WHERE city_id = ${cityId} AND kind = 'department' AND id IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`,
        tx,
      );
      if (departments.length !== ids.length) throw new AppError('validation_failed', 'Every summoned unit must be a department of this city');
      for (const departmentId of ids) {
        await tx.execute(sql`INSERT INTO case_summonses (city_id, case_id, department_id, summoned_by) VALUES (${cityId}, ${caseId}, ${departmentId}, ${userId})`);
      }
      return {};
    }
    case 'report_in':
      await tx.execute(sql`UPDATE case_summonses SET reported_in_at = now() WHERE case_id = ${caseId} AND department_id = ${command.departmentId} AND returned_at IS NULL AND ${currentSummonsRound(caseId)}`);
      return {};
    case 'department_reply':
      await tx.execute(sql`UPDATE case_summonses SET replied_at = now(), reply = ${input.note ?? null} WHERE case_id = ${caseId} AND department_id = ${command.departmentId} AND returned_at IS NULL AND ${currentSummonsRound(caseId)}`);
      return {};
    case 'department_return':
      await tx.execute(sql`UPDATE case_summonses SET returned_at = now(), return_reason = ${command.reason} WHERE case_id = ${caseId} AND department_id = ${command.departmentId} AND returned_at IS NULL AND ${currentSummonsRound(caseId)}`);
      return {};
    case 'merge': {
      const [target] = await context.database.rows<{ city_id: number; status: string }>(sql`SELECT city_id, status FROM cases WHERE id = ${command.intoCaseId}`, tx);
      if (!target || Number(target.city_id) !== cityId || command.intoCaseId === caseId) throw new AppError('validation_failed', 'Merge into another case of the same city');
      if (['merged', 'declined'].includes(target.status)) throw new AppError('validation_failed', 'Cannot merge into a declined or merged case');
      return {};
    }
    case 'claim':
      await requirePartyOrganization(context, tx, cityId, command.partyOrganizationId);
      return {};
    default:
      return {};
  }
}

async function requirePartyOrganization(context: AppContext, tx: Tx, cityId: number, partyOrganizationId: number) {
  const [organization] = await context.database.rows<{ city_id: number }>(sql`SELECT city_id FROM party_organizations WHERE id = ${partyOrganizationId}`, tx);
  if (!organization || Number(organization.city_id) !== cityId) throw new AppError('validation_failed', 'Unknown party organisation');
}

/**
 * Dispatch splits the case into tasks, one per grid worker. Each task's grid must lie in the case's
 * community and within the dispatcher's reach; its assignee must work that grid. Without tasks, the
 * case's own grid gets one task for its suggested grid worker (fewest open tasks).
 */
async function createTasks(context: AppContext, tx: Tx, performer: Performer, caseId: number, cityId: number, row: CaseRow, requested: Array<{ gridId?: number; assigneeUserId?: number; instructions?: string }> | undefined): Promise<SideEffects> {
  const caseGridId = row.grid_id === null ? null : Number(row.grid_id);
  const wanted = requested ?? [{}];
  const created: Array<{ gridId: number; assigneeUserId: number | null }> = [];
  for (const task of wanted) {
    const gridId = task.gridId ?? caseGridId;
    if (gridId === null) throw new AppError('validation_failed', 'Name the grid of each task');
    const [grid] = await context.database.rows<{ path: string; city_id: number; level: string }>(sql`SELECT path, city_id, level FROM region_nodes WHERE id = ${gridId} AND valid_to IS NULL`, tx);
    if (!grid || grid.level !== 'grid' || Number(grid.city_id) !== cityId) throw new AppError('validation_failed', `Unknown grid ${gridId}`);
    if (performer.kind === 'staff' && !can(performer.actor, 'case', 'dispatch', { cityId, regionPath: grid.path })) {
      throw new AppError('forbidden', 'A task can only go to a grid you dispatch for');
    }
    // Split within the case's community: its path shares everything above the grid level.
    const gridParts = grid.path.split('/').filter(Boolean);
    if (gridParts.length < 2 || !row.region_path.startsWith(`/${gridParts.slice(0, -1).join('/')}/`)) {
      throw new AppError('validation_failed', 'Tasks go to grids of the case\'s own community');
    }
    let assignee = task.assigneeUserId ?? null;
    if (assignee !== null) {
      const [works] = await context.database.rows(sql`SELECT 1 FROM role_assignments WHERE user_id = ${assignee} AND region_node_id = ${gridId} AND role IN ('grid_worker', 'grid_head') LIMIT 1`, tx);
      if (!works) throw new AppError('validation_failed', 'The assignee does not work that grid');
    } else {
      const [suggested] = await context.database.rows<{ user_id: number }>(sql`
        SELECT ra.user_id FROM role_assignments ra JOIN users u ON u.id = ra.user_id AND u.status = 'active'
        WHERE ra.region_node_id = ${gridId} AND ra.role = 'grid_worker'
        ORDER BY (SELECT count(*) FROM case_tasks t WHERE t.assignee_user_id = ra.user_id AND t.status = 'open'), ra.user_id LIMIT 1`, tx);
      assignee = suggested ? Number(suggested.user_id) : null;
    }
    await tx.execute(sql`INSERT INTO case_tasks (city_id, case_id, grid_id, assignee_user_id, instructions) VALUES (${cityId}, ${caseId}, ${gridId}, ${assignee}, ${task.instructions ?? null})`);
    created.push({ gridId, assigneeUserId: assignee });
  }
  return { assigneeUserIds: [...new Set(created.flatMap((t) => (t.assigneeUserId === null ? [] : [t.assigneeUserId])))], details: { tasks: created } };
}
