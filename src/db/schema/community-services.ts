import { sql } from 'drizzle-orm';
import { pgTable, text, integer, boolean, timestamp, index, uniqueIndex, check, smallint } from 'drizzle-orm/pg-core';
import { cityId, id, ref, createdAt, updatedAt } from './columns.ts';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** The service catalogue's categories (seed 004: 20+ kinds, elderly care, children, legal aid …), per city. */
export const serviceCategories = pgTable(
  'service_categories',
  {
    id: id(),
    cityId: cityId(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    sortOrder: integer('sort_order').notNull().default(0),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('service_categories_city_code_uq').on(t.cityId, t.code)],
);

/** One service a community (or the whole city, region_path of the city) offers to order. */
export const serviceOfferings = pgTable(
  'service_offerings',
  {
    id: id(),
    cityId: cityId(),
    categoryId: ref('category_id').notNull(),
    regionNodeId: ref('region_node_id').notNull(),
    regionPath: text('region_path').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    /** Hours a completed order credits to the server's ledger. */
    hours: text('hours'),
    active: boolean('active').notNull().default(true),
    createdBy: ref('created_by'),
    createdAt: createdAt(),
  },
  (t) => [index('service_offerings_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`), index('service_offerings_category_idx').on(t.categoryId)],
);

export const serviceOrderStatuses = ['ordered', 'dispatched', 'accepted', 'completed', 'confirmed', 'cancelled', 'declined'] as const;

/** 群众点单、社区派单、党员接单: a resident orders, the community dispatches, a party member or volunteer serves. */
export const serviceOrders = pgTable(
  'service_orders',
  {
    id: id(),
    cityId: cityId(),
    number: text('number').notNull(),
    /** Only the SHA-256 of the resident's tracking token is kept. */
    trackingTokenHash: text('tracking_token_hash').notNull(),
    offeringId: ref('offering_id').notNull(),
    categoryId: ref('category_id').notNull(),
    communityId: ref('community_id').notNull(),
    /** The building's (or community's) path: scopes who sees the order. */
    regionPath: text('region_path').notNull(),
    buildingId: ref('building_id'),
    residentName: text('resident_name').notNull(),
    residentPhone: text('resident_phone').notNull(),
    address: text('address'),
    description: text('description').notNull().default(''),
    preferredTime: text('preferred_time'),
    status: text('status', { enum: serviceOrderStatuses }).notNull().default('ordered'),
    assigneePartyMemberId: ref('assignee_party_member_id'),
    assigneeVolunteerId: ref('assignee_volunteer_id'),
    dispatchedBy: ref('dispatched_by'),
    dispatchedAt: at('dispatched_at'),
    acceptedAt: at('accepted_at'),
    completedAt: at('completed_at'),
    completionNote: text('completion_note'),
    confirmedAt: at('confirmed_at'),
    /** 1–5, once. */
    rating: smallint('rating'),
    ratingComment: text('rating_comment'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('service_orders_city_number_uq').on(t.cityId, t.number),
    uniqueIndex('service_orders_token_uq').on(t.trackingTokenHash),
    index('service_orders_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`),
    index('service_orders_assignee_idx').on(t.assigneePartyMemberId, t.status),
    check('service_orders_status_ck', sql`${t.status} in ('ordered','dispatched','accepted','completed','confirmed','cancelled','declined')`),
    check('service_orders_rating_ck', sql`${t.rating} is null or ${t.rating} between 1 and 5`),
  ],
);

export const microWishStatuses = ['posted', 'claimed', 'fulfilled', 'confirmed', 'withdrawn'] as const;
export const wisherKinds = ['elderly', 'child', 'disabled', 'low_income', 'other'] as const;

/** 微心愿: a small wish on the public wall; claimed once (conditional update), fulfilled, confirmed by the wisher. */
export const microWishes = pgTable(
  'micro_wishes',
  {
    id: id(),
    cityId: cityId(),
    number: text('number').notNull(),
    trackingTokenHash: text('tracking_token_hash').notNull(),
    communityId: ref('community_id').notNull(),
    regionPath: text('region_path').notNull(),
    buildingId: ref('building_id'),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    wisherKind: text('wisher_kind', { enum: wisherKinds }).notNull().default('other'),
    wisherName: text('wisher_name').notNull(),
    wisherPhone: text('wisher_phone'),
    /** Upload key of the optional photo (attachments), shown on the wall. */
    photoKey: text('photo_key'),
    status: text('status', { enum: microWishStatuses }).notNull().default('posted'),
    claimedByUnitId: ref('claimed_by_unit_id'),
    claimedByPartyMemberId: ref('claimed_by_party_member_id'),
    claimedByUserId: ref('claimed_by_user_id'),
    claimedAt: at('claimed_at'),
    fulfilledAt: at('fulfilled_at'),
    fulfilmentNote: text('fulfilment_note'),
    fulfilmentPhotoKey: text('fulfilment_photo_key'),
    confirmedAt: at('confirmed_at'),
    thanksNote: text('thanks_note'),
    createdBy: ref('created_by'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('micro_wishes_city_number_uq').on(t.cityId, t.number),
    uniqueIndex('micro_wishes_token_uq').on(t.trackingTokenHash),
    index('micro_wishes_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`),
    index('micro_wishes_status_idx').on(t.cityId, t.status),
    // The photo pruner asks whether a wish holds an upload (src/modules/photos/photos.service.ts).
    index('micro_wishes_photo_key_idx').on(t.photoKey).where(sql`${t.photoKey} is not null`),
    index('micro_wishes_fulfilment_photo_key_idx').on(t.fulfilmentPhotoKey).where(sql`${t.fulfilmentPhotoKey} is not null`),
    check('micro_wishes_status_ck', sql`${t.status} in ('posted','claimed','fulfilled','confirmed','withdrawn')`),
    check('micro_wishes_claimer_ck', sql`${t.status} in ('posted','withdrawn') or ${t.claimedByUnitId} is not null or ${t.claimedByPartyMemberId} is not null`),
  ],
);
