import { sql } from 'drizzle-orm';
import { pgTable, text, integer, timestamp, index, uniqueIndex, check } from 'drizzle-orm/pg-core';
import { cityId, id, ref, createdAt, updatedAt } from './columns.ts';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const noticeKinds = ['organization_life', 'policy', 'party_affairs', 'residents_affairs'] as const;

/**
 * Organisation-life notices to party members (组织生活通知), published policies and the two disclosures
 * (党务公开, 居务公开). Published public kinds are readable without login for the node's residents.
 */
export const notices = pgTable(
  'notices',
  {
    id: id(),
    cityId: cityId(),
    kind: text('kind', { enum: noticeKinds }).notNull(),
    regionNodeId: ref('region_node_id').notNull(),
    regionPath: text('region_path').notNull(),
    /** For organisation-life notices: the party organisation whose members are told. */
    partyOrganizationId: ref('party_organization_id'),
    title: text('title').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: ['draft', 'published', 'withdrawn'] }).notNull().default('draft'),
    publishedAt: at('published_at'),
    /** For meetings announced by a notice. */
    eventAt: at('event_at'),
    createdBy: ref('created_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('notices_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`),
    index('notices_kind_idx').on(t.cityId, t.kind, t.status),
    check('notices_org_ck', sql`(${t.kind} = 'organization_life') = (${t.partyOrganizationId} is not null)`),
  ],
);

/** A party member's acknowledgement of an organisation-life notice. */
export const noticeReceipts = pgTable(
  'notice_receipts',
  {
    id: id(),
    cityId: cityId(),
    noticeId: ref('notice_id').notNull(),
    partyMemberId: ref('party_member_id').notNull(),
    readAt: at('read_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('notice_receipts_uq').on(t.noticeId, t.partyMemberId)],
);

/** 议事会 / 楼栋共治会: a deliberation meeting of a community or a building. */
export const deliberationMeetings = pgTable(
  'deliberation_meetings',
  {
    id: id(),
    cityId: cityId(),
    kind: text('kind', { enum: ['community_council', 'building_council'] }).notNull(),
    regionNodeId: ref('region_node_id').notNull(),
    regionPath: text('region_path').notNull(),
    title: text('title').notNull(),
    heldAt: at('held_at').notNull(),
    location: text('location'),
    participants: text('participants'),
    status: text('status', { enum: ['planned', 'held', 'published'] }).notNull().default('planned'),
    summary: text('summary'),
    publishedAt: at('published_at'),
    createdBy: ref('created_by'),
    createdAt: createdAt(),
  },
  (t) => [index('deliberation_meetings_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`)],
);

export const deliberationProposals = pgTable(
  'deliberation_proposals',
  {
    id: id(),
    cityId: cityId(),
    meetingId: ref('meeting_id').notNull(),
    regionPath: text('region_path').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    proposerName: text('proposer_name'),
    decision: text('decision', { enum: ['pending', 'adopted', 'rejected', 'deferred'] }).notNull().default('pending'),
    votesFor: integer('votes_for'),
    votesAgainst: integer('votes_against'),
    votesAbstain: integer('votes_abstain'),
    decisionNote: text('decision_note'),
    /** What the residents see once the meeting's results are published. */
    publicResult: text('public_result'),
    createdAt: createdAt(),
  },
  (t) => [index('deliberation_proposals_meeting_idx').on(t.meetingId), check('deliberation_proposals_votes_ck', sql`coalesce(${t.votesFor}, 0) >= 0 and coalesce(${t.votesAgainst}, 0) >= 0 and coalesce(${t.votesAbstain}, 0) >= 0`)],
);
