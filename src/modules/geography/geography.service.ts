import type { AppContext } from '../../context.ts';
import { AppError } from '../../shared/errors.ts';
import type { Actor } from '../policy/actor.ts';
import { can, requireAbility } from '../policy/authorize.ts';
import { findNode } from '../regions/regions.repository.ts';
import { toWgs84, isValidLngLat, type Crs } from './coordinates.ts';
import { GeoIndexCache } from './geo-index.service.ts';

const caches = new WeakMap<object, GeoIndexCache>();
/** One index cache per database (per running server), created on first use. */
export function geoCacheOf(context: AppContext): GeoIndexCache {
  let cache = caches.get(context.database);
  if (!cache) {
    cache = new GeoIndexCache(context.database);
    caches.set(context.database, cache);
  }
  return cache;
}

/** Point → grid and nearest building. Input may be GCJ-02 (what Chinese map SDKs return); output is WGS-84. */
export async function locatePoint(context: AppContext, cityId: number, lng: number, lat: number, crs: Crs = 'wgs84') {
  if (!isValidLngLat(lng, lat)) throw new AppError('validation_failed', 'Coordinates out of range');
  const [x, y] = toWgs84(lng, lat, crs);
  const indexes = await geoCacheOf(context).forCity(cityId);
  const gridId = indexes.grids.locate(x, y);
  const nearest = indexes.buildings.nearest(x, y, 2000);
  return { point: [x, y] as [number, number], gridId, nearestBuilding: nearest };
}

export async function locateForActor(context: AppContext, actor: Actor, input: { lng: number; lat: number; crs?: Crs }) {
  requireAbility(actor, 'region', 'read');
  const found = await locatePoint(context, actor.cityId, input.lng, input.lat, input.crs ?? 'wgs84');
  const grid = found.gridId === null ? null : await findNode(context.database, found.gridId);
  const building = found.nearestBuilding ? await findNode(context.database, found.nearestBuilding.id) : null;
  const visible = (node: typeof grid) => (node && can(actor, 'region', 'read', { cityId: node.cityId, regionPath: node.path }) ? node : null);
  const visibleGrid = visible(grid);
  const visibleBuilding = visible(building);
  return {
    wgs84: found.point,
    grid: visibleGrid ? { id: visibleGrid.id, code: visibleGrid.code, name: visibleGrid.name } : null,
    /** A grid exists at the point but lies outside the caller's area. */
    outsideScope: Boolean(grid && !visibleGrid),
    nearestBuilding: visibleBuilding && found.nearestBuilding ? { id: visibleBuilding.id, code: visibleBuilding.code, name: visibleBuilding.name, distanceMeters: Math.round(found.nearestBuilding.distanceMeters * 10) / 10 } : null,
  };
}
