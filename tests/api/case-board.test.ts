import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { insertDefaultCategories } from '../../src/modules/cases/case-categories.repository.ts';
import { buildScopedCity, type NodeRef } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/** The dispatcher board's reads: the queue, watch lists, the map of open cases and per-case suggestions. */
type City = Awaited<ReturnType<typeof buildScopedCity>>;

interface BoardItem {
  id: number;
  number: string;
  status: string;
  triageColor: string;
  categoryName: string | null;
  gridName: string | null;
  buildingName: string | null;
  reporterName: string | null;
  reporterPhone: string | null;
  ageSeconds: number;
  clock: { kind: string; dueAt: string; overdue: boolean } | null;
  overdue: boolean;
  supervised: boolean;
}
interface Board {
  items: BoardItem[];
  counts: Record<string, number>;
  page: number;
  pageSize: number;
  total: number;
  serverTime: string;
}

describe('dispatcher board API', () => {
  let t: TestApp;
  let city: City;
  let bareBuilding: NodeRef;
  const cookie: Record<string, string> = {};

  beforeAll(async () => {
    // Many anonymous reports from one client and building: the intake rate limit is not what is tested here.
    t = await createTestApp({ intakeLimitPerClient: 0, intakeLimitPerPlace: 0 });
    city = await buildScopedCity(t.context.database, t.context.cipher);
    await insertDefaultCategories(t.context.database, t.context.database.db, city.cityId);
    // A building with no point, in a grid with no centroid: its cases cannot be placed on the map.
    bareBuilding = await city.factory.node(city.cityId, city.a.grid2, 'building', undefined, 'A无坐标楼');
    await t.context.database.db.execute(sql`INSERT INTO users (city_id, username, display_name, password_hash) SELECT city_id, 'gridworker_b', 'B', password_hash FROM users WHERE username = 'gridworker'`);
    await t.context.database.db.execute(sql`INSERT INTO role_assignments (city_id, user_id, role, region_node_id) SELECT ${city.cityId}, id, 'grid_worker', ${city.b.grid.id} FROM users WHERE username = 'gridworker_b'`);
    // A second worker on grid A who already has two open tasks.
    await t.context.database.db.execute(sql`INSERT INTO users (city_id, username, display_name, password_hash) SELECT city_id, 'busyworker', '忙碌网格员', password_hash FROM users WHERE username = 'gridworker'`);
    await t.context.database.db.execute(sql`INSERT INTO role_assignments (city_id, user_id, role, region_node_id) SELECT ${city.cityId}, id, 'grid_worker', ${city.a.grid.id} FROM users WHERE username = 'busyworker'`);
    for (const name of ['dispatcher', 'gridworker', 'gridworker_b', 'street', 'water', 'sysadmin']) cookie[name] = await t.login(name);
  });
  afterAll(async () => t?.close());

  const get = (who: string | null, url: string) => t.app.inject({ method: 'GET', url, headers: who ? { cookie: cookie[who] } : {} });
  const act = async (who: string, caseId: number, payload: object) => {
    const response = await t.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/actions`, headers: { cookie: cookie[who] }, payload });
    expect(response.statusCode, response.body).toBe(200);
  };

  async function report(place: { placeCode?: string; lng?: number; lat?: number }, extra: object = {}) {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/public/cases',
      payload: { cityCode: '520300000000', categoryCode: 'roads_facilities', description: '路灯不亮，晚上很黑', reporterName: '王芳', reporterPhone: '13987654321', consent: true, ...place, ...extra },
    });
    expect(response.statusCode, response.body).toBe(201);
    const [row] = await t.context.database.rows<{ id: number }>(sql`SELECT id FROM cases WHERE tracking_token = ${response.json().trackingToken}`);
    return Number(row.id);
  }
  const atBuildingA = (extra: object = {}) => report({ placeCode: city.a.building.code }, extra);

  describe('queue', () => {
    let submitted: number;
    let redSubmitted: number;
    let dispatched: number;
    let declined: number;
    let otherSide: number;
    let summoned: number;

    beforeAll(async () => {
      submitted = await atBuildingA();
      redSubmitted = await atBuildingA({ categoryCode: 'elderly_care', description: '独居老人家中漏电' });
      dispatched = await atBuildingA();
      await act('dispatcher', dispatched, { action: 'dispatch' });
      declined = await atBuildingA();
      await act('dispatcher', declined, { action: 'decline', reason: '重复骚扰' });
      otherSide = await report({ placeCode: city.b.building.code });
      summoned = await atBuildingA();
      await act('dispatcher', summoned, { action: 'dispatch' });
      await act('gridworker', summoned, { action: 'record_contact' });
      await act('gridworker', summoned, { action: 'escalate' });
      await act('dispatcher', summoned, { action: 'escalate' });
      await act('street', summoned, { action: 'summon', departmentIds: [city.department.id] });
    });

    it('lists the open cases of the dispatcher\'s community, submitted first (red first), with clocks, names and a masked reporter', async () => {
      const response = await get('dispatcher', '/api/v1/cases/board');
      expect(response.statusCode, response.body).toBe(200);
      const board = response.json() as Board;
      const ids = board.items.map((i) => i.id);
      expect(ids).toEqual([redSubmitted, submitted, dispatched, summoned]);
      expect(ids).not.toContain(declined);
      expect(ids).not.toContain(otherSide);
      expect(board.counts).toMatchObject({ submitted: 2, dispatched: 1, summoned: 1, in_progress: 0, replied: 0 });
      expect(board.total).toBe(4);
      const first = board.items[0];
      expect(first).toMatchObject({ status: 'submitted', triageColor: 'red', gridName: city.a.grid.name, buildingName: 'A1栋', reporterPhone: '139****4321', reporterName: '王*', overdue: false });
      expect(first.clock).toMatchObject({ kind: 'dispatch', overdue: false });
      expect(new Date(first.clock!.dueAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
      expect(first.ageSeconds).toBeGreaterThanOrEqual(0);
      // A dispatched case runs the contact clock (30 min) and the resolve clock: the board shows the one due first.
      expect(board.items.find((i) => i.id === dispatched)!.clock!.kind).toBe('contact');
      expect(response.body).not.toContain('13987654321');
    });

    it('filters by status and colour and pages, with counts that ignore the status filter', async () => {
      const onlySubmitted = (await get('dispatcher', '/api/v1/cases/board?status=submitted')).json() as Board;
      expect(onlySubmitted.items.map((i) => i.id)).toEqual([redSubmitted, submitted]);
      expect(onlySubmitted.total).toBe(2);
      expect(onlySubmitted.counts.dispatched).toBe(1);
      const red = (await get('dispatcher', '/api/v1/cases/board?color=red')).json() as Board;
      expect(red.items.map((i) => i.id)).toEqual([redSubmitted]);
      expect(red.counts.submitted).toBe(1);
      const second = (await get('dispatcher', '/api/v1/cases/board?pageSize=1&page=2')).json() as Board;
      expect(second.items.map((i) => i.id)).toEqual([submitted]);
      expect(second.total).toBe(4);
      expect((await get('dispatcher', '/api/v1/cases/board?status=closed')).statusCode).toBe(400);
      expect((await get('dispatcher', '/api/v1/cases/board?pageSize=201')).statusCode).toBe(400);
      expect((await get('dispatcher', '/api/v1/cases/board?unknown=1')).statusCode).toBe(400);
    });

    it('shows each user only their scope: the other side, a department (summoned cases only), nobody without a case role', async () => {
      const sideB = (await get('gridworker_b', '/api/v1/cases/board')).json() as Board;
      expect(sideB.items.map((i) => i.id)).toEqual([otherSide]);
      const water = (await get('water', '/api/v1/cases/board')).json() as Board;
      expect(water.items.map((i) => i.id)).toEqual([summoned]);
      expect(water.counts).toMatchObject({ summoned: 1, submitted: 0 });
      expect((await get('sysadmin', '/api/v1/cases/board')).statusCode).toBe(403);
      expect((await get(null, '/api/v1/cases/board')).statusCode).toBe(401);
    });

    it('lists a case\'s clocks: running first, then stopped ones, with the extension flag', async () => {
      const response = await get('dispatcher', `/api/v1/cases/${dispatched}/clocks`);
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json() as { version: number; extensionPending: boolean; clocks: Array<{ kind: string; state: string; dueAt: string; overdue: boolean }> };
      expect(body.extensionPending).toBe(false);
      expect(body.version).toBe(2);
      expect(body.clocks.map((c) => [c.kind, c.state])).toEqual([['contact', 'running'], ['resolve', 'running'], ['dispatch', 'stopped']]);
      expect(body.clocks.every((c) => !c.overdue)).toBe(true);
      expect((await get('gridworker_b', `/api/v1/cases/${dispatched}/clocks`)).statusCode).toBe(403);
      expect((await get('water', `/api/v1/cases/${summoned}/clocks`)).json().clocks.map((c: { kind: string; state: string }) => c.kind)).toContain('report_in');
    });

    it('marks a case whose clock ran out as overdue and puts it and supervised cases on the watch lists', async () => {
      await t.context.database.db.execute(sql`UPDATE sla_timers SET due_at = now() - interval '5 minutes' WHERE case_id = ${submitted} AND kind = 'dispatch'`);
      const board = (await get('dispatcher', '/api/v1/cases/board')).json() as Board;
      const item = board.items.find((i) => i.id === submitted)!;
      expect(item.overdue).toBe(true);
      expect(item.clock).toMatchObject({ kind: 'dispatch', overdue: true });
      // The sweeper's reminder sets the flag too: both kinds are on the overdue list.
      await t.context.database.db.execute(sql`UPDATE cases SET overdue = true WHERE id = ${dispatched}`);
      const overdue = (await get('dispatcher', '/api/v1/cases/watch?list=overdue')).json() as Board;
      expect(overdue.items.map((i) => i.id).sort()).toEqual([submitted, dispatched].sort());
      expect(overdue.total).toBe(2);

      await act('street', redSubmitted, { action: 'supervise' });
      const supervised = (await get('dispatcher', '/api/v1/cases/watch?list=supervised')).json() as Board;
      expect(supervised.items.map((i) => i.id)).toEqual([redSubmitted]);
      expect(supervised.items[0].supervised).toBe(true);
      expect(((await get('gridworker_b', '/api/v1/cases/watch?list=supervised')).json() as Board).items).toEqual([]);
      expect((await get('dispatcher', '/api/v1/cases/watch')).statusCode).toBe(400);
      expect((await get('dispatcher', '/api/v1/cases/watch?list=everything')).statusCode).toBe(400);
    });
  });

  describe('map of open cases', () => {
    it('places cases at their point, else their building\'s centroid; counts the unplaceable; caps with truncated', async () => {
      const atPoint = await report({ lng: 106.902, lat: 27.602 });
      const atBuilding = await atBuildingA();
      const unplaced = await report({ placeCode: bareBuilding.code });
      const response = await get('dispatcher', '/api/v1/cases/map');
      expect(response.statusCode, response.body).toBe(200);
      const map = response.json() as { type: string; features: Array<{ geometry: { type: string; coordinates: [number, number] }; properties: { id: number; located: string; triageColor: string } }>; truncated: boolean; total: number; unlocated: number };
      expect(map.type).toBe('FeatureCollection');
      const byId = new Map(map.features.map((f) => [f.properties.id, f]));
      expect(byId.get(atPoint)!.geometry).toEqual({ type: 'Point', coordinates: [106.902, 27.602] });
      expect(byId.get(atPoint)!.properties.located).toBe('point');
      expect(byId.get(atBuilding)!.geometry.coordinates).toEqual([106.905, 27.605]);
      expect(byId.get(atBuilding)!.properties.located).toBe('building');
      expect(byId.has(unplaced)).toBe(false);
      expect(map.unlocated).toBeGreaterThanOrEqual(1);
      expect(map.truncated).toBe(false);
      expect(map.total).toBe(map.features.length + map.unlocated);
      // Nothing from side B, nothing closed.
      const [{ n: outside }] = await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM cases WHERE id IN (${sql.join([...byId.keys()].map((id) => sql`${id}`), sql`, `)})
        AND (region_path NOT LIKE ${city.a.community.path + '%'} OR status IN ('closed', 'declined', 'merged'))`);
      expect(Number(outside)).toBe(0);

      const capped = (await get('dispatcher', '/api/v1/cases/map?limit=1')).json() as typeof map;
      expect(capped.features).toHaveLength(1);
      expect(capped.truncated).toBe(true);
      expect(capped.features[0].properties.id).toBe(Math.max(...byId.keys()));
      expect((await get('dispatcher', '/api/v1/cases/map?limit=0')).statusCode).toBe(400);
      expect((await get('gridworker_b', '/api/v1/cases/map')).json().features.every((f: { properties: { id: number } }) => !byId.has(f.properties.id))).toBe(true);
    });
  });

  describe('suggestions', () => {
    it('suggests the grid\'s workers, fewest open tasks first', async () => {
      const caseId = await atBuildingA();
      const [busy] = await t.context.database.rows<{ id: number }>(sql`SELECT id FROM users WHERE username = 'busyworker'`);
      const busyId = Number(busy.id);
      const openTasks = async (userId: number) =>
        Number((await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM case_tasks WHERE assignee_user_id = ${userId} AND status = 'open'`))[0].n);
      // Dispatches above gave tasks already; make the busy worker hold two more open tasks, and the other a finished one.
      const idle = await openTasks(city.users.grid_worker.id);
      for (let n = await openTasks(busyId); n < idle + 2; n++) {
        await t.context.database.db.execute(sql`INSERT INTO case_tasks (city_id, case_id, grid_id, assignee_user_id, status) VALUES (${city.cityId}, ${caseId}, ${city.a.grid.id}, ${busyId}, 'open')`);
      }
      await t.context.database.db.execute(sql`INSERT INTO case_tasks (city_id, case_id, grid_id, assignee_user_id, status, done_at) VALUES (${city.cityId}, ${caseId}, ${city.a.grid.id}, ${city.users.grid_worker.id}, 'done', now())`);
      const response = await get('dispatcher', `/api/v1/cases/${caseId}/suggestions`);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().gridWorkers).toEqual([
        { userId: city.users.grid_worker.id, displayName: 'gridworker', openTasks: idle },
        { userId: busyId, displayName: '忙碌网格员', openTasks: idle + 2 },
      ]);
      // Only workers of the case's own grid: side B's worker is never suggested.
      const [sideB] = await t.context.database.rows<{ id: number }>(sql`SELECT id FROM users WHERE username = 'gridworker_b'`);
      expect(response.json().gridWorkers.map((w: { userId: number }) => w.userId)).not.toContain(Number(sideB.id));
    });

    it('offers open cases of the same category within 300 m from the last 30 days as duplicates, nearest first', async () => {
      const subject = await atBuildingA({ description: '路灯坏了好几天' });
      const sameBuilding = await atBuildingA();
      const near = await report({ lng: 106.905, lat: 27.6068 }); // ≈ 200 m north of the building
      const far = await report({ lng: 106.905, lat: 27.6095 }); // ≈ 500 m
      const otherCategory = await atBuildingA({ categoryCode: 'elderly_care', description: '老人需要帮助' });
      const declined = await atBuildingA();
      await act('dispatcher', declined, { action: 'decline', reason: '无效' });
      const old = await atBuildingA();
      await t.context.database.db.execute(sql`UPDATE cases SET created_at = now() - interval '31 days' WHERE id = ${old}`);
      const otherSide = await report({ placeCode: city.b.building.code });

      const response = await get('dispatcher', `/api/v1/cases/${subject}/suggestions`);
      expect(response.statusCode, response.body).toBe(200);
      const duplicates = response.json().duplicates as Array<{ id: number; number: string; status: string; distanceMeters: number | null; createdAt: string }>;
      const ids = duplicates.map((d) => d.id);
      expect(ids).not.toContain(subject);
      expect(ids).toContain(sameBuilding);
      expect(ids).toContain(near);
      for (const excluded of [far, otherCategory, declined, old, otherSide]) expect(ids).not.toContain(excluded);
      expect(duplicates.find((d) => d.id === sameBuilding)!.distanceMeters).toBe(0);
      const nearDistance = duplicates.find((d) => d.id === near)!.distanceMeters!;
      expect(nearDistance).toBeGreaterThan(180);
      expect(nearDistance).toBeLessThan(220);
      const distances = duplicates.map((d) => d.distanceMeters ?? Infinity);
      expect(distances).toEqual([...distances].sort((a, b) => a - b));
      expect(ids.indexOf(near)).toBe(ids.length - 1);
      expect(duplicates.length).toBeLessThanOrEqual(10);
      expect(duplicates[0]).toMatchObject({ status: 'submitted', number: expect.any(String), createdAt: expect.any(String) });
    });

    it('falls back to the same grid when the case has no point, and stays within the case-read scope', async () => {
      const unplaced = await report({ placeCode: bareBuilding.code });
      const sameGrid = await report({ placeCode: bareBuilding.code });
      const duplicates = (await get('dispatcher', `/api/v1/cases/${unplaced}/suggestions`)).json().duplicates as Array<{ id: number; distanceMeters: number | null }>;
      expect(duplicates.find((d) => d.id === sameGrid)).toEqual(expect.objectContaining({ distanceMeters: null }));
      expect((await get('gridworker_b', `/api/v1/cases/${unplaced}/suggestions`)).statusCode).toBe(403);
      expect((await get('dispatcher', '/api/v1/cases/999999/suggestions')).statusCode).toBe(404);
      expect((await get(null, `/api/v1/cases/${unplaced}/suggestions`)).statusCode).toBe(401);
    });
  });

  it('answers hostile queries and ids with 4xx JSON errors, never a 5xx', async () => {
    const values = ["' OR 1=1 --", '%00', '-1', '0', '1e10', '99999999999999999999', 'abc', '', 'x'.repeat(300), '%E2%80%AE', 'null', 'true', '[]'];
    const routes: Array<[string, string[]]> = [
      ['/api/v1/cases/board', ['status', 'color', 'page', 'pageSize']],
      ['/api/v1/cases/watch', ['list', 'page', 'pageSize']],
      ['/api/v1/cases/map', ['status', 'color', 'limit']],
    ];
    const urls: string[] = [];
    for (const [path, keys] of routes) {
      for (const key of keys) for (const value of values) urls.push(`${path}?${key}=${/%/.test(value) ? value : encodeURIComponent(value)}`);
      urls.push(`${path}?unknown=1`, `${path}?page=1&page=2`, `${path}?__proto__=x`);
    }
    for (const id of ['-1', '0', 'abc', '99999999999999999999', '1.5', '%00', '1e400', '9007199254740991']) urls.push(`/api/v1/cases/${id}/suggestions`, `/api/v1/cases/${id}/clocks`);
    for (const who of [null, 'dispatcher', 'water']) {
      for (const url of urls) {
        const response = await get(who, url);
        expect(response.statusCode, `${who} ${url}: ${response.body.slice(0, 200)}`).toBeLessThan(500);
        if (response.statusCode >= 400) expect(response.json().error.code, url).toEqual(expect.any(String));
      }
    }
  });
});
