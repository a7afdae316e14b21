import { sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import type { BookingStatus } from './shared-resources-lifecycle.ts';

export interface ResourceRow {
  id: number;
  cityId: number;
  communityId: number;
  communityName: string;
  regionPath: string;
  ownerUnitId: number | null;
  ownerUnitName: string | null;
  kind: string;
  name: string;
  description: string;
  location: string | null;
  terms: 'free' | 'low_cost' | 'paid';
  priceNote: string | null;
  requiresApproval: boolean;
  capacity: number | null;
  active: boolean;
  upcomingBookings: number;
  pendingBookings: number;
  createdAt: string;
}

const toResource = (r: Record<string, unknown>): ResourceRow => ({
  id: Number(r.id),
  cityId: Number(r.city_id),
  communityId: Number(r.community_id),
  communityName: r.community_name as string,
  regionPath: r.region_path as string,
  ownerUnitId: r.owner_unit_id === null ? null : Number(r.owner_unit_id),
  ownerUnitName: (r.owner_unit_name as string | null) ?? null,
  kind: r.kind as string,
  name: r.name as string,
  description: r.description as string,
  location: (r.location as string | null) ?? null,
  terms: r.terms as ResourceRow['terms'],
  priceNote: (r.price_note as string | null) ?? null,
  requiresApproval: Boolean(r.requires_approval),
  capacity: r.capacity === null ? null : Number(r.capacity),
  active: Boolean(r.active),
  upcomingBookings: Number(r.upcoming_bookings ?? 0),
  pendingBookings: Number(r.pending_bookings ?? 0),
  createdAt: new Date(r.created_at as string).toISOString(),
});

const resourceSelect = sql`
  SELECT r.*, c.name AS community_name, u.name AS owner_unit_name,
         (SELECT count(*) FROM resource_bookings b WHERE b.resource_id = r.id AND b.status IN ('pending','approved') AND upper(b.period) > now())::int AS upcoming_bookings,
         (SELECT count(*) FROM resource_bookings b WHERE b.resource_id = r.id AND b.status = 'pending')::int AS pending_bookings
    FROM shared_resources r JOIN region_nodes c ON c.id = r.community_id LEFT JOIN units u ON u.id = r.owner_unit_id`;

export async function findResource(database: Database, id: number, executor?: Executor): Promise<ResourceRow | null> {
  const [row] = await database.rows<Record<string, unknown>>(sql`${resourceSelect} WHERE r.id = ${id}`, executor);
  return row ? toResource(row) : null;
}

export async function listResources(database: Database, where: SQL[], page: { limit: number; offset: number } | { afterId: number; limit: number }) {
  const keyset = 'afterId' in page;
  const rows = await database.rows<Record<string, unknown>>(sql`
    SELECT x.*, ${keyset ? sql`0` : sql`count(*) OVER ()`}::int AS total FROM (${resourceSelect}) x
     WHERE ${sql.join(where, sql` AND `)} ${keyset ? sql`AND x.id > ${page.afterId}` : sql``}
     ORDER BY ${keyset ? sql`x.id` : sql`x.active DESC, x.community_name, x.kind, x.name, x.id`}
     LIMIT ${page.limit} ${keyset ? sql`` : sql`OFFSET ${page.offset}`}`);
  return { total: rows.length ? Number(rows[0].total) : 0, rows: rows.map(toResource) };
}

export interface NewResource {
  cityId: number;
  communityId: number;
  regionPath: string;
  ownerUnitId: number | null;
  kind: string;
  name: string;
  description: string;
  location: string | null;
  terms: string;
  priceNote: string | null;
  requiresApproval: boolean;
  capacity: number | null;
}

export async function insertResource(database: Database, executor: Executor, r: NewResource): Promise<number> {
  const [row] = await database.rows<{ id: number }>(
    sql`INSERT INTO shared_resources (city_id, community_id, region_path, owner_unit_id, kind, name, description, location, terms, price_note, requires_approval, capacity)
        VALUES (${r.cityId}, ${r.communityId}, ${r.regionPath}, ${r.ownerUnitId}, ${r.kind}, ${r.name}, ${r.description}, ${r.location}, ${r.terms}, ${r.priceNote}, ${r.requiresApproval}, ${r.capacity})
        RETURNING id`,
    executor,
  );
  return Number(row.id);
}

const columnOf: Record<string, string> = {
  kind: 'kind',
  name: 'name',
  description: 'description',
  location: 'location',
  terms: 'terms',
  priceNote: 'price_note',
  requiresApproval: 'requires_approval',
  capacity: 'capacity',
  active: 'active',
};

export async function updateResource(database: Database, executor: Executor, id: number, changes: Record<string, unknown>): Promise<void> {
  const sets = Object.entries(changes)
    .filter(([key]) => key in columnOf)
    .map(([key, value]) => sql`${sql.identifier(columnOf[key])} = ${value}`);
  if (sets.length === 0) return;
  await database.rows(sql`UPDATE shared_resources SET ${sql.join(sets, sql`, `)} WHERE id = ${id}`, executor);
}

// ---------- bookings ----------

export interface BookingRow {
  id: number;
  cityId: number;
  resourceId: number;
  resourceName: string;
  resourceKind: string;
  communityName: string;
  ownerUnitId: number | null;
  regionPath: string;
  bookerUnitId: number | null;
  bookerUserId: number | null;
  bookerLabel: string;
  purpose: string;
  from: string;
  to: string;
  status: BookingStatus;
  decidedByName: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  createdAt: string;
}

const toBooking = (r: Record<string, unknown>): BookingRow => ({
  id: Number(r.id),
  cityId: Number(r.city_id),
  resourceId: Number(r.resource_id),
  resourceName: r.resource_name as string,
  resourceKind: r.resource_kind as string,
  communityName: r.community_name as string,
  ownerUnitId: r.owner_unit_id === null ? null : Number(r.owner_unit_id),
  regionPath: r.region_path as string,
  bookerUnitId: r.booker_unit_id === null ? null : Number(r.booker_unit_id),
  bookerUserId: r.booker_user_id === null ? null : Number(r.booker_user_id),
  bookerLabel: r.booker_label as string,
  purpose: r.purpose as string,
  from: new Date(r.period_from as string).toISOString(),
  to: new Date(r.period_to as string).toISOString(),
  status: r.status as BookingStatus,
  decidedByName: (r.decided_by_name as string | null) ?? null,
  decidedAt: r.decided_at ? new Date(r.decided_at as string).toISOString() : null,
  decisionNote: (r.decision_note as string | null) ?? null,
  createdAt: new Date(r.created_at as string).toISOString(),
});

const bookingSelect = sql`
  SELECT b.id, b.city_id, b.resource_id, b.region_path, b.booker_unit_id, b.booker_user_id, b.booker_label, b.purpose, b.status,
         lower(b.period) AS period_from, upper(b.period) AS period_to, b.decided_at, b.decision_note, b.created_at,
         r.name AS resource_name, r.kind AS resource_kind, r.owner_unit_id, c.name AS community_name, d.display_name AS decided_by_name
    FROM resource_bookings b JOIN shared_resources r ON r.id = b.resource_id JOIN region_nodes c ON c.id = r.community_id
    LEFT JOIN users d ON d.id = b.decided_by`;

export async function findBooking(database: Database, id: number, executor?: Executor, lock = false): Promise<BookingRow | null> {
  const [row] = await database.rows<Record<string, unknown>>(sql`${bookingSelect} WHERE b.id = ${id} ${lock ? sql`FOR UPDATE OF b` : sql``}`, executor);
  return row ? toBooking(row) : null;
}

export async function listBookings(database: Database, where: SQL[], page: { limit: number; offset: number } | { afterId: number; limit: number }) {
  const keyset = 'afterId' in page;
  const rows = await database.rows<Record<string, unknown>>(sql`
    SELECT x.*, ${keyset ? sql`0` : sql`count(*) OVER ()`}::int AS total FROM (${bookingSelect}) x
     WHERE ${sql.join(where, sql` AND `)} ${keyset ? sql`AND x.id > ${page.afterId}` : sql``}
     ORDER BY ${keyset ? sql`x.id` : sql`x.period_from DESC, x.id DESC`}
     LIMIT ${page.limit} ${keyset ? sql`` : sql`OFFSET ${page.offset}`}`);
  return { total: rows.length ? Number(rows[0].total) : 0, rows: rows.map(toBooking) };
}

/** Bookings of a resource whose period overlaps [from, to), earliest first (the calendar). */
export async function bookingsOverlapping(database: Database, resourceId: number, from: string, to: string, liveOnly: boolean, executor?: Executor): Promise<BookingRow[]> {
  const rows = await database.rows<Record<string, unknown>>(
    sql`${bookingSelect} WHERE b.resource_id = ${resourceId} AND b.period && tstzrange(${from}::timestamptz, ${to}::timestamptz, '[)')
        ${liveOnly ? sql`AND b.status IN ('pending','approved')` : sql``} ORDER BY lower(b.period), b.id LIMIT 500`,
    executor,
  );
  return rows.map(toBooking);
}

export interface NewBooking {
  cityId: number;
  resourceId: number;
  regionPath: string;
  bookerUnitId: number | null;
  bookerUserId: number;
  bookerLabel: string;
  purpose: string;
  from: string;
  to: string;
  status: BookingStatus;
  decidedBy: number | null;
}

/** The insert the exclusion constraint `resource_bookings_no_overlap` judges: a clash fails with SQLSTATE 23P01. */
export async function insertBooking(database: Database, executor: Executor, b: NewBooking): Promise<number> {
  const [row] = await database.rows<{ id: number }>(
    sql`INSERT INTO resource_bookings (city_id, resource_id, region_path, booker_unit_id, booker_user_id, booker_label, purpose, period, status, decided_by, decided_at)
        VALUES (${b.cityId}, ${b.resourceId}, ${b.regionPath}, ${b.bookerUnitId}, ${b.bookerUserId}, ${b.bookerLabel}, ${b.purpose},
                tstzrange(${b.from}::timestamptz, ${b.to}::timestamptz, '[)'), ${b.status}, ${b.decidedBy}, ${b.decidedBy === null ? null : sql`now()`})
        RETURNING id`,
    executor,
  );
  return Number(row.id);
}

export async function setBookingStatus(
  database: Database,
  executor: Executor,
  id: number,
  from: BookingStatus,
  to: BookingStatus,
  decision: { userId: number; note: string | null } | null,
): Promise<boolean> {
  const rows = await database.rows(
    sql`UPDATE resource_bookings SET status = ${to}
          ${decision ? sql`, decided_by = ${decision.userId}, decided_at = now(), decision_note = ${decision.note}` : sql``}
        WHERE id = ${id} AND status = ${from} RETURNING id`,
    executor,
  );
  return rows.length > 0;
}
