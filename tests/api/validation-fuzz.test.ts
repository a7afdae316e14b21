/// <reference types="vite/client" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FuzzCatalogue } from './catalogue/types.ts';
import { sql } from 'drizzle-orm';
import { buildScopedCity, TEST_PASSWORD } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/**
 * Thousands of malformed and hostile requests against every /api/v1 endpoint, anonymously and with
 * sessions. Whatever arrives, the answer is a 4xx with the standard error body (never a 5xx), and no
 * data changes.
 */
type City = Awaited<ReturnType<typeof buildScopedCity>>;
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Route {
  method: Method;
  path: string;
  /** Has a JSON body schema with additionalProperties: false. */
  body?: (city: City) => Record<string, unknown>;
  /** Has a querystring schema with additionalProperties: false. */
  query?: Record<string, string>;
  multipart?: boolean;
  /** A real id for the `:id` parameter, so the handler runs past the parameter check. */
  id?: (city: City) => number;
}

const ring = [[106.91, 27.6], [106.92, 27.6], [106.92, 27.61], [106.91, 27.61], [106.91, 27.6]];

/** Routes and tables of the modules that keep their own catalogue (tests/api/catalogue/*.fuzz.ts). */
const catalogues = Object.values(import.meta.glob<FuzzCatalogue>('./catalogue/*.fuzz.ts', { eager: true }));

