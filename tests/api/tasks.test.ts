import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { insertDefaultCategories } from '../../src/modules/cases/case-categories.repository.ts';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;

interface Task {
  id: number;
  status: string;
  holderLevel: string;
  version: number;
  deadline: string | null;
  deadlineKind: string | null;
  overdue: boolean;
  reporterPhone: string | null;
  canCall: boolean;
  abilities: { handle: boolean; dispatch: boolean };
  actions: string[];
  plan: Record<string, { status: string; holderLevel: string; actions: string[] }>;
  gridName: string | null;
  buildingName: string | null;
  categoryName: string | null;
  description: string;
}

describe('grid worker tasks (API)', () => {
  let t: TestApp;
  let city: City;
  const cookie: Record<string, string> = {};
  let workerBId: number;

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    await insertDefaultCategories(t.context.database, t.context.database.db, city.cityId);
    // A grid worker of side B's grid (outside every side-A role).
    workerBId = (await city.factory.user(city.cityId, 'gridworker_b', 'grid_worker', { regionNodeId: city.b.grid.id })).id;
    for (const name of ['gridworker', 'gridworker_b', 'gridhead', 'dispatcher', 'water', 'buildinghead']) cookie[name] = await t.login(name);
  });
  afterAll(async () => t?.close());

  const db = () => t.context.database;
  const tasks = async (who: string, query = '') => {
    const response = await t.app.inject({ method: 'GET', url: `/api/v1/my/tasks${query}`, headers: { cookie: cookie[who] } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { items: Task[]; page: number; pageSize: number; total: number };
  };
  const ids = async (who: string) => (await tasks(who, '?pageSize=100')).items.map((item) => item.id);
  const act = async (who: string, caseId: number, body: object) => {
    const response = await t.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/actions`, headers: { cookie: cookie[who] }, payload: body });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { version: number; status: string };
  };
  const call = (who: string, caseId: number) => t.app.inject({ method: 'POST', url: `/api/v1/my/tasks/${caseId}/call`, headers: { cookie: cookie[who] } });
  const audits = async (caseId: number, outcome: 'success' | 'failure') =>
    Number(
      (await db().rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'case.reveal_phone' AND resource_id = ${String(caseId)} AND outcome = ${outcome}`))[0].n,
    );

  /** A hotline case entered by the side's dispatcher on its building, optionally dispatched to the grid. */
  async function report(side: 'a' | 'b', options: { dispatch?: boolean; phone?: boolean } = {}) {
    const dispatcher = side === 'a' ? 'dispatcher' : 'dispatcher_b';
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { cookie: cookie[dispatcher] },
      payload: {
        channel: 'hotline',
        placeCode: city[side].building.code,
        categoryCode: 'roads_facilities',
        description: '楼下路灯不亮，晚上看不清台阶',
        ...(options.phone === false ? {} : { reporterName: '王芳', reporterPhone: '13987654321', consent: true }),
      },
    });
    expect(response.statusCode, response.body).toBe(201);
    const id = Number(response.json().id);
    if (options.dispatch !== false) await act(dispatcher, id, { action: 'dispatch' });
    return id;
  }

  beforeAll(async () => {
    // Side B needs its own dispatcher to dispatch there.
    await city.factory.user(city.cityId, 'dispatcher_b', 'dispatcher', { regionNodeId: city.b.community.id });
    cookie.dispatcher_b = await t.login('dispatcher_b');
  });

  /** Sets the case's running clocks: one due in `minutes` (null: no running clock at all). */
  async function setDeadline(caseId: number, minutes: number | null) {
    await db().db.execute(sql`UPDATE sla_timers SET cancelled_at = now() WHERE case_id = ${caseId} AND fired_at IS NULL AND cancelled_at IS NULL`);
    if (minutes !== null) {
      await db().db.execute(sql`INSERT INTO sla_timers (city_id, case_id, kind, due_at) VALUES (${city.cityId}, ${caseId}, 'resolve', now() + ${`${minutes + 1000} minutes`}::interval)`);
      await db().db.execute(sql`INSERT INTO sla_timers (city_id, case_id, kind, due_at) VALUES (${city.cityId}, ${caseId}, 'contact', now() + ${`${minutes} minutes`}::interval)`);
    }
  }

  it('lists the grid-held cases of my area, earliest running deadline first and cases without a deadline last', async () => {
    const late = await report('a');
    const soon = await report('a');
    const none = await report('a');
    const overdue = await report('a');
    const notDispatched = await report('a', { dispatch: false });
    await setDeadline(late, 90);
    await setDeadline(soon, 20);
    await setDeadline(none, null);
    await setDeadline(overdue, -5);
    // A clock that already fired or was cancelled is not a running deadline.
    await db().db.execute(sql`INSERT INTO sla_timers (city_id, case_id, kind, due_at, fired_at) VALUES (${city.cityId}, ${late}, 'contact', now() - interval '1 hour', now())`);

    const list = await tasks('gridworker', '?pageSize=100');
    const mine = list.items.map((item) => item.id).filter((id) => [late, soon, none, overdue, notDispatched].includes(id));
    expect(mine).toEqual([overdue, soon, late, none]);
    const byId = new Map(list.items.map((item) => [item.id, item]));
    expect(byId.get(overdue)).toMatchObject({ overdue: true, deadlineKind: 'contact', status: 'dispatched', holderLevel: 'grid' });
    expect(byId.get(soon)).toMatchObject({ overdue: false, deadlineKind: 'contact' });
    expect(byId.get(none)).toMatchObject({ deadline: null, deadlineKind: null });
    const soonDeadline = new Date(byId.get(soon)!.deadline!).getTime();
    expect(Math.abs(soonDeadline - (Date.now() + 20 * 60_000))).toBeLessThan(60_000);
    expect(byId.get(soon)).toMatchObject({ gridName: expect.any(String), buildingName: 'A1栋', categoryName: expect.any(String) });
    // The whole list is sorted: deadlines ascending, then the cases without one.
    const deadlines = list.items.map((item) => item.deadline);
    const firstNull = deadlines.indexOf(null);
    const dated = (firstNull === -1 ? deadlines : deadlines.slice(0, firstNull)) as string[];
    expect(dated).toEqual([...dated].sort((x, y) => Date.parse(x) - Date.parse(y)));
    if (firstNull !== -1) expect(deadlines.slice(firstNull).every((d) => d === null)).toBe(true);
    // The grid head of the same grid sees the same cases.
    expect(await ids('gridhead')).toEqual(list.items.map((item) => item.id));
  });

  it("keeps each grid worker to their own area: side B's worker never sees side A's cases", async () => {
    const caseA = await report('a');
    const caseB = await report('b');
    const listA = await ids('gridworker');
    const listB = await ids('gridworker_b');
    expect(listA).toContain(caseA);
    expect(listA).not.toContain(caseB);
    expect(listB).toContain(caseB);
    expect(listB).not.toContain(caseA);
    // Roles that do not handle cases have no task list.
    for (const who of ['water', 'buildinghead']) {
      const response = await t.app.inject({ method: 'GET', url: '/api/v1/my/tasks', headers: { cookie: cookie[who] } });
      expect(response.statusCode).toBe(403);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/my/tasks' })).statusCode).toBe(401);
  });

  it('drops a case once it leaves the grid, unless an open task row assigns it to me', async () => {
    const caseId = await report('a');
    await act('gridworker', caseId, { action: 'record_contact' });
    await act('gridworker', caseId, { action: 'escalate', note: '需要社区协调' });
    expect(await ids('gridworker')).not.toContain(caseId);
    const workerId = (await db().rows<{ id: number }>(sql`SELECT id FROM users WHERE username = 'gridworker'`))[0].id;
    await db().db.execute(sql`INSERT INTO case_tasks (city_id, case_id, grid_id, assignee_user_id, status) VALUES (${city.cityId}, ${caseId}, ${city.a.grid.id}, ${Number(workerId)}, 'open')`);
    const assigned = (await tasks('gridworker', '?pageSize=100')).items.find((item) => item.id === caseId);
    // Listed (the row assigns it), but held at the community: handled there or above, not by the grid worker.
    expect(assigned).toMatchObject({ holderLevel: 'community', status: 'in_progress', abilities: { handle: false } });
    expect(assigned!.actions).toEqual([]);
    // A finished task row no longer lists it; nor does a closed case.
    await db().db.execute(sql`UPDATE case_tasks SET status = 'done' WHERE case_id = ${caseId}`);
    expect(await ids('gridworker')).not.toContain(caseId);
    // A task assigned across the boundary lists the case, but offers no action and no call the policy refuses.
    await db().db.execute(sql`INSERT INTO case_tasks (city_id, case_id, grid_id, assignee_user_id, status) VALUES (${city.cityId}, ${caseId}, ${city.a.grid.id}, ${workerBId}, 'open')`);
    const foreign = (await tasks('gridworker_b', '?pageSize=100')).items.find((item) => item.id === caseId);
    expect(foreign).toMatchObject({ canCall: false, actions: [], abilities: { handle: false } });
  });

  it('offers only the actions the policy and the transition table allow, and plans queued chains from the same table', async () => {
    const caseId = await report('a');
    let task = (await tasks('gridworker', '?pageSize=100')).items.find((item) => item.id === caseId)!;
    expect(task.actions.sort()).toEqual(['escalate', 'record_contact', 'request_extension']);
    expect(task.plan.record_contact).toMatchObject({ status: 'in_progress', holderLevel: 'grid' });
    expect(task.plan.record_contact.actions).toContain('reply');
    expect(task.plan['record_contact>reply']).toMatchObject({ status: 'replied', actions: [] });
    expect(task.plan['request_extension>request_extension']).toBeUndefined(); // one pending extension at a time
    expect(task.plan.escalate).toMatchObject({ holderLevel: 'community', actions: [] }); // handed to the level above
    // The plan matches what the server then does.
    const predicted = task.plan.record_contact;
    const contacted = await act('gridworker', caseId, { action: 'record_contact' });
    task = (await tasks('gridworker', '?pageSize=100')).items.find((item) => item.id === caseId)!;
    expect(task).toMatchObject({ status: contacted.status, version: contacted.version });
    expect([...task.actions].sort()).toEqual([...predicted.actions].sort());
    expect(task.actions.sort()).toEqual(['escalate', 'reply', 'request_extension']);
    const replied = await act('gridworker', caseId, { action: 'reply', note: '路灯已修好' });
    task = (await tasks('gridworker', '?pageSize=100')).items.find((item) => item.id === caseId)!;
    expect(task).toMatchObject({ status: replied.status, actions: [] });
  });

  it('masks the reporter phone in the list and reveals it through /call only to whoever may handle the case, audited', async () => {
    const caseId = await report('a');
    const task = (await tasks('gridworker', '?pageSize=100')).items.find((item) => item.id === caseId)!;
    expect(task).toMatchObject({ reporterPhone: '139****4321', canCall: true });
    expect(JSON.stringify(await tasks('gridworker', '?pageSize=100'))).not.toContain('13987654321');

    const revealed = await call('gridworker', caseId);
    expect(revealed.statusCode, revealed.body).toBe(200);
    expect(revealed.json()).toEqual({ phone: '13987654321' });
    expect(await audits(caseId, 'success')).toBe(1);

    // Outside the area: 403 and a recorded refusal, no number.
    const refused = await call('gridworker_b', caseId);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toContain('13987654321');
    expect(await audits(caseId, 'failure')).toBe(1);
    // Readers who do not handle cases are refused too.
    expect((await call('buildinghead', caseId)).statusCode).toBe(403);
    expect(await audits(caseId, 'success')).toBe(1);
    // Unknown case: 404; no login: 401.
    expect((await call('gridworker', 987654321)).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/my/tasks/${caseId}/call` })).statusCode).toBe(401);
    // No phone left by the reporter: nothing to call, nothing revealed.
    const anonymous = await report('a', { phone: false });
    const anonymousTask = (await tasks('gridworker', '?pageSize=100')).items.find((item) => item.id === anonymous)!;
    expect(anonymousTask).toMatchObject({ reporterPhone: null, canCall: false });
    expect((await call('gridworker', anonymous)).statusCode).toBe(404);
    expect(await audits(anonymous, 'success')).toBe(0);
  });

  it('pages through the list with a stable order and refuses page sizes over 100', async () => {
    const all = await tasks('gridworker', '?pageSize=100');
    expect(all.total).toBeGreaterThanOrEqual(5);
    const seen: number[] = [];
    for (let page = 1; page <= Math.ceil(all.total / 2); page++) {
      const chunk = await tasks('gridworker', `?page=${page}&pageSize=2`);
      expect(chunk).toMatchObject({ page, pageSize: 2, total: all.total });
      expect(chunk.items.length).toBeLessThanOrEqual(2);
      seen.push(...chunk.items.map((item) => item.id));
    }
    expect(seen).toEqual(all.items.map((item) => item.id));
    const beyond = await tasks('gridworker', `?page=${Math.ceil(all.total / 2) + 1}&pageSize=2`);
    expect(beyond.items).toEqual([]);
    expect((await tasks('gridworker')).pageSize).toBe(20);
    for (const query of ['?pageSize=101', '?page=0', '?pageSize=abc', '?extra=1']) {
      const response = await t.app.inject({ method: 'GET', url: `/api/v1/my/tasks${query}`, headers: { cookie: cookie.gridworker } });
      expect(response.statusCode, query).toBe(400);
    }
  });

  it('answers an empty list to a worker with nothing to do', async () => {
    const grid = await city.factory.grid(city.cityId, city.b.community, 107.05, 27.6);
    await city.factory.user(city.cityId, 'idleworker', 'grid_worker', { regionNodeId: grid.id });
    cookie.idleworker = await t.login('idleworker');
    expect(await tasks('idleworker')).toEqual({ items: [], page: 1, pageSize: 20, total: 0 });
  });
});
