import { sql } from 'drizzle-orm';
import { pgTable, text, date, boolean, index, uniqueIndex, check, integer } from 'drizzle-orm/pg-core';
import { cityId, id, ref, createdAt, updatedAt } from './columns.ts';

export const unitKinds = ['agency', 'department', 'resident_unit', 'property_company', 'social_org', 'partner_shop'] as const;
export type UnitKind = (typeof unitKinds)[number];

/** Agencies, departments, resident units, property companies, social organisations, partner shops. */
export const units = pgTable(
  'units',
  {
    id: id(),
    cityId: cityId(),
    kind: text('kind', { enum: unitKinds }).notNull(),
    name: text('name').notNull(),
    code: text('code').notNull(),
    /** Where the unit sits: a community for a resident unit, the city or a district for a department. */
    regionNodeId: ref('region_node_id'),
    contactName: text('contact_name'),
    contactPhone: text('contact_phone'),
    address: text('address'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('units_city_code_uq').on(t.cityId, t.code),
    index('units_region_idx').on(t.regionNodeId),
    index('units_city_kind_idx').on(t.cityId, t.kind),
    check('units_kind_ck', sql`${t.kind} in ('agency','department','resident_unit','property_company','social_org','partner_shop')`),
  ],
);

export const households = pgTable(
  'households',
  {
    id: id(),
    cityId: cityId(),
    buildingId: ref('building_id').notNull(),
    /** Denormalised region path of the building, so scope checks and subtree lists need no join. */
    regionPath: text('region_path').notNull(),
    code: text('code').notNull(),
    doorNumber: text('door_number').notNull(),
    address: text('address'),
    phone: text('phone'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('households_city_code_uq').on(t.cityId, t.code),
    index('households_building_idx').on(t.buildingId),
    index('households_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`),
  ],
);

export const residentTags = ['elderly_living_alone', 'disabled', 'floating_population', 'low_income', 'veteran', 'left_behind_child', 'key_person'] as const;

export const residents = pgTable(
  'residents',
  {
    id: id(),
    cityId: cityId(),
    householdId: ref('household_id').notNull(),
    regionPath: text('region_path').notNull(),
    name: text('name').notNull(),
    gender: text('gender', { enum: ['male', 'female'] }),
    birthDate: date('birth_date', { mode: 'string' }),
    phone: text('phone'),
    /** AES-256-GCM ciphertext; searchable only through the keyed hash beside it. */
    idNumberEncrypted: text('id_number_encrypted'),
    idNumberHash: text('id_number_hash'),
    relationToHead: text('relation_to_head'),
    isHead: boolean('is_head').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('residents_household_idx').on(t.householdId),
    index('residents_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`),
    uniqueIndex('residents_city_id_number_uq').on(t.cityId, t.idNumberHash),
    index('residents_city_name_idx').on(t.cityId, t.name),
  ],
);

/** A tag on a resident with the date it was set (elderly living alone, disabled, floating population …). */
export const residentTagAssignments = pgTable(
  'resident_tags',
  {
    id: id(),
    cityId: cityId(),
    residentId: ref('resident_id').notNull(),
    tag: text('tag').notNull(),
    setOn: date('set_on', { mode: 'string' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('resident_tags_uq').on(t.residentId, t.tag), index('resident_tags_city_tag_idx').on(t.cityId, t.tag)],
);

export const partyMembers = pgTable(
  'party_members',
  {
    id: id(),
    cityId: cityId(),
    residentId: ref('resident_id'),
    name: text('name').notNull(),
    phone: text('phone'),
    idNumberEncrypted: text('id_number_encrypted'),
    idNumberHash: text('id_number_hash'),
    partyOrganizationId: ref('party_organization_id').notNull(),
    /** Region path of the organisation's node: the member's place in the tree for scoping. */
    regionPath: text('region_path').notNull(),
    /** 在职党员: employed by an agency or company; `serving_unit_id` names it. */
    isServing: boolean('is_serving').notNull().default(false),
    servingUnitId: ref('serving_unit_id'),
    joinedOn: date('joined_on', { mode: 'string' }),
    createdAt: createdAt(),
  },
  (t) => [
    index('party_members_org_idx').on(t.partyOrganizationId),
    index('party_members_path_idx').using('btree', sql`${t.regionPath} text_pattern_ops`),
    uniqueIndex('party_members_city_id_number_uq').on(t.cityId, t.idNumberHash),
  ],
);

/** "1+N": the households a party member links with. */
export const partyMemberHouseholdLinks = pgTable(
  'party_member_household_links',
  {
    id: id(),
    cityId: cityId(),
    partyMemberId: ref('party_member_id').notNull(),
    householdId: ref('household_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('party_member_household_links_uq').on(t.partyMemberId, t.householdId), index('pmhl_household_idx').on(t.householdId)],
);

/** 十联户: about ten households looked after by one head. */
export const householdLinks = pgTable(
  'household_links',
  {
    id: id(),
    cityId: cityId(),
    name: text('name').notNull(),
    gridId: ref('grid_id').notNull(),
    regionPath: text('region_path').notNull(),
    headResidentId: ref('head_resident_id'),
    headUserId: ref('head_user_id'),
    createdAt: createdAt(),
  },
  (t) => [index('household_links_grid_idx').on(t.gridId)],
);

export const householdLinkMembers = pgTable(
  'household_link_members',
  {
    id: id(),
    cityId: cityId(),
    householdLinkId: ref('household_link_id').notNull(),
    householdId: ref('household_id').notNull(),
    position: integer('position').notNull().default(0),
  },
  (t) => [uniqueIndex('household_link_members_household_uq').on(t.householdId), index('hlm_link_idx').on(t.householdLinkId)],
);
