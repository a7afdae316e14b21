import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { chinaDate } from '../../src/modules/dual-reporting/reporting-period.ts';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;

/** 志愿服务 (issue 5 item 5): teams, volunteers, activities with sign-up, capacity and check-in. */
describe('volunteers (API)', () => {
  let t: TestApp;
  let city: City;
  const cookies: Record<string, string> = {};
  const as = async (user: string, method: 'GET' | 'POST', url: string, payload?: unknown) => {
    cookies[user] ??= await t.login(user);
    return t.app.inject({ method, url, headers: { cookie: cookies[user] }, ...(payload !== undefined ? { payload: payload as object } : {}) });
  };
  const hour = 3600_000;
  // An activity running now (check-in is on its day); Shanghai's date of "now" is the served day.
  const window = () => ({ startsAt: new Date(Date.now() - hour).toISOString(), endsAt: new Date(Date.now() + hour).toISOString() });
  let team: number;
  let zhang: number;
  let li: number;
  let wang: number;
  let activity: number;

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
  });
  afterAll(async () => t?.close());

  it('creates teams and volunteers (phone masked), with membership; outside the area is a 403', async () => {
    const created = await as('dispatcher', 'POST', '/api/v1/volunteer-teams', { regionId: city.a.community.id, name: '红色跑团', kind: 'running', leaderName: '周队长' });
    expect(created.statusCode).toBe(201);
    team = created.json().id;
    expect((await as('dispatcher', 'POST', '/api/v1/volunteer-teams', { regionId: city.b.community.id, name: 'x' })).statusCode).toBe(403);
    expect((await as('gridworker', 'POST', '/api/v1/volunteer-teams', { regionId: city.a.community.id, name: 'x' })).statusCode).toBe(403);
    expect((await as('street', 'POST', '/api/v1/volunteer-teams', { regionId: city.a.street.id, name: '街道调解队', kind: 'mediation' })).statusCode).toBe(201);

    const v = async (name: string, extra: Record<string, unknown> = {}) => {
      const response = await as('dispatcher', 'POST', '/api/v1/volunteers', { regionId: city.a.community.id, name, phone: '13912345678', ...extra });
      expect(response.statusCode).toBe(201);
      return response.json().id as number;
    };
    zhang = await v('张志愿', { teamIds: [team], residentId: city.a.resident.id, skills: '急救' });
    li = await v('李志愿', { teamIds: [team] });
    wang = await v('王志愿');
    expect((await as('dispatcher', 'POST', '/api/v1/volunteers', { regionId: city.a.community.id, name: 'x', teamIds: [999999] })).statusCode).toBe(404);
    expect((await as('dispatcher', 'POST', `/api/v1/volunteer-teams/${team}/members`, { volunteerId: wang })).statusCode).toBe(201);
    expect((await as('dispatcher', 'POST', `/api/v1/volunteer-teams/${team}/members`, { volunteerId: wang })).statusCode).toBe(409);
    expect((await as('dispatcher', 'POST', `/api/v1/volunteer-teams/${team}/members/remove`, { volunteerId: wang })).statusCode).toBe(200);

    const list = (await as('dispatcher', 'GET', `/api/v1/volunteers?teamId=${team}&q=${encodeURIComponent('志愿')}`)).json();
    expect(list.total).toBe(2);
    expect(list.items[0].phone).toBe('139****5678');
    expect(JSON.stringify(list)).not.toContain('13912345678');
    const detail = (await as('dispatcher', 'GET', `/api/v1/volunteer-teams/${team}`)).json();
    expect(detail.members.map((m: { id: number }) => m.id).sort()).toEqual([zhang, li].sort());
    // Outside roles see nothing of A's volunteers.
    expect((await as('water', 'GET', '/api/v1/volunteers')).statusCode).toBe(403);
    // A grid worker's area is the grid, below the community the volunteer belongs to.
    expect((await as('gridworker', 'GET', `/api/v1/volunteers/${zhang}`)).statusCode).toBe(403);
    expect((await as('street', 'GET', `/api/v1/volunteers/${zhang}`)).statusCode).toBe(200);
  });

  it('an activity takes sign-ups up to its capacity (409 when full); cancelling frees a place', async () => {
    const created = await as('dispatcher', 'POST', '/api/v1/volunteer-activities', { regionId: city.a.community.id, teamId: team, title: '红色跑团·河道清洁', location: '湘江河畔', capacity: 2, hours: 2.5, ...window() });
    expect(created.statusCode).toBe(201);
    activity = created.json().id;
    const bad = await as('dispatcher', 'POST', '/api/v1/volunteer-activities', { regionId: city.a.community.id, title: 'x', hours: 2, startsAt: window().endsAt, endsAt: window().startsAt });
    expect(bad.statusCode).toBe(400);
    expect((await as('dispatcher', 'POST', '/api/v1/volunteer-activities', { regionId: city.a.community.id, title: 'x', hours: 25, ...window() })).statusCode).toBe(400);

    const url = `/api/v1/volunteer-activities/${activity}/signups`;
    const first = await as('dispatcher', 'POST', url, { volunteerId: zhang, unitId: city.a.residentUnit.id });
    expect(first.statusCode).toBe(201);
    expect((await as('dispatcher', 'POST', url, { volunteerId: zhang })).statusCode).toBe(409);
    // A party member signs up themselves (their volunteer record is made on the way).
    const self = await as('partymember', 'POST', url, {});
    expect(self.statusCode).toBe(201);
    const full = await as('dispatcher', 'POST', url, { volunteerId: li });
    expect(full.statusCode).toBe(409);
    expect(full.json().error.message).toMatch(/full/);
    expect((await as('gridworker', 'POST', url, { volunteerId: li })).statusCode).toBe(403);
    expect((await as('partymember', 'POST', `/api/v1/activity-signups/${first.json().id}/cancel`)).statusCode).toBe(403);
    expect((await as('partymember', 'POST', `/api/v1/activity-signups/${self.json().id}/cancel`)).statusCode).toBe(200);
    expect((await as('dispatcher', 'POST', url, { volunteerId: li })).statusCode).toBe(201);
    // The party member signs up again: the cancelled row comes back only when a place is free.
    expect((await as('partymember', 'POST', url, {})).statusCode).toBe(409);

    const detail = (await as('dispatcher', 'GET', `/api/v1/volunteer-activities/${activity}`)).json();
    expect(detail).toMatchObject({ signedUp: 2, full: true, capacity: 2 });
    expect(detail.signups.filter((s: { status: string }) => s.status === 'signed_up')).toHaveLength(2);
    const [{ n }] = await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM activity_signups WHERE activity_id = ${activity} AND status <> 'cancelled'`);
    expect(Number(n)).toBe(2);
  });

  it('a party member outside the activity\'s area cannot sign up', async () => {
    const bActivity = (await as('cityadmin', 'POST', '/api/v1/volunteer-activities', { regionId: city.b.community.id, title: 'B社区义诊', hours: 1, ...window() })).json().id;
    expect((await as('partymember', 'POST', `/api/v1/volunteer-activities/${bActivity}/signups`, {})).statusCode).toBe(403);
    expect((await as('dispatcher', 'POST', `/api/v1/volunteer-activities/${bActivity}/signups`, { volunteerId: zhang })).statusCode).toBe(403);
  });

  it('check-in credits the activity hours once and the resident unit its points once', async () => {
    const detail = (await as('dispatcher', 'GET', `/api/v1/volunteer-activities/${activity}`)).json();
    const signup = detail.signups.find((s: { volunteerId: number }) => s.volunteerId === zhang);
    expect((await as('gridworker', 'POST', `/api/v1/activity-signups/${signup.id}/check-in`)).statusCode).toBe(403);
    const checked = await as('dispatcher', 'POST', `/api/v1/activity-signups/${signup.id}/check-in`);
    expect(checked.statusCode).toBe(200);
    expect(checked.json()).toMatchObject({ status: 'checked_in', hoursCredited: 2.5, unitPoints: 2 });
    const again = await as('dispatcher', 'POST', `/api/v1/activity-signups/${signup.id}/check-in`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('invalid_transition');
    const hours = await t.context.database.rows<{ hours: number; served_on: string }>(sql`SELECT hours, served_on::text AS served_on FROM service_hours WHERE volunteer_id = ${zhang}`);
    expect(hours.map((h) => [Number(h.hours), String(h.served_on)])).toEqual([[2.5, chinaDate()]]);
    const points = await t.context.database.rows<{ points: number }>(sql`SELECT points FROM unit_point_entries WHERE unit_id = ${city.a.residentUnit.id} AND event = 'activity_served'`);
    expect(points.map((p) => Number(p.points))).toEqual([2]);
    const audits = await t.context.database.rows(sql`SELECT 1 FROM audit_log WHERE action = 'volunteer.check_in'`);
    expect(audits.length).toBe(1);

    // A cancelled sign-up cannot be checked in; a finished activity takes no check-in.
    const liSignup = detail.signups.find((s: { volunteerId: number }) => s.volunteerId === li);
    expect((await as('dispatcher', 'POST', `/api/v1/volunteer-activities/${activity}/finish`)).statusCode).toBe(200);
    expect((await as('dispatcher', 'POST', `/api/v1/activity-signups/${liSignup.id}/check-in`)).statusCode).toBe(409);
    expect((await as('dispatcher', 'POST', `/api/v1/volunteer-activities/${activity}/cancel`)).statusCode).toBe(409);
    expect((await as('dispatcher', 'POST', `/api/v1/volunteer-activities/${activity}/reopen`)).statusCode).toBe(409);
  });

  it('check-in is on the day: a future activity refuses it; cancelling an activity cancels its sign-ups', async () => {
    const later = (await as('dispatcher', 'POST', '/api/v1/volunteer-activities', { regionId: city.a.community.id, title: '周末敬老', hours: 3,
      startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(), endsAt: new Date(Date.now() + 3 * 86_400_000 + 2 * hour).toISOString() })).json().id;
    const signup = (await as('dispatcher', 'POST', `/api/v1/volunteer-activities/${later}/signups`, { volunteerId: wang })).json().id;
    const early = await as('dispatcher', 'POST', `/api/v1/activity-signups/${signup}/check-in`);
    expect(early.statusCode).toBe(409);
    expect(early.json().error.message).toMatch(/on the day/);
    expect((await as('dispatcher', 'POST', `/api/v1/volunteer-activities/${later}/close`)).statusCode).toBe(200);
    expect((await as('dispatcher', 'POST', `/api/v1/volunteer-activities/${later}/signups`, { volunteerId: li })).statusCode).toBe(409);
    expect((await as('dispatcher', 'POST', `/api/v1/volunteer-activities/${later}/cancel`)).statusCode).toBe(200);
    const [row] = await t.context.database.rows<{ status: string }>(sql`SELECT status FROM activity_signups WHERE id = ${signup}`);
    expect(row.status).toBe('cancelled');
  });

  it('a person\'s service record: activities, hours by month and the total, and its export', async () => {
    const record = await as('dispatcher', 'GET', `/api/v1/volunteers/${zhang}/record`);
    expect(record.statusCode).toBe(200);
    expect(record.json()).toMatchObject({ totalHours: 2.5, hoursByMonth: [{ month: chinaDate().slice(0, 7), hours: 2.5 }] });
    expect(record.json().activities[0]).toMatchObject({ title: '红色跑团·河道清洁', status: 'checked_in', hoursCredited: 2.5 });
    const xlsx = await as('dispatcher', 'GET', `/api/v1/volunteers/${zhang}/record.xlsx`);
    expect(xlsx.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as never);
    expect((workbook.worksheets[0].getRow(2).values as unknown[]).slice(1)).toEqual([chinaDate(), '志愿活动', '红色跑团·河道清洁', 2.5, '红色跑团·河道清洁']);
    expect((await as('water', 'GET', `/api/v1/volunteers/${zhang}/record`)).statusCode).toBe(403);
  });

  it('lists filter, page and export', async () => {
    const activities = (await as('dispatcher', 'GET', '/api/v1/volunteer-activities?status=finished&pageSize=1')).json();
    expect(activities).toMatchObject({ total: 1, page: 1, pageSize: 1 });
    expect((await as('partymember', 'GET', '/api/v1/volunteer-activities')).json().items.every((a: { regionPath: string }) => a.regionPath.startsWith(city.a.community.path))).toBe(true);
    for (const path of ['volunteer-teams/export.xlsx?kind=running', 'volunteers/export.xlsx', 'volunteer-activities/export.xlsx?status=finished']) {
      const response = await as('dispatcher', 'GET', `/api/v1/${path}`);
      expect(response.statusCode, path).toBe(200);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(response.rawPayload as never);
      expect(workbook.worksheets[0].rowCount, path).toBeGreaterThan(1);
    }
  });
});
