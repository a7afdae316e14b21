/// <reference types="vite/client" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MatrixCatalogue } from './catalogue/types.ts';
import { sql } from 'drizzle-orm';
import type { Role } from '../../src/db/schema/index.ts';
import { roles } from '../../src/db/schema/index.ts';
import { buildScopedCity } from '../support/factories.ts';
import { insertDefaultCategories } from '../../src/modules/cases/case-categories.repository.ts';
import { intakeCase } from '../../src/modules/cases/intake.command.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/**
 * Every endpoint × every role, inside and outside the role's scope. The expectations are written out
 * by hand (not derived from the policy module), so a policy change that widens or narrows access fails here.
 */
type City = Awaited<ReturnType<typeof buildScopedCity>>;
type CityWithCases = City & { cases: Record<Side, number> };
type Side = 'inside' | 'outside';
interface Row {
  name: string;
  request: (city: City, side: Side, role: Role) => { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; payload?: unknown };
  inside: Role[];
  outside: Role[];
}

const field: Role[] = ['grid_worker', 'grid_head', 'building_head', 'household_link_head', 'dispatcher', 'street_officer', 'district_admin', 'city_admin'];
const gridAndUp: Role[] = ['grid_worker', 'grid_head', 'dispatcher', 'street_officer', 'district_admin', 'city_admin'];
const communityAndUp: Role[] = ['dispatcher', 'street_officer', 'district_admin', 'city_admin'];
const handlers: Role[] = ['grid_worker', 'grid_head', 'dispatcher', 'street_officer'];
/** The command centre: the grid head for the grid, the community and up, the organisation department. */
const metricReaders: Role[] = ['grid_head', 'dispatcher', 'street_officer', 'district_admin', 'city_admin', 'organization_officer'];
const pick = (city: City, side: Side) => (side === 'inside' ? city.a : city.b);
const square = (lng: number, lat: number, size: number) => ({ type: 'Polygon', coordinates: [[[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]] });

/** Rows of the modules that keep their own catalogue (tests/api/catalogue/*.matrix.ts). */
const catalogues = Object.values(import.meta.glob<MatrixCatalogue>('./catalogue/*.matrix.ts', { eager: true }));

const coreTable: Row[] = [
  { name: 'GET region', request: (c, s) => ({ method: 'GET', url: `/api/v1/regions/${pick(c, s).building.id}` }), inside: [...field, 'organization_officer'], outside: ['city_admin', 'organization_officer'] },
  { name: 'GET region children', request: (c, s) => ({ method: 'GET', url: `/api/v1/regions/${pick(c, s).building.id}/children` }), inside: [...field, 'organization_officer'], outside: ['city_admin', 'organization_officer'] },
  { name: 'GET grid summary', request: (c, s) => ({ method: 'GET', url: `/api/v1/grids/${pick(c, s).grid.id}/summary` }), inside: [...gridAndUp, 'organization_officer'], outside: ['city_admin', 'organization_officer'] },
  { name: 'GET building', request: (c, s) => ({ method: 'GET', url: `/api/v1/buildings/${pick(c, s).building.id}` }), inside: [...field, 'organization_officer'], outside: ['city_admin', 'organization_officer'] },
  { name: 'GET building grid history', request: (c, s) => ({ method: 'GET', url: `/api/v1/buildings/${pick(c, s).building.id}/grid-history?date=2024-01-01` }), inside: [...field, 'organization_officer'], outside: ['city_admin', 'organization_officer'] },
  { name: 'GET map grids of a community', request: (c, s) => ({ method: 'GET', url: `/api/v1/map/grids?regionId=${pick(c, s).community.id}` }), inside: [...communityAndUp, 'organization_officer'], outside: ['city_admin', 'organization_officer'] },
  { name: 'GET household', request: (c, s) => ({ method: 'GET', url: `/api/v1/households/${pick(c, s).household.id}` }), inside: field, outside: ['city_admin'] },
  { name: 'GET resident', request: (c, s) => ({ method: 'GET', url: `/api/v1/residents/${pick(c, s).resident.id}` }), inside: field, outside: ['city_admin'] },
  { name: 'GET residents of a community', request: (c, s) => ({ method: 'GET', url: `/api/v1/residents?regionId=${pick(c, s).community.id}` }), inside: communityAndUp, outside: ['city_admin'] },
  { name: 'POST resident reveal', request: (c, s) => ({ method: 'POST', url: `/api/v1/residents/${pick(c, s).resident.id}/reveal`, payload: { fields: ['phone'] } }), inside: handlers, outside: [] },
  { name: 'GET party organisation', request: (c, s) => ({ method: 'GET', url: `/api/v1/party-organizations/${pick(c, s).gridOrg.id}` }), inside: gridAndUp, outside: ['city_admin'] },
  { name: 'GET party members of a community', request: (c, s) => ({ method: 'GET', url: `/api/v1/party-members?regionId=${pick(c, s).community.id}` }), inside: communityAndUp, outside: ['city_admin'] },
  { name: 'POST party member reveal', request: (c, s) => ({ method: 'POST', url: `/api/v1/party-members/${pick(c, s).partyMember.id}/reveal`, payload: { fields: ['phone'] } }), inside: handlers, outside: [] },
  { name: 'GET resident unit', request: (c, s) => ({ method: 'GET', url: `/api/v1/units/${pick(c, s).residentUnit.id}` }), inside: communityAndUp, outside: ['city_admin'] },
  { name: 'GET department', request: (c, s) => ({ method: 'GET', url: `/api/v1/units/${s === 'inside' ? c.department.id : c.otherDepartment.id}` }), inside: [...gridAndUp, 'department_staff'], outside: gridAndUp },
  {
    name: 'PUT grid geometry',
    request: (c, s) => ({ method: 'PUT', url: `/api/v1/regions/${pick(c, s).grid2.id}/geometry`, payload: { geometry: square(s === 'inside' ? 106.91 : 107.01, 27.6, 0.01), validFrom: '2025-01-01' } }),
    inside: ['district_admin', 'city_admin'],
    outside: ['city_admin'],
  },
  { name: 'GET case', request: (c, s) => ({ method: 'GET', url: `/api/v1/cases/${(c as CityWithCases).cases[s]}` }), inside: [...field, 'organization_officer'], outside: ['city_admin', 'organization_officer'] },
  { name: 'GET cases', request: () => ({ method: 'GET', url: '/api/v1/cases' }), inside: [...field, 'department_staff', 'organization_officer'], outside: [...field, 'department_staff', 'organization_officer'] },
  { name: 'GET metrics of a grid', request: (c, s) => ({ method: 'GET', url: `/api/v1/metrics?node=region:${pick(c, s).grid.id}&from=2026-01` }), inside: metricReaders, outside: ['city_admin', 'organization_officer'] },
  { name: 'GET metrics of a department', request: (c, s) => ({ method: 'GET', url: `/api/v1/metrics?node=department:${s === 'inside' ? c.department.id : c.otherDepartment.id}&from=2026-01` }), inside: ['city_admin', 'organization_officer', 'department_staff'], outside: ['city_admin', 'organization_officer'] },
  { name: 'GET figure cases', request: (c, s) => ({ method: 'GET', url: `/api/v1/metrics/cases?node=region:${pick(c, s).community.id}&from=2026-01&measure=received` }), inside: metricReaders.filter((r) => r !== 'grid_head'), outside: ['city_admin', 'organization_officer'] },
  { name: 'GET rankings of streets', request: (c, s) => ({ method: 'GET', url: `/api/v1/metrics/rankings?node=region:${pick(c, s).district.id}&level=street&from=2026-01` }), inside: ['district_admin', 'city_admin', 'organization_officer'], outside: ['city_admin', 'organization_officer'] },
  { name: 'GET hot topics', request: (c, s) => ({ method: 'GET', url: `/api/v1/metrics/hot-topics?node=region:${pick(c, s).street.id}&from=2026-01` }), inside: ['street_officer', 'district_admin', 'city_admin', 'organization_officer'], outside: ['city_admin', 'organization_officer'] },
  { name: 'GET figure cases as Excel', request: (c, s) => ({ method: 'GET', url: `/api/v1/metrics/cases.xlsx?node=region:${pick(c, s).street.id}&from=2026-01&measure=received` }), inside: ['street_officer', 'district_admin', 'city_admin', 'organization_officer'], outside: ['city_admin', 'organization_officer'] },
  { name: 'GET metrics ledger as Excel', request: (c, s) => ({ method: 'GET', url: `/api/v1/metrics/export.xlsx?node=region:${pick(c, s).community.id}&from=2026-01` }), inside: ['dispatcher', 'street_officer', 'district_admin', 'city_admin', 'organization_officer'], outside: ['city_admin', 'organization_officer'] },
  { name: 'PUT metric settings', request: () => ({ method: 'PUT', url: '/api/v1/metrics/settings', payload: { satisfactionIncludesBasic: true } }), inside: ['city_admin'], outside: ['city_admin'] },
  { name: 'GET users', request: () => ({ method: 'GET', url: '/api/v1/users' }), inside: ['system_admin', 'security_admin'], outside: ['system_admin', 'security_admin'] },
  {
    name: 'POST user',
    request: (_c, s, role) => ({ method: 'POST', url: '/api/v1/users', payload: { username: `new_${role}_${s}`, displayName: '新用户', password: 'Abcdef-12345' } }),
    inside: ['system_admin'],
    outside: ['system_admin'],
  },
  { name: 'PATCH user status', request: (c, s) => ({ method: 'PATCH', url: `/api/v1/users/${s === 'inside' ? c.plainUser.id : c.otherCityUser.id}`, payload: { status: 'active' } }), inside: ['system_admin'], outside: [] },
  { name: 'POST user unlock', request: (c, s) => ({ method: 'POST', url: `/api/v1/users/${s === 'inside' ? c.plainUser.id : c.otherCityUser.id}/unlock` }), inside: ['security_admin'], outside: [] },
  {
    name: 'POST role assignment',
    request: (c, s) => ({ method: 'POST', url: `/api/v1/users/${s === 'inside' ? c.plainUser.id : c.otherCityUser.id}/roles`, payload: { role: 'grid_worker', regionNodeId: c.a.grid2.id } }),
    inside: ['security_admin'],
    outside: [],
  },
  { name: 'GET audit log', request: () => ({ method: 'GET', url: '/api/v1/audit' }), inside: ['audit_admin'], outside: ['audit_admin'] },
  { name: 'POST audit verify', request: () => ({ method: 'POST', url: '/api/v1/audit/verify' }), inside: ['audit_admin'], outside: ['audit_admin'] },
];
const table: Row[] = [...coreTable, ...catalogues.flatMap((c) => c.rows)];

describe('policy matrix: every endpoint × every role × inside/outside scope', () => {
  let t: TestApp;
  let city: City;
  const cookies = new Map<Role, string>();

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    await insertDefaultCategories(t.context.database, t.context.database.db, city.cityId);
    const client = { ip: null, userAgent: null };
    const reportAt = async (code: string) => (await intakeCase(t.context, null, { channel: 'qr', placeCode: code, categoryCode: 'noise', description: '夜间施工噪音' }, client)).id;
    (city as CityWithCases).cases = { inside: await reportAt(city.a.building.code), outside: await reportAt(city.b.building.code) };
    for (const role of roles) cookies.set(role, await t.login(city.users[role].username));
    for (const catalogue of catalogues) await catalogue.setup?.(t, city);
  });
  afterAll(async () => t?.close());

  for (const row of table) {
    for (const side of ['inside', 'outside'] as const) {
      it(`${row.name} (${side})`, async () => {
        const results: string[] = [];
        for (const role of roles) {
          const request = row.request(city, side, role);
          const response = await t.app.inject({ ...request, headers: { cookie: cookies.get(role)! }, payload: request.payload as never });
          const allowed = (side === 'inside' ? row.inside : row.outside).includes(role);
          const ok = allowed ? response.statusCode >= 200 && response.statusCode < 300 : [403, 404].includes(response.statusCode);
          if (!ok) results.push(`${role}: expected ${allowed ? '2xx' : '403/404'}, got ${response.statusCode} ${response.body.slice(0, 160)}`);
        }
        expect(results).toEqual([]);
      });
    }
  }

  it('DELETE role assignment: only the security administrator', async () => {
    const [assignment] = await t.context.database.rows<{ id: number }>(sql`SELECT id FROM role_assignments WHERE user_id = ${city.users.grid_head.id}`);
    for (const role of roles.filter((r) => r !== 'security_admin')) {
      const response = await t.app.inject({ method: 'DELETE', url: `/api/v1/role-assignments/${assignment.id}`, headers: { cookie: cookies.get(role)! } });
      expect(response.statusCode, role).toBe(403);
    }
    const response = await t.app.inject({ method: 'DELETE', url: `/api/v1/role-assignments/${assignment.id}`, headers: { cookie: cookies.get('security_admin')! } });
    expect(response.statusCode).toBe(204);
  });

  it('lists show only records inside the scope', async () => {
    const visible = async (role: Role, url: string) => {
      const response = await t.app.inject({ method: 'GET', url, headers: { cookie: cookies.get(role)! } });
      return response.statusCode === 200 ? (response.json().items as Array<{ id: number }>).map((i) => i.id) : response.statusCode;
    };
    expect(await visible('grid_worker', '/api/v1/residents')).toEqual([city.a.resident.id]);
    expect(await visible('district_admin', '/api/v1/residents')).toEqual([city.a.resident.id]);
    expect((await visible('city_admin', '/api/v1/residents')) as number[]).toEqual(expect.arrayContaining([city.a.resident.id, city.b.resident.id]));
    expect(await visible('system_admin', '/api/v1/residents')).toBe(403);
    expect(await visible('department_staff', '/api/v1/residents')).toBe(403);
    expect(await visible('grid_worker', '/api/v1/party-members')).toEqual([city.a.partyMember.id]);
    const map = await t.app.inject({ method: 'GET', url: '/api/v1/map/grids', headers: { cookie: cookies.get('grid_worker')! } });
    expect(map.json().features.map((f: { id: number }) => f.id)).toEqual([city.a.grid.id]);
    const roots = await t.app.inject({ method: 'GET', url: '/api/v1/regions/roots', headers: { cookie: cookies.get('street_officer')! } });
    expect(roots.json().items.map((n: { id: number }) => n.id)).toEqual([city.a.street.id]);
  });
});
