import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { insertDefaultCategories } from '../../src/modules/cases/case-categories.repository.ts';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;

describe('request closed loop (API)', () => {
  let t: TestApp;
  let city: City;
  const cookie: Record<string, string> = {};
  const count = async (table: string, caseId: number) =>
    Number((await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM ${sql.raw(table)} WHERE ${sql.raw(table === 'audit_log' ? 'resource_id' : 'case_id')} = ${table === 'audit_log' ? String(caseId) : caseId}`))[0].n);

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    await insertDefaultCategories(t.context.database, t.context.database.db, city.cityId);
    for (const name of ['gridworker', 'dispatcher', 'street', 'water', 'cityadmin']) cookie[name] = await t.login(name);
    await t.context.database.db.execute(sql`INSERT INTO users (city_id, username, display_name, password_hash) SELECT city_id, 'gridworker_b', 'B', password_hash FROM users WHERE username = 'gridworker'`);
    await t.context.database.db.execute(sql`INSERT INTO role_assignments (city_id, user_id, role, region_node_id) SELECT ${city.cityId}, id, 'grid_worker', ${city.b.grid.id} FROM users WHERE username = 'gridworker_b'`);
    await t.context.database.db.execute(sql`INSERT INTO users (city_id, username, display_name, password_hash) SELECT city_id, 'urban', 'U', password_hash FROM users WHERE username = 'gridworker'`);
    await t.context.database.db.execute(sql`INSERT INTO role_assignments (city_id, user_id, role, unit_id) SELECT ${city.cityId}, id, 'department_staff', ${city.otherDepartment.id} FROM users WHERE username = 'urban'`);
    cookie.gridworker_b = await t.login('gridworker_b');
    cookie.urban = await t.login('urban');
  });
  afterAll(async () => t?.close());

  const act = (who: string, caseId: number, body: object, version?: number) =>
    t.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/actions`, headers: { cookie: cookie[who], ...(version ? { 'if-match': `"${version}"` } : {}) }, payload: body });

  async function report(extra: object = {}) {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/public/cases',
      payload: { placeCode: city.a.building.code, categoryCode: 'roads_facilities', description: '楼下路沿石破损，老人容易绊倒', reporterName: '王芳', reporterPhone: '13987654321', consent: true, ...extra },
    });
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json() as { number: string; trackingToken: string; triageColor: string };
    const [row] = await t.context.database.rows<{ id: number }>(sql`SELECT id FROM cases WHERE tracking_token = ${body.trackingToken}`);
    return { ...body, id: Number(row.id) };
  }

  it('a QR report needs no login, is routed to the building and grid, triaged by keywords, and tracked by token', async () => {
    const created = await report();
    expect(created.triageColor).toBe('orange'); // 路沿石 raises the yellow category
    const [row] = await t.context.database.rows<{ grid_id: number; building_id: number; region_path: string; channel: string }>(sql`SELECT grid_id, building_id, region_path, channel FROM cases WHERE id = ${created.id}`);
    expect({ ...row, grid_id: Number(row.grid_id), building_id: Number(row.building_id) }).toMatchObject({ grid_id: city.a.grid.id, building_id: city.a.building.id, region_path: city.a.building.path, channel: 'qr' });
    const tracking = await t.app.inject({ method: 'GET', url: `/api/v1/public/cases/${created.trackingToken}` });
    expect(tracking.json()).toMatchObject({ number: created.number, status: 'submitted', canRate: false });
    expect(tracking.body).not.toContain('13987654321');
    expect(await count('case_events', created.id)).toBe(1);
    expect(await count('audit_log', created.id)).toBe(1);
  });

  it('refuses reports without consent for contact details, without a place, or with an unknown category — writing nothing', async () => {
    const [{ n: before }] = await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM cases`);
    const bad = [
      { placeCode: city.a.building.code, categoryCode: 'roads_facilities', description: '路灯坏了', reporterPhone: '13987654321' },
      { categoryCode: 'roads_facilities', description: '路灯坏了' },
      { placeCode: city.a.building.code, categoryCode: 'no_such', description: '路灯坏了' },
      { placeCode: city.a.building.code, categoryCode: 'roads_facilities', description: '路灯坏了', extra: 1 },
    ];
    const statuses = [];
    for (const payload of bad) statuses.push((await t.app.inject({ method: 'POST', url: '/api/v1/public/cases', payload })).statusCode);
    expect(statuses).toEqual([400, 422, 400, 400]);
    const [{ n: after }] = await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM cases`);
    expect(Number(after)).toBe(Number(before));
  });

  it('walks the loop: dispatch → contact → escalate → escalate → summon → report in → department reply → reply → rate dissatisfied → reopen → close', async () => {
    const c = await report();
    expect((await act('gridworker', c.id, { action: 'dispatch' })).statusCode).toBe(403);
    let r = await act('dispatcher', c.id, { action: 'dispatch', note: '请网格员处理' }, 1);
    expect(r.json()).toMatchObject({ status: 'dispatched', version: 2 });
    r = await act('gridworker', c.id, { action: 'record_contact', note: '已电话联系居民' }, 2);
    expect(r.json().status).toBe('in_progress');
    r = await act('gridworker', c.id, { action: 'escalate' });
    expect(r.json().holderLevel).toBe('community');
    r = await act('dispatcher', c.id, { action: 'escalate' });
    expect(r.json().holderLevel).toBe('street');
    expect((await act('dispatcher', c.id, { action: 'summon', departmentIds: [city.department.id] })).statusCode).toBe(403);
    // A unit that is not a department is refused and nothing is written.
    const eventsBefore = await count('case_events', c.id);
    expect((await act('street', c.id, { action: 'summon', departmentIds: [city.a.residentUnit.id] })).statusCode).toBe(400);
    expect(await count('case_events', c.id)).toBe(eventsBefore);
    r = await act('street', c.id, { action: 'summon', departmentIds: [city.department.id] });
    expect(r.json().status).toBe('summoned');
    // The water department now sees the case; the urban-management department does not.
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/cases/${c.id}`, headers: { cookie: cookie.water } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/cases/${c.id}`, headers: { cookie: cookie.urban } })).statusCode).toBe(403);
    expect((await act('urban', c.id, { action: 'report_in', departmentId: city.department.id })).statusCode).toBe(403);
    expect((await act('water', c.id, { action: 'department_reply', departmentId: city.department.id })).statusCode).toBe(409);
    expect((await act('water', c.id, { action: 'report_in', departmentId: city.department.id })).statusCode).toBe(200);
    expect((await act('water', c.id, { action: 'department_reply', departmentId: city.department.id, note: '已修复管道' })).statusCode).toBe(200);
    r = await act('street', c.id, { action: 'reply', note: '路沿石已修复' });
    expect(r.json().status).toBe('replied');
    const rate = await t.app.inject({ method: 'POST', url: `/api/v1/public/cases/${c.trackingToken}/rating`, payload: { resolved: false, satisfaction: 'dissatisfied', comment: '还没修好' } });
    expect(rate.json()).toMatchObject({ status: 'rated', canReopen: true });
    const again = await t.app.inject({ method: 'POST', url: `/api/v1/public/cases/${c.trackingToken}/rating`, payload: { resolved: true, satisfaction: 'satisfied' } });
    expect(again.statusCode).toBe(409);
    const reopened = await t.app.inject({ method: 'POST', url: `/api/v1/public/cases/${c.trackingToken}/reopen` });
    expect(reopened.json()).toMatchObject({ status: 'submitted', canReopen: false });
    r = await act('dispatcher', c.id, { action: 'dispatch' });
    r = await act('gridworker', c.id, { action: 'record_contact' });
    r = await act('gridworker', c.id, { action: 'reply', note: '复查已修好' });
    await t.app.inject({ method: 'POST', url: `/api/v1/public/cases/${c.trackingToken}/rating`, payload: { resolved: false, satisfaction: 'dissatisfied' } });
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/public/cases/${c.trackingToken}/reopen` })).statusCode).toBe(409);
    r = await act('dispatcher', c.id, { action: 'close' });
    expect(r.json().status).toBe('closed');
    // Every transition wrote its event and its audit record.
    const events = await count('case_events', c.id);
    expect(events).toBe(16); // submit + 15 transitions
    const [{ n: audits }] = await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_log WHERE resource_type = 'case' AND resource_id = ${String(c.id)} AND outcome = 'success'`);
    expect(Number(audits)).toBe(events);
    const detail = await t.app.inject({ method: 'GET', url: `/api/v1/cases/${c.id}`, headers: { cookie: cookie.dispatcher } });
    expect(detail.json()).toMatchObject({ status: 'closed', reopenCount: 1, reporterPhone: '139****4321', reporterName: '王*' });
    expect(detail.json().summonses).toEqual([expect.objectContaining({ departmentName: '水务局', reportedIn: true, replied: true, reply: '已修复管道' })]);
  });

  it('answers 409 for a stale version and for an action the state does not allow', async () => {
    const c = await report();
    expect((await act('dispatcher', c.id, { action: 'dispatch' }, 1)).statusCode).toBe(200);
    const stale = await act('dispatcher', c.id, { action: 'request_extension' }, 1);
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error).toMatchObject({ code: 'version_conflict', details: { currentVersion: 2 } });
    const wrong = await act('dispatcher', c.id, { action: 'close' });
    expect(wrong.statusCode).toBe(409);
    expect(wrong.json().error.code).toBe('invalid_transition');
    expect((await act('street', c.id, { action: 'supervise' }, 99)).statusCode).toBe(409);
  });

  it('shows each case only inside its area', async () => {
    const c = await report();
    const outside = await t.app.inject({ method: 'GET', url: `/api/v1/cases/${c.id}`, headers: { cookie: cookie.gridworker_b } });
    expect(outside.statusCode).toBe(403);
    const listB = await t.app.inject({ method: 'GET', url: '/api/v1/cases', headers: { cookie: cookie.gridworker_b } });
    expect(listB.json().items.map((i: { id: number }) => i.id)).not.toContain(c.id);
    const listA = await t.app.inject({ method: 'GET', url: '/api/v1/cases', headers: { cookie: cookie.gridworker } });
    expect(listA.json().items.map((i: { id: number }) => i.id)).toContain(c.id);
    expect((await act('gridworker_b', c.id, { action: 'record_contact' })).statusCode).toBe(403);
  });

  it('a grid worker enters a case for a resident during a visit', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { cookie: cookie.gridworker },
      payload: { channel: 'grid_worker', placeCode: city.a.building.code, categoryCode: 'elderly_care', description: '独居老人家中水管漏水' },
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ channel: 'grid_worker', triageColor: 'red', status: 'submitted' });
    const outside = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { cookie: cookie.gridworker },
      payload: { channel: 'grid_worker', placeCode: city.b.building.code, categoryCode: 'elderly_care', description: '跨网格录入' },
    });
    expect(outside.statusCode).toBe(403);
  });
});
