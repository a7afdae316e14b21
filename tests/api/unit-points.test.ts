import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { awardUnitPoints } from '../../src/modules/unit-points/unit-points.ledger.ts';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;

/** 量化积分管理 (seed 001): settings and rules per community, balances with standing, ledgers, manual adjustments. */
describe('unit points (API)', () => {
  let t: TestApp;
  let city: City;
  const cookie: Record<string, string> = {};
  let units: { low: number; mid: number; high: number; edge: number };
  const as = (who: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: { cookie: cookie[who] }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const audits = async (action: string) =>
    (await t.context.database.rows<{ details: Record<string, unknown>; actor_user_id: unknown }>(sql`SELECT details, actor_user_id FROM audit_log WHERE action = ${action} ORDER BY id`)).map((a) => ({
      details: a.details,
      actor_user_id: a.actor_user_id === null ? null : Number(a.actor_user_id),
    }));
  const give = (unitId: number, points: number, sourceId: number | null = null) =>
    awardUnitPoints(t.context.database, t.context.database.db, {
      cityId: city.cityId,
      communityId: city.a.community.id,
      regionPath: city.a.community.path,
      unitId,
      event: 'manual',
      sourceKind: 'test',
      sourceId,
      points,
    });

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    const f = city.factory;
    units = {
      low: (await f.unit(city.cityId, 'resident_unit', city.a.community, '低分单位')).id,
      mid: (await f.unit(city.cityId, 'resident_unit', city.a.community, '中分单位')).id,
      high: (await f.unit(city.cityId, 'resident_unit', city.a.community, '高分单位')).id,
      edge: (await f.unit(city.cityId, 'resident_unit', city.a.community, '边界单位')).id,
    };
    // Base 80: 55 (restricted), 85 (normal), 110 (honoured), exactly 100 (normal: honoured is above the threshold).
    await give(units.low, -25);
    await give(units.mid, 5);
    await give(units.high, 30);
    await give(units.edge, 20);
    for (const name of ['dispatcher', 'unitcontact', 'cityadmin', 'gridworker', 'orgdept', 'street']) cookie[name] = await t.login(name);
  });
  afterAll(async () => t?.close());

  it('a community starts from the seed defaults (base 80, booking minimum 60, honour threshold 100)', async () => {
    const response = await as('dispatcher', 'GET', `/api/v1/unit-points/communities/${city.a.community.id}/settings`);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.isDefault).toBe(true);
    expect(body.settings).toMatchObject({ basePoints: 80, bookingMinimum: 60, honourThreshold: 100 });
    expect(body.rules.find((r: { event: string }) => r.event === 'meeting_missed')).toMatchObject({ points: -3, isDefault: true });
    expect(body.rules.some((r: { event: string }) => r.event === 'manual')).toBe(false);
    expect(body.abilities.configure).toBe(true);
    // A grid node is not a community; another city's community is not found.
    expect((await as('dispatcher', 'GET', `/api/v1/unit-points/communities/${city.a.grid.id}/settings`)).statusCode).toBe(400);
    expect((await as('cityadmin', 'GET', `/api/v1/unit-points/communities/${city.other.node.id}/settings`)).statusCode).toBe(404);
  });

  it('settings: the booking minimum must stay below the honour threshold; a refused change stores nothing', async () => {
    const url = `/api/v1/unit-points/communities/${city.a.community.id}/settings`;
    for (const bad of [
      { basePoints: 80, bookingMinimum: 100, honourThreshold: 100 },
      { basePoints: 80, bookingMinimum: 120, honourThreshold: 100 },
    ]) {
      const response = await as('dispatcher', 'PUT', url, bad);
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
      expect(response.json().error.details).toMatchObject({ bookingMinimum: bad.bookingMinimum, honourThreshold: bad.honourThreshold });
    }
    for (const bad of [{ basePoints: -1, bookingMinimum: 60, honourThreshold: 100 }, { basePoints: 80, bookingMinimum: 60 }, { basePoints: 80.5, bookingMinimum: 60, honourThreshold: 100 }]) {
      expect((await as('dispatcher', 'PUT', url, bad)).statusCode).toBe(400);
    }
    expect((await t.context.database.rows(sql`SELECT 1 FROM unit_point_settings`)).length).toBe(0);
    // Only the community and above configure; the organisation department reads.
    expect((await as('orgdept', 'PUT', url, { basePoints: 80, bookingMinimum: 60, honourThreshold: 100 })).statusCode).toBe(403);
    expect((await as('unitcontact', 'PUT', url, { basePoints: 80, bookingMinimum: 60, honourThreshold: 100 })).statusCode).toBe(403);
    expect((await as('cityadmin', 'PUT', `/api/v1/unit-points/communities/${city.b.community.id}/settings`, { basePoints: 80, bookingMinimum: 60, honourThreshold: 100 })).statusCode).toBe(200);
    expect((await as('dispatcher', 'PUT', `/api/v1/unit-points/communities/${city.b.community.id}/settings`, { basePoints: 80, bookingMinimum: 60, honourThreshold: 100 })).statusCode).toBe(403);

    const ok = await as('dispatcher', 'PUT', url, { basePoints: 80, bookingMinimum: 60, honourThreshold: 100 });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ isDefault: false, settings: { basePoints: 80, bookingMinimum: 60, honourThreshold: 100, updatedByName: 'dispatcher' } });
    const [audit] = (await audits('unit_points.settings_update')).filter((a) => (a.details.after as { basePoints: number }).basePoints === 80 && a.actor_user_id === city.users.dispatcher.id);
    expect(audit.details).toMatchObject({ before: null, after: { bookingMinimum: 60, honourThreshold: 100 } });
  });

  it('rules: one per event, points within ±100; awards follow the community rule', async () => {
    const url = `/api/v1/unit-points/communities/${city.a.community.id}/rules`;
    expect((await as('dispatcher', 'PUT', url, { rules: [{ event: 'activity_served', points: 3 }, { event: 'activity_served', points: 4 }] })).statusCode).toBe(400);
    expect((await as('dispatcher', 'PUT', url, { rules: [{ event: 'activity_served', points: 101 }] })).statusCode).toBe(400);
    expect((await as('dispatcher', 'PUT', url, { rules: [{ event: 'manual', points: 5 }] })).statusCode).toBe(400);
    expect((await as('dispatcher', 'PUT', url, { rules: [] })).statusCode).toBe(400);
    expect((await t.context.database.rows(sql`SELECT 1 FROM unit_point_rules`)).length).toBe(0);

    const ok = await as('dispatcher', 'PUT', url, { rules: [{ event: 'activity_served', points: 5 }, { event: 'meeting_missed', points: -10, active: true }, { event: 'post_served', points: 4, active: false }] });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().rules.find((r: { event: string }) => r.event === 'activity_served')).toMatchObject({ points: 5, isDefault: false });
    expect((await audits('unit_points.rules_update')).length).toBe(1);

    const extra = (await city.factory.unit(city.cityId, 'resident_unit', city.a.community, '规则单位')).id;
    const award = (event: 'activity_served' | 'post_served' | 'service_claimed', sourceId: number) =>
      awardUnitPoints(t.context.database, t.context.database.db, { cityId: city.cityId, communityId: city.a.community.id, regionPath: city.a.community.path, unitId: extra, event, sourceKind: 'activity_signup', sourceId });
    expect(await award('activity_served', 1)).toBe(5);
    expect(await award('activity_served', 1)).toBe(0); // the same source never counts twice
    expect(await award('post_served', 2)).toBe(0); // inactive rule
    expect(await award('service_claimed', 3)).toBe(3); // no rule: the default
    const ledger = await as('dispatcher', 'GET', `/api/v1/unit-points/units/${extra}/entries?communityId=${city.a.community.id}`);
    expect(ledger.json()).toMatchObject({ balance: 88, standing: 'normal', total: 2 });
  });

  it('balances carry the standing: restricted below 60, honoured only above 100; search, filters and pages', async () => {
    const list = async (query: string, who = 'dispatcher') => {
      const response = await as(who, 'GET', `/api/v1/unit-points/balances?${query}`);
      expect(response.statusCode).toBe(200);
      return response.json() as { items: Array<{ unitId: number; balance: number; standing: string; unitName: string }>; total: number; page: number; pageSize: number };
    };
    const all = await list(`communityId=${city.a.community.id}&pageSize=200`);
    const byUnit = new Map(all.items.map((i) => [i.unitId, i]));
    expect(byUnit.get(units.low)).toMatchObject({ balance: 55, standing: 'restricted' });
    expect(byUnit.get(units.mid)).toMatchObject({ balance: 85, standing: 'normal' });
    expect(byUnit.get(units.high)).toMatchObject({ balance: 110, standing: 'honoured' });
    expect(byUnit.get(units.edge)).toMatchObject({ balance: 100, standing: 'normal' });
    // The factory's own resident unit has no entries: the base.
    expect(byUnit.get(city.a.residentUnit.id)).toMatchObject({ balance: 80, standing: 'normal' });
    expect(all.items.map((i) => i.balance)).toEqual([...all.items.map((i) => i.balance)].sort((x, y) => y - x));

    const honours = await list('standing=honoured');
    expect(honours.items.map((i) => i.unitId)).toEqual([units.high]);
    expect((await list('standing=restricted')).items.map((i) => i.unitId)).toEqual([units.low]);
    expect((await list(`q=${encodeURIComponent('高分')}`)).items.map((i) => i.unitId)).toEqual([units.high]);
    const paged = await list(`communityId=${city.a.community.id}&pageSize=2&page=2`);
    expect(paged).toMatchObject({ page: 2, pageSize: 2, total: all.total });
    expect(paged.items.map((i) => i.unitId)).toEqual(all.items.slice(2, 4).map((i) => i.unitId));
    // Side B is outside the dispatcher's community; the city administrator sees both.
    expect((await list('pageSize=200')).items.some((i) => i.unitId === city.b.residentUnit.id)).toBe(false);
    expect((await list('pageSize=200', 'cityadmin')).items.some((i) => i.unitId === city.b.residentUnit.id)).toBe(true);
    expect((await as('gridworker', 'GET', '/api/v1/unit-points/balances')).statusCode).toBe(403);
    expect((await as('dispatcher', 'GET', '/api/v1/unit-points/balances?standing=excellent')).statusCode).toBe(400);

    const xlsx = await as('dispatcher', 'GET', '/api/v1/unit-points/balances/export.xlsx?standing=honoured');
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as never);
    const sheet = workbook.worksheets[0];
    expect(sheet.getRow(1).getCell(1).value).toBe('单位');
    expect(sheet.rowCount).toBe(2);
    expect(sheet.getRow(2).getCell(1).value).toBe('高分单位');
    expect(sheet.getRow(2).getCell(3).value).toBe(110);
    // Words the database refuses (a NUL byte) answer 400 before the Excel stream starts, not a broken download.
    for (const url of ['/api/v1/unit-points/balances/export.xlsx?q=a%00b', `/api/v1/unit-points/units/${units.high}/entries/export.xlsx?communityId=${city.a.community.id}&q=%00`]) {
      const refused = await as('dispatcher', 'GET', url);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error.code).toBe('bad_request');
    }
  });

  it('manual adjustments need a note and a non-zero amount, move the balance and are audited', async () => {
    const url = `/api/v1/unit-points/units/${units.mid}/adjustments`;
    const community = city.a.community.id;
    expect((await as('dispatcher', 'POST', url, { communityId: community, points: 5 })).statusCode).toBe(400);
    expect((await as('dispatcher', 'POST', url, { communityId: community, points: 5, note: '  ' })).statusCode).toBe(400);
    expect((await as('dispatcher', 'POST', url, { communityId: community, points: 0, note: '无变化' })).statusCode).toBe(400);
    expect((await as('dispatcher', 'POST', url, { communityId: community, points: 101, note: '太多' })).statusCode).toBe(400);
    expect((await as('unitcontact', 'POST', url, { communityId: community, points: 5, note: '自己加分' })).statusCode).toBe(403);
    expect((await as('orgdept', 'POST', url, { communityId: community, points: 5, note: '组织部加分' })).statusCode).toBe(403);
    // A unit of side B is not a unit of A's community.
    expect((await as('cityadmin', 'POST', `/api/v1/unit-points/units/${city.b.residentUnit.id}/adjustments`, { communityId: community, points: 5, note: '跨社区' })).statusCode).toBe(400);
    expect((await t.context.database.rows(sql`SELECT 1 FROM unit_point_entries WHERE unit_id = ${units.mid} AND event = 'manual' AND source_kind = 'manual_adjustment'`)).length).toBe(0);

    const ok = await as('dispatcher', 'POST', url, { communityId: community, points: 20, note: '组织重阳节志愿服务' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ balance: 105, standing: 'honoured', unitId: units.mid });
    const [audit] = await audits('unit_points.adjust');
    expect(audit.details).toMatchObject({ points: 20, note: '组织重阳节志愿服务', balance: 105, communityId: community });
    expect(audit.actor_user_id).toBe(city.users.dispatcher.id);
    const minus = await as('dispatcher', 'POST', url, { communityId: community, points: -50, note: '缺席三次联席会议' });
    expect(minus.json()).toMatchObject({ balance: 55, standing: 'restricted' });

    const ledger = (await as('dispatcher', 'GET', `/api/v1/unit-points/units/${units.mid}/entries?communityId=${community}&event=manual`)).json();
    expect(ledger.items.filter((e: { sourceKind: string }) => e.sourceKind === 'manual_adjustment').map((e: { points: number; note: string; createdByName: string }) => [e.points, e.note, e.createdByName])).toEqual([
      [-50, '缺席三次联席会议', 'dispatcher'],
      [20, '组织重阳节志愿服务', 'dispatcher'],
    ]);
    const searched = (await as('dispatcher', 'GET', `/api/v1/unit-points/units/${units.mid}/entries?communityId=${community}&q=${encodeURIComponent('重阳')}`)).json();
    expect(searched.total).toBe(1);
    const xlsx = await as('dispatcher', 'GET', `/api/v1/unit-points/units/${units.mid}/entries/export.xlsx?communityId=${community}`);
    expect(xlsx.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as never);
    expect(workbook.worksheets[0].rowCount).toBe(1 + 3);
  });

  it("a unit's liaison sees its own unit's balance and ledger, and no other unit's", async () => {
    const own = city.a.residentUnit.id;
    const community = city.a.community.id;
    const list = await as('unitcontact', 'GET', '/api/v1/unit-points/balances?pageSize=200');
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((i: { unitId: number }) => i.unitId)).toEqual([own]);
    expect(list.json().items[0].canAdjust).toBe(false);
    const ledger = await as('unitcontact', 'GET', `/api/v1/unit-points/units/${own}/entries?communityId=${community}`);
    expect(ledger.statusCode).toBe(200);
    expect(ledger.json()).toMatchObject({ unit: { id: own }, balance: 80, canAdjust: false });
    expect((await as('unitcontact', 'GET', `/api/v1/unit-points/units/${units.high}/entries?communityId=${community}`)).statusCode).toBe(403);
    // Rules and settings are the community's: the liaison reads its balance, not the configuration.
    expect((await as('unitcontact', 'GET', `/api/v1/unit-points/communities/${community}/settings`)).statusCode).toBe(403);
  });
});
