import { sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { notFound } from '../../shared/errors.ts';
import { maskName, maskPhone } from '../../shared/personal-data.ts';
import type { Actor, ScopedRecord } from '../policy/actor.ts';
import type { CaseSnapshot, CaseStatus, HolderLevel } from './case-lifecycle.ts';
import { allowedActions } from './allowed-actions.ts';
import { currentSummonsRound, openTaskAssignees } from './cases.repository.ts';
import { actsAtHolderLevel } from './holder-level.ts';
import { authorize, can, requireAbility, scopeFor } from '../policy/authorize.ts';
import { regionPathFilter } from '../policy/scope-sql.ts';

/** The row mapping every case list shares (reporter masked); also used by the board (case-board.service.ts). */
export const presentCase = (row: Record<string, unknown>) => ({
  id: Number(row.id),
  number: row.number as string,
  channel: row.channel as string,
  status: row.status as string,
  holderLevel: row.holder_level as string,
  version: Number(row.version),
  triageColor: row.triage_color as string,
  categoryName: (row.category_name as string | null) ?? null,
  title: row.title as string,
  gridId: row.grid_id === null ? null : Number(row.grid_id),
  gridName: (row.grid_name as string | null) ?? null,
  buildingId: row.building_id === null ? null : Number(row.building_id),
  reporterName: maskName(row.reporter_name as string | null),
  reporterPhone: maskPhone(row.reporter_phone as string | null),
  supervised: Boolean(row.supervised),
  overdue: Boolean(row.overdue),
  reopenCount: Number(row.reopen_count),
  createdAt: new Date(row.created_at as string).toISOString(),
  updatedAt: new Date(row.updated_at as string).toISOString(),
});

const caseSelect = sql`SELECT c.*, cc.name AS category_name, g.name AS grid_name, b.name AS building_name FROM cases c
  LEFT JOIN case_categories cc ON cc.id = c.category_id LEFT JOIN region_nodes g ON g.id = c.grid_id LEFT JOIN region_nodes b ON b.id = c.building_id`;

export async function listCases(context: AppContext, actor: Actor, query: { status?: string; color?: string; page: number; pageSize: number }) {
  requireAbility(actor, 'case', 'read');
  const scope = scopeFor(actor, 'case', 'read');
  // Departments see the cases they were summoned to (their unit ids), everyone else their subtree.
  const departmentFilter = scope.unitIds.length
    ? sql`EXISTS (SELECT 1 FROM case_summonses s WHERE s.case_id = c.id AND s.department_id IN (${sql.join(scope.unitIds.map((id) => sql`${id}`), sql`, `)}))`
    : sql`false`;
  const conditions: SQL[] = [sql`c.city_id = ${actor.cityId}`, sql`(${regionPathFilter(sql.raw('c.region_path'), { ...scope, unitIds: [] })} OR ${departmentFilter})`];
  if (query.status) conditions.push(sql`c.status = ${query.status}`);
  if (query.color) conditions.push(sql`c.triage_color = ${query.color}`);
  const where = sql.join(conditions, sql` AND `);
  const rows = await context.database.rows<Record<string, unknown>>(sql`${caseSelect} WHERE ${where} ORDER BY c.id DESC LIMIT ${query.pageSize} OFFSET ${(query.page - 1) * query.pageSize}`);
  const [{ total }] = await context.database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM cases c WHERE ${where}`);
  return { items: rows.map(presentCase), page: query.page, pageSize: query.pageSize, total: Number(total) };
}

async function summonedDepartments(context: AppContext, caseId: number) {
  return context.database.rows<Record<string, unknown>>(sql`
    SELECT s.department_id, u.name, s.summoned_at, s.deadline, s.reported_in_at, s.replied_at, s.reply, s.returned_at, s.return_reason,
      ${currentSummonsRound(caseId)} AS current
    FROM case_summonses s JOIN units u ON u.id = s.department_id WHERE s.case_id = ${caseId} ORDER BY s.id`);
}

/** What the actor may do on one case, from the policies (the console and the grid worker app show buttons from this). */
export const caseAbilities = (actor: Actor, record: ScopedRecord & { holderLevel?: HolderLevel }) => ({
  dispatch: can(actor, 'case', 'dispatch', record),
  // Handling also needs the level holding the case (a community-held case is no longer the grid worker's).
  handle: can(actor, 'case', 'handle', record) && (record.holderLevel === undefined || actsAtHolderLevel(actor, record.regionPath ?? '', record.holderLevel, record.assigneeUserIds)),
  supervise: can(actor, 'case', 'supervise', record),
  answerSummons: can(actor, 'case', 'answer_summons', record),
});

export async function caseDetail(context: AppContext, actor: Actor, id: number) {
  const [row] = await context.database.rows<Record<string, unknown>>(sql`${caseSelect} WHERE c.id = ${id}`);
  if (!row) throw notFound('Case');
  const summonses = await summonedDepartments(context, id);
  const record = {
    cityId: Number(row.city_id),
    regionPath: row.region_path as string,
    unitIds: summonses.filter((s) => !s.returned_at && s.current).map((s) => Number(s.department_id)),
    assigneeUserIds: await openTaskAssignees(context.database, id),
    holderLevel: row.holder_level as HolderLevel,
  };
  authorize(actor, 'case', 'read', record);
  const events = await context.database.rows<Record<string, unknown>>(sql`SELECT * FROM case_events WHERE case_id = ${id} ORDER BY id`);
  const abilities = caseAbilities(actor, record);
  // The same snapshot the transition table sees when the action arrives (this round's summonses only).
  const snapshot: CaseSnapshot = {
    status: row.status as CaseStatus,
    holderLevel: row.holder_level as HolderLevel,
    reopenCount: Number(row.reopen_count),
    rating: row.rating_satisfaction ? { resolved: Boolean(row.rating_resolved), satisfaction: row.rating_satisfaction as NonNullable<CaseSnapshot['rating']>['satisfaction'] } : null,
    summonses: summonses.filter((s) => !s.returned_at && s.current).map((s) => ({ departmentId: Number(s.department_id), reportedIn: s.reported_in_at !== null, replied: s.replied_at !== null })),
    claimedByPartyOrganizationId: row.claimed_by_party_organization_id === null ? null : Number(row.claimed_by_party_organization_id),
    extensionPending: Boolean(row.extension_pending),
    supervised: Boolean(row.supervised),
    overdue: Boolean(row.overdue),
  };
  return {
    ...presentCase(row),
    description: row.description as string,
    // A QR report names no address: the building it came from is where it is.
    address: (row.address as string | null) ?? (row.building_name as string | null) ?? null,
    location: row.lng === null ? null : [Number(row.lng), Number(row.lat)],
    rating: row.rating_satisfaction ? { resolved: Boolean(row.rating_resolved), satisfaction: row.rating_satisfaction as string, comment: (row.rating_comment as string | null) ?? null } : null,
    claimedByPartyOrganizationId: row.claimed_by_party_organization_id === null ? null : Number(row.claimed_by_party_organization_id),
    summonses: summonses.map((s) => ({
      departmentId: Number(s.department_id),
      departmentName: s.name as string,
      reportedIn: s.reported_in_at !== null,
      replied: s.replied_at !== null,
      reply: (s.reply as string | null) ?? null,
      returned: s.returned_at !== null,
      returnReason: (s.return_reason as string | null) ?? null,
      /** False for summonses of a round before the case was reopened (history). */
      current: Boolean(s.current),
    })),
    extensionPending: snapshot.extensionPending,
    events: events.map((e) => ({
      id: Number(e.id),
      action: e.action as string,
      fromStatus: (e.from_status as string | null) ?? null,
      toStatus: e.to_status as string,
      actor: (e.actor_label as string | null) ?? null,
      note: (e.note as string | null) ?? null,
      attachments: typeof e.attachments === 'string' ? JSON.parse(e.attachments) : e.attachments,
      at: new Date(e.at as string).toISOString(),
    })),
    abilities,
    /** Exactly the actions this user can take now (policy, holder level and transition table): screens render these. */
    allowedActions: allowedActions(actor, snapshot, abilities),
  };
}

/** The resident's tracking page: public progress only, no staff names or internal notes. */
export async function publicCaseView(context: AppContext, token: string) {
  const [row] = await context.database.rows<Record<string, unknown>>(sql`${caseSelect} WHERE c.tracking_token = ${token}`);
  if (!row) throw notFound('Case');
  const events = await context.database.rows<Record<string, unknown>>(sql`SELECT action, to_status, at, attachments, note FROM case_events WHERE case_id = ${Number(row.id)} AND is_public ORDER BY id`);
  const status = row.status as string;
  // Photos on public steps, readable by whoever holds the tracking token.
  const photosOf = (value: unknown) =>
    ((typeof value === 'string' ? JSON.parse(value) : value ?? []) as Array<{ url?: string }>).filter((p) => p.url).map((p) => ({ url: `${p.url}?t=${encodeURIComponent(token)}` }));
  return {
    number: row.number as string,
    status,
    title: row.title as string,
    categoryName: (row.category_name as string | null) ?? null,
    triageColor: row.triage_color as string,
    createdAt: new Date(row.created_at as string).toISOString(),
    progress: events.map((e) => ({
      action: e.action as string,
      status: e.to_status as string,
      at: new Date(e.at as string).toISOString(),
      photos: photosOf(e.attachments),
      // The answer itself is for the resident; other steps' notes are internal.
      ...(e.action === 'reply' && e.note ? { note: e.note as string } : {}),
    })),
    rating: row.rating_satisfaction ? { resolved: Boolean(row.rating_resolved), satisfaction: row.rating_satisfaction as string } : null,
    canRate: (status === 'replied' || status === 'called_back') && !row.rating_satisfaction,
    canReopen: status === 'rated' && Number(row.reopen_count) === 0 && (row.rating_resolved === false || row.rating_satisfaction === 'dissatisfied'),
  };
}

export async function caseIdByToken(context: AppContext, token: string): Promise<number> {
  const [row] = await context.database.rows<{ id: number }>(sql`SELECT id FROM cases WHERE tracking_token = ${token}`);
  if (!row) throw notFound('Case');
  return Number(row.id);
}

export async function listCategories(context: AppContext, cityCode: string) {
  return context.database.rows<{ code: string; name: string; defaultColor: string }>(sql`
    SELECT cc.code, cc.name, cc.default_color AS "defaultColor" FROM case_categories cc JOIN cities c ON c.id = cc.city_id
    WHERE c.code = ${cityCode} AND cc.active ORDER BY cc.id`);
}
