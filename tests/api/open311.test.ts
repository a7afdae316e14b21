import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { insertDefaultCategories } from '../../src/modules/cases/case-categories.repository.ts';
import { registerApiClient, registerDemoApiClient } from '../../src/modules/open311/api-clients.repository.ts';
import { buildScopedCity, Factory } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;
interface XmlNode {
  name: string;
  children: XmlNode[];
  text: string;
}

const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';
const listNames: Record<string, string> = { services: 'service', service_requests: 'request', errors: 'error', endpoints: 'endpoint', formats: 'format', attributes: 'attribute' };

/**
 * A deliberately tiny XML checker: the declaration, properly nested elements without attributes,
 * only the five predefined entities or character references, and only characters XML 1.0 allows.
 */
export function parseXml(xml: string): XmlNode {
  if (!xml.startsWith(XML_DECLARATION)) throw new Error('missing XML declaration');
  const body = xml.slice(XML_DECLARATION.length);
  if (/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(body)) throw new Error('character not allowed in XML');
  const token = /<([a-z_]+)\/>|<([a-z_]+)>|<\/([a-z_]+)>|([^<]+)/gy;
  const stack: XmlNode[] = [];
  let root: XmlNode | null = null;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = token.exec(body))) {
    consumed = token.lastIndex;
    const [, empty, open, close, text] = match;
    if (empty || open) {
      const node: XmlNode = { name: (empty ?? open)!, children: [], text: '' };
      if (stack.length) stack[stack.length - 1].children.push(node);
      else if (root) throw new Error('two root elements');
      else root = node;
      if (open) stack.push(node);
    } else if (close) {
      const top = stack.pop();
      if (!top || top.name !== close) throw new Error(`mismatched </${close}>`);
    } else {
      if (!stack.length) throw new Error('text outside the root element');
      if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(text!)) throw new Error('bare ampersand');
      stack[stack.length - 1].text += text!.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e]!);
    }
  }
  if (consumed !== body.length || stack.length || !root) throw new Error('malformed XML');
  return root;
}

/** The XML tree as the JSON the spec maps it to (every leaf as text). */
function xmlValue(node: XmlNode): unknown {
  if (listNames[node.name]) return node.children.map((child) => { expect(child.name).toBe(listNames[node.name]); return xmlValue(child); });
  if (node.children.length === 0) return node.text;
  return Object.fromEntries(node.children.map((child) => [child.name, xmlValue(child)]));
}

/** JSON with its leaves as the XML carries them: null and [] are empty elements, numbers and booleans text. */
function asXmlText(value: unknown): unknown {
  if (value === null || (Array.isArray(value) && value.length === 0)) return '';
  if (Array.isArray(value)) return value.map(asXmlText);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, asXmlText(v)]));
  return String(value);
}

