// Street and department work lists (街道吹哨、部门报到): scope, states, deadlines, overdue, counts, refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { insertDefaultCategories } from '../../src/modules/cases/case-categories.repository.ts';
import { sweepDueTimers } from '../../src/modules/sla/sla-sweeper.ts';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;
interface SummonsItem {
  caseId: number;
  caseNumber: string;
  title: string;
  triageColor: string;
  categoryName: string | null;
  streetName: string | null;
  caseVersion: number;
  departmentId: number;
  state: string;
  reportInDeadline: string | null;
  resolveDeadline: string | null;
  deadline: string | null;
  overdue: boolean;
}
interface StreetItem {
  id: number;
  status: string;
  holderLevel: string;
  streetName: string | null;
  overdue: boolean;
  extensionPending: boolean;
  summonses: Array<{ departmentId: number; state: string; reportInDeadline: string | null }>;
}
interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

describe('street and department views (API)', () => {
  let t: TestApp;
  let city: City;
  const cookie: Record<string, string> = {};

  const addUser = async (username: string, role: string, scope: { regionNodeId?: number; unitId?: number }) => {
    await t.context.database.db.execute(sql`INSERT INTO users (city_id, username, display_name, password_hash) SELECT city_id, ${username}, ${username}, password_hash FROM users WHERE username = 'gridworker'`);
    await t.context.database.db.execute(sql`INSERT INTO role_assignments (city_id, user_id, role, region_node_id, unit_id)
      SELECT ${city.cityId}, id, ${role}, ${scope.regionNodeId ?? null}, ${scope.unitId ?? null} FROM users WHERE username = ${username}`);
    cookie[username] = await t.login(username);
  };

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    await insertDefaultCategories(t.context.database, t.context.database.db, city.cityId);
    for (const name of ['gridworker', 'dispatcher', 'street', 'water', 'district', 'cityadmin']) cookie[name] = await t.login(name);
    await addUser('gridworker_b', 'grid_worker', { regionNodeId: city.b.grid.id });
    await addUser('street_b', 'street_officer', { regionNodeId: city.b.street.id });
    await addUser('urban', 'department_staff', { unitId: city.otherDepartment.id });
  });
  afterAll(async () => t?.close());

  const get = (who: string, url: string) => t.app.inject({ method: 'GET', url, headers: cookie[who] ? { cookie: cookie[who] } : {} });
  const ok = async <T>(who: string, url: string): Promise<T> => {
    const response = await get(who, url);
    expect(response.statusCode, `${who} GET ${url}: ${response.body}`).toBe(200);
    return response.json() as T;
  };
  const summonses = (who: string, state: string) => ok<Page<SummonsItem>>(who, `/api/v1/department/summonses?state=${state}&pageSize=200`);
  const street = (who: string, list: string) => ok<Page<StreetItem>>(who, `/api/v1/street/cases?list=${list}&pageSize=200`);
  const act = async (who: string, caseId: number, body: object) => {
    const response = await t.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/actions`, headers: { cookie: cookie[who] }, payload: body });
    expect(response.statusCode, `${who} ${JSON.stringify(body)}: ${response.body}`).toBe(200);
    return response.json() as { status: string; holderLevel: string; version: number };
  };
  const reportInDue = async (caseId: number) => {
    const [row] = await t.context.database.rows<{ due_at: string }>(sql`SELECT due_at FROM sla_timers WHERE case_id = ${caseId} AND kind = 'report_in' ORDER BY id DESC LIMIT 1`);
    return new Date(row.due_at).toISOString();
  };

  /** A case entered by the side's grid worker (the reporter's phone must never show in these lists). */
  async function enter(side: 'a' | 'b', description = '小区门口爆管，路面积水') {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { cookie: cookie[side === 'a' ? 'gridworker' : 'gridworker_b'] },
      payload: { channel: 'grid_worker', placeCode: city[side].building.code, categoryCode: 'water_supply', description, reporterName: '王芳', reporterPhone: '13987654321', consent: true },
    });
    expect(response.statusCode, response.body).toBe(201);
    return Number(response.json().id);
  }

  /** Dispatch, contact and escalate twice: the case is then held by the street (as in tests/api/cases.test.ts). */
  async function toStreet(side: 'a' | 'b') {
    const id = await enter(side);
    if (side === 'a') {
      await act('dispatcher', id, { action: 'dispatch' });
      await act('gridworker', id, { action: 'record_contact' });
      await act('gridworker', id, { action: 'escalate' });
      await act('dispatcher', id, { action: 'escalate' });
    } else {
      await act('cityadmin', id, { action: 'dispatch' });
      await act('street_b', id, { action: 'record_contact' });
      await act('street_b', id, { action: 'escalate' });
      await act('street_b', id, { action: 'escalate' });
    }
    return id;
  }

  it('refuses roles that can never use a view, and bad query values, writing nothing', async () => {
    expect((await get('', '/api/v1/street/cases')).statusCode).toBe(401);
    for (const who of ['gridworker', 'dispatcher', 'water']) {
      const refused = await get(who, '/api/v1/street/cases?list=escalated');
      expect(refused.statusCode, who).toBe(403);
      expect(refused.json().error.code).toBe('forbidden');
      expect((await get(who, '/api/v1/street/cases/counts')).statusCode, who).toBe(403);
    }
    for (const who of ['street', 'gridworker', 'cityadmin']) {
      expect((await get(who, '/api/v1/department/summonses')).statusCode, who).toBe(403);
      expect((await get(who, '/api/v1/department/summonses/counts')).statusCode, who).toBe(403);
    }
    for (const url of [
      '/api/v1/street/cases?list=everything',
      '/api/v1/street/cases?list=escalated&pageSize=0',
      '/api/v1/street/cases?list=escalated&page=abc',
      '/api/v1/street/cases?list=escalated&extra=1',
    ]) {
      const bad = await get('street', url);
      expect(bad.statusCode, url).toBe(400);
      expect(bad.json().error.code).toBe('validation_failed');
    }
    for (const url of ['/api/v1/department/summonses?state=replied', '/api/v1/department/summonses?state=to_reply&pageSize=201']) {
      expect((await get('water', url)).statusCode, url).toBe(400);
    }
  });

  it('shows each department its own summonses, moving from to report in → to reply → done', async () => {
    const id = await toStreet('a');
    expect((await street('street', 'escalated')).items.map((i) => i.id)).toContain(id);
    expect((await summonses('water', 'to_report_in')).items.map((i) => i.caseId)).not.toContain(id);

    await act('street', id, { action: 'summon', departmentIds: [city.department.id, city.otherDepartment.id] });
    // A second case summoned to the urban-management department only: the water department never sees it.
    const urbanOnly = await toStreet('a');
    await act('street', urbanOnly, { action: 'summon', departmentIds: [city.otherDepartment.id] });

    const waiting = await summonses('water', 'to_report_in');
    const row = waiting.items.find((i) => i.caseId === id)!;
    expect(row).toMatchObject({ departmentId: city.department.id, state: 'to_report_in', triageColor: 'red', categoryName: '供水排水', streetName: 'A街道', overdue: false });
    expect(row.caseNumber).toMatch(/\d/);
    expect(row.reportInDeadline).toBe(await reportInDue(id));
    expect(row.deadline).toBe(row.reportInDeadline);
    expect(new Date(row.deadline!).getTime()).toBeGreaterThan(Date.now());
    expect(waiting.items.map((i) => i.caseId)).not.toContain(urbanOnly);
    expect(waiting.items.every((i) => i.departmentId === city.department.id)).toBe(true);
    expect((await summonses('urban', 'to_report_in')).items.map((i) => i.caseId)).toEqual(expect.arrayContaining([id, urbanOnly]));
    const raw = (await get('water', '/api/v1/department/summonses?state=to_report_in')).body;
    expect(raw).not.toContain('13987654321');
    expect(raw).not.toContain('王芳');

    // The street sees both departments waiting to report in.
    const summoned = (await street('street', 'summoned')).items.find((i) => i.id === id)!;
    expect(summoned.summonses.map((s) => [s.departmentId, s.state])).toEqual([
      [city.department.id, 'to_report_in'],
      [city.otherDepartment.id, 'to_report_in'],
    ]);
    expect(summoned.summonses[0].reportInDeadline).toBe(row.reportInDeadline);
    expect((await street('street', 'escalated')).items.map((i) => i.id)).not.toContain(id);

    // 报到 with the version the row carried (If-Match), as the console's quick button does.
    const reported = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${id}/actions`,
      headers: { cookie: cookie.water, 'if-match': `"${row.caseVersion}"` },
      payload: { action: 'report_in', departmentId: city.department.id },
    });
    expect(reported.statusCode, reported.body).toBe(200);
    expect((await summonses('water', 'to_report_in')).items.map((i) => i.caseId)).not.toContain(id);
    const replying = (await summonses('water', 'to_reply')).items.find((i) => i.caseId === id)!;
    expect(replying).toMatchObject({ state: 'to_reply' });
    expect(replying.deadline).toBe(replying.resolveDeadline);
    expect(replying.deadline).not.toBeNull();
    expect((await summonses('urban', 'to_report_in')).items.map((i) => i.caseId)).toContain(id);
    expect((await street('street', 'summoned')).items.find((i) => i.id === id)!.summonses.map((s) => s.state)).toEqual(['reported_in', 'to_report_in']);

    await act('water', id, { action: 'department_reply', departmentId: city.department.id, note: '已更换阀门' });
    expect((await summonses('water', 'to_reply')).items.map((i) => i.caseId)).not.toContain(id);
    expect((await summonses('water', 'done')).items.find((i) => i.caseId === id)).toMatchObject({ state: 'done', deadline: null, overdue: false });

    // The other department returns the case (退单): done for it too, and the street sees who did what.
    await act('urban', id, { action: 'department_return', departmentId: city.otherDepartment.id, reason: '不属于城管职责' });
    expect((await summonses('urban', 'done')).items.map((i) => i.caseId)).toContain(id);
    expect((await summonses('urban', 'to_report_in')).items.map((i) => i.caseId)).toEqual([urbanOnly]);
    expect((await street('street', 'summoned')).items.find((i) => i.id === id)!.summonses.map((s) => s.state)).toEqual(['replied', 'returned']);
  });

  it("keeps each street to its own subtree, while a department sees its summonses from every street", async () => {
    const fromA = await toStreet('a');
    const fromB = await toStreet('b');
    await act('street_b', fromB, { action: 'summon', departmentIds: [city.department.id] });
    for (const list of ['escalated', 'summoned', 'overdue', 'extension_requests']) {
      const seenByB = await street('street_b', list);
      expect(seenByB.items.map((i) => i.id), list).not.toContain(fromA);
      expect(seenByB.items.every((i) => i.streetName === 'B街道'), list).toBe(true);
      const seenByA = await street('street', list);
      expect(seenByA.items.map((i) => i.id), list).not.toContain(fromB);
      expect(seenByA.items.every((i) => i.streetName === 'A街道'), list).toBe(true);
    }
    expect((await street('street_b', 'summoned')).items.map((i) => i.id)).toEqual([fromB]);
    expect((await street('street', 'escalated')).items.map((i) => i.id)).toContain(fromA);
    // The district administrator of side a sees side a only; the water department sees side b's summons.
    expect((await street('district', 'escalated')).items.map((i) => i.id)).toContain(fromA);
    expect((await street('district', 'summoned')).items.map((i) => i.id)).not.toContain(fromB);
    expect((await summonses('water', 'to_report_in')).items.find((i) => i.caseId === fromB)).toMatchObject({ streetName: 'B街道' });
  });

  it('lists extension requests for the level above the holder', async () => {
    const atGrid = await enter('a', '楼道灯不亮，需要更换灯具');
    await act('dispatcher', atGrid, { action: 'dispatch' });
    await act('gridworker', atGrid, { action: 'request_extension', note: '等待物业采购灯具' });
    const atStreet = await toStreet('a');
    await act('street', atStreet, { action: 'request_extension', note: '需协调多部门' });
    const streetList = (await street('street', 'extension_requests')).items.map((i) => i.id);
    expect(streetList).toContain(atGrid);
    expect(streetList).not.toContain(atStreet); // the street's own request goes to the district
    const districtList = (await street('district', 'extension_requests')).items.map((i) => i.id);
    expect(districtList).toEqual(expect.arrayContaining([atGrid, atStreet]));
    await act('street', atGrid, { action: 'decide_extension', approved: true });
    expect((await street('street', 'extension_requests')).items.map((i) => i.id)).not.toContain(atGrid);
  });

  it('pages a list and answers counts equal to each list total', async () => {
    const all = await street('street', 'escalated');
    expect(all.total).toBeGreaterThanOrEqual(2);
    const second = await ok<Page<StreetItem>>('street', '/api/v1/street/cases?list=escalated&page=2&pageSize=1');
    expect(second).toMatchObject({ page: 2, pageSize: 1, total: all.total });
    expect(second.items.map((i) => i.id)).toEqual([all.items[1].id]);
    await expectCountsMatch();
  });

  async function expectCountsMatch() {
    for (const who of ['street', 'street_b', 'district', 'cityadmin']) {
      const counts = await ok<Record<string, number>>(who, '/api/v1/street/cases/counts');
      expect(Object.keys(counts).sort()).toEqual(['escalated', 'extension_requests', 'overdue', 'summoned']);
      for (const [list, n] of Object.entries(counts)) expect((await street(who, list)).total, `${who} ${list}`).toBe(n);
    }
    for (const who of ['water', 'urban']) {
      const counts = await ok<Record<string, number>>(who, '/api/v1/department/summonses/counts');
      expect(Object.keys(counts).sort()).toEqual(['done', 'to_reply', 'to_report_in']);
      for (const [state, n] of Object.entries(counts)) expect((await summonses(who, state)).total, `${who} ${state}`).toBe(n);
    }
  }

  // Last: the sweep fires every clock of this file's database.
  it('lists a case whose clock ran out as overdue, and marks the summons waiting to report in as late', async () => {
    const id = await toStreet('a');
    await act('street', id, { action: 'summon', departmentIds: [city.department.id] });
    expect((await street('street', 'overdue')).items.map((i) => i.id)).not.toContain(id);
    expect((await summonses('water', 'to_report_in')).items.find((i) => i.caseId === id)!.overdue).toBe(false);
    const { fired } = await sweepDueTimers(t.context, new Date(Date.now() + 60 * 24 * 3600 * 1000));
    expect(fired).toBeGreaterThan(0);
    const overdue = await street('street', 'overdue');
    expect(overdue.items.find((i) => i.id === id)).toMatchObject({ overdue: true, status: 'summoned' });
    expect((await street('street_b', 'overdue')).items.map((i) => i.id)).not.toContain(id);
    expect((await summonses('water', 'to_report_in')).items.find((i) => i.caseId === id)).toMatchObject({ overdue: true });
    await expectCountsMatch();
  });
});
