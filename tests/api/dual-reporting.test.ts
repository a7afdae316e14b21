import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { chinaDate, reportingPeriod } from '../../src/modules/dual-reporting/reporting-period.ts';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;

/** 双报到 (issue 5 item 4): registrations, posts, claims, service hours, the ledger and reminders. */
describe('dual reporting (API)', () => {
  let t: TestApp;
  let city: City;
  const cookies: Record<string, string> = {};
  const as = async (user: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) => {
    cookies[user] ??= await t.login(user);
    return t.app.inject({ method, url, headers: { cookie: cookies[user] }, ...(payload !== undefined ? { payload: payload as object } : {}) });
  };
  const today = chinaDate();
  const tomorrow = new Date(Date.parse(today) + 86_400_000).toISOString().slice(0, 10);
  let secondMemberId: number; // registered, with no account
  let pm2MemberId: number; // 'pm2': reported to A, no service yet
  let roamerMemberId: number; // 'roamer': a party member whose only place is a registration with B
  let post: number;
  let racePostsOfPartymember = 0; // 1 when 'partymember' won the race for the last place

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    const f = city.factory;
    secondMemberId = (await f.partyMember(city.cityId, city.a.gridOrg.id, city.a.grid)).id;
    pm2MemberId = (await f.partyMember(city.cityId, city.a.gridOrg.id, city.a.grid)).id;
    await f.partyMemberUser(city.cityId, 'pm2', pm2MemberId, city.a.community);
    roamerMemberId = (await f.partyMember(city.cityId, city.b.gridOrg.id, city.b.grid)).id;
    // A party member account with no region of its own: every right it has comes from a registration.
    const roamer = await f.user(city.cityId, 'roamer', 'party_member');
    await t.context.database.db.execute(sql`UPDATE users SET party_member_id = ${roamerMemberId} WHERE id = ${roamer.id}`);
  });
  afterAll(async () => t?.close());

  it('registers a member and an organisation once; a second active registration is a 409; outside is a 403', async () => {
    const member = await as('dispatcher', 'POST', '/api/v1/dual-reporting/registrations', { communityId: city.a.community.id, kind: 'member', partyMemberId: secondMemberId, basis: 'residence' });
    expect(member.statusCode).toBe(201);
    const again = await as('dispatcher', 'POST', '/api/v1/dual-reporting/registrations', { communityId: city.a.community.id, kind: 'member', partyMemberId: secondMemberId, basis: 'work' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/already actively registered/) });
    const unit = await as('dispatcher', 'POST', '/api/v1/dual-reporting/registrations', { communityId: city.a.community.id, kind: 'organization', unitId: city.a.residentUnit.id, basis: 'work' });
    expect(unit.statusCode).toBe(201);
    expect((await as('dispatcher', 'POST', '/api/v1/dual-reporting/registrations', { communityId: city.a.community.id, kind: 'organization', unitId: city.a.residentUnit.id, basis: 'work' })).statusCode).toBe(409);
    expect((await as('dispatcher', 'POST', '/api/v1/dual-reporting/registrations', { communityId: city.b.community.id, kind: 'member', partyMemberId: roamerMemberId, basis: 'work' })).statusCode).toBe(403);
    expect((await as('dispatcher', 'POST', '/api/v1/dual-reporting/registrations', { communityId: city.a.community.id, kind: 'member', unitId: city.a.residentUnit.id, basis: 'work' })).statusCode).toBe(400);
    expect((await as('dispatcher', 'POST', '/api/v1/dual-reporting/registrations', { communityId: city.a.grid.id, kind: 'member', partyMemberId: roamerMemberId, basis: 'work' })).statusCode).toBe(400);
    expect((await as('partymember', 'POST', '/api/v1/dual-reporting/registrations', { communityId: city.a.community.id, kind: 'member', partyMemberId: roamerMemberId, basis: 'work' })).statusCode).toBe(403);

    const list = await as('dispatcher', 'GET', `/api/v1/dual-reporting/registrations?kind=member&status=active&pageSize=2`);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({ page: 1, pageSize: 2, total: 3 });
    expect(list.json().items).toHaveLength(2);
    for (const item of list.json().items) expect(item.subjectName).toMatch(/^赵\*$/);
    const events = await t.context.database.rows(sql`SELECT 1 FROM item_events WHERE subject_type = 'dual_registration' AND action = 'register'`);
    const audits = await t.context.database.rows(sql`SELECT 1 FROM audit_log WHERE action = 'dual_reporting.register'`);
    expect([events.length, audits.length]).toEqual([2, 2]);
  });

  it('publishes a post; reported members and the unit contact claim it; double claims and a full post are 409s', async () => {
    const created = await as('dispatcher', 'POST', '/api/v1/dual-reporting/posts', { communityId: city.a.community.id, title: '楼道文明劝导岗', description: '每周巡查楼道堆物', category: '文明实践', slots: 2, startsOn: today });
    expect(created.statusCode).toBe(201);
    post = created.json().id;
    expect((await as('partymember', 'POST', '/api/v1/dual-reporting/posts', { communityId: city.a.community.id, title: 'x', slots: 1 })).statusCode).toBe(403);
    expect((await as('dispatcher', 'POST', '/api/v1/dual-reporting/posts', { communityId: city.a.community.id, title: 'x', slots: 0 })).statusCode).toBe(400);

    const claim = await as('partymember', 'POST', `/api/v1/dual-reporting/posts/${post}/claims`, {});
    expect(claim.statusCode).toBe(201);
    expect(claim.json()).toMatchObject({ status: 'claimed', claimed: 1, slots: 2 });
    const twice = await as('partymember', 'POST', `/api/v1/dual-reporting/posts/${post}/claims`, {});
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.message).toMatch(/already claimed/);
    // The unit contact claims for its (registered) organisation.
    expect((await as('unitcontact', 'POST', `/api/v1/dual-reporting/posts/${post}/claims`, { unitId: city.a.residentUnit.id })).statusCode).toBe(201);
    const full = await as('pm2', 'POST', `/api/v1/dual-reporting/posts/${post}/claims`, {});
    expect(full.statusCode).toBe(409);
    expect(full.json().error.message).toMatch(/All places/);
    // Staff do not claim; a unit contact cannot claim for another unit.
    expect((await as('dispatcher', 'POST', `/api/v1/dual-reporting/posts/${post}/claims`, {})).statusCode).toBe(403);
    expect((await as('unitcontact', 'POST', `/api/v1/dual-reporting/posts/${post}/claims`, { unitId: city.b.residentUnit.id })).statusCode).toBe(403);

    const listed = (await as('partymember', 'GET', '/api/v1/dual-reporting/posts?q=' + encodeURIComponent('文明'))).json();
    expect(listed.total).toBe(1);
    expect(listed.items[0]).toMatchObject({ claimed: 2, slots: 2, abilities: { claim: false, manage: false } });
    expect(listed.items[0].myClaimId).toBe(claim.json().id);

    // The unit contact withdraws; the freed place goes to pm2.
    const unitClaim = (await as('dispatcher', 'GET', `/api/v1/dual-reporting/claims?postId=${post}&q=${encodeURIComponent('单位')}`)).json().items[0];
    expect((await as('pm2', 'POST', `/api/v1/dual-reporting/claims/${unitClaim.id}/withdraw`)).statusCode).toBe(403);
    expect((await as('unitcontact', 'POST', `/api/v1/dual-reporting/claims/${unitClaim.id}/withdraw`)).statusCode).toBe(200);
    expect((await as('unitcontact', 'POST', `/api/v1/dual-reporting/claims/${unitClaim.id}/withdraw`)).statusCode).toBe(409);
    expect((await as('pm2', 'POST', `/api/v1/dual-reporting/posts/${post}/claims`, {})).statusCode).toBe(201);
  });

  it('two claims racing for the last place: exactly one wins (the post row is locked while counting)', async () => {
    const last = (await as('dispatcher', 'POST', '/api/v1/dual-reporting/posts', { communityId: city.a.community.id, title: '独居老人探访岗', slots: 1 })).json().id;
    const [one, two] = await Promise.all([as('partymember', 'POST', `/api/v1/dual-reporting/posts/${last}/claims`, {}), as('pm2', 'POST', `/api/v1/dual-reporting/posts/${last}/claims`, {})]);
    expect([one.statusCode, two.statusCode].sort()).toEqual([201, 409]);
    racePostsOfPartymember = one.statusCode === 201 ? 1 : 0;
    const [{ n }] = await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM post_claims WHERE post_id = ${last} AND status = 'claimed'`);
    expect(Number(n)).toBe(1);
    // A closed post takes no claims.
    expect((await as('dispatcher', 'POST', `/api/v1/dual-reporting/posts/${last}/close`)).statusCode).toBe(200);
    expect((await as('dispatcher', 'POST', `/api/v1/dual-reporting/posts/${last}/close`)).statusCode).toBe(409);
    expect((await as('dispatcher', 'POST', `/api/v1/dual-reporting/posts/${last}/reopen`)).statusCode).toBe(200);
  });

  it('a party member outside the community cannot claim its posts; a registration places them, ending it removes that right', async () => {
    const bPost = (await as('cityadmin', 'POST', '/api/v1/dual-reporting/posts', { communityId: city.b.community.id, title: 'B社区助老岗', slots: 5 })).json().id;
    const bPost2 = (await as('cityadmin', 'POST', '/api/v1/dual-reporting/posts', { communityId: city.b.community.id, title: 'B社区环境岗', slots: 5 })).json().id;
    const outside = await as('partymember', 'POST', `/api/v1/dual-reporting/posts/${bPost}/claims`, {});
    expect(outside.statusCode).toBe(403);
    expect((await as('roamer', 'POST', `/api/v1/dual-reporting/posts/${bPost}/claims`, {})).statusCode).toBe(403);
    expect((await as('roamer', 'GET', '/api/v1/dual-reporting/posts')).statusCode).toBe(403);

    const registration = (await as('cityadmin', 'POST', '/api/v1/dual-reporting/registrations', { communityId: city.b.community.id, kind: 'member', partyMemberId: roamerMemberId, basis: 'work' })).json().id;
    const claimed = await as('roamer', 'POST', `/api/v1/dual-reporting/posts/${bPost}/claims`, {});
    expect(claimed.statusCode).toBe(201);
    expect((await as('roamer', 'GET', '/api/v1/dual-reporting/posts')).json().total).toBe(2);

    expect((await as('cityadmin', 'POST', `/api/v1/dual-reporting/registrations/${registration}/end`, { endedOn: tomorrow })).statusCode).toBe(400);
    expect((await as('cityadmin', 'POST', `/api/v1/dual-reporting/registrations/${registration}/end`, { endedOn: '2001-01-01' })).statusCode).toBe(400);
    expect((await as('dispatcher', 'POST', `/api/v1/dual-reporting/registrations/${registration}/end`, { endedOn: today })).statusCode).toBe(403);
    const ended = await as('cityadmin', 'POST', `/api/v1/dual-reporting/registrations/${registration}/end`, { endedOn: today });
    expect(ended.statusCode).toBe(200);
    expect(ended.json()).toMatchObject({ status: 'ended', withdrawnClaims: 1 });
    expect((await as('cityadmin', 'POST', `/api/v1/dual-reporting/registrations/${registration}/end`, { endedOn: today })).statusCode).toBe(409);
    // The next request of the same session already lacks the derived grant.
    expect((await as('roamer', 'POST', `/api/v1/dual-reporting/posts/${bPost2}/claims`, {})).statusCode).toBe(403);
    expect((await as('roamer', 'GET', '/api/v1/dual-reporting/posts')).statusCode).toBe(403);
    expect((await as('roamer', 'POST', `/api/v1/dual-reporting/claims/${claimed.json().id}/hours`, { servedOn: today, hours: 1 })).statusCode).toBe(403);
  });

  it('logs service hours: 0 < h ≤ 24, not in the future, only by the claimant or the community; corrections are audited', async () => {
    const mine = (await as('partymember', 'GET', `/api/v1/dual-reporting/claims?mine=true&postId=${post}`)).json().items[0];
    expect(mine.abilities).toMatchObject({ logHours: true, withdraw: true });
    const url = `/api/v1/dual-reporting/claims/${mine.id}/hours`;
    for (const hours of [0, -1, 24.5, 25]) expect((await as('partymember', 'POST', url, { servedOn: today, hours })).statusCode).toBe(400);
    expect((await as('partymember', 'POST', url, { servedOn: today, hours: 1.005 })).statusCode).toBe(400);
    const future = await as('partymember', 'POST', url, { servedOn: tomorrow, hours: 2 });
    expect(future.statusCode).toBe(400);
    expect(future.json().error.message).toMatch(/future/);
    expect((await as('partymember', 'POST', url, { servedOn: '2001-01-01', hours: 2 })).statusCode).toBe(400);
    expect((await as('pm2', 'POST', url, { servedOn: today, hours: 2 })).statusCode).toBe(403);
    expect((await as('unitcontact', 'POST', url, { servedOn: today, hours: 2 })).statusCode).toBe(403);

    const logged = await as('partymember', 'POST', url, { servedOn: today, hours: 2.5, description: '劝导楼道堆物 3 处' });
    expect(logged.statusCode).toBe(201);
    const onBehalf = await as('dispatcher', 'POST', url, { servedOn: today, hours: 1.5, description: '代录：周末值守' });
    expect(onBehalf.statusCode).toBe(201);
    expect((await as('partymember', 'PATCH', `/api/v1/dual-reporting/hours/${onBehalf.json().id}`, { hours: 2, reason: '补记' })).statusCode).toBe(403);
    const corrected = await as('dispatcher', 'PATCH', `/api/v1/dual-reporting/hours/${onBehalf.json().id}`, { hours: 2, reason: '值守实际 2 小时' });
    expect(corrected.statusCode).toBe(200);
    const [audit] = await t.context.database.rows<{ details: { before: { hours: number }; after: { hours: number } } }>(sql`SELECT details FROM audit_log WHERE action = 'dual_reporting.correct_hours'`);
    expect([audit.details.before.hours, audit.details.after.hours]).toEqual([1.5, 2]);
    expect((await as('dispatcher', 'PATCH', `/api/v1/dual-reporting/hours/${onBehalf.json().id}`, { hours: 30, reason: 'x' })).statusCode).toBe(400);

    const hours = (await as('dispatcher', 'GET', `/api/v1/dual-reporting/hours?postId=${post}&from=${today}&to=${today}`)).json();
    expect(hours).toMatchObject({ total: 2, totalHours: 4.5 });
    expect(hours.items[0].personName).toBe('赵*');
  });

  it('the ledger counts each registration\'s sessions and hours in the period, drills into entries and exports the same rows', async () => {
    const period = reportingPeriod({});
    // An older session (the previous quarter) is not this quarter's.
    const previous = period.quarter === 1 ? reportingPeriod({ year: period.year - 1, quarter: 4 }) : reportingPeriod({ year: period.year, quarter: period.quarter! - 1 });
    const partyMemberId = city.a.partyMember.id;
    await t.context.database.db.execute(sql`INSERT INTO service_hours (city_id, community_id, region_path, party_member_id, source_kind, source_id, served_on, hours, description)
      VALUES (${city.cityId}, ${city.a.community.id}, ${city.a.community.path}, ${partyMemberId}, 'post', ${post}, ${previous.from}, 3, '上季度')`);
    // A registration counts in a period it was active in: this one began in the previous quarter.
    await t.context.database.db.execute(sql`UPDATE dual_registrations SET registered_at = (${previous.from}::date)::timestamp AT TIME ZONE 'Asia/Shanghai' WHERE party_member_id = ${partyMemberId}`);

    const ledger = (await as('dispatcher', 'GET', `/api/v1/dual-reporting/ledger?year=${period.year}&quarter=${period.quarter}&kind=member`)).json();
    const row = ledger.items.find((r: { partyMemberId: number }) => r.partyMemberId === partyMemberId);
    expect(row).toMatchObject({ subjectName: '赵*', sessions: 2, hours: 4.5, postsClaimed: 1 + racePostsOfPartymember });
    expect(row.posts).toContain('楼道文明劝导岗');
    expect(ledger.totals.hours).toBe(4.5);
    expect(ledger.items.some((r: { partyMemberId: number }) => r.partyMemberId === roamerMemberId)).toBe(false);
    const before = (await as('dispatcher', 'GET', `/api/v1/dual-reporting/ledger?year=${previous.year}&quarter=${previous.quarter}&kind=member`)).json();
    expect(before.items.find((r: { partyMemberId: number }) => r.partyMemberId === partyMemberId)).toMatchObject({ sessions: 1, hours: 3 });

    const entries = (await as('dispatcher', 'GET', `/api/v1/dual-reporting/registrations/${row.id}/entries?year=${period.year}&quarter=${period.quarter}`)).json();
    expect(entries.entries.map((e: { hours: number }) => e.hours).sort()).toEqual([2, 2.5]);
    expect(entries.totalHours).toBe(4.5);
    // B's registrations are outside the dispatcher.
    const [bRegistration] = await t.context.database.rows<{ id: number }>(sql`SELECT id FROM dual_registrations WHERE community_id = ${city.b.community.id}`);
    expect((await as('dispatcher', 'GET', `/api/v1/dual-reporting/registrations/${bRegistration.id}/entries`)).statusCode).toBe(403);

    const xlsx = await as('dispatcher', 'GET', `/api/v1/dual-reporting/ledger.xlsx?year=${period.year}&quarter=${period.quarter}&kind=member`);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-disposition']).toMatch(/dual-reporting-ledger/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as never);
    const sheet = workbook.worksheets[0];
    const headers = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(headers).toEqual(['社区', '类别', '党员/单位', '报到依据', '报到日期', '状态', '认领岗位', '岗位数', '服务次数', '服务时长(小时)', '统计期间']);
    expect(sheet.rowCount).toBe(1 + ledger.total);
    const cells = [...Array(sheet.rowCount - 1).keys()].map((i) => (sheet.getRow(i + 2).values as unknown[]).slice(1));
    const exported = cells.find((c) => c[9] === 4.5);
    expect(exported?.[2]).toBe('赵*');
    expect(String(exported?.[6])).toContain('楼道文明劝导岗');
  });

  it('reminds members who have not served this quarter, once per member and quarter, in their in-app inbox', async () => {
    const list = (await as('dispatcher', 'GET', '/api/v1/dual-reporting/reminders')).json();
    const members = list.items.map((i: { partyMemberId: number }) => i.partyMemberId).sort();
    expect(members).toEqual([secondMemberId, pm2MemberId].sort());
    expect(list.items.find((i: { partyMemberId: number }) => i.partyMemberId === secondMemberId).hasAccount).toBe(false);

    expect((await as('partymember', 'POST', '/api/v1/dual-reporting/reminders', { regionId: city.a.community.id })).statusCode).toBe(403);
    expect((await as('dispatcher', 'POST', '/api/v1/dual-reporting/reminders', { regionId: city.b.community.id })).statusCode).toBe(403);
    const first = await as('dispatcher', 'POST', '/api/v1/dual-reporting/reminders', { regionId: city.a.community.id });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ candidates: 2, sent: 1, alreadyReminded: 0, withoutAccount: 1 });
    const second = await as('street', 'POST', '/api/v1/dual-reporting/reminders', { regionId: city.a.street.id });
    expect(second.json()).toMatchObject({ candidates: 2, sent: 0, alreadyReminded: 1, withoutAccount: 1 });

    const inbox = (await as('pm2', 'GET', '/api/v1/notifications')).json();
    expect(inbox.items.filter((n: { title: string }) => n.title === '双报到服务提醒')).toHaveLength(1);
    expect((await as('partymember', 'GET', '/api/v1/notifications')).json().items.filter((n: { title: string }) => n.title === '双报到服务提醒')).toHaveLength(0);
    const audits = await t.context.database.rows(sql`SELECT 1 FROM audit_log WHERE action = 'dual_reporting.remind'`);
    expect(audits.length).toBe(2);
    expect((await as('dispatcher', 'GET', '/api/v1/dual-reporting/reminders')).json().items.every((i: { remindedAt: string | null; hasAccount: boolean }) => !i.hasAccount || i.remindedAt)).toBe(true);
  });

  it('every list exports with the same filters', async () => {
    for (const path of ['registrations/export.xlsx?kind=member', 'posts/export.xlsx?status=open', 'claims/export.xlsx?status=claimed', 'hours/export.xlsx']) {
      const response = await as('dispatcher', 'GET', `/api/v1/dual-reporting/${path}`);
      expect(response.statusCode, path).toBe(200);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(response.rawPayload as never);
      expect(workbook.worksheets[0].rowCount).toBeGreaterThan(1);
    }
    expect((await as('water', 'GET', '/api/v1/dual-reporting/ledger.xlsx')).statusCode).toBe(403);
  });
});
