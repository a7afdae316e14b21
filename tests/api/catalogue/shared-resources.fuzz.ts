import type { FuzzRoute } from './types.ts';

const from = '2030-01-07T09:00:00+08:00';
const to = '2030-01-07T11:00:00+08:00';

/** The fuzz city has no resources or bookings: ids answer 404; the one create points at side B (403 for the dispatcher). */
export const routes: FuzzRoute[] = [
  { method: 'GET', path: '/api/v1/shared-resources', query: { q: '场地', regionId: '1', kind: 'venue', terms: 'free', ownerUnitId: '1', active: 'true', page: '1', pageSize: '10' } },
  { method: 'GET', path: '/api/v1/shared-resources/export.xlsx', query: { q: '场地', regionId: '1', kind: 'parking', terms: 'paid', ownerUnitId: '1', active: 'false' } },
  {
    method: 'POST',
    path: '/api/v1/shared-resources',
    body: (c) => ({ communityId: c.b.community.id, ownerUnitId: c.b.residentUnit.id, kind: 'venue', name: '会议室', description: '可容纳 40 人', location: '一楼', terms: 'low_cost', priceNote: '50 元/场', requiresApproval: true, capacity: 40 }),
  },
  { method: 'GET', path: '/api/v1/shared-resources/:id' },
  { method: 'PATCH', path: '/api/v1/shared-resources/:id', body: () => ({ name: '会议室', capacity: 20, active: true }) },
  { method: 'GET', path: '/api/v1/shared-resources/:id/bookings', query: { from, to, includeClosed: 'true' } },
  { method: 'POST', path: '/api/v1/shared-resources/:id/bookings', body: (c) => ({ from, to, purpose: '党员活动日', unitId: c.b.residentUnit.id }) },
  { method: 'GET', path: '/api/v1/resource-bookings', query: { q: '活动', regionId: '1', status: 'pending', resourceId: '1', unitId: '1', from: '2026-01-01', to: '2026-12-31', toDecide: 'true', page: '1', pageSize: '10' } },
  { method: 'GET', path: '/api/v1/resource-bookings/export.xlsx', query: { q: '活动', regionId: '1', status: 'approved', resourceId: '1', unitId: '1', from: '2026-01-01', to: '2026-12-31', toDecide: 'false' } },
  { method: 'GET', path: '/api/v1/resource-bookings/:id' },
  { method: 'POST', path: '/api/v1/resource-bookings/:id/approve', body: () => ({ note: '同意' }) },
  { method: 'POST', path: '/api/v1/resource-bookings/:id/reject', body: () => ({ note: '当天自用' }) },
  { method: 'POST', path: '/api/v1/resource-bookings/:id/cancel', body: () => ({ note: '改期' }) },
];

export const tables = ['shared_resources', 'resource_bookings'];
