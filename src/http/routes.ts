import type { AppContext } from '../context.ts';
import type { App } from './types.ts';
import { authRoutes } from '../modules/auth/auth.routes.ts';
import { geographyRoutes, regionRoutes } from '../modules/regions/regions.routes.ts';
import { peopleRoutes } from '../modules/people/people.routes.ts';
import { partyRoutes } from '../modules/party/party.routes.ts';
import { unitRoutes } from '../modules/units/units.routes.ts';
import { userRoutes } from '../modules/users/users.routes.ts';
import { auditRoutes } from '../modules/audit/audit.routes.ts';
import { importRoutes } from '../modules/imports/import.routes.ts';
import { caseRoutes } from '../modules/cases/cases.routes.ts';

/** Every module's routes, registered in this order. */
export const routeModules: Array<(app: App, context: AppContext) => void> = [authRoutes, regionRoutes, geographyRoutes, peopleRoutes, partyRoutes, unitRoutes, userRoutes, auditRoutes, importRoutes, caseRoutes];
