import { sql } from 'drizzle-orm';
import { pgTable, text, integer, boolean, timestamp, jsonb, doublePrecision, index, uniqueIndex, check, bigint } from 'drizzle-orm/pg-core';
import { cityId, id, ref, createdAt, updatedAt } from './columns.ts';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const caseChannels = ['qr', 'h5', 'grid_worker', 'hotline', 'open311'] as const;
export const triageColors = ['red', 'orange', 'yellow', 'green'] as const;

/** Request categories per city: the default colour, keywords that raise it, and SLA overrides. */
export const caseCategories = pgTable(
  'case_categories',
  {
    id: id(),
    cityId: cityId(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    defaultColor: text('default_color', { enum: triageColors }).notNull(),
    /** Words in the text that raise the colour, e.g. { "red": ["燃气", "漏电"], "orange": ["漏水"] }. */
    raiseKeywords: jsonb('raise_keywords').notNull().default(sql`'{}'::jsonb`),
    /** Per-category SLA rule overrides (src/modules/sla/sla-policy.ts CategoryOverrides). */
    slaOverrides: jsonb('sla_overrides'),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('case_categories_city_code_uq').on(t.cityId, t.code)],
);

/**
 * One resident request (民情工单) from any channel. `status`, `holder_level` and the flags are the
 * lifecycle snapshot (src/modules/cases/case-lifecycle.ts); `version` guards concurrent edits (If-Match).
 */
export const cases = pgTable(
  'cases',
  {
    id: id(),
    cityId: cityId(),
    /** Human-facing number, e.g. 20261125-000123. */
    number: text('number').notNull(),
    /** Unguessable token for the resident's public tracking page. */
    trackingToken: text('tracking_token').notNull(),
    channel: text('channel', { enum: caseChannels }).notNull(),
    status: text('status').notNull().default('submitted'),
    holderLevel: text('holder_level').notNull().default('grid'),
    version: integer('version').notNull().default(1),
    categoryId: ref('category_id'),
    triageColor: text('triage_color', { enum: triageColors }).notNull(),
    title: text('title').notNull(),
    description: text('description').notNull(),
    /** Where it is: the grid's (or building's) region path scopes who may see the case. */
    regionPath: text('region_path').notNull(),
    gridId: ref('grid_id'),
    buildingId: ref('building_id'),
    lng: doublePrecision('lng'),
    lat: doublePrecision('lat'),
    address: text('address'),
    reporterName: text('reporter_name'),
    reporterPhone: text('reporter_phone'),
    reporterConsent: boolean('reporter_consent').notNull().default(false),
    createdBy: ref('created_by'),
    reopenCount: integer('reopen_count').notNull().default(0),
    ratingResolved: boolean('rating_resolved'),
    ratingSatisfaction: text('rating_satisfaction'),
    ratingComment: text('rating_comment'),
    claimedByPartyOrganizationId: ref('claimed_by_party_organization_id'),
    closedByPartyOrganizationId: ref('closed_by_party_organization_id'),
    extensionPending: boolean('extension_pending').notNull().default(false),
    supervised: boolean('supervised').notNull().default(false),
    overdue: boolean('overdue').notNull().default(false),
    mergedIntoCaseId: ref('merged_into_case_id'),
    dispatchedAt: at('dispatched_at'),
    contactedAt: at('contacted_at'),
    /** When the first round's contact clock was due: the response rate compares contacted_at with it. */
    contactDueAt: at('contact_due_at'),
    repliedAt: at('replied_at'),
    ratedAt: at('rated_at'),
    closedAt: at('closed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('cases_city_number_uq').on(t.cityId, t.number),
    uniqueIndex('cases_tracking_token_uq').on(t.trackingToken),
    index('cases_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`),
    index('cases_city_status_idx').on(t.cityId, t.status),
    index('cases_city_created_idx').on(t.cityId, t.createdAt),
  ],
);

/** Every transition of a case: who, when, what, with a note and attachments (photos). */
export const caseEvents = pgTable(
  'case_events',
  {
    id: id(),
    cityId: cityId(),
    caseId: ref('case_id').notNull(),
    action: text('action').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    actorUserId: ref('actor_user_id'),
    actorLabel: text('actor_label'),
    note: text('note'),
    attachments: jsonb('attachments').notNull().default(sql`'[]'::jsonb`),
    details: jsonb('details'),
    /** Shown on the resident's tracking page (internal notes are not). */
    isPublic: boolean('is_public').notNull().default(false),
    at: at('at').notNull().defaultNow(),
  },
  (t) => [index('case_events_case_idx').on(t.caseId, t.id)],
);

/** A department summoned by the street (吹哨) and its answer (报到, reply, or return). */
export const caseSummonses = pgTable(
  'case_summonses',
  {
    id: id(),
    cityId: cityId(),
    caseId: ref('case_id').notNull(),
    departmentId: ref('department_id').notNull(),
    summonedBy: ref('summoned_by'),
    summonedAt: at('summoned_at').notNull().defaultNow(),
    deadline: at('deadline'),
    reportedInAt: at('reported_in_at'),
    repliedAt: at('replied_at'),
    reply: text('reply'),
    returnedAt: at('returned_at'),
    returnReason: text('return_reason'),
  },
  (t) => [index('case_summonses_case_idx').on(t.caseId), index('case_summonses_department_idx').on(t.departmentId, t.repliedAt)],
);

/** Tasks a dispatcher splits a case into, each for one grid worker. */
export const caseTasks = pgTable(
  'case_tasks',
  {
    id: id(),
    cityId: cityId(),
    caseId: ref('case_id').notNull(),
    gridId: ref('grid_id').notNull(),
    assigneeUserId: ref('assignee_user_id'),
    instructions: text('instructions'),
    status: text('status').notNull().default('open'),
    createdAt: createdAt(),
    contactedAt: at('contacted_at'),
    doneAt: at('done_at'),
  },
  (t) => [index('case_tasks_case_idx').on(t.caseId), index('case_tasks_assignee_idx').on(t.assigneeUserId, t.status)],
);

/** SLA clocks: one row per running clock; a sweeper takes due rows with SKIP LOCKED so each fires once. */
export const slaTimers = pgTable(
  'sla_timers',
  {
    id: id(),
    cityId: cityId(),
    caseId: ref('case_id').notNull(),
    kind: text('kind').notNull(),
    dueAt: at('due_at').notNull(),
    firedAt: at('fired_at'),
    cancelledAt: at('cancelled_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('sla_timers_due_idx').on(t.dueAt).where(sql`fired_at IS NULL AND cancelled_at IS NULL`),
    index('sla_timers_case_idx').on(t.caseId),
    check('sla_timers_kind_ck', sql`${t.kind} in ('dispatch','contact','resolve','report_in','callback')`),
  ],
);

/**
 * A city's own SLA clocks and working calendar (entered as data by the city administrator). Null
 * columns fall back to the national defaults (src/modules/sla/sla-policy.ts, working-calendar.ts).
 */
export const citySlaSettings = pgTable('city_sla_settings', {
  cityId: bigint('city_id', { mode: 'number' }).primaryKey(),
  /** Per clock kind and colour, e.g. { "resolve": { "yellow": { "amount": 5, "unit": "working_days" } } }. */
  rules: jsonb('rules'),
  /** [{ "start": "08:30", "end": "12:00" }, …] */
  workingHours: jsonb('working_hours'),
  weekendDays: jsonb('weekend_days'),
  /** 'YYYY-MM-DD' days off and 调休 make-up working days. */
  holidays: jsonb('holidays'),
  makeUpWorkdays: jsonb('make_up_workdays'),
  updatedAt: updatedAt(),
  updatedBy: ref('updated_by'),
});
