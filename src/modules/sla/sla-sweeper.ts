import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../shared/errors.ts';
import { applyCaseAction } from '../cases/case-action.command.ts';
import { announceCaseEvents } from '../realtime/case-event-announcer.ts';
import type { CaseEventNotice } from '../realtime/case-event-bus.ts';
import { startBackgroundLoop } from '../../shared/background-loop.ts';

export interface SweepResult {
  fired: number;
}

/**
 * Fires due SLA clocks: 催办 (marks the case overdue) and, while a level above exists, escalates it one
 * level. Each timer is taken with FOR UPDATE SKIP LOCKED and marked fired in the same transaction as
 * its reminder, so with several server processes every reminder fires exactly once. One timer per
 * transaction: each reminder is visible as soon as it fired, and a transaction holds one case and one
 * audit chain at a time, so two sweepers can never wait on each other in a cycle.
 */
export async function sweepDueTimers(context: AppContext, now = new Date(), batch = 1): Promise<SweepResult> {
  let fired = 0;
  for (;;) {
    const notices: CaseEventNotice[] = [];
    const firedThisRound = await context.database.db.transaction(async (tx) => {
      const due = await context.database.rows<{ id: number; case_id: number; kind: string }>(
        sql`SELECT id, case_id, kind FROM sla_timers WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at <= ${now.toISOString()}
            ORDER BY due_at LIMIT ${batch} FOR UPDATE SKIP LOCKED`,
        tx,
      );
      for (const timer of due) {
        await tx.execute(sql`UPDATE sla_timers SET fired_at = now() WHERE id = ${Number(timer.id)}`);
        const caseId = Number(timer.case_id);
        const note = `${timer.kind} clock ran out`;
        // A case that moved on in the meantime simply refuses the reminder; the timer still counts as fired.
        notices.push(...(await tryAction(context, tx, caseId, { command: { action: 'remind' }, note })));
        if (timer.kind === 'contact' || timer.kind === 'resolve') notices.push(...(await tryAction(context, tx, caseId, { command: { action: 'escalate' }, note })));
      }
      return due.length;
    });
    announceCaseEvents(context.database, notices);
    fired += firedThisRound;
    if (firedThisRound < batch) return { fired };
  }
}

async function tryAction(context: AppContext, tx: Parameters<typeof applyCaseAction>[1], caseId: number, input: Parameters<typeof applyCaseAction>[4]) {
  await tx.execute(sql`SAVEPOINT sla_action`);
  try {
    const { notice } = await applyCaseAction(context, tx, { kind: 'system' }, caseId, input);
    await tx.execute(sql`RELEASE SAVEPOINT sla_action`);
    return [notice];
  } catch (error) {
    await tx.execute(sql`ROLLBACK TO SAVEPOINT sla_action`);
    if (!(error instanceof AppError)) throw error;
    return [];
  }
}

/** The in-process loop: a sweep that finds nothing costs one indexed query. */
export function startSlaSweeper(context: AppContext, intervalMs = 250, onError: (error: unknown) => void = () => undefined) {
  return startBackgroundLoop(() => sweepDueTimers(context), intervalMs, onError);
}