/** Every /api/v1 route (checked against the OpenAPI document below). */
const coreRoutes: Route[] = [
  { method: 'GET', path: '/api/v1/config' },
  { method: 'POST', path: '/api/v1/auth/login', body: () => ({ username: 'nobody_here', password: 'Some-Password-1', totpCode: '123456' }) },
  { method: 'POST', path: '/api/v1/auth/logout' },
  { method: 'GET', path: '/api/v1/auth/me' },
  { method: 'POST', path: '/api/v1/auth/password', body: () => ({ currentPassword: 'Not-The-Password-1', newPassword: 'New-Password-2024' }) },
  { method: 'POST', path: '/api/v1/auth/totp/setup' },
  { method: 'POST', path: '/api/v1/auth/totp/confirm', body: () => ({ code: '123456' }) },
  { method: 'GET', path: '/api/v1/audit', query: { action: 'auth.login', actorUserId: '1', outcome: 'success', from: '2024-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z', page: '1', pageSize: '10' } },
  { method: 'POST', path: '/api/v1/audit/verify' },
  { method: 'GET', path: '/api/v1/regions/roots' },
  { method: 'GET', path: '/api/v1/regions/:id', id: (c) => c.a.grid.id },
  { method: 'GET', path: '/api/v1/regions/:id/children', id: (c) => c.a.community.id, query: { page: '1', pageSize: '10' } },
  { method: 'PUT', path: '/api/v1/regions/:id/geometry', id: (c) => c.a.grid2.id, body: () => ({ geometry: { type: 'Polygon', coordinates: [ring] }, crs: 'wgs84', validFrom: '2025-01-01' }) },
  { method: 'GET', path: '/api/v1/residents', query: { q: '张', tag: 'elderly_living_alone', regionId: '1', page: '1', pageSize: '10' } },
  { method: 'GET', path: '/api/v1/residents/:id', id: (c) => c.a.resident.id },
  { method: 'POST', path: '/api/v1/residents/:id/reveal', id: (c) => c.a.resident.id, body: () => ({ fields: ['phone'] }) },
  { method: 'GET', path: '/api/v1/roles' },
  { method: 'DELETE', path: '/api/v1/role-assignments/:id', id: () => 1 },
  { method: 'GET', path: '/api/v1/map/grids', query: { regionId: '1' } },
  { method: 'GET', path: '/api/v1/grids/:id/summary', id: (c) => c.a.grid.id },
  { method: 'POST', path: '/api/v1/geo/locate', body: () => ({ lng: 106.905, lat: 27.605, crs: 'wgs84' }) },
  { method: 'GET', path: '/api/v1/buildings/:id', id: (c) => c.a.building.id },
  { method: 'GET', path: '/api/v1/buildings/:id/grid-history', id: (c) => c.a.building.id, query: { date: '2024-01-01' } },
  { method: 'GET', path: '/api/v1/households/:id', id: (c) => c.a.household.id },
  { method: 'GET', path: '/api/v1/party-organizations', query: { q: '党', kind: 'grid_party_org', regionId: '1', page: '1', pageSize: '10' } },
  { method: 'GET', path: '/api/v1/party-organizations/:id', id: (c) => c.a.gridOrg.id },
  { method: 'GET', path: '/api/v1/party-members', query: { q: '赵', regionId: '1', isServing: 'true', page: '1', pageSize: '10' } },
  { method: 'POST', path: '/api/v1/party-members/:id/reveal', id: (c) => c.a.partyMember.id, body: () => ({ fields: ['phone'] }) },
  { method: 'GET', path: '/api/v1/units', query: { q: '单位', kind: 'department', regionId: '1', page: '1', pageSize: '10' } },
  { method: 'GET', path: '/api/v1/units/:id', id: (c) => c.department.id },
  { method: 'GET', path: '/api/v1/users', query: { q: 'grid', page: '1', pageSize: '10' } },
  { method: 'POST', path: '/api/v1/users', body: () => ({ username: 'fuzz_user', displayName: '模糊', phone: '13900001111', password: 'Fuzz-Password-2024' }) },
  { method: 'PATCH', path: '/api/v1/users/:id', id: (c) => c.plainUser.id, body: () => ({ status: 'active' }) },
  { method: 'POST', path: '/api/v1/users/:id/unlock', id: (c) => c.plainUser.id },
  { method: 'POST', path: '/api/v1/users/:id/roles', id: (c) => c.plainUser.id, body: (c) => ({ role: 'grid_worker', regionNodeId: c.a.grid2.id, unitId: 1 }) },
  { method: 'GET', path: '/api/v1/imports', query: { page: '1', pageSize: '10' } },
  { method: 'GET', path: '/api/v1/imports/kinds' },
  { method: 'POST', path: '/api/v1/imports/preview', multipart: true },
  { method: 'POST', path: '/api/v1/imports', multipart: true },
  { method: 'GET', path: '/api/v1/imports/:id', id: () => 1 },
  { method: 'GET', path: '/api/v1/public/cities/:cityCode/case-categories' },
  { method: 'POST', path: '/api/v1/public/cases', body: (c) => ({ placeCode: c.a.building.code, categoryCode: 'roads_facilities', description: '路沿石破损', reporterPhone: '13987654321', consent: true }) },
  { method: 'GET', path: '/api/v1/public/cases/:token' },
  { method: 'POST', path: '/api/v1/public/cases/:token/rating', body: () => ({ resolved: true, satisfaction: 'satisfied', comment: '好' }) },
  { method: 'POST', path: '/api/v1/public/cases/:token/reopen' },
  { method: 'POST', path: '/api/v1/cases', body: (c) => ({ channel: 'hotline', placeCode: c.a.building.code, categoryCode: 'roads_facilities', description: '路沿石破损' }) },
  { method: 'GET', path: '/api/v1/cases', query: { status: 'submitted', color: 'red', page: '1', pageSize: '10' } },
  { method: 'GET', path: '/api/v1/cases/:id', id: () => 1 },
  { method: 'POST', path: '/api/v1/cases/:id/actions', id: () => 1, body: () => ({ action: 'summon', departmentIds: [1], note: '请报到' }) },
  { method: 'GET', path: '/api/v1/cases/board', query: { status: 'submitted', color: 'red', page: '1', pageSize: '10' } },
  { method: 'GET', path: '/api/v1/cases/watch', query: { list: 'overdue', page: '1', pageSize: '10' } },
  { method: 'GET', path: '/api/v1/cases/map', query: { status: 'submitted', color: 'red', limit: '100' } },
  { method: 'GET', path: '/api/v1/cases/:id/suggestions', id: () => 1 },
  { method: 'GET', path: '/api/v1/cases/:id/clocks', id: () => 1 },
  { method: 'GET', path: '/api/v1/department/summonses', query: { state: 'to_report_in', page: '1', pageSize: '10' } },
  { method: 'GET', path: '/api/v1/department/summonses/counts' },
  { method: 'GET', path: '/api/v1/street/cases', query: { list: 'overdue', page: '1', pageSize: '10' } },
  { method: 'GET', path: '/api/v1/street/cases/counts' },
  { method: 'GET', path: '/api/v1/my/tasks', query: { page: '1', pageSize: '10' } },
  { method: 'POST', path: '/api/v1/my/tasks/:id/call', id: () => 1 },
  { method: 'GET', path: '/api/v1/notifications', query: { unreadOnly: 'true', page: '1', pageSize: '10' } },
  { method: 'POST', path: '/api/v1/notifications/:id/read', id: () => 1 },
  { method: 'POST', path: '/api/v1/notifications/read-all' },
  { method: 'POST', path: '/api/v1/public/photos', multipart: true },
  { method: 'POST', path: '/api/v1/photos', multipart: true },
  { method: 'GET', path: '/api/v1/photos/:token', query: { t: 'no-such-tracking-token-000' } },
  { method: 'GET', path: '/api/v1/public/places/:code', query: { cityCode: '520300000000' } },
  { method: 'GET', path: '/api/v1/regions/:id/qr.svg', id: (c) => c.a.building.id },
  { method: 'GET', path: '/api/v1/metrics', query: { node: 'region:1', from: '2026-01', to: '2026-03' } },
  { method: 'GET', path: '/api/v1/metrics/rankings', query: { level: 'street', from: '2026-01', to: '2026-02', sort: 'composite' } },
  { method: 'GET', path: '/api/v1/metrics/grids', query: { from: '2026-01' } },
  { method: 'GET', path: '/api/v1/metrics/trend', query: { granularity: 'day', from: '2026-01-01', to: '2026-01-31' } },
  { method: 'GET', path: '/api/v1/metrics/cases', query: { from: '2026-01', measure: 'received', categoryId: '1', page: '1', pageSize: '10' } },
  { method: 'GET', path: '/api/v1/metrics/hot-topics', query: { from: '2026-01', limit: '10' } },
  { method: 'GET', path: '/api/v1/metrics/cases.xlsx', query: { from: '2026-01', measure: 'received', categoryId: '1' } },
  { method: 'GET', path: '/api/v1/metrics/export.xlsx', query: { from: '2026-01', to: '2026-02' } },
  { method: 'GET', path: '/api/v1/metrics/settings' },
  { method: 'PUT', path: '/api/v1/metrics/settings', body: () => ({ satisfactionIncludesBasic: true, weights: { response: 0.2, resolution: 0.4, satisfaction: 0.4 } }) },
  { method: 'GET', path: '/api/v1/sla-settings' },
  { method: 'PUT', path: '/api/v1/sla-settings', body: () => ({ rules: { dispatch: { red: { amount: 5, unit: 'minutes' } } }, workingHours: [{ start: '09:00', end: '17:00' }], weekendDays: [0, 6], holidays: ['2026-10-01'], makeUpWorkdays: ['2026-10-10'] }) },
];
const routes: Route[] = [...coreRoutes, ...catalogues.flatMap((c) => c.routes)];

