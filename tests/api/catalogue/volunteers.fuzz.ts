import type { FuzzRoute } from './types.ts';

/** 志愿服务 routes. Valid bodies point at side B (outside the fuzzing dispatcher): nothing may change. */
const list = { q: '志愿', regionId: '1', status: 'open', from: '2024-01-01', to: '2030-01-01', page: '1', pageSize: '10' };
const { page: _p, pageSize: _s, ...exportList } = list;
const window = { startsAt: '2030-01-05T01:00:00Z', endsAt: '2030-01-05T03:00:00Z' };

export const routes: FuzzRoute[] = [
  { method: 'GET', path: '/api/v1/volunteer-teams', query: { ...list, kind: 'running' } },
  { method: 'GET', path: '/api/v1/volunteer-teams/export.xlsx', query: { ...exportList, kind: 'running' } },
  { method: 'POST', path: '/api/v1/volunteer-teams', body: (c) => ({ regionId: c.b.community.id, name: '红色跑团', kind: 'running', description: '晨跑巡河', leaderName: '周队长' }) },
  { method: 'GET', path: '/api/v1/volunteer-teams/:id' },
  { method: 'POST', path: '/api/v1/volunteer-teams/:id/members', body: () => ({ volunteerId: 1 }) },
  { method: 'POST', path: '/api/v1/volunteer-teams/:id/members/remove', body: () => ({ volunteerId: 1 }) },
  { method: 'GET', path: '/api/v1/volunteers', query: { ...list, status: 'active', teamId: '1' } },
  { method: 'GET', path: '/api/v1/volunteers/export.xlsx', query: { ...exportList, status: 'active', teamId: '1' } },
  { method: 'POST', path: '/api/v1/volunteers', body: (c) => ({ regionId: c.b.community.id, name: '张志愿', phone: '13912345678', residentId: c.b.resident.id, skills: '急救', teamIds: [1] }) },
  { method: 'GET', path: '/api/v1/volunteers/:id' },
  { method: 'GET', path: '/api/v1/volunteers/:id/record', query: { from: '2026-01-01', to: '2026-12-31' } },
  { method: 'GET', path: '/api/v1/volunteers/:id/record.xlsx', query: { from: '2026-01-01', to: '2026-12-31' } },
  { method: 'GET', path: '/api/v1/volunteer-activities', query: { ...list, teamId: '1' } },
  { method: 'GET', path: '/api/v1/volunteer-activities/export.xlsx', query: { ...exportList, teamId: '1' } },
  { method: 'POST', path: '/api/v1/volunteer-activities', body: (c) => ({ regionId: c.b.community.id, title: '河道清洁', description: '沿河捡拾垃圾', location: '湘江河畔', capacity: 20, hours: 2.5, ...window }) },
  { method: 'GET', path: '/api/v1/volunteer-activities/:id' },
  { method: 'POST', path: '/api/v1/volunteer-activities/:id/close' },
  { method: 'POST', path: '/api/v1/volunteer-activities/:id/reopen' },
  { method: 'POST', path: '/api/v1/volunteer-activities/:id/finish' },
  { method: 'POST', path: '/api/v1/volunteer-activities/:id/cancel' },
  { method: 'POST', path: '/api/v1/volunteer-activities/:id/signups', body: () => ({ volunteerId: 1, unitId: 1 }) },
  { method: 'POST', path: '/api/v1/activity-signups/:id/cancel' },
  { method: 'POST', path: '/api/v1/activity-signups/:id/check-in' },
];

export const tables = ['volunteer_teams', 'volunteers', 'volunteer_team_members', 'volunteer_activities', 'activity_signups'];
