import { sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { notFound } from '../../shared/errors.ts';
import type { Actor } from '../policy/actor.ts';
import { authorize, requireAbility, scopeFor } from '../policy/authorize.ts';
import { regionPathFilter } from '../policy/scope-sql.ts';
import type { CaseStatus } from './case-lifecycle.ts';
import { presentCase } from './cases.service.ts';

/** Cases still in the loop, in the order the dispatcher works them: the new ones first. */
export const openCaseStatuses = ['submitted', 'dispatched', 'in_progress', 'summoned', 'replied', 'called_back', 'rated'] as const satisfies readonly CaseStatus[];
export type OpenCaseStatus = (typeof openCaseStatuses)[number];
const triageOrder = ['red', 'orange', 'yellow', 'green'] as const;

const list = (values: readonly (string | number)[]) => sql.join(values.map((v) => sql`${v}`), sql`, `);
const openCondition = sql`c.status IN (${list(openCaseStatuses)})`;
const statusRank = sql`array_position(ARRAY[${list(openCaseStatuses)}]::text[], c.status)`;
const colourRank = sql`array_position(ARRAY[${list(triageOrder)}]::text[], c.triage_color)`;

/**
 * The cases an actor may read, as SQL over `cases c`: the actor's region subtree, or — for department
 * staff — cases that summon their department and were not returned by it (as caseDetail authorises).
 */
export function caseReadCondition(actor: Actor): SQL {
  const scope = scopeFor(actor, 'case', 'read');
  const region = regionPathFilter(sql.raw('c.region_path'), { ...scope, unitIds: [] });
  const departments = scope.unitIds.length
    ? sql`EXISTS (SELECT 1 FROM case_summonses s WHERE s.case_id = c.id AND s.returned_at IS NULL AND s.department_id IN (${list(scope.unitIds)}))`
    : sql`false`;
  return sql`(c.city_id = ${actor.cityId} AND (${region} OR ${departments}))`;
}

/** The earliest running SLA clock of each case (fired and cancelled clocks are history). */
const boardSelect = sql`SELECT c.*, cc.name AS category_name, cc.code AS category_code, g.name AS grid_name, b.name AS building_name,
    clk.kind AS clock_kind, clk.due_at AS clock_due_at, (clk.due_at <= now()) AS clock_overdue,
    floor(extract(epoch FROM now() - c.created_at))::int AS age_seconds
  FROM cases c
  LEFT JOIN case_categories cc ON cc.id = c.category_id
  LEFT JOIN region_nodes g ON g.id = c.grid_id
  LEFT JOIN region_nodes b ON b.id = c.building_id
  LEFT JOIN LATERAL (SELECT t.kind, t.due_at FROM sla_timers t WHERE t.case_id = c.id AND t.fired_at IS NULL AND t.cancelled_at IS NULL
    ORDER BY t.due_at LIMIT 1) clk ON true`;

const runningClockOverdue = sql`EXISTS (SELECT 1 FROM sla_timers t WHERE t.case_id = c.id AND t.fired_at IS NULL AND t.cancelled_at IS NULL AND t.due_at <= now())`;

export function presentBoardRow(row: Record<string, unknown>) {
  const base = presentCase(row);
  const dueAt = row.clock_due_at === null || row.clock_due_at === undefined ? null : new Date(row.clock_due_at as string);
  const clockOverdue = Boolean(row.clock_overdue);
  return {
    ...base,
    categoryCode: (row.category_code as string | null) ?? null,
    buildingName: (row.building_name as string | null) ?? null,
    extensionPending: Boolean(row.extension_pending),
    ageSeconds: Number(row.age_seconds),
    /** The clock that runs out first; `overdue` when it already has (the sweeper will remind and escalate). */
    clock: dueAt ? { kind: row.clock_kind as string, dueAt: dueAt.toISOString(), overdue: clockOverdue } : null,
    overdue: base.overdue || clockOverdue,
  };
}

export interface BoardQuery {
  status?: OpenCaseStatus;
  color?: (typeof triageOrder)[number];
  page: number;
  pageSize: number;
}

/**
 * The dispatcher's live queue: open cases of the actor's scope, submitted first (red before green,
 * the clock closest to running out first), with counts per status for the filter tabs.
 */
export async function caseBoard(context: AppContext, actor: Actor, query: BoardQuery) {
  requireAbility(actor, 'case', 'read');
  const conditions: SQL[] = [caseReadCondition(actor), openCondition];
  if (query.color) conditions.push(sql`c.triage_color = ${query.color}`);
  const countWhere = sql.join(conditions, sql` AND `);
  if (query.status) conditions.push(sql`c.status = ${query.status}`);
  const where = sql.join(conditions, sql` AND `);
  const rows = await context.database.rows<Record<string, unknown>>(sql`${boardSelect} WHERE ${where}
    ORDER BY ${statusRank}, ${colourRank}, clk.due_at ASC NULLS LAST, c.id
    LIMIT ${query.pageSize} OFFSET ${(query.page - 1) * query.pageSize}`);
  const counted = await context.database.rows<{ status: string; n: number }>(sql`SELECT c.status, count(*)::int AS n FROM cases c WHERE ${countWhere} GROUP BY c.status`);
  const counts = Object.fromEntries(openCaseStatuses.map((status) => [status, 0])) as Record<OpenCaseStatus, number>;
  for (const { status, n } of counted) counts[status as OpenCaseStatus] = Number(n);
  const total = query.status ? counts[query.status] : Object.values(counts).reduce((a, b) => a + b, 0);
  return { items: rows.map(presentBoardRow), counts, page: query.page, pageSize: query.pageSize, total, serverTime: new Date().toISOString() };
}

/** 督办 and overdue watch lists: open cases under supervision, or with a clock that ran out. */
export async function caseWatchList(context: AppContext, actor: Actor, query: { list: 'overdue' | 'supervised'; page: number; pageSize: number }) {
  requireAbility(actor, 'case', 'read');
  const flag = query.list === 'overdue' ? sql`(c.overdue OR ${runningClockOverdue})` : sql`c.supervised`;
  const where = sql`${caseReadCondition(actor)} AND ${openCondition} AND ${flag}`;
  const order = query.list === 'overdue' ? sql`clk.due_at ASC NULLS LAST, c.id` : sql`c.updated_at DESC, c.id DESC`;
  const rows = await context.database.rows<Record<string, unknown>>(sql`${boardSelect} WHERE ${where} ORDER BY ${order}
    LIMIT ${query.pageSize} OFFSET ${(query.page - 1) * query.pageSize}`);
  const [{ n }] = await context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM cases c WHERE ${where}`);
  return { list: query.list, items: rows.map(presentBoardRow), page: query.page, pageSize: query.pageSize, total: Number(n), serverTime: new Date().toISOString() };
}

export const MAP_LIMIT_DEFAULT = 2000;

/**
 * Open cases in scope as GeoJSON points: the reported point, else the building's centroid, else the
 * grid's. Capped: `truncated` says more cases matched than were sent (the newest are kept).
 */
export async function caseMap(context: AppContext, actor: Actor, query: { status?: OpenCaseStatus; color?: string; limit?: number }) {
  requireAbility(actor, 'case', 'read');
  const limit = query.limit ?? MAP_LIMIT_DEFAULT;
  const conditions: SQL[] = [caseReadCondition(actor), openCondition];
  if (query.status) conditions.push(sql`c.status = ${query.status}`);
  if (query.color) conditions.push(sql`c.triage_color = ${query.color}`);
  const where = sql.join(conditions, sql` AND `);
  const rows = await context.database.rows<Record<string, unknown>>(sql`
    SELECT * FROM (
      SELECT c.id, c.number, c.title, c.status, c.triage_color, c.overdue, c.supervised, c.created_at, cc.name AS category_name,
        CASE WHEN c.lng IS NOT NULL AND c.lat IS NOT NULL THEN 'point'
             WHEN b.centroid_lng IS NOT NULL AND b.centroid_lat IS NOT NULL THEN 'building'
             WHEN g.centroid_lng IS NOT NULL AND g.centroid_lat IS NOT NULL THEN 'grid' END AS located,
        CASE WHEN c.lng IS NOT NULL AND c.lat IS NOT NULL THEN c.lng WHEN b.centroid_lng IS NOT NULL AND b.centroid_lat IS NOT NULL THEN b.centroid_lng ELSE g.centroid_lng END AS lng,
        CASE WHEN c.lng IS NOT NULL AND c.lat IS NOT NULL THEN c.lat WHEN b.centroid_lng IS NOT NULL AND b.centroid_lat IS NOT NULL THEN b.centroid_lat ELSE g.centroid_lat END AS lat
      FROM cases c
      LEFT JOIN case_categories cc ON cc.id = c.category_id
      LEFT JOIN region_nodes b ON b.id = c.building_id
      LEFT JOIN region_nodes g ON g.id = c.grid_id
      WHERE ${where}) located
    WHERE located.located IS NOT NULL
    ORDER BY located.id DESC LIMIT ${limit + 1}`);
  const [{ total, unlocated }] = await context.database.rows<{ total: number; unlocated: number }>(sql`
    SELECT count(*)::int AS total,
      count(*) FILTER (WHERE (c.lng IS NULL OR c.lat IS NULL) AND (b.centroid_lng IS NULL OR b.centroid_lat IS NULL) AND (g.centroid_lng IS NULL OR g.centroid_lat IS NULL))::int AS unlocated
    FROM cases c LEFT JOIN region_nodes b ON b.id = c.building_id LEFT JOIN region_nodes g ON g.id = c.grid_id WHERE ${where}`);
  const truncated = rows.length > limit;
  return {
    type: 'FeatureCollection' as const,
    features: rows.slice(0, limit).map((row) => ({
      type: 'Feature' as const,
      id: Number(row.id),
      geometry: { type: 'Point' as const, coordinates: [Number(row.lng), Number(row.lat)] as [number, number] },
      properties: {
        id: Number(row.id),
        number: row.number as string,
        title: row.title as string,
        status: row.status as string,
        triageColor: row.triage_color as string,
        categoryName: (row.category_name as string | null) ?? null,
        overdue: Boolean(row.overdue),
        supervised: Boolean(row.supervised),
        located: row.located as 'point' | 'building' | 'grid',
        createdAt: new Date(row.created_at as string).toISOString(),
      },
    })),
    /** More open cases matched than `limit`: the map shows the newest ones. */
    truncated,
    limit,
    total: Number(total),
    /** Open cases with no point, building centroid or grid centroid: not on the map. */
    unlocated: Number(unlocated),
  };
}

/** Loads a case's scope facts and refuses (403/404) unless the actor may read it, as caseDetail does. */
export async function readableCase(context: AppContext, actor: Actor, caseId: number) {
  const [row] = await context.database.rows<Record<string, unknown>>(sql`SELECT c.*, b.centroid_lng AS building_lng, b.centroid_lat AS building_lat
    FROM cases c LEFT JOIN region_nodes b ON b.id = c.building_id WHERE c.id = ${caseId}`);
  if (!row) throw notFound('Case');
  const summoned = await context.database.rows<{ department_id: number }>(sql`SELECT department_id FROM case_summonses WHERE case_id = ${caseId} AND returned_at IS NULL`);
  authorize(actor, 'case', 'read', { cityId: Number(row.city_id), regionPath: row.region_path as string, unitIds: summoned.map((s) => Number(s.department_id)) });
  return row;
}

const clockState = (row: Record<string, unknown>) => (row.fired_at !== null ? 'fired' : row.cancelled_at !== null ? 'stopped' : 'running');
const isoOrNull = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string).toISOString());

/** A case's SLA clocks, running ones first (then by deadline), and whether an extension waits for approval. */
export async function caseClocks(context: AppContext, actor: Actor, caseId: number) {
  const row = await readableCase(context, actor, caseId);
  const timers = await context.database.rows<Record<string, unknown>>(sql`
    SELECT kind, due_at, fired_at, cancelled_at, created_at, (due_at <= now()) AS past_due FROM sla_timers WHERE case_id = ${caseId}
    ORDER BY (fired_at IS NULL AND cancelled_at IS NULL) DESC, due_at, id`);
  return {
    caseId,
    version: Number(row.version),
    extensionPending: Boolean(row.extension_pending),
    serverTime: new Date().toISOString(),
    clocks: timers.map((t) => ({
      kind: t.kind as string,
      state: clockState(t) as 'running' | 'fired' | 'stopped',
      startedAt: isoOrNull(t.created_at)!,
      dueAt: isoOrNull(t.due_at)!,
      firedAt: isoOrNull(t.fired_at),
      stoppedAt: isoOrNull(t.cancelled_at),
      overdue: clockState(t) === 'fired' || (clockState(t) === 'running' && Boolean(t.past_due)),
    })),
  };
}
