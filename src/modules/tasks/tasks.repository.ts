import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { openTaskAssignees } from '../cases/cases.repository.ts';

/** Statuses in which a case is still being worked at some level (the grid worker's to act on when held by the grid). */
export const workedStatuses = ['dispatched', 'in_progress', 'summoned', 'replied'] as const;

export interface TaskFilter {
  cityId: number;
  userId: number;
  /** Region prefix filter for cases the user handles (scopeFor(actor, 'case', 'handle')). */
  regionFilter: SQL;
}

/**
 * My tasks: cases held by the grid inside my area, plus cases with an open task row assigned to me.
 * The deadline is the earliest running SLA clock (not fired, not cancelled).
 */
function taskWhere(filter: TaskFilter): SQL {
  return sql`c.city_id = ${filter.cityId}
    AND c.status IN (${sql.join(workedStatuses.map((s) => sql`${s}`), sql`, `)})
    AND ((c.holder_level = 'grid' AND ${filter.regionFilter})
      OR EXISTS (SELECT 1 FROM case_tasks ct WHERE ct.case_id = c.id AND ct.assignee_user_id = ${filter.userId} AND ct.status = 'open'))`;
}

export async function listTaskRows(database: Database, filter: TaskFilter, limit: number, offset: number) {
  return database.rows<Record<string, unknown>>(sql`
    SELECT c.id, c.city_id, c.number, c.title, c.description, c.status, c.holder_level, c.version, c.triage_color, c.region_path,
      c.address, c.reporter_phone, c.reopen_count, c.rating_resolved, c.rating_satisfaction, c.claimed_by_party_organization_id,
      c.extension_pending, c.supervised, c.overdue, c.grid_id, c.building_id,
      cc.name AS category_name, g.name AS grid_name, b.name AS building_name, d.due_at AS deadline, d.kind AS deadline_kind,
      (SELECT count(*)::int FROM case_tasks ct WHERE ct.case_id = c.id AND ct.assignee_user_id = ${filter.userId} AND ct.status = 'open') AS assigned,
      COALESCE((SELECT json_agg(json_build_object('departmentId', s.department_id, 'reportedIn', s.reported_in_at IS NOT NULL, 'replied', s.replied_at IS NOT NULL) ORDER BY s.id)
        FROM case_summonses s WHERE s.case_id = c.id AND s.returned_at IS NULL), '[]'::json) AS summonses
    FROM cases c
    LEFT JOIN case_categories cc ON cc.id = c.category_id
    LEFT JOIN region_nodes g ON g.id = c.grid_id
    LEFT JOIN region_nodes b ON b.id = c.building_id
    LEFT JOIN LATERAL (SELECT t.due_at, t.kind FROM sla_timers t WHERE t.case_id = c.id AND t.fired_at IS NULL AND t.cancelled_at IS NULL
      ORDER BY t.due_at, t.id LIMIT 1) d ON true
    WHERE ${taskWhere(filter)}
    ORDER BY d.due_at ASC NULLS LAST, c.id ASC
    LIMIT ${limit} OFFSET ${offset}`);
}

export async function countTasks(database: Database, filter: TaskFilter): Promise<number> {
  const [row] = await database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM cases c WHERE ${taskWhere(filter)}`);
  return Number(row.total);
}

/** What the call endpoint needs: where the case is (for the policy) and the reporter's phone. */
export async function findCaseContact(database: Database, caseId: number) {
  const [row] = await database.rows<{ id: number; city_id: number; region_path: string; reporter_phone: string | null }>(
    sql`SELECT id, city_id, region_path, reporter_phone FROM cases WHERE id = ${caseId}`,
  );
  if (!row) return null;
  const summonses = await database.rows<{ department_id: number }>(sql`SELECT department_id FROM case_summonses WHERE case_id = ${caseId} AND returned_at IS NULL`);
  return {
    id: Number(row.id),
    record: {
      cityId: Number(row.city_id),
      regionPath: row.region_path,
      unitIds: summonses.map((s) => Number(s.department_id)),
      assigneeUserIds: await openTaskAssignees(database, caseId),
    },
    phone: row.reporter_phone,
  };
}
