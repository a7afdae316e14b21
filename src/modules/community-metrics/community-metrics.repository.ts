import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import type { MonthRange } from '../metrics/metrics.repository.ts';
import { rate, type NodeFigures } from './community-metrics.figures.ts';
import { chinaTodaySql } from '../../db/row-values.ts';

/** A region node the figures are for: everything whose region_path starts with its path counts. */
export interface FigureNode {
  id: number;
  path: string;
}

/**
 * The period's bounds: months are Asia/Shanghai months, so a record at 2026-03-31 23:30 +08 is March.
 * `quarterFrom`: the first day of the quarter holding the period's last month ("this quarter").
 */
export interface PeriodBounds {
  range: MonthRange;
  quarterFrom: string;
}

const start = (p: PeriodBounds) => sql`((${p.range.from}::date)::timestamp AT TIME ZONE 'Asia/Shanghai')`;
const end = (p: PeriodBounds) => sql`((${p.range.to}::date)::timestamp AT TIME ZONE 'Asia/Shanghai')`;
const inPeriod = (column: SQL, p: PeriodBounds) => sql`${column} >= ${start(p)} AND ${column} < ${end(p)}`;
const daysInPeriod = (column: SQL, p: PeriodBounds) => sql`${column} >= ${p.range.from}::date AND ${column} < ${p.range.to}::date`;

/** The nodes as a VALUES list; every area query is one statement over all of them (a node, or the children ranked). */
const nodeValues = (nodes: FigureNode[]) => sql`(VALUES ${sql.join(nodes.map((n) => sql`(${n.id}::bigint, ${n.path}::text)`), sql`, `)}) AS n(id, path)`;
const under = (column: SQL) => sql`${column} LIKE n.path || '%'`;

type Row = Record<string, unknown>;
const num = (value: unknown) => Number(value ?? 0);

async function perNode(database: Database, _cityId: number, nodes: FigureNode[], lateral: SQL): Promise<Map<number, Row>> {
  const rows = await database.rows<Row>(sql`SELECT n.id AS node_id, a.* FROM ${nodeValues(nodes)} CROSS JOIN LATERAL (${lateral}) a`);
  return new Map(rows.map((r) => [Number(r.node_id), r]));
}

/** Items created in the period (withdrawn ones left out); claimed and delivered: of those, how many got that far. */
function lists(database: Database, cityId: number, nodes: FigureNode[], p: PeriodBounds) {
  return perNode(database, cityId, nodes, sql`
    SELECT count(*) FILTER (WHERE t.list_kind = 'need')::int AS needs_posted,
           count(t.claimed_at) FILTER (WHERE t.list_kind = 'need')::int AS needs_claimed,
           count(t.delivered_at) FILTER (WHERE t.list_kind = 'need')::int AS needs_delivered,
           count(*) FILTER (WHERE t.list_kind = 'problem')::int AS problems_posted,
           count(t.delivered_at) FILTER (WHERE t.list_kind = 'problem')::int AS problems_delivered,
           count(*) FILTER (WHERE t.list_kind = 'service')::int AS services_posted,
           count(t.claimed_at) FILTER (WHERE t.list_kind = 'service')::int AS services_claimed,
           count(t.delivered_at) FILTER (WHERE t.list_kind = 'service')::int AS services_delivered,
           count(*)::int AS posted, count(t.claimed_at)::int AS claimed, count(t.delivered_at)::int AS delivered
      FROM community_list_items t
     WHERE t.city_id = ${cityId} AND ${under(sql`t.region_path`)} AND t.status <> 'withdrawn' AND ${inPeriod(sql`t.created_at`, p)}`);
}

/** Orders placed in the period and how far they got. */
function orders(database: Database, cityId: number, nodes: FigureNode[], p: PeriodBounds) {
  return perNode(database, cityId, nodes, sql`
    SELECT count(*)::int AS ordered, count(t.completed_at)::int AS completed, count(t.confirmed_at)::int AS confirmed,
           count(*) FILTER (WHERE t.status IN ('cancelled', 'declined'))::int AS cancelled, avg(t.rating)::float8 AS average_rating
      FROM service_orders t
     WHERE t.city_id = ${cityId} AND ${under(sql`t.region_path`)} AND ${inPeriod(sql`t.created_at`, p)}`);
}

