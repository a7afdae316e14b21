import type { FuzzRoute } from './types.ts';

/**
 * Building-head incentives. Valid bodies name records that cannot be written to by the dispatcher:
 * a user who heads no building, a unit that is not a partner shop, side B's building, missing ids.
 */
const missing = 999_999_999;
const listQuery = { q: '楼', regionId: '1', from: '2026-01-01', to: '2026-12-31', page: '1', pageSize: '10' };

export const routes: FuzzRoute[] = [
  { method: 'GET', path: '/api/v1/incentives/heads', query: listQuery },
  { method: 'GET', path: '/api/v1/incentives/heads/export.xlsx', query: { q: '楼', regionId: '1' } },
  { method: 'GET', path: '/api/v1/incentives/entries', query: { ...listQuery, userId: '1', event: 'case_satisfied' } },
  { method: 'GET', path: '/api/v1/incentives/entries/export.xlsx', query: { userId: '1', event: 'redeemed' } },
  { method: 'POST', path: '/api/v1/incentives/entries', body: (c) => ({ userId: c.users.dispatcher.id, event: 'service', points: 2, note: '楼栋清洁' }) },
  { method: 'GET', path: '/api/v1/incentives/offers', query: { ...listQuery, status: 'available', shopUnitId: '1' } },
  { method: 'GET', path: '/api/v1/incentives/offers/export.xlsx', query: { status: 'available', shopUnitId: '1' } },
  { method: 'POST', path: '/api/v1/incentives/offers', body: (c) => ({ shopUnitId: c.a.residentUnit.id, title: '理发九折', description: '凭码', pointsCost: 10, validUntil: '2026-12-31' }) },
  { method: 'PATCH', path: '/api/v1/incentives/offers/:id', id: () => missing, body: () => ({ title: '理发八折', pointsCost: 5, active: false }) },
  { method: 'POST', path: '/api/v1/incentives/offers/:id/codes', id: () => missing },
  { method: 'GET', path: '/api/v1/incentives/codes', query: { ...listQuery, status: 'issued', offerId: '1' } },
  { method: 'GET', path: '/api/v1/incentives/codes/export.xlsx', query: { status: 'redeemed', offerId: '1' } },
  { method: 'POST', path: '/api/v1/incentives/codes/redeem', body: () => ({ code: '12345678' }) },
  { method: 'POST', path: '/api/v1/incentives/codes/:id/cancel', id: () => missing },
  { method: 'GET', path: '/api/v1/incentives/evaluations', query: { ...listQuery, period: '2026-10', redFlag: 'true' } },
  { method: 'GET', path: '/api/v1/incentives/evaluations/export.xlsx', query: { period: '2026Q4', redFlag: 'false' } },
  { method: 'POST', path: '/api/v1/incentives/evaluations', body: (c) => ({ buildingId: c.b.building.id, period: '2026-10', score: 92.5, criteria: { 环境卫生: 30 }, comment: '整洁', redFlag: true }) },
  { method: 'POST', path: '/api/v1/incentives/evaluations/:id/red-flag', id: () => missing },
];

export const tables = ['incentive_point_entries', 'partner_shop_offers', 'redemption_codes', 'building_evaluations'];
