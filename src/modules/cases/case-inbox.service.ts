/**
 * Work lists of the street and of the summoned departments (街道吹哨、部门报到): what a department must
 * report in to or reply to, and what the street holds, has summoned, lets run late, or must approve.
 * Read-only; every action is still taken through POST /cases/:id/actions.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Actor } from '../policy/actor.ts';
import { requireAbility, scopeFor } from '../policy/authorize.ts';
import { policies } from '../policy/policies.ts';
import { regionPathFilter } from '../policy/scope-sql.ts';

export const summonsStates = ['to_report_in', 'to_reply', 'done'] as const;
export type SummonsState = (typeof summonsStates)[number];
export const streetLists = ['escalated', 'summoned', 'overdue', 'extension_requests'] as const;
export type StreetList = (typeof streetLists)[number];

export interface Paging {
  page: number;
  pageSize: number;
}

const ids = (values: readonly number[]) => sql.join(values.map((v) => sql`${v}`), sql`, `);
const iso = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string).toISOString());
const finished = sql`('closed', 'declined', 'merged')`;

/** The street a case lies in: the street-level node among the ancestors in its path (one primary-key probe). */
const streetJoin = (pathColumn: SQL) =>
  sql`LEFT JOIN region_nodes st ON st.level = 'street' AND st.id = ANY (string_to_array(trim(both '/' from ${pathColumn}), '/')::bigint[])`;

/** The case's running resolve clock: the deadline a summoned department works towards once it reported in. */
const resolveClock = (caseColumn: SQL) =>
  sql`LEFT JOIN LATERAL (SELECT t.due_at FROM sla_timers t WHERE t.case_id = ${caseColumn} AND t.kind = 'resolve' AND t.cancelled_at IS NULL
    ORDER BY t.id DESC LIMIT 1) res ON true`;

// ---------------------------------------------------------------------------------------------
// Department view: the summonses of the actor's department(s).

/**
 * A summons is waiting while its case is still summoned and the department has not returned it;
 * every other summons (replied, returned, or a case that moved on) is done.
 */
const active = sql`s.returned_at IS NULL AND c.status = 'summoned'`;
const summonsStateCondition: Record<SummonsState, SQL> = {
  to_report_in: sql`(${active} AND s.reported_in_at IS NULL)`,
  to_reply: sql`(${active} AND s.reported_in_at IS NOT NULL AND s.replied_at IS NULL)`,
  done: sql`NOT (${active} AND s.replied_at IS NULL)`,
};
const summonsStateExpression = sql`CASE WHEN ${summonsStateCondition.to_report_in} THEN 'to_report_in' WHEN ${summonsStateCondition.to_reply} THEN 'to_reply' ELSE 'done' END`;

/** The report-in deadline of one summons: the report_in clock its summon started (same transaction, so same now()), else the summons' own deadline. */
const reportInClock = sql`LEFT JOIN LATERAL (SELECT t.due_at, t.fired_at FROM sla_timers t WHERE t.case_id = s.case_id AND t.kind = 'report_in'
    AND t.created_at >= s.summoned_at ORDER BY t.created_at, t.id LIMIT 1) rin ON true`;

function departmentScope(actor: Actor) {
  requireAbility(actor, 'case', 'answer_summons');
  const unitIds = scopeFor(actor, 'case', 'answer_summons').unitIds;
  return sql`s.city_id = ${actor.cityId} AND s.department_id IN (${ids(unitIds)})`;
}

const summonsFrom = sql`FROM case_summonses s JOIN cases c ON c.id = s.case_id`;

export async function listDepartmentSummonses(context: AppContext, actor: Actor, query: Paging & { state: SummonsState }) {
  const scope = departmentScope(actor);
  const where = sql`${scope} AND ${summonsStateCondition[query.state]}`;
  // Waiting rows by the deadline that applies to them (soonest first); done rows most recent first.
  const order =
    query.state === 'to_report_in'
      ? sql`COALESCE(rin.due_at, s.deadline) ASC NULLS LAST, s.id`
      : query.state === 'to_reply'
        ? sql`res.due_at ASC NULLS LAST, s.id`
        : sql`COALESCE(s.replied_at, s.returned_at, s.summoned_at) DESC, s.id DESC`;
  const rows = await context.database.rows<Record<string, unknown>>(sql`
    SELECT s.id AS summons_id, s.case_id, s.department_id, u.name AS department_name, s.summoned_at, s.reported_in_at, s.replied_at, s.returned_at,
      c.number, c.title, c.triage_color, c.status, c.version, cc.name AS category_name, st.id AS street_id, st.name AS street_name,
      COALESCE(rin.due_at, s.deadline) AS report_in_deadline, rin.fired_at AS report_in_fired_at, res.due_at AS resolve_deadline,
      ${summonsStateExpression} AS state, now() AS now
    ${summonsFrom}
    JOIN units u ON u.id = s.department_id
    LEFT JOIN case_categories cc ON cc.id = c.category_id
    ${streetJoin(sql`c.region_path`)}
    ${reportInClock}
    ${resolveClock(sql`c.id`)}
    WHERE ${where}
    ORDER BY ${order}
    LIMIT ${query.pageSize} OFFSET ${(query.page - 1) * query.pageSize}`);
  const [{ total }] = await context.database.rows<{ total: number }>(sql`SELECT count(*)::int AS total ${summonsFrom} WHERE ${where}`);
  return { items: rows.map(presentSummons), page: query.page, pageSize: query.pageSize, total: Number(total) };
}

