import { sql } from 'drizzle-orm';
import { pgTable, text, jsonb, doublePrecision, date, index, uniqueIndex, check } from 'drizzle-orm/pg-core';
import { cityId, id, ref, createdAt, updatedAt } from './columns.ts';

/** A deployment serves one or several cities; every other table points here through city_id. */
export const cities = pgTable('cities', {
  id: id(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

export const regionLevels = ['city', 'district', 'street', 'community', 'compound', 'grid', 'building'] as const;
export type RegionLevel = (typeof regionLevels)[number];

/**
 * The region tree down to buildings (households live in their own table).
 * `path` is the materialised chain of ancestor ids (`/1/5/23/`) so a subtree is one prefix scan;
 * compounds hang under a community, and a building keeps its grid as parent and its compound as `compound_id`.
 */
export const regionNodes = pgTable(
  'region_nodes',
  {
    id: id(),
    cityId: cityId(),
    parentId: ref('parent_id'),
    level: text('level', { enum: regionLevels }).notNull(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    path: text('path').notNull(),
    compoundId: ref('compound_id'),
    propertyCompanyId: ref('property_company_id'),
    /** GeoJSON geometry in WGS-84: Polygon/MultiPolygon for areas, Point for buildings. */
    geometry: jsonb('geometry'),
    minLng: doublePrecision('min_lng'),
    minLat: doublePrecision('min_lat'),
    maxLng: doublePrecision('max_lng'),
    maxLat: doublePrecision('max_lat'),
    centroidLng: doublePrecision('centroid_lng'),
    centroidLat: doublePrecision('centroid_lat'),
    address: text('address'),
    validFrom: date('valid_from', { mode: 'string' }).notNull().default(sql`CURRENT_DATE`),
    /** Set when a node is retired (e.g. a grid dissolved in a re-division); retired nodes stay for history. */
    validTo: date('valid_to', { mode: 'string' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('region_nodes_city_code_uq').on(t.cityId, t.code),
    index('region_nodes_parent_idx').on(t.parentId),
    index('region_nodes_path_idx').using('btree', sql`${t.path} text_pattern_ops`),
    index('region_nodes_city_level_idx').on(t.cityId, t.level),
    check('region_nodes_level_ck', sql`${t.level} in ('city','district','street','community','compound','grid','building')`),
  ],
);

/** Every geometry a node ever had, so a re-drawn grid keeps its old outline answerable by date. */
export const regionGeometryHistory = pgTable(
  'region_geometry_history',
  {
    id: id(),
    cityId: cityId(),
    regionNodeId: ref('region_node_id').notNull(),
    geometry: jsonb('geometry').notNull(),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    validTo: date('valid_to', { mode: 'string' }),
    changedBy: ref('changed_by'),
    createdAt: createdAt(),
  },
  (t) => [index('region_geometry_history_node_idx').on(t.regionNodeId, t.validFrom)],
);

/** Which grid a building belonged to over time: [valid_from, valid_to). */
export const buildingGridHistory = pgTable(
  'building_grid_history',
  {
    id: id(),
    cityId: cityId(),
    buildingId: ref('building_id').notNull(),
    gridId: ref('grid_id').notNull(),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    validTo: date('valid_to', { mode: 'string' }),
    createdAt: createdAt(),
  },
  (t) => [index('building_grid_history_building_idx').on(t.buildingId, t.validFrom)],
);
