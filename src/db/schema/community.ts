import { sql } from 'drizzle-orm';
import { pgTable, text, integer, timestamp, jsonb, index, uniqueIndex, check, date } from 'drizzle-orm/pg-core';
import { cityId, id, ref, createdAt, updatedAt } from './columns.ts';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * The timeline of every community-service record (a list item, an order, a wish, a booking …): who did
 * what, when, from which status to which. Written by appendItemEvent() in the same transaction as the
 * state change; the audit log holds the tamper-evident copy.
 */
export const itemEvents = pgTable(
  'item_events',
  {
    id: id(),
    cityId: cityId(),
    /** The table the subject lives in, e.g. 'service_order', 'micro_wish', 'list_item'. */
    subjectType: text('subject_type').notNull(),
    subjectId: ref('subject_id').notNull(),
    action: text('action').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    actorUserId: ref('actor_user_id'),
    /** Who acted, as shown on the timeline: a user's name, '居民' for a resident on a token, a unit's name. */
    actorLabel: text('actor_label').notNull(),
    note: text('note'),
    createdAt: createdAt(),
  },
  (t) => [index('item_events_subject_idx').on(t.subjectType, t.subjectId, t.id), index('item_events_city_idx').on(t.cityId, t.createdAt)],
);

export const listKinds = ['need', 'problem', 'service'] as const;
export const listItemStatuses = ['posted', 'claimed', 'delivered', 'closed', 'withdrawn'] as const;
export const needSources = ['resident', 'community', 'resident_unit', 'grid_worker', 'case', 'compiled'] as const;

/**
 * The three lists (三张清单) in one table: residents' and units' needs (需求清单), the quarterly problem
 * list compiled from cases and needs (问题清单, `quarter` set), and the service list (服务清单) that
 * departments and resident units claim. Each item moves posted → claimed → delivered (→ closed).
 */
export const communityListItems = pgTable(
  'community_list_items',
  {
    id: id(),
    cityId: cityId(),
    listKind: text('list_kind', { enum: listKinds }).notNull(),
    /** The community (or street) the item belongs to, and its path for scoping. */
    regionNodeId: ref('region_node_id').notNull(),
    regionPath: text('region_path').notNull(),
    /** '2026Q4' for problem-list items. */
    quarter: text('quarter'),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    category: text('category'),
    source: text('source', { enum: needSources }).notNull(),
    /** A resident unit that posted its own need, or the resident's name and phone (masked on output). */
    posterUnitId: ref('poster_unit_id'),
    posterName: text('poster_name'),
    posterPhone: text('poster_phone'),
    /** Where it came from: a case, or the need/problem item a service item answers. */
    caseId: ref('case_id'),
    sourceItemId: ref('source_item_id'),
    /** How many cases a compiled problem item stands for. */
    caseCount: integer('case_count').notNull().default(0),
    status: text('status', { enum: listItemStatuses }).notNull().default('posted'),
    claimedByUnitId: ref('claimed_by_unit_id'),
    claimedByPartyMemberId: ref('claimed_by_party_member_id'),
    claimedAt: at('claimed_at'),
    deliveredAt: at('delivered_at'),
    deliveryNote: text('delivery_note'),
    dueOn: date('due_on', { mode: 'string' }),
    createdBy: ref('created_by'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('community_list_items_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`),
    index('community_list_items_kind_idx').on(t.cityId, t.listKind, t.status),
    uniqueIndex('community_list_items_problem_uq').on(t.regionNodeId, t.quarter, t.title).where(sql`${t.listKind} = 'problem'`),
    check('community_list_items_kind_ck', sql`${t.listKind} in ('need','problem','service')`),
    check('community_list_items_status_ck', sql`${t.status} in ('posted','claimed','delivered','closed','withdrawn')`),
    check('community_list_items_quarter_ck', sql`(${t.listKind} = 'problem') = (${t.quarter} is not null)`),
  ],
);
