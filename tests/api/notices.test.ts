import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;

describe('notices and openness (公告与公开) and deliberation (议事协商)', () => {
  let t: TestApp;
  let city: City;
  const cookies: Record<string, string> = {};
  /** A party organisation beside A's grid organisation (same community organisation), with one member and login. */
  let siblingOrgId: number;

  const post = (user: string, url: string, payload?: unknown) => t.app.inject({ method: 'POST', url, headers: { cookie: cookies[user] }, ...(payload !== undefined ? { payload: payload as never } : {}) });
  const patch = (user: string, url: string, payload: unknown) => t.app.inject({ method: 'PATCH', url, headers: { cookie: cookies[user] }, payload: payload as never });
  const get = (user: string | null, url: string) => t.app.inject({ method: 'GET', url, headers: user ? { cookie: cookies[user] } : {} });
  const count = async (query: ReturnType<typeof sql>) => Number((await t.context.database.rows<{ n: number }>(query))[0].n);

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    const [communityOrg] = await t.context.database.rows<{ parent_id: number }>(sql`SELECT parent_id FROM party_organizations WHERE id = ${city.a.gridOrg.id}`);
    siblingOrgId = (await city.factory.partyOrganization(city.cityId, 'grid_party_org', city.a.grid2, Number(communityOrg.parent_id))).id;
    const siblingMember = await city.factory.partyMember(city.cityId, siblingOrgId, city.a.grid2);
    await city.factory.partyMemberUser(city.cityId, 'siblingmember', siblingMember.id, city.a.community);
    for (const user of ['dispatcher', 'gridworker', 'partymember', 'siblingmember', 'unitcontact', 'buildinghead', 'street', 'cityadmin']) cookies[user] = await t.login(user);
  });
  afterAll(async () => t?.close());

  const communityOrgId = async () => Number((await t.context.database.rows<{ parent_id: number }>(sql`SELECT parent_id FROM party_organizations WHERE id = ${city.a.gridOrg.id}`))[0].parent_id);

  it('an organisation-life notice reaches only the members of that organisation and its sub-organisations', async () => {
    const toGrid = await post('dispatcher', '/api/v1/notices', { kind: 'organization_life', regionId: city.a.community.id, partyOrganizationId: city.a.gridOrg.id, title: '11月主题党日', body: '周六上午9点在党群服务中心', publish: true });
    expect(toGrid.statusCode, toGrid.body).toBe(201);
    const toCommunity = await post('dispatcher', '/api/v1/notices', { kind: 'organization_life', regionId: city.a.community.id, partyOrganizationId: await communityOrgId(), title: '党委全体党员大会', body: '全体党员参加', publish: true });
    const gridId = toGrid.json().id;
    const communityId = toCommunity.json().id;

    const titles = async (user: string) => ((await get(user, '/api/v1/notices?kind=organization_life')).json().items as Array<{ id: number }>).map((n) => n.id).sort();
    expect(await titles('partymember')).toEqual([gridId, communityId].sort());
    expect(await titles('siblingmember')).toEqual([communityId]);
    expect(await titles('unitcontact')).toEqual([]);
    expect(await titles('gridworker')).toEqual([]);
    expect((await get('siblingmember', `/api/v1/notices/${gridId}`)).statusCode).toBe(404);
    expect((await post('siblingmember', `/api/v1/notices/${gridId}/acknowledge`)).statusCode).toBe(404);

    // The member acknowledges (once); the publisher sees who has and has not read.
    const ack = await post('partymember', `/api/v1/notices/${communityId}/acknowledge`);
    expect(ack.statusCode, ack.body).toBe(200);
    expect(ack.json().alreadyRead).toBe(false);
    expect((await post('partymember', `/api/v1/notices/${communityId}/acknowledge`)).json().alreadyRead).toBe(true);
    const memberView = (await get('partymember', `/api/v1/notices/${communityId}`)).json();
    expect(memberView.acknowledgement.readAt).not.toBeNull();
    expect(memberView.receipts).toBeNull();
    const publisherView = (await get('dispatcher', `/api/v1/notices/${communityId}`)).json();
    expect(publisherView.receipts).toMatchObject({ total: 2, read: 1 });
    expect(publisherView.receipts.members[0]).toMatchObject({ partyMemberId: city.a.partyMember.id, name: '赵*' });
    expect(publisherView.receipts.members[1].readAt).toBeNull();
    expect(await count(sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'notice.acknowledge'`)).toBe(1);
  });

  it('an organisation-life notice names an organisation of its area; other kinds name none', async () => {
    expect((await post('dispatcher', '/api/v1/notices', { kind: 'organization_life', regionId: city.a.community.id, title: 'x', body: 'y' })).statusCode).toBe(400);
    expect((await post('dispatcher', '/api/v1/notices', { kind: 'organization_life', regionId: city.a.community.id, partyOrganizationId: city.b.gridOrg.id, title: 'x', body: 'y' })).statusCode).toBe(400);
    expect((await post('dispatcher', '/api/v1/notices', { kind: 'policy', regionId: city.a.community.id, partyOrganizationId: city.a.gridOrg.id, title: 'x', body: 'y' })).statusCode).toBe(400);
    expect((await post('gridworker', '/api/v1/notices', { kind: 'policy', regionId: city.a.community.id, title: 'x', body: 'y' })).statusCode).toBe(403);
    expect((await post('dispatcher', '/api/v1/notices', { kind: 'policy', regionId: city.b.community.id, title: 'x', body: 'y' })).statusCode).toBe(403);
  });

  it('published disclosures are public by the QR place code; drafts never, and a withdrawn notice disappears', async () => {
    const create = async (kind: string, regionId: number, title: string, publish = true) => (await post(kind === 'street' ? 'street' : 'dispatcher', '/api/v1/notices', { kind: kind === 'street' ? 'policy' : kind, regionId, title, body: `${title}的内容`, publish })).json();
    const disclosure = await create('residents_affairs', city.a.community.id, '2026年第三季度居务公开');
    const streetPolicy = await create('street', city.a.street.id, '街道垃圾分类新规');
    const draft = await create('party_affairs', city.a.community.id, '党费收缴情况（草稿）', false);
    const publicTitles = async () => ((await get(null, `/api/v1/public/places/${city.a.building.code}/notices`)).json().items as Array<{ title: string }>).map((n) => n.title);
    const titles = await publicTitles();
    expect(titles).toEqual(expect.arrayContaining([disclosure.title, streetPolicy.title]));
    expect(titles).not.toContain(draft.title);
    expect(titles).not.toContain('11月主题党日'); // organisation life is never public
    const body = (await get(null, `/api/v1/public/places/${city.a.building.code}/notices`)).body;
    expect(body).not.toContain('createdBy');
    // B's building sees none of A's.
    expect(((await get(null, `/api/v1/public/places/${city.b.building.code}/notices`)).json().items as unknown[]).length).toBe(0);

    const withdrawn = await post('dispatcher', `/api/v1/notices/${disclosure.id}/actions`, { action: 'withdraw' });
    expect(withdrawn.json().status).toBe('withdrawn');
    expect(await publicTitles()).not.toContain(disclosure.title);
    expect((await post('dispatcher', `/api/v1/notices/${disclosure.id}/actions`, { action: 'publish' })).statusCode).toBe(409);
    // Readers no longer see it; the publisher still does, with its timeline.
    expect((await get('unitcontact', `/api/v1/notices/${disclosure.id}`)).statusCode).toBe(404);
    expect((await get('dispatcher', `/api/v1/notices/${disclosure.id}`)).json().timeline.map((e: { action: string }) => e.action)).toEqual(['draft', 'publish', 'withdraw']);
    expect(await count(sql`SELECT count(*)::int AS n FROM audit_log WHERE resource_type = 'notice' AND resource_id = ${String(disclosure.id)}`)).toBe(3);
    expect((await get(null, '/api/v1/public/places/no-such-code/notices')).statusCode).toBe(404);
  });

  it('notices export has the rows the list shows', async () => {
    const list = (await get('dispatcher', '/api/v1/notices?pageSize=200')).json();
    const response = await get('dispatcher', '/api/v1/notices/export.xlsx');
    expect(response.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as never);
    const ids: number[] = [];
    workbook.worksheets[0].eachRow((row, n) => n > 1 && ids.push(Number(row.getCell(1).value)));
    expect(ids.sort((a, b) => a - b)).toEqual((list.items as Array<{ id: number }>).map((i) => i.id).sort((a, b) => a - b));
    expect(list.total).toBe(ids.length);
    expect((await get('dispatcher', '/api/v1/notices/export.xlsx?q=a%00b')).statusCode).toBe(400);
    expect((await get('dispatcher', '/api/v1/deliberations/export.xlsx?q=a%00b')).statusCode).toBe(400);
  });

  it('a community council: planned → held → published, proposals decided with valid votes, results public without personal data', async () => {
    const created = await post('dispatcher', '/api/v1/deliberations', { kind: 'community_council', regionId: city.a.community.id, title: '加装电梯议事会', heldAt: '2026-11-20T07:00:00Z', location: '社区议事厅' });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    const proposal = await post('dispatcher', `/api/v1/deliberations/${id}/proposals`, { title: '3栋加装电梯', description: '费用按楼层分摊', proposerName: '王秀英' });
    expect(proposal.statusCode).toBe(201);
    const proposalId = proposal.json().id;
    // Decisions come after the meeting; votes are never negative.
    expect((await patch('dispatcher', `/api/v1/deliberation-proposals/${proposalId}`, { decision: 'adopted', votesFor: 20 })).statusCode).toBe(409);
    expect((await post('dispatcher', `/api/v1/deliberations/${id}/actions`, { action: 'hold', summary: '讨论热烈' })).statusCode).toBe(400);
    expect((await post('dispatcher', `/api/v1/deliberations/${id}/actions`, { action: 'hold', participants: '居民代表15人、物业、社区两委', summary: '讨论热烈' })).json().status).toBe('held');
    expect((await post('dispatcher', `/api/v1/deliberations/${id}/actions`, { action: 'publish' })).statusCode).toBe(409); // a pending proposal
    expect((await patch('dispatcher', `/api/v1/deliberation-proposals/${proposalId}`, { decision: 'adopted', votesFor: -1 })).statusCode).toBe(400);
    const decided = await patch('dispatcher', `/api/v1/deliberation-proposals/${proposalId}`, { decision: 'adopted', votesFor: 12, votesAgainst: 2, votesAbstain: 1, publicResult: '通过：3栋加装电梯，费用按楼层分摊' });
    expect(decided.json()).toMatchObject({ decision: 'adopted', votesFor: 12 });

    const publicResults = async () => (await get(null, `/api/v1/public/places/${city.a.building.code}/deliberations`)).json().items as Array<{ id: number; proposals: unknown[] }>;
    expect((await publicResults()).map((m) => m.id)).not.toContain(id);
    expect((await post('dispatcher', `/api/v1/deliberations/${id}/actions`, { action: 'publish' })).json().status).toBe('published');
    const results = await publicResults();
    expect(results.find((m) => m.id === id)).toMatchObject({ title: '加装电梯议事会', proposals: [{ title: '3栋加装电梯', decision: 'adopted', votesFor: 12, result: '通过：3栋加装电梯，费用按楼层分摊' }] });
    const text = (await get(null, `/api/v1/public/places/${city.a.building.code}/deliberations`)).body;
    expect(text).not.toContain('王秀英');
    expect(text).not.toContain('居民代表15人');
    // Published results are final.
    expect((await patch('dispatcher', `/api/v1/deliberation-proposals/${proposalId}`, { decision: 'rejected' })).statusCode).toBe(409);
    expect((await post('dispatcher', `/api/v1/deliberations/${id}/proposals`, { title: '再加一个' })).statusCode).toBe(409);
    const detail = (await get('dispatcher', `/api/v1/deliberations/${id}`)).json();
    expect(detail.timeline.map((e: { action: string }) => e.action)).toEqual(['plan', 'propose', 'hold', 'decide', 'publish']);
  });

  it('the building head runs the building council of their own building, not the community council', async () => {
    expect((await post('buildinghead', '/api/v1/deliberations', { kind: 'community_council', regionId: city.a.community.id, title: 'x', heldAt: '2026-11-20T07:00:00Z' })).statusCode).toBe(403);
    expect((await post('buildinghead', '/api/v1/deliberations', { kind: 'building_council', regionId: city.a.community.id, title: 'x', heldAt: '2026-11-20T07:00:00Z' })).statusCode).toBe(400);
    expect((await post('buildinghead', '/api/v1/deliberations', { kind: 'building_council', regionId: city.b.building.id, title: 'x', heldAt: '2026-11-20T07:00:00Z' })).statusCode).toBe(403);
    const own = await post('buildinghead', '/api/v1/deliberations', { kind: 'building_council', regionId: city.a.building.id, title: '楼道堆物清理共治会', heldAt: '2026-11-21T11:00:00Z' });
    expect(own.statusCode, own.body).toBe(201);
    const list = (await get('buildinghead', '/api/v1/deliberations')).json();
    expect(list.items.map((m: { id: number }) => m.id)).toEqual([own.json().id]);
    expect((await get('dispatcher', `/api/v1/deliberations?kind=building_council&q=${encodeURIComponent('堆物')}`)).json().total).toBe(1);
  });

  it('the meetings export has the rows of the list', async () => {
    const list = (await get('dispatcher', '/api/v1/deliberations?pageSize=200')).json();
    const response = await get('dispatcher', '/api/v1/deliberations/export.xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as never);
    expect(workbook.worksheets[0].rowCount - 1).toBe(list.total);
    expect(list.total).toBe(2);
  });
});
