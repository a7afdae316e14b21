import { sql } from 'drizzle-orm';
import { pgTable, text, integer, boolean, timestamp, index, uniqueIndex, check, date, customType } from 'drizzle-orm/pg-core';
import { cityId, id, ref, createdAt, updatedAt } from './columns.ts';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
/** A PostgreSQL tstzrange, read and written as its text form '[2026-11-25 09:00+08,2026-11-25 11:00+08)'. */
const tstzrange = customType<{ data: string; driverData: string }>({ dataType: () => 'tstzrange' });

/** Per community: the starting score and the two thresholds of seed 001 (below 60 no bookings, above 100 honours). */
export const unitPointSettings = pgTable(
  'unit_point_settings',
  {
    id: id(),
    cityId: cityId(),
    communityId: ref('community_id').notNull(),
    regionPath: text('region_path').notNull(),
    basePoints: integer('base_points').notNull().default(80),
    bookingMinimum: integer('booking_minimum').notNull().default(60),
    honourThreshold: integer('honour_threshold').notNull().default(100),
    updatedBy: ref('updated_by'),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('unit_point_settings_community_uq').on(t.communityId), check('unit_point_settings_order_ck', sql`${t.bookingMinimum} < ${t.honourThreshold}`)],
);

export const unitPointEvents = ['activity_served', 'service_claimed', 'need_delivered', 'wish_fulfilled', 'meeting_attended', 'meeting_missed', 'post_served', 'manual'] as const;

/** The points a community gives (or takes, negative) for each kind of participation. */
export const unitPointRules = pgTable(
  'unit_point_rules',
  {
    id: id(),
    cityId: cityId(),
    communityId: ref('community_id').notNull(),
    regionPath: text('region_path').notNull(),
    event: text('event', { enum: unitPointEvents }).notNull(),
    points: integer('points').notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('unit_point_rules_uq').on(t.communityId, t.event), check('unit_point_rules_points_ck', sql`${t.points} between -100 and 100`)],
);

