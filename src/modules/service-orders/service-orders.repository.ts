import { sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';

/** seed 004: the kinds of service a community offers to order (服务事项清单), in display order. */
export const defaultServiceCategories: ReadonlyArray<{ code: string; name: string }> = [
  { code: 'child_growth', name: '儿童成长' },
  { code: 'home_elderly_care', name: '居家养老' },
  { code: 'legal_aid', name: '法律援助' },
  { code: 'health_check', name: '健康体检' },
  { code: 'errands', name: '代买代办' },
  { code: 'meal_assistance', name: '助餐' },
  { code: 'bathing_assistance', name: '助浴' },
  { code: 'cleaning_assistance', name: '助洁' },
  { code: 'counselling', name: '心理疏导' },
  { code: 'employment_support', name: '就业帮扶' },
  { code: 'policy_consultation', name: '政策咨询' },
  { code: 'appliance_repair', name: '家电维修' },
  { code: 'haircut', name: '理发' },
  { code: 'hospital_escort', name: '陪诊' },
  { code: 'disability_assistance', name: '助残' },
  { code: 'temporary_care', name: '临时看护' },
  { code: 'homework_tutoring', name: '课业辅导' },
  { code: 'culture_sports', name: '文体活动' },
  { code: 'dispute_mediation', name: '矛盾调解' },
  { code: 'document_errands', name: '证件代办' },
  { code: 'medicine_delivery', name: '送医送药' },
  { code: 'anti_fraud_education', name: '防诈宣传' },
];

/** The default categories of a city, inserted once (a category a city renamed or deactivated is left alone). */
export async function ensureServiceCategories(database: Database, executor: Executor, cityId: number): Promise<void> {
  const values = defaultServiceCategories.map((c, i) => sql`(${cityId}, ${c.code}, ${c.name}, ${(i + 1) * 10})`);
  await database.rows(sql`INSERT INTO service_categories (city_id, code, name, sort_order) VALUES ${sql.join(values, sql`, `)}
    ON CONFLICT (city_id, code) DO NOTHING`, executor);
}

export interface CategoryRow {
  id: number;
  code: string;
  name: string;
  sort_order: number;
  active: boolean;
}

export const categoriesOfCity = (database: Database, cityId: number, executor?: Executor) =>
  database.rows<CategoryRow>(sql`SELECT id, code, name, sort_order, active FROM service_categories WHERE city_id = ${cityId} ORDER BY sort_order, id`, executor);

export async function hasCategories(database: Database, cityId: number): Promise<boolean> {
  const [row] = await database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM service_categories WHERE city_id = ${cityId}`);
  return Number(row.n) > 0;
}

export async function categoryOfCity(database: Database, executor: Executor, cityId: number, categoryId: number) {
  const [row] = await database.rows<CategoryRow>(sql`SELECT id, code, name, sort_order, active FROM service_categories WHERE id = ${categoryId} AND city_id = ${cityId}`, executor);
  return row ?? null;
}

// ── Offerings ──────────────────────────────────────────────────────────────────────────────────────

export interface OfferingRow {
  id: number;
  city_id: number;
  category_id: number;
  category_name: string;
  region_node_id: number;
  region_path: string;
  region_name: string;
  name: string;
  description: string;
  hours: string | null;
  active: boolean;
  created_at: string;
}

const offeringSelect = sql`SELECT o.id, o.city_id, o.category_id, c.name AS category_name, o.region_node_id, o.region_path, n.name AS region_name,
    o.name, o.description, o.hours, o.active, o.created_at
  FROM service_offerings o JOIN service_categories c ON c.id = o.category_id JOIN region_nodes n ON n.id = o.region_node_id`;

export async function offeringsPage(database: Database, where: SQL, limit: number, offset: number) {
  const [items, [count]] = await Promise.all([
    database.rows<OfferingRow>(sql`${offeringSelect} WHERE ${where} ORDER BY o.active DESC, c.sort_order, o.id LIMIT ${limit} OFFSET ${offset}`),
    database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM service_offerings o WHERE ${where}`),
  ]);
  return { items, total: Number(count.n) };
}

export const offeringsAfter = (database: Database, where: SQL, afterId: number, size: number) =>
  database.rows<OfferingRow>(sql`${offeringSelect} WHERE ${where} AND o.id > ${afterId} ORDER BY o.id LIMIT ${size}`);

