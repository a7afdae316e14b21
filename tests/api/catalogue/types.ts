import type { Role } from '../../../src/db/schema/index.ts';
import type { buildScopedCity } from '../../support/factories.ts';
import type { TestApp } from '../../support/test-app.ts';

/**
 * Module catalogues for the two cross-cutting API tests: each module adds `<module>.fuzz.ts` (its routes for
 * validation-fuzz, and the tables the fuzz must find unchanged) and `<module>.matrix.ts` (policy-matrix rows,
 * with an optional setup that creates the records the rows point at). The tests load them all by glob.
 */
export type City = Awaited<ReturnType<typeof buildScopedCity>>;
export type Side = 'inside' | 'outside';
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface FuzzRoute {
  method: Method;
  path: string;
  /** Has a JSON body schema with additionalProperties: false. */
  body?: (city: City) => Record<string, unknown>;
  /** Has a querystring schema with additionalProperties: false. */
  query?: Record<string, string>;
  multipart?: boolean;
  /** A real id for the `:id` parameter, so the handler runs past the parameter check. */
  id?: (city: City) => number;
}

export interface FuzzCatalogue {
  routes: FuzzRoute[];
  /** Tables the module writes: the fuzz checks their row counts are unchanged. */
  tables: string[];
}

export interface MatrixRow {
  name: string;
  request: (city: City, side: Side, role: Role) => { method: Method; url: string; payload?: unknown };
  /** Roles that get a 2xx on side A's record (inside every regional role's scope) … */
  inside: Role[];
  /** … and on side B's (outside it). Everyone else must get 403 or 404. */
  outside: Role[];
}

export interface MatrixCatalogue {
  /** Creates the records the rows point at (after the scoped city exists, before any row runs). */
  setup?: (t: TestApp, city: City) => Promise<void>;
  rows: MatrixRow[];
}

/** Role groups, written out by hand like the matrix itself. */
export const field: Role[] = ['grid_worker', 'grid_head', 'building_head', 'household_link_head', 'dispatcher', 'street_officer', 'district_admin', 'city_admin'];
export const gridAndUp: Role[] = ['grid_worker', 'grid_head', 'dispatcher', 'street_officer', 'district_admin', 'city_admin'];
export const communityAndUp: Role[] = ['dispatcher', 'street_officer', 'district_admin', 'city_admin'];
export const pick = (city: City, side: Side) => (side === 'inside' ? city.a : city.b);
