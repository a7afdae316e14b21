import { sql } from 'drizzle-orm';
import { roles, type Role } from '../../../src/db/schema/index.ts';
import { communityAndUp, field, pick, type City, type MatrixCatalogue, type Side } from './types.ts';

/** Notices and meetings on each side; mutating rows act on a record of their own per side and role. */
type Kind = 'policy' | 'orgLife' | 'draft' | 'council' | 'buildingCouncil' | 'toHold' | 'proposal';
const records = new Map<string, number>();
const keyOf = (kind: Kind, side: Side, role?: Role) => `${kind}:${side}:${role ?? '*'}`;
const idOf = (kind: Kind, side: Side, role?: Role) => records.get(keyOf(kind, side, role)) ?? 0;

const readers: Role[] = [...field, 'organization_officer', 'party_member', 'unit_contact'];
const communityReaders: Role[] = [...communityAndUp, 'organization_officer', 'party_member', 'unit_contact'];
type Database = import('../../../src/db/client.ts').Database;

async function insertNotice(database: Database, city: City, side: Side, kind: string, status: string) {
  const place = pick(city, side);
  const [row] = await database.rows<{ id: number }>(sql`
    INSERT INTO notices (city_id, kind, region_node_id, region_path, party_organization_id, title, body, status, published_at)
    VALUES (${city.cityId}, ${kind}, ${place.community.id}, ${place.community.path}, ${kind === 'organization_life' ? place.gridOrg.id : null}, '通知', '内容', ${status},
            ${status === 'published' ? sql`now()` : null})
    RETURNING id`);
  return Number(row.id);
}

async function insertMeeting(database: Database, city: City, side: Side, kind: 'community_council' | 'building_council', status: string) {
  const place = pick(city, side);
  const node = kind === 'community_council' ? place.community : place.building;
  const [row] = await database.rows<{ id: number }>(sql`
    INSERT INTO deliberation_meetings (city_id, kind, region_node_id, region_path, title, held_at, status)
    VALUES (${city.cityId}, ${kind}, ${node.id}, ${node.path}, '议事会', now(), ${status}) RETURNING id`);
  return Number(row.id);
}

export const setup: MatrixCatalogue['setup'] = async (t, city) => {
  const database = t.context.database;
  for (const side of ['inside', 'outside'] as const) {
    records.set(keyOf('policy', side), await insertNotice(database, city, side, 'policy', 'published'));
    records.set(keyOf('orgLife', side), await insertNotice(database, city, side, 'organization_life', 'published'));
    records.set(keyOf('council', side), await insertMeeting(database, city, side, 'community_council', 'planned'));
    records.set(keyOf('buildingCouncil', side), await insertMeeting(database, city, side, 'building_council', 'planned'));
    const held = await insertMeeting(database, city, side, 'community_council', 'held');
    const [proposal] = await database.rows<{ id: number }>(sql`
      INSERT INTO deliberation_proposals (city_id, meeting_id, region_path, title) VALUES (${city.cityId}, ${held}, ${pick(city, side).community.path}, '加装电梯') RETURNING id`);
    records.set(keyOf('proposal', side), Number(proposal.id));
    for (const role of roles) {
      records.set(keyOf('draft', side, role), await insertNotice(database, city, side, 'policy', 'draft'));
      records.set(keyOf('toHold', side, role), await insertMeeting(database, city, side, 'building_council', 'planned'));
    }
  }
};

