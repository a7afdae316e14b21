import { sql } from 'drizzle-orm';
import { pgTable, text, integer, boolean, timestamp, index, uniqueIndex, check, date, numeric, jsonb } from 'drizzle-orm/pg-core';
import { cityId, id, ref, createdAt } from './columns.ts';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const incentiveEvents = ['case_satisfied', 'service', 'evaluation', 'manual', 'redeemed', 'redemption_returned'] as const;

/**
 * Building heads' points (seed 004): earned when a case in their building is rated 满意 (written in the
 * rating's transaction) and when they serve; spent on partner-shop offers. One entry per source.
 */
export const incentivePointEntries = pgTable(
  'incentive_point_entries',
  {
    id: id(),
    cityId: cityId(),
    userId: ref('user_id').notNull(),
    regionPath: text('region_path').notNull(),
    event: text('event', { enum: incentiveEvents }).notNull(),
    sourceKind: text('source_kind').notNull(),
    sourceId: ref('source_id'),
    points: integer('points').notNull(),
    note: text('note'),
    createdBy: ref('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    index('incentive_point_entries_user_idx').on(t.userId),
    index('incentive_point_entries_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`),
    uniqueIndex('incentive_point_entries_source_uq').on(t.userId, t.event, t.sourceKind, t.sourceId).where(sql`${t.sourceId} is not null`),
  ],
);

/** 红城星店: a partner shop's offer (discount, fee waiver) for building heads and honoured volunteers. */
export const partnerShopOffers = pgTable(
  'partner_shop_offers',
  {
    id: id(),
    cityId: cityId(),
    shopUnitId: ref('shop_unit_id').notNull(),
    regionPath: text('region_path').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    pointsCost: integer('points_cost').notNull().default(0),
    validUntil: date('valid_until', { mode: 'string' }),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [index('partner_shop_offers_shop_idx').on(t.shopUnitId), check('partner_shop_offers_cost_ck', sql`${t.pointsCost} >= 0`)],
);

/** A one-time code a head shows at the shop; only its hash is kept; the shop's redemption is a conditional update. */
export const redemptionCodes = pgTable(
  'redemption_codes',
  {
    id: id(),
    cityId: cityId(),
    offerId: ref('offer_id').notNull(),
    shopUnitId: ref('shop_unit_id').notNull(),
    userId: ref('user_id').notNull(),
    regionPath: text('region_path').notNull(),
    codeHash: text('code_hash').notNull(),
    points: integer('points').notNull(),
    status: text('status', { enum: ['issued', 'redeemed', 'expired', 'cancelled'] }).notNull().default('issued'),
    issuedAt: at('issued_at').notNull().defaultNow(),
    expiresAt: at('expires_at').notNull(),
    redeemedAt: at('redeemed_at'),
    redeemedBy: ref('redeemed_by'),
  },
  (t) => [uniqueIndex('redemption_codes_hash_uq').on(t.codeHash), index('redemption_codes_user_idx').on(t.userId), index('redemption_codes_shop_idx').on(t.shopUnitId, t.status)],
);

/** 最美楼栋 evaluations per period; the partial unique index lets one building per community hold the red flag (流动红旗) per period. */
export const buildingEvaluations = pgTable(
  'building_evaluations',
  {
    id: id(),
    cityId: cityId(),
    communityId: ref('community_id').notNull(),
    buildingId: ref('building_id').notNull(),
    regionPath: text('region_path').notNull(),
    /** '2026-11' (a month) or '2026Q4'. */
    period: text('period').notNull(),
    score: numeric('score', { precision: 5, scale: 1, mode: 'number' }).notNull(),
    criteria: jsonb('criteria').notNull().default(sql`'{}'::jsonb`),
    comment: text('comment'),
    redFlag: boolean('red_flag').notNull().default(false),
    evaluatedBy: ref('evaluated_by'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('building_evaluations_uq').on(t.communityId, t.period, t.buildingId),
    uniqueIndex('building_evaluations_red_flag_uq').on(t.communityId, t.period).where(sql`${t.redFlag}`),
    check('building_evaluations_score_ck', sql`${t.score} between 0 and 100`),
  ],
);
