import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { insertDefaultCategories } from '../../src/modules/cases/case-categories.repository.ts';
import { mulberry32, type Rng } from '../../src/shared/random.ts';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;

/**
 * ≥ 10,000 generated, mostly malformed or hostile requests against the request-loop endpoints (intake,
 * tracking, rating, reopen, staff entry, lists, detail, actions, with hostile Idempotency-Key and
 * If-Match headers). Whatever arrives: never a 5xx, always the error body on a 4xx, and records change
 * only through requests that were accepted: cases grow by exactly the accepted reports, versions by
 * exactly the accepted actions, and every accepted change left its event.
 */
const REQUESTS = 10_000;

const hostile: unknown[] = [
  null, true, 0, -1, 1.5, 2 ** 53, -(2 ** 63), 'NaN', '', ' ', '\u0000', '\uD800', 'a'.repeat(10_000), "' OR 1=1 --", '"; DROP TABLE cases; --',
  '<script>alert(1)</script>', '../../etc/passwd', '%00', '${7*7}', '{{7*7}}', '\u202E', '𠮷'.repeat(3000), [], [1, 2], {}, { $gt: '' }, { __proto__: { admin: true } },
  '2026-02-30T25:61:00Z', '1e309', '-0', '0x1F', '１２３', '13800138000', '52030200000', 'red', 'closed',
];
const actions = ['dispatch', 'decline', 'merge', 'record_contact', 'escalate', 'summon', 'report_in', 'department_reply', 'department_return', 'return',
  'request_extension', 'decide_extension', 'supervise', 'remind', 'claim', 'reply', 'callback', 'rate', 'reopen', 'close', 'reclassify', 'submit', 'delete', ''];

const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)];
/** URL-encodes anything, a lone surrogate included (as its raw UTF-8 bytes). */
const q = (value: unknown) => String(value).split('').map((ch) => (/[\uD800-\uDFFF]/.test(ch) ? '%ED%A0%80' : encodeURIComponent(ch))).join('');

