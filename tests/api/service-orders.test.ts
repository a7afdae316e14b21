import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/** 群众点单、社区派单、党员接单 (docs/community/service-orders.md), on both engines. */
type City = Awaited<ReturnType<typeof buildScopedCity>>;

describe('service orders: catalogue, resident order, dispatch, serve, confirm', () => {
  let t: TestApp;
  let city: City;
  let dispatcher: string;
  let partyMember: string;
  let otherMember: string;
  let gridWorker: string;
  let otherMemberId: number;
  let mealOfferingId: number;
  let volunteerId: number;
  const cookies: Record<string, string> = {};

  const count = async (query: ReturnType<typeof sql>) => Number((await t.context.database.rows<{ n: number }>(query))[0].n);
  const as = (cookie: string | null) => (cookie ? { cookie } : {});
  const get = (url: string, cookie: string | null = dispatcher) => t.app.inject({ method: 'GET', url, headers: as(cookie) });
  const post = (url: string, payload: unknown, cookie: string | null = dispatcher, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, payload: payload as never, headers: { ...as(cookie), ...headers } });
  const act = (id: number, payload: Record<string, unknown>, cookie: string, headers: Record<string, string> = {}) => post(`/api/v1/service-orders/${id}/actions`, payload, cookie, headers);
  const order = async (offeringId = mealOfferingId, phone = '13987654321') => {
    const response = await post('/api/v1/public/service-orders', { placeCode: city.a.building.code, offeringId, name: '王秀英', phone, description: '腿脚不便，想订午餐', preferredTime: '工作日中午' }, null);
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json() as { number: string; trackingToken: string };
    const [row] = await t.context.database.rows<{ id: number }>(sql`SELECT id FROM service_orders WHERE number = ${body.number} AND city_id = ${city.cityId}`);
    return { ...body, id: Number(row.id) };
  };

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    // A second party member of A's organisation, with a login, also reported to A's community …
    const second = await city.factory.partyMember(city.cityId, city.a.gridOrg.id, city.a.grid);
    otherMemberId = second.id;
    await city.factory.partyMemberUser(city.cityId, 'othermember', second.id, city.a.community);
    // … and a volunteer of A's community without a login.
    const [volunteer] = await t.context.database.rows<{ id: number }>(sql`INSERT INTO volunteers (city_id, region_node_id, region_path, name, phone, skills)
      VALUES (${city.cityId}, ${city.a.community.id}, ${city.a.community.path}, '陈志愿', '13511112222', '助餐 陪诊') RETURNING id`);
    volunteerId = Number(volunteer.id);
    dispatcher = await t.login('dispatcher');
    partyMember = await t.login('partymember');
    otherMember = await t.login('othermember');
    gridWorker = await t.login('gridworker');
    cookies.street = await t.login('street');
  });
  afterAll(async () => t?.close());

  it('gives a city the default catalogue of 20+ categories once, lazily', async () => {
    const first = await get('/api/v1/service-categories');
    expect(first.statusCode).toBe(200);
    const names = (first.json().items as Array<{ name: string }>).map((c) => c.name);
    expect(names.length).toBeGreaterThanOrEqual(20);
    expect(names).toEqual(expect.arrayContaining(['儿童成长', '居家养老', '法律援助', '助餐', '陪诊', '防诈宣传']));
    await get('/api/v1/service-categories', gridWorker);
    expect(await count(sql`SELECT count(*)::int AS n FROM service_categories WHERE city_id = ${city.cityId}`)).toBe(names.length);
    expect((await get('/api/v1/service-categories', await t.login('sysadmin'))).statusCode).toBe(403);
  });

  it('lets the community manage its offerings (create, list, search, deactivate, export) and nobody outside', async () => {
    const categories = (await get('/api/v1/service-categories')).json().items as Array<{ id: number; code: string }>;
    const meal = categories.find((c) => c.code === 'meal_assistance')!;
    const escort = categories.find((c) => c.code === 'hospital_escort')!;
    const created = await post('/api/v1/service-offerings', { regionNodeId: city.a.community.id, categoryId: meal.id, name: '老年助餐送餐上门', description: '午餐送到家', hours: '1.5' });
    expect(created.statusCode, created.body).toBe(201);
    mealOfferingId = created.json().id;
    expect(created.json()).toMatchObject({ categoryName: '助餐', regionName: 'A社区', hours: '1.5', active: true });
    const escortOffering = await post('/api/v1/service-offerings', { regionNodeId: city.a.community.id, categoryId: escort.id, name: '陪同就医' });
    expect(escortOffering.statusCode).toBe(201);

    // Outside the dispatcher's community, by a grid worker, with a bad category or hours.
    expect((await post('/api/v1/service-offerings', { regionNodeId: city.b.community.id, categoryId: meal.id, name: '越界' })).statusCode).toBe(403);
    expect((await post('/api/v1/service-offerings', { regionNodeId: city.a.community.id, categoryId: meal.id, name: '网格员' }, gridWorker)).statusCode).toBe(403);
    expect((await post('/api/v1/service-offerings', { regionNodeId: city.a.community.id, categoryId: 2 ** 40, name: '无类别' })).statusCode).toBe(400);
    expect((await post('/api/v1/service-offerings', { regionNodeId: city.a.community.id, categoryId: meal.id, name: '太久', hours: '25' })).statusCode).toBe(400);

    const list = await get(`/api/v1/service-offerings?q=${encodeURIComponent('助餐')}&page=1&pageSize=10`, gridWorker);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({ page: 1, pageSize: 10, total: 1, items: [{ id: mealOfferingId }] });
    expect((await get(`/api/v1/service-offerings?categoryId=${escort.id}`)).json().total).toBe(1);

    const deactivated = await t.app.inject({ method: 'PATCH', url: `/api/v1/service-offerings/${escortOffering.json().id}`, payload: { active: false }, headers: { cookie: dispatcher } });
    expect(deactivated.json().active).toBe(false);
    expect((await get('/api/v1/service-offerings?active=true')).json().items.map((o: { id: number }) => o.id)).toEqual([mealOfferingId]);
    expect(await count(sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'service_offering.deactivate'`)).toBe(1);
    // Residents no longer see it.
    const services = (await get(`/api/v1/public/places/${city.a.building.code}/services`, null)).json();
    expect(services.communityName).toBe('A社区');
    expect(services.categories.flatMap((c: { offerings: Array<{ id: number }> }) => c.offerings.map((o) => o.id))).toEqual([mealOfferingId]);

    const ledger = await get('/api/v1/service-offerings/export.xlsx?q=' + encodeURIComponent('助餐'));
    expect(ledger.statusCode).toBe(200);
    expect(ledger.headers['content-type']).toContain('spreadsheetml');
    expect(ledger.rawPayload.subarray(0, 2).toString()).toBe('PK');
  });

  it('takes a resident order without login: validates the phone, masks what it echoes, 404 on a wrong token', async () => {
    const base = { placeCode: city.a.building.code, offeringId: mealOfferingId, name: '王秀英' };
    for (const phone of ['12345678901', '1381234123', '138123412345', '+8613812341234', '']) {
      const bad = await post('/api/v1/public/service-orders', { ...base, phone }, null);
      expect(bad.statusCode, phone).toBe(400);
      expect(bad.json().error.code).toBe('validation_failed');
    }
    expect((await post('/api/v1/public/service-orders', { ...base, phone: '13987654321', placeCode: city.b.building.code }, null)).statusCode).toBe(404);
    expect((await post('/api/v1/public/service-orders', { ...base, phone: '13987654321', placeCode: 'no-such-place' }, null)).statusCode).toBe(404);
    expect(await count(sql`SELECT count(*)::int AS n FROM service_orders`)).toBe(0);

    const created = await order();
    expect(created.number).toMatch(/^FW\d{8}-0001$/);
    const view = await get(`/api/v1/public/service-orders/${created.trackingToken}`, null);
    expect(view.statusCode).toBe(200);
    expect(view.json()).toMatchObject({ status: 'ordered', residentPhone: '139****4321', residentName: '王**', offeringName: '老年助餐送餐上门', canCancel: true, canConfirm: false });
    expect(view.body).not.toContain('13987654321');
    expect(view.body).not.toContain('王秀英');
    const [stored] = await t.context.database.rows<{ tracking_token_hash: string }>(sql`SELECT tracking_token_hash FROM service_orders WHERE id = ${created.id}`);
    expect(stored.tracking_token_hash).not.toBe(created.trackingToken);
    expect(stored.tracking_token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await get('/api/v1/public/service-orders/AAAAAAAAAAAAAAAAAAAAAAAA', null)).statusCode).toBe(404);
    expect((await post('/api/v1/public/service-orders/AAAAAAAAAAAAAAAAAAAAAAAA/confirm', { rating: 5 }, null)).statusCode).toBe(404);
    const [audit] = await t.context.database.rows<{ actor_user_id: number | null; actor_name: string }>(sql`SELECT actor_user_id, actor_name FROM audit_log WHERE action = 'service_order.order' AND resource_id = ${String(created.id)}`);
    expect(audit).toEqual({ actor_user_id: null, actor_name: '居民' });
  });

  it('walks the whole loop: dispatch → accept → complete (hours once) → confirm with a rating once', async () => {
    const created = await order();
    // The dispatcher's list masks the phone; the candidates are the reported members and the volunteer.
    const list = (await get('/api/v1/service-orders?status=ordered')).json();
    expect(list.items.find((i: { id: number }) => i.id === created.id)).toMatchObject({ residentPhone: '139****4321', status: 'ordered' });
    const candidates = (await get(`/api/v1/service-orders/${created.id}/candidates`)).json().items as Array<{ kind: string; id: number; openOrders: number }>;
    expect(candidates.map((c) => `${c.kind}:${c.id}`).sort()).toEqual([`party_member:${city.a.partyMember.id}`, `party_member:${otherMemberId}`, `volunteer:${volunteerId}`].sort());

    // A party member of another community cannot be assigned: 422, nothing written.
    const eventsBefore = await count(sql`SELECT count(*)::int AS n FROM item_events WHERE subject_id = ${created.id} AND subject_type = 'service_order'`);
    const foreign = await act(created.id, { action: 'dispatch', partyMemberId: city.b.partyMember.id }, dispatcher);
    expect(foreign.statusCode).toBe(422);
    expect(await count(sql`SELECT count(*)::int AS n FROM item_events WHERE subject_id = ${created.id} AND subject_type = 'service_order'`)).toBe(eventsBefore);
    expect((await act(created.id, { action: 'dispatch', partyMemberId: city.a.partyMember.id, volunteerId }, dispatcher)).statusCode).toBe(400);
    // Party members cannot dispatch; the grid worker cannot either.
    expect((await act(created.id, { action: 'dispatch', partyMemberId: city.a.partyMember.id }, partyMember)).statusCode).toBe(403);
    expect((await act(created.id, { action: 'dispatch', partyMemberId: city.a.partyMember.id }, gridWorker)).statusCode).toBe(403);

    const dispatched = await act(created.id, { action: 'dispatch', partyMemberId: city.a.partyMember.id, note: '请中午前送达' }, dispatcher, { 'if-match': '"1"' });
    expect(dispatched.statusCode, dispatched.body).toBe(200);
    expect(dispatched.json()).toMatchObject({ status: 'dispatched', version: 2, assignee: { kind: 'party_member', id: city.a.partyMember.id } });
    expect(dispatched.headers.etag).toBe('"2"');
    // The assignee hears about it in the app, in the same transaction.
    const inbox = await t.context.database.rows<{ title: string; body: string }>(sql`SELECT title, body FROM notifications WHERE user_id = ${city.users.party_member.id}`);
    expect(inbox).toEqual([{ title: '新的服务订单', body: expect.stringContaining(created.number) }]);
    // The candidates now show the open order.
    const after = (await get(`/api/v1/service-orders/${created.id}/candidates`)).json().items as Array<{ kind: string; id: number; openOrders: number }>;
    expect(after.find((c) => c.id === city.a.partyMember.id && c.kind === 'party_member')!.openOrders).toBe(1);

    // Another party member cannot accept someone else's order.
    expect((await act(created.id, { action: 'accept' }, otherMember)).statusCode).toBe(403);
    expect((await get(`/api/v1/service-orders/${created.id}`, otherMember)).statusCode).toBe(403);
    // A stale version is refused.
    expect((await act(created.id, { action: 'accept' }, partyMember, { 'if-match': '"1"' })).json().error.code).toBe('version_conflict');

    const mine = (await get('/api/v1/my/service-orders', partyMember)).json();
    expect(mine.items.find((i: { id: number }) => i.id === created.id).allowedActions.sort()).toEqual(['accept', 'decline']);
    expect((await act(created.id, { action: 'accept' }, partyMember, { 'if-match': '"2"' })).json().status).toBe('accepted');
    expect((await get(`/api/v1/service-orders/${created.id}`, partyMember)).json().allowedActions.sort()).toEqual(['complete', 'decline']);
    // The resident cannot confirm before the work is done.
    expect((await post(`/api/v1/public/service-orders/${created.trackingToken}/confirm`, { rating: 5 }, null)).json().error.code).toBe('invalid_transition');

    const completed = await act(created.id, { action: 'complete', note: '午餐已送达，老人很满意' }, partyMember);
    expect(completed.json()).toMatchObject({ status: 'completed', completionNote: '午餐已送达，老人很满意' });
    const hours = await t.context.database.rows<{ hours: string; party_member_id: number; source_kind: string }>(sql`SELECT hours::text, party_member_id::int AS party_member_id, source_kind FROM service_hours WHERE source_id = ${created.id}`);
    expect(hours).toEqual([{ hours: expect.stringMatching(/^1\.50*$/), party_member_id: city.a.partyMember.id, source_kind: 'service_order' }]);
    expect((await act(created.id, { action: 'complete', note: '再次' }, partyMember)).statusCode).toBe(409);
    expect(await count(sql`SELECT count(*)::int AS n FROM service_hours WHERE source_id = ${created.id} AND source_kind = 'service_order'`)).toBe(1);

    const confirmed = await post(`/api/v1/public/service-orders/${created.trackingToken}/confirm`, { rating: 5, comment: '非常感谢' }, null);
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json()).toMatchObject({ status: 'confirmed', rating: 5, ratingComment: '非常感谢', canConfirm: false, canCancel: false });
    // The public timeline names roles, not staff.
    const progress = confirmed.json().progress as Array<{ action: string; by: string; note: string | null }>;
    expect(progress.map((p) => `${p.action}:${p.by}`)).toEqual(['order:resident', 'dispatch:community', 'accept:server', 'complete:server', 'confirm:resident']);
    expect(confirmed.body).not.toContain('dispatcher');
    expect(confirmed.body).not.toContain('partymember');
    expect(confirmed.body).not.toContain('请中午前送达');
    const again = await post(`/api/v1/public/service-orders/${created.trackingToken}/confirm`, { rating: 1 }, null);
    expect(again.statusCode).toBe(409);
    const [stored] = await t.context.database.rows<{ rating: number }>(sql`SELECT rating FROM service_orders WHERE id = ${created.id}`);
    expect(Number(stored.rating)).toBe(5);

    // Every step: one item event and one audit record.
    const events = await t.context.database.rows<{ action: string }>(sql`SELECT action FROM item_events WHERE subject_type = 'service_order' AND subject_id = ${created.id} ORDER BY id`);
    expect(events.map((e) => e.action)).toEqual(['order', 'dispatch', 'accept', 'complete', 'confirm']);
    const audits = await t.context.database.rows<{ action: string }>(sql`SELECT action FROM audit_log WHERE resource_type = 'service_order' AND resource_id = ${String(created.id)} ORDER BY id`);
    expect(audits.map((a) => a.action)).toEqual(['service_order.order', 'service_order.dispatch', 'service_order.accept', 'service_order.complete', 'service_order.confirm']);

    // The staff view shows the rating; the list filter finds it as confirmed.
    const detail = (await get(`/api/v1/service-orders/${created.id}`)).json();
    expect(detail).toMatchObject({ status: 'confirmed', rating: 5, ratingComment: '非常感谢', allowedActions: [] });
    expect(detail.timeline.map((e: { action: string }) => e.action)).toEqual(['order', 'dispatch', 'accept', 'complete', 'confirm']);
    expect((await get('/api/v1/service-orders?status=confirmed')).json().items.map((i: { id: number }) => i.id)).toEqual([created.id]);
  });

  it('decline returns the order to the community; re-dispatch, cancels by staff and resident', async () => {
    const created = await order();
    await act(created.id, { action: 'dispatch', partyMemberId: city.a.partyMember.id }, dispatcher);
    const declined = await act(created.id, { action: 'decline', reason: '本周出差' }, partyMember);
    expect(declined.statusCode).toBe(200);
    // Once declined it is no longer theirs to read.
    const again = await get(`/api/v1/service-orders/${created.id}`);
    expect(again.json()).toMatchObject({ status: 'ordered', assignee: null });
    expect((await get(`/api/v1/service-orders/${created.id}`, partyMember)).statusCode).toBe(403);

    await act(created.id, { action: 'dispatch', partyMemberId: otherMemberId }, dispatcher);
    const redispatched = await act(created.id, { action: 'redispatch', volunteerId }, dispatcher);
    expect(redispatched.json()).toMatchObject({ status: 'dispatched', assignee: { kind: 'volunteer', id: volunteerId, name: '陈志愿' } });
    // A volunteer without a login is served on record by the community: accept and complete credit the volunteer.
    expect((await act(created.id, { action: 'accept' }, dispatcher)).json().status).toBe('accepted');
    expect((await act(created.id, { action: 'complete', note: '已陪同' }, dispatcher)).json().status).toBe('completed');
    const [hours] = await t.context.database.rows<{ volunteer_id: number; party_member_id: number | null }>(sql`SELECT volunteer_id::int AS volunteer_id, party_member_id::int AS party_member_id FROM service_hours WHERE source_id = ${created.id}`);
    expect(hours).toEqual({ volunteer_id: volunteerId, party_member_id: null });
    expect((await post(`/api/v1/public/service-orders/${created.trackingToken}/cancel`, {}, null)).statusCode).toBe(409);

    const byResident = await order();
    const cancelled = await post(`/api/v1/public/service-orders/${byResident.trackingToken}/cancel`, { reason: '家人已经帮忙了' }, null);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', canCancel: false });
    expect((await act(byResident.id, { action: 'dispatch', partyMemberId: city.a.partyMember.id }, dispatcher)).json().error.code).toBe('invalid_transition');

    const byStaff = await order();
    expect((await act(byStaff.id, { action: 'cancel', reason: '居民电话取消' }, dispatcher)).json().status).toBe('cancelled');
    expect((await act(byStaff.id, { action: 'cancel', reason: '居民电话取消' }, gridWorker)).statusCode).toBe(409);
  });

  it('a party member no longer reported to the community can neither be assigned nor act', async () => {
    const created = await order();
    await act(created.id, { action: 'dispatch', partyMemberId: otherMemberId }, dispatcher);
    await t.context.database.db.execute(sql`UPDATE dual_registrations SET status = 'ended', ended_at = now() WHERE party_member_id = ${otherMemberId}`);
    expect((await act(created.id, { action: 'accept' }, otherMember)).statusCode).toBe(403);
    expect((await act(created.id, { action: 'redispatch', partyMemberId: otherMemberId }, dispatcher)).statusCode).toBe(422);
    expect((await get(`/api/v1/service-orders/${created.id}/candidates`)).json().items.some((c: { kind: string; id: number }) => c.kind === 'party_member' && c.id === otherMemberId)).toBe(false);
    expect((await get(`/api/v1/service-orders/${created.id}`)).json().status).toBe('dispatched');
  });

  it('reveals the resident to the dispatcher only, audited; lists and exports stay masked and scoped', async () => {
    const created = await order(mealOfferingId, '13722223333');
    const before = await count(sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'service_order.reveal'`);
    const revealed = await post(`/api/v1/service-orders/${created.id}/reveal`, { reason: '电话确认送餐时间' });
    expect(revealed.json()).toMatchObject({ residentName: '王秀英', residentPhone: '13722223333' });
    expect(await count(sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'service_order.reveal'`)).toBe(before + 1);
    expect((await post(`/api/v1/service-orders/${created.id}/reveal`, {}, gridWorker)).statusCode).toBe(403);
    expect((await post(`/api/v1/service-orders/${created.id}/reveal`, {}, partyMember)).statusCode).toBe(403);

    const list = await get(`/api/v1/service-orders?q=${encodeURIComponent('午餐')}&regionId=${city.a.community.id}&from=2020-01-01&to=2099-12-31&page=1&pageSize=2`, gridWorker);
    expect(list.statusCode).toBe(200);
    expect(list.json().pageSize).toBe(2);
    expect(list.json().total).toBeGreaterThan(2);
    expect(list.body).not.toContain('13722223333');
    expect((await get('/api/v1/service-orders', partyMember)).statusCode).toBe(403);
    expect((await get(`/api/v1/service-orders?regionId=${city.b.community.id}`, cookies.street)).json().total).toBe(0);
    const ledger = await get('/api/v1/service-orders/export.xlsx?status=ordered');
    expect(ledger.statusCode).toBe(200);
    expect(ledger.rawPayload.subarray(0, 2).toString()).toBe('PK');
    expect(ledger.rawPayload.includes(Buffer.from('13722223333'))).toBe(false);
  });
});

describe('service orders: anonymous orders are rate limited per client', () => {
  let t: TestApp;
  let city: City;
  beforeAll(async () => {
    t = await createTestApp({ intakeLimitPerClient: 2, intakeLimitWindowSeconds: 600 });
    city = await buildScopedCity(t.context.database, t.context.cipher);
  });
  afterAll(async () => t?.close());

  it('answers 429 with Retry-After after the limit, and writes nothing more', async () => {
    const cookie = await t.login('dispatcher');
    const categories = (await t.app.inject({ method: 'GET', url: '/api/v1/service-categories', headers: { cookie } })).json().items as Array<{ id: number; code: string }>;
    const offering = await t.app.inject({ method: 'POST', url: '/api/v1/service-offerings', headers: { cookie }, payload: { regionNodeId: city.a.community.id, categoryId: categories[0].id, name: '四点半课堂' } });
    const body = { placeCode: city.a.building.code, offeringId: offering.json().id, name: '李娜', phone: '13800001111' };
    const responses = [];
    for (let i = 0; i < 3; i++) responses.push(await t.app.inject({ method: 'POST', url: '/api/v1/public/service-orders', payload: body, remoteAddress: '10.0.0.9' }));
    expect(responses.map((r) => r.statusCode)).toEqual([201, 201, 429]);
    expect(responses[2].json().error.code).toBe('rate_limited');
    expect(Number(responses[2].headers['retry-after'])).toBeGreaterThan(0);
    const other = await t.app.inject({ method: 'POST', url: '/api/v1/public/service-orders', payload: body, remoteAddress: '10.0.0.10' });
    expect(other.statusCode).toBe(201);
    const [{ n }] = await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM service_orders`);
    expect(Number(n)).toBe(3);
  });
});

describe('service orders: ledgers refuse bad search words before streaming', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await buildScopedCity(t.context.database, t.context.cipher);
  });
  afterAll(async () => t?.close());

  it('a NUL in q is a 400 with the error body, for both ledgers', async () => {
    const cookie = await t.login('dispatcher');
    for (const url of ['/api/v1/service-orders/export.xlsx?q=a%00b', '/api/v1/service-offerings/export.xlsx?q=%00']) {
      const response = await t.app.inject({ method: 'GET', url, headers: { cookie } });
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.code).toBe('bad_request');
    }
  });
});
