import { sql } from 'drizzle-orm';
import { roles, type Role } from '../../../src/db/schema/index.ts';
import type { TestApp } from '../../support/test-app.ts';
import type { City, MatrixRow, Side } from './types.ts';
import { communityAndUp, field, pick } from './types.ts';

/**
 * Each side has a team, a volunteer and an activity running now (check-in is on the day) at its community; rows that
 * change state get their own volunteer, activity or sign-up per role and side.
 */
const listReaders: Role[] = [...field, 'organization_officer', 'party_member'];
const readers: Role[] = [...communityAndUp, 'organization_officer', 'party_member'];
const outsideReaders: Role[] = ['city_admin', 'organization_officer'];
const state = { team: {} as Record<Side, number>, volunteer: {} as Record<Side, number>, activity: {} as Record<Side, number>, perRole: new Map<string, number>() };
const mine = (what: string, side: Side, role: Role) => state.perRole.get(`${what}:${side}:${role}`)!;
const HOUR = 3600_000;

export async function setup(t: TestApp, city: City) {
  const db = t.context.database;
  const one = async (query: ReturnType<typeof sql>) => Number((await db.rows<{ id: number }>(query))[0].id);
  const startsAt = new Date(Date.now() - HOUR).toISOString();
  const endsAt = new Date(Date.now() + 3 * HOUR).toISOString();
  // The party member's own volunteer record (one per city): its sign-ups are the ones it may cancel.
  const ownVolunteer = await one(sql`INSERT INTO volunteers (city_id, region_node_id, region_path, name, party_member_id, user_id)
    VALUES (${city.cityId}, ${city.a.community.id}, ${city.a.community.path}, '赵六', ${city.a.partyMember.id}, ${city.users.party_member.id}) RETURNING id`);
  for (const side of ['inside', 'outside'] as const) {
    const s = pick(city, side);
    const volunteer = (name: string) => one(sql`INSERT INTO volunteers (city_id, region_node_id, region_path, name, phone) VALUES (${city.cityId}, ${s.community.id}, ${s.community.path}, ${name}, '13912345678') RETURNING id`);
    const activity = (status = 'open') => one(sql`INSERT INTO volunteer_activities (city_id, region_node_id, region_path, title, starts_at, ends_at, hours, status)
      VALUES (${city.cityId}, ${s.community.id}, ${s.community.path}, '矩阵活动', ${startsAt}, ${endsAt}, 2, ${status}) RETURNING id`);
    const signup = (activityId: number, volunteerId: number) => one(sql`INSERT INTO activity_signups (city_id, activity_id, volunteer_id) VALUES (${city.cityId}, ${activityId}, ${volunteerId}) RETURNING id`);
    state.team[side] = await one(sql`INSERT INTO volunteer_teams (city_id, region_node_id, region_path, name) VALUES (${city.cityId}, ${s.community.id}, ${s.community.path}, '矩阵队') RETURNING id`);
    state.volunteer[side] = await volunteer('矩阵志愿者');
    state.activity[side] = await activity();
    const checkInActivity = await activity();
    for (const role of roles) {
      const v = await volunteer(`志愿者${role}`);
      state.perRole.set(`volunteer:${side}:${role}`, v);
      const leaving = await volunteer(`退出${role}`);
      await db.db.execute(sql`INSERT INTO volunteer_team_members (city_id, team_id, volunteer_id) VALUES (${city.cityId}, ${state.team[side]}, ${leaving})`);
      state.perRole.set(`leaving:${side}:${role}`, leaving);
      for (const action of ['close', 'finish', 'cancel']) state.perRole.set(`${action}:${side}:${role}`, await activity());
      state.perRole.set(`reopen:${side}:${role}`, await activity('closed'));
      state.perRole.set(`cancelSignup:${side}:${role}`, await signup(await activity(), role === 'party_member' ? ownVolunteer : v));
      state.perRole.set(`checkIn:${side}:${role}`, await signup(checkInActivity, v));
    }
  }
}

