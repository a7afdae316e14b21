import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { GridIndex } from './grid-index.ts';
import { BuildingIndex } from './nearest-building.ts';

interface CityIndexes {
  grids: GridIndex<number>;
  buildings: BuildingIndex<number>;
  loadedAt: number;
}

/** Polygon rings of a GeoJSON Polygon or MultiPolygon (first polygon's rings: grids are simple polygons). */
export function ringsOfGeometry(geometry: unknown): Array<Array<[number, number]>> {
  const g = (typeof geometry === 'string' ? JSON.parse(geometry) : geometry) as { type?: string; coordinates?: unknown } | null;
  if (!g) return [];
  if (g.type === 'Polygon') return g.coordinates as Array<Array<[number, number]>>;
  if (g.type === 'MultiPolygon') return (g.coordinates as Array<Array<Array<[number, number]>>>)[0] ?? [];
  return [];
}

/**
 * In-memory spatial indexes per city, rebuilt from the database on first use and after a grid is
 * re-drawn in this process. A minute's time-to-live bounds staleness across processes.
 */
export class GeoIndexCache {
  private readonly cache = new Map<number, Promise<CityIndexes>>();
  constructor(private readonly database: Database, private readonly ttlMs = 60_000) {}

  invalidate(cityId: number) {
    this.cache.delete(cityId);
  }

  async forCity(cityId: number): Promise<CityIndexes> {
    const cached = this.cache.get(cityId);
    if (cached) {
      const value = await cached;
      if (Date.now() - value.loadedAt < this.ttlMs) return value;
    }
    const loading = this.load(cityId);
    this.cache.set(cityId, loading);
    loading.catch(() => this.cache.delete(cityId));
    return loading;
  }

  private async load(cityId: number): Promise<CityIndexes> {
    const grids = await this.database.rows<{ id: number; code: string; geometry: unknown }>(
      sql`SELECT id, code, geometry FROM region_nodes WHERE city_id = ${cityId} AND level = 'grid' AND valid_to IS NULL AND geometry IS NOT NULL`,
    );
    const buildings = await this.database.rows<{ id: number; lng: number; lat: number }>(
      sql`SELECT id, centroid_lng AS lng, centroid_lat AS lat FROM region_nodes WHERE city_id = ${cityId} AND level = 'building' AND valid_to IS NULL AND centroid_lng IS NOT NULL`,
    );
    return {
      grids: new GridIndex(grids.map((g) => ({ id: Number(g.id), code: g.code, rings: ringsOfGeometry(g.geometry) }))),
      buildings: new BuildingIndex(buildings.map((b) => ({ id: Number(b.id), point: [Number(b.lng), Number(b.lat)] as [number, number] }))),
      loadedAt: Date.now(),
    };
  }
}
