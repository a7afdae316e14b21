import { sql } from 'drizzle-orm';
import { roles, type Role } from '../../../src/db/schema/index.ts';
import { communityAndUp, field, pick, type City, type MatrixCatalogue, type Side } from './types.ts';

/**
 * Items at each side's community. Every mutating row acts on an item of its own per side and role, so one
 * role's claim or withdrawal never changes what the next role meets.
 */
type Kind = 'read' | 'claim' | 'withdraw' | 'deliver' | 'release';
const items = new Map<string, number>();
const keyOf = (kind: Kind, side: Side, role?: Role) => `${kind}:${side}:${role ?? '*'}`;
const itemOf = (kind: Kind, side: Side, role?: Role) => items.get(keyOf(kind, side, role)) ?? 0;

const readers: Role[] = [...field, 'organization_officer', 'party_member', 'unit_contact', 'department_staff'];
/** Items at the community: grid-level roles do not reach them. */
const communityReaders: Role[] = [...communityAndUp, 'organization_officer', 'party_member', 'unit_contact', 'department_staff'];

async function insertItem(database: import('../../../src/db/client.ts').Database, city: City, side: Side, status: 'posted' | 'claimed', listKind: 'service' | 'need' = 'service') {
  const place = pick(city, side);
  const [row] = await database.rows<{ id: number }>(sql`
    INSERT INTO community_list_items (city_id, list_kind, region_node_id, region_path, title, source, status, claimed_by_unit_id, claimed_at)
    VALUES (${city.cityId}, ${listKind}, ${place.community.id}, ${place.community.path}, '周末义诊', 'community', ${status},
            ${status === 'claimed' ? place.residentUnit.id : null}, ${status === 'claimed' ? sql`now()` : null})
    RETURNING id`);
  return Number(row.id);
}

export const setup: MatrixCatalogue['setup'] = async (t, city) => {
  const database = t.context.database;
  for (const side of ['inside', 'outside'] as const) {
    items.set(keyOf('read', side), await insertItem(database, city, side, 'posted'));
    for (const role of roles) {
      items.set(keyOf('claim', side, role), await insertItem(database, city, side, 'posted'));
      items.set(keyOf('withdraw', side, role), await insertItem(database, city, side, 'posted', 'need'));
      items.set(keyOf('deliver', side, role), await insertItem(database, city, side, 'claimed'));
      items.set(keyOf('release', side, role), await insertItem(database, city, side, 'claimed'));
    }
  }
};

const action = (kind: Exclude<Kind, 'read'>, note: string | null, inside: Role[], outside: Role[]) => ({
  name: `POST community-list ${kind}`,
  request: (_c: City, side: Side, role: Role) => ({ method: 'POST' as const, url: `/api/v1/community-lists/${itemOf(kind, side, role)}/actions`, payload: { action: kind, ...(note ? { note } : {}) } }),
  inside,
  outside,
});

export const rows: MatrixCatalogue['rows'] = [
  { name: 'GET community-lists', request: (c, s) => ({ method: 'GET', url: `/api/v1/community-lists?regionId=${pick(c, s).community.id}` }), inside: readers, outside: readers },
  { name: 'GET community-lists Excel', request: (c, s) => ({ method: 'GET', url: `/api/v1/community-lists/export.xlsx?regionId=${pick(c, s).community.id}` }), inside: readers, outside: readers },
  { name: 'GET community-list item', request: (_c, s) => ({ method: 'GET', url: `/api/v1/community-lists/${itemOf('read', s)}` }), inside: communityReaders, outside: ['city_admin', 'organization_officer', 'department_staff'] },
  {
    name: 'POST community-list service item',
    request: (c, s) => ({ method: 'POST', url: '/api/v1/community-lists', payload: { listKind: 'service', regionId: pick(c, s).community.id, title: '周末义诊' } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
  {
    name: 'POST community-list need at the community',
    request: (c, s) => ({ method: 'POST', url: '/api/v1/community-lists', payload: { listKind: 'need', regionId: pick(c, s).community.id, title: '需要场地' } }),
    inside: [...communityAndUp, 'unit_contact'],
    outside: ['city_admin'],
  },
  {
    name: 'POST community-list need in a grid',
    request: (c, s) => ({ method: 'POST', url: '/api/v1/community-lists', payload: { listKind: 'need', regionId: pick(c, s).grid.id, title: '独居老人助餐', posterName: '王秀英' } }),
    inside: ['grid_worker', 'grid_head', ...communityAndUp],
    outside: ['city_admin'],
  },
  {
    name: 'POST community-list problems compile',
    request: (c, s) => ({ method: 'POST', url: '/api/v1/community-lists/problems/compile', payload: { regionId: pick(c, s).community.id, quarter: '2026Q4' } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
  action('claim', null, ['party_member', 'unit_contact', 'department_staff'], ['department_staff']),
  // The managers, and the unit that claimed (side A's unit: its contact).
  action('deliver', '已完成', [...communityAndUp, 'unit_contact'], ['city_admin']),
  action('release', null, [...communityAndUp, 'unit_contact'], ['city_admin']),
  action('withdraw', null, communityAndUp, ['city_admin']),
];