/** The points ledger of resident units; the balance is the community's base plus the sum. One entry per source. */
export const unitPointEntries = pgTable(
  'unit_point_entries',
  {
    id: id(),
    cityId: cityId(),
    communityId: ref('community_id').notNull(),
    regionPath: text('region_path').notNull(),
    unitId: ref('unit_id').notNull(),
    event: text('event', { enum: unitPointEvents }).notNull(),
    sourceKind: text('source_kind').notNull(),
    sourceId: ref('source_id'),
    points: integer('points').notNull(),
    note: text('note'),
    createdBy: ref('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    index('unit_point_entries_unit_idx').on(t.unitId, t.communityId),
    index('unit_point_entries_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`),
    uniqueIndex('unit_point_entries_source_uq').on(t.unitId, t.event, t.sourceKind, t.sourceId).where(sql`${t.sourceId} is not null`),
  ],
);

export const sharedResourceKinds = ['wall', 'parking', 'venue', 'sports_ground', 'meeting_room', 'other'] as const;

/** 区域资源清单: what the community and its units share, on free, low-cost or paid terms. */
export const sharedResources = pgTable(
  'shared_resources',
  {
    id: id(),
    cityId: cityId(),
    communityId: ref('community_id').notNull(),
    regionPath: text('region_path').notNull(),
    /** Null: the community's own; otherwise the unit that owns and approves it. */
    ownerUnitId: ref('owner_unit_id'),
    kind: text('kind', { enum: sharedResourceKinds }).notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    location: text('location'),
    terms: text('terms', { enum: ['free', 'low_cost', 'paid'] }).notNull().default('free'),
    priceNote: text('price_note'),
    requiresApproval: boolean('requires_approval').notNull().default(false),
    capacity: integer('capacity'),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [index('shared_resources_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`)],
);

/**
 * Bookings. No double booking is a database rule: drizzle/0015 adds
 * EXCLUDE USING gist (resource_id WITH =, period WITH &&) WHERE (status in ('pending','approved')).
 */
export const resourceBookings = pgTable(
  'resource_bookings',
  {
    id: id(),
    cityId: cityId(),
    resourceId: ref('resource_id').notNull(),
    regionPath: text('region_path').notNull(),
    bookerUnitId: ref('booker_unit_id'),
    bookerUserId: ref('booker_user_id'),
    bookerLabel: text('booker_label').notNull(),
    purpose: text('purpose').notNull(),
    period: tstzrange('period').notNull(),
    status: text('status', { enum: ['pending', 'approved', 'rejected', 'cancelled'] }).notNull(),
    decidedBy: ref('decided_by'),
    decidedAt: at('decided_at'),
    decisionNote: text('decision_note'),
    createdAt: createdAt(),
  },
  (t) => [
    index('resource_bookings_resource_idx').on(t.resourceId),
    index('resource_bookings_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`),
    check('resource_bookings_status_ck', sql`${t.status} in ('pending','approved','rejected','cancelled')`),
    check('resource_bookings_period_ck', sql`not isempty(${t.period}) and lower_inf(${t.period}) = false and upper_inf(${t.period}) = false`),
  ],
);

/** 区域化党建联盟: an alliance of party organisations and units around a street or community. */
export const partyAlliances = pgTable(
  'party_alliances',
  {
    id: id(),
    cityId: cityId(),
    regionNodeId: ref('region_node_id').notNull(),
    regionPath: text('region_path').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [index('party_alliances_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`)],
);

export const allianceMembers = pgTable(
  'alliance_members',
  {
    id: id(),
    cityId: cityId(),
    allianceId: ref('alliance_id').notNull(),
    unitId: ref('unit_id'),
    partyOrganizationId: ref('party_organization_id'),
    roleLabel: text('role_label'),
    joinedAt: createdAt(),
  },
  (t) => [
    uniqueIndex('alliance_members_unit_uq').on(t.allianceId, t.unitId).where(sql`${t.unitId} is not null`),
    uniqueIndex('alliance_members_org_uq').on(t.allianceId, t.partyOrganizationId).where(sql`${t.partyOrganizationId} is not null`),
    check('alliance_members_who_ck', sql`(${t.unitId} is null) <> (${t.partyOrganizationId} is null)`),
  ],
);

/** 联席会议: agenda, attendees and minutes; decides co-building items. */
export const jointMeetings = pgTable(
  'joint_meetings',
  {
    id: id(),
    cityId: cityId(),
    allianceId: ref('alliance_id').notNull(),
    regionPath: text('region_path').notNull(),
    title: text('title').notNull(),
    heldAt: at('held_at').notNull(),
    location: text('location'),
    agenda: text('agenda').notNull().default(''),
    minutes: text('minutes'),
    status: text('status', { enum: ['planned', 'held', 'cancelled'] }).notNull().default('planned'),
    createdBy: ref('created_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('joint_meetings_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`), index('joint_meetings_alliance_idx').on(t.allianceId)],
);

export const jointMeetingAttendees = pgTable(
  'joint_meeting_attendees',
  {
    id: id(),
    cityId: cityId(),
    meetingId: ref('meeting_id').notNull(),
    unitId: ref('unit_id'),
    partyOrganizationId: ref('party_organization_id'),
    attendeeName: text('attendee_name').notNull(),
    attended: boolean('attended').notNull().default(false),
  },
  (t) => [index('joint_meeting_attendees_meeting_idx').on(t.meetingId), uniqueIndex('joint_meeting_attendees_unit_uq').on(t.meetingId, t.unitId).where(sql`${t.unitId} is not null`)],
);

/** 共驻共建事项 decided by a joint meeting, tracked to completion (seed 002: 927 set, 903 done). */
export const coBuildingItems = pgTable(
  'co_building_items',
  {
    id: id(),
    cityId: cityId(),
    meetingId: ref('meeting_id').notNull(),
    allianceId: ref('alliance_id').notNull(),
    regionPath: text('region_path').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    leadUnitId: ref('lead_unit_id'),
    dueOn: date('due_on', { mode: 'string' }),
    status: text('status', { enum: ['decided', 'in_progress', 'done', 'dropped'] }).notNull().default('decided'),
    progressNote: text('progress_note'),
    doneAt: at('done_at'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('co_building_items_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`), index('co_building_items_meeting_idx').on(t.meetingId)],
);
