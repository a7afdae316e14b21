import { sql } from 'drizzle-orm';
import { pgTable, text, index, uniqueIndex, check } from 'drizzle-orm/pg-core';
import { cityId, id, ref, createdAt } from './columns.ts';

export const partyOrganizationKinds = [
  'street_party_committee',
  'community_party_org',
  'grid_party_org',
  'building_party_group',
  'party_member_household',
] as const;
export type PartyOrganizationKind = (typeof partyOrganizationKinds)[number];

/** The party organisation tree, parallel to the region tree; each organisation serves one region node. */
export const partyOrganizations = pgTable(
  'party_organizations',
  {
    id: id(),
    cityId: cityId(),
    parentId: ref('parent_id'),
    kind: text('kind', { enum: partyOrganizationKinds }).notNull(),
    name: text('name').notNull(),
    code: text('code').notNull(),
    regionNodeId: ref('region_node_id').notNull(),
    /** For a party-member household: the household that serves as the contact point. */
    householdId: ref('household_id'),
    secretaryName: text('secretary_name'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('party_organizations_city_code_uq').on(t.cityId, t.code),
    index('party_organizations_region_idx').on(t.regionNodeId),
    index('party_organizations_parent_idx').on(t.parentId),
    check('party_organizations_kind_ck', sql`${t.kind} in ('street_party_committee','community_party_org','grid_party_org','building_party_group','party_member_household')`),
  ],
);

/** Part-time members (兼职委员) from departments and resident units on a street/community committee. */
export const partyCommitteeMembers = pgTable(
  'party_committee_members',
  {
    id: id(),
    cityId: cityId(),
    partyOrganizationId: ref('party_organization_id').notNull(),
    name: text('name').notNull(),
    position: text('position').notNull(),
    unitId: ref('unit_id'),
    partTime: text('part_time', { enum: ['yes', 'no'] }).notNull().default('no'),
    createdAt: createdAt(),
  },
  (t) => [index('party_committee_members_org_idx').on(t.partyOrganizationId)],
);
