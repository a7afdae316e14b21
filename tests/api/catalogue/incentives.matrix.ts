import { sql } from 'drizzle-orm';
import { roles, type Role } from '../../../src/db/schema/index.ts';
import { hashRedemptionCode } from '../../../src/modules/incentives/incentives.service.ts';
import type { City, MatrixRow, Side } from './types.ts';
import { communityAndUp, pick } from './types.ts';

/**
 * 楼栋激励: the community and up manage; the organisation department and building heads read (a head
 * within their building); a head spends points on offers of their community; only the shop's liaison
 * (unit_contact, ownUnit) verifies a code.
 */
const readers: Role[] = [...communityAndUp, 'organization_officer', 'building_head'];
const offerReaders: Role[] = [...readers, 'unit_contact'];

interface SideRecords {
  headUserId: number;
  shopId: number;
  offerId: number;
  evaluationId: number;
  /** The code the side's liaison may verify (its 'shop' is the side's resident unit). */
  code: string;
  /** Per role: an issued code to cancel (each may succeed once). */
  toCancel: Record<string, number>;
}
const records: Partial<Record<Side, SideRecords>> = {};
const of = (side: Side) => records[side]!;

export async function setup(t: { context: { database: { rows: <T>(q: ReturnType<typeof sql>) => Promise<T[]> } } }, city: City) {
  const rows = t.context.database.rows.bind(t.context.database);
  const one = async (query: ReturnType<typeof sql>) => Number((await rows<{ id: number }>(query))[0].id);
  for (const side of ['inside', 'outside'] as const) {
    const s = pick(city, side);
    const headUserId = side === 'inside' ? city.users.building_head.id : (await city.factory.user(city.cityId, 'matrix_head_b', 'building_head', { regionNodeId: s.building.id })).id;
    // The offer's shop is the side's resident unit, so the matrix's unit_contact is its liaison inside.
    const offerId = await one(sql`INSERT INTO partner_shop_offers (city_id, shop_unit_id, region_path, title, points_cost) VALUES (${city.cityId}, ${s.residentUnit.id}, ${s.community.path}, '矩阵优惠', 0) RETURNING id`);
    const evaluationId = await one(sql`INSERT INTO building_evaluations (city_id, community_id, building_id, region_path, period, score) VALUES (${city.cityId}, ${s.community.id}, ${s.building.id}, ${s.building.path}, '2026-09', 90) RETURNING id`);
    const code = side === 'inside' ? '20261125' : '20261126';
    const issue = (hash: string) =>
      one(sql`INSERT INTO redemption_codes (city_id, offer_id, shop_unit_id, user_id, region_path, code_hash, points, expires_at)
              VALUES (${city.cityId}, ${offerId}, ${s.residentUnit.id}, ${headUserId}, ${s.building.path}, ${hash}, 0, now() + interval '1 day') RETURNING id`);
    await issue(hashRedemptionCode(code));
    const toCancel: Record<string, number> = {};
    for (const role of roles) toCancel[role] = await issue(`matrix-${side}-${role}`);
    const shopId = (await city.factory.unit(city.cityId, 'partner_shop', s.community, '矩阵星店')).id;
    records[side] = { headUserId, shopId, offerId, evaluationId, code, toCancel };
  }
}

export const rows: MatrixRow[] = [
  { name: 'GET building heads', request: () => ({ method: 'GET', url: '/api/v1/incentives/heads' }), inside: readers, outside: readers },
  { name: 'GET building heads as Excel', request: () => ({ method: 'GET', url: '/api/v1/incentives/heads/export.xlsx' }), inside: readers, outside: readers },
  { name: 'GET incentive entries', request: (_c, s) => ({ method: 'GET', url: `/api/v1/incentives/entries?userId=${of(s).headUserId}` }), inside: readers, outside: readers },
  { name: 'GET incentive entries as Excel', request: (_c, s) => ({ method: 'GET', url: `/api/v1/incentives/entries/export.xlsx?userId=${of(s).headUserId}` }), inside: readers, outside: readers },
  {
    name: 'POST incentive service points',
    request: (_c, s) => ({ method: 'POST', url: '/api/v1/incentives/entries', payload: { userId: of(s).headUserId, event: 'service', points: 1, note: '矩阵测试' } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
  { name: 'GET partner-shop offers', request: () => ({ method: 'GET', url: '/api/v1/incentives/offers' }), inside: offerReaders, outside: offerReaders },
  { name: 'GET partner-shop offers as Excel', request: () => ({ method: 'GET', url: '/api/v1/incentives/offers/export.xlsx' }), inside: offerReaders, outside: offerReaders },
  {
    name: 'POST partner-shop offer',
    request: (_c, s) => ({ method: 'POST', url: '/api/v1/incentives/offers', payload: { shopUnitId: of(s).shopId, title: '矩阵优惠', pointsCost: 0 } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
  {
    name: 'PATCH partner-shop offer',
    request: (_c, s) => ({ method: 'PATCH', url: `/api/v1/incentives/offers/${of(s).offerId}`, payload: { title: '矩阵优惠' } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
  { name: 'POST redemption code for an offer', request: (_c, s) => ({ method: 'POST', url: `/api/v1/incentives/offers/${of(s).offerId}/codes` }), inside: ['building_head'], outside: [] },
  { name: 'GET redemption codes', request: () => ({ method: 'GET', url: '/api/v1/incentives/codes' }), inside: offerReaders, outside: offerReaders },
  { name: 'GET redemption codes as Excel', request: () => ({ method: 'GET', url: '/api/v1/incentives/codes/export.xlsx' }), inside: offerReaders, outside: offerReaders },
  { name: 'POST redeem a code at the shop', request: (_c, s) => ({ method: 'POST', url: '/api/v1/incentives/codes/redeem', payload: { code: of(s).code } }), inside: ['unit_contact'], outside: [] },
  {
    name: 'POST cancel a redemption code',
    request: (_c, s, role) => ({ method: 'POST', url: `/api/v1/incentives/codes/${of(s).toCancel[role]}/cancel` }),
    inside: [...communityAndUp, 'building_head'],
    outside: ['city_admin'],
  },
  { name: 'GET building evaluations', request: () => ({ method: 'GET', url: '/api/v1/incentives/evaluations' }), inside: readers, outside: readers },
  { name: 'GET building evaluations as Excel', request: () => ({ method: 'GET', url: '/api/v1/incentives/evaluations/export.xlsx' }), inside: readers, outside: readers },
  {
    name: 'POST building evaluation',
    request: (c, s) => ({ method: 'POST', url: '/api/v1/incentives/evaluations', payload: { buildingId: pick(c, s).building.id, period: '2026-09', score: 91 } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
  { name: 'POST red flag to a building', request: (_c, s) => ({ method: 'POST', url: `/api/v1/incentives/evaluations/${of(s).evaluationId}/red-flag` }), inside: communityAndUp, outside: ['city_admin'] },
];