export async function findOffering(database: Database, id: number, executor?: Executor, forUpdate = false) {
  const [row] = await database.rows<OfferingRow>(sql`${offeringSelect} WHERE o.id = ${id} ${forUpdate ? sql`FOR UPDATE OF o` : sql``}`, executor);
  return row ?? null;
}

export async function insertOffering(
  database: Database,
  executor: Executor,
  input: { cityId: number; categoryId: number; regionNodeId: number; regionPath: string; name: string; description: string; hours: string | null; createdBy: number },
) {
  const [row] = await database.rows<{ id: number }>(sql`INSERT INTO service_offerings (city_id, category_id, region_node_id, region_path, name, description, hours, created_by)
    VALUES (${input.cityId}, ${input.categoryId}, ${input.regionNodeId}, ${input.regionPath}, ${input.name}, ${input.description}, ${input.hours}, ${input.createdBy}) RETURNING id`, executor);
  return Number(row.id);
}

export async function updateOffering(database: Database, executor: Executor, id: number, changes: { categoryId?: number; name?: string; description?: string; hours?: string | null; active?: boolean }) {
  const sets: SQL[] = [];
  if (changes.categoryId !== undefined) sets.push(sql`category_id = ${changes.categoryId}`);
  if (changes.name !== undefined) sets.push(sql`name = ${changes.name}`);
  if (changes.description !== undefined) sets.push(sql`description = ${changes.description}`);
  if (changes.hours !== undefined) sets.push(sql`hours = ${changes.hours}`);
  if (changes.active !== undefined) sets.push(sql`active = ${changes.active}`);
  if (sets.length) await database.rows(sql`UPDATE service_offerings SET ${sql.join(sets, sql`, `)} WHERE id = ${id}`, executor);
}

/** Active offerings a resident at `placePath` may order: those of the place's community and of the areas above it. */
export const offeringsForPlace = (database: Database, cityId: number, placePath: string) =>
  database.rows<OfferingRow & { category_code: string; category_sort: number }>(sql`
    SELECT o.id, o.city_id, o.category_id, c.name AS category_name, c.code AS category_code, c.sort_order AS category_sort, o.region_node_id, o.region_path,
           n.name AS region_name, o.name, o.description, o.hours, o.active, o.created_at
    FROM service_offerings o JOIN service_categories c ON c.id = o.category_id AND c.active JOIN region_nodes n ON n.id = o.region_node_id
    WHERE o.city_id = ${cityId} AND o.active AND ${placePath} LIKE o.region_path || '%'
    ORDER BY c.sort_order, o.id`);

// ── Places (the QR code on a building or grid) ───────────────────────────────────────────────────────

export interface PlaceRow {
  id: number;
  city_id: number;
  level: 'building' | 'grid';
  name: string;
  path: string;
  address: string | null;
}

export async function placesByCode(database: Database, code: string, executor?: Executor) {
  return database.rows<PlaceRow>(sql`SELECT id, city_id, level, name, path, address FROM region_nodes
    WHERE code = ${code} AND valid_to IS NULL AND level IN ('building', 'grid') LIMIT 2`, executor);
}

// ── Orders ─────────────────────────────────────────────────────────────────────────────────────────

