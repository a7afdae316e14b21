import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/client.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { auditOf } from '../auth/auth.service.ts';
import type { Actor } from '../policy/actor.ts';
import { authorize } from '../policy/authorize.ts';
import { toWgs84, type Crs } from '../geography/coordinates.ts';
import { GridIndex } from '../geography/grid-index.ts';
import { ringsOfGeometry } from '../geography/geo-index.service.ts';
import { geoCacheOf } from '../geography/geography.service.ts';
import { childPath } from './region-path.ts';
import { findNode } from './regions.repository.ts';

type Ring = Array<[number, number]>;

export function boundsAndCentroid(ring: Ring) {
  let minLng = Infinity, minLat = Infinity, maxLng = -Infinity, maxLat = -Infinity;
  let area = 0, cx = 0, cy = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    const [x1, y1] = ring[i];
    const [x2, y2] = ring[i + 1];
    minLng = Math.min(minLng, x1); maxLng = Math.max(maxLng, x1); minLat = Math.min(minLat, y1); maxLat = Math.max(maxLat, y1);
    const cross = x1 * y2 - x2 * y1;
    area += cross; cx += (x1 + x2) * cross; cy += (y1 + y2) * cross;
  }
  area /= 2;
  return { minLng, minLat, maxLng, maxLat, area, centroid: area === 0 ? [ring[0][0], ring[0][1]] : [cx / (6 * area), cy / (6 * area)] };
}

function validateRing(ring: Ring, crs: Crs): Ring {
  const converted = ring.map(([lng, lat]) => toWgs84(lng, lat, crs));
  const first = converted[0];
  const last = converted[converted.length - 1];
  if (first[0] !== last[0] || first[1] !== last[1]) throw new AppError('validation_failed', 'A polygon ring must be closed (first point equals last point)');
  if (new Set(converted.map((p) => p.join(','))).size < 3) throw new AppError('validation_failed', 'A polygon ring needs at least 3 distinct points');
  if (converted.some(([lng, lat]) => !(Math.abs(lng) <= 180 && Math.abs(lat) <= 90))) throw new AppError('validation_failed', 'Coordinates out of range');
  if (boundsAndCentroid(converted).area === 0) throw new AppError('validation_failed', 'A polygon must enclose an area');
  return converted;
}

/**
 * Re-draws a grid. The old outline closes in the geometry history, and every building of the community
 * is re-assigned by point-in-polygon against the community's grids as they are now; each building that
 * changes grid closes its history row and opens a new one, so "which grid on date D" stays answerable.
 */
export async function redrawGrid(context: AppContext, actor: Actor, gridId: number, input: { geometry: { type: 'Polygon'; coordinates: Ring[] }; crs?: Crs; validFrom?: string }) {
  const grid = await findNode(context.database, gridId);
  if (!grid || grid.level !== 'grid') throw notFound('Grid');
  authorize(actor, 'region', 'update', { cityId: grid.cityId, regionPath: grid.path });
  const rings = input.geometry.coordinates.map((ring) => validateRing(ring as Ring, input.crs ?? 'wgs84'));
  const geometry = { type: 'Polygon', coordinates: rings };
  const box = boundsAndCentroid(rings[0]);
  const validFrom = input.validFrom ?? new Date().toISOString().slice(0, 10);
  const moved = await context.database.db.transaction(async (tx) => {
    await tx.execute(sql`UPDATE region_geometry_history SET valid_to = ${validFrom} WHERE region_node_id = ${gridId} AND valid_to IS NULL`);
    await tx.execute(sql`INSERT INTO region_geometry_history (city_id, region_node_id, geometry, valid_from, changed_by) VALUES (${grid.cityId}, ${gridId}, ${JSON.stringify(geometry)}::jsonb, ${validFrom}, ${actor.userId})`);
    await tx.execute(sql`UPDATE region_nodes SET geometry = ${JSON.stringify(geometry)}::jsonb, min_lng = ${box.minLng}, min_lat = ${box.minLat}, max_lng = ${box.maxLng}, max_lat = ${box.maxLat},
      centroid_lng = ${box.centroid[0]}, centroid_lat = ${box.centroid[1]}, updated_at = now() WHERE id = ${gridId}`);
    const movedBuildings = await reassignBuildings(context, tx, grid.parentId!, validFrom);
    await appendAudit(context.database, tx, auditOf(actor, 'grid.redraw', 'region_node', gridId, { validFrom, movedBuildings }));
    return movedBuildings;
  });
  geoCacheOf(context).invalidate(grid.cityId);
  return { gridId, validFrom, movedBuildings: moved };
}

async function reassignBuildings(context: AppContext, tx: Tx, communityId: number, validFrom: string): Promise<number> {
  const grids = await context.database.rows<{ id: number; code: string; path: string; geometry: unknown }>(
    sql`SELECT id, code, path, geometry FROM region_nodes WHERE parent_id = ${communityId} AND level = 'grid' AND valid_to IS NULL`, tx);
  const index = new GridIndex(grids.map((g) => ({ id: Number(g.id), code: g.code, rings: ringsOfGeometry(g.geometry) })));
  const pathOf = new Map(grids.map((g) => [Number(g.id), g.path]));
  const buildings = await context.database.rows<{ id: number; parent_id: number; lng: number; lat: number }>(
    sql`SELECT b.id, b.parent_id, b.centroid_lng AS lng, b.centroid_lat AS lat FROM region_nodes b
        WHERE b.level = 'building' AND b.valid_to IS NULL AND b.parent_id IN (SELECT id FROM region_nodes WHERE parent_id = ${communityId} AND level = 'grid')`, tx);
  let moved = 0;
  for (const building of buildings) {
    const target = index.locate(Number(building.lng), Number(building.lat));
    if (target === null || target === Number(building.parent_id)) continue;
    const id = Number(building.id);
    const newPath = childPath(pathOf.get(target)!, id);
    await tx.execute(sql`UPDATE building_grid_history SET valid_to = ${validFrom} WHERE building_id = ${id} AND valid_to IS NULL`);
    await tx.execute(sql`INSERT INTO building_grid_history (city_id, building_id, grid_id, valid_from) SELECT city_id, id, ${target}, ${validFrom} FROM region_nodes WHERE id = ${id}`);
    await tx.execute(sql`UPDATE region_nodes SET parent_id = ${target}, path = ${newPath}, updated_at = now() WHERE id = ${id}`);
    await tx.execute(sql`UPDATE households SET region_path = ${newPath} WHERE building_id = ${id}`);
    await tx.execute(sql`UPDATE residents SET region_path = ${newPath} WHERE household_id IN (SELECT id FROM households WHERE building_id = ${id})`);
    await tx.execute(sql`UPDATE party_members SET region_path = ${newPath} WHERE party_organization_id IN (SELECT id FROM party_organizations WHERE region_node_id = ${id})`);
    moved++;
  }
  return moved;
}
