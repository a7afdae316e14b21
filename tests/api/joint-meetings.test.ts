import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;

describe('joint meetings and co-building items (API)', () => {
  let t: TestApp;
  let city: City;
  const cookie: Record<string, string> = {};
  let otherUnit: { id: number };
  let allianceId: number;
  let meetingId: number;

  const call = (who: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: { cookie: cookie[who] }, ...(payload ? { payload } : {}) });
  const pointsOf = async (unitId: number) =>
    t.context.database.rows<{ event: string; points: number }>(sql`SELECT event, points FROM unit_point_entries WHERE unit_id = ${unitId} AND source_kind = 'joint_meeting' ORDER BY id`);

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    otherUnit = await city.factory.unit(city.cityId, 'resident_unit', city.a.community, '遵义市第三中学');
    for (const name of ['dispatcher', 'unitcontact', 'partymember', 'buildinghead', 'cityadmin', 'street']) cookie[name] = await t.login(name);
  });
  afterAll(async () => t?.close());

  it('an alliance of a community gathers units and party organisations; duplicates are refused', async () => {
    expect((await call('buildinghead', 'POST', '/api/v1/alliances', { regionId: city.a.community.id, name: '联盟' })).statusCode).toBe(403);
    expect((await call('dispatcher', 'POST', '/api/v1/alliances', { regionId: city.a.grid.id, name: '联盟' })).statusCode).toBe(400);
    expect((await call('dispatcher', 'POST', '/api/v1/alliances', { regionId: city.b.community.id, name: '联盟' })).statusCode).toBe(403);
    const created = await call('dispatcher', 'POST', '/api/v1/alliances', { regionId: city.a.community.id, name: 'A社区区域化党建联盟', description: '共驻共建' });
    expect(created.statusCode, created.body).toBe(201);
    allianceId = created.json().id;
    for (const member of [{ unitId: city.a.residentUnit.id, roleLabel: '成员单位' }, { unitId: otherUnit.id }, { partyOrganizationId: city.a.gridOrg.id }]) {
      expect((await call('dispatcher', 'POST', `/api/v1/alliances/${allianceId}/members`, member)).statusCode).toBe(201);
    }
    expect((await call('dispatcher', 'POST', `/api/v1/alliances/${allianceId}/members`, { unitId: otherUnit.id })).statusCode).toBe(409);
    expect((await call('dispatcher', 'POST', `/api/v1/alliances/${allianceId}/members`, { unitId: otherUnit.id, partyOrganizationId: city.a.gridOrg.id })).statusCode).toBe(400);
    const detail = await call('unitcontact', 'GET', `/api/v1/alliances/${allianceId}`);
    expect(detail.json().members).toHaveLength(3);
    const list = await call('dispatcher', 'GET', '/api/v1/alliances?q=党建');
    expect(list.json()).toMatchObject({ total: 1, page: 1 });
  });

  it('holding a meeting needs minutes and awards attendance and absence points once per meeting and unit', async () => {
    const created = await call('dispatcher', 'POST', '/api/v1/joint-meetings', { allianceId, title: '第一季度联席会议', heldAt: '2026-03-10T02:00:00Z', location: '党群服务中心', agenda: '停车难；加装电梯' });
    expect(created.statusCode, created.body).toBe(201);
    meetingId = created.json().id;
    const attendees = created.json().attendees as Array<{ id: number; unitId: number | null }>;
    expect(attendees).toHaveLength(3);
    const came = attendees.filter((a) => a.unitId === city.a.residentUnit.id || a.unitId === null).map((a) => a.id);
    expect((await call('dispatcher', 'POST', `/api/v1/joint-meetings/${meetingId}/hold`, { minutes: '', attendedIds: came })).statusCode).toBe(400);
    expect((await call('dispatcher', 'POST', `/api/v1/joint-meetings/${meetingId}/hold`, { minutes: '纪要', attendedIds: [999999] })).statusCode).toBe(400);
    expect((await call('unitcontact', 'POST', `/api/v1/joint-meetings/${meetingId}/hold`, { minutes: '纪要', attendedIds: came })).statusCode).toBe(403);
    const held = await call('dispatcher', 'POST', `/api/v1/joint-meetings/${meetingId}/hold`, { minutes: '议定：共享停车位 20 个', attendedIds: came });
    expect(held.statusCode, held.body).toBe(200);
    expect(held.json()).toMatchObject({ status: 'held', attendedCount: 2, invitedCount: 3 });
    expect(await pointsOf(city.a.residentUnit.id)).toEqual([{ event: 'meeting_attended', points: 2 }]);
    expect(await pointsOf(otherUnit.id)).toEqual([{ event: 'meeting_missed', points: -3 }]);
    // Holding again is refused and pays nothing more.
    expect((await call('dispatcher', 'POST', `/api/v1/joint-meetings/${meetingId}/hold`, { minutes: '再来', attendedIds: came })).statusCode).toBe(409);
    expect(await pointsOf(city.a.residentUnit.id)).toHaveLength(1);
    expect(await pointsOf(otherUnit.id)).toHaveLength(1);
    // A held meeting keeps its agenda; its minutes can still be edited. Every step is on the timeline and audited.
    expect((await call('dispatcher', 'PATCH', `/api/v1/joint-meetings/${meetingId}`, { agenda: '改' })).statusCode).toBe(409);
    expect((await call('dispatcher', 'PATCH', `/api/v1/joint-meetings/${meetingId}`, { minutes: '议定：共享停车位 20 个；加装电梯 2 部' })).json().minutes).toContain('电梯');
    const detail = (await call('partymember', 'GET', `/api/v1/joint-meetings/${meetingId}`)).json();
    expect(detail.timeline.map((e: { action: string }) => e.action)).toEqual(['plan', 'hold', 'edit_minutes']);
    expect(detail.allowedActions).toEqual([]);
    const [{ n }] = await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_log WHERE resource_type = 'joint_meeting' AND resource_id = ${String(meetingId)}`);
    expect(Number(n)).toBe(3);
  });

  it('a planned meeting can be cancelled, not held afterwards; items need a held meeting', async () => {
    const planned = (await call('dispatcher', 'POST', '/api/v1/joint-meetings', { allianceId, title: '临时会议', heldAt: '2026-04-01T02:00:00Z' })).json();
    expect((await call('dispatcher', 'POST', `/api/v1/joint-meetings/${planned.id}/items`, { title: '事项' })).statusCode).toBe(409);
    expect((await call('dispatcher', 'POST', `/api/v1/joint-meetings/${planned.id}/cancel`, { reason: '改期' })).json().status).toBe('cancelled');
    expect((await call('dispatcher', 'POST', `/api/v1/joint-meetings/${planned.id}/hold`, { minutes: '纪要', attendedIds: [] })).statusCode).toBe(409);
    const list = (await call('dispatcher', 'GET', '/api/v1/joint-meetings?status=cancelled')).json();
    expect(list.items.map((m: { id: number }) => m.id)).toEqual([planned.id]);
  });

  it('co-building items: the lead unit reports progress and completes; only managers drop; summary counts set vs done and overdue', async () => {
    const make = async (title: string, extra: object = {}) => {
      const response = await call('dispatcher', 'POST', `/api/v1/joint-meetings/${meetingId}/items`, { title, leadUnitId: city.a.residentUnit.id, ...extra });
      expect(response.statusCode, response.body).toBe(201);
      return response.json() as { id: number; version: number };
    };
    expect((await call('dispatcher', 'POST', `/api/v1/joint-meetings/${meetingId}/items`, { title: 'x', leadUnitId: city.b.residentUnit.id })).statusCode).toBe(400);
    const parking = await make('共享停车位', { dueOn: '2099-12-31' });
    const lift = await make('加装电梯', { dueOn: '2020-01-01' });
    const garden = await make('口袋公园');
    const act = (who: string, id: number, body: object) => call(who, 'POST', `/api/v1/co-building-items/${id}/actions`, body);
    expect((await act('unitcontact', parking.id, { action: 'report_progress' })).statusCode).toBe(400);
    expect((await act('unitcontact', parking.id, { action: 'report_progress', note: '已腾出 12 个车位' })).json()).toMatchObject({ status: 'in_progress', version: 2 });
    expect((await act('unitcontact', parking.id, { action: 'complete', note: '20 个车位开放', expectedVersion: 1 })).statusCode).toBe(409);
    const done = await act('unitcontact', parking.id, { action: 'complete', note: '20 个车位开放', expectedVersion: 2 });
    expect(done.json()).toMatchObject({ status: 'done', progressNote: '20 个车位开放' });
    expect((await act('unitcontact', parking.id, { action: 'report_progress', note: '再' })).statusCode).toBe(409);
    expect((await act('unitcontact', garden.id, { action: 'drop', note: '不做了' })).statusCode).toBe(403);
    expect((await act('dispatcher', garden.id, { action: 'drop', note: '场地不具备' })).json().status).toBe('dropped');
    expect((await act('buildinghead', lift.id, { action: 'start' })).statusCode).toBe(403);

    const overdue = (await call('dispatcher', 'GET', '/api/v1/co-building-items?overdue=true')).json();
    expect(overdue.items.map((i: { id: number }) => i.id)).toEqual([lift.id]);
    // The liaison sees its unit's items.
    expect((await call('unitcontact', 'GET', '/api/v1/co-building-items')).json().total).toBe(3);

    const summary = (await call('street', 'GET', `/api/v1/co-building-items/summary?regionId=${city.a.street.id}`)).json();
    expect(summary).toMatchObject({ set: 3, done: 1, dropped: 1, decided: 1, overdue: 1 });
    expect(summary.children).toEqual([expect.objectContaining({ id: city.a.community.id, set: 3, done: 1 })]);
    expect((await call('dispatcher', 'GET', `/api/v1/co-building-items/summary?regionId=${city.b.community.id}`)).statusCode).toBe(403);
    expect((await call('cityadmin', 'GET', `/api/v1/co-building-items/summary?regionId=${city.b.community.id}`)).json()).toMatchObject({ set: 0, done: 0 });
    const timeline = (await call('dispatcher', 'GET', `/api/v1/co-building-items/${parking.id}`)).json().timeline;
    expect(timeline.map((e: { action: string }) => e.action)).toEqual(['decide', 'report_progress', 'complete']);
  });

  it('lists stay inside the reader’s area and export as Excel with the same filters', async () => {
    const bAlliance = await t.context.database.rows<{ id: number }>(sql`INSERT INTO party_alliances (city_id, region_node_id, region_path, name) VALUES (${city.cityId}, ${city.b.community.id}, ${city.b.community.path}, 'B联盟') RETURNING id`);
    expect((await call('dispatcher', 'GET', `/api/v1/alliances/${Number(bAlliance[0].id)}`)).statusCode).toBe(403);
    expect((await call('dispatcher', 'GET', '/api/v1/alliances')).json().total).toBe(1);
    expect((await call('cityadmin', 'GET', '/api/v1/alliances')).json().total).toBe(2);
    expect((await call('buildinghead', 'GET', '/api/v1/joint-meetings')).statusCode).toBe(403);
    for (const url of ['/api/v1/alliances/export.xlsx?q=a%00b', '/api/v1/co-building-items/export.xlsx?q=%00']) expect((await call('dispatcher', 'GET', url)).statusCode, url).toBe(400);
    for (const url of ['/api/v1/alliances/export.xlsx', '/api/v1/joint-meetings/export.xlsx?status=held', '/api/v1/co-building-items/export.xlsx?overdue=false']) {
      const response = await call('dispatcher', 'GET', url);
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toContain('spreadsheetml');
      expect(response.rawPayload.subarray(0, 2).toString()).toBe('PK');
    }
  });
});