function wishes(database: Database, cityId: number, nodes: FigureNode[], p: PeriodBounds) {
  return perNode(database, cityId, nodes, sql`
    SELECT count(*)::int AS posted, count(t.claimed_at)::int AS claimed, count(t.fulfilled_at)::int AS fulfilled, count(t.confirmed_at)::int AS confirmed
      FROM micro_wishes t
     WHERE t.city_id = ${cityId} AND ${under(sql`t.region_path`)} AND t.status <> 'withdrawn' AND ${inPeriod(sql`t.created_at`, p)}`);
}

/** Registrations active at the period's end; members who logged hours in the quarter of its last month; hours in the period. */
function dualReporting(database: Database, cityId: number, nodes: FigureNode[], p: PeriodBounds) {
  return perNode(database, cityId, nodes, sql`
    SELECT r.members, r.organizations, s.served, h.hours FROM
      (SELECT count(*) FILTER (WHERE t.kind = 'member')::int AS members, count(*) FILTER (WHERE t.kind = 'organization')::int AS organizations
         FROM dual_registrations t
        WHERE t.city_id = ${cityId} AND ${under(sql`t.region_path`)} AND t.registered_at < ${end(p)}
          AND (t.status = 'active' OR t.ended_at >= ${end(p)})) r,
      (SELECT count(DISTINCT t.party_member_id)::int AS served FROM service_hours t
        WHERE t.city_id = ${cityId} AND ${under(sql`t.region_path`)} AND t.party_member_id IS NOT NULL
          AND t.served_on >= ${p.quarterFrom}::date AND t.served_on < (${p.quarterFrom}::date + interval '3 months')::date
          AND EXISTS (SELECT 1 FROM dual_registrations d WHERE d.party_member_id = t.party_member_id AND d.community_id = t.community_id
                      AND d.registered_at < ${end(p)} AND (d.status = 'active' OR d.ended_at >= ${end(p)}))) s,
      (SELECT coalesce(sum(t.hours), 0)::float8 AS hours FROM service_hours t
        WHERE t.city_id = ${cityId} AND ${under(sql`t.region_path`)} AND t.party_member_id IS NOT NULL AND ${daysInPeriod(sql`t.served_on`, p)}) h`);
}

function volunteers(database: Database, cityId: number, nodes: FigureNode[], p: PeriodBounds) {
  return perNode(database, cityId, nodes, sql`
    SELECT a.activities, v.active_volunteers, h.hours FROM
      (SELECT count(*)::int AS activities FROM volunteer_activities t
        WHERE t.city_id = ${cityId} AND ${under(sql`t.region_path`)} AND t.status <> 'cancelled' AND ${inPeriod(sql`t.starts_at`, p)}) a,
      (SELECT count(*)::int AS active_volunteers FROM volunteers t
        WHERE t.city_id = ${cityId} AND ${under(sql`t.region_path`)} AND t.status = 'active' AND t.created_at < ${end(p)}) v,
      (SELECT coalesce(sum(t.hours), 0)::float8 AS hours FROM service_hours t
        WHERE t.city_id = ${cityId} AND ${under(sql`t.region_path`)} AND t.volunteer_id IS NOT NULL AND ${daysInPeriod(sql`t.served_on`, p)}) h`);
}

/**
 * Standing now (not of the period): every resident unit of a community, and every unit with entries there,
 * at the community's base points plus its entries, against the community's two thresholds.
 */
