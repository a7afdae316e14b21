import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { insertDefaultCategories } from '../../src/modules/cases/case-categories.repository.ts';
import { awardCaseSatisfiedPoints } from '../../src/modules/incentives/incentive-points.ledger.ts';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;

describe('building heads, partner shops and the red flag (API)', () => {
  let t: TestApp;
  let city: City;
  const cookie: Record<string, string> = {};
  let shop: { id: number };
  let otherShop: { id: number };
  let building2: { id: number; path: string };
  let head2: { id: number };

  const call = (who: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: { cookie: cookie[who] }, ...(payload ? { payload } : {}) });
  const balanceOf = async (userId: number) =>
    Number((await t.context.database.rows<{ n: number }>(sql`SELECT coalesce(sum(points), 0)::int AS n FROM incentive_point_entries WHERE user_id = ${userId}`))[0].n);
  const entries = (userId: number, event: string) =>
    t.context.database.rows<{ points: number; source_id: number }>(sql`SELECT points, source_id FROM incentive_point_entries WHERE user_id = ${userId} AND event = ${event} ORDER BY id`);
  const headId = () => city.users.building_head.id;
  const offer = async (pointsCost: number, extra: object = {}) => {
    const response = await call('dispatcher', 'POST', '/api/v1/incentives/offers', { shopUnitId: shop.id, title: `理发 ${pointsCost} 分`, pointsCost, validUntil: '2099-12-31', ...extra });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { id: number };
  };
  const give = async (points: number) => expect((await call('dispatcher', 'POST', '/api/v1/incentives/entries', { userId: headId(), event: 'service', points, note: '楼栋清洁' })).statusCode).toBe(201);
  const issue = (offerId: number) => call('buildinghead', 'POST', `/api/v1/incentives/offers/${offerId}/codes`);

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    await insertDefaultCategories(t.context.database, t.context.database.db, city.cityId);
    const f = city.factory;
    shop = await f.unit(city.cityId, 'partner_shop', city.a.community, '红城星店·李记理发');
    otherShop = await f.unit(city.cityId, 'partner_shop', city.a.community, '红城星店·王记面馆');
    await f.user(city.cityId, 'shopclerk', 'unit_contact', { regionNodeId: city.a.community.id, unitId: shop.id });
    await f.user(city.cityId, 'shopclerk2', 'unit_contact', { regionNodeId: city.a.community.id, unitId: otherShop.id });
    building2 = await f.node(city.cityId, city.a.grid, 'building', undefined, 'A2栋', undefined, [106.906, 27.606]);
    head2 = await f.user(city.cityId, 'buildinghead2', 'building_head', { regionNodeId: building2.id });
    for (const name of ['dispatcher', 'buildinghead', 'buildinghead2', 'shopclerk', 'shopclerk2', 'gridworker', 'cityadmin', 'unitcontact']) cookie[name] = await t.login(name);
  });
  afterAll(async () => t?.close());

  it('a case in the building rated 满意 earns its head points exactly once, in the rating’s transaction', async () => {
    const report = async () => {
      const response = await t.app.inject({ method: 'POST', url: '/api/v1/public/cases', payload: { placeCode: city.a.building.code, categoryCode: 'roads_facilities', description: '楼道灯坏了' } });
      expect(response.statusCode, response.body).toBe(201);
      const token = response.json().trackingToken as string;
      const [row] = await t.context.database.rows<{ id: number }>(sql`SELECT id FROM cases WHERE tracking_token = ${token}`);
      const id = Number(row.id);
      const act = (who: string, body: object) => t.app.inject({ method: 'POST', url: `/api/v1/cases/${id}/actions`, headers: { cookie: cookie[who] }, payload: body });
      expect((await act('dispatcher', { action: 'dispatch' })).statusCode).toBe(200);
      expect((await act('gridworker', { action: 'record_contact', note: '已联系' })).statusCode).toBe(200);
      const replied = await act('gridworker', { action: 'reply', note: '已更换灯泡' });
      expect(replied.statusCode, replied.body).toBe(200);
      return { id, token };
    };
    const satisfied = await report();
    expect(await entries(headId(), 'case_satisfied')).toEqual([]);
    const rated = await t.app.inject({ method: 'POST', url: `/api/v1/public/cases/${satisfied.token}/rating`, payload: { resolved: true, satisfaction: 'satisfied' } });
    expect(rated.statusCode, rated.body).toBe(200);
    expect((await entries(headId(), 'case_satisfied')).map((e) => [Number(e.points), Number(e.source_id)])).toEqual([[2, satisfied.id]]);
    // A second rating is refused, and the award itself is idempotent per case.
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/public/cases/${satisfied.token}/rating`, payload: { resolved: true, satisfaction: 'satisfied' } })).statusCode).toBe(409);
    expect(await t.context.database.db.transaction((tx) => awardCaseSatisfiedPoints(t.context.database, tx, satisfied.id))).toBe(0);
    expect(await entries(headId(), 'case_satisfied')).toHaveLength(1);
    // Dissatisfied earns nothing; the other building's head earns nothing.
    const dissatisfied = await report();
    await t.app.inject({ method: 'POST', url: `/api/v1/public/cases/${dissatisfied.token}/rating`, payload: { resolved: false, satisfaction: 'dissatisfied' } });
    expect(await entries(headId(), 'case_satisfied')).toHaveLength(1);
    expect(await balanceOf(head2.id)).toBe(0);
    expect(await balanceOf(headId())).toBe(2);
  });

  it('staff record service points and adjustments with a note; the heads list shows balances', async () => {
    expect((await call('buildinghead', 'POST', '/api/v1/incentives/entries', { userId: headId(), event: 'service', points: 5, note: '自己加' })).statusCode).toBe(403);
    expect((await call('dispatcher', 'POST', '/api/v1/incentives/entries', { userId: headId(), event: 'service', points: -5, note: '扣' })).statusCode).toBe(400);
    expect((await call('dispatcher', 'POST', '/api/v1/incentives/entries', { userId: headId(), event: 'manual', points: -50, note: '扣' })).statusCode).toBe(409);
    expect((await call('dispatcher', 'POST', '/api/v1/incentives/entries', { userId: city.users.dispatcher.id, event: 'service', points: 5, note: '非楼栋长' })).statusCode).toBe(404);
    await give(8);
    const heads = (await call('dispatcher', 'GET', '/api/v1/incentives/heads')).json();
    expect(heads.items.find((h: { userId: number }) => h.userId === headId())).toMatchObject({ balance: 10, buildingId: city.a.building.id });
    expect(heads.total).toBe(2);
    // A head sees only themselves.
    expect((await call('buildinghead', 'GET', '/api/v1/incentives/heads')).json().items.map((h: { userId: number }) => h.userId)).toEqual([headId()]);
    const ledger = (await call('buildinghead', 'GET', `/api/v1/incentives/entries?userId=${headId()}`)).json();
    expect(ledger).toMatchObject({ total: 2, balance: 10 });
  });

  it('insufficient points: 409 and nothing written', async () => {
    const expensive = await offer(1000);
    const codesBefore = (await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM redemption_codes`))[0].n;
    const response = await issue(expensive.id);
    expect(response.statusCode).toBe(409);
    expect(response.json().error.details).toMatchObject({ balance: 10, pointsCost: 1000 });
    expect((await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM redemption_codes`))[0].n).toBe(codesBefore);
    expect(await balanceOf(headId())).toBe(10);
  });

  it('a code is shown once, redeems once at its own shop, never at another', async () => {
    const haircut = await offer(3);
    const issued = await issue(haircut.id);
    expect(issued.statusCode, issued.body).toBe(201);
    const { code, id } = issued.json() as { code: string; id: number };
    expect(code).toMatch(/^\d{8}$/);
    expect(await balanceOf(headId())).toBe(7);
    const [stored] = await t.context.database.rows<{ code_hash: string }>(sql`SELECT code_hash FROM redemption_codes WHERE id = ${id}`);
    expect(stored.code_hash).not.toContain(code);
    // The code never appears in lists.
    expect((await call('buildinghead', 'GET', '/api/v1/incentives/codes')).body).not.toContain(code);
    // A retried request (Idempotency-Key) replays the same code, which is stored only encrypted.
    const keyed = () => t.app.inject({ method: 'POST', url: `/api/v1/incentives/offers/${haircut.id}/codes`, headers: { cookie: cookie.buildinghead, 'idempotency-key': `code-${id}` } });
    const first = await keyed();
    expect(first.statusCode, first.body).toBe(201);
    const replayed = await keyed();
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.json().code).toBe(first.json().code);
    const [kept] = await t.context.database.rows<{ response_body: string }>(sql`SELECT response_body FROM idempotency_keys WHERE key = ${`code-${id}`}`);
    expect(kept.response_body).not.toContain(first.json().code);
    expect(await balanceOf(headId())).toBe(4);
    await call('buildinghead', 'POST', `/api/v1/incentives/codes/${first.json().id}/cancel`);
    expect(await balanceOf(headId())).toBe(7);
    expect((await call('shopclerk2', 'POST', '/api/v1/incentives/codes/redeem', { code })).statusCode).toBe(403);
    expect((await call('dispatcher', 'POST', '/api/v1/incentives/codes/redeem', { code })).statusCode).toBe(403);
    const wrong = code === '00000000' ? '00000001' : '00000000';
    expect((await call('shopclerk', 'POST', '/api/v1/incentives/codes/redeem', { code: wrong })).statusCode).toBe(404);
    const redeemed = await call('shopclerk', 'POST', '/api/v1/incentives/codes/redeem', { code });
    expect(redeemed.statusCode, redeemed.body).toBe(200);
    expect(redeemed.json()).toMatchObject({ status: 'redeemed', offerTitle: '理发 3 分', points: 3 });
    expect(redeemed.json().holderName).not.toBe('buildinghead');
    const again = await call('shopclerk', 'POST', '/api/v1/incentives/codes/redeem', { code });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.details).toEqual({ status: 'redeemed' });
    // Nobody can cancel a used code; the balance stays spent.
    expect((await call('buildinghead', 'POST', `/api/v1/incentives/codes/${id}/cancel`)).statusCode).toBe(409);
    expect(await balanceOf(headId())).toBe(7);
    const timeline = await t.context.database.rows<{ action: string }>(sql`SELECT action FROM item_events WHERE subject_type = 'redemption_code' AND subject_id = ${id} ORDER BY id`);
    expect(timeline.map((e) => e.action)).toEqual(['issue', 'redeem']);
  });

  it('concurrent redemptions of one code: exactly one succeeds', async () => {
    const tea = await offer(1, { title: '茶水' });
    const { code, id } = (await issue(tea.id)).json() as { code: string; id: number };
    const answers = await Promise.all(Array.from({ length: 6 }, () => call('shopclerk', 'POST', '/api/v1/incentives/codes/redeem', { code })));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    const [row] = await t.context.database.rows<{ status: string }>(sql`SELECT status FROM redemption_codes WHERE id = ${id}`);
    expect(row.status).toBe('redeemed');
    const [{ n }] = await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'incentive.code_redeem' AND resource_id = ${String(id)} AND outcome = 'success'`);
    expect(Number(n)).toBe(1);
  });

  it('concurrent issues cannot overspend a balance', async () => {
    const balance = await balanceOf(headId());
    const all = await offer(balance, { title: '全部积分' });
    const answers = await Promise.all(Array.from({ length: 4 }, () => issue(all.id)));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409, 409, 409]);
    expect(await balanceOf(headId())).toBe(0);
    // Cancelling the unused code gives the points back, once.
    const id = answers.find((a) => a.statusCode === 201)!.json().id as number;
    expect((await call('buildinghead2', 'POST', `/api/v1/incentives/codes/${id}/cancel`)).statusCode).toBe(403);
    const cancelled = await call('buildinghead', 'POST', `/api/v1/incentives/codes/${id}/cancel`);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', balance });
    expect((await call('buildinghead', 'POST', `/api/v1/incentives/codes/${id}/cancel`)).statusCode).toBe(409);
    expect(await balanceOf(headId())).toBe(balance);
  });

  it('an expired code is refused at the counter and its points go back once', async () => {
    const snack = await offer(2, { title: '小吃' });
    const before = await balanceOf(headId());
    const { code, id } = (await issue(snack.id)).json() as { code: string; id: number };
    expect(await balanceOf(headId())).toBe(before - 2);
    await t.context.database.rows(sql`UPDATE redemption_codes SET expires_at = now() - interval '1 minute' WHERE id = ${id}`);
    const refused = await call('shopclerk', 'POST', '/api/v1/incentives/codes/redeem', { code });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.details).toEqual({ status: 'expired' });
    expect((await call('shopclerk', 'POST', '/api/v1/incentives/codes/redeem', { code })).statusCode).toBe(409);
    expect(await balanceOf(headId())).toBe(before);
    expect(await entries(headId(), 'redemption_returned')).toContainEqual(expect.objectContaining({ points: 2 }));
    const returned = (await entries(headId(), 'redemption_returned')).filter((e) => Number(e.source_id) === id);
    expect(returned).toHaveLength(1);
    // Listing expires overdue codes too (lazy expiry), again without paying twice.
    const other = (await issue(snack.id)).json() as { id: number };
    await t.context.database.rows(sql`UPDATE redemption_codes SET expires_at = now() - interval '1 minute' WHERE id = ${other.id}`);
    const codes = (await call('buildinghead', 'GET', '/api/v1/incentives/codes?status=expired')).json();
    expect(codes.items.map((c: { id: number }) => c.id)).toEqual([other.id, id]);
    expect(await balanceOf(headId())).toBe(before);
  });

  it('offers: a head sees the offers of their community; an inactive or past offer cannot be used', async () => {
    const old = await offer(0, { title: '过期优惠', validUntil: '2020-01-01' });
    expect((await issue(old.id)).statusCode).toBe(409);
    const paused = await offer(0, { title: '暂停优惠' });
    expect((await call('dispatcher', 'PATCH', `/api/v1/incentives/offers/${paused.id}`, { active: false })).json().available).toBe(false);
    expect((await issue(paused.id)).statusCode).toBe(409);
    const seen = (await call('buildinghead', 'GET', '/api/v1/incentives/offers?status=available&pageSize=50')).json();
    expect(seen.items.every((o: { available: boolean }) => o.available)).toBe(true);
    expect(seen.items.length).toBeGreaterThan(0);
    expect((await call('shopclerk2', 'GET', '/api/v1/incentives/offers')).json().total).toBe(0);
    expect((await call('dispatcher', 'POST', '/api/v1/incentives/offers', { shopUnitId: city.a.residentUnit.id, title: 'x', pointsCost: 1 })).statusCode).toBe(400);
    expect((await call('buildinghead', 'POST', '/api/v1/incentives/offers', { shopUnitId: shop.id, title: 'x', pointsCost: 1 })).statusCode).toBe(403);
  });

  it('one red flag per community and period; moving it is one transaction and moves the points', async () => {
    const save = async (buildingId: number, score: number, redFlag?: boolean) => {
      const response = await call('dispatcher', 'POST', '/api/v1/incentives/evaluations', { buildingId, period: '2026-10', score, criteria: { 环境卫生: score / 2 }, comment: '整洁', ...(redFlag ? { redFlag } : {}) });
      expect(response.statusCode, response.body).toBe(201);
      return response.json() as { id: number; rank: number; redFlag: boolean };
    };
    const first = await save(city.a.building.id, 92.5, true);
    const second = await save(building2.id, 95);
    expect(first.redFlag).toBe(true);
    const before1 = await balanceOf(headId());
    expect(await balanceOf(head2.id)).toBe(0);
    const moved = await call('dispatcher', 'POST', `/api/v1/incentives/evaluations/${second.id}/red-flag`);
    expect(moved.json()).toMatchObject({ redFlag: true, rank: 1 });
    const holders = await t.context.database.rows<{ building_id: number }>(sql`SELECT building_id FROM building_evaluations WHERE period = '2026-10' AND red_flag`);
    expect(holders.map((h) => Number(h.building_id))).toEqual([building2.id]);
    expect(await balanceOf(head2.id)).toBe(10);
    expect(await balanceOf(headId())).toBe(before1 - 10);
    // Concurrent moves still leave exactly one holder.
    await Promise.all([call('dispatcher', 'POST', `/api/v1/incentives/evaluations/${first.id}/red-flag`), call('cityadmin', 'POST', `/api/v1/incentives/evaluations/${second.id}/red-flag`)]);
    expect((await t.context.database.rows(sql`SELECT id FROM building_evaluations WHERE period = '2026-10' AND red_flag`)).length).toBe(1);
    // The database itself refuses a second holder.
    await expect(t.context.database.rows(sql`UPDATE building_evaluations SET red_flag = true WHERE period = '2026-10'`)).rejects.toThrow();
    // Re-saving replaces the score; bad periods and scores are refused; heads may not evaluate.
    expect((await save(city.a.building.id, 80)).id).toBe(first.id);
    expect((await call('dispatcher', 'POST', '/api/v1/incentives/evaluations', { buildingId: building2.id, period: '2026-13', score: 90 })).statusCode).toBe(400);
    expect((await call('dispatcher', 'POST', '/api/v1/incentives/evaluations', { buildingId: building2.id, period: '2026Q4', score: 101 })).statusCode).toBe(400);
    expect((await call('buildinghead', 'POST', '/api/v1/incentives/evaluations', { buildingId: building2.id, period: '2026Q4', score: 90 })).statusCode).toBe(403);
    const history = (await call('dispatcher', 'GET', '/api/v1/incentives/evaluations?redFlag=true')).json();
    expect(history.total).toBe(1);
    const ranking = (await call('dispatcher', 'GET', '/api/v1/incentives/evaluations?period=2026-10')).json();
    expect(ranking.items.map((e: { buildingId: number; rank: number }) => [e.buildingId, e.rank])).toEqual([[building2.id, 1], [city.a.building.id, 2]]);
  });

  it('every list exports to Excel; lists outside the reader’s reach are refused', async () => {
    for (const url of ['/api/v1/incentives/heads/export.xlsx', `/api/v1/incentives/entries/export.xlsx?userId=${headId()}`, '/api/v1/incentives/offers/export.xlsx', '/api/v1/incentives/codes/export.xlsx?status=redeemed', '/api/v1/incentives/evaluations/export.xlsx?period=2026-10']) {
      const response = await call('dispatcher', 'GET', url);
      expect(response.statusCode, url).toBe(200);
      expect(response.rawPayload.subarray(0, 2).toString()).toBe('PK');
    }
    expect((await call('dispatcher', 'GET', '/api/v1/incentives/entries?q=楼栋清洁')).json().total).toBeGreaterThan(0);
    // A NUL in the search words is a 400 before anything is streamed (PostgreSQL refuses it mid-export otherwise).
    for (const url of ['/api/v1/incentives/heads/export.xlsx?q=a%00b', '/api/v1/incentives/entries?q=a%00b']) expect((await call('dispatcher', 'GET', url)).statusCode, url).toBe(400);
    expect((await call('gridworker', 'GET', '/api/v1/incentives/heads')).statusCode).toBe(403);
    expect((await call('unitcontact', 'GET', '/api/v1/incentives/evaluations')).statusCode).toBe(403);
  });
});