export const rows: MatrixCatalogue['rows'] = [
  { name: 'GET notices', request: (c, s) => ({ method: 'GET', url: `/api/v1/notices?regionId=${pick(c, s).community.id}` }), inside: readers, outside: readers },
  { name: 'GET notices Excel', request: (c, s) => ({ method: 'GET', url: `/api/v1/notices/export.xlsx?regionId=${pick(c, s).community.id}` }), inside: readers, outside: readers },
  { name: 'GET published policy notice', request: (_c, s) => ({ method: 'GET', url: `/api/v1/notices/${idOf('policy', s)}` }), inside: communityReaders, outside: ['city_admin', 'organization_officer'] },
  // Organisation life: the publishers and the members of the organisation (side A's grid organisation), no one else.
  { name: 'GET organisation-life notice', request: (_c, s) => ({ method: 'GET', url: `/api/v1/notices/${idOf('orgLife', s)}` }), inside: [...communityAndUp, 'party_member'], outside: ['city_admin'] },
  {
    name: 'POST notice',
    request: (c, s) => ({ method: 'POST', url: '/api/v1/notices', payload: { kind: 'residents_affairs', regionId: pick(c, s).community.id, title: '居务公开', body: '本月收支' } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
  { name: 'POST notice publish', request: (_c, s, role) => ({ method: 'POST', url: `/api/v1/notices/${idOf('draft', s, role)}/actions`, payload: { action: 'publish' } }), inside: communityAndUp, outside: ['city_admin'] },
  { name: 'POST notice acknowledge', request: (_c, s) => ({ method: 'POST', url: `/api/v1/notices/${idOf('orgLife', s)}/acknowledge` }), inside: ['party_member'], outside: [] },
  { name: 'GET public notices', request: (c, s) => ({ method: 'GET', url: `/api/v1/public/places/${pick(c, s).building.code}/notices` }), inside: [...roles], outside: [...roles] },
  { name: 'GET deliberations', request: (c, s) => ({ method: 'GET', url: `/api/v1/deliberations?regionId=${pick(c, s).community.id}` }), inside: readers, outside: readers },
  { name: 'GET deliberations Excel', request: (c, s) => ({ method: 'GET', url: `/api/v1/deliberations/export.xlsx?regionId=${pick(c, s).community.id}` }), inside: readers, outside: readers },
  { name: 'GET community council', request: (_c, s) => ({ method: 'GET', url: `/api/v1/deliberations/${idOf('council', s)}` }), inside: communityReaders, outside: ['city_admin', 'organization_officer'] },
  { name: 'GET building council', request: (_c, s) => ({ method: 'GET', url: `/api/v1/deliberations/${idOf('buildingCouncil', s)}` }), inside: readers, outside: ['city_admin', 'organization_officer'] },
  {
    name: 'POST community council',
    request: (c, s) => ({ method: 'POST', url: '/api/v1/deliberations', payload: { kind: 'community_council', regionId: pick(c, s).community.id, title: '议事会', heldAt: '2026-11-20T07:00:00Z' } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
  {
    name: 'POST building council',
    request: (c, s) => ({ method: 'POST', url: '/api/v1/deliberations', payload: { kind: 'building_council', regionId: pick(c, s).building.id, title: '楼栋共治会', heldAt: '2026-11-20T07:00:00Z' } }),
    inside: [...communityAndUp, 'building_head'],
    outside: ['city_admin'],
  },
  {
    name: 'POST building council hold',
    request: (_c, s, role) => ({ method: 'POST', url: `/api/v1/deliberations/${idOf('toHold', s, role)}/actions`, payload: { action: 'hold', participants: '住户12人', summary: '清理楼道' } }),
    inside: [...communityAndUp, 'building_head'],
    outside: ['city_admin'],
  },
  { name: 'POST deliberation proposal', request: (_c, s) => ({ method: 'POST', url: `/api/v1/deliberations/${idOf('council', s)}/proposals`, payload: { title: '议题' } }), inside: communityAndUp, outside: ['city_admin'] },
  {
    name: 'PATCH deliberation proposal decision',
    request: (_c, s) => ({ method: 'PATCH', url: `/api/v1/deliberation-proposals/${idOf('proposal', s)}`, payload: { decision: 'adopted', votesFor: 10, votesAgainst: 1 } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
  { name: 'GET public deliberations', request: (c, s) => ({ method: 'GET', url: `/api/v1/public/places/${pick(c, s).building.code}/deliberations` }), inside: [...roles], outside: [...roles] },
];
