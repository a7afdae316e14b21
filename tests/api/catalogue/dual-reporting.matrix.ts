import { sql } from 'drizzle-orm';
import { roles, type Role } from '../../../src/db/schema/index.ts';
import { chinaDate } from '../../../src/modules/dual-reporting/reporting-period.ts';
import type { TestApp } from '../../support/test-app.ts';
import type { City, MatrixRow, Side } from './types.ts';
import { communityAndUp, pick } from './types.ts';

/**
 * Each side has a registration of its party member, an organisation registration of its resident unit, a post with
 * a claim and a logged session; state-changing rows get their own record per role and side (a fresh registration
 * to end, a post to close or reopen, a claim to withdraw, a party member to register). The extra party members sit at
 * the community's path, outside the grid worker's list the core matrix checks.
 */
const readers: Role[] = [...communityAndUp, 'organization_officer', 'party_member', 'unit_contact'];
const outsideReaders: Role[] = ['city_admin', 'organization_officer'];
const state = {
  registration: {} as Record<Side, number>,
  post: {} as Record<Side, number>,
  claim: {} as Record<Side, number>,
  hours: {} as Record<Side, number>,
  perRole: new Map<string, number>(),
};
const mine = (what: string, side: Side, role: Role) => state.perRole.get(`${what}:${side}:${role}`)!;

export async function setup(t: TestApp, city: City) {
  const db = t.context.database;
  const one = async (query: ReturnType<typeof sql>) => Number((await db.rows<{ id: number }>(query))[0].id);
  for (const side of ['inside', 'outside'] as const) {
    const s = pick(city, side);
    const registration = (memberId: number) =>
      one(sql`INSERT INTO dual_registrations (city_id, kind, community_id, region_path, party_member_id) VALUES (${city.cityId}, 'member', ${s.community.id}, ${s.community.path}, ${memberId}) RETURNING id`);
    const post = (status = 'open') =>
      one(sql`INSERT INTO community_posts (city_id, community_id, region_path, title, slots, status) VALUES (${city.cityId}, ${s.community.id}, ${s.community.path}, '矩阵岗位', 100, ${status}) RETURNING id`);
    // Side A's claimant is the partymember account (registered by the factory); B's is a member of its own here, so
    // other catalogues may still register B's factory member.
    const memberId = side === 'inside' ? s.partyMember.id : (await city.factory.partyMember(city.cityId, s.gridOrg.id, s.community)).id;
    state.registration[side] = side === 'inside'
      ? Number((await db.rows<{ id: number }>(sql`SELECT id FROM dual_registrations WHERE party_member_id = ${memberId} AND status = 'active'`))[0].id)
      : await registration(memberId);
    await db.db.execute(sql`INSERT INTO dual_registrations (city_id, kind, community_id, region_path, unit_id)
      SELECT ${city.cityId}, 'organization', ${s.community.id}, ${s.community.path}, ${s.residentUnit.id}
       WHERE NOT EXISTS (SELECT 1 FROM dual_registrations WHERE community_id = ${s.community.id} AND unit_id = ${s.residentUnit.id} AND status = 'active')`);
    state.post[side] = await post();
    const claim = async (postId: number) =>
      one(sql`INSERT INTO post_claims (city_id, post_id, region_path, registration_id, party_member_id) VALUES (${city.cityId}, ${postId}, ${s.community.path}, ${state.registration[side]}, ${memberId}) RETURNING id`);
    // The claim every role logs on is on a post of its own, so the claim row below never meets a unique index.
    state.claim[side] = await claim(await post());
    state.hours[side] = await one(sql`INSERT INTO service_hours (city_id, community_id, region_path, party_member_id, source_kind, source_id, served_on, hours)
      VALUES (${city.cityId}, ${s.community.id}, ${s.community.path}, ${memberId}, 'post', ${state.post[side]}, ${chinaDate()}, 1) RETURNING id`);
    for (const role of roles) {
      const member = await city.factory.partyMember(city.cityId, s.gridOrg.id, s.community);
      state.perRole.set(`member:${side}:${role}`, (await city.factory.partyMember(city.cityId, s.gridOrg.id, s.community)).id);
      state.perRole.set(`registration:${side}:${role}`, await registration(member.id));
      state.perRole.set(`close:${side}:${role}`, await post());
      state.perRole.set(`reopen:${side}:${role}`, await post('closed'));
      state.perRole.set(`withdraw:${side}:${role}`, await claim(await post()));
    }
  }
}

