import { sql } from 'drizzle-orm';
import { roles, type Role } from '../../../src/db/schema/index.ts';
import type { TestApp } from '../../support/test-app.ts';
import type { City, MatrixRow, Side } from './types.ts';
import { communityAndUp, field, pick } from './types.ts';

/**
 * Side A's resource belongs to A's resident unit (the liaison `unitcontact` is its owner); side B's to B's unit.
 * Every role gets its own pending booking per side for approve, reject and cancel, and its own period to book.
 */
const state = { resource: {} as Record<Side, number>, bookings: new Map<string, number>() };
const HOUR = 3600_000;
const base = Math.ceil((Date.now() + 72 * HOUR) / HOUR) * HOUR;
const at = (hours: number) => new Date(base + hours * HOUR).toISOString();
const booking = (action: string, side: Side, role: Role) => state.bookings.get(`${action}:${side}:${role}`)!;

/** Read: every role whose area holds the community (grid-level roles sit below it). */
const communityReaders: Role[] = [...communityAndUp, 'organization_officer', 'party_member', 'unit_contact'];
const listReaders: Role[] = [...field, 'organization_officer', 'party_member', 'unit_contact'];
const ownerOrCommunity: Role[] = [...communityAndUp, 'unit_contact'];

export async function setup(t: TestApp, city: City) {
  const database = t.context.database;
  for (const side of ['inside', 'outside'] as const) {
    const s = pick(city, side);
    const [row] = await database.rows<{ id: number }>(sql`INSERT INTO shared_resources (city_id, community_id, region_path, owner_unit_id, kind, name, terms, requires_approval)
      VALUES (${city.cityId}, ${s.community.id}, ${s.community.path}, ${s.residentUnit.id}, 'venue', ${side + ' 会议室'}, 'free', true) RETURNING id`);
    state.resource[side] = Number(row.id);
    let slot = 0;
    for (const action of ['approve', 'reject', 'cancel']) {
      for (const role of roles) {
        const hours = 1000 + slot++ * 2;
        const [b] = await database.rows<{ id: number }>(sql`INSERT INTO resource_bookings (city_id, resource_id, region_path, booker_unit_id, booker_label, purpose, period, status)
          VALUES (${city.cityId}, ${state.resource[side]}, ${s.community.path}, ${s.residentUnit.id}, '驻区单位', '矩阵', tstzrange(${at(hours)}::timestamptz, ${at(hours + 1)}::timestamptz, '[)'), 'pending') RETURNING id`);
        state.bookings.set(`${action}:${side}:${role}`, Number(b.id));
      }
    }
  }
}

export const rows: MatrixRow[] = [
  { name: 'GET shared resources', request: () => ({ method: 'GET', url: '/api/v1/shared-resources' }), inside: listReaders, outside: listReaders },
  { name: 'GET shared resources as Excel', request: () => ({ method: 'GET', url: '/api/v1/shared-resources/export.xlsx' }), inside: listReaders, outside: listReaders },
  {
    name: 'POST shared resource',
    request: (c, s) => ({ method: 'POST', url: '/api/v1/shared-resources', payload: { communityId: pick(c, s).community.id, kind: 'wall', name: '文化墙', terms: 'free', requiresApproval: false } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
  { name: 'GET shared resource', request: (_c, s) => ({ method: 'GET', url: `/api/v1/shared-resources/${state.resource[s]}` }), inside: communityReaders, outside: ['city_admin', 'organization_officer'] },
  {
    name: 'PATCH shared resource (community or owner unit)',
    request: (_c, s) => ({ method: 'PATCH', url: `/api/v1/shared-resources/${state.resource[s]}`, payload: { description: '矩阵测试' } }),
    inside: ownerOrCommunity,
    outside: ['city_admin'],
  },
  { name: 'GET resource calendar', request: (_c, s) => ({ method: 'GET', url: `/api/v1/shared-resources/${state.resource[s]}/bookings` }), inside: communityReaders, outside: ['city_admin', 'organization_officer'] },
  {
    name: 'POST resource booking',
    request: (_c, s, role) => {
      const hours = roles.indexOf(role) * 2;
      return { method: 'POST', url: `/api/v1/shared-resources/${state.resource[s]}/bookings`, payload: { from: at(hours), to: at(hours + 1), purpose: '矩阵预约' } };
    },
    inside: ownerOrCommunity,
    outside: ['city_admin'],
  },
  { name: 'GET resource bookings', request: () => ({ method: 'GET', url: '/api/v1/resource-bookings' }), inside: listReaders, outside: listReaders },
  { name: 'GET resource bookings as Excel', request: () => ({ method: 'GET', url: '/api/v1/resource-bookings/export.xlsx?toDecide=true' }), inside: listReaders, outside: listReaders },
  { name: 'GET resource booking', request: (_c, s, role) => ({ method: 'GET', url: `/api/v1/resource-bookings/${booking('approve', s, role)}` }), inside: communityReaders, outside: ['city_admin', 'organization_officer'] },
  { name: 'POST approve booking', request: (_c, s, role) => ({ method: 'POST', url: `/api/v1/resource-bookings/${booking('approve', s, role)}/approve`, payload: {} }), inside: ownerOrCommunity, outside: ['city_admin'] },
  { name: 'POST reject booking', request: (_c, s, role) => ({ method: 'POST', url: `/api/v1/resource-bookings/${booking('reject', s, role)}/reject`, payload: { note: '当天自用' } }), inside: ownerOrCommunity, outside: ['city_admin'] },
  { name: 'POST cancel booking (booker or community)', request: (_c, s, role) => ({ method: 'POST', url: `/api/v1/resource-bookings/${booking('cancel', s, role)}/cancel`, payload: {} }), inside: ownerOrCommunity, outside: ['city_admin'] },
];