function presentSummons(row: Record<string, unknown>) {
  const state = row.state as SummonsState;
  const now = new Date(row.now as string).getTime();
  const reportInDeadline = iso(row.report_in_deadline);
  const resolveDeadline = iso(row.resolve_deadline);
  const deadline = state === 'to_report_in' ? reportInDeadline : state === 'to_reply' ? resolveDeadline : null;
  const late = (at: string | null) => at !== null && new Date(at).getTime() < now;
  return {
    summonsId: Number(row.summons_id),
    caseId: Number(row.case_id),
    caseNumber: row.number as string,
    title: row.title as string,
    triageColor: row.triage_color as string,
    categoryName: (row.category_name as string | null) ?? null,
    streetName: (row.street_name as string | null) ?? null,
    caseStatus: row.status as string,
    /** For If-Match on the quick 报到 action. */
    caseVersion: Number(row.version),
    departmentId: Number(row.department_id),
    departmentName: row.department_name as string,
    state,
    summonedAt: iso(row.summoned_at)!,
    reportInDeadline,
    resolveDeadline,
    /** The deadline that applies now: report-in while waiting to report in, the case's resolve clock while replying. */
    deadline,
    reportedInAt: iso(row.reported_in_at),
    repliedAt: iso(row.replied_at),
    returnedAt: iso(row.returned_at),
    overdue: state === 'to_report_in' ? row.report_in_fired_at !== null || late(reportInDeadline) : state === 'to_reply' ? late(resolveDeadline) : false,
  };
}

export async function countDepartmentSummonses(context: AppContext, actor: Actor) {
  const scope = departmentScope(actor);
  const [row] = await context.database.rows<Record<SummonsState, number>>(sql`
    SELECT count(*) FILTER (WHERE ${summonsStateCondition.to_report_in})::int AS to_report_in,
      count(*) FILTER (WHERE ${summonsStateCondition.to_reply})::int AS to_reply,
      count(*) FILTER (WHERE ${summonsStateCondition.done})::int AS done
    ${summonsFrom} WHERE ${scope}`);
  return { to_report_in: Number(row.to_report_in), to_reply: Number(row.to_reply), done: Number(row.done) };
}

// ---------------------------------------------------------------------------------------------
// Street view: cases in the supervisor's subtree.

const superviseRoles: readonly string[] = policies.case.supervise.within;

function streetScope(actor: Actor) {
  requireAbility(actor, 'case', 'supervise');
  // The street view is the supervisor's work list: the subtree where the actor may summon and approve.
  const scope = scopeFor(actor, 'case', 'supervise');
  const inScope = sql`c.city_id = ${actor.cityId} AND ${regionPathFilter(sql.raw('c.region_path'), { ...scope, unitIds: [] })}`;
  // Extensions are approved by the level above the holder: the street approves grid and community holders;
  // a district or city supervisor also approves what the street itself holds.
  const abovePaths = actor.grants
    .filter((g) => superviseRoles.includes(g.role) && g.regionPath && g.regionLevel !== 'street')
    .map((g) => sql`c.region_path LIKE ${g.regionPath + '%'}`);
  const approvesStreet = abovePaths.length ? sql`(${sql.join(abovePaths, sql` OR `)})` : sql`false`;
  const conditions: Record<StreetList, SQL> = {
    escalated: sql`(c.holder_level = 'street' AND c.status IN ('dispatched', 'in_progress'))`,
    summoned: sql`(c.status = 'summoned')`,
    overdue: sql`(c.overdue AND c.status NOT IN ${finished})`,
    extension_requests: sql`(c.extension_pending AND c.status IN ('dispatched', 'in_progress', 'summoned') AND (c.holder_level <> 'street' OR ${approvesStreet}))`,
  };
  return { inScope, conditions };
}

