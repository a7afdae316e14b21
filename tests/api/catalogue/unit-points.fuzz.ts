import type { FuzzRoute } from './types.ts';

/** Mutations point at side B (outside the fuzzing dispatcher's community), so a valid body is refused, never stored. */
export const routes: FuzzRoute[] = [
  { method: 'GET', path: '/api/v1/unit-points/communities/:id/settings', id: (c) => c.a.community.id },
  { method: 'PUT', path: '/api/v1/unit-points/communities/:id/settings', id: (c) => c.b.community.id, body: () => ({ basePoints: 80, bookingMinimum: 60, honourThreshold: 100 }) },
  { method: 'PUT', path: '/api/v1/unit-points/communities/:id/rules', id: (c) => c.b.community.id, body: () => ({ rules: [{ event: 'activity_served', points: 2, active: true }] }) },
  { method: 'GET', path: '/api/v1/unit-points/balances', query: { q: '单位', regionId: '1', communityId: '1', standing: 'honoured', page: '1', pageSize: '10' } },
  { method: 'GET', path: '/api/v1/unit-points/balances/export.xlsx', query: { q: '单位', regionId: '1', communityId: '1', standing: 'restricted' } },
  {
    method: 'GET',
    path: '/api/v1/unit-points/units/:id/entries',
    id: (c) => c.a.residentUnit.id,
    query: { communityId: '1', q: '活动', event: 'manual', from: '2026-01-01', to: '2026-12-31', page: '1', pageSize: '10' },
  },
  { method: 'GET', path: '/api/v1/unit-points/units/:id/entries/export.xlsx', id: (c) => c.a.residentUnit.id, query: { communityId: '1', q: '活动', event: 'manual', from: '2026-01-01', to: '2026-12-31' } },
  { method: 'POST', path: '/api/v1/unit-points/units/:id/adjustments', id: (c) => c.b.residentUnit.id, body: (c) => ({ communityId: c.b.community.id, points: 5, note: '组织志愿服务' }) },
];

export const tables = ['unit_point_settings', 'unit_point_rules', 'unit_point_entries'];
