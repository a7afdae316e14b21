import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { insertDefaultCategories } from '../../src/modules/cases/case-categories.repository.ts';
import { verifyAuditChain } from '../../src/modules/audit/audit.service.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;

describe('grid work: home visits, disputes, care lists', () => {
  let t: TestApp;
  let city: City;
  const cookie: Record<string, string> = {};
  const as = (user: string) => ({ cookie: cookie[user] });
  const rows = <T = Record<string, unknown>>(query: ReturnType<typeof sql>) => t.context.database.rows<T>(query);

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    await insertDefaultCategories(t.context.database, t.context.database.db, city.cityId);
    for (const user of ['gridworker', 'gridhead', 'dispatcher', 'street', 'orgdept', 'water', 'buildinghead', 'partymember']) cookie[user] = await t.login(user);
  });
  afterAll(async () => t?.close());

  const post = (user: string, url: string, payload: unknown) => t.app.inject({ method: 'POST', url, headers: as(user), payload: payload as object });
  const get = (user: string, url: string) => t.app.inject({ method: 'GET', url, headers: as(user) });
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

  describe('home visits', () => {
    it('records a visit with structured information, raising a need in the same transaction', async () => {
      const before = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM community_list_items`);
      const response = await post('gridworker', '/api/v1/grid-work/visits', {
        householdId: city.a.household.id,
        visitedAt: minutesAgo(30),
        purpose: 'routine',
        collected: { populationChange: { kind: 'moved_in', count: 2 }, needs: ['楼道灯坏了'], hazards: [{ kind: 'fire', description: '楼道堆放杂物' }], notes: '家中老人身体尚可' },
        notes: '上门了解情况',
        raiseNeed: { title: '楼道灯维修', description: '3栋2单元楼道灯不亮' },
      });
      expect(response.statusCode, response.body).toBe(201);
      const { id, needItemId } = response.json();
      expect(needItemId).toBeGreaterThan(0);
      const [item] = await rows<Record<string, unknown>>(sql`SELECT list_kind, source, status, region_node_id, created_by FROM community_list_items WHERE id = ${needItemId}`);
      expect(item).toMatchObject({ list_kind: 'need', source: 'grid_worker', status: 'posted' });
      expect(Number(item.region_node_id)).toBe(city.a.community.id);
      expect(Number((await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM community_list_items`))[0].n)).toBe(Number(before[0].n) + 1);
      const audit = await rows<{ action: string }>(sql`SELECT action FROM audit_log WHERE (resource_type = 'home_visit' AND resource_id = ${String(id)}) OR (resource_type = 'community_list_item' AND resource_id = ${String(needItemId)}) ORDER BY id`);
      expect(audit.map((a) => a.action)).toEqual(['community_list.post', 'home_visit.record']);
      const detail = await get('dispatcher', `/api/v1/grid-work/visits/${id}`);
      expect(detail.statusCode).toBe(200);
      expect(detail.json()).toMatchObject({ gridId: city.a.grid.id, householdId: city.a.household.id, collected: { populationChange: { kind: 'moved_in', count: 2 } } });
      expect(detail.json().address).not.toContain('1单元101');
    });

    it('refuses a visit in the future, an unknown shape, and a household outside the grid', async () => {
      const base = { householdId: city.a.household.id, visitedAt: minutesAgo(5) };
      const future = await post('gridworker', '/api/v1/grid-work/visits', { ...base, visitedAt: new Date(Date.now() + 3600_000).toISOString() });
      expect(future.statusCode).toBe(400);
      expect(future.json().error.code).toBe('validation_failed');
      expect((await post('gridworker', '/api/v1/grid-work/visits', { ...base, collected: { mood: 'good' } })).statusCode).toBe(400);
      expect((await post('gridworker', '/api/v1/grid-work/visits', { ...base, collected: { hazards: [{ kind: 'aliens', description: 'x' }] } })).statusCode).toBe(400);
      expect((await post('gridworker', '/api/v1/grid-work/visits', { ...base, visitedAt: 'yesterday' })).statusCode).toBe(400);
      const outside = await post('gridworker', '/api/v1/grid-work/visits', { ...base, householdId: city.b.household.id });
      expect(outside.statusCode).toBe(403);
      expect((await post('water', '/api/v1/grid-work/visits', base)).statusCode).toBe(403);
      expect((await post('gridworker', '/api/v1/grid-work/visits', { ...base, householdId: 2 ** 40 })).statusCode).toBe(404);
      const [{ n }] = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM home_visits WHERE visited_at > now()`);
      expect(Number(n)).toBe(0);
    });

    it('lists my visits and the community\'s, with filters, pages and an Excel export', async () => {
      await post('dispatcher', '/api/v1/grid-work/visits', { householdId: city.a.household.id, visitedAt: minutesAgo(60), purpose: 'policy', notes: '宣传垃圾分类政策' });
      const mine = await get('gridworker', '/api/v1/grid-work/visits?mine=true');
      expect(mine.json().items.every((v: { visitorName: string }) => v.visitorName === 'gridworker')).toBe(true);
      const all = await get('dispatcher', `/api/v1/grid-work/visits?regionId=${city.a.community.id}&pageSize=1`);
      expect(all.json()).toMatchObject({ page: 1, pageSize: 1, total: 2 });
      const searched = await get('dispatcher', `/api/v1/grid-work/visits?q=${encodeURIComponent('垃圾分类')}`);
      expect(searched.json().items.map((v: { purpose: string }) => v.purpose)).toEqual(['policy']);
      expect((await get('dispatcher', '/api/v1/grid-work/visits?purpose=care')).json().total).toBe(0);
      // Side B's officer sees none of side A.
      expect((await get('street', `/api/v1/grid-work/visits?regionId=${city.b.community.id}`)).json().total).toBe(0);
      const excel = await get('dispatcher', '/api/v1/grid-work/visits/export.xlsx?purpose=policy');
      expect(excel.statusCode).toBe(200);
      expect(excel.headers['content-type']).toContain('spreadsheetml');
      expect(excel.rawPayload.subarray(0, 2).toString()).toBe('PK');
    });
  });

  describe('disputes', () => {
    const report = async (user = 'gridworker', gridId = city.a.grid.id) => {
      const response = await post(user, '/api/v1/grid-work/disputes', { gridId, title: '楼上漏水纠纷', description: '楼上卫生间漏水到楼下', category: 'neighbour', parties: '张三、李四' });
      expect(response.statusCode, response.body).toBe(201);
      return response.json() as { id: number; version: number; status: string; parties: string };
    };
    const act = (user: string, id: number, payload: Record<string, unknown>) => post(user, `/api/v1/grid-work/disputes/${id}/actions`, payload);

    it('masks the parties and walks found → mediating → resolved, the result required, each step with an event and an audit record', async () => {
      const dispute = await report();
      expect(dispute).toMatchObject({ status: 'found', parties: '张*、李*' });
      expect((await act('gridworker', dispute.id, { action: 'resolve', version: 1, result: '和解' })).json().error.code).toBe('invalid_transition');
      const mediating = await act('gridworker', dispute.id, { action: 'mediate', version: 1, mediator: '王调解员' });
      expect(mediating.json()).toMatchObject({ status: 'mediating', mediator: '王调解员', version: 2 });
      expect((await act('gridworker', dispute.id, { action: 'resolve', version: 1, result: '和解' })).json().error.code).toBe('version_conflict');
      const noResult = await act('gridworker', dispute.id, { action: 'resolve', version: 2 });
      expect(noResult.statusCode).toBe(400);
      const resolved = await act('gridworker', dispute.id, { action: 'resolve', version: 2, result: '楼上修好防水，赔偿楼下' });
      expect(resolved.json()).toMatchObject({ status: 'resolved', result: '楼上修好防水，赔偿楼下', allowedActions: [] });
      expect(resolved.json().timeline.map((e: { action: string }) => e.action)).toEqual(['find', 'mediate', 'resolve']);
      const audit = await rows<{ action: string }>(sql`SELECT action FROM audit_log WHERE resource_type = 'dispute' AND resource_id = ${String(dispute.id)} ORDER BY id`);
      expect(audit.map((a) => a.action)).toEqual(['dispute.find', 'dispute.mediate', 'dispute.resolve']);
      expect((await act('gridworker', dispute.id, { action: 'escalate', version: 3 })).statusCode).toBe(409);
    });

    it('escalation creates exactly one case (channel grid_worker) and links it, even when sent twice at once', async () => {
      const dispute = await report();
      const casesBefore = Number((await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM cases`))[0].n);
      const [first, second] = await Promise.all([
        act('gridworker', dispute.id, { action: 'escalate', version: 1, note: '双方情绪激动，需街道协调' }),
        act('dispatcher', dispute.id, { action: 'escalate', version: 1 }),
      ]);
      const statuses = [first.statusCode, second.statusCode].sort();
      expect(statuses).toEqual([200, 409]);
      const ok = (first.statusCode === 200 ? first : second).json();
      expect(ok).toMatchObject({ status: 'escalated' });
      const cases = await rows<Record<string, unknown>>(sql`SELECT id, channel, grid_id, title FROM cases WHERE id > 0 ORDER BY id DESC LIMIT 5`);
      expect(Number((await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM cases`))[0].n)).toBe(casesBefore + 1);
      const [linked] = await rows<{ case_id: number }>(sql`SELECT case_id FROM disputes WHERE id = ${dispute.id}`);
      expect(Number(linked.case_id)).toBe(Number(cases[0].id));
      expect(cases[0]).toMatchObject({ channel: 'grid_worker' });
      expect(Number(cases[0].grid_id)).toBe(city.a.grid.id);
      expect(ok.caseId).toBe(Number(cases[0].id));
      // A retried escalation is refused by the lifecycle: still one case.
      expect((await act('gridworker', dispute.id, { action: 'escalate', version: 2 })).json().error.code).toBe('invalid_transition');
      expect(Number((await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM cases`))[0].n)).toBe(casesBefore + 1);
      const audit = await rows<{ action: string; stripe: number }>(sql`SELECT action, stripe FROM audit_log WHERE (resource_type = 'dispute' AND resource_id = ${String(dispute.id)} AND action = 'dispute.escalate') OR (resource_type = 'case' AND resource_id = ${String(linked.case_id)}) ORDER BY id`);
      expect(audit.map((a) => a.action)).toEqual(['case.submit', 'dispute.escalate']);
      expect(audit[0].stripe).toBe(audit[1].stripe);
      expect((await verifyAuditChain(t.context.database, city.cityId)).ok).toBe(true);
    });

    it('an escalation with an unknown case category writes nothing', async () => {
      const dispute = await report();
      const casesBefore = Number((await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM cases`))[0].n);
      const response = await act('gridworker', dispute.id, { action: 'escalate', version: 1, categoryCode: 'no_such_category' });
      expect(response.statusCode).toBe(400);
      expect(Number((await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM cases`))[0].n)).toBe(casesBefore);
      expect((await get('gridworker', `/api/v1/grid-work/disputes/${dispute.id}`)).json()).toMatchObject({ status: 'found', caseId: null, version: 1 });
    });

    it('keeps disputes to the area: other grids and other sides are refused', async () => {
      expect((await post('gridworker', '/api/v1/grid-work/disputes', { gridId: city.b.grid.id, title: '纠纷' })).statusCode).toBe(403);
      expect((await post('gridworker', '/api/v1/grid-work/disputes', { gridId: city.a.community.id, title: '纠纷' })).statusCode).toBe(400);
      const [b] = await rows<{ id: number }>(sql`INSERT INTO disputes (city_id, grid_id, region_path, title, found_at, found_by) VALUES (${city.cityId}, ${city.b.grid.id}, ${city.b.grid.path}, 'B侧纠纷', now(), ${city.users.city_admin.id}) RETURNING id`);
      expect((await get('dispatcher', `/api/v1/grid-work/disputes/${b.id}`)).statusCode).toBe(403);
      expect((await act('dispatcher', Number(b.id), { action: 'mediate', version: 1 })).statusCode).toBe(403);
      expect((await get('dispatcher', '/api/v1/grid-work/disputes')).json().items.some((d: { id: number }) => d.id === Number(b.id))).toBe(false);
    });

    it('counts found and resolved per node, with the period in Asia/Shanghai days', async () => {
      // Found at 23:30 on 31 March in Shanghai (15:30 UTC): a March dispute, not an April one.
      await t.context.database.db.execute(sql`INSERT INTO disputes (city_id, grid_id, region_path, title, found_at, found_by, status, result, resolved_at)
        VALUES (${city.cityId}, ${city.a.grid2.id}, ${city.a.grid2.path}, '三月纠纷', '2026-03-31T15:30:00Z', ${city.users.grid_head.id}, 'resolved', '化解', '2026-04-01T02:00:00Z'),
               (${city.cityId}, ${city.a.grid2.id}, ${city.a.grid2.path}, '四月纠纷', '2026-03-31T16:30:00Z', ${city.users.grid_head.id}, 'found', null, null)`);
      const march = (await get('dispatcher', `/api/v1/grid-work/disputes/counts?regionId=${city.a.community.id}&from=2026-03-01&to=2026-03-31`)).json();
      expect(march.node).toMatchObject({ found: 1, resolved: 1, resolutionRate: 1 });
      expect(march.children.find((c: { id: number }) => c.id === city.a.grid2.id)).toMatchObject({ found: 1, resolved: 1 });
      expect(march.children.find((c: { id: number }) => c.id === city.a.grid.id)).toMatchObject({ found: 0 });
      const april = (await get('dispatcher', `/api/v1/grid-work/disputes/counts?regionId=${city.a.community.id}&from=2026-04-01&to=2026-04-30`)).json();
      expect(april.node).toMatchObject({ found: 1, resolved: 0 });
      expect((await get('dispatcher', `/api/v1/grid-work/disputes/counts?regionId=${city.b.community.id}`)).statusCode).toBe(403);
      const list = await get('dispatcher', '/api/v1/grid-work/disputes?status=resolved&from=2026-03-01&to=2026-03-31');
      expect(list.json().items.map((d: { title: string }) => d.title)).toEqual(['三月纠纷']);
      const excel = await get('dispatcher', '/api/v1/grid-work/disputes/export.xlsx?status=resolved');
      expect(excel.statusCode).toBe(200);
    });
  });

  describe('care lists', () => {
    let subjectId: number;
    it('adds a resident (managers only), refuses a duplicate and a responsible user from elsewhere', async () => {
      expect((await post('gridworker', '/api/v1/grid-work/care-subjects', { residentId: city.a.resident.id, careGroup: 'elderly_living_alone' })).statusCode).toBe(403);
      const wrongWorker = await post('gridhead', '/api/v1/grid-work/care-subjects', { residentId: city.a.resident.id, careGroup: 'elderly_living_alone', responsibleUserId: city.users.street_officer.id });
      expect(wrongWorker.statusCode).toBe(400);
      const added = await post('gridhead', '/api/v1/grid-work/care-subjects', { residentId: city.a.resident.id, careGroup: 'elderly_living_alone', visitEveryDays: 7, responsibleUserId: city.users.grid_worker.id });
      expect(added.statusCode, added.body).toBe(201);
      subjectId = added.json().id;
      expect(added.json()).toMatchObject({ residentName: '张*', careGroup: 'elderly_living_alone', visitEveryDays: 7, overdue: false, responsibleName: 'gridworker' });
      expect(added.json().residentPhone).toMatch(/\*/);
      const again = await post('dispatcher', '/api/v1/grid-work/care-subjects', { residentId: city.a.resident.id, careGroup: 'elderly_living_alone' });
      expect(again.statusCode).toBe(409);
      expect((await post('dispatcher', '/api/v1/grid-work/care-subjects', { residentId: city.b.resident.id, careGroup: 'disabled' })).statusCode).toBe(403);
    });

    it('lists the overdue (next visit due before today in Asia/Shanghai) and a visit moves the due date on', async () => {
      await t.context.database.db.execute(sql`UPDATE care_subjects SET next_visit_due = (now() AT TIME ZONE 'Asia/Shanghai')::date - 3 WHERE id = ${subjectId}`);
      const overdue = (await get('gridworker', '/api/v1/grid-work/care-subjects?overdue=true')).json();
      expect(overdue.items.map((s: { id: number }) => s.id)).toEqual([subjectId]);
      expect(overdue.items[0]).toMatchObject({ overdue: true, daysOverdue: 3 });
      // Due today is not yet overdue.
      await t.context.database.db.execute(sql`UPDATE care_subjects SET next_visit_due = (now() AT TIME ZONE 'Asia/Shanghai')::date WHERE id = ${subjectId}`);
      expect((await get('gridworker', '/api/v1/grid-work/care-subjects?overdue=true')).json().total).toBe(0);
      await t.context.database.db.execute(sql`UPDATE care_subjects SET next_visit_due = (now() AT TIME ZONE 'Asia/Shanghai')::date - 1 WHERE id = ${subjectId}`);
      const visitedAt = new Date(Date.now() - 10 * 60_000);
      const visit = await post('gridworker', '/api/v1/grid-work/visits', { householdId: city.a.household.id, visitedAt: visitedAt.toISOString(), careSubjectId: subjectId, collected: { notes: '身体健康' } });
      expect(visit.statusCode, visit.body).toBe(201);
      const shanghaiDay = new Date(visitedAt.getTime() + 8 * 3600_000);
      const expectedDue = new Date(Date.UTC(shanghaiDay.getUTCFullYear(), shanghaiDay.getUTCMonth(), shanghaiDay.getUTCDate() + 7)).toISOString().slice(0, 10);
      expect(visit.json().careSubject).toMatchObject({ nextVisitDue: expectedDue });
      const list = (await get('gridworker', '/api/v1/grid-work/care-subjects')).json();
      expect(list.items[0]).toMatchObject({ id: subjectId, overdue: false, nextVisitDue: expectedDue });
      expect((await get('gridworker', `/api/v1/grid-work/visits?careSubjectId=${subjectId}`)).json().items[0]).toMatchObject({ purpose: 'care', careResidentName: '张*' });
      // A visit to a care subject of another household is refused.
      const [other] = await rows<{ id: number }>(sql`INSERT INTO care_subjects (city_id, resident_id, grid_id, region_path, care_group, next_visit_due) VALUES (${city.cityId}, ${city.b.resident.id}, ${city.b.grid.id}, ${city.b.household.path}, 'disabled', '2026-01-01') RETURNING id`);
      expect((await post('gridworker', '/api/v1/grid-work/visits', { householdId: city.a.household.id, visitedAt: visitedAt.toISOString(), careSubjectId: Number(other.id) })).statusCode).toBe(400);
    });

    it('changes the frequency, removes and restores, each audited; exports the list', async () => {
      const changed = await t.app.inject({ method: 'PATCH', url: `/api/v1/grid-work/care-subjects/${subjectId}`, headers: as('dispatcher'), payload: { visitEveryDays: 14 } });
      expect(changed.statusCode, changed.body).toBe(200);
      expect(changed.json().visitEveryDays).toBe(14);
      const lastVisit = new Date(new Date(changed.json().lastVisitAt).getTime() + 8 * 3600_000);
      expect(changed.json().nextVisitDue).toBe(new Date(Date.UTC(lastVisit.getUTCFullYear(), lastVisit.getUTCMonth(), lastVisit.getUTCDate() + 14)).toISOString().slice(0, 10));
      const removed = await t.app.inject({ method: 'PATCH', url: `/api/v1/grid-work/care-subjects/${subjectId}`, headers: as('dispatcher'), payload: { active: false } });
      expect(removed.json().active).toBe(false);
      expect((await get('dispatcher', '/api/v1/grid-work/care-subjects')).json().items.some((s: { id: number }) => s.id === subjectId)).toBe(false);
      expect((await get('dispatcher', '/api/v1/grid-work/care-subjects?includeRemoved=true')).json().items.some((s: { id: number }) => s.id === subjectId)).toBe(true);
      const restored = await post('dispatcher', '/api/v1/grid-work/care-subjects', { residentId: city.a.resident.id, careGroup: 'elderly_living_alone', visitEveryDays: 10 });
      expect(restored.statusCode).toBe(201);
      expect(restored.json()).toMatchObject({ id: subjectId, active: true, visitEveryDays: 10 });
      const audit = await rows<{ action: string }>(sql`SELECT action FROM audit_log WHERE resource_type = 'care_subject' AND resource_id = ${String(subjectId)} ORDER BY id`);
      expect(audit.map((a) => a.action)).toEqual(['care_subject.add', 'care_subject.update', 'care_subject.remove', 'care_subject.add']);
      expect((await t.app.inject({ method: 'PATCH', url: `/api/v1/grid-work/care-subjects/${subjectId}`, headers: as('dispatcher'), payload: {} })).statusCode).toBe(400);
      const excel = await get('dispatcher', '/api/v1/grid-work/care-subjects/export.xlsx?careGroup=elderly_living_alone');
      expect(excel.statusCode).toBe(200);
    });

    it('seeds the care list from resident tags once', async () => {
      await t.context.database.db.execute(sql`DELETE FROM care_subjects WHERE resident_id = ${city.a.resident.id}`);
      const first = await post('dispatcher', '/api/v1/grid-work/care-subjects/from-tags', { regionId: city.a.community.id });
      expect(first.json().added).toBe(1);
      expect((await post('dispatcher', '/api/v1/grid-work/care-subjects/from-tags', { regionId: city.a.community.id })).json().added).toBe(0);
      expect((await post('dispatcher', '/api/v1/grid-work/care-subjects/from-tags', { regionId: city.b.community.id })).statusCode).toBe(403);
    });
  });
});