export const rows: MatrixRow[] = [
  ...(['volunteer-teams', 'volunteer-teams/export.xlsx', 'volunteers', 'volunteers/export.xlsx', 'volunteer-activities', 'volunteer-activities/export.xlsx'] as const).map(
    (path): MatrixRow => ({ name: `GET ${path}`, request: () => ({ method: 'GET', url: `/api/v1/${path}` }), inside: listReaders, outside: listReaders }),
  ),
  { name: 'POST volunteer team', request: (c, s) => ({ method: 'POST', url: '/api/v1/volunteer-teams', payload: { regionId: pick(c, s).community.id, name: '矩阵新队' } }), inside: communityAndUp, outside: ['city_admin'] },
  { name: 'GET volunteer team', request: (_c, s) => ({ method: 'GET', url: `/api/v1/volunteer-teams/${state.team[s]}` }), inside: readers, outside: outsideReaders },
  { name: 'POST team member', request: (_c, s, role) => ({ method: 'POST', url: `/api/v1/volunteer-teams/${state.team[s]}/members`, payload: { volunteerId: mine('volunteer', s, role) } }), inside: communityAndUp, outside: ['city_admin'] },
  { name: 'POST remove team member', request: (_c, s, role) => ({ method: 'POST', url: `/api/v1/volunteer-teams/${state.team[s]}/members/remove`, payload: { volunteerId: mine('leaving', s, role) } }), inside: communityAndUp, outside: ['city_admin'] },
  { name: 'POST volunteer', request: (c, s) => ({ method: 'POST', url: '/api/v1/volunteers', payload: { regionId: pick(c, s).community.id, name: '矩阵新志愿者' } }), inside: communityAndUp, outside: ['city_admin'] },
  { name: 'GET volunteer', request: (_c, s) => ({ method: 'GET', url: `/api/v1/volunteers/${state.volunteer[s]}` }), inside: readers, outside: outsideReaders },
  { name: 'GET volunteer record', request: (_c, s) => ({ method: 'GET', url: `/api/v1/volunteers/${state.volunteer[s]}/record` }), inside: readers, outside: outsideReaders },
  { name: 'GET volunteer record as Excel', request: (_c, s) => ({ method: 'GET', url: `/api/v1/volunteers/${state.volunteer[s]}/record.xlsx` }), inside: readers, outside: outsideReaders },
  {
    name: 'POST volunteer activity',
    request: (c, s) => ({ method: 'POST', url: '/api/v1/volunteer-activities', payload: { regionId: pick(c, s).community.id, title: '矩阵新活动', hours: 1, startsAt: new Date(Date.now() + 86_400_000).toISOString(), endsAt: new Date(Date.now() + 90_000_000).toISOString() } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
  { name: 'GET volunteer activity', request: (_c, s) => ({ method: 'GET', url: `/api/v1/volunteer-activities/${state.activity[s]}` }), inside: readers, outside: outsideReaders },
  ...(['close', 'reopen', 'finish', 'cancel'] as const).map(
    (action): MatrixRow => ({ name: `POST ${action} activity`, request: (_c, s, role) => ({ method: 'POST', url: `/api/v1/volunteer-activities/${mine(action, s, role)}/${action}` }), inside: communityAndUp, outside: ['city_admin'] }),
  ),
  {
    name: 'POST activity sign-up (staff for a volunteer, a party member for themselves)',
    request: (_c, s, role) => ({ method: 'POST', url: `/api/v1/volunteer-activities/${state.activity[s]}/signups`, payload: role === 'party_member' ? {} : { volunteerId: mine('volunteer', s, role) } }),
    inside: [...communityAndUp, 'party_member'],
    outside: ['city_admin'],
  },
  { name: 'POST cancel sign-up', request: (_c, s, role) => ({ method: 'POST', url: `/api/v1/activity-signups/${mine('cancelSignup', s, role)}/cancel` }), inside: [...communityAndUp, 'party_member'], outside: ['city_admin'] },
  { name: 'POST check in', request: (_c, s, role) => ({ method: 'POST', url: `/api/v1/activity-signups/${mine('checkIn', s, role)}/check-in` }), inside: communityAndUp, outside: ['city_admin'] },
];
