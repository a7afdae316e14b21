import type { FuzzRoute } from './types.ts';

/** Every route of notices and deliberation. Bodies point at side B or at no record, so nothing is written. */
const filters = { q: '公开', regionId: '1', status: 'published', from: '2026-01-01', to: '2026-12-31' };

export const routes: FuzzRoute[] = [
  { method: 'GET', path: '/api/v1/notices', query: { ...filters, kind: 'policy', page: '1', pageSize: '10' } },
  { method: 'GET', path: '/api/v1/notices/export.xlsx', query: { ...filters, kind: 'residents_affairs' } },
  { method: 'GET', path: '/api/v1/notices/:id', id: () => 1 },
  { method: 'POST', path: '/api/v1/notices', body: (c) => ({ kind: 'policy', regionId: c.b.community.id, title: '垃圾分类新规', body: '自12月1日起施行', eventAt: '2026-12-01T00:00:00Z', publish: true }) },
  { method: 'POST', path: '/api/v1/notices/:id/actions', id: () => 1, body: () => ({ action: 'publish' }) },
  { method: 'POST', path: '/api/v1/notices/:id/acknowledge', id: () => 1 },
  { method: 'GET', path: '/api/v1/public/places/:code/notices', query: { cityCode: '520300000000' } },
  { method: 'GET', path: '/api/v1/deliberations', query: { ...filters, status: 'held', kind: 'community_council', page: '1', pageSize: '10' } },
  { method: 'GET', path: '/api/v1/deliberations/export.xlsx', query: { ...filters, status: 'held', kind: 'building_council' } },
  { method: 'GET', path: '/api/v1/deliberations/:id', id: () => 1 },
  { method: 'POST', path: '/api/v1/deliberations', body: (c) => ({ kind: 'community_council', regionId: c.b.community.id, title: '加装电梯议事会', heldAt: '2026-11-20T07:00:00Z', location: '议事厅' }) },
  { method: 'POST', path: '/api/v1/deliberations/:id/actions', id: () => 1, body: () => ({ action: 'hold', participants: '居民代表15人', summary: '同意加装' }) },
  { method: 'POST', path: '/api/v1/deliberations/:id/proposals', id: () => 1, body: () => ({ title: '3栋加装电梯', description: '费用分摊', proposerName: '王秀英' }) },
  { method: 'PATCH', path: '/api/v1/deliberation-proposals/:id', id: () => 1, body: () => ({ decision: 'adopted', votesFor: 12, votesAgainst: 2, votesAbstain: 1, decisionNote: '多数同意', publicResult: '通过' }) },
  { method: 'GET', path: '/api/v1/public/places/:code/deliberations', query: { cityCode: '520300000000' } },
];

export const tables = ['notices', 'notice_receipts', 'deliberation_meetings', 'deliberation_proposals'];