export async function listStreetCases(context: AppContext, actor: Actor, query: Paging & { list: StreetList }) {
  const { inScope, conditions } = streetScope(actor);
  const where = sql`${inScope} AND ${conditions[query.list]}`;
  const rows = await context.database.rows<Record<string, unknown>>(sql`
    SELECT c.id, c.number, c.title, c.triage_color, c.status, c.holder_level, c.version, c.supervised, c.overdue, c.extension_pending,
      c.created_at, c.updated_at, cc.name AS category_name, g.name AS grid_name, st.id AS street_id, st.name AS street_name,
      nxt.kind AS next_clock_kind, nxt.due_at AS next_clock_due_at, res.due_at AS resolve_deadline, now() AS now
    FROM cases c
    LEFT JOIN case_categories cc ON cc.id = c.category_id
    LEFT JOIN region_nodes g ON g.id = c.grid_id
    ${streetJoin(sql`c.region_path`)}
    LEFT JOIN LATERAL (SELECT t.kind, t.due_at FROM sla_timers t WHERE t.case_id = c.id AND t.fired_at IS NULL AND t.cancelled_at IS NULL
      ORDER BY t.due_at LIMIT 1) nxt ON true
    ${resolveClock(sql`c.id`)}
    WHERE ${where}
    ORDER BY COALESCE(nxt.due_at, res.due_at) ASC NULLS LAST, c.id
    LIMIT ${query.pageSize} OFFSET ${(query.page - 1) * query.pageSize}`);
  const [{ total }] = await context.database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM cases c WHERE ${where}`);
  const summonses = await summonsesOf(context, rows.map((r) => Number(r.id)));
  return {
    items: rows.map((row) => presentStreetCase(row, summonses.get(Number(row.id)) ?? [])),
    page: query.page,
    pageSize: query.pageSize,
    total: Number(total),
  };
}

/** Each summoned department's state for a page of cases (the street watches who has reported in and replied). */
async function summonsesOf(context: AppContext, caseIds: number[]) {
  const byCase = new Map<number, ReturnType<typeof presentDepartmentState>[]>();
  if (caseIds.length === 0) return byCase;
  const rows = await context.database.rows<Record<string, unknown>>(sql`
    SELECT s.case_id, s.department_id, u.name AS department_name, s.summoned_at, s.reported_in_at, s.replied_at, s.returned_at,
      COALESCE(rin.due_at, s.deadline) AS report_in_deadline, rin.fired_at AS report_in_fired_at, now() AS now
    FROM case_summonses s JOIN units u ON u.id = s.department_id
    ${reportInClock}
    WHERE s.case_id IN (${ids(caseIds)})
      -- The latest round only (one summon writes all its rows with one now()): a reopened case's earlier round is history.
      AND s.summoned_at = (SELECT max(x.summoned_at) FROM case_summonses x WHERE x.case_id = s.case_id)
    ORDER BY s.id`);
  for (const row of rows) {
    const caseId = Number(row.case_id);
    if (!byCase.has(caseId)) byCase.set(caseId, []);
    byCase.get(caseId)!.push(presentDepartmentState(row));
  }
  return byCase;
}

function presentDepartmentState(row: Record<string, unknown>) {
  const reportInDeadline = iso(row.report_in_deadline);
  const state = row.returned_at !== null ? 'returned' : row.replied_at !== null ? 'replied' : row.reported_in_at !== null ? 'reported_in' : 'to_report_in';
  const overdue = state === 'to_report_in' && (row.report_in_fired_at !== null || (reportInDeadline !== null && new Date(reportInDeadline) < new Date(row.now as string)));
  return {
    departmentId: Number(row.department_id),
    departmentName: row.department_name as string,
    state: state as 'to_report_in' | 'reported_in' | 'replied' | 'returned',
    summonedAt: iso(row.summoned_at)!,
    reportInDeadline,
    reportedInAt: iso(row.reported_in_at),
    repliedAt: iso(row.replied_at),
    returnedAt: iso(row.returned_at),
    overdue,
  };
}

function presentStreetCase(row: Record<string, unknown>, summonses: ReturnType<typeof presentDepartmentState>[]) {
  const status = row.status as string;
  return {
    id: Number(row.id),
    number: row.number as string,
    title: row.title as string,
    triageColor: row.triage_color as string,
    categoryName: (row.category_name as string | null) ?? null,
    status,
    holderLevel: row.holder_level as string,
    version: Number(row.version),
    gridName: (row.grid_name as string | null) ?? null,
    streetName: (row.street_name as string | null) ?? null,
    supervised: Boolean(row.supervised),
    overdue: Boolean(row.overdue),
    extensionPending: Boolean(row.extension_pending),
    /** The clock that runs out next (report_in, resolve, contact …), for the countdown. */
    nextDeadline: row.next_clock_due_at ? { kind: row.next_clock_kind as string, dueAt: iso(row.next_clock_due_at)! } : null,
    resolveDeadline: iso(row.resolve_deadline),
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    summonses,
  };
}

export async function countStreetCases(context: AppContext, actor: Actor) {
  const { inScope, conditions } = streetScope(actor);
  const [row] = await context.database.rows<Record<StreetList, number>>(sql`
    SELECT ${sql.join(streetLists.map((list) => sql`count(*) FILTER (WHERE ${conditions[list]})::int AS ${sql.identifier(list)}`), sql`, `)}
    FROM cases c WHERE ${inScope}`);
  return Object.fromEntries(streetLists.map((list) => [list, Number(row[list])])) as Record<StreetList, number>;
}
