import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import jpegjs from 'jpeg-js';
import { wgs84ToGcj02 } from '../../src/modules/geography/coordinates.ts';
import { verifyAuditChain } from '../../src/modules/audit/audit.service.ts';
import { insertDefaultCategories } from '../../src/modules/cases/case-categories.repository.ts';
import { deliverDueNotifications, MAX_ATTEMPTS } from '../../src/modules/notifications/delivery.worker.ts';
import { inAppAdapter, type NotificationAdapter } from '../../src/modules/notifications/delivery-adapters.ts';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { usingPostgres } from '../support/test-database.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;

/** Idempotency keys, the notification outbox, intake rate limits, holder levels and dispatch tasks. */
describe('request loop plumbing (API)', () => {
  let t: TestApp;
  let city: City;
  const cookie: Record<string, string> = {};
  const n = async (query: ReturnType<typeof sql>) => Number((await t.context.database.rows<{ n: number }>(query))[0].n);
  const body = (extra: object = {}) => ({ placeCode: city.a.building.code, categoryCode: 'roads_facilities', description: '楼下路沿石破损，老人容易绊倒', ...extra });
  const report = (payload: object, headers: Record<string, string> = {}) => t.app.inject({ method: 'POST', url: '/api/v1/public/cases', headers, payload });
  const act = (who: string, caseId: number, payload: object, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/actions`, headers: { cookie: cookie[who], ...headers }, payload });
  const caseIdOf = async (trackingToken: string) => Number((await t.context.database.rows<{ id: number }>(sql`SELECT id FROM cases WHERE tracking_token = ${trackingToken}`))[0].id);

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    await insertDefaultCategories(t.context.database, t.context.database.db, city.cityId);
    await city.factory.user(city.cityId, 'gridworker2', 'grid_worker', { regionNodeId: city.a.grid2.id });
    await city.factory.user(city.cityId, 'gridworker_b', 'grid_worker', { regionNodeId: city.b.grid.id });
    for (const name of ['gridworker', 'gridworker2', 'dispatcher', 'street', 'water']) cookie[name] = await t.login(name);
  });
  afterAll(async () => t?.close());

  describe('Idempotency-Key', () => {
    it('a repeated request returns the first response and writes nothing more', async () => {
      const first = await report(body(), { 'idempotency-key': 'report-1' });
      expect(first.statusCode).toBe(201);
      const cases = await n(sql`SELECT count(*)::int AS n FROM cases`);
      const again = await report(body(), { 'idempotency-key': 'report-1' });
      expect(again.statusCode).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.json()).toEqual(first.json());
      expect(await n(sql`SELECT count(*)::int AS n FROM cases`)).toBe(cases);
    });

    it('the same key with a different body is a 422', async () => {
      await report(body(), { 'idempotency-key': 'report-2' });
      const other = await report(body({ description: '另一件事：路灯不亮' }), { 'idempotency-key': 'report-2' });
      expect(other.statusCode).toBe(422);
      expect(other.json().error.code).toBe('idempotency_key_reused');
    });

    it('keys belong to their sender: another user may use the same key', async () => {
      const created = (await report(body(), { 'idempotency-key': 'owner-test' })).json();
      const id = await caseIdOf(created.trackingToken);
      const mine = await act('dispatcher', id, { action: 'supervise' }, { 'idempotency-key': 'shared-key' });
      expect(mine.statusCode, mine.body).toBe(403); // the dispatcher may not supervise …
      const street = await act('street', id, { action: 'supervise' }, { 'idempotency-key': 'shared-key' });
      expect(street.statusCode, street.body).toBe(200); // … and the street's identical key is its own
      expect(street.headers['idempotent-replayed']).toBeUndefined();
    });

    it('a duplicate arriving while the first is still running gets a 409; concurrent copies create one case', async () => {
      // A claim held by a live execution of this process.
      const probe = await report(body(), { 'idempotency-key': 'probe' });
      const [{ owner }] = await t.context.database.rows<{ owner: string }>(sql`SELECT owner FROM idempotency_keys WHERE key = 'probe'`);
      const bootPrefix = owner.split(':')[0];
      expect(probe.statusCode).toBe(201);
      await t.context.database.db.execute(sql`INSERT INTO idempotency_keys (scope, key, request_hash, method, path, owner)
        SELECT scope, 'in-flight', request_hash, method, path, ${`${bootPrefix}:live`} FROM idempotency_keys WHERE key = 'probe'`);
      const duplicate = await report(body(), { 'idempotency-key': 'in-flight' });
      expect(duplicate.statusCode).toBe(409);
      expect(duplicate.json().error.code).toBe('idempotency_in_progress');

      const before = await n(sql`SELECT count(*)::int AS n FROM cases`);
      const responses = await Promise.all(Array.from({ length: 6 }, () => report(body({ description: '并发提交同一条诉求' }), { 'idempotency-key': 'concurrent' })));
      const created = responses.filter((r) => r.statusCode === 201);
      expect(created.length).toBeGreaterThanOrEqual(1);
      for (const r of responses) expect([201, 409]).toContain(r.statusCode);
      for (const r of created) expect(r.json()).toEqual(created[0].json());
      expect(await n(sql`SELECT count(*)::int AS n FROM cases`)).toBe(before + 1);
    });

    it('a claim left running by a crashed execution is taken over, and its answer is stored with the change', async () => {
      const probe = await report(body(), { 'idempotency-key': 'probe-2' });
      expect(probe.statusCode).toBe(201);
      // A dead process's claim: another boot (embedded) or an old claim (server).
      await t.context.database.db.execute(sql`INSERT INTO idempotency_keys (scope, key, request_hash, method, path, owner, created_at)
        SELECT scope, 'crashed', request_hash, method, path, 'deadbeef0000:x', now() - interval '1 minute' FROM idempotency_keys WHERE key = 'probe-2'`);
      const retried = await report(body(), { 'idempotency-key': 'crashed' });
      expect(retried.statusCode, retried.body).toBe(201);
      const [row] = await t.context.database.rows<{ state: string; response_body: string }>(sql`SELECT state, response_body FROM idempotency_keys WHERE key = 'crashed'`);
      expect(row.state).toBe('done');
      expect(JSON.parse(row.response_body)).toEqual(retried.json());
    });

    it('errors worth retrying are not stored; refusals are', async () => {
      const anonymous = await t.app.inject({ method: 'POST', url: '/api/v1/cases/1/actions', headers: { 'idempotency-key': 'no-session' }, payload: { action: 'supervise' } });
      expect(anonymous.statusCode).toBe(401);
      expect(await n(sql`SELECT count(*)::int AS n FROM idempotency_keys WHERE key = 'no-session'`)).toBe(0);
      const bad = await report({ ...body(), categoryCode: 'no_such_category' }, { 'idempotency-key': 'bad-category' });
      expect(bad.statusCode).toBe(400);
      const again = await report({ ...body(), categoryCode: 'no_such_category' }, { 'idempotency-key': 'bad-category' });
      expect(again.statusCode).toBe(400);
      expect(again.headers['idempotent-replayed']).toBe('true');
      const badKey = await report(body(), { 'idempotency-key': 'bad key with spaces' });
      expect(badKey.statusCode).toBe(400);
    });

    it('case actions replay with their ETag and never apply twice', async () => {
      const created = (await report(body())).json();
      const id = await caseIdOf(created.trackingToken);
      const first = await act('dispatcher', id, { action: 'dispatch' }, { 'idempotency-key': 'dispatch-1', 'if-match': '"1"' });
      expect(first.statusCode, first.body).toBe(200);
      const again = await act('dispatcher', id, { action: 'dispatch' }, { 'idempotency-key': 'dispatch-1', 'if-match': '"1"' });
      expect(again.statusCode).toBe(200);
      expect(again.headers.etag).toBe('"2"');
      expect(await n(sql`SELECT count(*)::int AS n FROM case_events WHERE case_id = ${id} AND action = 'dispatch'`)).toBe(1);
    });
  });

  describe('outbox and delivery', () => {
    it('a report tells the community dispatcher and a dispatch tells the assigned grid worker, once each', async () => {
      const created = (await report(body())).json();
      const id = await caseIdOf(created.trackingToken);
      const [submitEvent] = await t.context.database.rows<{ id: number }>(sql`SELECT id FROM case_events WHERE case_id = ${id} AND action = 'submit'`);
      const outbox = await t.context.database.rows<{ recipient: string; channel: string }>(sql`SELECT recipient, channel FROM outbox WHERE event_key = ${`case_event:${submitEvent.id}`}`);
      expect(outbox).toEqual([{ recipient: `user:${city.users.dispatcher.id}`, channel: 'in_app' }]);
      await act('dispatcher', id, { action: 'dispatch' });
      const [task] = await t.context.database.rows<{ assignee_user_id: number; grid_id: number }>(sql`SELECT assignee_user_id, grid_id FROM case_tasks WHERE case_id = ${id}`);
      expect(Number(task.assignee_user_id)).toBe(city.users.grid_worker.id);
      expect(Number(task.grid_id)).toBe(city.a.grid.id);

      const adapters = [inAppAdapter(t.context)];
      for (let i = 0; i < 3; i++) await deliverDueNotifications(t.context, adapters, new Date(Date.now() + 1000), 1000);
      const inbox = await t.app.inject({ method: 'GET', url: '/api/v1/notifications', headers: { cookie: cookie.gridworker } });
      const items = (inbox.json().items as Array<{ caseId: number; title: string }>).filter((i) => i.caseId === id);
      expect(items).toHaveLength(1);
      expect(items[0].title).toBe('新任务');
      expect(inbox.json().unread).toBeGreaterThanOrEqual(1);
      const read = await t.app.inject({ method: 'POST', url: `/api/v1/notifications/${(inbox.json().items[0] as { id: number }).id}/read`, headers: { cookie: cookie.gridworker } });
      expect(read.statusCode).toBe(200);
      const notMine = await t.app.inject({ method: 'POST', url: `/api/v1/notifications/${(inbox.json().items[0] as { id: number }).id}/read`, headers: { cookie: cookie.street } });
      expect(notMine.statusCode).toBe(404);
    });

    it('a failing channel is retried with growing delays and given up after the last attempt; others are unaffected', async () => {
      await t.context.database.db.execute(sql`UPDATE outbox SET status = 'delivered' WHERE status = 'pending'`);
      const created = (await report(body({ reporterPhone: '13987654321', consent: true }))).json();
      const id = await caseIdOf(created.trackingToken);
      await act('dispatcher', id, { action: 'dispatch' });
      await act('gridworker', id, { action: 'record_contact' });
      await act('gridworker', id, { action: 'reply', note: '已修复' });
      const [sms] = await t.context.database.rows<{ id: number; recipient_address: string }>(sql`SELECT id, recipient_address FROM outbox WHERE channel = 'sms' AND template = 'resident.reply' AND payload->>'caseId' = ${String(id)}`);
      expect(sms.recipient_address).toBe('13987654321');
      let calls = 0;
      const broken: NotificationAdapter = { channel: 'sms', send: async () => { calls++; throw new Error('gateway down'); } };
      let now = Date.now() + 1000;
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        await deliverDueNotifications(t.context, [broken, inAppAdapter(t.context)], new Date(now), 1000);
        const [row] = await t.context.database.rows<{ attempts: number; status: string; next_attempt_at: string }>(sql`SELECT attempts, status, next_attempt_at FROM outbox WHERE id = ${sms.id}`);
        expect(Number(row.attempts)).toBe(attempt);
        // Not due again right away: the delay doubles.
        await deliverDueNotifications(t.context, [broken], new Date(now + 500), 1000);
        expect(calls).toBe(attempt);
        now = new Date(row.next_attempt_at).getTime() + 1;
        if (attempt === MAX_ATTEMPTS) expect(row.status).toBe('dead');
      }
      expect(await n(sql`SELECT count(*)::int AS n FROM outbox WHERE status = 'pending' AND channel = 'in_app'`)).toBe(0);
    });
  });

  describe('intake rate limits', () => {
    it('limits anonymous reports per client and per place, with Retry-After; staff entry is not limited', async () => {
      const limited = await createTestApp({ intakeLimitPerClient: 3, intakeLimitPerPlace: 100, intakeLimitWindowSeconds: 600 });
      try {
        const c = await buildScopedCity(limited.context.database, limited.context.cipher);
        await insertDefaultCategories(limited.context.database, limited.context.database.db, c.cityId);
        const send = (ip: string, placeCode = c.a.building.code) =>
          limited.app.inject({ method: 'POST', url: '/api/v1/public/cases', remoteAddress: ip, payload: { placeCode, categoryCode: 'roads_facilities', description: '路灯不亮了' } });
        for (let i = 0; i < 3; i++) expect((await send('10.0.0.1')).statusCode).toBe(201);
        const refused = await send('10.0.0.1');
        expect(refused.statusCode).toBe(429);
        expect(refused.json().error.code).toBe('rate_limited');
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
        expect((await send('10.0.0.2')).statusCode).toBe(201);
        const staff = await limited.login('gridworker');
        for (let i = 0; i < 4; i++) {
          const entered = await limited.app.inject({ method: 'POST', url: '/api/v1/cases', remoteAddress: '10.0.0.1', headers: { cookie: staff },
            payload: { placeCode: c.a.building.code, categoryCode: 'roads_facilities', description: '入户走访时群众反映', channel: 'grid_worker' } });
          expect(entered.statusCode, entered.body).toBe(201);
        }
      } finally {
        await limited.close();
      }
      const perPlace = await createTestApp({ intakeLimitPerClient: 100, intakeLimitPerPlace: 2, intakeLimitWindowSeconds: 600 });
      try {
        const c = await buildScopedCity(perPlace.context.database, perPlace.context.cipher);
        await insertDefaultCategories(perPlace.context.database, perPlace.context.database.db, c.cityId);
        const send = (ip: string, placeCode: string) =>
          perPlace.app.inject({ method: 'POST', url: '/api/v1/public/cases', remoteAddress: ip, payload: { placeCode, categoryCode: 'roads_facilities', description: '路灯不亮了' } });
        expect((await send('10.0.1.1', c.a.building.code)).statusCode).toBe(201);
        expect((await send('10.0.1.2', c.a.building.code)).statusCode).toBe(201);
        expect((await send('10.0.1.3', c.a.building.code)).statusCode).toBe(429);
        expect((await send('10.0.1.3', c.b.building.code)).statusCode).toBe(201);
      } finally {
        await perPlace.close();
      }
    }, 180_000);
  });

  describe('what the server tells screens and stores', () => {
    it('the case detail lists exactly the actions this user can take now', async () => {
      const created = (await report(body())).json();
      const id = await caseIdOf(created.trackingToken);
      const detailFor = async (who: string) => (await t.app.inject({ method: 'GET', url: `/api/v1/cases/${id}`, headers: { cookie: cookie[who] } })).json() as { allowedActions: string[] };
      expect((await detailFor('dispatcher')).allowedActions.sort()).toEqual(['claim', 'decline', 'dispatch', 'merge', 'reclassify']);
      expect((await detailFor('street')).allowedActions.sort()).toEqual(['claim', 'decline', 'dispatch', 'merge', 'reclassify', 'supervise']);
      await act('dispatcher', id, { action: 'dispatch' });
      expect((await detailFor('gridworker')).allowedActions.sort()).toEqual(['claim', 'escalate', 'record_contact', 'request_extension', 'return']);
      await act('gridworker', id, { action: 'record_contact' });
      await act('gridworker', id, { action: 'escalate' });
      expect((await detailFor('gridworker')).allowedActions).toEqual([]);
      expect((await detailFor('dispatcher')).allowedActions).toContain('reply');
    });

    it('a point sent in GCJ-02 is stored in WGS-84', async () => {
      const wgs: [number, number] = [106.905, 27.605];
      const gcj = wgs84ToGcj02(...wgs);
      const response = await report({ categoryCode: 'roads_facilities', description: '路面塌陷', lng: gcj[0], lat: gcj[1], crs: 'gcj02', cityCode: city.city.code });
      expect(response.statusCode, response.body).toBe(201);
      const [row] = await t.context.database.rows<{ lng: number; lat: number; grid_id: number }>(sql`SELECT lng, lat, grid_id FROM cases WHERE tracking_token = ${response.json().trackingToken}`);
      expect(Number(row.lng)).toBeCloseTo(wgs[0], 5);
      expect(Number(row.lat)).toBeCloseTo(wgs[1], 5);
      expect(Number(row.grid_id)).toBe(city.a.grid.id);
    });
  });

  describe('holder levels and tasks', () => {
    it('a case escalated to the community can no longer be handled by the grid worker, but by the dispatcher', async () => {
      const created = (await report(body())).json();
      const id = await caseIdOf(created.trackingToken);
      await act('dispatcher', id, { action: 'dispatch' });
      await act('gridworker', id, { action: 'record_contact' });
      expect((await act('gridworker', id, { action: 'escalate', note: '需社区协调' })).statusCode).toBe(200);
      const refused = await act('gridworker', id, { action: 'reply', note: '已处理' });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.details).toEqual({ holderLevel: 'community' });
      expect((await act('dispatcher', id, { action: 'reply', note: '社区已协调处理' })).statusCode).toBe(200);
      const [open] = await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM case_tasks WHERE case_id = ${id} AND status = 'open'`);
      expect(Number(open.n)).toBe(0);
    });

    it('a reopened case can summon the same department again; a summons carries its deadline; a full return stops the report-in clock', async () => {
      const created = (await report(body())).json();
      const id = await caseIdOf(created.trackingToken);
      const ok = async (who: string, payload: object) => {
        const response = await act(who, id, payload);
        expect(response.statusCode, `${who} ${JSON.stringify(payload)}: ${response.body}`).toBe(200);
      };
      const toStreetAndSummon = async () => {
        await ok('dispatcher', { action: 'dispatch' });
        await ok('gridworker', { action: 'record_contact' });
        await ok('gridworker', { action: 'escalate' });
        await ok('dispatcher', { action: 'escalate' });
        await ok('street', { action: 'summon', departmentIds: [city.department.id] });
      };
      await toStreetAndSummon();
      const [summons] = await t.context.database.rows<{ deadline: string | null }>(sql`SELECT deadline FROM case_summonses WHERE case_id = ${id}`);
      const [timer] = await t.context.database.rows<{ due_at: string }>(sql`SELECT due_at FROM sla_timers WHERE case_id = ${id} AND kind = 'report_in'`);
      expect(new Date(summons.deadline!).getTime()).toBe(new Date(timer.due_at).getTime());
      await ok('water', { action: 'report_in', departmentId: city.department.id });
      await ok('water', { action: 'department_reply', departmentId: city.department.id, note: '已维修管道' });
      await ok('street', { action: 'reply', note: '水务局已维修' });
      // The resident reads the answer itself on the tracking page.
      const tracking = (await t.app.inject({ method: 'GET', url: `/api/v1/public/cases/${created.trackingToken}` })).json() as { progress: Array<{ action: string; note?: string }> };
      expect(tracking.progress.find((p) => p.action === 'reply')?.note).toBe('水务局已维修');
      expect(tracking.progress.filter((p) => p.note !== undefined).map((p) => p.action)).toEqual(['reply']);
      const rated = await t.app.inject({ method: 'POST', url: `/api/v1/public/cases/${created.trackingToken}/rating`, payload: { resolved: false, satisfaction: 'dissatisfied', comment: '还是漏水' } });
      expect(rated.statusCode).toBe(200);
      expect((await t.app.inject({ method: 'POST', url: `/api/v1/public/cases/${created.trackingToken}/reopen` })).statusCode).toBe(200);
      // Why the resident was unhappy survives the reopen, on the rate event.
      const [rateEvent] = await t.context.database.rows<{ note: string }>(sql`SELECT note FROM case_events WHERE case_id = ${id} AND action = 'rate'`);
      expect(rateEvent.note).toBe('还是漏水');
      await toStreetAndSummon();
      await ok('water', { action: 'report_in', departmentId: city.department.id });
      await ok('water', { action: 'department_return', departmentId: city.department.id, reason: '不属本部门职责' });
      const running = await t.context.database.rows(sql`SELECT id FROM sla_timers WHERE case_id = ${id} AND kind = 'report_in' AND fired_at IS NULL AND cancelled_at IS NULL`);
      expect(running).toHaveLength(0);
    });

    it('dispatch splits a case into tasks for grid workers of its community, and refuses others', async () => {
      const created = (await report(body())).json();
      const id = await caseIdOf(created.trackingToken);
      const [gw2] = await t.context.database.rows<{ id: number }>(sql`SELECT id FROM users WHERE username = 'gridworker2'`);
      const [gwb] = await t.context.database.rows<{ id: number }>(sql`SELECT id FROM users WHERE username = 'gridworker_b'`);
      const wrongAssignee = await act('dispatcher', id, { action: 'dispatch', tasks: [{ gridId: city.a.grid.id, assigneeUserId: Number(gw2.id) }] });
      expect(wrongAssignee.statusCode).toBe(400);
      const otherCommunity = await act('dispatcher', id, { action: 'dispatch', tasks: [{ gridId: city.b.grid.id, assigneeUserId: Number(gwb.id) }] });
      expect([400, 403]).toContain(otherCommunity.statusCode);
      expect(await n(sql`SELECT count(*)::int AS n FROM case_tasks WHERE case_id = ${id}`)).toBe(0);
      const split = await act('dispatcher', id, { action: 'dispatch', tasks: [{ instructions: '现场查看' }, { gridId: city.a.grid2.id, instructions: '协助联系物业' }] });
      expect(split.statusCode, split.body).toBe(200);
      const tasks = await t.context.database.rows<{ grid_id: number; assignee_user_id: number }>(sql`SELECT grid_id, assignee_user_id FROM case_tasks WHERE case_id = ${id} ORDER BY id`);
      expect(tasks.map((r) => [Number(r.grid_id), Number(r.assignee_user_id)])).toEqual([[city.a.grid.id, city.users.grid_worker.id], [city.a.grid2.id, Number(gw2.id)]]);
      const [event] = await t.context.database.rows<{ details: unknown }>(sql`SELECT details FROM case_events WHERE case_id = ${id} AND action = 'dispatch'`);
      const details = typeof event.details === 'string' ? JSON.parse(event.details) : event.details;
      expect(details.tasks).toHaveLength(2);
      // The neighbouring grid's worker works the case through the task: sees it, may handle it, may call.
      const detail = await t.app.inject({ method: 'GET', url: `/api/v1/cases/${id}`, headers: { cookie: cookie.gridworker2 } });
      expect(detail.statusCode).toBe(200);
      expect(detail.json().abilities.handle).toBe(true);
      expect((await act('gridworker2', id, { action: 'record_contact' })).statusCode).toBe(200);
      // Once the case moves up to the community, the task ends and so does that reach.
      expect((await act('gridworker2', id, { action: 'escalate' })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: `/api/v1/cases/${id}`, headers: { cookie: cookie.gridworker2 } })).statusCode).toBe(403);
      const own = await t.app.inject({ method: 'GET', url: `/api/v1/cases/${id}`, headers: { cookie: cookie.gridworker } });
      expect(own.json().abilities.handle).toBe(false);
    });

    it('the dispatcher overrides the colour with a reason; the community party committee closes the case on record', async () => {
      const created = (await report(body())).json();
      const id = await caseIdOf(created.trackingToken);
      expect((await act('gridworker', id, { action: 'reclassify', color: 'red', reason: '有燃气味' })).statusCode).toBe(403);
      expect((await act('dispatcher', id, { action: 'reclassify', color: 'red', reason: ' ' })).statusCode).toBe(409);
      expect((await act('dispatcher', id, { action: 'reclassify', color: 'red', reason: '有燃气味' })).statusCode).toBe(200);
      const [row] = await t.context.database.rows<{ triage_color: string }>(sql`SELECT triage_color FROM cases WHERE id = ${id}`);
      expect(row.triage_color).toBe('red');
      await act('dispatcher', id, { action: 'claim', partyOrganizationId: city.a.gridOrg.id });
      await act('dispatcher', id, { action: 'dispatch' });
      await act('gridworker', id, { action: 'record_contact' });
      await act('gridworker', id, { action: 'reply', note: '已处理' });
      const [communityOrg] = await t.context.database.rows<{ id: number }>(sql`SELECT parent_id AS id FROM party_organizations WHERE id = ${city.a.gridOrg.id}`);
      const closed = await act('dispatcher', id, { action: 'close', partyOrganizationId: Number(communityOrg.id) });
      expect(closed.statusCode, closed.body).toBe(200);
      const [final] = await t.context.database.rows<{ claimed: number; closed: number }>(sql`SELECT claimed_by_party_organization_id AS claimed, closed_by_party_organization_id AS closed FROM cases WHERE id = ${id}`);
      expect([Number(final.claimed), Number(final.closed)]).toEqual([city.a.gridOrg.id, Number(communityOrg.id)]);
    });
  });

  describe('photos on reports and actions', () => {
    const jpeg = () => Buffer.from(jpegjs.encode({ data: Buffer.alloc(16 * 16 * 4, 200), width: 16, height: 16 }, 80).data);
    const upload = async (url: string, headers: Record<string, string>, ip: string) => {
      const boundary = 'cgboundary';
      const payload = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
        jpeg(),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const response = await t.app.inject({ method: 'POST', url, remoteAddress: ip, headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
      expect(response.statusCode, response.body).toBe(201);
      return (response.json() as { token: string }).token;
    };

    it('a resident attaches photos to a report and the grid worker to the reply; nobody can reuse them', async () => {
      const token = await upload('/api/v1/public/photos', {}, '10.9.0.1');
      const created = await t.app.inject({ method: 'POST', url: '/api/v1/public/cases', remoteAddress: '10.9.0.1', payload: body({ photoTokens: [token] }) });
      expect(created.statusCode, created.body).toBe(201);
      const id = await caseIdOf(created.json().trackingToken);
      const [submit] = await t.context.database.rows<{ attachments: unknown }>(sql`SELECT attachments FROM case_events WHERE case_id = ${id} AND action = 'submit'`);
      const parsed = typeof submit.attachments === 'string' ? JSON.parse(submit.attachments) : submit.attachments;
      expect(parsed).toEqual([{ token, url: `/api/v1/photos/${token}` }]);
      // The tracking page shows it, readable with the tracking token.
      const view = (await t.app.inject({ method: 'GET', url: `/api/v1/public/cases/${created.json().trackingToken}` })).json() as { progress: Array<{ photos: Array<{ url: string }> }> };
      expect(view.progress[0].photos).toHaveLength(1);
      const photo = await t.app.inject({ method: 'GET', url: view.progress[0].photos[0].url });
      expect(photo.statusCode).toBe(200);
      expect(photo.headers['content-type']).toBe('image/jpeg');
      // Someone else cannot attach the same photo to their report.
      const stolen = await t.app.inject({ method: 'POST', url: '/api/v1/public/cases', remoteAddress: '10.9.0.2', payload: body({ photoTokens: [token] }) });
      expect(stolen.statusCode).toBe(400);

      await act('dispatcher', id, { action: 'dispatch' });
      await act('gridworker', id, { action: 'record_contact' });
      const replyPhoto = await upload('/api/v1/photos', { cookie: cookie.gridworker }, '10.9.0.3');
      const replied = await act('gridworker', id, { action: 'reply', note: '已修复', attachments: [replyPhoto] });
      expect(replied.statusCode, replied.body).toBe(200);
      const [reply] = await t.context.database.rows<{ attachments: unknown }>(sql`SELECT attachments FROM case_events WHERE case_id = ${id} AND action = 'reply'`);
      expect(JSON.stringify(reply.attachments)).toContain(replyPhoto);
      const [{ n: linked }] = await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM attachments WHERE case_id = ${id}`);
      expect(Number(linked)).toBe(2);
    });
  });

  it('reports arriving together are written in one transaction each batch, every one complete and audited', async () => {
    const { intakeCaches } = await import('../../src/modules/cases/intake-cache.ts');
    const batcher = intakeCaches(t.context).batcher;
    const before = { ...batcher.stats };
    const [{ n: casesBefore }] = await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM cases`);
    const responses = await Promise.all(Array.from({ length: 60 }, (_, i) => report(body({ description: `并发上报的诉求 ${i}` }))));
    expect(responses.every((r) => r.statusCode === 201)).toBe(true);
    expect(batcher.stats.largestBatch).toBeGreaterThan(1);
    expect(batcher.stats.fallbacks).toBe(before.fallbacks);
    const tokens = responses.map((r) => r.json().trackingToken as string);
    const [counts] = await t.context.database.rows<{ cases: number; events: number; clocks: number; outbox: number; audits: number }>(sql`
      SELECT count(DISTINCT c.id)::int AS cases,
        (SELECT count(*)::int FROM case_events e JOIN cases c2 ON c2.id = e.case_id WHERE c2.tracking_token = ANY(${`{${tokens.join(',')}}`}::text[]) AND e.action = 'submit') AS events,
        (SELECT count(*)::int FROM sla_timers s JOIN cases c2 ON c2.id = s.case_id WHERE c2.tracking_token = ANY(${`{${tokens.join(',')}}`}::text[]) AND s.kind = 'dispatch') AS clocks,
        (SELECT count(*)::int FROM outbox o WHERE o.template = 'case.new' AND (o.payload->>'caseId')::bigint IN (SELECT id FROM cases WHERE tracking_token = ANY(${`{${tokens.join(',')}}`}::text[]))) AS outbox,
        (SELECT count(*)::int FROM audit_log a WHERE a.action = 'case.submit' AND a.resource_id IN (SELECT id::text FROM cases WHERE tracking_token = ANY(${`{${tokens.join(',')}}`}::text[]))) AS audits
      FROM cases c WHERE c.tracking_token = ANY(${`{${tokens.join(',')}}`}::text[])`);
    expect(counts).toEqual({ cases: 60, events: 60, clocks: 60, outbox: 60, audits: 60 });
    const [{ n: casesAfter }] = await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM cases`);
    expect(Number(casesAfter) - Number(casesBefore)).toBe(60);
    expect((await verifyAuditChain(t.context.database)).ok).toBe(true);
  });

  it('the request loop writes its audit records over parallel chains, and a deletion in any of them is found', async () => {
    for (let i = 0; i < 40; i++) await report(body({ description: `路灯不亮 ${i}` }));
    const stripes = await t.context.database.rows<{ stripe: number; n: number }>(sql`SELECT stripe, count(*)::int AS n FROM audit_log WHERE city_id = ${city.cityId} GROUP BY stripe ORDER BY n DESC`);
    expect(stripes.length).toBeGreaterThan(4);
    expect((await verifyAuditChain(t.context.database)).ok).toBe(true);
    const [busiest] = stripes;
    const chain = await t.context.database.rows<{ id: number }>(sql`SELECT id FROM audit_log WHERE city_id = ${city.cityId} AND stripe = ${busiest.stripe} ORDER BY id`);
    expect(chain.length).toBeGreaterThanOrEqual(3);
    const [{ j: saved }] = await t.context.database.rows<{ j: string }>(sql`SELECT row_to_json(a)::text AS j FROM audit_log a WHERE id = ${Number(chain[1].id)}`);
    await t.context.database.db.execute(sql`ALTER TABLE audit_log DISABLE TRIGGER USER`);
    try {
      await t.context.database.db.execute(sql`DELETE FROM audit_log WHERE id = ${Number(chain[1].id)}`);
      expect(await verifyAuditChain(t.context.database)).toMatchObject({ ok: false, firstBrokenId: Number(chain[2].id) });
      await t.context.database.db.execute(sql`INSERT INTO audit_log SELECT * FROM json_populate_record(null::audit_log, ${saved}::json)`);
      expect((await verifyAuditChain(t.context.database)).ok).toBe(true);
    } finally {
      await t.context.database.db.execute(sql`ALTER TABLE audit_log ENABLE TRIGGER USER`);
    }
  });

  it.runIf(usingPostgres())('runs on PostgreSQL too', () => expect(t.context.database.engine).toBe('postgres'));
});
