import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { periodBounds } from '../../src/modules/community-metrics/community-metrics.service.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;

/**
 * Community-service figures against rows inserted by hand: inside side A's community, in side B (outside),
 * and on the edges of March 2026 in Asia/Shanghai (2026-02-28 16:30 UTC is 1 March 00:30 there, 2026-03-31
 * 16:30 UTC is already April).
 */
describe('community-service figures for the command centre', () => {
  let t: TestApp;
  let city: City;
  let secondCommunity: { id: number; path: string };
  const cookie: Record<string, string> = {};
  const exec = (query: ReturnType<typeof sql>) => t.context.database.db.execute(query);
  const get = (user: string, url: string) => t.app.inject({ method: 'GET', url, headers: { cookie: cookie[user] } });

  const MARCH = '2026-03-10T02:00:00Z';
  const MARCH_FIRST_SHANGHAI = '2026-02-28T16:30:00Z';
  const APRIL_FIRST_SHANGHAI = '2026-03-31T16:30:00Z';

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    for (const user of ['gridworker', 'gridhead', 'dispatcher', 'street', 'district', 'cityadmin', 'orgdept', 'water', 'partymember']) cookie[user] = await t.login(user);
    const c = city.cityId;
    const { a, b } = city;
    let token = 0;
    const next = () => ++token;

    // Three lists.
    const item = (side: typeof a, kind: string, createdAt: string, extra: { claimed?: boolean; delivered?: boolean; status?: string } = {}) =>
      exec(sql`INSERT INTO community_list_items (city_id, list_kind, region_node_id, region_path, quarter, title, source, status, created_at, claimed_at, delivered_at)
        VALUES (${c}, ${kind}, ${side.community.id}, ${side.community.path}, ${kind === 'problem' ? '2026Q1' : null}, ${'事项' + next()}, 'community', ${extra.status ?? 'posted'},
                ${createdAt}::timestamptz, ${extra.claimed ? createdAt : null}::timestamptz, ${extra.delivered ? createdAt : null}::timestamptz)`);
    await item(a, 'need', MARCH, { claimed: true, delivered: true, status: 'delivered' });
    await item(a, 'need', '2026-03-15T02:00:00Z');
    await item(a, 'need', MARCH_FIRST_SHANGHAI, { claimed: true, status: 'claimed' });
    await item(a, 'need', APRIL_FIRST_SHANGHAI);
    await item(a, 'need', MARCH, { status: 'withdrawn' });
    await item(a, 'problem', MARCH, { delivered: true, status: 'delivered' });
    await item(a, 'service', MARCH, { claimed: true, delivered: true, status: 'delivered' });
    await item(b, 'need', MARCH, { claimed: true, delivered: true, status: 'delivered' });

    // Service orders.
    const order = (side: typeof a, status: string, createdAt: string, extra: { completed?: boolean; confirmed?: boolean; rating?: number } = {}) =>
      exec(sql`INSERT INTO service_orders (city_id, number, tracking_token_hash, offering_id, category_id, community_id, region_path, resident_name, resident_phone, status, created_at, completed_at, confirmed_at, rating)
        VALUES (${c}, ${'FW' + next()}, ${'hash' + next()}, 1, 1, ${side.community.id}, ${side.building.path}, '王五', '13900001111', ${status}, ${createdAt}::timestamptz,
                ${extra.completed ? createdAt : null}::timestamptz, ${extra.confirmed ? createdAt : null}::timestamptz, ${extra.rating ?? null})`);
    await order(a, 'confirmed', MARCH, { completed: true, confirmed: true, rating: 5 });
    await order(a, 'completed', MARCH, { completed: true, rating: 3 });
    await order(a, 'cancelled', MARCH);
    await order(a, 'ordered', APRIL_FIRST_SHANGHAI);
    await order(b, 'confirmed', MARCH, { completed: true, confirmed: true, rating: 1 });

    // Micro-wishes.
    const wish = (side: typeof a, status: string, extra: { claimed?: boolean; fulfilled?: boolean; confirmed?: boolean } = {}) =>
      exec(sql`INSERT INTO micro_wishes (city_id, number, tracking_token_hash, community_id, region_path, title, wisher_name, status, claimed_by_party_member_id, created_at, claimed_at, fulfilled_at, confirmed_at)
        VALUES (${c}, ${'XY' + next()}, ${'hash' + next()}, ${side.community.id}, ${side.community.path}, '一个书包', '小明', ${status}, ${extra.claimed ? side.partyMember.id : null}, ${MARCH}::timestamptz,
                ${extra.claimed ? MARCH : null}::timestamptz, ${extra.fulfilled ? MARCH : null}::timestamptz, ${extra.confirmed ? MARCH : null}::timestamptz)`);
    await wish(a, 'confirmed', { claimed: true, fulfilled: true, confirmed: true });
    await wish(a, 'claimed', { claimed: true });
    await wish(a, 'posted');
    await wish(a, 'withdrawn');
    await wish(b, 'fulfilled', { claimed: true, fulfilled: true });

    // Dual reporting: active at the end of March (900001, 900003 ended in April, the organisation); 900002 ended in March.
    const registration = (side: typeof a, who: { member?: number; unit?: number }, registeredAt: string, endedAt: string | null) =>
      exec(sql`INSERT INTO dual_registrations (city_id, kind, community_id, region_path, unit_id, party_member_id, status, registered_at, ended_at)
        VALUES (${c}, ${who.member ? 'member' : 'organization'}, ${side.community.id}, ${side.community.path}, ${who.unit ?? null}, ${who.member ?? null},
                ${endedAt ? 'ended' : 'active'}, ${registeredAt}::timestamptz, ${endedAt}::timestamptz)`);
    await registration(a, { member: 900001 }, '2026-01-05T00:00:00Z', null);
    await registration(a, { member: 900002 }, '2026-01-05T00:00:00Z', '2026-03-20T00:00:00Z');
    await registration(a, { member: 900003 }, '2026-01-05T00:00:00Z', '2026-04-10T00:00:00Z');
    await registration(a, { unit: a.residentUnit.id }, '2026-02-01T00:00:00Z', null);
    await registration(b, { member: 900004 }, '2026-01-05T00:00:00Z', null);
    const hours = (side: typeof a, who: { member?: number; volunteer?: number }, servedOn: string, h: number) =>
      exec(sql`INSERT INTO service_hours (city_id, community_id, region_path, party_member_id, volunteer_id, source_kind, served_on, hours)
        VALUES (${c}, ${side.community.id}, ${side.community.path}, ${who.member ?? null}, ${who.volunteer ?? null}, 'other', ${servedOn}::date, ${h})`);
    await hours(a, { member: 900001 }, '2026-02-10', 2.5); // this quarter, not this month
    await hours(a, { member: 900001 }, '2026-03-05', 1.5);
    await hours(a, { member: 900002 }, '2026-03-06', 4); // hours in March, but no longer registered at the end of March
    await hours(a, { member: 900003 }, '2026-04-02', 2); // April
    await hours(b, { member: 900004 }, '2026-03-05', 8);
    // Volunteers.
    await hours(a, { volunteer: 1 }, '2026-03-10', 3);
    await hours(a, { volunteer: 1 }, '2026-04-01', 3);
    const activity = (side: typeof a, startsAt: string, status: string) =>
      exec(sql`INSERT INTO volunteer_activities (city_id, region_node_id, region_path, title, starts_at, ends_at, hours, status)
        VALUES (${c}, ${side.community.id}, ${side.community.path}, '清扫楼道', ${startsAt}::timestamptz, ${startsAt}::timestamptz + interval '2 hours', 2, ${status})`);
    await activity(a, MARCH, 'finished');
    await activity(a, MARCH, 'cancelled');
    await activity(a, APRIL_FIRST_SHANGHAI, 'open');
    await activity(b, MARCH, 'finished');
    const volunteer = (side: typeof a, status: string, createdAt: string) =>
      exec(sql`INSERT INTO volunteers (city_id, region_node_id, region_path, name, status, created_at) VALUES (${c}, ${side.community.id}, ${side.community.path}, '志愿者', ${status}, ${createdAt}::timestamptz)`);
    await volunteer(a, 'active', '2026-01-01T00:00:00Z');
    await volunteer(a, 'active', '2026-02-01T00:00:00Z');
    await volunteer(a, 'inactive', '2026-01-01T00:00:00Z');
    await volunteer(a, 'active', '2026-05-01T00:00:00Z');
    await volunteer(b, 'active', '2026-01-01T00:00:00Z');

    // Unit points (standing now): A's unit 80 - 25 = 55 (restricted), a second 80 + 30 = 110 (honoured), a third 80; B's unit restricted.
    const unit2 = await city.factory.unit(c, 'resident_unit', a.community);
    await city.factory.unit(c, 'resident_unit', a.community);
    const entry = (side: typeof a, unitId: number, points: number) =>
      exec(sql`INSERT INTO unit_point_entries (city_id, community_id, region_path, unit_id, event, source_kind, source_id, points)
        VALUES (${c}, ${side.community.id}, ${side.community.path}, ${unitId}, 'manual', 'manual', ${next()}, ${points})`);
    await entry(a, a.residentUnit.id, -25);
    await entry(a, unit2.id, 20);
    await entry(a, unit2.id, 10);
    await entry(b, b.residentUnit.id, -30);

    // Bookings.
    const booking = (side: typeof a, status: string, day: number, createdAt = MARCH) =>
      exec(sql`INSERT INTO resource_bookings (city_id, resource_id, region_path, booker_label, purpose, period, status, created_at)
        VALUES (${c}, 1, ${side.community.path}, '单位', '开会', tstzrange(${`2026-03-${10 + day}T01:00:00Z`}::timestamptz, ${`2026-03-${10 + day}T03:00:00Z`}::timestamptz), ${status}, ${createdAt}::timestamptz)`);
    await booking(a, 'approved', 1);
    await booking(a, 'pending', 2);
    await booking(a, 'rejected', 3);
    await booking(a, 'approved', 4, APRIL_FIRST_SHANGHAI);
    await booking(b, 'approved', 5);

    // Joint meetings and co-building items.
    const meeting = (side: typeof a, status: string, heldAt: string) =>
      exec(sql`INSERT INTO joint_meetings (city_id, alliance_id, region_path, title, held_at, status) VALUES (${c}, 1, ${side.community.path}, '联席会议', ${heldAt}::timestamptz, ${status})`);
    await meeting(a, 'held', MARCH);
    await meeting(a, 'planned', MARCH);
    await meeting(a, 'held', APRIL_FIRST_SHANGHAI);
    await meeting(b, 'held', MARCH);
    const coItem = (side: typeof a, status: string, createdAt: string, dueOn: string | null) =>
      exec(sql`INSERT INTO co_building_items (city_id, meeting_id, alliance_id, region_path, title, status, due_on, created_at)
        VALUES (${c}, 1, 1, ${side.community.path}, '共建事项', ${status}, ${dueOn}::date, ${createdAt}::timestamptz)`);
    await coItem(a, 'done', MARCH, '2026-03-20');
    await coItem(a, 'in_progress', MARCH, '2026-03-20');
    await coItem(a, 'dropped', MARCH, '2026-03-20');
    await coItem(a, 'decided', '2026-02-01T00:00:00Z', '2026-01-01');
    await coItem(a, 'decided', '2026-02-01T00:00:00Z', '2099-01-01');
    await coItem(b, 'in_progress', MARCH, '2026-03-20');

    // Building evaluations: March and Q1 overlap March; April and 2025Q4 do not.
    const building2 = await city.factory.node(c, a.grid, 'building');
    const evaluation = (side: typeof a, buildingId: number, period: string, redFlag: boolean) =>
      exec(sql`INSERT INTO building_evaluations (city_id, community_id, building_id, region_path, period, score, red_flag)
        VALUES (${c}, ${side.community.id}, ${buildingId}, ${side.building.path}, ${period}, 90, ${redFlag})`);
    await evaluation(a, a.building.id, '2026-03', true);
    await evaluation(a, building2.id, '2026Q1', false);
    await evaluation(a, a.building.id, '2026-04', true);
    await evaluation(a, a.building.id, '2025Q4', true);
    await evaluation(b, b.building.id, '2026-03', true);

    // Grid work.
    const visit = (side: typeof a, visitedAt: string) =>
      exec(sql`INSERT INTO home_visits (city_id, grid_id, region_path, household_id, building_id, visitor_user_id, visited_at)
        VALUES (${c}, ${side.grid.id}, ${side.household.path}, ${side.household.id}, ${side.building.id}, ${city.users.grid_worker.id}, ${visitedAt}::timestamptz)`);
    await visit(a, MARCH);
    await visit(a, MARCH_FIRST_SHANGHAI);
    await visit(a, APRIL_FIRST_SHANGHAI);
    await visit(b, MARCH);
    const dispute = (side: { id: number; path: string }, status: string, foundAt: string) =>
      exec(sql`INSERT INTO disputes (city_id, grid_id, region_path, title, status, found_at, found_by) VALUES (${c}, ${side.id}, ${side.path}, '纠纷', ${status}, ${foundAt}::timestamptz, ${city.users.grid_worker.id})`);
    await dispute(a.grid, 'resolved', MARCH);
    await dispute(a.grid, 'escalated', MARCH);
    await dispute(a.grid2, 'found', MARCH_FIRST_SHANGHAI);
    await dispute(a.grid, 'resolved', APRIL_FIRST_SHANGHAI);
    await dispute(b.grid, 'found', MARCH);
    const care = (side: typeof a, residentId: number, group: string, due: string, active: boolean) =>
      exec(sql`INSERT INTO care_subjects (city_id, resident_id, grid_id, region_path, care_group, next_visit_due, active)
        VALUES (${c}, ${residentId}, ${side.grid.id}, ${side.household.path}, ${group}, ${due}::date, ${active})`);
    await care(a, a.resident.id, 'elderly_living_alone', '2026-01-01', true);
    await care(a, a.resident.id, 'disabled', '2099-01-01', true);
    await care(a, a.resident.id, 'low_income', '2026-01-01', false);
    await care(b, b.resident.id, 'elderly_living_alone', '2026-01-01', true);

    // A second community in A's street (for rankings): one dispute found and resolved in March.
    secondCommunity = await city.factory.node(c, a.street, 'community', undefined, 'A二社区');
    const secondGrid = await city.factory.node(c, secondCommunity as never, 'grid');
    await dispute(secondGrid, 'resolved', MARCH);
  });
  afterAll(async () => t?.close());

  const expectedA = {
    lists: {
      needsPosted: 3, needsClaimed: 2, needsDelivered: 1, problemsPosted: 1, problemsDelivered: 1, servicesPosted: 1, servicesClaimed: 1, servicesDelivered: 1,
      posted: 5, claimed: 3, delivered: 3, deliveryRate: 0.6,
    },
    orders: { ordered: 3, completed: 2, confirmed: 1, cancelled: 1, completionRate: 0.6667, averageRating: 4 },
    wishes: { posted: 3, claimed: 2, fulfilled: 1, confirmed: 1, fulfilmentRate: 0.3333 },
    dualReporting: { members: 2, organizations: 1, membersServedThisQuarter: 1, servedShare: 0.5, hours: 5.5 },
    volunteers: { activities: 1, activeVolunteers: 2, hours: 3 },
    unitPoints: { units: 3, restricted: 1, honoured: 1 },
    bookings: { requested: 3, approved: 1, pending: 1, rejected: 1 },
    coBuilding: { meetingsHeld: 1, itemsSet: 2, itemsDone: 1, completionRate: 0.5, itemsOverdue: 2 },
    buildings: { evaluations: 2, redFlags: 1 },
    gridWork: { visits: 2, householdsVisited: 1, disputesFound: 3, disputesResolved: 1, disputesEscalated: 1, resolutionRate: 0.3333, careSubjects: 2, careOverdue: 1 },
  };

  it('every figure of a community equals the rows counted by hand (inside only, Asia/Shanghai months)', async () => {
    const response = await get('dispatcher', `/api/v1/community-metrics?node=region:${city.a.community.id}&from=2026-03`);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.node).toMatchObject({ id: city.a.community.id, level: 'community' });
    expect(body.period).toMatchObject({ from: '2026-03', to: '2026-03', quarterFrom: '2026-01-01' });
    expect(body.figures).toEqual(expectedA);
    expect(body.definitions.figures.length).toBe(Object.values(expectedA).reduce((n, area) => n + Object.keys(area).length, 0));
  });

  it('the member hours of the period count every registered-or-not member who logged them; the served share only members registered at its end', async () => {
    // 1.5 (900001) + 4 (900002, ended 20 March) in March.
    const body = (await get('dispatcher', `/api/v1/community-metrics?node=region:${city.a.community.id}&from=2026-03`)).json();
    expect(body.figures.dualReporting.hours).toBe(5.5);
    const quarter = (await get('dispatcher', `/api/v1/community-metrics?node=region:${city.a.community.id}&from=2026-01&to=2026-03`)).json();
    expect(quarter.figures.dualReporting).toMatchObject({ hours: 8, membersServedThisQuarter: 1 });
  });

  it('a street adds its communities; a range of months widens the period', async () => {
    const street = (await get('street', `/api/v1/community-metrics?node=region:${city.a.street.id}&from=2026-03`)).json();
    expect(street.figures.gridWork).toMatchObject({ disputesFound: 4, disputesResolved: 2, resolutionRate: 0.5 });
    expect(street.figures.lists).toEqual(expectedA.lists);
    const marchApril = (await get('dispatcher', `/api/v1/community-metrics?node=region:${city.a.community.id}&from=2026-03&to=2026-04`)).json();
    expect(marchApril.figures.lists.needsPosted).toBe(4);
    expect(marchApril.figures.gridWork).toMatchObject({ visits: 3, disputesFound: 4 });
    expect(marchApril.figures.buildings).toEqual({ evaluations: 3, redFlags: 2 });
    expect(marchApril.period.quarterFrom).toBe('2026-04-01');
    const city_ = (await get('cityadmin', `/api/v1/community-metrics?node=region:${city.city.id}&from=2026-03`)).json();
    expect(city_.figures.orders).toMatchObject({ ordered: 4, completed: 3, averageRating: 3 });
  });

  it('is scoped like the command centre: another community, a higher node or a grid worker get 403', async () => {
    expect((await get('dispatcher', `/api/v1/community-metrics?node=region:${city.b.community.id}&from=2026-03`)).statusCode).toBe(403);
    expect((await get('dispatcher', `/api/v1/community-metrics?node=region:${city.a.street.id}&from=2026-03`)).statusCode).toBe(403);
    expect((await get('dispatcher', `/api/v1/community-metrics?node=region:${secondCommunity.id}&from=2026-03`)).statusCode).toBe(403);
    expect((await get('gridworker', `/api/v1/community-metrics?node=region:${city.a.grid.id}&from=2026-03`)).statusCode).toBe(403);
    expect((await get('partymember', `/api/v1/community-metrics?node=region:${city.a.community.id}&from=2026-03`)).statusCode).toBe(403);
    expect((await get('street', `/api/v1/community-metrics?node=region:${city.b.street.id}&from=2026-03`)).statusCode).toBe(403);
    expect((await get('orgdept', `/api/v1/community-metrics?node=region:${city.b.community.id}&from=2026-03`)).statusCode).toBe(200);
    expect((await get('water', `/api/v1/community-metrics?node=department:${city.department.id}&from=2026-03`)).statusCode).toBe(400);
    expect((await get('dispatcher', `/api/v1/community-metrics?node=region:${city.a.community.id}&from=2026-13`)).statusCode).toBe(400);
    expect((await get('dispatcher', `/api/v1/community-metrics?node=region:${city.a.community.id}&from=2026-04&to=2026-03`)).statusCode).toBe(400);
    // Without a node: the dispatcher's own community.
    expect((await get('dispatcher', '/api/v1/community-metrics?from=2026-03')).json().node.id).toBe(city.a.community.id);
  });

  it('ranks the communities of a street by a chosen figure', async () => {
    const byFound = (await get('street', `/api/v1/community-metrics/rankings?node=region:${city.a.street.id}&level=community&from=2026-03&sort=gridWork.disputesFound`)).json();
    expect(byFound.items.map((i: { node: { id: number }; value: number }) => [i.node.id, i.value])).toEqual([[city.a.community.id, 3], [secondCommunity.id, 1]]);
    const byRate = (await get('street', `/api/v1/community-metrics/rankings?node=region:${city.a.street.id}&level=community&from=2026-03&sort=gridWork.resolutionRate`)).json();
    expect(byRate.items.map((i: { rank: number; node: { id: number } }) => [i.rank, i.node.id])).toEqual([[1, secondCommunity.id], [2, city.a.community.id]]);
    const streets = (await get('district', `/api/v1/community-metrics/rankings?node=region:${city.a.district.id}&level=street&from=2026-03&sort=lists.posted`)).json();
    expect(streets.items.map((i: { node: { id: number } }) => i.node.id)).toEqual([city.a.street.id]);
    expect((await get('street', `/api/v1/community-metrics/rankings?node=region:${city.a.street.id}&level=community&from=2026-03&sort=lists.nothing`)).statusCode).toBe(400);
    expect((await get('dispatcher', `/api/v1/community-metrics/rankings?node=region:${city.a.street.id}&level=community&from=2026-03`)).statusCode).toBe(403);
  });

  it('exports the node and its communities as an Excel ledger with Chinese headers', async () => {
    const response = await get('street', `/api/v1/community-metrics/export.xlsx?node=region:${city.a.street.id}&from=2026-03`);
    expect(response.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as never);
    const sheet = workbook.worksheets[0];
    expect(sheet.getRow(1).values).toEqual([undefined, '区域', '板块', '指标', '数值']);
    const values = new Map<string, unknown>();
    sheet.eachRow((row, n) => {
      if (n > 1) values.set(`${row.getCell(1).value}|${row.getCell(3).value}`, row.getCell(4).value);
    });
    expect(values.get('A社区|排查纠纷')).toBe(3);
    expect(values.get('A二社区|化解率')).toBe('100.0%');
    expect(values.get('A街道|排查纠纷')).toBe(4);
  });

  it('the quarter of a period is the quarter of its last month', () => {
    expect(periodBounds('2026-01', '2026-02').quarterFrom).toBe('2026-01-01');
    expect(periodBounds('2026-03', '2026-06').quarterFrom).toBe('2026-04-01');
    expect(periodBounds('2026-12').quarterFrom).toBe('2026-10-01');
    expect(periodBounds('2026-12').range).toEqual({ from: '2026-12-01', to: '2027-01-01' });
  });
});