function unitPoints(database: Database, cityId: number, nodes: FigureNode[]) {
  return perNode(database, cityId, nodes, sql`
    SELECT count(*)::int AS units,
           count(*) FILTER (WHERE b.balance < b.booking_minimum)::int AS restricted,
           count(*) FILTER (WHERE b.balance > b.honour_threshold)::int AS honoured
      FROM (SELECT p.path, coalesce(s.base_points, 80) + coalesce((SELECT sum(e.points) FROM unit_point_entries e WHERE e.unit_id = p.unit_id AND e.community_id = p.community_id), 0) AS balance,
                   coalesce(s.booking_minimum, 60) AS booking_minimum, coalesce(s.honour_threshold, 100) AS honour_threshold
              FROM (SELECT u.id AS unit_id, c.id AS community_id, c.path FROM units u JOIN region_nodes un ON un.id = u.region_node_id
                      JOIN region_nodes c ON c.level = 'community' AND c.city_id = u.city_id AND un.path LIKE c.path || '%'
                     WHERE u.city_id = ${cityId} AND u.kind = 'resident_unit' AND ${under(sql`un.path`)}
                    UNION
                    SELECT DISTINCT e.unit_id, e.community_id, c.path FROM unit_point_entries e JOIN region_nodes c ON c.id = e.community_id
                     WHERE e.city_id = ${cityId} AND ${under(sql`c.path`)}) p
              LEFT JOIN unit_point_settings s ON s.community_id = p.community_id) b`);
}

function bookings(database: Database, cityId: number, nodes: FigureNode[], p: PeriodBounds) {
  return perNode(database, cityId, nodes, sql`
    SELECT count(*)::int AS requested, count(*) FILTER (WHERE t.status = 'approved')::int AS approved,
           count(*) FILTER (WHERE t.status = 'pending')::int AS pending, count(*) FILTER (WHERE t.status = 'rejected')::int AS rejected
      FROM resource_bookings t
     WHERE t.city_id = ${cityId} AND ${under(sql`t.region_path`)} AND ${inPeriod(sql`t.created_at`, p)}`);
}

/** Meetings held in the period; items decided in it and how many are done; open items past due now. */
function coBuilding(database: Database, cityId: number, nodes: FigureNode[], p: PeriodBounds) {
  return perNode(database, cityId, nodes, sql`
    SELECT m.held, i.set, i.done, o.overdue FROM
      (SELECT count(*)::int AS held FROM joint_meetings t
        WHERE t.city_id = ${cityId} AND ${under(sql`t.region_path`)} AND t.status = 'held' AND ${inPeriod(sql`t.held_at`, p)}) m,
      (SELECT count(*)::int AS set, count(*) FILTER (WHERE t.status = 'done')::int AS done FROM co_building_items t
        WHERE t.city_id = ${cityId} AND ${under(sql`t.region_path`)} AND t.status <> 'dropped' AND ${inPeriod(sql`t.created_at`, p)}) i,
      (SELECT count(*)::int AS overdue FROM co_building_items t
        WHERE t.city_id = ${cityId} AND ${under(sql`t.region_path`)} AND t.status IN ('decided', 'in_progress') AND t.due_on < ${chinaTodaySql}) o`);
}

/** Evaluations whose period ('2026-03' or '2026Q1') overlaps the months asked for. */
function buildings(database: Database, cityId: number, nodes: FigureNode[], p: PeriodBounds) {
  const periodStart = sql`CASE WHEN t.period ~ '^[0-9]{4}-[0-9]{2}$' THEN to_date(t.period || '-01', 'YYYY-MM-DD')
    WHEN t.period ~ '^[0-9]{4}Q[1-4]$' THEN make_date(left(t.period, 4)::int, (right(t.period, 1)::int - 1) * 3 + 1, 1) END`;
  const periodMonths = sql`CASE WHEN t.period ~ '^[0-9]{4}Q[1-4]$' THEN 3 ELSE 1 END`;
  return perNode(database, cityId, nodes, sql`
    SELECT count(*)::int AS evaluations, count(*) FILTER (WHERE t.red_flag)::int AS red_flags
      FROM building_evaluations t
     WHERE t.city_id = ${cityId} AND ${under(sql`t.region_path`)}
       AND ${periodStart} < ${p.range.to}::date AND (${periodStart} + make_interval(months => ${periodMonths}))::date > ${p.range.from}::date`);
}

