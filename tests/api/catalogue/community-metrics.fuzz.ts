import type { FuzzRoute } from './types.ts';

export const routes: FuzzRoute[] = [
  { method: 'GET', path: '/api/v1/community-metrics', query: { node: 'region:1', from: '2026-01', to: '2026-03' } },
  { method: 'GET', path: '/api/v1/community-metrics/rankings', query: { node: 'region:1', level: 'community', from: '2026-01', to: '2026-03', sort: 'lists.deliveryRate' } },
  { method: 'GET', path: '/api/v1/community-metrics/export.xlsx', query: { node: 'region:1', from: '2026-01', to: '2026-03' } },
];

export const tables: string[] = [];
