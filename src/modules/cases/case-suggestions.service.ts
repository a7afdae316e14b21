import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Actor } from '../policy/actor.ts';
import { caseReadCondition, readableCase } from './case-board.service.ts';

/** How near (metres) and how recent (days) another open case must be to count as a possible duplicate. */
export const DUPLICATE_RADIUS_METERS = 300;
export const DUPLICATE_WINDOW_DAYS = 30;
const DUPLICATE_LIMIT = 10;
/** Case statuses that are out of the loop: never offered as duplicates. */
const finished = ['closed', 'declined', 'merged'];

/** Great-circle distance in metres between two WGS-84 points, in SQL (no PostGIS needed). */
const haversine = (lng1: unknown, lat1: unknown, lng2: unknown, lat2: unknown) =>
  sql`(2 * 6371008.8 * asin(least(1, sqrt(power(sin(radians(${lat2} - ${lat1}) / 2), 2)
      + cos(radians(${lat1})) * cos(radians(${lat2})) * power(sin(radians(${lng2} - ${lng1}) / 2), 2)))))`;

/**
 * What the board suggests for one case: the grid workers of its grid (fewest open tasks first, the order
 * dispatch uses when no assignee is named), and open
 * cases of the same category nearby (within 300 m of the point, or in the same building — or grid, when
 * there is no point) from the last 30 days, nearest first. Both are limited to what the actor may read.
 */
export async function caseSuggestions(context: AppContext, actor: Actor, caseId: number) {
  const subject = await readableCase(context, actor, caseId);
  // The point duplicates are measured from: the reported point, else the building's centroid.
  const [subjectLng, subjectLat] = subject.lng !== null && subject.lat !== null ? [subject.lng, subject.lat] : [subject.building_lng, subject.building_lat];

  const gridWorkers =
    subject.grid_id === null
      ? []
      : await context.database.rows<{ user_id: number; display_name: string; open_tasks: number }>(sql`
          SELECT u.id AS user_id, u.display_name,
            (SELECT count(*)::int FROM case_tasks t WHERE t.assignee_user_id = u.id AND t.status = 'open') AS open_tasks
          FROM users u
          WHERE u.status = 'active' AND u.city_id = ${Number(subject.city_id)}
            AND EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id = u.id AND ra.role = 'grid_worker' AND ra.region_node_id = ${Number(subject.grid_id)})
          ORDER BY open_tasks, u.id`);

  // Candidate point: the reported point, else the building's centroid (as for the subject).
  const candidateLng = sql`coalesce(CASE WHEN c.lat IS NOT NULL THEN c.lng END, b.centroid_lng)`;
  const candidateLat = sql`coalesce(CASE WHEN c.lng IS NOT NULL THEN c.lat END, b.centroid_lat)`;
  const hasPoint = subjectLng !== null && subjectLat !== null && subjectLng !== undefined && subjectLat !== undefined;
  const distance = hasPoint ? haversine(Number(subjectLng), Number(subjectLat), candidateLng, candidateLat) : sql`NULL::double precision`;
  const near = [
    hasPoint ? sql`(${candidateLng} IS NOT NULL AND ${candidateLat} IS NOT NULL AND ${distance} <= ${DUPLICATE_RADIUS_METERS})` : null,
    subject.building_id !== null ? sql`c.building_id = ${Number(subject.building_id)}` : null,
    // With no point to measure from, the same grid is as near as we can tell; so for candidates with no point.
    subject.grid_id !== null ? (hasPoint ? sql`(c.grid_id = ${Number(subject.grid_id)} AND ${candidateLng} IS NULL)` : sql`c.grid_id = ${Number(subject.grid_id)}`) : null,
  ].filter((part) => part !== null);
  const duplicates =
    subject.category_id === null || near.length === 0
      ? []
      : await context.database.rows<Record<string, unknown>>(sql`
          SELECT c.id, c.number, c.title, c.status, c.triage_color, c.created_at, ${distance} AS distance_meters
          FROM cases c LEFT JOIN region_nodes b ON b.id = c.building_id
          WHERE ${caseReadCondition(actor)} AND c.city_id = ${Number(subject.city_id)} AND c.id <> ${caseId}
            AND c.category_id = ${Number(subject.category_id)}
            AND c.status NOT IN (${sql.join(finished.map((s) => sql`${s}`), sql`, `)})
            AND c.created_at >= now() - ${sql.raw(`interval '${DUPLICATE_WINDOW_DAYS} days'`)}
            AND (${sql.join(near, sql` OR `)})
          ORDER BY distance_meters ASC NULLS LAST, c.created_at DESC, c.id DESC
          LIMIT ${DUPLICATE_LIMIT}`);

  return {
    gridWorkers: gridWorkers.map((w) => ({ userId: Number(w.user_id), displayName: w.display_name, openTasks: Number(w.open_tasks) })),
    duplicates: duplicates.map((d) => ({
      id: Number(d.id),
      number: d.number as string,
      title: d.title as string,
      status: d.status as string,
      triageColor: d.triage_color as string,
      distanceMeters: d.distance_meters === null ? null : Math.round(Number(d.distance_meters)),
      createdAt: new Date(d.created_at as string).toISOString(),
    })),
  };
}
