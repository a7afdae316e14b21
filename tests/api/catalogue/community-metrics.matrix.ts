import { pick, type MatrixCatalogue } from './types.ts';
import type { Role } from '../../../src/db/schema/index.ts';

/** The command centre's readers of a community (the grid head's figures stop at its grid). */
const communityReaders: Role[] = ['dispatcher', 'street_officer', 'district_admin', 'city_admin', 'organization_officer'];
const streetReaders: Role[] = ['street_officer', 'district_admin', 'city_admin', 'organization_officer'];
const everywhere: Role[] = ['city_admin', 'organization_officer'];

export const rows: MatrixCatalogue['rows'] = [
  { name: 'GET community-service figures of a community', request: (c, s) => ({ method: 'GET', url: `/api/v1/community-metrics?node=region:${pick(c, s).community.id}&from=2026-01` }), inside: communityReaders, outside: everywhere },
  {
    name: 'GET community-service rankings of a street',
    request: (c, s) => ({ method: 'GET', url: `/api/v1/community-metrics/rankings?node=region:${pick(c, s).street.id}&level=community&from=2026-01&sort=gridWork.disputesFound` }),
    inside: streetReaders,
    outside: everywhere,
  },
  { name: 'GET community-service figures as Excel', request: (c, s) => ({ method: 'GET', url: `/api/v1/community-metrics/export.xlsx?node=region:${pick(c, s).community.id}&from=2026-01` }), inside: communityReaders, outside: everywhere },
];
