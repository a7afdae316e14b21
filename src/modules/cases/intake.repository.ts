import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import { auditAppendCtes, type AuditEntry } from '../audit/audit.service.ts';

export interface NewCaseRow {
  id: number;
  cityId: number;
  number: string;
  trackingToken: string;
  channel: string;
  triageColor: string;
  categoryId: number;
  title: string;
  description: string;
  regionPath: string;
  gridId: number;
  buildingId: number | null;
  lng: number | null;
  lat: number | null;
  address: string | null;
  reporterName: string | null;
  reporterPhone: string | null;
  reporterConsent: boolean;
  createdBy: number | null;
  actorLabel: string;
  eventDetails: Record<string, unknown>;
  dispatchDueAt: Date;
  /** The community dispatchers hear of a new case: their role sits on one of these nodes (the case's ancestors). */
  ancestorNodeIds: number[];
  notificationPayload: Record<string, unknown>;
  audit: AuditEntry;
}

/**
 * A new case in ONE statement: the case, its `submit` event, its dispatch clock, the dispatchers' outbox
 * rows and the audit record (chained in PostgreSQL). One round trip keeps intake fast on both engines,
 * and a statement is atomic by itself. If the audit record could not be chained, the final division by
 * zero fails the whole statement, so no case is ever stored unaudited.
 */
export async function insertNewCase(database: Database, executor: Executor, row: NewCaseRow): Promise<{ eventId: number; at: string }> {
  const ancestors = row.ancestorNodeIds.length ? sql.join(row.ancestorNodeIds.map((id) => sql`${id}`), sql`, `) : sql`NULL`;
  const [result] = await database.rows<{ event_id: number; at: string; audited: number }>(sql`
    WITH new_case AS (
      INSERT INTO cases (id, city_id, number, tracking_token, channel, triage_color, category_id, title, description, region_path, grid_id, building_id,
        lng, lat, address, reporter_name, reporter_phone, reporter_consent, created_by)
      VALUES (${row.id}, ${row.cityId}, ${row.number}, ${row.trackingToken}, ${row.channel}, ${row.triageColor}, ${row.categoryId}, ${row.title}, ${row.description},
        ${row.regionPath}, ${row.gridId}, ${row.buildingId}, ${row.lng}, ${row.lat}, ${row.address}, ${row.reporterName}, ${row.reporterPhone}, ${row.reporterConsent}, ${row.createdBy})
      RETURNING id),
    new_event AS (
      INSERT INTO case_events (city_id, case_id, action, to_status, actor_user_id, actor_label, details, is_public)
      SELECT ${row.cityId}::bigint, id, 'submit', 'submitted', ${row.createdBy}::bigint, ${row.actorLabel}::text, ${JSON.stringify(row.eventDetails)}::jsonb, true FROM new_case
      RETURNING id, at),
    new_clock AS (
      INSERT INTO sla_timers (city_id, case_id, kind, due_at) SELECT ${row.cityId}::bigint, id, 'dispatch', ${row.dispatchDueAt.toISOString()}::timestamptz FROM new_case),
    new_outbox AS (
      INSERT INTO outbox (city_id, event_key, channel, recipient, recipient_user_id, template, payload)
      SELECT DISTINCT ${row.cityId}::bigint, 'case_event:' || e.id, 'in_app', 'user:' || ra.user_id, ra.user_id, 'case.new', ${JSON.stringify(row.notificationPayload)}::jsonb
      FROM new_event e, role_assignments ra JOIN users u ON u.id = ra.user_id
      WHERE ra.region_node_id IN (${ancestors}) AND ra.role = 'dispatcher' AND u.city_id = ${row.cityId} AND u.status = 'active'),
    ${auditAppendCtes(row.audit)}
    SELECT e.id AS event_id, e.at, 1 / (SELECT count(*) FROM audit_moved)::int AS audited FROM new_event e`, executor);
  return { eventId: Number(result.event_id), at: new Date(result.at).toISOString() };
}

/** Case ids drawn from the sequence a hundred at a time (the number and the audit record need the id up front). */
export class CaseIdPool {
  private ids: number[] = [];
  private refill: Promise<void> | null = null;

  constructor(private readonly database: Database) {}

  async next(): Promise<number> {
    while (this.ids.length === 0) {
      this.refill ??= this.database
        .rows<{ id: number }>(sql`SELECT nextval('cases_id_seq') AS id FROM generate_series(1, 100)`)
        .then((rows) => {
          this.ids.push(...rows.map((r) => Number(r.id)).sort((a, b) => a - b));
        })
        .finally(() => {
          this.refill = null;
        });
      await this.refill;
    }
    return this.ids.shift() as number;
  }
}
