import { sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/client.ts';
import type { CaseAction, CaseCommand, CaseSnapshot } from '../cases/case-lifecycle.ts';
import { clockDeadline, DEFAULT_SLA_RULE_SET, type CategoryOverrides, type ClockKind, type TriageColor } from './sla-policy.ts';
import { chinaWorkingCalendar2025_2026 } from './working-calendar.ts';
import { citySla, type CitySla } from './sla-settings.service.ts';

/** The working calendar every city uses until cities enter their own (working hours, holidays, 调休). */
const calendar = chinaWorkingCalendar2025_2026();

export interface ClockContext {
  cityId: number;
  caseId: number;
  color: TriageColor;
  categoryOverrides: CategoryOverrides | null;
  /** The city's own clocks and calendar (national defaults when absent). */
  sla?: CitySla;
}

/** When a clock of this kind started at `from` runs out, on the working calendar (pure). */
export function clockDueAt(color: TriageColor, categoryOverrides: CategoryOverrides | null, kind: ClockKind, from: Date, sla?: CitySla): Date {
  const base = sla?.rules ?? DEFAULT_SLA_RULE_SET;
  const rules = categoryOverrides ? { ...base, byCategory: { this: categoryOverrides } } : base;
  return clockDeadline(sla?.calendar ?? calendar, rules, kind, color, from, categoryOverrides ? 'this' : undefined);
}

export async function startClock(tx: Tx, clock: ClockContext, kind: ClockKind, from: Date) {
  const dueAt = clockDueAt(clock.color, clock.categoryOverrides, kind, from, clock.sla);
  await tx.execute(sql`INSERT INTO sla_timers (city_id, case_id, kind, due_at) VALUES (${clock.cityId}, ${clock.caseId}, ${kind}, ${dueAt.toISOString()})`);
  return dueAt;
}

async function stop(tx: Tx, caseId: number, kinds: ClockKind[] | 'all') {
  await tx.execute(sql`UPDATE sla_timers SET cancelled_at = now() WHERE case_id = ${caseId} AND fired_at IS NULL AND cancelled_at IS NULL
    ${kinds === 'all' ? sql`` : sql`AND kind IN (${sql.join(kinds.map((k) => sql`${k}`), sql`, `)})`}`);
}

async function runningSince(database: Database, tx: Tx, caseId: number, kinds: ClockKind[]) {
  const rows = await database.rows<{ kind: ClockKind; created_at: string }>(
    sql`SELECT kind, created_at FROM sla_timers WHERE case_id = ${caseId} AND fired_at IS NULL AND cancelled_at IS NULL
        AND kind IN (${sql.join(kinds.map((k) => sql`${k}`), sql`, `)})`,
    tx,
  );
  return rows.map((r) => ({ kind: r.kind, startedAt: new Date(r.created_at) }));
}

export async function clockContextOf(database: Database, tx: Tx, caseId: number): Promise<ClockContext> {
  const [row] = await database.rows<{ city_id: number; triage_color: TriageColor; sla_overrides: unknown }>(
    sql`SELECT c.city_id, c.triage_color, cc.sla_overrides FROM cases c LEFT JOIN case_categories cc ON cc.id = c.category_id WHERE c.id = ${caseId}`,
    tx,
  );
  const overrides = typeof row.sla_overrides === 'string' ? JSON.parse(row.sla_overrides) : row.sla_overrides;
  const cityId = Number(row.city_id);
  return { cityId, caseId, color: row.triage_color, categoryOverrides: (overrides as CategoryOverrides | null) ?? null, sla: await citySla(database, cityId, tx) };
}

/**
 * Which clocks an action stops and starts (in the same transaction as the action):
 * dispatch → contact + resolve; contact stops contact; summon → report-in; reply → callback; the end stops all.
 */
export async function moveClocks(database: Database, tx: Tx, caseId: number, action: CaseAction, next: CaseSnapshot, now = new Date(), command?: CaseCommand) {
  // Read the case's colour and category at most once, and only for actions that start a clock.
  let loaded: Promise<ClockContext> | null = null;
  const clock = () => (loaded ??= clockContextOf(database, tx, caseId));
  switch (action) {
    case 'dispatch':
      await stop(tx, caseId, ['dispatch']);
      {
        const contactDue = await startClock(tx, await clock(), 'contact', now);
        // The response rate judges the first round's contact against this (docs/metrics.md).
        await tx.execute(sql`UPDATE cases SET contact_due_at = ${contactDue.toISOString()} WHERE id = ${caseId} AND contact_due_at IS NULL`);
      }
      await startClock(tx, await clock(), 'resolve', now);
      return;
    case 'record_contact':
      return stop(tx, caseId, ['contact']);
    case 'summon': {
      const due = await startClock(tx, await clock(), 'report_in', now);
      // The summons carries its report-in deadline too (shown to the department).
      await tx.execute(sql`UPDATE case_summonses SET deadline = ${due.toISOString()} WHERE case_id = ${caseId} AND deadline IS NULL AND returned_at IS NULL`);
      return;
    }
    case 'department_return':
      // Every department returned it, or those left have all reported in: nobody still owes a report-in.
      if (next.summonses.every((s) => s.reportedIn)) await stop(tx, caseId, ['report_in']);
      return;
    case 'report_in':
      if (next.summonses.every((s) => s.reportedIn)) await stop(tx, caseId, ['report_in']);
      return;
    case 'reply':
      await stop(tx, caseId, ['resolve', 'report_in', 'contact']);
      await startClock(tx, await clock(), 'callback', now);
      return;
    case 'callback':
    case 'rate':
      return stop(tx, caseId, ['callback']);
    case 'return':
    case 'reopen':
      await stop(tx, caseId, 'all');
      await startClock(tx, await clock(), 'dispatch', now);
      return;
    case 'close':
    case 'decline':
    case 'merge':
      return stop(tx, caseId, 'all');
    case 'decide_extension':
      // An approved extension (延期) gives the holder a fresh resolve period from now.
      if (command?.action === 'decide_extension' && command.approved) {
        const running = await runningSince(database, tx, caseId, ['resolve']);
        if (running.length) {
          await stop(tx, caseId, ['resolve']);
          await startClock(tx, await clock(), 'resolve', now);
        }
      }
      return;
    case 'reclassify':
      // A new colour re-times the dispatch and resolve clocks from when they started.
      for (const timer of await runningSince(database, tx, caseId, ['dispatch', 'resolve'])) {
        await stop(tx, caseId, [timer.kind]);
        await startClock(tx, await clock(), timer.kind, timer.startedAt);
      }
      return;
    default:
      return;
  }
}
