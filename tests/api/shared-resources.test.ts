import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { awardUnitPoints } from '../../src/modules/unit-points/unit-points.ledger.ts';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;
const HOUR = 3600_000;

/** 区域资源清单 (seed 001): resources, bookings guarded by points and by the database's exclusion constraint, approvals. */
describe('shared resources (API)', () => {
  let t: TestApp;
  let city: City;
  const cookie: Record<string, string> = {};
  /** A second resident unit of A's community with its own liaison (not the owner of the venue). */
  let otherUnit: number;
  let venue: number; // owned by A's resident unit, bookings need approval
  let parking: number; // the community's own, booked at once
  /** Whole hours from two days ahead, so no period is ever in the past. */
  const base = Math.ceil((Date.now() + 48 * HOUR) / HOUR) * HOUR;
  const at = (hours: number) => new Date(base + hours * HOUR).toISOString();
  const as = (who: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: { cookie: cookie[who] }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const bookAs = (who: string, resource: number, fromHours: number, toHours: number, extra: Record<string, unknown> = {}) =>
    as(who, 'POST', `/api/v1/shared-resources/${resource}/bookings`, { from: at(fromHours), to: at(toHours), purpose: '党员活动日', ...extra });
  const setBalance = async (unitId: number, balance: number) => {
    const [{ total }] = await t.context.database.rows<{ total: number }>(sql`SELECT coalesce(sum(points), 0)::int AS total FROM unit_point_entries WHERE unit_id = ${unitId}`);
    const delta = balance - 80 - Number(total);
    if (delta) {
      await awardUnitPoints(t.context.database, t.context.database.db, { cityId: city.cityId, communityId: city.a.community.id, regionPath: city.a.community.path, unitId, event: 'manual', sourceKind: 'test', sourceId: null, points: delta });
    }
  };
  const liveCount = async (resource: number) =>
    Number((await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM resource_bookings WHERE resource_id = ${resource} AND status IN ('pending','approved')`))[0].n);

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    otherUnit = (await city.factory.unit(city.cityId, 'resident_unit', city.a.community, '第二驻区单位')).id;
    await city.factory.user(city.cityId, 'unitcontact2', 'unit_contact', { regionNodeId: city.a.community.id, unitId: otherUnit });
    for (const name of ['dispatcher', 'unitcontact', 'unitcontact2', 'cityadmin', 'gridworker', 'partymember', 'orgdept']) cookie[name] = await t.login(name);
  });
  afterAll(async () => t?.close());

  it('community staff add resources of the community and of its units; others cannot', async () => {
    const body = { communityId: city.a.community.id, ownerUnitId: city.a.residentUnit.id, kind: 'venue', name: '单位会议厅', location: '遵义路 8 号', terms: 'low_cost', priceNote: '每场 50 元水电费', requiresApproval: true, capacity: 80 };
    expect((await as('unitcontact', 'POST', '/api/v1/shared-resources', body)).statusCode).toBe(403);
    expect((await as('gridworker', 'POST', '/api/v1/shared-resources', body)).statusCode).toBe(403);
    expect((await as('dispatcher', 'POST', '/api/v1/shared-resources', { ...body, communityId: city.b.community.id, ownerUnitId: null })).statusCode).toBe(403);
    // The owner must be a unit of that community.
    expect((await as('cityadmin', 'POST', '/api/v1/shared-resources', { ...body, ownerUnitId: city.b.residentUnit.id })).statusCode).toBe(400);
    expect((await as('dispatcher', 'POST', '/api/v1/shared-resources', { ...body, kind: 'castle' })).statusCode).toBe(400);

    const created = await as('dispatcher', 'POST', '/api/v1/shared-resources', body);
    expect(created.statusCode).toBe(200);
    venue = created.json().id;
    expect(created.json()).toMatchObject({ ownerUnitName: expect.any(String), terms: 'low_cost', priceNote: '每场 50 元水电费', requiresApproval: true, active: true });
    const free = await as('dispatcher', 'POST', '/api/v1/shared-resources', { communityId: city.a.community.id, kind: 'parking', name: '社区夜间停车位', terms: 'free', priceNote: '不收费也写了', requiresApproval: false });
    parking = free.json().id;
    expect(free.json()).toMatchObject({ ownerUnitId: null, priceNote: null });
    const audits = await t.context.database.rows(sql`SELECT 1 FROM audit_log WHERE action = 'shared_resource.create'`);
    expect(audits.length).toBe(2);

    const list = await as('partymember', 'GET', '/api/v1/shared-resources?kind=venue');
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((r: { id: number }) => r.id)).toEqual([venue]);
    expect((await as('unitcontact', 'GET', `/api/v1/shared-resources?q=${encodeURIComponent('停车')}`)).json().total).toBe(1);
    // A community's resources carry the community's path: roles placed below it (a grid) do not reach them.
    expect((await as('gridworker', 'GET', '/api/v1/shared-resources')).json().total).toBe(0);
    const xlsx = await as('dispatcher', 'GET', '/api/v1/shared-resources/export.xlsx?terms=free');
    expect(xlsx.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as never);
    expect(workbook.worksheets[0].rowCount).toBe(2);
    expect(workbook.worksheets[0].getRow(2).getCell(1).value).toBe('社区夜间停车位');
  });

  it('the owner unit liaison edits its own resource; another unit liaison cannot', async () => {
    expect((await as('unitcontact2', 'PATCH', `/api/v1/shared-resources/${venue}`, { capacity: 60 })).statusCode).toBe(403);
    const ok = await as('unitcontact', 'PATCH', `/api/v1/shared-resources/${venue}`, { capacity: 60 });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().capacity).toBe(60);
    expect(ok.json().abilities).toMatchObject({ edit: true, approve: true, book: true });
    expect((await as('unitcontact', 'PATCH', `/api/v1/shared-resources/${parking}`, { capacity: 5 })).statusCode).toBe(403);
  });

  it('a unit at 59 points cannot book (403 with its balance and the minimum); at 60 it can', async () => {
    await setBalance(otherUnit, 59);
    const refused = await bookAs('unitcontact2', parking, 0, 2);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: 'forbidden', details: { reason: 'points_below_booking_minimum', balance: 59, bookingMinimum: 60, unitId: otherUnit } });
    expect(await liveCount(parking)).toBe(0);
    // Staff booking for that unit are refused the same way.
    expect((await bookAs('dispatcher', parking, 0, 2, { unitId: otherUnit })).json().error.details).toMatchObject({ balance: 59 });
    // The detail tells the liaison before it tries.
    expect((await as('unitcontact2', 'GET', `/api/v1/shared-resources/${parking}`)).json().myUnits).toEqual([expect.objectContaining({ unitId: otherUnit, balance: 59, mayBook: false, standing: 'restricted' })]);

    await setBalance(otherUnit, 60);
    const booked = await bookAs('unitcontact2', parking, 0, 2);
    expect(booked.statusCode).toBe(200);
    expect(booked.json()).toMatchObject({ status: 'approved', bookerUnitId: otherUnit, bookerLabel: '第二驻区单位', from: at(0), to: at(2) });
    expect(booked.json().timeline.map((e: { action: string; toStatus: string }) => [e.action, e.toStatus])).toEqual([['book', 'approved']]);
    const [audit] = await t.context.database.rows<{ details: Record<string, unknown> }>(sql`SELECT details FROM audit_log WHERE action = 'shared_resource.book' AND resource_id = ${String(booked.json().id)}`);
    expect(audit.details).toMatchObject({ bookerUnitId: otherUnit, status: 'approved' });
    // The liaison books for its own unit only; community staff may book for the community itself.
    expect((await bookAs('unitcontact', parking, 30, 31, { unitId: otherUnit })).statusCode).toBe(403);
    const community = await bookAs('dispatcher', parking, 30, 31);
    expect(community.json()).toMatchObject({ bookerUnitId: null, status: 'approved' });
    expect((await bookAs('gridworker', parking, 40, 41)).statusCode).toBe(403);
    // The booking minimum follows the community's settings.
    await t.context.database.rows(sql`INSERT INTO unit_point_settings (city_id, community_id, region_path, base_points, booking_minimum, honour_threshold) VALUES (${city.cityId}, ${city.a.community.id}, ${city.a.community.path}, 80, 61, 100)`);
    expect((await bookAs('unitcontact2', parking, 50, 51)).json().error.details).toMatchObject({ balance: 60, bookingMinimum: 61 });
    await t.context.database.rows(sql`DELETE FROM unit_point_settings WHERE community_id = ${city.a.community.id}`);
  });

  it('an overlapping booking is refused by the database with 409 and the clashing period; back-to-back is fine', async () => {
    const first = await bookAs('unitcontact', parking, 10, 12);
    expect(first.statusCode).toBe(200);
    for (const [from, to] of [[10, 12], [11, 13], [9, 11], [10.5, 11.5], [9, 13]]) {
      const clash = await bookAs('unitcontact2', parking, from, to);
      expect(clash.statusCode).toBe(409);
      expect(clash.json().error).toMatchObject({ code: 'conflict', details: { reason: 'period_taken', clashes: [{ bookingId: first.json().id, from: at(10), to: at(12), status: 'approved' }] } });
    }
    // [from, to) is half-open: a booking may start when the previous one ends.
    expect((await bookAs('unitcontact2', parking, 12, 14)).statusCode).toBe(200);
    expect((await bookAs('unitcontact2', parking, 8, 10)).statusCode).toBe(200);
    // Another resource at the same time is free.
    expect((await bookAs('dispatcher', venue, 10, 12)).statusCode).toBe(200);
    expect(await t.context.database.rows(sql`SELECT 1 FROM resource_bookings WHERE resource_id = ${parking} AND lower(period) = ${at(11)}::timestamptz`)).toHaveLength(0);
  });

  it('concurrent overlapping bookings: exactly one wins, the others get 409', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 6 }, (_, i) => bookAs(i % 2 ? 'unitcontact' : 'unitcontact2', parking, 20 + (i % 3) * 0.25, 22 + (i % 3) * 0.25)),
    );
    const statuses = attempts.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409]);
    const rows = await t.context.database.rows(sql`SELECT id FROM resource_bookings WHERE resource_id = ${parking} AND period && tstzrange(${at(20)}::timestamptz, ${at(23)}::timestamptz) AND status IN ('pending','approved')`);
    expect(rows).toHaveLength(1);
  });

  it('the constraint holds against a raw INSERT that bypasses the service; closed bookings do not hold the period', async () => {
    const insert = (status: string) =>
      t.context.database.rows(sql`INSERT INTO resource_bookings (city_id, resource_id, region_path, booker_label, purpose, period, status)
        VALUES (${city.cityId}, ${parking}, ${city.a.community.path}, 'raw', 'raw', tstzrange(${at(10.5)}::timestamptz, ${at(11)}::timestamptz, '[)'), ${status})`);
    let code: string | undefined;
    try {
      await insert('pending');
    } catch (error) {
      const e = error as { code?: string; cause?: { code?: string } };
      code = e.cause?.code ?? e.code;
    }
    expect(code).toBe('23P01');
    await insert('cancelled');
    await insert('rejected');
    expect(await t.context.database.rows(sql`SELECT 1 FROM resource_bookings WHERE booker_label = 'raw'`)).toHaveLength(2);
  });

  it('periods: start before end, at most 7 days, not in the past; inactive resources take no bookings', async () => {
    const expect400 = async (from: string, to: string) => {
      const response = await as('unitcontact', 'POST', `/api/v1/shared-resources/${parking}/bookings`, { from, to, purpose: '测试' });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
    };
    await expect400(at(100), at(100));
    await expect400(at(101), at(100));
    await expect400(at(100), at(100 + 7 * 24 + 1));
    await expect400(new Date(Date.now() - 2 * HOUR).toISOString(), new Date(Date.now() + HOUR).toISOString());
    await expect400('2026-13-01T00:00:00Z', at(100));
    expect((await bookAs('unitcontact', parking, 100, 100 + 7 * 24)).statusCode).toBe(200);

    expect((await as('dispatcher', 'PATCH', `/api/v1/shared-resources/${parking}`, { active: false })).statusCode).toBe(200);
    const closed = await bookAs('unitcontact', parking, 300, 301);
    expect(closed.statusCode).toBe(409);
    expect((await as('dispatcher', 'PATCH', `/api/v1/shared-resources/${parking}`, { active: true })).json().timeline.map((e: { action: string }) => e.action)).toEqual(['create', 'withdraw', 'reopen']);
  });

  it('approval: pending until the owner decides; another owner cannot approve; each step is an event and an audit record', async () => {
    const pending = await bookAs('unitcontact2', venue, 40, 42);
    expect(pending.json()).toMatchObject({ status: 'pending', allowedActions: ['cancel'] });
    const id = pending.json().id;
    // It holds the period while pending.
    expect((await bookAs('dispatcher', venue, 41, 43)).statusCode).toBe(409);

    expect((await as('unitcontact2', 'POST', `/api/v1/resource-bookings/${id}/approve`, {})).statusCode).toBe(403);
    expect((await as('gridworker', 'POST', `/api/v1/resource-bookings/${id}/approve`, {})).statusCode).toBe(403);
    const queue = await as('unitcontact', 'GET', '/api/v1/resource-bookings?toDecide=true');
    expect(queue.json().items.map((b: { id: number }) => b.id)).toContain(id);
    expect((await as('unitcontact2', 'GET', '/api/v1/resource-bookings?toDecide=true')).json().total).toBe(0);
    expect((await as('unitcontact', 'GET', `/api/v1/resource-bookings/${id}`)).json().allowedActions.sort()).toEqual(['approve', 'reject']);

    const approved = await as('unitcontact', 'POST', `/api/v1/resource-bookings/${id}/approve`, { note: '欢迎使用' });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved', decisionNote: '欢迎使用', decidedByName: 'unitcontact' });
    const again = await as('dispatcher', 'POST', `/api/v1/resource-bookings/${id}/approve`, {});
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('invalid_transition');

    // Rejection needs a reason and frees the period.
    const second = (await bookAs('unitcontact2', venue, 50, 52)).json().id;
    expect((await as('unitcontact', 'POST', `/api/v1/resource-bookings/${second}/reject`, {})).statusCode).toBe(400);
    const rejected = await as('dispatcher', 'POST', `/api/v1/resource-bookings/${second}/reject`, { note: '当天单位自用' });
    expect(rejected.json()).toMatchObject({ status: 'rejected' });
    expect((await as('unitcontact2', 'POST', `/api/v1/resource-bookings/${second}/cancel`, {})).statusCode).toBe(409);
    expect((await bookAs('unitcontact2', venue, 50, 52)).statusCode).toBe(200);

    // Cancel: the booker or the community, not another unit; it frees the period.
    expect((await as('unitcontact', 'POST', `/api/v1/resource-bookings/${id}/cancel`, {})).statusCode).toBe(403);
    const cancelled = await as('unitcontact2', 'POST', `/api/v1/resource-bookings/${id}/cancel`, { note: '活动改期' });
    expect(cancelled.json().status).toBe('cancelled');
    expect(cancelled.json().timeline.map((e: { action: string; fromStatus: string | null; toStatus: string }) => [e.action, e.fromStatus, e.toStatus])).toEqual([
      ['book', null, 'pending'],
      ['approve', 'pending', 'approved'],
      ['cancel', 'approved', 'cancelled'],
    ]);
    expect((await bookAs('dispatcher', venue, 40, 42)).statusCode).toBe(200);
    const actions = (await t.context.database.rows<{ action: string }>(sql`SELECT action FROM audit_log WHERE resource_type = 'resource_booking' AND resource_id = ${String(id)} ORDER BY id`)).map((r) => r.action);
    expect(actions).toEqual(['shared_resource.book', 'shared_resource.booking_approve', 'shared_resource.booking_cancel']);
  });

  it('the week calendar lists the bookings of a period in order; lists filter and export', async () => {
    const calendar = await as('partymember', 'GET', `/api/v1/shared-resources/${parking}/bookings?from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(24))}`);
    expect(calendar.statusCode).toBe(200);
    const periods = calendar.json().items.map((b: { from: string; to: string }) => [b.from, b.to]);
    expect(periods).toEqual([...periods].sort((x: string[], y: string[]) => x[0].localeCompare(y[0])));
    expect(periods).toContainEqual([at(8), at(10)]);
    expect(periods).toContainEqual([at(10), at(12)]);
    expect(calendar.json().items.every((b: { status: string }) => ['pending', 'approved'].includes(b.status))).toBe(true);
    const defaultWeek = await as('dispatcher', 'GET', `/api/v1/shared-resources/${parking}/bookings`);
    expect(new Date(defaultWeek.json().to).getTime() - new Date(defaultWeek.json().from).getTime()).toBe(7 * 24 * HOUR);
    expect((await as('dispatcher', 'GET', `/api/v1/shared-resources/${parking}/bookings?from=${encodeURIComponent(at(24))}&to=${encodeURIComponent(at(0))}`)).statusCode).toBe(400);
    expect((await as('unitcontact', 'GET', `/api/v1/shared-resources/${parking}/bookings?from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(24 * 70))}`)).statusCode).toBe(400);

    const rejected = await as('dispatcher', 'GET', '/api/v1/resource-bookings?status=rejected');
    expect(rejected.json().total).toBe(2); // the one rejected above and the raw row
    expect(rejected.json().items.every((b: { status: string }) => b.status === 'rejected')).toBe(true);
    expect((await as('dispatcher', 'GET', `/api/v1/resource-bookings?unitId=${otherUnit}&q=${encodeURIComponent('党员')}&pageSize=2`)).json()).toMatchObject({ pageSize: 2, items: expect.any(Array) });
    expect((await as('cityadmin', 'GET', '/api/v1/resource-bookings?regionId=' + city.b.community.id)).json().total).toBe(0);
    const xlsx = await as('dispatcher', 'GET', `/api/v1/resource-bookings/export.xlsx?resourceId=${venue}`);
    expect(xlsx.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as never);
    const venueBookings = (await as('dispatcher', 'GET', `/api/v1/resource-bookings?resourceId=${venue}&pageSize=200`)).json().total;
    expect(workbook.worksheets[0].rowCount).toBe(1 + venueBookings);
    expect(workbook.worksheets[0].getRow(1).getCell(1).value).toBe('资源');
    // Words the database refuses (a NUL byte) answer 400 before the Excel stream starts.
    for (const url of ['/api/v1/resource-bookings/export.xlsx?q=a%00b', '/api/v1/shared-resources/export.xlsx?q=%00']) {
      const refused = await as('dispatcher', 'GET', url);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error.code).toBe('bad_request');
    }
  });
});
