import { sql } from 'drizzle-orm';
import { roles, type Role } from '../../../src/db/schema/index.ts';
import type { City, MatrixRow, Side } from './types.ts';
import { communityAndUp, pick } from './types.ts';

/**
 * 联席会议: the community and up manage; the organisation department, unit liaisons and party members
 * (双报到) read within their area; the lead unit's liaison reports progress on its item (ownUnit).
 */
const readers: Role[] = [...communityAndUp, 'organization_officer', 'unit_contact', 'party_member'];
const outsideReaders: Role[] = ['city_admin', 'organization_officer'];

interface SideRecords {
  allianceId: number;
  heldMeetingId: number;
  itemId: number;
  /** Per role: a unit to add as a member, and planned meetings to hold and to cancel (each may succeed once). */
  unitOf: Record<string, number>;
  toHold: Record<string, number>;
  toCancel: Record<string, number>;
}
const records: Partial<Record<Side, SideRecords>> = {};
const of = (side: Side) => records[side]!;

export async function setup(t: { context: { database: { rows: <T>(q: ReturnType<typeof sql>) => Promise<T[]> } } }, city: City) {
  const rows = t.context.database.rows.bind(t.context.database);
  const one = async (query: ReturnType<typeof sql>) => Number((await rows<{ id: number }>(query))[0].id);
  for (const side of ['inside', 'outside'] as const) {
    const s = pick(city, side);
    const allianceId = await one(sql`INSERT INTO party_alliances (city_id, region_node_id, region_path, name) VALUES (${city.cityId}, ${s.community.id}, ${s.community.path}, '矩阵联盟') RETURNING id`);
    await rows(sql`INSERT INTO alliance_members (city_id, alliance_id, unit_id) VALUES (${city.cityId}, ${allianceId}, ${s.residentUnit.id})`);
    const meeting = (status: string) =>
      one(sql`INSERT INTO joint_meetings (city_id, alliance_id, region_path, title, held_at, status, minutes) VALUES (${city.cityId}, ${allianceId}, ${s.community.path}, '矩阵会议', now(), ${status}, ${status === 'held' ? '纪要' : null}) RETURNING id`);
    const heldMeetingId = await meeting('held');
    const itemId = await one(sql`INSERT INTO co_building_items (city_id, meeting_id, alliance_id, region_path, title, lead_unit_id) VALUES (${city.cityId}, ${heldMeetingId}, ${allianceId}, ${s.community.path}, '矩阵事项', ${s.residentUnit.id}) RETURNING id`);
    const unitOf: Record<string, number> = {};
    const toHold: Record<string, number> = {};
    const toCancel: Record<string, number> = {};
    for (const role of roles) {
      unitOf[role] = (await city.factory.unit(city.cityId, 'resident_unit', s.community)).id;
      toHold[role] = await meeting('planned');
      toCancel[role] = await meeting('planned');
    }
    records[side] = { allianceId, heldMeetingId, itemId, unitOf, toHold, toCancel };
  }
}

export const rows: MatrixRow[] = [
  { name: 'GET alliances', request: () => ({ method: 'GET', url: '/api/v1/alliances' }), inside: readers, outside: readers },
  { name: 'GET alliances as Excel', request: () => ({ method: 'GET', url: '/api/v1/alliances/export.xlsx' }), inside: readers, outside: readers },
  {
    name: 'POST alliance',
    request: (c, s) => ({ method: 'POST', url: '/api/v1/alliances', payload: { regionId: pick(c, s).community.id, name: '矩阵测试联盟' } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
  { name: 'GET alliance', request: (_c, s) => ({ method: 'GET', url: `/api/v1/alliances/${of(s).allianceId}` }), inside: readers, outside: outsideReaders },
  {
    name: 'POST alliance member',
    request: (_c, s, role) => ({ method: 'POST', url: `/api/v1/alliances/${of(s).allianceId}/members`, payload: { unitId: of(s).unitOf[role] } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
  { name: 'GET joint meetings', request: () => ({ method: 'GET', url: '/api/v1/joint-meetings' }), inside: readers, outside: readers },
  { name: 'GET joint meetings as Excel', request: () => ({ method: 'GET', url: '/api/v1/joint-meetings/export.xlsx' }), inside: readers, outside: readers },
  {
    name: 'POST joint meeting',
    request: (_c, s) => ({ method: 'POST', url: '/api/v1/joint-meetings', payload: { allianceId: of(s).allianceId, title: '矩阵测试会议', heldAt: '2026-05-01T02:00:00Z' } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
  { name: 'GET joint meeting', request: (_c, s) => ({ method: 'GET', url: `/api/v1/joint-meetings/${of(s).heldMeetingId}` }), inside: readers, outside: outsideReaders },
  {
    name: 'PATCH joint meeting minutes',
    request: (_c, s) => ({ method: 'PATCH', url: `/api/v1/joint-meetings/${of(s).heldMeetingId}`, payload: { minutes: '矩阵纪要' } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
  {
    name: 'POST hold joint meeting',
    request: (_c, s, role) => ({ method: 'POST', url: `/api/v1/joint-meetings/${of(s).toHold[role]}/hold`, payload: { minutes: '纪要', attendedIds: [] } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
  {
    name: 'POST cancel joint meeting',
    request: (_c, s, role) => ({ method: 'POST', url: `/api/v1/joint-meetings/${of(s).toCancel[role]}/cancel`, payload: { reason: '改期' } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
  {
    name: 'POST co-building item',
    request: (_c, s) => ({ method: 'POST', url: `/api/v1/joint-meetings/${of(s).heldMeetingId}/items`, payload: { title: '矩阵事项' } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
  { name: 'GET co-building items', request: () => ({ method: 'GET', url: '/api/v1/co-building-items' }), inside: readers, outside: readers },
  { name: 'GET co-building items as Excel', request: () => ({ method: 'GET', url: '/api/v1/co-building-items/export.xlsx' }), inside: readers, outside: readers },
  {
    name: 'GET co-building summary of a community',
    request: (c, s) => ({ method: 'GET', url: `/api/v1/co-building-items/summary?regionId=${pick(c, s).community.id}` }),
    inside: readers,
    outside: outsideReaders,
  },
  { name: 'GET co-building item', request: (_c, s) => ({ method: 'GET', url: `/api/v1/co-building-items/${of(s).itemId}` }), inside: readers, outside: outsideReaders },
  {
    name: 'POST co-building item progress',
    request: (_c, s) => ({ method: 'POST', url: `/api/v1/co-building-items/${of(s).itemId}/actions`, payload: { action: 'report_progress', note: '矩阵进展' } }),
    inside: [...communityAndUp, 'unit_contact'],
    outside: ['city_admin'],
  },
];
