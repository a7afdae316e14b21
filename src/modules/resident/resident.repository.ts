import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';

export interface PlaceRow {
  level: 'building' | 'grid';
  name: string;
  address: string | null;
  centroid_lng: number | null;
  centroid_lat: number | null;
  city_code: string;
  city_name: string;
  grid_name: string | null;
  community_name: string | null;
}

/** A current building or grid by its printed code, with the names a resident recognises (no people). */
export async function findPlacesByCode(database: Database, code: string, cityCode?: string): Promise<PlaceRow[]> {
  return database.rows<PlaceRow>(sql`
    SELECT n.level, n.name, n.address, n.centroid_lng, n.centroid_lat, c.code AS city_code, c.name AS city_name,
           g.name AS grid_name, cm.name AS community_name
    FROM region_nodes n
    JOIN cities c ON c.id = n.city_id
    LEFT JOIN region_nodes g ON g.id = CASE WHEN n.level = 'grid' THEN n.id ELSE n.parent_id END AND g.level = 'grid'
    LEFT JOIN region_nodes cm ON cm.id = g.parent_id AND cm.level = 'community'
    WHERE n.code = ${code} AND n.valid_to IS NULL AND n.level IN ('building', 'grid') ${cityCode ? sql`AND c.code = ${cityCode}` : sql``}
    LIMIT 2`);
}