const nest = (depth: number, open: string, close: string, inner = '1') => open.repeat(depth) + inner + close.repeat(depth);

/** Hostile text: SQL, HTML, NUL, control characters, unicode edge cases, long values. */
const hostileStrings = [
  "' OR 1=1 --",
  "'; DROP TABLE users; --",
  '" OR ""="',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '\u0000',
  'a\u0000b',
  '\u0000\u0000\u0000SELECT',
  '%00',
  '\\',
  '%',
  '_',
  '%_%\\%',
  '\u202Eevil\u202C',
  '\uFEFF',
  '\uD800',
  '😀👨‍👩‍👧‍👦',
  '𠮷野家',
  'Ω≈ç√∫',
  '\r\n\t\b\f\v',
  '\u0007\u001b[31m',
  '../../../../etc/passwd',
  '${7*7}{{7*7}}',
  '1e309',
  '-0',
  'NaN',
  ' ',
  '',
  'x'.repeat(201),
  '长'.repeat(5000),
];

/** Hostile JSON values for a field of any type. */
const hostileValues: unknown[] = [
  ...hostileStrings,
  null,
  true,
  0,
  -1,
  1.5,
  -1e308,
  1e308,
  9007199254740993,
  [],
  [null],
  {},
  { $gt: '' },
  ['phone', 'phone', 'phone', 'phone', 'phone'],
];