describe('Open311 GeoReport v2', () => {
  let t: TestApp;
  let city: City;
  let key: string;
  let otherCityKey: string;
  const J = 'jurisdiction_id=520300000000';
  const cookie: Record<string, string> = {};
  const pointA: [number, number] = [106.905, 27.605]; // inside side A's first grid
  const pointA2: [number, number] = [106.915, 27.605]; // inside side A's second grid

  const counts = async () => {
    const [row] = await t.context.database.rows<{ cases: number; events: number; audits: number }>(sql`SELECT
      (SELECT count(*)::int FROM cases) AS cases, (SELECT count(*)::int FROM case_events) AS events, (SELECT count(*)::int FROM audit_log) AS audits`);
    return { cases: Number(row.cases), events: Number(row.events), audits: Number(row.audits) };
  };
  const get = (url: string) => t.app.inject({ method: 'GET', url });
  const postForm = (fields: Record<string, string>, format = 'json', query = '') =>
    t.app.inject({ method: 'POST', url: `/open311/v2/requests.${format}${query}`, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, payload: new URLSearchParams(fields).toString() });
  const report = (extra: Record<string, string> = {}) =>
    postForm({ api_key: key, jurisdiction_id: '520300000000', service_code: 'roads_facilities', lat: String(pointA[1]), long: String(pointA[0]), description: '人行道路面塌陷，夜间危险', ...extra });
  async function created(extra: Record<string, string> = {}) {
    const response = await report(extra);
    expect(response.statusCode, response.body).toBe(201);
    const [body] = response.json() as Array<{ service_request_id: string; token: string }>;
    const [row] = await t.context.database.rows<{ id: number }>(sql`SELECT id FROM cases WHERE number = ${body.service_request_id}`);
    return { ...body, id: Number(row.id) };
  }
  const act = (who: string, caseId: number, body: object) => t.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/actions`, headers: { cookie: cookie[who] }, payload: body });
  const one = async (number: string) => {
    const response = await get(`/open311/v2/requests/${number}.json?${J}`);
    expect(response.statusCode, response.body).toBe(200);
    return (response.json() as Array<Record<string, unknown>>)[0];
  };
  const expectError = (response: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, format: 'json' | 'xml' = 'json') => {
    expect(response.statusCode, response.body).toBe(status);
    if (format === 'json') {
      expect(String(response.headers['content-type'])).toMatch(/^application\/json/);
      const body = JSON.parse(response.body);
      expect(body).toEqual([{ code: status, description: expect.any(String) }]);
      return body[0].description as string;
    }
    expect(String(response.headers['content-type'])).toMatch(/^text\/xml/);
    const value = xmlValue(parseXml(response.body)) as Array<{ code: string; description: string }>;
    expect(value).toEqual([{ code: String(status), description: expect.any(String) }]);
    return value[0].description;
  };

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    await insertDefaultCategories(t.context.database, t.context.database.db, city.cityId);
    await insertDefaultCategories(t.context.database, t.context.database.db, city.other.cityId);
    key = await registerApiClient(t.context, city.cityId, 'Test client');
    otherCityKey = await registerApiClient(t.context, city.other.cityId, 'Anshun client');
    for (const name of ['gridworker', 'dispatcher', 'street', 'water']) cookie[name] = await t.login(name);
  });
  afterAll(async () => t?.close());

  it('describes itself: discovery in JSON and XML', async () => {
    const json = await get('/open311/v2/discovery.json');
    expect(json.statusCode).toBe(200);
    expect(json.json()).toMatchObject({ endpoints: [{ specification: 'http://wiki.open311.org/GeoReport_v2', url: expect.stringMatching(/\/open311\/v2$/), formats: ['application/json', 'text/xml'] }] });
    const xml = await get('/open311/v2/discovery.xml');
    expect(xml.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(xmlValue(parseXml(xml.body))).toEqual(asXmlText(json.json()));
    // Without a suffix: JSON.
    expect((await get('/open311/v2/discovery')).json()).toEqual(json.json());
  });

  it('lists the city\'s active categories as services, the same in JSON and XML', async () => {
    await t.context.database.db.execute(sql`UPDATE case_categories SET active = false WHERE city_id = ${city.cityId} AND code = 'suggestion'`);
    const json = await get(`/open311/v2/services.json?${J}`);
    expect(json.statusCode).toBe(200);
    const services = json.json() as Array<Record<string, unknown>>;
    expect(services).toHaveLength(11);
    expect(services.map((s) => s.service_code)).not.toContain('suggestion');
    expect(services.find((s) => s.service_code === 'roads_facilities')).toEqual({
      service_code: 'roads_facilities', service_name: '道路设施', description: '道路设施', metadata: false, type: 'realtime',
      keywords: '道路设施, 塌陷, 井盖缺失, 坑洞, 路沿石, 破损', group: 'yellow',
    });
    const xml = await get(`/open311/v2/services.xml?${J}`);
    expect(xml.body.startsWith(`${XML_DECLARATION}<services><service><service_code>public_safety</service_code><service_name>安全隐患</service_name>`)).toBe(true);
    expect(xmlValue(parseXml(xml.body))).toEqual(asXmlText(services));
    await t.context.database.db.execute(sql`UPDATE case_categories SET active = true WHERE city_id = ${city.cityId} AND code = 'suggestion'`);
  });

  it('gives a service definition with no attributes, and 404 for an unknown service', async () => {
    expect((await get(`/open311/v2/services/noise.json?${J}`)).json()).toEqual({ service_code: 'noise', attributes: [] });
    expect((await get(`/open311/v2/services/noise.xml?${J}`)).body).toBe(`${XML_DECLARATION}<service_definition><service_code>noise</service_code><attributes/></service_definition>`);
    expectError(await get(`/open311/v2/services/no_such.json?${J}`), 404);
    expectError(await get(`/open311/v2/services/no_such.xml?${J}`), 404, 'xml');
    expectError(await get(`/open311/v2/services/noise.html?${J}`), 404);
  });

  it('needs jurisdiction_id while it serves two cities; an unknown one is 404; the key decides nothing else', async () => {
    expect(expectError(await get('/open311/v2/services.json'), 400)).toContain('jurisdiction_id');
    expectError(await get('/open311/v2/services.xml?jurisdiction_id=999999999999'), 404, 'xml');
    expectError(await get('/open311/v2/requests.json?jurisdiction_id=%27%20OR%201%3D1--'), 404);
    const anshun = await get('/open311/v2/services.json?jurisdiction_id=520400000000');
    expect(anshun.json()).toHaveLength(12);
  });

  it('POST (form-encoded, with a key) enters the same intake: routed to the grid at the point, visible to the dispatcher', async () => {
    const before = await counts();
    const response = await report({ first_name: '芳', last_name: '王', phone: '+86 139-8765-4321', email: 'wf@example.com', media_url: 'http://example.com/a.jpg', device_id: 'x', 'attribute[WHISPAWN]': '1' });
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json() as Array<Record<string, unknown>>;
    expect(body).toEqual([{ service_request_id: expect.stringMatching(/^\d{8}-\d{6}$/), token: expect.stringMatching(/^[A-Za-z0-9_-]{16,}$/), service_notice: expect.any(String), account_id: null }]);
    const [row] = await t.context.database.rows<Record<string, unknown>>(sql`SELECT * FROM cases WHERE number = ${body[0].service_request_id as string}`);
    expect({ channel: row.channel, grid: Number(row.grid_id), name: row.reporter_name, phone: row.reporter_phone, consent: row.reporter_consent, token: row.tracking_token, color: row.triage_color })
      .toEqual({ channel: 'open311', grid: city.a.grid.id, name: '王芳', phone: '13987654321', consent: true, token: body[0].token, color: 'red' });
    expect(await counts()).toEqual({ cases: before.cases + 1, events: before.events + 1, audits: before.audits + 1 });
    const detail = await t.app.inject({ method: 'GET', url: `/api/v1/cases/${Number(row.id)}`, headers: { cookie: cookie.dispatcher } });
    expect(detail.statusCode).toBe(200);
    expect(detail.json()).toMatchObject({ channel: 'open311', status: 'submitted', gridId: city.a.grid.id, reporterPhone: '139****4321', reporterName: '王*', location: [pointA[0], pointA[1]] });
    const [client] = await t.context.database.rows<{ last_used_at: unknown }>(sql`SELECT last_used_at FROM api_clients WHERE name = 'Test client'`);
    expect(client.last_used_at).not.toBeNull();
  });

  it('POST takes JSON bodies (numbers for coordinates) and answers XML; address_id routes by a building or grid code', async () => {
    const json = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.xml', payload: { api_key: key, jurisdiction_id: '520300000000', service_code: 'noise', lat: pointA2[1], long: pointA2[0], description: '夜间施工噪音' } });
    expect(json.statusCode, json.body).toBe(201);
    const [answer] = xmlValue(parseXml(json.body)) as Array<Record<string, string>>;
    expect(Object.keys(answer)).toEqual(['service_request_id', 'token', 'service_notice', 'account_id']);
    const [row] = await t.context.database.rows<{ grid_id: number; building_id: number | null }>(sql`SELECT grid_id, building_id FROM cases WHERE number = ${answer.service_request_id}`);
    expect(Number(row.grid_id)).toBe(city.a.grid2.id);
    const byCode = await created({ lat: '', long: '', address_id: city.a.building.code, address_string: '1栋门口' });
    const [placed] = await t.context.database.rows<{ grid_id: number; building_id: number; address: string }>(sql`SELECT grid_id, building_id, address FROM cases WHERE id = ${byCode.id}`);
    expect({ grid: Number(placed.grid_id), building: Number(placed.building_id), address: placed.address }).toEqual({ grid: city.a.grid.id, building: city.a.building.id, address: '1栋门口' });
    // No description: the service name (and the address) describe it.
    const bare = await created({ description: '', address_string: '中华路口' });
    const [described] = await t.context.database.rows<{ description: string }>(sql`SELECT description FROM cases WHERE id = ${bare.id}`);
    expect(described.description).toBe('道路设施：中华路口');
  });

  it('refuses a missing, unknown, inactive or other city\'s key with 403, writing nothing', async () => {
    const before = await counts();
    expectError(await report({ api_key: '' }), 403);
    expectError(await report({ api_key: 'not-a-real-key-but-long-enough' }), 403, 'json');
    expectError(await postForm({ api_key: 'x', service_code: 'noise' }, 'xml'), 403, 'xml');
    const inactive = await registerApiClient(t.context, city.cityId, 'Retired client');
    await t.context.database.db.execute(sql`UPDATE api_clients SET active = false WHERE name = 'Retired client'`);
    expectError(await report({ api_key: inactive }), 403);
    // A key of Anshun cannot post into Zunyi.
    expect(expectError(await report({ api_key: otherCityKey }), 403)).toContain('520300000000');
    // ...but into its own city (where the point lies outside every grid).
    expectError(await report({ api_key: otherCityKey, jurisdiction_id: '520400000000' }), 400);
    // The key may also come in the query string.
    expect((await postForm({ jurisdiction_id: '520300000000', service_code: 'noise', lat: '27.605', long: '106.905', description: '广场舞音响太大' }, 'json', `?api_key=${encodeURIComponent(key)}`)).statusCode).toBe(201);
    const after = await counts();
    expect(after).toEqual({ cases: before.cases + 1, events: before.events + 1, audits: before.audits + 1 + 1 }); // + the retired client's registration
  });

  it('answers bad arguments in the spec\'s error format (never the /api/v1 body), writing nothing', async () => {
    const before = await counts();
    expect(expectError(await report({ service_code: '' }), 400)).toContain('service_code');
    expectError(await report({ service_code: 'no_such_service' }), 404);
    expectError(await report({ service_code: 'no_such_service' }), 404);
    expectError(await report({ jurisdiction_id: '' }), 400);
    expectError(await report({ jurisdiction_id: '123456789012' }), 404);
    expect(expectError(await report({ lat: '27.9', long: '106.5' }), 400)).toMatch(/outside every grid/);
    expectError(await report({ long: '' }), 400);
    expectError(await report({ lat: 'north', long: '106.9' }), 400);
    expectError(await report({ lat: '91', long: '106.9' }), 400);
    expectError(await report({ lat: '', long: '', address_string: '中华路' }), 400);
    expectError(await report({ lat: '', long: '', address_id: 'no-such-building' }), 400);
    expectError(await report({ phone: '12345' }), 400);
    expectError(await report({ description: 'x'.repeat(4001) }), 400, 'json');
    expectError(await report({ first_name: '名'.repeat(41) }), 400);
    expectError(await report({ description: 'a\u0000b' }), 400);
    expectError(await t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: { 'content-type': 'application/json' }, payload: '{"api_key":' }), 400);
    expectError(await t.app.inject({ method: 'POST', url: '/open311/v2/requests.xml', headers: { 'content-type': 'application/json' }, payload: '[1,2]' }), 400, 'xml');
    expectError(await t.app.inject({ method: 'POST', url: '/open311/v2/requests.xml', headers: { 'content-type': 'application/xml' }, payload: '<request/>' }), 400, 'xml');
    expectError(await t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', payload: { api_key: key, jurisdiction_id: '520300000000', service_code: 'noise', lat: [1], long: 2 } }), 400);
    expectError(await t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `service_code=noise&service_code=roads&api_key=${key}` }), 400);
    expectError(await t.app.inject({ method: 'DELETE', url: '/open311/v2/requests.json' }), 404);
    expectError(await get('/open311/v2/nothing.xml'), 404, 'xml');
    expect(await counts()).toEqual(before);
  });

  it('GET requests filters by id list, service code, status and date range (at most 90 days)', async () => {
    const first = await created({ service_code: 'environment', description: '垃圾桶满了没人清' });
    const second = await created({ service_code: 'environment', description: '绿化带有建筑垃圾' });
    const third = await created({ service_code: 'consultation', description: '咨询养老补贴政策' });
    const numbersOf = (response: { json(): unknown }) => (response.json() as Array<{ service_request_id: string }>).map((r) => r.service_request_id);

    const byIds = await get(`/open311/v2/requests.json?${J}&service_request_id=${first.service_request_id},${third.service_request_id},20000101-999999&status=closed`);
    expect(numbersOf(byIds).sort()).toEqual([first.service_request_id, third.service_request_id].sort()); // ids override every other argument
    const byCode = numbersOf(await get(`/open311/v2/requests.json?${J}&service_code=environment`));
    expect(byCode.slice(0, 2)).toEqual([second.service_request_id, first.service_request_id]); // newest first
    expect(byCode).not.toContain(third.service_request_id);

    expect((await act('dispatcher', third.id, { action: 'decline', reason: '不属于政府职责' })).statusCode).toBe(200);
    const closed = numbersOf(await get(`/open311/v2/requests.json?${J}&status=closed`));
    expect(closed).toContain(third.service_request_id);
    expect(closed).not.toContain(first.service_request_id);
    const open = numbersOf(await get(`/open311/v2/requests.json?${J}&status=open`));
    expect(open).toContain(first.service_request_id);
    expect(open).not.toContain(third.service_request_id);
    expect(numbersOf(await get(`/open311/v2/requests.json?${J}&status=open,closed&service_code=consultation,environment`))).toEqual(expect.arrayContaining([first.service_request_id, third.service_request_id]));
    expect((await one(third.service_request_id)).status).toBe('closed');

    const day = (offsetDays: number) => encodeURIComponent(new Date(Date.now() + offsetDays * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z'));
    expect(numbersOf(await get(`/open311/v2/requests.json?${J}&start_date=${day(-1)}&end_date=${day(1)}`))).toContain(first.service_request_id);
    expect(numbersOf(await get(`/open311/v2/requests.json?${J}&start_date=${day(1)}`))).toEqual([]);
    expect(numbersOf(await get(`/open311/v2/requests.json?${J}&end_date=${day(-1)}`))).toEqual([]);
    expect(numbersOf(await get(`/open311/v2/requests.json?${J}&start_date=2026-01-01T00:00:00%2B08:00&end_date=2026-01-02`))).toEqual([]);
    expectError(await get(`/open311/v2/requests.json?${J}&start_date=${day(-100)}&end_date=${day(1)}`), 400);
    expectError(await get(`/open311/v2/requests.json?${J}&start_date=${day(1)}&end_date=${day(-1)}`), 400);
    expectError(await get(`/open311/v2/requests.xml?${J}&start_date=yesterday`), 400, 'xml');
    expectError(await get(`/open311/v2/requests.json?${J}&start_date=2024-02-30`), 400);
    expectError(await get(`/open311/v2/requests.json?${J}&status=pending`), 400);
    // A case of the other city never shows here.
    expect(numbersOf(await get('/open311/v2/requests.json?jurisdiction_id=520400000000'))).toEqual([]);
  });

  it('looks up a request by its token, and one request by its id, in both formats', async () => {
    const c = await created();
    expect((await get(`/open311/v2/tokens/${c.token}.json?${J}`)).json()).toEqual([{ service_request_id: c.service_request_id, token: c.token }]);
    expect(xmlValue(parseXml((await get(`/open311/v2/tokens/${c.token}.xml?${J}`)).body))).toEqual([{ service_request_id: c.service_request_id, token: c.token }]);
    expectError(await get(`/open311/v2/tokens/${'A'.repeat(24)}.json?${J}`), 404);
    expectError(await get(`/open311/v2/tokens/${c.token}.json?jurisdiction_id=520400000000`), 404);
    const json = await get(`/open311/v2/requests/${c.service_request_id}.json?${J}`);
    const xml = await get(`/open311/v2/requests/${c.service_request_id}.xml?${J}`);
    expect(xmlValue(parseXml(xml.body))).toEqual(asXmlText(json.json()));
    expect(json.json()).toEqual([{
      service_request_id: c.service_request_id, status: 'open', status_notes: null, service_name: '道路设施', service_code: 'roads_facilities',
      description: '人行道路面塌陷，夜间危险', agency_responsible: 'A社区', service_notice: null,
      requested_datetime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/), updated_datetime: expect.stringMatching(/\+08:00$/),
      expected_datetime: expect.stringMatching(/\+08:00$/), address: null, address_id: null, zipcode: null, lat: pointA[1], long: pointA[0], media_url: null,
    }]);
    expect((await get(`/open311/v2/requests/${c.service_request_id}?${J}`)).json()).toEqual(json.json());
    expectError(await get(`/open311/v2/requests/20000101-000001.json?${J}`), 404);
    expectError(await get(`/open311/v2/requests/${c.service_request_id}.xml?jurisdiction_id=520400000000`), 404, 'xml');
  });

  it('agency_responsible follows the holder: community queue → grid → community → street → summoned department → street', async () => {
    const c = await created();
    const agency = async () => (await one(c.service_request_id)).agency_responsible;
    expect(await agency()).toBe('A社区');
    expect((await act('dispatcher', c.id, { action: 'dispatch', note: '请网格员尽快处理' })).statusCode).toBe(200);
    expect(await agency()).toBe(city.a.grid.name);
    expect((await one(c.service_request_id)).status_notes).toBe('请网格员尽快处理');
    expect((await act('gridworker', c.id, { action: 'record_contact' })).statusCode).toBe(200);
    expect((await act('gridworker', c.id, { action: 'escalate', note: '需社区协调' })).statusCode).toBe(200);
    expect(await agency()).toBe('A社区');
    expect((await act('dispatcher', c.id, { action: 'escalate' })).statusCode).toBe(200);
    expect(await agency()).toBe('A街道');
    expect((await act('street', c.id, { action: 'summon', departmentIds: [city.department.id, city.otherDepartment.id], note: '请水务、城管报到' })).statusCode).toBe(200);
    expect(await agency()).toBe('水务局, 城管局');
    expect((await one(c.service_request_id)).status_notes).toBe('请水务、城管报到');
    expect((await act('water', c.id, { action: 'report_in', departmentId: city.department.id })).statusCode).toBe(200);
    expect((await act('water', c.id, { action: 'department_reply', departmentId: city.department.id, note: '已修复' })).statusCode).toBe(200);
    expect(await agency()).toBe('城管局');
  });

  it('expected_datetime is the earliest deadline of the running SLA clocks', async () => {
    const c = await created();
    const timers = async () => (await t.context.database.rows<{ due_at: string | Date }>(sql`SELECT due_at FROM sla_timers WHERE case_id = ${c.id} AND fired_at IS NULL AND cancelled_at IS NULL ORDER BY due_at`)).map((r) => new Date(r.due_at).getTime());
    const expected = async () => new Date((await one(c.service_request_id)).expected_datetime as string).getTime();
    let running = await timers();
    expect(running).toHaveLength(1); // the dispatch clock
    expect(await expected()).toBe(Math.floor(running[0] / 1000) * 1000);
    expect((await act('dispatcher', c.id, { action: 'dispatch' })).statusCode).toBe(200);
    running = await timers();
    expect(running.length).toBe(2); // contact and resolve
    expect(await expected()).toBe(Math.floor(Math.min(...running) / 1000) * 1000);
    expect((await act('dispatcher', c.id, { action: 'decline', reason: 'x' })).statusCode).toBe(409);
    expect((await act('dispatcher', c.id, { action: 'merge', intoCaseId: c.id - 1 })).statusCode).toBe(200);
    expect(await one(c.service_request_id)).toMatchObject({ status: 'closed', expected_datetime: null });
  });

  it('returns no personal data, escapes hostile text into well-formed XML, and masks phone numbers in free text', async () => {
    const hostile = '<script>alert("x")</script> & \'q\' ]]> \u0001 请联系 13987654321 或 139-1234-5678 ';
    const c = await created({ first_name: '秀英', last_name: '欧阳', phone: '13700001234', description: hostile, address_string: '中华路8号3栋2单元501室' });
    for (const url of [`/open311/v2/requests.json?${J}`, `/open311/v2/requests.xml?${J}`, `/open311/v2/requests/${c.service_request_id}.xml?${J}`, `/open311/v2/requests.json?${J}&service_request_id=${c.service_request_id}`]) {
      const body = (await get(url)).body;
      for (const secret of ['欧阳秀英', '欧阳', '秀英', '13700001234', '13987654321', '12345678', c.token]) expect(body, url).not.toContain(secret);
      if (url.includes('.xml')) parseXml(body);
    }
    const xml = xmlValue(parseXml((await get(`/open311/v2/requests/${c.service_request_id}.xml?${J}`)).body)) as Array<Record<string, string>>;
    expect(xml[0].description).toBe('<script>alert("x")</script> & \'q\' ]]> \uFFFD 请联系 139****4321 或 139****5678');
    expect(xml[0].address).toBe('中华路8号3栋****');
    const json = await one(c.service_request_id);
    expect(json.description).toBe('<script>alert("x")</script> & \'q\' ]]> \u0001 请联系 139****4321 或 139****5678');
  });

  it('registers the demo client idempotently; a changed demo key retires the old one', async () => {
    const demo = (demoOpen311Key: string) => ({ ...t.context, config: { ...t.context.config, demoOpen311Key } });
    const rows = async () => (await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM api_clients WHERE name = 'Open311 demo'`))[0].n;
    expect(await registerDemoApiClient(demo('civicgrid-demo-open311-key'), '520400000000')).toBe('civicgrid-demo-open311-key');
    expect(await registerDemoApiClient(demo('civicgrid-demo-open311-key'), '520400000000')).toBe('civicgrid-demo-open311-key');
    expect(Number(await rows())).toBe(1);
    const post = (apiKey: string) => postForm({ api_key: apiKey, jurisdiction_id: '520400000000', service_code: 'noise', lat: '27.6', long: '106.9' });
    expect((await post('civicgrid-demo-open311-key')).statusCode).toBe(400); // accepted key; the point lies outside Anshun's (missing) grids
    await registerDemoApiClient(demo('another-demo-key-from-the-env'), '520400000000');
    expectError(await post('civicgrid-demo-open311-key'), 403);
    expect((await post('another-demo-key-from-the-env')).statusCode).toBe(400);
    expect(await registerDemoApiClient(demo('another-demo-key-from-the-env'), '000000000000')).toBeNull();
    await expect(registerApiClient(t.context, city.cityId, 'Thief', 'another-demo-key-from-the-env')).rejects.toThrow(/another city/);
    await expect(registerApiClient(t.context, city.cityId, 'Short', 'short')).rejects.toThrow(/at least 16/);
  });

  it('replays a POST repeated with the same Idempotency-Key (JSON and XML) and writes the case once', async () => {
    const before = await counts();
    const form = new URLSearchParams({ api_key: key, jurisdiction_id: '520300000000', service_code: 'environment', lat: '27.605', long: '106.905', description: '垃圾堆积' }).toString();
    for (const format of ['json', 'xml']) {
      const send = (body: string) => t.app.inject({ method: 'POST', url: `/open311/v2/requests.${format}`, headers: { 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': `open311-${format}` }, payload: body });
      const first = await send(form);
      expect(first.statusCode, first.body).toBe(201);
      const again = await send(form);
      expect({ status: again.statusCode, body: again.body, replayed: again.headers['idempotent-replayed'], type: again.headers['content-type'] })
        .toEqual({ status: 201, body: first.body, replayed: 'true', type: first.headers['content-type'] });
      expectError(await send(`${form}&first_name=x`), 422, format as 'json' | 'xml');
    }
    expect(await counts()).toEqual({ cases: before.cases + 2, events: before.events + 2, audits: before.audits + 2 });
  });

  it('stays out of the OpenAPI document', async () => {
    const response = await get('/api/openapi.json');
    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.json().paths).filter((p) => p.includes('open311'))).toEqual([]);
  });
});

describe('Open311 with a single city', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    const factory = new Factory(t.context.database, t.context.cipher);
    const { cityId } = await factory.city('520500000000', '毕节市');
    await insertDefaultCategories(t.context.database, t.context.database.db, cityId);
  });
  afterAll(async () => t?.close());

  it('treats jurisdiction_id as optional, but still checks one that is given', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/open311/v2/services.json' })).json()).toHaveLength(12);
    expect((await t.app.inject({ method: 'GET', url: '/open311/v2/services.json?jurisdiction_id=' })).json()).toHaveLength(12);
    expect((await t.app.inject({ method: 'GET', url: '/open311/v2/services.json?jurisdiction_id=520500000000' })).json()).toHaveLength(12);
    expect((await t.app.inject({ method: 'GET', url: '/open311/v2/requests.json?jurisdiction_id=520300000000' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/open311/v2/requests.json' })).json()).toEqual([]);
  });
});