describe('case endpoints under fuzzing', () => {
  let t: TestApp;
  let city: City;
  const cookies: Record<string, string> = {};
  const caseIds: number[] = [];
  const tokens: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    await insertDefaultCategories(t.context.database, t.context.database.db, city.cityId);
    for (const name of ['gridworker', 'dispatcher', 'street', 'water']) cookies[name] = await t.login(name);
    for (let i = 0; i < 6; i++) {
      const response = await t.app.inject({ method: 'POST', url: '/api/v1/public/cases', payload: { placeCode: city.a.building.code, categoryCode: 'roads_facilities', description: `路灯不亮 ${i}` } });
      tokens.push(response.json().trackingToken);
    }
    const rows = await t.context.database.rows<{ id: number }>(sql`SELECT id FROM cases ORDER BY id`);
    caseIds.push(...rows.map((r) => Number(r.id)));
  });
  afterAll(async () => t?.close());

  const snapshot = async () => {
    const [row] = await t.context.database.rows<{ cases: number; versions: number; events: number; summonses: number; tasks: number }>(sql`
      SELECT (SELECT count(*)::int FROM cases) AS cases, (SELECT coalesce(sum(version), 0)::int FROM cases) AS versions,
             (SELECT count(*)::int FROM case_events) AS events, (SELECT count(*)::int FROM case_summonses) AS summonses, (SELECT count(*)::int FROM case_tasks) AS tasks`);
    return { cases: Number(row.cases), versions: Number(row.versions), events: Number(row.events), summonses: Number(row.summonses), tasks: Number(row.tasks) };
  };

  it(`answers ${REQUESTS.toLocaleString('en')} generated requests without a 5xx, and changes records only through accepted requests`, async () => {
    const rng = mulberry32(20261125);
    const before = await snapshot();
    const serverErrors: string[] = [];
    const badBodies: string[] = [];
    let acceptedReports = 0;
    let acceptedActions = 0;
    const tally = new Map<number, number>();

    const mutate = (template: Record<string, unknown>): unknown => {
      const roll = rng();
      if (roll < 0.08) return pick(rng, hostile);
      const copy: Record<string, unknown> = { ...template };
      const keys = Object.keys(copy);
      const changes = 1 + Math.floor(rng() * 3);
      for (let i = 0; i < changes; i++) {
        const r = rng();
        if (r < 0.55 && keys.length) copy[pick(rng, keys)] = pick(rng, hostile);
        else if (r < 0.75 && keys.length) delete copy[pick(rng, keys)];
        else copy[pick(rng, ['unexpected', 'status', 'version', 'cityId', 'regionPath', 'id', 'action'])] = pick(rng, hostile);
      }
      return copy;
    };
    const reportTemplate = () => ({
      placeCode: pick(rng, [city.a.building.code, city.b.building.code, city.a.grid.code]),
      categoryCode: pick(rng, ['roads_facilities', 'environment', 'safety', 'neighbourhood']),
      description: '楼道灯坏了很久了',
      reporterPhone: '13987654321',
      consent: true,
    });
    const actionTemplate = (): Record<string, unknown> => {
      const action = pick(rng, actions);
      const fields: Record<string, Record<string, unknown>> = {
        decline: { reason: '非政府职能' }, merge: { intoCaseId: pick(rng, caseIds) }, summon: { departmentIds: [city.department.id] },
        report_in: { departmentId: city.department.id }, department_reply: { departmentId: city.department.id }, department_return: { departmentId: city.department.id, reason: '不属本部门' },
        return: { reason: '派错网格' }, decide_extension: { approved: rng() < 0.5 }, claim: { partyOrganizationId: city.a.gridOrg.id }, reclassify: { color: 'red', reason: '燃气味' },
        close: rng() < 0.5 ? {} : { partyOrganizationId: city.a.gridOrg.id },
      };
      return { action, ...(fields[action] ?? {}), ...(rng() < 0.5 ? { note: '处理中' } : {}) };
    };
    const headerSets = (): Record<string, string> => {
      const headers: Record<string, string> = {};
      const r = rng();
      if (r < 0.3) headers['idempotency-key'] = String(pick(rng, ['k1', 'k2', '', ' ', 'x'.repeat(300), 'ключ', 'a\tb', `fuzz-${Math.floor(rng() * 50)}`]));
      if (rng() < 0.3) headers['if-match'] = String(pick(rng, ['"1"', 'W/"2"', '*', '"-1"', '"99999999999"', 'abc', '""', '"3"']));
      if (rng() < 0.15) headers['content-type'] = pick(rng, ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'application/json; charset=latin1']);
      return headers;
    };

    for (let i = 0; i < REQUESTS; i++) {
      const who = pick(rng, [null, 'gridworker', 'dispatcher', 'street', 'water']);
      const cookie: Record<string, string> = who ? { cookie: cookies[who] } : {};
      const caseId = rng() < 0.9 ? pick(rng, caseIds) : pick(rng, [0, -1, 2 ** 53, 'abc', '1e3', '%00', '1;DROP']);
      const token = rng() < 0.8 ? pick(rng, tokens) : pick(rng, ['x', 'a'.repeat(100), '..%2F..%2F', 'AAAAAAAAAAAAAAAAAAAAAAAA']);
      const kind = rng();
      let method: 'GET' | 'POST' = 'POST';
      let url: string;
      let payload: unknown;
      let counts: 'report' | 'action' | null = null;
      if (kind < 0.3) {
        url = '/api/v1/public/cases';
        payload = mutate(reportTemplate());
        counts = 'report';
      } else if (kind < 0.38) {
        url = '/api/v1/cases';
        payload = mutate({ ...reportTemplate(), channel: pick(rng, ['grid_worker', 'hotline', 'qr', 'open311']) });
        counts = 'report';
      } else if (kind < 0.7) {
        url = `/api/v1/cases/${caseId}/actions`;
        payload = rng() < 0.5 ? actionTemplate() : mutate(actionTemplate());
        counts = 'action';
      } else if (kind < 0.78) {
        url = `/api/v1/public/cases/${token}/rating`;
        payload = mutate({ resolved: rng() < 0.5, satisfaction: pick(rng, ['satisfied', 'basically_satisfied', 'dissatisfied', 'meh']), comment: '还行' });
        counts = 'action';
      } else if (kind < 0.82) {
        url = `/api/v1/public/cases/${token}/reopen`;
        payload = rng() < 0.5 ? undefined : pick(rng, hostile);
        counts = 'action';
      } else {
        method = 'GET';
        url = pick(rng, [
          `/api/v1/cases/${caseId}`,
          `/api/v1/public/cases/${token}`,
          `/api/v1/cases?status=${q(pick(rng, hostile))}&page=${encodeURIComponent(String(pick(rng, [1, 0, -1, 'x', 1e9])))}`,
          `/api/v1/cases?color=${encodeURIComponent(String(pick(rng, ['red', 'blue', '', "'"])))}&pageSize=${encodeURIComponent(String(pick(rng, [1, 200, 201, 'all'])))}`,
          `/api/v1/public/cities/${encodeURIComponent(String(pick(rng, ['520300000000', city.city.code, 'x', '%00'])))}/case-categories`,
        ]);
      }
      const headers: Record<string, string> = { ...cookie, ...(method === 'POST' ? headerSets() : {}) };
      const body = payload === undefined ? undefined : rng() < 0.03 ? '{"truncated":' : JSON.stringify(payload);
      const response = await t.app.inject({
        method,
        url,
        headers: { ...(body !== undefined && !headers['content-type'] ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { payload: body } : {}),
        remoteAddress: `10.${Math.floor(rng() * 4)}.0.${1 + Math.floor(rng() * 200)}`,
      });
      tally.set(response.statusCode, (tally.get(response.statusCode) ?? 0) + 1);
      if (response.statusCode >= 500) serverErrors.push(`${method} ${url} ${body?.slice(0, 200)} → ${response.statusCode} ${response.body.slice(0, 200)}`);
      else if (response.statusCode >= 400) {
        const parsed = (() => { try { return response.json(); } catch { return null; } })();
        if (!parsed?.error?.code || typeof parsed.error.message !== 'string') badBodies.push(`${method} ${url} → ${response.statusCode} ${response.body.slice(0, 120)}`);
      } else if (response.headers['idempotent-replayed'] !== 'true') {
        if (counts === 'report' && response.statusCode === 201) acceptedReports++;
        if (counts === 'action') acceptedActions++;
      }
    }
    const after = await snapshot();
    console.log(`case fuzz: ${REQUESTS} requests; ${[...tally.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ')}; accepted reports ${acceptedReports}, actions ${acceptedActions}`);
    expect({ serverErrors: serverErrors.slice(0, 20), badBodies: badBodies.slice(0, 20) }).toEqual({ serverErrors: [], badBodies: [] });
    expect(after.cases).toBe(before.cases + acceptedReports);
    expect(after.versions).toBe(before.versions + acceptedActions + acceptedReports);
    // Every accepted report and action wrote exactly one event.
    expect(after.events).toBe(before.events + acceptedReports + acceptedActions);
  }, 900_000);
});
