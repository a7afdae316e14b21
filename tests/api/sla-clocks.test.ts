import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { insertDefaultCategories } from '../../src/modules/cases/case-categories.repository.ts';
import { intakeCase } from '../../src/modules/cases/intake.command.ts';
import { performCaseAction } from '../../src/modules/cases/case-action.command.ts';
import { sweepDueTimers } from '../../src/modules/sla/sla-sweeper.ts';
import { chinaWorkingCalendar2025_2026 } from '../../src/modules/sla/working-calendar.ts';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;
interface Timer { id: number; kind: string; due_at: string; fired_at: string | null; cancelled_at: string | null }

describe('SLA clocks in PostgreSQL', () => {
  let t: TestApp;
  let city: City;
  const client = { ip: null, userAgent: null };
  const timers = async (caseId: number) =>
    (await t.context.database.rows<Timer>(sql`SELECT id, kind, due_at, fired_at, cancelled_at FROM sla_timers WHERE case_id = ${caseId} ORDER BY id`)).map((r) => ({ ...r, id: Number(r.id) }));
  const eventsOf = async (caseId: number, action: string) =>
    Number((await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM case_events WHERE case_id = ${caseId} AND action = ${action}`))[0].n);
  const report = async (categoryCode: string, description = '需要处理的问题') =>
    (await intakeCase(t.context, null, { channel: 'qr', placeCode: city.a.building.code, categoryCode, description }, client)).id;
  const staff = async (username: string) => {
    const { resolveSession } = await import('../../src/modules/auth/auth.service.ts');
    const cookie = await t.login(username);
    return (await resolveSession(t.context, cookie.split('=')[1], client)).actor;
  };

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    await insertDefaultCategories(t.context.database, t.context.database.db, city.cityId);
  });
  afterAll(async () => t?.close());

  it('starts the dispatch clock at intake: red runs around the clock, other colours on working time', async () => {
    const red = await report('public_safety');
    const [redTimer] = await timers(red);
    const [{ created_at: redCreated }] = await t.context.database.rows<{ created_at: string }>(sql`SELECT created_at FROM cases WHERE id = ${red}`);
    expect(redTimer.kind).toBe('dispatch');
    expect(new Date(redTimer.due_at).getTime() - new Date(redCreated).getTime()).toBeGreaterThan(599_000);
    expect(new Date(redTimer.due_at).getTime() - new Date(redCreated).getTime()).toBeLessThan(601_000);

    const yellow = await report('noise');
    const [yellowTimer] = await timers(yellow);
    const [{ created_at: created }] = await t.context.database.rows<{ created_at: string }>(sql`SELECT created_at FROM cases WHERE id = ${yellow}`);
    const expected = chinaWorkingCalendar2025_2026().addWorkingMinutes(new Date(created), 10).getTime();
    expect(Math.abs(new Date(yellowTimer.due_at).getTime() - expected)).toBeLessThan(2_000);
  });

  it('a due clock fires once: the case is marked overdue with a reminder event, and a second sweep does nothing', async () => {
    const id = await report('public_safety');
    const [timer] = await timers(id);
    const after = new Date(new Date(timer.due_at).getTime() + 1000);
    expect((await sweepDueTimers(t.context, new Date(new Date(timer.due_at).getTime() - 1000))).fired).toBe(0);
    const first = await sweepDueTimers(t.context, after);
    expect(first.fired).toBeGreaterThanOrEqual(1);
    expect((await timers(id))[0].fired_at).not.toBeNull();
    const [row] = await t.context.database.rows<{ overdue: boolean }>(sql`SELECT overdue FROM cases WHERE id = ${id}`);
    expect(row.overdue).toBe(true);
    expect(await eventsOf(id, 'remind')).toBe(1);
    await sweepDueTimers(t.context, after);
    expect(await eventsOf(id, 'remind')).toBe(1);
  });

  it('actions move the clocks: dispatch starts contact and resolve, contact stops its clock, a missed contact escalates', async () => {
    const dispatcher = await staff('dispatcher');
    const worker = await staff('gridworker');
    const id = await report('noise');
    await performCaseAction(t.context, { kind: 'staff', actor: dispatcher }, id, { command: { action: 'dispatch' } });
    let clocks = await timers(id);
    expect(clocks.map((c) => [c.kind, c.cancelled_at === null])).toEqual([['dispatch', false], ['contact', true], ['resolve', true]]);
    const contact = clocks.find((c) => c.kind === 'contact')!;
    await sweepDueTimers(t.context, new Date(new Date(contact.due_at).getTime() + 1000));
    const [row] = await t.context.database.rows<{ holder_level: string; overdue: boolean }>(sql`SELECT holder_level, overdue FROM cases WHERE id = ${id}`);
    expect(row).toMatchObject({ holder_level: 'community', overdue: true });

    const second = await report('noise');
    await performCaseAction(t.context, { kind: 'staff', actor: dispatcher }, second, { command: { action: 'dispatch' } });
    await performCaseAction(t.context, { kind: 'staff', actor: worker }, second, { command: { action: 'record_contact' } });
    clocks = await timers(second);
    expect(clocks.find((c) => c.kind === 'contact')!.cancelled_at).not.toBeNull();
    await performCaseAction(t.context, { kind: 'staff', actor: worker }, second, { command: { action: 'reply' } });
    clocks = await timers(second);
    expect(clocks.find((c) => c.kind === 'resolve')!.cancelled_at).not.toBeNull();
    expect(clocks.filter((c) => c.kind === 'callback' && c.cancelled_at === null)).toHaveLength(1);
    await performCaseAction(t.context, { kind: 'staff', actor: dispatcher }, second, { command: { action: 'close' } });
    expect((await timers(second)).filter((c) => c.fired_at === null && c.cancelled_at === null)).toEqual([]);
  });

  it('an approved extension restarts the resolve clock; a new colour re-times the running clocks from their start', async () => {
    const dispatcher = await staff('dispatcher');
    const worker = await staff('gridworker');
    const street = await staff('street');
    const id = await report('noise');
    const dispatchTimer = (await timers(id)).find((c) => c.kind === 'dispatch')!;
    await performCaseAction(t.context, { kind: 'staff', actor: dispatcher }, id, { command: { action: 'reclassify', color: 'red', reason: '夜间施工扰民严重' } });
    const redDispatch = (await timers(id)).filter((c) => c.kind === 'dispatch' && c.cancelled_at === null);
    expect(redDispatch).toHaveLength(1);
    expect(new Date(redDispatch[0].due_at).getTime()).toBeLessThanOrEqual(new Date(dispatchTimer.due_at).getTime());
    await performCaseAction(t.context, { kind: 'staff', actor: dispatcher }, id, { command: { action: 'dispatch' } });
    await performCaseAction(t.context, { kind: 'staff', actor: worker }, id, { command: { action: 'record_contact' } });
    const resolveBefore = (await timers(id)).find((c) => c.kind === 'resolve' && c.cancelled_at === null)!;
    await performCaseAction(t.context, { kind: 'staff', actor: worker }, id, { command: { action: 'request_extension' } });
    await performCaseAction(t.context, { kind: 'staff', actor: street }, id, { command: { action: 'decide_extension', approved: false } });
    expect((await timers(id)).find((c) => c.kind === 'resolve' && c.cancelled_at === null)!.id).toBe(resolveBefore.id);
    await performCaseAction(t.context, { kind: 'staff', actor: worker }, id, { command: { action: 'request_extension' } });
    // The clock is about to run out: an approved extension must push it well past that.
    const soon = new Date(Date.now() + 60_000);
    await t.context.database.db.execute(sql`UPDATE sla_timers SET due_at = ${soon.toISOString()} WHERE id = ${resolveBefore.id}`);
    await performCaseAction(t.context, { kind: 'staff', actor: street }, id, { command: { action: 'decide_extension', approved: true } });
    const resolveAfter = (await timers(id)).filter((c) => c.kind === 'resolve' && c.cancelled_at === null);
    expect(resolveAfter).toHaveLength(1);
    expect(resolveAfter[0].id).not.toBe(resolveBefore.id);
    expect(new Date(resolveAfter[0].due_at).getTime()).toBeGreaterThan(soon.getTime() + 3600_000);
  });

  it('two sweepers racing fire every due reminder exactly once', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 30; i++) ids.push(await report('public_safety'));
    const later = new Date(Date.now() + 3600_000);
    const results = await Promise.all([sweepDueTimers(t.context, later, 5), sweepDueTimers(t.context, later, 5)]);
    expect(results[0].fired + results[1].fired).toBeGreaterThanOrEqual(30);
    for (const id of ids) expect(await eventsOf(id, 'remind')).toBe(1);
    const [{ n }] = await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM sla_timers WHERE due_at <= ${later.toISOString()} AND fired_at IS NULL AND cancelled_at IS NULL`);
    expect(Number(n)).toBe(0);
  });
});
