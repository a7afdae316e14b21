import { sql } from 'drizzle-orm';
import { roles, type Role } from '../../../src/db/schema/index.ts';
import { pick, type City, type MatrixCatalogue, type Side } from './types.ts';

/**
 * Each mutating row acts on a record of its own per side and role (a dispute to mediate; a care group of the
 * side's one resident to put on the care list), so one role's step never changes what the next role meets.
 * (No residents are added: the core matrix counts them.)
 */
const careGroupOf: Partial<Record<Role, string>> = { grid_head: 'disabled', dispatcher: 'left_behind_child', street_officer: 'low_income' };
const records = new Map<string, number>();
const keyOf = (kind: string, side: Side, role?: Role) => `${kind}:${side}:${role ?? '*'}`;
const recordOf = (kind: string, side: Side, role?: Role) => records.get(keyOf(kind, side, role)) ?? 0;

const readers: Role[] = ['grid_worker', 'grid_head', 'dispatcher', 'street_officer', 'district_admin', 'city_admin', 'organization_officer'];
const recorders: Role[] = ['grid_worker', 'grid_head', 'dispatcher'];
const managers: Role[] = ['grid_head', 'dispatcher', 'street_officer'];
const everywhere: Role[] = ['city_admin', 'organization_officer'];

export const setup: MatrixCatalogue['setup'] = async (t, city: City) => {
  const database = t.context.database;
  for (const side of ['inside', 'outside'] as const) {
    const place = pick(city, side);
    const [visit] = await database.rows<{ id: number }>(sql`INSERT INTO home_visits (city_id, grid_id, region_path, household_id, building_id, visitor_user_id, visited_at)
      VALUES (${city.cityId}, ${place.grid.id}, ${place.household.path}, ${place.household.id}, ${place.building.id}, ${city.users.grid_worker.id}, now()) RETURNING id`);
    records.set(keyOf('visit', side), Number(visit.id));
    const [dispute] = await database.rows<{ id: number }>(sql`INSERT INTO disputes (city_id, grid_id, region_path, title, parties, found_at, found_by)
      VALUES (${city.cityId}, ${place.grid.id}, ${place.grid.path}, '邻里纠纷', '张三、李四', now(), ${city.users.grid_worker.id}) RETURNING id`);
    records.set(keyOf('dispute', side), Number(dispute.id));
    const [subject] = await database.rows<{ id: number }>(sql`INSERT INTO care_subjects (city_id, resident_id, grid_id, region_path, care_group, next_visit_due)
      VALUES (${city.cityId}, ${place.resident.id}, ${place.grid.id}, ${place.household.path}, 'veteran', '2026-01-01') RETURNING id`);
    records.set(keyOf('care', side), Number(subject.id));
    for (const role of roles) {
      const [mediate] = await database.rows<{ id: number }>(sql`INSERT INTO disputes (city_id, grid_id, region_path, title, found_at, found_by)
        VALUES (${city.cityId}, ${place.grid.id}, ${place.grid.path}, '待调解纠纷', now(), ${city.users.grid_worker.id}) RETURNING id`);
      records.set(keyOf('mediate', side, role), Number(mediate.id));
    }
  }
};

export const rows: MatrixCatalogue['rows'] = [
  { name: 'GET home visits', request: () => ({ method: 'GET', url: '/api/v1/grid-work/visits' }), inside: readers, outside: readers },
  { name: 'GET home visits as Excel', request: () => ({ method: 'GET', url: '/api/v1/grid-work/visits/export.xlsx' }), inside: readers, outside: readers },
  { name: 'GET home visit', request: (_c, s) => ({ method: 'GET', url: `/api/v1/grid-work/visits/${recordOf('visit', s)}` }), inside: readers, outside: everywhere },
  {
    name: 'POST home visit',
    request: (c, s) => ({ method: 'POST', url: '/api/v1/grid-work/visits', payload: { householdId: pick(c, s).household.id, visitedAt: new Date(Date.now() - 60_000).toISOString(), collected: { notes: '矩阵' } } }),
    inside: recorders,
    outside: [],
  },
  { name: 'GET disputes', request: () => ({ method: 'GET', url: '/api/v1/grid-work/disputes' }), inside: readers, outside: readers },
  { name: 'GET disputes as Excel', request: () => ({ method: 'GET', url: '/api/v1/grid-work/disputes/export.xlsx' }), inside: readers, outside: readers },
  { name: 'GET dispute counts of a grid', request: (c, s) => ({ method: 'GET', url: `/api/v1/grid-work/disputes/counts?regionId=${pick(c, s).grid.id}` }), inside: readers, outside: everywhere },
  { name: 'GET dispute', request: (_c, s) => ({ method: 'GET', url: `/api/v1/grid-work/disputes/${recordOf('dispute', s)}` }), inside: readers, outside: everywhere },
  { name: 'POST dispute', request: (c, s) => ({ method: 'POST', url: '/api/v1/grid-work/disputes', payload: { gridId: pick(c, s).grid.id, title: '矩阵纠纷', parties: '王五' } }), inside: recorders, outside: [] },
  {
    name: 'POST dispute action (mediate)',
    request: (_c, s, role) => ({ method: 'POST', url: `/api/v1/grid-work/disputes/${recordOf('mediate', s, role)}/actions`, payload: { action: 'mediate', version: 1 } }),
    inside: recorders,
    outside: [],
  },
  { name: 'GET care subjects', request: () => ({ method: 'GET', url: '/api/v1/grid-work/care-subjects?overdue=true' }), inside: readers, outside: readers },
  { name: 'GET care subjects as Excel', request: () => ({ method: 'GET', url: '/api/v1/grid-work/care-subjects/export.xlsx' }), inside: readers, outside: readers },
  {
    name: 'POST care subject',
    request: (c, s, role) => ({ method: 'POST', url: '/api/v1/grid-work/care-subjects', payload: { residentId: pick(c, s).resident.id, careGroup: careGroupOf[role] ?? 'other', visitEveryDays: 14 } }),
    inside: managers,
    outside: [],
  },
  { name: 'POST care subjects from tags', request: (c, s) => ({ method: 'POST', url: '/api/v1/grid-work/care-subjects/from-tags', payload: { regionId: pick(c, s).grid.id } }), inside: managers, outside: [] },
  { name: 'PATCH care subject', request: (_c, s) => ({ method: 'PATCH', url: `/api/v1/grid-work/care-subjects/${recordOf('care', s)}`, payload: { visitEveryDays: 10 } }), inside: managers, outside: [] },
];
