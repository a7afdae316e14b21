import type { MatrixRow } from './types.ts';
import { communityAndUp, pick } from './types.ts';

/** 量化积分: the community and up configure; the organisation department reads; a liaison reads its own unit only. */
const readers = [...communityAndUp, 'organization_officer' as const];

export const rows: MatrixRow[] = [
  {
    name: 'GET unit point settings of a community',
    request: (c, s) => ({ method: 'GET', url: `/api/v1/unit-points/communities/${pick(c, s).community.id}/settings` }),
    inside: readers,
    outside: ['city_admin', 'organization_officer'],
  },
  {
    name: 'PUT unit point settings',
    request: (c, s) => ({ method: 'PUT', url: `/api/v1/unit-points/communities/${pick(c, s).community.id}/settings`, payload: { basePoints: 80, bookingMinimum: 60, honourThreshold: 100 } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
  {
    name: 'PUT unit point rules',
    request: (c, s) => ({ method: 'PUT', url: `/api/v1/unit-points/communities/${pick(c, s).community.id}/rules`, payload: { rules: [{ event: 'activity_served', points: 3 }] } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
  {
    name: 'GET unit point balances',
    request: (c, s) => ({ method: 'GET', url: `/api/v1/unit-points/balances?communityId=${pick(c, s).community.id}` }),
    inside: [...readers, 'unit_contact'],
    outside: [...readers, 'unit_contact'],
  },
  {
    name: 'GET unit point balances as Excel',
    request: (c, s) => ({ method: 'GET', url: `/api/v1/unit-points/balances/export.xlsx?communityId=${pick(c, s).community.id}` }),
    inside: [...readers, 'unit_contact'],
    outside: [...readers, 'unit_contact'],
  },
  {
    name: "GET a unit's point ledger",
    request: (c, s) => ({ method: 'GET', url: `/api/v1/unit-points/units/${pick(c, s).residentUnit.id}/entries?communityId=${pick(c, s).community.id}` }),
    inside: [...readers, 'unit_contact'],
    outside: ['city_admin', 'organization_officer'],
  },
  {
    name: "GET a unit's point ledger as Excel",
    request: (c, s) => ({ method: 'GET', url: `/api/v1/unit-points/units/${pick(c, s).residentUnit.id}/entries/export.xlsx?communityId=${pick(c, s).community.id}` }),
    inside: [...readers, 'unit_contact'],
    outside: ['city_admin', 'organization_officer'],
  },
  {
    name: 'POST unit point adjustment',
    request: (c, s) => ({ method: 'POST', url: `/api/v1/unit-points/units/${pick(c, s).residentUnit.id}/adjustments`, payload: { communityId: pick(c, s).community.id, points: 1, note: '矩阵测试加分' } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
];
