import { sql } from 'drizzle-orm';
import { pgTable, text, integer, boolean, timestamp, index, uniqueIndex, check, date, jsonb } from 'drizzle-orm/pg-core';
import { cityId, id, ref, createdAt, updatedAt } from './columns.ts';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** 入户走访 / 民情日志: a grid worker's home visit and the information collected. */
export const homeVisits = pgTable(
  'home_visits',
  {
    id: id(),
    cityId: cityId(),
    gridId: ref('grid_id').notNull(),
    regionPath: text('region_path').notNull(),
    householdId: ref('household_id'),
    buildingId: ref('building_id'),
    careSubjectId: ref('care_subject_id'),
    visitorUserId: ref('visitor_user_id').notNull(),
    visitedAt: at('visited_at').notNull(),
    purpose: text('purpose', { enum: ['routine', 'care', 'dispute', 'policy', 'other'] }).notNull().default('routine'),
    /** What was collected: { populationChange, needs, hazards, … } as the form gave it. */
    collected: jsonb('collected').notNull().default(sql`'{}'::jsonb`),
    notes: text('notes').notNull().default(''),
    /** A need raised during the visit (community_list_items). */
    needItemId: ref('need_item_id'),
    createdAt: createdAt(),
  },
  (t) => [
    index('home_visits_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`),
    index('home_visits_visitor_idx').on(t.visitorUserId, t.visitedAt),
    index('home_visits_care_idx').on(t.careSubjectId, t.visitedAt),
  ],
);

/** 矛盾纠纷排查化解: found → mediating → resolved (or escalated to a case). */
export const disputes = pgTable(
  'disputes',
  {
    id: id(),
    cityId: cityId(),
    gridId: ref('grid_id').notNull(),
    regionPath: text('region_path').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    category: text('category', { enum: ['neighbour', 'family', 'property', 'labour', 'land', 'other'] }).notNull().default('other'),
    /** The parties' names as recorded; masked on output. */
    parties: text('parties'),
    status: text('status', { enum: ['found', 'mediating', 'resolved', 'escalated'] }).notNull().default('found'),
    foundAt: at('found_at').notNull(),
    foundBy: ref('found_by').notNull(),
    mediator: text('mediator'),
    mediationStartedAt: at('mediation_started_at'),
    resolvedAt: at('resolved_at'),
    result: text('result'),
    caseId: ref('case_id'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('disputes_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`), index('disputes_status_idx').on(t.cityId, t.status)],
);

export const careGroups = ['elderly_living_alone', 'disabled', 'left_behind_child', 'low_income', 'veteran', 'other'] as const;

/** 关爱对象: a resident of a special group, how often someone must visit, and when the next visit is due. */
export const careSubjects = pgTable(
  'care_subjects',
  {
    id: id(),
    cityId: cityId(),
    residentId: ref('resident_id').notNull(),
    gridId: ref('grid_id').notNull(),
    regionPath: text('region_path').notNull(),
    careGroup: text('care_group', { enum: careGroups }).notNull(),
    visitEveryDays: integer('visit_every_days').notNull().default(7),
    responsibleUserId: ref('responsible_user_id'),
    lastVisitAt: at('last_visit_at'),
    nextVisitDue: date('next_visit_due', { mode: 'string' }).notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('care_subjects_resident_group_uq').on(t.residentId, t.careGroup),
    index('care_subjects_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`),
    index('care_subjects_due_idx').on(t.cityId, t.nextVisitDue).where(sql`${t.active}`),
    check('care_subjects_every_ck', sql`${t.visitEveryDays} between 1 and 366`),
  ],
);
