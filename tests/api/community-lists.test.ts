import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertDefaultCategories } from '../../src/modules/cases/case-categories.repository.ts';
import { intakeCase } from '../../src/modules/cases/intake.command.ts';
import { quarterOf } from '../../src/modules/community-lists/community-lists.service.ts';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;

describe('three lists (三张清单): needs, quarterly problems, services', () => {
  let t: TestApp;
  let city: City;
  const cookies: Record<string, string> = {};
  /** B's resident unit, with its own liaison 'unitcontactb'. */
  let outsideUnitId: number;

  const as = (user: string) => ({ cookie: cookies[user] });
  const post = (user: string, url: string, payload: unknown) => t.app.inject({ method: 'POST', url, headers: as(user), payload: payload as never });
  const get = (user: string, url: string) => t.app.inject({ method: 'GET', url, headers: as(user) });
  const create = async (user: string, payload: Record<string, unknown>) => {
    const response = await post(user, '/api/v1/community-lists', payload);
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { id: number; status: string; allowedActions: string[]; posterName: string | null; posterPhone: string | null; source: string; regionNodeId: number; posterUnitId: number | null };
  };
  const act = (user: string, id: number, action: string, note?: string) => post(user, `/api/v1/community-lists/${id}/actions`, { action, ...(note ? { note } : {}) });
  const count = async (query: ReturnType<typeof sql>) => Number((await t.context.database.rows<{ n: number }>(query))[0].n);

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    await insertDefaultCategories(t.context.database, t.context.database.db, city.cityId);
    for (const user of ['dispatcher', 'gridworker', 'unitcontact', 'partymember', 'water', 'street', 'cityadmin', 'buildinghead']) cookies[user] = await t.login(user);
    outsideUnitId = city.b.residentUnit.id;
    await city.factory.user(city.cityId, 'unitcontactb', 'unit_contact', { regionNodeId: city.b.community.id, unitId: outsideUnitId });
    cookies.unitcontactb = await t.login('unitcontactb');
  });
  afterAll(async () => t?.close());

  it('a grid worker records a resident need in the grid: listed under the community, name and phone masked, visible to the community', async () => {
    const need = await create('gridworker', { listKind: 'need', regionId: city.a.grid.id, title: '独居老人需要助餐', description: '3栋王奶奶行动不便', posterName: '王秀英', posterPhone: '13912345678', category: 'elderly' });
    expect(need).toMatchObject({ source: 'grid_worker', regionNodeId: city.a.community.id, posterName: '王**', posterPhone: '139****5678' });
    const list = (await get('dispatcher', `/api/v1/community-lists?listKind=need&q=${encodeURIComponent('助餐')}`)).json();
    expect(list.items.map((i: { id: number }) => i.id)).toContain(need.id);
    expect(JSON.stringify(list)).not.toContain('13912345678');
    expect(JSON.stringify(list)).not.toContain('王秀英');
    const detail = (await get('dispatcher', `/api/v1/community-lists/${need.id}`)).json();
    expect(detail.timeline).toMatchObject([{ action: 'post', toStatus: 'posted' }]);
    expect(detail.allowedActions).toEqual(['withdraw']);
    const [audit] = await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'community_list.post' AND resource_id = ${String(need.id)}`);
    expect(Number(audit.n)).toBe(1);
  });

  it("a resident unit posts its own need in its community; it cannot post the community's or another community's", async () => {
    const need = await create('unitcontact', { listKind: 'need', regionId: city.a.community.id, title: '单位停车位不足' });
    expect(need).toMatchObject({ source: 'resident_unit', posterUnitId: city.a.residentUnit.id });
    expect((await post('unitcontact', '/api/v1/community-lists', { listKind: 'need', regionId: city.a.community.id, title: '社区需求', source: 'community' })).statusCode).toBe(403);
    expect((await post('unitcontact', '/api/v1/community-lists', { listKind: 'need', regionId: city.b.community.id, title: '外社区' })).statusCode).toBe(403);
    expect((await post('unitcontact', '/api/v1/community-lists', { listKind: 'service', regionId: city.a.community.id, title: '服务' })).statusCode).toBe(403);
    // Its own need: it may withdraw it but not claim it.
    const detail = (await get('unitcontact', `/api/v1/community-lists/${need.id}`)).json();
    expect(detail.allowedActions).toEqual(['withdraw']);
    expect((await act('unitcontact', need.id, 'claim')).statusCode).toBe(403);
  });

  it('a need from a case: only for a case the actor may read', async () => {
    const intake = await intakeCase(t.context, null, { channel: 'qr', placeCode: city.a.building.code, categoryCode: 'noise', description: '楼下广场舞噪音太大', reporterPhone: '13800138000', consent: true } as never, { ip: null, userAgent: null });
    const need = await create('dispatcher', { listKind: 'need', regionId: city.a.community.id, title: '广场舞噪音', caseId: intake.id });
    expect(need).toMatchObject({ source: 'case', posterPhone: '138****8000' });
    const outside = await intakeCase(t.context, null, { channel: 'qr', placeCode: city.b.building.code, categoryCode: 'noise', description: '别处的噪音' } as never, { ip: null, userAgent: null });
    expect((await post('dispatcher', '/api/v1/community-lists', { listKind: 'need', regionId: city.a.community.id, title: '别处', caseId: outside.id })).statusCode).toBe(403);
    expect((await post('dispatcher', '/api/v1/community-lists', { listKind: 'need', regionId: city.a.community.id, title: '无此工单', caseId: 2 ** 40 })).statusCode).toBe(404);
  });

  it('a service item is claimed once: the second claim is 409, a unit outside the community gets 403', async () => {
    const item = await create('dispatcher', { listKind: 'service', regionId: city.a.community.id, title: '周末义诊' });
    expect((await act('unitcontactb', item.id, 'claim')).statusCode).toBe(403);
    const first = await act('unitcontact', item.id, 'claim');
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ status: 'claimed', claimedByUnitId: city.a.residentUnit.id, pointsAwarded: 3 });
    const second = await act('water', item.id, 'claim');
    expect(second.statusCode).toBe(409);
    expect(second.json().error.code).toBe('conflict');
    expect((await act('unitcontact', item.id, 'claim')).statusCode).toBe(409);
    const claims = await count(sql`SELECT count(*)::int AS n FROM item_events WHERE subject_type = 'list_item' AND subject_id = ${item.id} AND action = 'claim'`);
    expect(claims).toBe(1);
  });

  it('two simultaneous claims: exactly one wins', async () => {
    const item = await create('dispatcher', { listKind: 'service', regionId: city.a.community.id, title: '同时认领' });
    const results = await Promise.all([act('water', item.id, 'claim'), act('partymember', item.id, 'claim')]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const [row] = await t.context.database.rows<{ status: string; events: number }>(sql`SELECT status, (SELECT count(*)::int FROM item_events WHERE subject_type = 'list_item' AND subject_id = ${item.id} AND action = 'claim') AS events FROM community_list_items WHERE id = ${item.id}`);
    expect({ status: row.status, events: Number(row.events) }).toEqual({ status: 'claimed', events: 1 });
  });

  it('delivery earns the unit its points once; release and re-claim do not count twice; the community closes', async () => {
    const balance = () => count(sql`SELECT coalesce(sum(points), 0)::int AS n FROM unit_point_entries WHERE unit_id = ${city.a.residentUnit.id}`);
    const before = await balance();
    const item = await create('dispatcher', { listKind: 'need', regionId: city.a.community.id, title: '楼道灯坏了' });
    expect((await act('unitcontact', item.id, 'claim')).json().pointsAwarded).toBe(3);
    expect((await act('unitcontact', item.id, 'release', '人手不足')).json().status).toBe('posted');
    expect((await act('unitcontact', item.id, 'claim')).json().pointsAwarded).toBe(0);
    expect((await act('unitcontact', item.id, 'deliver')).statusCode).toBe(400); // a delivery says what was done
    expect((await act('partymember', item.id, 'deliver', '不是我认领的')).statusCode).toBe(403);
    const delivered = await act('unitcontact', item.id, 'deliver', '已更换灯泡');
    expect(delivered.json()).toMatchObject({ status: 'delivered', deliveryNote: '已更换灯泡', pointsAwarded: 3 });
    expect(await balance()).toBe(before + 6);
    expect((await act('unitcontact', item.id, 'close')).statusCode).toBe(403);
    expect((await act('dispatcher', item.id, 'close')).json().status).toBe('closed');
    expect((await act('dispatcher', item.id, 'deliver', '再来一次')).statusCode).toBe(409);
    expect(await balance()).toBe(before + 6);
    const detail = (await get('dispatcher', `/api/v1/community-lists/${item.id}`)).json();
    expect(detail.timeline.map((e: { action: string }) => e.action)).toEqual(['post', 'claim', 'release', 'claim', 'deliver', 'close']);
    expect(detail.allowedActions).toEqual([]);
    expect(await count(sql`SELECT count(*)::int AS n FROM audit_log WHERE resource_type = 'community_list_item' AND resource_id = ${String(item.id)}`)).toBe(6);
  });

  it('department claims need no points; a party member claims in the community they reported to', async () => {
    const item = await create('dispatcher', { listKind: 'service', regionId: city.a.community.id, title: '水管检修' });
    expect((await act('water', item.id, 'claim')).json()).toMatchObject({ claimedByUnitId: city.department.id, pointsAwarded: 0 });
    const other = await create('dispatcher', { listKind: 'service', regionId: city.a.community.id, title: '陪老人聊天' });
    expect((await act('partymember', other.id, 'claim')).json()).toMatchObject({ claimedByPartyMemberId: city.a.partyMember.id, claimedByPartyMemberName: '赵*' });
    const outside = await create('cityadmin', { listKind: 'service', regionId: city.b.community.id, title: 'B 社区服务' });
    expect((await act('partymember', outside.id, 'claim')).statusCode).toBe(403);
  });

  it('withdraw: by the poster or the community, only while posted', async () => {
    const item = await create('gridworker', { listKind: 'need', regionId: city.a.grid.id, title: '井盖松动', posterName: '李明' });
    expect((await act('buildinghead', item.id, 'withdraw')).statusCode).toBe(403);
    expect((await act('gridworker', item.id, 'withdraw')).json().status).toBe('withdrawn');
    expect((await act('water', item.id, 'claim')).statusCode).toBe(409);
  });

  it('compiles the quarterly problem list from real cases and open needs; re-compiling is idempotent and updates counts', async () => {
    const quarter = quarterOf(new Date());
    const report = (category: string, code = city.a.building.code) =>
      intakeCase(t.context, null, { channel: 'qr', placeCode: code, categoryCode: category, description: `第${Math.random()}件` } as never, { ip: null, userAgent: null });
    // noise: 1 from the earlier test + 3 here = 4 in A; roads: 2 (below the threshold); B's cases never count for A.
    for (let i = 0; i < 3; i++) await report('noise');
    for (let i = 0; i < 2; i++) await report('roads_facilities');
    for (let i = 0; i < 5; i++) await report('roads_facilities', city.b.building.code);
    const openNeeds = await count(sql`SELECT count(*)::int AS n FROM community_list_items WHERE list_kind = 'need' AND status IN ('posted', 'claimed') AND region_path LIKE ${city.a.community.path + '%'}`);

    const compile = () => post('dispatcher', '/api/v1/community-lists/problems/compile', { regionId: city.a.community.id, quarter });
    const first = await compile();
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ created: 1 + openNeeds, updated: 0 });
    const problems = async () => (await get('dispatcher', `/api/v1/community-lists?listKind=problem&quarter=${quarter}&regionId=${city.a.community.id}&pageSize=100`)).json().items as Array<{ title: string; caseCount: number; source: string; sourceItemId: number | null }>;
    const noise = (await problems()).find((p) => p.title === '噪音扰民')!;
    expect(noise).toMatchObject({ caseCount: 4, source: 'compiled', sourceItemId: null });
    expect((await problems()).find((p) => p.title === '道路设施')).toBeUndefined();
    expect((await problems()).filter((p) => p.sourceItemId !== null)).toHaveLength(openNeeds);

    // The same compile again: nothing new, nothing changed.
    expect((await compile()).json()).toMatchObject({ created: 0, updated: 0 });
    // One more noise case and a lower threshold: the count is updated in place and roads joins.
    await report('noise');
    const again = await post('dispatcher', '/api/v1/community-lists/problems/compile', { regionId: city.a.community.id, quarter, threshold: 2 });
    expect(again.json()).toMatchObject({ created: 1, updated: 1 });
    const after = await problems();
    expect(after.filter((p) => p.title === '噪音扰民')).toEqual([expect.objectContaining({ caseCount: 5 })]);
    expect(after.find((p) => p.title === '道路设施')).toMatchObject({ caseCount: 2 });
    expect(await count(sql`SELECT count(*)::int AS n FROM community_list_items WHERE list_kind = 'problem' AND region_node_id = ${city.a.community.id} AND quarter = ${quarter}`)).toBe(after.length);
    // A grid worker may not compile; a dispatcher may not compile another street's community.
    expect((await post('gridworker', '/api/v1/community-lists/problems/compile', { regionId: city.a.community.id, quarter })).statusCode).toBe(403);
    expect((await post('dispatcher', '/api/v1/community-lists/problems/compile', { regionId: city.b.community.id, quarter })).statusCode).toBe(403);
    expect((await post('dispatcher', '/api/v1/community-lists/problems/compile', { regionId: city.a.grid.id, quarter })).statusCode).toBe(400);
  });

  it('the quarter is counted in Asia/Shanghai', () => {
    expect(quarterOf(new Date('2026-03-31T16:30:00Z'))).toBe('2026Q2');
    expect(quarterOf(new Date('2026-03-31T15:30:00Z'))).toBe('2026Q1');
    expect(quarterOf(new Date('2026-12-31T16:00:00Z'))).toBe('2027Q1');
  });

  it('the Excel export has the rows of the list, with the same filters and masked names', async () => {
    const list = (await get('dispatcher', '/api/v1/community-lists?listKind=need&pageSize=200')).json();
    const response = await get('dispatcher', '/api/v1/community-lists/export.xlsx?listKind=need');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('spreadsheetml');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as never);
    const sheet = workbook.worksheets[0];
    const ids: number[] = [];
    sheet.eachRow((row, n) => {
      if (n > 1) ids.push(Number(row.getCell(1).value));
    });
    expect(sheet.getRow(1).getCell(5).value).toBe('标题');
    expect(ids.sort((a, b) => a - b)).toEqual(list.items.map((i: { id: number }) => i.id).sort((a: number, b: number) => a - b));
    expect(list.total).toBe(ids.length);
    const text = JSON.stringify(sheet.getSheetValues());
    expect(text).toContain('王**');
    expect(text).not.toContain('13912345678');
    // A unit outside sees none of A's rows.
    const outside = await get('unitcontactb', '/api/v1/community-lists/export.xlsx?listKind=need');
    const other = new ExcelJS.Workbook();
    await other.xlsx.load(outside.rawPayload as never);
    expect(other.worksheets[0].rowCount).toBe(1);
  });

  it('lists are scoped: a unit contact of B sees nothing of A; bad filters are 400', async () => {
    const seen = (await get('unitcontactb', '/api/v1/community-lists')).json();
    expect(seen.total).toBe(1); // the service item of B's community, nothing of A
    expect(seen.items.map((i: { regionNodeId: number }) => i.regionNodeId)).toEqual([city.b.community.id]);
    expect((await get('dispatcher', '/api/v1/community-lists?quarter=2026Q5')).statusCode).toBe(400);
    // A word the database refuses (NUL) is a 400 before the ledger starts, not a cut-off download.
    expect((await get('dispatcher', '/api/v1/community-lists/export.xlsx?q=a%00b')).statusCode).toBe(400);
    expect((await get('dispatcher', `/api/v1/community-lists?regionId=${city.other.node.id}`)).statusCode).toBe(400);
    const paged = (await get('dispatcher', '/api/v1/community-lists?page=2&pageSize=2')).json();
    expect(paged).toMatchObject({ page: 2, pageSize: 2 });
    expect(paged.items).toHaveLength(2);
  });
});