function gridWork(database: Database, cityId: number, nodes: FigureNode[], p: PeriodBounds) {
  return perNode(database, cityId, nodes, sql`
    SELECT v.visits, v.households, d.found, d.resolved, d.escalated, c.subjects, c.overdue FROM
      (SELECT count(*)::int AS visits, count(DISTINCT t.household_id)::int AS households FROM home_visits t
        WHERE t.city_id = ${cityId} AND ${under(sql`t.region_path`)} AND ${inPeriod(sql`t.visited_at`, p)}) v,
      (SELECT count(*)::int AS found, count(*) FILTER (WHERE t.status = 'resolved')::int AS resolved, count(*) FILTER (WHERE t.status = 'escalated')::int AS escalated
         FROM disputes t WHERE t.city_id = ${cityId} AND ${under(sql`t.region_path`)} AND ${inPeriod(sql`t.found_at`, p)}) d,
      (SELECT count(*)::int AS subjects, count(*) FILTER (WHERE t.next_visit_due < ${chinaTodaySql})::int AS overdue
         FROM care_subjects t WHERE t.city_id = ${cityId} AND ${under(sql`t.region_path`)} AND t.active) c`);
}

/** Every figure of every node: ten statements, one per area, each over all the nodes at once. */
export async function figuresOf(database: Database, cityId: number, nodes: FigureNode[], p: PeriodBounds): Promise<Map<number, NodeFigures>> {
  const out = new Map<number, NodeFigures>();
  if (nodes.length === 0) return out;
  const [l, o, w, d, v, u, b, c, e, g] = await Promise.all([
    lists(database, cityId, nodes, p),
    orders(database, cityId, nodes, p),
    wishes(database, cityId, nodes, p),
    dualReporting(database, cityId, nodes, p),
    volunteers(database, cityId, nodes, p),
    unitPoints(database, cityId, nodes),
    bookings(database, cityId, nodes, p),
    coBuilding(database, cityId, nodes, p),
    buildings(database, cityId, nodes, p),
    gridWork(database, cityId, nodes, p),
  ]);
  for (const node of nodes) {
    const [li, or, wi, du, vo, un, bo, co, bu, gw] = [l, o, w, d, v, u, b, c, e, g].map((m) => m.get(node.id) ?? {});
    const members = num(du.members);
    out.set(node.id, {
      lists: {
        needsPosted: num(li.needs_posted), needsClaimed: num(li.needs_claimed), needsDelivered: num(li.needs_delivered),
        problemsPosted: num(li.problems_posted), problemsDelivered: num(li.problems_delivered),
        servicesPosted: num(li.services_posted), servicesClaimed: num(li.services_claimed), servicesDelivered: num(li.services_delivered),
        posted: num(li.posted), claimed: num(li.claimed), delivered: num(li.delivered), deliveryRate: rate(num(li.delivered), num(li.posted)),
      },
      orders: {
        ordered: num(or.ordered), completed: num(or.completed), confirmed: num(or.confirmed), cancelled: num(or.cancelled),
        completionRate: rate(num(or.completed), num(or.ordered)),
        averageRating: or.average_rating === null || or.average_rating === undefined ? null : Math.round(Number(or.average_rating) * 100) / 100,
      },
      wishes: { posted: num(wi.posted), claimed: num(wi.claimed), fulfilled: num(wi.fulfilled), confirmed: num(wi.confirmed), fulfilmentRate: rate(num(wi.fulfilled), num(wi.posted)) },
      dualReporting: {
        members, organizations: num(du.organizations), membersServedThisQuarter: num(du.served), servedShare: rate(num(du.served), members),
        hours: Math.round(num(du.hours) * 100) / 100,
      },
      volunteers: { activities: num(vo.activities), activeVolunteers: num(vo.active_volunteers), hours: Math.round(num(vo.hours) * 100) / 100 },
      unitPoints: { units: num(un.units), restricted: num(un.restricted), honoured: num(un.honoured) },
      bookings: { requested: num(bo.requested), approved: num(bo.approved), pending: num(bo.pending), rejected: num(bo.rejected) },
      coBuilding: { meetingsHeld: num(co.held), itemsSet: num(co.set), itemsDone: num(co.done), completionRate: rate(num(co.done), num(co.set)), itemsOverdue: num(co.overdue) },
      buildings: { evaluations: num(bu.evaluations), redFlags: num(bu.red_flags) },
      gridWork: {
        visits: num(gw.visits), householdsVisited: num(gw.households), disputesFound: num(gw.found), disputesResolved: num(gw.resolved),
        disputesEscalated: num(gw.escalated), resolutionRate: rate(num(gw.resolved), num(gw.found)), careSubjects: num(gw.subjects), careOverdue: num(gw.overdue),
      },
    });
  }
  return out;
}
