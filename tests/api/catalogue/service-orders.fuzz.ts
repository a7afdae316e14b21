import type { FuzzRoute } from './types.ts';

/**
 * Every route of the service-order module. The fuzz city has no offerings and no orders, so valid-looking
 * bodies end in 404/403/422 and nothing is written; the offering body names B's community, outside the
 * dispatcher's reach. service_categories is not counted: reading the catalogue inserts a city's default
 * categories the first time (ensureServiceCategories), which is reference data, not a write by the request's author.
 */
export const routes: FuzzRoute[] = [
  { method: 'GET', path: '/api/v1/public/places/:code/services' },
  { method: 'POST', path: '/api/v1/public/service-orders', body: (c) => ({ placeCode: c.a.building.code, offeringId: 1, name: '王秀英', phone: '13987654321', description: '想订午餐', preferredTime: '中午' }) },
  { method: 'GET', path: '/api/v1/public/service-orders/:token' },
  { method: 'POST', path: '/api/v1/public/service-orders/:token/confirm', body: () => ({ rating: 5, comment: '很好' }) },
  { method: 'POST', path: '/api/v1/public/service-orders/:token/cancel', body: () => ({ reason: '不需要了' }) },
  { method: 'GET', path: '/api/v1/service-categories' },
  { method: 'GET', path: '/api/v1/service-offerings', query: { q: '助餐', regionId: '1', from: '2024-01-01', to: '2030-01-01', categoryId: '1', active: 'true', page: '1', pageSize: '10' } },
  { method: 'GET', path: '/api/v1/service-offerings/export.xlsx', query: { q: '助餐', regionId: '1', categoryId: '1', active: 'true' } },
  { method: 'POST', path: '/api/v1/service-offerings', body: (c) => ({ regionNodeId: c.b.community.id, categoryId: 1, name: '理发上门', description: '每月一次', hours: '1.5' }) },
  { method: 'PATCH', path: '/api/v1/service-offerings/:id', id: () => 1, body: () => ({ name: '理发上门', description: '每月一次', hours: '1', active: false, categoryId: 1 }) },
  { method: 'GET', path: '/api/v1/service-orders', query: { q: '午餐', regionId: '1', status: 'ordered', from: '2024-01-01', to: '2030-01-01', categoryId: '1', page: '1', pageSize: '10' } },
  { method: 'GET', path: '/api/v1/service-orders/export.xlsx', query: { q: '午餐', status: 'ordered', categoryId: '1' } },
  { method: 'GET', path: '/api/v1/my/service-orders', query: { status: 'dispatched', page: '1', pageSize: '10' } },
  { method: 'GET', path: '/api/v1/service-orders/:id', id: () => 1 },
  { method: 'GET', path: '/api/v1/service-orders/:id/candidates', id: () => 1 },
  { method: 'POST', path: '/api/v1/service-orders/:id/actions', id: () => 1, body: (c) => ({ action: 'dispatch', partyMemberId: c.a.partyMember.id, note: '请中午前送达' }) },
  { method: 'POST', path: '/api/v1/service-orders/:id/reveal', id: () => 1, body: () => ({ reason: '电话确认' }) },
];

export const tables = ['service_offerings', 'service_orders', 'service_hours'];
