import { sql } from 'drizzle-orm';
import { pgTable, text, integer, timestamp, index, uniqueIndex, check, date, numeric } from 'drizzle-orm/pg-core';
import { cityId, id, ref, createdAt, updatedAt } from './columns.ts';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * 双报到: an agency's party organisation (kind 'organization', `unit_id`) or a serving party member (kind
 * 'member', `party_member_id`) registers with a community where it works or lives. An active registration
 * places the member's (or the unit contacts') users in that community: auth derives a `party_member` /
 * `unit_contact` grant on its path, so the policies decide claims by the region tree.
 */
export const dualRegistrations = pgTable(
  'dual_registrations',
  {
    id: id(),
    cityId: cityId(),
    kind: text('kind', { enum: ['organization', 'member'] }).notNull(),
    communityId: ref('community_id').notNull(),
    regionPath: text('region_path').notNull(),
    unitId: ref('unit_id'),
    partyMemberId: ref('party_member_id'),
    basis: text('basis', { enum: ['work', 'residence'] }).notNull().default('residence'),
    status: text('status', { enum: ['active', 'ended'] }).notNull().default('active'),
    registeredAt: at('registered_at').notNull().defaultNow(),
    endedAt: at('ended_at'),
    createdBy: ref('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    index('dual_registrations_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`),
    uniqueIndex('dual_registrations_member_uq').on(t.communityId, t.partyMemberId).where(sql`${t.status} = 'active' and ${t.partyMemberId} is not null`),
    uniqueIndex('dual_registrations_unit_uq').on(t.communityId, t.unitId).where(sql`${t.status} = 'active' and ${t.unitId} is not null`),
    index('dual_registrations_member_idx').on(t.partyMemberId),
    index('dual_registrations_unit_idx').on(t.unitId),
    check('dual_registrations_subject_ck', sql`(${t.kind} = 'member' and ${t.partyMemberId} is not null and ${t.unitId} is null) or (${t.kind} = 'organization' and ${t.unitId} is not null and ${t.partyMemberId} is null)`),
  ],
);

/** 岗位: a post a community publishes for reported party members (and organisations) to claim. */
export const communityPosts = pgTable(
  'community_posts',
  {
    id: id(),
    cityId: cityId(),
    communityId: ref('community_id').notNull(),
    regionPath: text('region_path').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    category: text('category'),
    slots: integer('slots').notNull().default(1),
    startsOn: date('starts_on', { mode: 'string' }),
    endsOn: date('ends_on', { mode: 'string' }),
    status: text('status', { enum: ['open', 'closed'] }).notNull().default('open'),
    createdBy: ref('created_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('community_posts_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`), check('community_posts_slots_ck', sql`${t.slots} between 1 and 1000`)],
);

export const postClaims = pgTable(
  'post_claims',
  {
    id: id(),
    cityId: cityId(),
    postId: ref('post_id').notNull(),
    regionPath: text('region_path').notNull(),
    registrationId: ref('registration_id').notNull(),
    partyMemberId: ref('party_member_id'),
    unitId: ref('unit_id'),
    status: text('status', { enum: ['claimed', 'withdrawn'] }).notNull().default('claimed'),
    claimedAt: at('claimed_at').notNull().defaultNow(),
    withdrawnAt: at('withdrawn_at'),
  },
  (t) => [
    uniqueIndex('post_claims_member_uq').on(t.postId, t.partyMemberId).where(sql`${t.status} = 'claimed' and ${t.partyMemberId} is not null`),
    uniqueIndex('post_claims_unit_uq').on(t.postId, t.unitId).where(sql`${t.status} = 'claimed' and ${t.unitId} is not null`),
    index('post_claims_post_idx').on(t.postId),
  ],
);

export const serviceHourSources = ['post', 'activity', 'service_order', 'micro_wish', 'list_item', 'other'] as const;

/**
 * The one ledger of service hours (服务台账): a party member's post work, a volunteer's activity, a
 * completed service order. Dual-reporting ledgers and a volunteer's record both read it.
 */