const malformedBodies = [
  '{',
  '}',
  '{"a":',
  '{"a":1,}',
  "{'a':1}",
  '{"a":1}{"b":2}',
  'nul',
  'undefined',
  'NaN',
  '"unterminated',
  '[1,2',
  '{"a":"\\u00"}',
  '{"a":"\\uD800"}',
  '{"a":01}',
  '\u0000',
  '{"a":"\u0000"}',
  '\uFEFF{}',
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
  'null',
  'true',
  '0',
  '-1',
  '"a string"',
  '[]',
  '[{}]',
  '[[[[]]]]',
  '{}',
  nest(2000, '[', ']'),
  nest(2000, '{"a":', '}'),
  nest(100_000, '[', ']'),
  `{"a":${nest(50_000, '{"b":', '}')}}`,
];

const contentTypes = [
  'text/plain',
  'text/html',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=----x',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/json-patch+json',
  'application/octet-stream',
  'image/png',
  ';;;',
  'application/json, text/plain',
];

const hostileIds = [
  '-1',
  '0',
  'abc',
  '99999999999999999999',
  '9007199254740992',
  '1.5',
  '-0',
  '1e400',
  '0x10',
  '%00',
  '1%00',
  '%27%20OR%201%3D1%20--',
  '1%3B%20DROP%20TABLE%20users',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  '%EF%BC%91',
  '%F0%9F%98%80',
  'null',
  'undefined',
  '%5B%5D',
  '%7B%7D',
  '..%2F..%2Fetc%2Fpasswd',
  '%E0%A4%A',
  '%ZZ',
  ' 1',
  '1 ',
  'NaN',
  'Infinity',
  'true',
];
/** Ids the parameter schema must refuse outright (400 before any handler runs). */
const idsThatMustBe400 = new Set(['-1', '0', 'abc', '99999999999999999999', '9007199254740992', '1.5', 'null', 'NaN', 'Infinity', 'true', '%00', '1e400']);

const hostileQueryValues = [
  "' OR 1=1 --",
  "1' OR '1'='1",
  '<script>alert(1)</script>',
  '%00',
  'a%00b',
  '%',
  '_',
  '%5C',
  '%25%25%25',
  '%E2%80%AE',
  '%F0%9F%98%80',
  '%ED%A0%80',
  '%FF%FE',
  '%ZZ',
  '-1',
  '0',
  '1e10',
  '99999999999999999999',
  'abc',
  'true',
  'null',
  '',
  'x'.repeat(300),
  '2025-13-45',
  '2025-02-30',
  '9999-99-99T99:99:99Z',
];
const hostileQueryStrings = [
  'unknown=1',
  '__proto__=x',
  'constructor=x',
  'q[]=a',
  'q[a]=b',
  'page=1&page=2',
  'q=a&q=b',
  'page=-1',
  'pageSize=100000',
  '&&&&',
  '=',
  '?',
  '%00=%00',
  'q',
];

interface Persona {
  name: string;
  cookie: string | null;
}

