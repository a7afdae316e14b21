import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildScopedCity } from '../support/factories.ts';
import { plainJpeg } from '../support/photos.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;

function multipart(content: Buffer) {
  const boundary = '----wishboundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('micro-wishes (微心愿)', () => {
  let t: TestApp;
  let city: City;
  let dataDir: string;
  const cookie: Record<string, string> = {};
  let ipCounter = 0;
  const freshIp = () => `10.30.0.${++ipCounter}`;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'civicgrid-wishes-'));
    t = await createTestApp({ dataDir });
    city = await buildScopedCity(t.context.database, t.context.cipher);
    // Side B's party member and unit liaison: placed in B's community, outside A's.
    await city.factory.partyMemberUser(city.cityId, 'partymember_b', city.b.partyMember.id, city.b.community);
    await city.factory.user(city.cityId, 'unitcontact_b', 'unit_contact', { regionNodeId: city.b.community.id, unitId: city.b.residentUnit.id });
    for (const name of ['dispatcher', 'gridworker', 'buildinghead', 'partymember', 'unitcontact', 'partymember_b', 'unitcontact_b', 'street', 'water']) cookie[name] = await t.login(name);
  });
  afterAll(async () => {
    await t?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const as = (who: string | null, method: 'GET' | 'POST', url: string, payload?: unknown, remoteAddress?: string) =>
    t.app.inject({ method, url, headers: who ? { cookie: cookie[who] } : {}, payload: payload as never, ...(remoteAddress ? { remoteAddress } : {}) });
  const post = async (side: 'a' | 'b' = 'a', body: Record<string, unknown> = {}, ip = freshIp()) => {
    const response = await as(null, 'POST', `/api/v1/public/places/${city[side].building.code}/wishes`, { title: '想要一副老花镜', wisherKind: 'elderly', wisherName: '王小明', ...body }, ip);
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json() as { number: string; trackingToken: string };
    const [row] = await t.context.database.rows<{ id: number }>(sql`SELECT id FROM micro_wishes WHERE number = ${created.number} AND city_id = ${city.cityId}`);
    return { ...created, id: Number(row.id) };
  };
  const step = (who: string, id: number, action: string, body: Record<string, unknown> = {}) => as(who, 'POST', `/api/v1/micro-wishes/${id}/${action}`, body);
  const wishRow = async (id: number) => (await t.context.database.rows<Record<string, unknown>>(sql`SELECT * FROM micro_wishes WHERE id = ${id}`))[0];
  const countOf = async (query: ReturnType<typeof sql>) => Number((await t.context.database.rows<{ n: number }>(query))[0].n);
  const audits = (id: number, action: string) => countOf(sql`SELECT count(*)::int AS n FROM audit_log WHERE resource_type = 'micro_wish' AND resource_id = ${String(id)} AND action = ${action}`);
  const events = (id: number) => countOf(sql`SELECT count(*)::int AS n FROM item_events WHERE subject_type = 'micro_wish' AND subject_id = ${id}`);

  it('a resident posts a wish on the QR page: a number, a token (only its hash stored), an item event and an anonymous audit record', async () => {
    const wish = await post('a', { wisherPhone: '13912345678', consent: true, description: '看报纸看不清' });
    expect(wish.number).toMatch(/^WX\d{8}-\d{4}$/);
    expect(wish.trackingToken.length).toBeGreaterThanOrEqual(20);
    const row = await wishRow(wish.id);
    expect({ ...row, building_id: Number(row.building_id), community_id: Number(row.community_id) }).toMatchObject({ status: 'posted', building_id: city.a.building.id, community_id: city.a.community.id, region_path: city.a.building.path, wisher_phone: '13912345678' });
    expect(row.tracking_token_hash).not.toBe(wish.trackingToken);
    expect(await events(wish.id)).toBe(1);
    const [audit] = await t.context.database.rows<Record<string, unknown>>(sql`SELECT actor_user_id, actor_name FROM audit_log WHERE resource_type = 'micro_wish' AND resource_id = ${String(wish.id)} AND action = 'micro_wish.post'`);
    expect(audit).toMatchObject({ actor_user_id: null, actor_name: '居民' });
  });

  it('refuses a phone without consent, an unknown place, and bad fields', async () => {
    const url = `/api/v1/public/places/${city.a.building.code}/wishes`;
    expect((await as(null, 'POST', url, { title: '想要书包', wisherKind: 'child', wisherName: '小李', wisherPhone: '13912345678' })).statusCode).toBe(400);
    expect((await as(null, 'POST', '/api/v1/public/places/nowhere-1/wishes', { title: '想要书包', wisherKind: 'child', wisherName: '小李' })).statusCode).toBe(404);
    expect((await as(null, 'POST', url, { title: '想要书包', wisherKind: 'alien', wisherName: '小李' })).statusCode).toBe(400);
    expect((await as(null, 'POST', url, { title: '想要书包', wisherKind: 'child', wisherName: '小李', claimedByUnitId: 1 })).statusCode).toBe(400);
  });

  it('the public wall masks the wisher’s name, shows no phone, and hides withdrawn wishes', async () => {
    const shown = await post('a', { wisherName: '欧阳娜娜', wisherPhone: '13700009999', consent: true });
    const gone = await post('a', { title: '撤回的心愿' });
    expect((await as(null, 'POST', `/api/v1/public/wishes/${gone.trackingToken}/withdraw`, {})).json().status).toBe('withdrawn');
    const response = await as(null, 'GET', `/api/v1/public/places/${city.a.building.code}/wishes?pageSize=100`);
    expect(response.statusCode).toBe(200);
    const wall = response.json() as { communityName: string; total: number; items: Array<Record<string, unknown>> };
    expect(wall.communityName).toBe('A社区');
    const item = wall.items.find((i) => i.number === shown.number)!;
    expect(item.wisherName).toBe('欧***');
    expect(wall.items.some((i) => i.number === gone.number)).toBe(false);
    expect(response.body).not.toContain('娜娜');
    expect(response.body).not.toContain('13700009999');
    expect(response.body).not.toContain('9999');
    expect(response.body).not.toMatch(/phone/i);
    expect(response.body).not.toContain('"id"');
    // B's wishes are not on A's wall.
    const b = await post('b', { title: 'B 的心愿' });
    expect(((await as(null, 'GET', `/api/v1/public/places/${city.a.building.code}/wishes?pageSize=100`)).json() as typeof wall).items.some((i) => i.number === b.number)).toBe(false);
  });

  it('a wish is claimed once: the second claim is 409 (sequential)', async () => {
    const wish = await post();
    const first = await step('unitcontact', wish.id, 'claim');
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ status: 'claimed', claimedBy: { kind: 'unit' } });
    const second = await step('partymember', wish.id, 'claim');
    expect(second.statusCode).toBe(409);
    expect(second.json().error.code).toBe('conflict');
    const again = await step('unitcontact', wish.id, 'claim');
    expect(again.statusCode).toBe(409);
    const row = await wishRow(wish.id);
    expect(Number(row.claimed_by_unit_id)).toBe(city.a.residentUnit.id);
    expect(row.claimed_by_party_member_id).toBeNull();
    expect(await audits(wish.id, 'micro_wish.claim')).toBe(1);
  });

  it('two simultaneous claims: exactly one wins, the other is 409, and the row names the winner', async () => {
    for (let round = 0; round < 3; round++) {
      const wish = await post();
      const [unit, member] = await Promise.all([step('unitcontact', wish.id, 'claim'), step('partymember', wish.id, 'claim')]);
      const codes = [unit.statusCode, member.statusCode].sort();
      expect(codes).toEqual([200, 409]);
      const row = await wishRow(wish.id);
      if (unit.statusCode === 200) {
        expect(Number(row.claimed_by_unit_id)).toBe(city.a.residentUnit.id);
        expect(row.claimed_by_party_member_id).toBeNull();
      } else {
        expect(Number(row.claimed_by_party_member_id)).toBe(city.a.partyMember.id);
        expect(row.claimed_by_unit_id).toBeNull();
      }
      expect(await audits(wish.id, 'micro_wish.claim')).toBe(1);
      expect(await countOf(sql`SELECT count(*)::int AS n FROM item_events WHERE subject_type = 'micro_wish' AND subject_id = ${wish.id} AND action = 'claim'`)).toBe(1);
    }
  });

  it('a party member or unit of another community cannot claim (403); staff cannot claim at all', async () => {
    const wish = await post('a');
    for (const who of ['partymember_b', 'unitcontact_b', 'dispatcher', 'gridworker']) {
      const response = await step(who, wish.id, 'claim');
      expect([403, 404], `${who} ${response.body}`).toContain(response.statusCode);
    }
    const bWish = await post('b');
    expect((await step('partymember', bWish.id, 'claim')).statusCode).toBe(403);
    expect((await step('unitcontact', bWish.id, 'claim')).statusCode).toBe(403);
    expect((await step('partymember_b', bWish.id, 'claim')).statusCode).toBe(200);
    expect((await wishRow(wish.id)).status).toBe('posted');
  });

  it('fulfilment by a unit earns unit points once; only the claimer fulfils', async () => {
    const wish = await post();
    expect((await step('unitcontact', wish.id, 'claim')).statusCode).toBe(200);
    expect((await step('partymember', wish.id, 'fulfil', { note: '已送到' })).statusCode).toBe(403);
    expect((await step('dispatcher', wish.id, 'fulfil', { note: '已送到' })).statusCode).toBe(403);
    const done = await step('unitcontact', wish.id, 'fulfil', { note: '老花镜已送到家' });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ status: 'fulfilled', fulfilmentNote: '老花镜已送到家' });
    const again = await step('unitcontact', wish.id, 'fulfil', { note: '再次' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('invalid_transition');
    const points = await t.context.database.rows<{ points: number; event: string }>(sql`SELECT points, event FROM unit_point_entries WHERE source_kind = 'micro_wish' AND source_id = ${wish.id}`);
    expect(points).toEqual([{ points: 2, event: 'wish_fulfilled' }]);
    expect(await countOf(sql`SELECT count(*)::int AS n FROM service_hours WHERE source_kind = 'micro_wish' AND source_id = ${wish.id}`)).toBe(0);
  });

  it('fulfilment by a party member records one service hour once, and a release lets another claim', async () => {
    const wish = await post();
    expect((await step('partymember', wish.id, 'claim', { as: 'party_member' })).json().claimedBy).toEqual({ kind: 'party_member', label: '党员 赵*' });
    expect((await step('unitcontact', wish.id, 'release')).statusCode).toBe(403);
    expect((await step('partymember', wish.id, 'release', { note: '这周出差' })).json().status).toBe('posted');
    expect((await wishRow(wish.id)).claimed_by_party_member_id).toBeNull();
    expect((await step('partymember', wish.id, 'claim')).statusCode).toBe(200);
    expect((await step('partymember', wish.id, 'fulfil', { note: '已陪同就医' })).statusCode).toBe(200);
    expect((await step('partymember', wish.id, 'fulfil', { note: '已陪同就医' })).statusCode).toBe(409);
    const hours = await t.context.database.rows<{ hours: string; party_member_id: number }>(sql`SELECT hours::text, party_member_id FROM service_hours WHERE source_kind = 'micro_wish' AND source_id = ${wish.id}`);
    expect(hours.map((h) => [Number(h.hours), Number(h.party_member_id)])).toEqual([[1, city.a.partyMember.id]]);
    expect(await countOf(sql`SELECT count(*)::int AS n FROM unit_point_entries WHERE source_kind = 'micro_wish' AND source_id = ${wish.id}`)).toBe(0);
  });

  it('confirms only with the right token; every step wrote an item event and an audit record', async () => {
    const wish = await post();
    const other = await post();
    expect((await as(null, 'POST', `/api/v1/public/wishes/${wish.trackingToken}/confirm`, {})).statusCode).toBe(409); // not fulfilled yet
    await step('unitcontact', wish.id, 'claim');
    await step('unitcontact', wish.id, 'fulfil', { note: '已送到' });
    expect((await as(null, 'POST', '/api/v1/public/wishes/AAAAAAAAAAAAAAAAAAAAAAAA/confirm', { thanksNote: '谢谢' })).statusCode).toBe(404);
    expect((await as(null, 'POST', `/api/v1/public/wishes/${other.trackingToken}/confirm`, { thanksNote: '谢谢' })).statusCode).toBe(409);
    expect((await wishRow(wish.id)).status).toBe('fulfilled');
    const confirmed = await as(null, 'POST', `/api/v1/public/wishes/${wish.trackingToken}/confirm`, { thanksNote: '谢谢你们！' });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json()).toMatchObject({ status: 'confirmed', thanksNote: '谢谢你们！', canConfirm: false });
    expect((await as(null, 'POST', `/api/v1/public/wishes/${wish.trackingToken}/confirm`, {})).statusCode).toBe(409);
    expect(await events(wish.id)).toBe(4);
    const actions = await t.context.database.rows<{ action: string; actor_user_id: number | null }>(sql`SELECT action, actor_user_id FROM audit_log WHERE resource_type = 'micro_wish' AND resource_id = ${String(wish.id)} ORDER BY id`);
    expect(actions.map((a) => a.action)).toEqual(['micro_wish.post', 'micro_wish.claim', 'micro_wish.fulfil', 'micro_wish.confirm']);
    expect(actions[3].actor_user_id).toBeNull();
    const view = (await as(null, 'GET', `/api/v1/public/wishes/${wish.trackingToken}`)).json() as { timeline: Array<{ action: string }>; claimedBy: { label: string } };
    expect(view.timeline.map((e) => e.action)).toEqual(['post', 'claim', 'fulfil', 'confirm']);
    expect(view.claimedBy.label).toMatch(/^单位\d+$/);
  });

  it('staff confirm on the wisher’s behalf (audited) and withdraw; grid workers may not', async () => {
    const wish = await post();
    await step('partymember', wish.id, 'claim');
    await step('partymember', wish.id, 'fulfil', { note: '已送到' });
    expect((await step('gridworker', wish.id, 'confirm')).statusCode).toBe(403);
    const confirmed = await step('dispatcher', wish.id, 'confirm', { thanksNote: '代老人致谢' });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    const [audit] = await t.context.database.rows<{ details: Record<string, unknown> }>(sql`SELECT details FROM audit_log WHERE resource_type = 'micro_wish' AND resource_id = ${String(wish.id)} AND action = 'micro_wish.confirm'`);
    expect(audit.details).toMatchObject({ onBehalfOfWisher: true });
    const toWithdraw = await post();
    expect((await step('gridworker', toWithdraw.id, 'withdraw')).statusCode).toBe(403);
    expect((await step('dispatcher', toWithdraw.id, 'withdraw')).json().status).toBe('withdrawn');
    expect((await step('dispatcher', toWithdraw.id, 'withdraw')).statusCode).toBe(409);
  });

  it('staff post on a resident’s behalf inside their area only; the poster may withdraw it', async () => {
    const created = await as('buildinghead', 'POST', '/api/v1/micro-wishes', { regionId: city.a.building.id, title: '想学用智能手机', wisherKind: 'elderly', wisherName: '陈奶奶' });
    expect(created.statusCode, created.body).toBe(201);
    const body = created.json() as { id: number; trackingToken: string; status: string; wisherName: string; allowedActions: string[] };
    expect(body).toMatchObject({ status: 'posted', wisherName: '陈**' });
    expect(body.trackingToken.length).toBeGreaterThan(20);
    expect(body.allowedActions).toEqual(['withdraw']);
    expect((await as('buildinghead', 'POST', '/api/v1/micro-wishes', { regionId: city.b.building.id, title: '越界', wisherKind: 'elderly', wisherName: '陈奶奶' })).statusCode).toBe(403);
    expect((await as('partymember', 'POST', '/api/v1/micro-wishes', { regionId: city.a.building.id, title: '党员代发', wisherKind: 'elderly', wisherName: '陈奶奶' })).statusCode).toBe(403);
    expect((await as('dispatcher', 'POST', '/api/v1/micro-wishes', { regionId: city.a.community.id, title: '社区代发', wisherKind: 'child', wisherName: '小明' })).statusCode).toBe(201);
    expect((await step('buildinghead', body.id, 'withdraw')).json().status).toBe('withdrawn');
  });

  it('the wisher’s contact is revealed only to the claimer and staff, audited each time', async () => {
    const wish = await post('a', { wisherName: '刘大爷', wisherPhone: '13612345678', consent: true });
    const detail = (await as('dispatcher', 'GET', `/api/v1/micro-wishes/${wish.id}`)).json() as { wisherName: string; wisherPhone: string };
    expect(detail).toMatchObject({ wisherName: '刘**', wisherPhone: '136****5678' });
    expect((await step('partymember', wish.id, 'reveal')).statusCode).toBe(403); // not the claimer yet
    await step('partymember', wish.id, 'claim');
    const revealed = await step('partymember', wish.id, 'reveal');
    expect(revealed.json()).toEqual({ wisherName: '刘大爷', wisherPhone: '13612345678' });
    expect((await step('dispatcher', wish.id, 'reveal')).statusCode).toBe(200);
    expect((await step('gridworker', wish.id, 'reveal')).statusCode).toBe(403);
    expect((await step('unitcontact', wish.id, 'reveal')).statusCode).toBe(403);
    expect(await audits(wish.id, 'micro_wish.reveal')).toBe(2);
  });

  it('lists the wall of my area with filters and pages, and exports the same as Excel', async () => {
    const mine = await post('a', { title: '想要一个篮球', wisherKind: 'child' });
    await post('b', { title: '想要一个篮球', wisherKind: 'child' });
    const list = (await as('dispatcher', 'GET', '/api/v1/micro-wishes?q=篮球&kind=child&pageSize=5')).json() as { items: Array<{ number: string; communityName: string; allowedActions: string[] }>; total: number; page: number; pageSize: number };
    expect(list).toMatchObject({ total: 1, page: 1, pageSize: 5 });
    expect(list.items[0]).toMatchObject({ number: mine.number, communityName: 'A社区', allowedActions: ['withdraw'] });
    const asUnit = (await as('unitcontact', 'GET', '/api/v1/micro-wishes?q=篮球')).json() as typeof list;
    expect(asUnit.items.map((i) => i.allowedActions)).toEqual([['claim']]);
    const all = (await as('street', 'GET', '/api/v1/micro-wishes?status=posted&pageSize=200')).json() as typeof list;
    expect(all.items.every((i) => i.communityName === 'A社区')).toBe(true);
    expect((await as('water', 'GET', '/api/v1/micro-wishes')).statusCode).toBe(403);
    const exported = await as('dispatcher', 'GET', '/api/v1/micro-wishes/export.xlsx?q=篮球');
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toContain('spreadsheetml');
    expect(exported.rawPayload.subarray(0, 2).toString()).toBe('PK');
  });

  it('a wish photo: the poster’s own upload only, once, served on the wall', async () => {
    const ip = freshIp();
    const body = multipart(plainJpeg());
    const upload = await t.app.inject({ method: 'POST', url: '/api/v1/public/photos', remoteAddress: ip, payload: body.payload, headers: body.headers });
    expect(upload.statusCode, upload.body).toBe(201);
    const { token } = upload.json() as { token: string };
    // From another address the token is as good as unknown.
    expect((await as(null, 'POST', `/api/v1/public/places/${city.a.building.code}/wishes`, { title: '想要一盆花', wisherKind: 'elderly', wisherName: '周阿姨', photoToken: token }, freshIp())).statusCode).toBe(400);
    const wish = await post('a', { title: '想要一盆花', photoToken: token }, ip);
    expect((await as(null, 'POST', `/api/v1/public/places/${city.a.building.code}/wishes`, { title: '再来一次', wisherKind: 'elderly', wisherName: '周阿姨', photoToken: token }, ip)).statusCode).toBe(400);
    const wall = (await as(null, 'GET', `/api/v1/public/places/${city.a.building.code}/wishes?pageSize=100`)).json() as { items: Array<{ number: string; photoUrl: string | null }> };
    const photoUrl = wall.items.find((i) => i.number === wish.number)!.photoUrl!;
    expect(photoUrl).toBe(`/api/v1/public/wish-photos/${token}`);
    const served = await as(null, 'GET', photoUrl);
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/jpeg');
    expect((await as(null, 'GET', '/api/v1/public/wish-photos/BBBBBBBBBBBBBBBBBBBBBBBB')).statusCode).toBe(404);
    await as(null, 'POST', `/api/v1/public/wishes/${wish.trackingToken}/withdraw`, {});
    expect((await as(null, 'GET', photoUrl)).statusCode).toBe(404);
  });

  it('the claimer’s fulfilment photo: their own upload from their address, shown to the wisher', async () => {
    const wish = await post();
    await step('unitcontact', wish.id, 'claim');
    const ip = freshIp();
    const body = multipart(plainJpeg());
    const { token } = (await t.app.inject({ method: 'POST', url: '/api/v1/public/photos', remoteAddress: ip, payload: body.payload, headers: body.headers })).json() as { token: string };
    const fulfil = (remoteAddress: string) =>
      t.app.inject({ method: 'POST', url: `/api/v1/micro-wishes/${wish.id}/fulfil`, remoteAddress, headers: { cookie: cookie.unitcontact }, payload: { note: '已送到', photoToken: token } });
    expect((await fulfil(freshIp())).statusCode).toBe(400); // someone else's upload
    expect((await wishRow(wish.id)).status).toBe('claimed');
    const done = await fulfil(ip);
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json().fulfilmentPhotoUrl).toBe(`/api/v1/public/wish-photos/${token}`);
    const view = (await as(null, 'GET', `/api/v1/public/wishes/${wish.trackingToken}`)).json() as { fulfilmentPhotoUrl: string };
    expect((await as(null, 'GET', view.fulfilmentPhotoUrl)).statusCode).toBe(200);
  });
});