export const rows: MatrixRow[] = [
  ...(['registrations', 'registrations/export.xlsx', 'posts', 'posts/export.xlsx', 'claims', 'claims/export.xlsx', 'hours', 'hours/export.xlsx', 'ledger', 'ledger.xlsx'] as const).map(
    (path): MatrixRow => ({ name: `GET dual-reporting ${path}`, request: () => ({ method: 'GET', url: `/api/v1/dual-reporting/${path}` }), inside: readers, outside: readers }),
  ),
  { name: 'GET dual-reporting reminders', request: () => ({ method: 'GET', url: '/api/v1/dual-reporting/reminders' }), inside: communityAndUp, outside: communityAndUp },
  {
    name: 'POST dual registration',
    request: (c, s, role) => ({ method: 'POST', url: '/api/v1/dual-reporting/registrations', payload: { communityId: pick(c, s).community.id, kind: 'member', partyMemberId: mine('member', s, role), basis: 'work' } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
  { name: 'POST end dual registration', request: (_c, s, role) => ({ method: 'POST', url: `/api/v1/dual-reporting/registrations/${mine('registration', s, role)}/end`, payload: { endedOn: chinaDate() } }), inside: communityAndUp, outside: ['city_admin'] },
  { name: 'GET registration entries', request: (_c, s) => ({ method: 'GET', url: `/api/v1/dual-reporting/registrations/${state.registration[s]}/entries` }), inside: readers, outside: outsideReaders },
  {
    name: 'POST community post',
    request: (c, s) => ({ method: 'POST', url: '/api/v1/dual-reporting/posts', payload: { communityId: pick(c, s).community.id, title: '矩阵新岗位', slots: 3 } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
  { name: 'GET community post', request: (_c, s) => ({ method: 'GET', url: `/api/v1/dual-reporting/posts/${state.post[s]}` }), inside: readers, outside: outsideReaders },
  { name: 'POST close post', request: (_c, s, role) => ({ method: 'POST', url: `/api/v1/dual-reporting/posts/${mine('close', s, role)}/close` }), inside: communityAndUp, outside: ['city_admin'] },
  { name: 'POST reopen post', request: (_c, s, role) => ({ method: 'POST', url: `/api/v1/dual-reporting/posts/${mine('reopen', s, role)}/reopen` }), inside: communityAndUp, outside: ['city_admin'] },
  {
    name: 'POST claim post (reported member; unit contact for its organisation)',
    request: (c, s, role) => ({ method: 'POST', url: `/api/v1/dual-reporting/posts/${state.post[s]}/claims`, payload: role === 'unit_contact' ? { unitId: pick(c, s).residentUnit.id } : {} }),
    inside: ['party_member', 'unit_contact'],
    outside: [],
  },
  { name: 'POST withdraw claim (claimant or community)', request: (_c, s, role) => ({ method: 'POST', url: `/api/v1/dual-reporting/claims/${mine('withdraw', s, role)}/withdraw` }), inside: [...communityAndUp, 'party_member'], outside: ['city_admin'] },
  {
    name: 'POST log service hours (claimant or community)',
    request: (_c, s) => ({ method: 'POST', url: `/api/v1/dual-reporting/claims/${state.claim[s]}/hours`, payload: { servedOn: chinaDate(), hours: 1.5 } }),
    inside: [...communityAndUp, 'party_member'],
    outside: ['city_admin'],
  },
  { name: 'PATCH correct service hours', request: (_c, s) => ({ method: 'PATCH', url: `/api/v1/dual-reporting/hours/${state.hours[s]}`, payload: { hours: 2, reason: '矩阵更正' } }), inside: communityAndUp, outside: ['city_admin'] },
  { name: 'POST reminders', request: (c, s) => ({ method: 'POST', url: '/api/v1/dual-reporting/reminders', payload: { regionId: pick(c, s).community.id } }), inside: communityAndUp, outside: ['city_admin'] },
];