describe('validation fuzz: malformed and hostile requests', () => {
  let t: TestApp;
  let city: City;
  let dispatcher: string;
  const tables = ['users', 'region_nodes', 'residents', 'households', 'role_assignments', 'units', 'party_members', 'party_organizations', 'building_grid_history', 'region_geometry_history', 'cities', 'cases', 'case_events', 'case_summonses',
    'case_tasks', 'sla_timers', 'outbox', 'notifications', 'attachments', 'city_sla_settings', 'city_metric_settings', 'case_metric_deltas', 'case_metric_rollups', 'item_events', ...catalogues.flatMap((c) => c.tables)];
  let countsBefore: Record<string, number>;
  const failures: string[] = [];
  const serverErrors: string[] = [];
  let sent = 0;
  const statusTally = new Map<number, number>();

  const counts = async () => {
    const result: Record<string, number> = {};
    for (const table of tables) {
      const [{ count }] = await t.context.database.rows<{ count: number }>(sql`SELECT count(*)::int AS count FROM ${sql.identifier(table)}`);
      result[table] = Number(count);
    }
    return result;
  };

  const preview = (value: unknown) => {
    const text = typeof value === 'string' ? value : Buffer.isBuffer(value) ? `<${value.length} bytes>` : JSON.stringify(value);
    return text === undefined ? 'undefined' : text.length > 120 ? `${text.slice(0, 120)}…(${text.length} chars)` : text;
  };

  /** Sends one request and checks the invariants; `expectStatus` adds a specific expectation. */
  async function send(
    persona: Persona,
    request: { method: Method; url: string; payload?: string | Buffer; contentType?: string; headers?: Record<string, string> },
    expectStatus?: number,
  ) {
    sent++;
    const headers: Record<string, string> = { ...(request.headers ?? {}) };
    if (persona.cookie) headers.cookie = persona.cookie;
    if (request.contentType !== undefined) headers['content-type'] = request.contentType;
    const label = `[${persona.name}] ${request.method} ${request.url.length > 200 ? request.url.slice(0, 200) + '…' : request.url}${request.contentType !== undefined ? ` (${request.contentType})` : ''}${request.payload !== undefined ? ` body=${preview(request.payload)}` : ''}`;
    let response;
    try {
      response = await t.app.inject({ method: request.method, url: request.url, headers, payload: request.payload });
    } catch (error) {
      failures.push(`${label} → inject threw ${(error as Error).message}`);
      return;
    }
    const status = response.statusCode;
    statusTally.set(status, (statusTally.get(status) ?? 0) + 1);
    if (status >= 500) {
      serverErrors.push(`${label} → ${status} ${response.body.slice(0, 200)}`);
      return;
    }
    if (expectStatus !== undefined && status !== expectStatus) failures.push(`${label} → expected ${expectStatus}, got ${status} ${response.body.slice(0, 160)}`);
    if (status >= 400) {
      let body: { error?: { code?: unknown; message?: unknown; details?: unknown } } | null = null;
      try {
        body = response.json();
      } catch {
        body = null;
      }
      const error = body?.error;
      const shaped = body !== null && typeof body === 'object' && Object.keys(body).length === 1 && error && typeof error.code === 'string' && typeof error.message === 'string' && 'details' in error;
      if (!shaped) failures.push(`${label} → ${status} without the error body: ${response.body.slice(0, 160)}`);
      if (!String(response.headers['content-type'] ?? '').startsWith('application/json')) failures.push(`${label} → ${status} content-type ${response.headers['content-type']}`);
    }
  }

  const urlOf = (route: Route, id?: string) =>
    route.path
      .replace(':id', id ?? String(route.id ? route.id(city) : 1))
      .replace(':token', id ?? 'no-such-tracking-token-000')
      .replace(':cityCode', id ?? '520300000000')
      .replace(':code', id ?? 'no-such-place-code');

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    dispatcher = await t.login('dispatcher');
    countsBefore = await counts();
  });
  afterAll(async () => t?.close());

  it('covers every /api/v1 route of the OpenAPI document', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, methods]) => Object.keys(methods).filter((m) => m !== 'head').map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`))
      .sort();
    const fuzzed = routes.map((r) => `${r.method} ${r.path}`).sort();
    expect(fuzzed).toEqual(documented);
  });

  it('answers ≥ 2,000 hostile requests with 4xx and the error body, never a 5xx, and changes no data', async () => {
    const personas: Persona[] = [
      { name: 'anonymous', cookie: null },
      { name: 'dispatcher', cookie: dispatcher },
    ];
    for (const persona of personas) {
      for (const route of routes) {
        // The dispatcher's own session must survive the run.
        if (persona.name === 'dispatcher' && route.path === '/api/v1/auth/logout') continue;

        // Path parameters.
        if (route.path.includes(':id')) {
          for (const id of hostileIds) await send(persona, { method: route.method, url: urlOf(route, id), ...(route.body ? { payload: JSON.stringify(route.body(city)), contentType: 'application/json' } : {}) }, idsThatMustBe400.has(id) ? 400 : undefined);
        }

        // Query strings.
        if (route.method === 'GET') {
          const base = urlOf(route);
          for (const extra of hostileQueryStrings) await send(persona, { method: 'GET', url: `${base}?${extra}` }, route.query && extra === 'unknown=1' ? 400 : undefined);
          for (const key of Object.keys(route.query ?? { q: '' })) {
            for (const value of hostileQueryValues) await send(persona, { method: 'GET', url: `${base}?${key}=${/%/.test(value) ? value : encodeURIComponent(value)}` });
          }
          // The valid query with every value at once.
          if (route.query) await send(persona, { method: 'GET', url: `${base}?${new URLSearchParams(route.query).toString()}` });
        }

        if (route.method === 'GET') continue;
        const url = urlOf(route);

        // Malformed JSON.
        for (const payload of malformedBodies) await send(persona, { method: route.method, url, payload, contentType: 'application/json' });
        await send(persona, { method: route.method, url, payload: '{"a":', contentType: 'application/json' }, route.multipart ? undefined : 400);

        // Wrong content types.
        const valid = route.body ? JSON.stringify(route.body(city)) : '{}';
        for (const contentType of contentTypes) await send(persona, { method: route.method, url, payload: valid, contentType });
        await send(persona, { method: route.method, url, payload: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0x22, 0x7d]), contentType: 'application/json' });

        // Larger than the 1 MB body limit.
        await send(persona, { method: route.method, url, payload: JSON.stringify({ big: 'x'.repeat(1024 * 1024 + 10) }), contentType: 'application/json' }, 413);
        await send(persona, { method: route.method, url, payload: 'y'.repeat(1024 * 1024 + 10), contentType: 'text/plain' }, route.multipart ? undefined : 413);

        if (!route.body) continue;
        const template = route.body(city);
        // Unknown fields.
        await send(persona, { method: route.method, url, payload: JSON.stringify({ ...template, unexpected: true }), contentType: 'application/json' }, 400);
        await send(persona, { method: route.method, url, payload: JSON.stringify({ ...template, __proto__: { admin: true } }), contentType: 'application/json' });
        // Arrays and scalars instead of the object.
        await send(persona, { method: route.method, url, payload: JSON.stringify([template]), contentType: 'application/json' }, 400);
        await send(persona, { method: route.method, url, payload: JSON.stringify(Object.values(template)), contentType: 'application/json' }, 400);
        // Every field replaced by every hostile value.
        for (const key of Object.keys(template)) {
          for (const value of hostileValues) await send(persona, { method: route.method, url, payload: JSON.stringify({ ...template, [key]: value }), contentType: 'application/json' });
          // deeply nested value in a field (spliced in as text: JSON.stringify itself would recurse too deep)
          for (const [open, close] of [['[', ']'], ['{"x":', '}']]) {
            await send(persona, { method: route.method, url, payload: JSON.stringify({ ...template, [key]: '@@NEST@@' }).replace('"@@NEST@@"', nest(5000, open, close)), contentType: 'application/json' });
          }
          const { [key]: _dropped, ...without } = template;
          await send(persona, { method: route.method, url, payload: JSON.stringify(without), contentType: 'application/json' });
        }
      }

      // Hostile cookies.
      for (const cookie of ["cg_session=' OR 1=1 --", 'cg_session=%00', `cg_session=${'a'.repeat(8000)}`, 'cg_session=', 'cg_session=<script>', 'cg_session="quoted"', 'cg_session=a; cg_session=b']) {
        await send({ name: 'cookie', cookie }, { method: 'GET', url: '/api/v1/auth/me' }, 401);
        await send({ name: 'cookie', cookie }, { method: 'GET', url: `/api/v1/residents?q=${encodeURIComponent("' OR 1=1 --")}` }, 401);
      }
    }

    // Login attempts with hostile credentials (anonymous; none may lock a real account or log in).
    for (const username of hostileStrings) {
      await send({ name: 'anonymous', cookie: null }, { method: 'POST', url: '/api/v1/auth/login', payload: JSON.stringify({ username, password: "' OR 1=1 --" }), contentType: 'application/json' });
    }
    for (const password of hostileStrings) {
      await send({ name: 'anonymous', cookie: null }, { method: 'POST', url: '/api/v1/auth/login', payload: JSON.stringify({ username: 'nobody_here', password }), contentType: 'application/json' });
    }

    const after = await counts();
    const byStatus = [...statusTally.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ');
    console.log(`validation fuzz: ${sent} requests; ${byStatus}`);
    if (serverErrors.length) console.log(`5xx responses (${serverErrors.length}):\n${serverErrors.join('\n')}`);
    if (failures.length) console.log(`other failures (${failures.length}):\n${failures.join('\n')}`);

    expect(sent).toBeGreaterThanOrEqual(2000);
    // One assertion, so a failure shows all three at once.
    expect({ serverErrors, failures, rowCounts: after }).toEqual({ serverErrors: [], failures: [], rowCounts: countsBefore });
    // The fuzz ran with a live session: the dispatcher's cookie still works, and real data is unharmed.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: dispatcher } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'dispatcher', password: TEST_PASSWORD } })).statusCode).toBe(200);
  }, 600_000);

  it('hostile values that pass the schemas reach the services and the database as plain data (administrators)', async () => {
    serverErrors.length = 0;
    failures.length = 0;
    const before = await counts();
    const as = async (username: string): Promise<Persona> => ({ name: username, cookie: await t.login(username) });
    const cityadmin = await as('cityadmin');
    const sysadmin = await as('sysadmin');
    const secadmin = await as('secadmin');
    const auditadmin = await as('auditadmin');
    // (a lone surrogate cannot be URI-encoded: send it as the raw UTF-8 bytes of U+D800)
    const q = (value: string) => (value === '\uD800' ? '%ED%A0%80' : encodeURIComponent(value));

    for (const value of hostileStrings.filter((s) => s.length <= 50)) {
      for (const path of ['/api/v1/residents', '/api/v1/units', '/api/v1/party-members', '/api/v1/party-organizations']) await send(cityadmin, { method: 'GET', url: `${path}?q=${q(value)}` });
      await send(sysadmin, { method: 'GET', url: `/api/v1/users?q=${q(value)}` });
      await send(auditadmin, { method: 'GET', url: `/api/v1/audit?action=${q(value)}` });
      await send(cityadmin, { method: 'GET', url: `/api/v1/buildings/${city.a.building.id}/grid-history?date=${q(value)}` });
    }
    await send(auditadmin, { method: 'GET', url: '/api/v1/audit?from=2024-01-01T00:00:00Z&to=2024-01-01T00:00:00%2B99:00' });
    await send(auditadmin, { method: 'GET', url: '/api/v1/audit?from=0001-01-01T00:00:00Z' });
    await send(auditadmin, { method: 'GET', url: '/api/v1/audit?actorUserId=9223372036854775807' });
    await send(cityadmin, { method: 'GET', url: `/api/v1/buildings/${city.a.building.id}/grid-history?date=0000-01-01` });

    // Otherwise valid bodies with one field that must be refused (none of these may create anything).
    const newUser = { username: 'fuzz_admin_user', displayName: '模糊', phone: '13900001111', password: 'Fuzz-Password-2024' };
    for (const [key, value] of [
      ['displayName', '\u0000'], ['displayName', 'a\u0000b'], ['displayName', 'x'.repeat(65)], ['displayName', ''],
      ['username', "a' OR 1=1 --"], ['username', 'a\u0000b'], ['username', '<script>'], ['username', '用户名'],
      ['phone', 'a\u0000b'], ['phone', "' OR 1=1"], ['password', 'sh\u0000rt'], ['password', 'x'.repeat(201)],
    ] as const) {
      await send(sysadmin, { method: 'POST', url: '/api/v1/users', payload: JSON.stringify({ ...newUser, [key]: value }), contentType: 'application/json' });
    }
    for (const body of [
      { role: 'grid_worker', regionNodeId: 2 ** 53 - 1 },
      { role: 'grid_worker', regionNodeId: city.b.grid.id + 100000 },
      { role: 'grid_worker', regionNodeId: city.a.building.id },
      { role: 'department_staff', unitId: 2 ** 53 - 1 },
      { role: 'department_staff', unitId: city.a.residentUnit.id },
      { role: 'city_admin', regionNodeId: city.other.node.id },
    ]) {
      await send(secadmin, { method: 'POST', url: `/api/v1/users/${city.plainUser.id}/roles`, payload: JSON.stringify(body), contentType: 'application/json' });
      await send(secadmin, { method: 'POST', url: `/api/v1/users/${2 ** 53 - 1}/roles`, payload: JSON.stringify(body), contentType: 'application/json' });
    }
    await send(secadmin, { method: 'POST', url: `/api/v1/users/${2 ** 53 - 1}/unlock` }, 404);
    await send(secadmin, { method: 'DELETE', url: `/api/v1/role-assignments/${2 ** 53 - 1}` }, 404);
    await send(sysadmin, { method: 'PATCH', url: `/api/v1/users/${2 ** 53 - 1}`, payload: '{"status":"disabled"}', contentType: 'application/json' }, 404);
    for (const validFrom of ['0000-01-01', '9999-12-31\u0000', "2025-01-01' OR 1=1"]) {
      await send(cityadmin, { method: 'PUT', url: `/api/v1/regions/${city.a.grid2.id}/geometry`, payload: JSON.stringify({ geometry: { type: 'Polygon', coordinates: [[[106.91, 27.6], [106.91, 27.6], [106.91, 27.6], [106.91, 27.6]]] }, validFrom }), contentType: 'application/json' });
    }
    await send(cityadmin, { method: 'PUT', url: `/api/v1/regions/${2 ** 53 - 1}/geometry`, payload: JSON.stringify({ geometry: { type: 'Polygon', coordinates: [ring] } }), contentType: 'application/json' }, 404);
    await send(cityadmin, { method: 'POST', url: '/api/v1/geo/locate', payload: JSON.stringify({ lng: 180, lat: 90, crs: 'gcj02' }), contentType: 'application/json' });
    await send(cityadmin, { method: 'POST', url: '/api/v1/geo/locate', payload: JSON.stringify({ lng: -180, lat: -90, crs: 'gcj02' }), contentType: 'application/json' });

    if (serverErrors.length) console.log(`5xx responses (${serverErrors.length}):\n${serverErrors.join('\n')}`);
    if (failures.length) console.log(`other failures (${failures.length}):\n${failures.join('\n')}`);
    expect({ serverErrors, failures, rowCounts: await counts() }).toEqual({ serverErrors: [], failures: [], rowCounts: before });
  }, 300_000);
});

/**
 * One request per defect class the fuzz above found, so each fix has a precise, named check.
 * Database errors reach the error handler wrapped in Drizzle's DrizzleQueryError (the PostgreSQL error,
 * with its SQLSTATE `code`, is its `cause`), and NUL (SQLSTATE 22021) is not mapped at all.
 */
describe('database-level input errors are 4xx, not 500', () => {
  let t: TestApp;
  let city: City;
  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
  });
  afterAll(async () => t?.close());

  const expect4xx = (response: { statusCode: number; json(): { error: { code: string } } }, status: number, code: string) => {
    expect({ status: response.statusCode, code: response.json().error.code }).toEqual({ status, code });
  };

  it('a NUL byte in a search text → 400 (PostgreSQL refuses NUL in text: SQLSTATE 22021)', async () => {
    const cookie = await t.login('dispatcher');
    expect4xx(await t.app.inject({ method: 'GET', url: '/api/v1/residents?q=a%00b', headers: { cookie } }), 400, 'bad_request');
  });

  it('a NUL byte in the login name → 400, and no account is touched', async () => {
    expect4xx(await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'dispatcher\u0000', password: 'x' } }), 400, 'bad_request');
  });

  it('a NUL byte in a new user\'s display name → 400, and no user is created', async () => {
    const cookie = await t.login('sysadmin');
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: { cookie }, payload: { username: 'nul_user', displayName: 'a\u0000b', password: 'Abcdefgh-123' } });
    expect4xx(response, 400, 'bad_request');
    const [{ count }] = await t.context.database.rows<{ count: number }>(sql`SELECT count(*)::int AS count FROM users WHERE username = 'nul_user'`);
    expect(count).toBe(0);
  });

  it('an integer beyond bigint in a query (regionId=1e20) → 400 (SQLSTATE 22003)', async () => {
    const cookie = await t.login('dispatcher');
    expect4xx(await t.app.inject({ method: 'GET', url: '/api/v1/units?regionId=99999999999999999999', headers: { cookie } }), 400, 'bad_request');
  });

  it('a date PostgreSQL cannot store (0000-01-01) → 400 (SQLSTATE 22008)', async () => {
    const cookie = await t.login('cityadmin');
    expect4xx(await t.app.inject({ method: 'GET', url: `/api/v1/buildings/${city.a.building.id}/grid-history?date=0000-01-01`, headers: { cookie } }), 400, 'bad_request');
  });

  it('a malformed percent-encoding in the path → 400 with the standard error body (not Fastify\'s own)', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/residents/%ZZ' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: { code: 'bad_request', message: expect.any(String), details: null } });
  });

  it('a unique conflict (the same role assigned twice) → 409 conflict (SQLSTATE 23505)', async () => {
    const cookie = await t.login('secadmin');
    const assign = () => t.app.inject({ method: 'POST', url: `/api/v1/users/${city.plainUser.id}/roles`, headers: { cookie }, payload: { role: 'grid_worker', regionNodeId: city.a.grid2.id } });
    expect((await assign()).statusCode).toBe(201);
    expect4xx(await assign(), 409, 'conflict');
  });
});
