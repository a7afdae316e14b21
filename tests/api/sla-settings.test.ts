import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { insertDefaultCategories } from '../../src/modules/cases/case-categories.repository.ts';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;

/** A city enters its own clocks and working calendar; the clocks of new cases follow them. */
describe('city SLA settings (API)', () => {
  let t: TestApp;
  let city: City;
  const cookie: Record<string, string> = {};
  const put = (who: string, payload: unknown) => t.app.inject({ method: 'PUT', url: '/api/v1/sla-settings', headers: { cookie: cookie[who] }, payload: payload as object });

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    await insertDefaultCategories(t.context.database, t.context.database.db, city.cityId);
    for (const name of ['cityadmin', 'dispatcher', 'district']) cookie[name] = await t.login(name);
  });
  afterAll(async () => t?.close());

  it('starts from the national defaults', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/sla-settings', headers: { cookie: cookie.dispatcher } });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.rules).toBeNull();
    expect(body.effective.rules.resolve.red).toEqual({ amount: 24, unit: 'hours' });
    expect(body.effective.holidays).toContain('2026-10-01');
  });

  it('only the city administrator enters them; bad rules, hours and dates are refused with nothing stored', async () => {
    expect((await put('dispatcher', { rules: { dispatch: { red: { amount: 5, unit: 'minutes' } } } })).statusCode).toBe(403);
    expect((await put('district', { rules: { dispatch: { red: { amount: 5, unit: 'minutes' } } } })).statusCode).toBe(403);
    const bad = [
      { rules: { dispatch: { purple: { amount: 5, unit: 'minutes' } } } },
      { rules: { lunch: { red: { amount: 5, unit: 'minutes' } } } },
      { rules: { dispatch: { red: { amount: -1, unit: 'minutes' } } } },
      { rules: { dispatch: { red: { amount: 1, unit: 'fortnights' } } } },
      { workingHours: [{ start: '18:00', end: '09:00' }] },
      { holidays: ['2026-02-30'] },
      { weekendDays: [7] },
    ];
    for (const payload of bad) {
      const response = await put('cityadmin', payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
    }
    const [{ n }] = await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM city_sla_settings`);
    expect(Number(n)).toBe(0);
  });

  it('a city rule and a city holiday change the clocks of new cases, and the change is audited', async () => {
    // Red cases must be dispatched within 3 minutes here; the national default is 10.
    const saved = await put('cityadmin', { rules: { dispatch: { red: { amount: 3, unit: 'minutes' } } }, holidays: ['2026-12-24'] });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().effective.rules.dispatch.red).toEqual({ amount: 3, unit: 'minutes' });
    expect(saved.json().effective.holidays).toEqual(['2026-12-24']);
    const before = Date.now();
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/public/cases', payload: { placeCode: city.a.building.code, categoryCode: 'public_safety', description: '楼道电线裸露' } });
    expect(created.statusCode).toBe(201);
    const [timer] = await t.context.database.rows<{ due_at: string }>(sql`SELECT t.due_at FROM sla_timers t JOIN cases c ON c.id = t.case_id WHERE c.tracking_token = ${created.json().trackingToken} AND t.kind = 'dispatch'`);
    const minutes = (new Date(timer.due_at).getTime() - before) / 60_000;
    expect(minutes).toBeGreaterThan(2.9);
    expect(minutes).toBeLessThan(3.1);
    const [audit] = await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'sla_settings.update' AND outcome = 'success'`);
    expect(Number(audit.n)).toBe(1);
  });
});
