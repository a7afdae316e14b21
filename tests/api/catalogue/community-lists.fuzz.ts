import type { FuzzRoute } from './types.ts';

/** Every route of the three lists. Bodies point at side B (outside the fuzzing dispatcher's reach) or at no record, so nothing is written. */
const filters = { q: '需求', listKind: 'need', regionId: '1', status: 'posted', from: '2026-01-01', to: '2026-12-31', quarter: '2026Q4', category: 'noise' };

export const routes: FuzzRoute[] = [
  { method: 'GET', path: '/api/v1/community-lists', query: { ...filters, page: '1', pageSize: '10' } },
  { method: 'GET', path: '/api/v1/community-lists/export.xlsx', query: filters },
  { method: 'GET', path: '/api/v1/community-lists/:id', id: () => 1 },
  {
    method: 'POST',
    path: '/api/v1/community-lists',
    body: (c) => ({ listKind: 'need', regionId: c.b.community.id, title: '独居老人助餐', description: '需要送餐', category: 'elderly', source: 'resident', posterName: '王秀英', posterPhone: '13912345678', dueOn: '2026-12-31' }),
  },
  { method: 'POST', path: '/api/v1/community-lists/:id/actions', id: () => 1, body: () => ({ action: 'deliver', note: '已送达' }) },
  { method: 'POST', path: '/api/v1/community-lists/problems/compile', body: (c) => ({ regionId: c.b.community.id, quarter: '2026Q4', threshold: 3 }) },
];

export const tables = ['community_list_items', 'unit_point_entries'];
