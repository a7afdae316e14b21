import { sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';

/** Grid workers holding an open task on the case (policy rule `assigned`). */
export async function openTaskAssignees(database: Database, caseId: number, executor?: Executor): Promise<number[]> {
  const rows = await database.rows<{ assignee_user_id: number }>(
    sql`SELECT DISTINCT assignee_user_id FROM case_tasks WHERE case_id = ${caseId} AND status = 'open' AND assignee_user_id IS NOT NULL`,
    executor,
  );
  return rows.map((r) => Number(r.assignee_user_id));
}

/** Summonses of the case's current round: a reopened case starts over, its earlier summonses stay as history. */
export const currentSummonsRound = (caseId: number): SQL =>
  sql`summoned_at > coalesce((SELECT max(at) FROM case_events WHERE case_id = ${caseId} AND action = 'reopen'), '-infinity'::timestamptz)`;