export const serviceHours = pgTable(
  'service_hours',
  {
    id: id(),
    cityId: cityId(),
    communityId: ref('community_id').notNull(),
    regionPath: text('region_path').notNull(),
    partyMemberId: ref('party_member_id'),
    volunteerId: ref('volunteer_id'),
    unitId: ref('unit_id'),
    sourceKind: text('source_kind', { enum: serviceHourSources }).notNull(),
    sourceId: ref('source_id'),
    servedOn: date('served_on', { mode: 'string' }).notNull(),
    hours: numeric('hours', { precision: 6, scale: 2, mode: 'number' }).notNull(),
    description: text('description').notNull().default(''),
    createdBy: ref('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    index('service_hours_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`),
    index('service_hours_member_idx').on(t.partyMemberId, t.servedOn),
    index('service_hours_volunteer_idx').on(t.volunteerId, t.servedOn),
    uniqueIndex('service_hours_source_uq').on(t.sourceKind, t.sourceId, sql`coalesce(${t.partyMemberId}, 0)`, sql`coalesce(${t.volunteerId}, 0)`).where(sql`${t.sourceKind} in ('activity','service_order','micro_wish')`),
    check('service_hours_hours_ck', sql`${t.hours} > 0 and ${t.hours} <= 24`),
    check('service_hours_who_ck', sql`${t.partyMemberId} is not null or ${t.volunteerId} is not null or ${t.unitId} is not null`),
  ],
);

/** Volunteer teams (红色跑团, mediation teams …) of a community or street. */
export const volunteerTeams = pgTable(
  'volunteer_teams',
  {
    id: id(),
    cityId: cityId(),
    regionNodeId: ref('region_node_id').notNull(),
    regionPath: text('region_path').notNull(),
    name: text('name').notNull(),
    kind: text('kind').notNull().default('general'),
    description: text('description').notNull().default(''),
    leaderName: text('leader_name'),
    createdAt: createdAt(),
  },
  (t) => [index('volunteer_teams_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`)],
);

/** A volunteer: a resident, a party member or anyone registered by the community. */
export const volunteers = pgTable(
  'volunteers',
  {
    id: id(),
    cityId: cityId(),
    regionNodeId: ref('region_node_id').notNull(),
    regionPath: text('region_path').notNull(),
    name: text('name').notNull(),
    phone: text('phone'),
    residentId: ref('resident_id'),
    partyMemberId: ref('party_member_id'),
    userId: ref('user_id'),
    skills: text('skills'),
    status: text('status', { enum: ['active', 'inactive'] }).notNull().default('active'),
    createdAt: createdAt(),
  },
  (t) => [
    index('volunteers_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`),
    uniqueIndex('volunteers_party_member_uq').on(t.cityId, t.partyMemberId),
    uniqueIndex('volunteers_user_uq').on(t.userId),
  ],
);

export const volunteerTeamMembers = pgTable(
  'volunteer_team_members',
  {
    id: id(),
    cityId: cityId(),
    teamId: ref('team_id').notNull(),
    volunteerId: ref('volunteer_id').notNull(),
    joinedAt: createdAt(),
  },
  (t) => [uniqueIndex('volunteer_team_members_uq').on(t.teamId, t.volunteerId), index('volunteer_team_members_volunteer_idx').on(t.volunteerId)],
);

export const volunteerActivities = pgTable(
  'volunteer_activities',
  {
    id: id(),
    cityId: cityId(),
    regionNodeId: ref('region_node_id').notNull(),
    regionPath: text('region_path').notNull(),
    teamId: ref('team_id'),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    location: text('location'),
    startsAt: at('starts_at').notNull(),
    endsAt: at('ends_at').notNull(),
    capacity: integer('capacity'),
    /** Hours credited to each checked-in volunteer. */
    hours: numeric('hours', { precision: 6, scale: 2, mode: 'number' }).notNull(),
    status: text('status', { enum: ['open', 'closed', 'finished', 'cancelled'] }).notNull().default('open'),
    createdBy: ref('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    index('volunteer_activities_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`),
    check('volunteer_activities_time_ck', sql`${t.endsAt} > ${t.startsAt}`),
    check('volunteer_activities_hours_ck', sql`${t.hours} > 0 and ${t.hours} <= 24`),
  ],
);

export const activitySignups = pgTable(
  'activity_signups',
  {
    id: id(),
    cityId: cityId(),
    activityId: ref('activity_id').notNull(),
    volunteerId: ref('volunteer_id').notNull(),
    /** A resident unit the volunteer serves for: its points grow when the volunteer checks in. */
    unitId: ref('unit_id'),
    status: text('status', { enum: ['signed_up', 'checked_in', 'cancelled'] }).notNull().default('signed_up'),
    signedUpAt: at('signed_up_at').notNull().defaultNow(),
    checkedInAt: at('checked_in_at'),
  },
  (t) => [uniqueIndex('activity_signups_uq').on(t.activityId, t.volunteerId), index('activity_signups_volunteer_idx').on(t.volunteerId)],
);
