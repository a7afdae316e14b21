import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { wgs84ToGcj02 } from '../../src/modules/geography/coordinates.ts';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;
const square = (lng: number, lat: number, width: number, height = width) => ({
  type: 'Polygon',
  coordinates: [[[lng, lat], [lng + width, lat], [lng + width, lat + height], [lng, lat + height], [lng, lat]]],
});

/**
 * Side a (tests/support/factories.ts): grid a.grid is the square lng 106.9–106.91, lat 27.6–27.61; a.grid2 is
 * lng 106.91–106.92; building a.building stands at (106.905, 27.605) in a.grid.
 */
describe('geography: locate, coordinate systems, grid re-drawing with history', () => {
  let t: TestApp;
  let city: City;
  let gridworker: string;
  let cityadmin: string;
  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    // Grids created by an import or the demo seed start with their first outline in the geometry history
    // (import.service.ts); the factory inserts nodes directly, so record the same here.
    for (const grid of [city.a.grid, city.a.grid2]) {
      await t.context.database.db.execute(sql`INSERT INTO region_geometry_history (city_id, region_node_id, geometry, valid_from)
        SELECT city_id, id, geometry, '2023-01-01' FROM region_nodes WHERE id = ${grid.id}`);
    }
    gridworker = await t.login('gridworker');
    cityadmin = await t.login('cityadmin');
  });
  afterAll(async () => t?.close());

  const locate = (payload: unknown, cookie = gridworker) => t.app.inject({ method: 'POST', url: '/api/v1/geo/locate', headers: { cookie }, payload: payload as never });

  describe('POST /api/v1/geo/locate', () => {
    it('a WGS-84 point inside side a\'s grid → that grid and the nearest building', async () => {
      const response = await locate({ lng: 106.9052, lat: 27.6049 });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.grid).toMatchObject({ id: city.a.grid.id, code: city.a.grid.code });
      expect(body.outsideScope).toBe(false);
      expect(body.nearestBuilding).toMatchObject({ id: city.a.building.id, name: 'A1栋' });
      // ~20 m from (106.905, 27.605)
      expect(body.nearestBuilding.distanceMeters).toBeGreaterThan(10);
      expect(body.nearestBuilding.distanceMeters).toBeLessThan(40);
      expect(body.wgs84[0]).toBeCloseTo(106.9052, 9);
      expect(body.wgs84[1]).toBeCloseTo(27.6049, 9);
    });

    it('the same point given in GCJ-02 (crs: gcj02) → the same grid, converted back to WGS-84', async () => {
      const [gLng, gLat] = wgs84ToGcj02(106.9052, 27.6049);
      // GCJ-02 is offset by hundreds of metres in Guizhou: the conversion matters.
      expect(Math.abs(gLng - 106.9052) + Math.abs(gLat - 27.6049)).toBeGreaterThan(0.001);
      const response = await locate({ lng: gLng, lat: gLat, crs: 'gcj02' });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.grid?.id).toBe(city.a.grid.id);
      expect(body.nearestBuilding?.id).toBe(city.a.building.id);
      expect(Math.abs(body.wgs84[0] - 106.9052)).toBeLessThan(1e-5);
      expect(Math.abs(body.wgs84[1] - 27.6049)).toBeLessThan(1e-5);
      // Taken as WGS-84, the raw GCJ-02 numbers land elsewhere.
      const naive = (await locate({ lng: gLng, lat: gLat })).json();
      expect(Math.abs(naive.wgs84[0] - 106.9052)).toBeGreaterThan(0.001);
    });

    it('a point in side b\'s grid is reported as outside the grid worker\'s scope, without naming it', async () => {
      const response = await locate({ lng: 107.005, lat: 27.605 });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ grid: null, outsideScope: true, nearestBuilding: null });
      const admin = await locate({ lng: 107.005, lat: 27.605 }, cityadmin);
      expect(admin.json().grid?.id).toBe(city.b.grid.id);
    });

    it('a point in no grid → grid null', async () => {
      const response = await locate({ lng: 100.0, lat: 30.0 });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ grid: null, outsideScope: false, nearestBuilding: null });
    });

    it('out-of-range or malformed coordinates → 400', async () => {
      const bad: unknown[] = [
        { lng: 181, lat: 27.6 },
        { lng: -180.0001, lat: 27.6 },
        { lng: 106.9, lat: 90.5 },
        { lng: 106.9, lat: -91 },
        { lng: '106.9', lat: 27.6 },
        { lng: 106.9 },
        { lng: 106.9, lat: 27.6, crs: 'bd09' },
        { lng: 106.9, lat: 27.6, extra: 1 },
        { lng: 1e308 * 10, lat: 27.6 },
        [106.9, 27.6],
      ];
      for (const payload of bad) {
        const response = await locate(payload);
        expect(response.statusCode, JSON.stringify(payload)).toBe(400);
        expect(response.json().error.code).toMatch(/^(validation_failed|bad_request)$/);
      }
    });

    it('requires a session and a role that may read regions', async () => {
      expect((await t.app.inject({ method: 'POST', url: '/api/v1/geo/locate', payload: { lng: 106.905, lat: 27.605 } })).statusCode).toBe(401);
      expect((await locate({ lng: 106.905, lat: 27.605 }, await t.login('sysadmin'))).statusCode).toBe(403);
    });
  });

  describe('PUT /api/v1/regions/:id/geometry', () => {
    const redraw = (gridId: number, payload: unknown, cookie = cityadmin) =>
      t.app.inject({ method: 'PUT', url: `/api/v1/regions/${gridId}/geometry`, headers: { cookie }, payload: payload as never });

    it('refuses invalid polygons with 400 and changes nothing', async () => {
      const [before] = await t.context.database.rows<{ geometry: unknown }>(sql`SELECT geometry FROM region_nodes WHERE id = ${city.a.grid2.id}`);
      const ring = square(106.91, 27.6, 0.01).coordinates[0];
      const invalid: Array<[string, unknown]> = [
        ['not closed', { type: 'Polygon', coordinates: [[[106.91, 27.6], [106.92, 27.6], [106.92, 27.61], [106.91, 27.61]]] }],
        ['fewer than 3 distinct points', { type: 'Polygon', coordinates: [[[106.91, 27.6], [106.92, 27.6], [106.91, 27.6], [106.91, 27.6]]] }],
        ['only 3 positions', { type: 'Polygon', coordinates: [[[106.91, 27.6], [106.92, 27.6], [106.91, 27.6]]] }],
        ['collinear (no area)', { type: 'Polygon', coordinates: [[[106.91, 27.6], [106.915, 27.6], [106.92, 27.6], [106.91, 27.6]]] }],
        ['out of range', { type: 'Polygon', coordinates: [[[190, 27.6], [191, 27.6], [191, 28], [190, 27.6]]] }],
        ['no rings', { type: 'Polygon', coordinates: [] }],
        ['not a polygon', { type: 'Point', coordinates: [106.91, 27.6] }],
        ['strings for numbers', { type: 'Polygon', coordinates: [ring.map(([x, y]) => [String(x), String(y)])] }],
      ];
      for (const [name, geometry] of invalid) {
        const response = await redraw(city.a.grid2.id, { geometry, validFrom: '2025-06-01' });
        expect(response.statusCode, name).toBe(400);
        expect(response.json().error.code, name).toBe('validation_failed');
      }
      expect((await redraw(city.a.grid2.id, { geometry: square(106.91, 27.6, 0.01), validFrom: 'June 1st' })).statusCode).toBe(400);
      const [after] = await t.context.database.rows<{ geometry: unknown }>(sql`SELECT geometry FROM region_nodes WHERE id = ${city.a.grid2.id}`);
      expect(after.geometry).toEqual(before.geometry);
      const [{ count }] = await t.context.database.rows<{ count: number }>(sql`SELECT count(*)::int AS count FROM region_geometry_history WHERE region_node_id = ${city.a.grid2.id}`);
      expect(count).toBe(1);
    });

    it('only region administrators of the area may re-draw', async () => {
      const response = await redraw(city.a.grid2.id, { geometry: square(106.91, 27.6, 0.01), validFrom: '2025-06-01' }, gridworker);
      expect(response.statusCode).toBe(403);
    });

    it('re-drawing moves side a\'s building into a.grid2, with history by date and a moved region path', async () => {
      // The household is readable by the grid worker of a.grid before the change.
      expect((await t.app.inject({ method: 'GET', url: `/api/v1/households/${city.a.household.id}`, headers: { cookie: gridworker } })).statusCode).toBe(200);
      const oldOutline = (await t.context.database.rows<{ geometry: unknown }>(sql`SELECT geometry FROM region_nodes WHERE id = ${city.a.grid2.id}`))[0].geometry;

      // Shrink a.grid to the west of the building, then widen a.grid2 over it (a gap-free tiling again).
      const shrink = await redraw(city.a.grid.id, { geometry: square(106.9, 27.6, 0.003, 0.01), validFrom: '2025-06-01' });
      expect(shrink.statusCode).toBe(200);
      expect(shrink.json()).toMatchObject({ gridId: city.a.grid.id, validFrom: '2025-06-01', movedBuildings: 0 });
      const widen = await redraw(city.a.grid2.id, { geometry: square(106.903, 27.6, 0.017, 0.01), validFrom: '2025-06-01' });
      expect(widen.statusCode).toBe(200);
      expect(widen.json()).toMatchObject({ gridId: city.a.grid2.id, validFrom: '2025-06-01', movedBuildings: 1 });

      const historyOn = async (date: string) => {
        const response = await t.app.inject({ method: 'GET', url: `/api/v1/buildings/${city.a.building.id}/grid-history?date=${date}`, headers: { cookie: cityadmin } });
        expect(response.statusCode).toBe(200);
        return response.json();
      };
      const january = await historyOn('2025-01-01');
      expect(january.gridOnDate).toMatchObject({ gridId: city.a.grid.id, validFrom: '2023-01-01', validTo: '2025-06-01' });
      expect((await historyOn('2025-05-31')).gridOnDate.gridId).toBe(city.a.grid.id);
      expect((await historyOn('2025-06-01')).gridOnDate.gridId).toBe(city.a.grid2.id);
      const july = await historyOn('2025-07-01');
      expect(july.gridOnDate).toMatchObject({ gridId: city.a.grid2.id, validFrom: '2025-06-01', validTo: null });
      expect(july.history.map((h: { gridId: number }) => h.gridId)).toEqual([city.a.grid.id, city.a.grid2.id]);

      // The building, its household and residents now hang under a.grid2.
      const [building] = await t.context.database.rows<{ parent_id: number; path: string }>(sql`SELECT parent_id, path FROM region_nodes WHERE id = ${city.a.building.id}`);
      expect(Number(building.parent_id)).toBe(city.a.grid2.id);
      expect(building.path).toBe(`${city.a.grid2.path}${city.a.building.id}/`);
      const [household] = await t.context.database.rows<{ region_path: string }>(sql`SELECT region_path FROM households WHERE id = ${city.a.household.id}`);
      expect(household.region_path).toBe(building.path);
      const [resident] = await t.context.database.rows<{ region_path: string }>(sql`SELECT region_path FROM residents WHERE id = ${city.a.resident.id}`);
      expect(resident.region_path).toBe(building.path);

      // The grid worker of a.grid can no longer read the household; one of a.grid2 can.
      const moved = await t.app.inject({ method: 'GET', url: `/api/v1/households/${city.a.household.id}`, headers: { cookie: gridworker } });
      expect(moved.statusCode).toBe(403);
      expect((await t.app.inject({ method: 'GET', url: `/api/v1/residents/${city.a.resident.id}`, headers: { cookie: gridworker } })).statusCode).toBe(403);
      await city.factory.user(city.cityId, 'grid2worker', 'grid_worker', { regionNodeId: city.a.grid2.id });
      const grid2worker = await t.login('grid2worker');
      const readable = await t.app.inject({ method: 'GET', url: `/api/v1/households/${city.a.household.id}`, headers: { cookie: grid2worker } });
      expect(readable.statusCode).toBe(200);
      expect(readable.json().household.gridId).toBe(city.a.grid2.id);

      // The old outline stays in the geometry history, closed on the change date; the new one is open.
      const history = await t.context.database.rows<{ geometry: unknown; valid_from: string; valid_to: string | null; changed_by: number | null }>(
        sql`SELECT geometry, valid_from, valid_to, changed_by FROM region_geometry_history WHERE region_node_id = ${city.a.grid2.id} ORDER BY valid_from, id`,
      );
      const parse = (g: unknown) => (typeof g === 'string' ? JSON.parse(g) : g);
      expect(history).toHaveLength(2);
      expect(parse(history[0].geometry)).toEqual(parse(oldOutline));
      expect(history[0]).toMatchObject({ valid_from: '2023-01-01', valid_to: '2025-06-01' });
      expect(parse(history[1].geometry)).toEqual(square(106.903, 27.6, 0.017, 0.01));
      expect(history[1]).toMatchObject({ valid_from: '2025-06-01', valid_to: null });
      expect(Number(history[1].changed_by)).toBe(city.users.city_admin.id);

      // The locate index follows the new outline at once.
      const located = await locate({ lng: 106.905, lat: 27.605 }, grid2worker);
      expect(located.json().grid?.id).toBe(city.a.grid2.id);
      expect(located.json().nearestBuilding?.id).toBe(city.a.building.id);
      expect((await locate({ lng: 106.905, lat: 27.605 })).json()).toMatchObject({ grid: null, outsideScope: true });

      // The change is audited.
      const audit = await t.context.database.rows<{ resource_id: string }>(sql`SELECT resource_id FROM audit_log WHERE action = 'grid.redraw' ORDER BY id`);
      expect(audit.map((a) => Number(a.resource_id))).toEqual([city.a.grid.id, city.a.grid2.id]);
    });

    it('accepts an outline given in GCJ-02 and stores it in WGS-84', async () => {
      const wgs = square(107.01, 27.6, 0.01).coordinates[0] as Array<[number, number]>;
      const gcj = wgs.map(([x, y]) => wgs84ToGcj02(x, y));
      const response = await redraw(city.b.grid2.id, { geometry: { type: 'Polygon', coordinates: [gcj] }, crs: 'gcj02', validFrom: '2025-06-01' });
      expect(response.statusCode).toBe(200);
      const [row] = await t.context.database.rows<{ geometry: unknown }>(sql`SELECT geometry FROM region_nodes WHERE id = ${city.b.grid2.id}`);
      const stored = (typeof row.geometry === 'string' ? JSON.parse(row.geometry) : row.geometry) as { coordinates: number[][][] };
      stored.coordinates[0].forEach(([x, y], i) => {
        expect(Math.abs(x - wgs[i][0])).toBeLessThan(1e-5);
        expect(Math.abs(y - wgs[i][1])).toBeLessThan(1e-5);
      });
    });
  });
});