export interface OrderRow {
  id: number;
  city_id: number;
  number: string;
  offering_id: number;
  offering_name: string;
  offering_hours: string | null;
  category_id: number;
  category_name: string;
  community_id: number;
  community_name: string;
  community_path: string;
  region_path: string;
  building_id: number | null;
  resident_name: string;
  resident_phone: string;
  address: string | null;
  description: string;
  preferred_time: string | null;
  status: import('./service-orders-lifecycle.ts').ServiceOrderStatus;
  assignee_party_member_id: number | null;
  assignee_volunteer_id: number | null;
  assignee_name: string | null;
  dispatched_at: string | null;
  accepted_at: string | null;
  completed_at: string | null;
  completion_note: string | null;
  confirmed_at: string | null;
  rating: number | null;
  rating_comment: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

const orderSelect = sql`SELECT so.id, so.city_id, so.number, so.offering_id, o.name AS offering_name, o.hours AS offering_hours, so.category_id, c.name AS category_name,
    so.community_id, cm.name AS community_name, cm.path AS community_path, so.region_path, so.building_id, so.resident_name, so.resident_phone, so.address,
    so.description, so.preferred_time, so.status, so.assignee_party_member_id, so.assignee_volunteer_id, coalesce(pm.name, v.name) AS assignee_name,
    so.dispatched_at, so.accepted_at, so.completed_at, so.completion_note, so.confirmed_at, so.rating, so.rating_comment, so.version, so.created_at, so.updated_at
  FROM service_orders so
  JOIN service_offerings o ON o.id = so.offering_id
  JOIN service_categories c ON c.id = so.category_id
  JOIN region_nodes cm ON cm.id = so.community_id
  LEFT JOIN party_members pm ON pm.id = so.assignee_party_member_id
  LEFT JOIN volunteers v ON v.id = so.assignee_volunteer_id`;

/** One order; `forUpdate` locks it for the caller's transaction (actions are serialised per order). */
export async function findOrder(database: Database, id: number, executor?: Executor, forUpdate = false) {
  const [row] = await database.rows<OrderRow>(sql`${orderSelect} WHERE so.id = ${id} ${forUpdate ? sql`FOR UPDATE OF so` : sql``}`, executor);
  return row ?? null;
}

export async function orderIdByTokenHash(database: Database, hash: string) {
  const [row] = await database.rows<{ id: number }>(sql`SELECT id FROM service_orders WHERE tracking_token_hash = ${hash}`);
  return row ? Number(row.id) : null;
}

export async function ordersPage(database: Database, where: SQL, limit: number, offset: number) {
  const [items, [count]] = await Promise.all([
    database.rows<OrderRow>(sql`${orderSelect} WHERE ${where} ORDER BY so.id DESC LIMIT ${limit} OFFSET ${offset}`),
    database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM service_orders so JOIN service_offerings o ON o.id = so.offering_id WHERE ${where}`),
  ]);
  return { items, total: Number(count.n) };
}

export const ordersAfter = (database: Database, where: SQL, afterId: number, size: number) =>
  database.rows<OrderRow>(sql`${orderSelect} WHERE ${where} AND so.id > ${afterId} ORDER BY so.id LIMIT ${size}`);

export async function insertOrder(
  database: Database,
  executor: Executor,
  input: {
    cityId: number; number: string; tokenHash: string; offeringId: number; categoryId: number; communityId: number; regionPath: string; buildingId: number | null;
    residentName: string; residentPhone: string; address: string | null; description: string; preferredTime: string | null;
  },
) {
  const [row] = await database.rows<{ id: number }>(sql`INSERT INTO service_orders (city_id, number, tracking_token_hash, offering_id, category_id, community_id, region_path, building_id,
      resident_name, resident_phone, address, description, preferred_time)
    VALUES (${input.cityId}, ${input.number}, ${input.tokenHash}, ${input.offeringId}, ${input.categoryId}, ${input.communityId}, ${input.regionPath}, ${input.buildingId},
      ${input.residentName}, ${input.residentPhone}, ${input.address}, ${input.description}, ${input.preferredTime}) RETURNING id`, executor);
  return Number(row.id);
}

/**
 * Moves an order to `status` if it still has the version the caller read (a concurrent change → no row).
 * Returns the new version, or null on a lost race.
 */
export async function updateOrderStatus(database: Database, executor: Executor, id: number, version: number, status: string, changes: SQL[]) {
  const rows = await database.rows<{ version: number }>(sql`UPDATE service_orders
    SET status = ${status}, version = version + 1, updated_at = now() ${changes.length ? sql`, ${sql.join(changes, sql`, `)}` : sql``}
    WHERE id = ${id} AND version = ${version} RETURNING version`, executor);
  return rows.length ? Number(rows[0].version) : null;
}

// ── Who may serve ──────────────────────────────────────────────────────────────────────────────────

/** Is the party member reported (active 双报到 registration) to the community? */
export async function isReportedMember(database: Database, executor: Executor, communityId: number, partyMemberId: number) {
  const [row] = await database.rows<{ ok: boolean }>(sql`SELECT EXISTS (SELECT 1 FROM dual_registrations
    WHERE community_id = ${communityId} AND party_member_id = ${partyMemberId} AND kind = 'member' AND status = 'active') AS ok`, executor);
  return Boolean(row.ok);
}

export async function volunteerOfCommunity(database: Database, executor: Executor, cityId: number, volunteerId: number, communityPath: string) {
  const [row] = await database.rows<{ id: number; name: string; user_id: number | null }>(sql`SELECT id, name, user_id FROM volunteers
    WHERE id = ${volunteerId} AND city_id = ${cityId} AND status = 'active' AND region_path LIKE ${communityPath + '%'}`, executor);
  return row ?? null;
}

/** The logins that act for an assignee: users of the party member, the volunteer's own user. */
export async function assigneeUserIds(database: Database, order: Pick<OrderRow, 'assignee_party_member_id' | 'assignee_volunteer_id'>, executor?: Executor): Promise<number[]> {
  if (!order.assignee_party_member_id && !order.assignee_volunteer_id) return [];
  const rows = await database.rows<{ id: number }>(sql`
    SELECT u.id FROM users u WHERE u.status = 'active' AND u.party_member_id = ${order.assignee_party_member_id ?? 0}
    UNION SELECT v.user_id FROM volunteers v WHERE v.id = ${order.assignee_volunteer_id ?? 0} AND v.user_id IS NOT NULL`, executor);
  return rows.map((r) => Number(r.id));
}

export interface CandidateRow {
  kind: 'party_member' | 'volunteer';
  id: number;
  name: string;
  skills: string | null;
  open_orders: number;
  has_account: boolean;
}

/** Party members reported to the community and its active volunteers, with the orders each holds now. */
export const dispatchCandidates = (database: Database, cityId: number, communityId: number, communityPath: string) =>
  database.rows<CandidateRow>(sql`
    SELECT 'party_member' AS kind, pm.id, pm.name, NULL AS skills,
           (SELECT count(*) FROM service_orders so WHERE so.assignee_party_member_id = pm.id AND so.status IN ('dispatched', 'accepted'))::int AS open_orders,
           EXISTS (SELECT 1 FROM users u WHERE u.party_member_id = pm.id AND u.status = 'active') AS has_account
    FROM dual_registrations dr JOIN party_members pm ON pm.id = dr.party_member_id
    WHERE dr.city_id = ${cityId} AND dr.community_id = ${communityId} AND dr.kind = 'member' AND dr.status = 'active'
    UNION ALL
    SELECT 'volunteer' AS kind, v.id, v.name, v.skills,
           (SELECT count(*) FROM service_orders so WHERE so.assignee_volunteer_id = v.id AND so.status IN ('dispatched', 'accepted'))::int AS open_orders,
           v.user_id IS NOT NULL AS has_account
    FROM volunteers v
    WHERE v.city_id = ${cityId} AND v.status = 'active' AND v.region_path LIKE ${communityPath + '%'}
    ORDER BY open_orders, kind, id`);

/** The volunteer records of a user (a volunteer with a login sees the orders given to them). */
export async function volunteerIdsOfUser(database: Database, userId: number) {
  const rows = await database.rows<{ id: number }>(sql`SELECT id FROM volunteers WHERE user_id = ${userId}`);
  return rows.map((r) => Number(r.id));
}

// ── In-app notice and public timeline ─────────────────────────────────────────────────────────────

/**
 * The assignee's in-app notice, in the dispatch's transaction: an outbox row already marked delivered
 * (nothing for the worker to send) and the inbox row it stands for.
 */
export async function notifyUsers(database: Database, executor: Executor, input: { cityId: number; eventKey: string; userIds: number[]; title: string; body: string; payload: Record<string, unknown> }) {
  for (const userId of input.userIds) {
    await database.rows(sql`WITH o AS (
        INSERT INTO outbox (city_id, event_key, channel, recipient, recipient_user_id, template, payload, status, delivered_at)
        VALUES (${input.cityId}, ${input.eventKey}, 'in_app', ${`user:${userId}`}, ${userId}, 'service_order.dispatched', ${JSON.stringify(input.payload)}::jsonb, 'delivered', now())
        ON CONFLICT (event_key, channel, recipient) DO NOTHING RETURNING id)
      INSERT INTO notifications (city_id, user_id, outbox_id, title, body) SELECT ${input.cityId}, ${userId}, o.id, ${input.title}, ${input.body} FROM o`, executor);
  }
}

export const publicEvents = (database: Database, orderId: number) =>
  database.rows<{ action: string; to_status: string | null; actor_user_id: number | null; note: string | null; created_at: string }>(sql`
    SELECT action, to_status, actor_user_id, note, created_at FROM item_events WHERE subject_type = 'service_order' AND subject_id = ${orderId} ORDER BY id`);
