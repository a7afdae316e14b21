import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import { auditRecordsJson, randomStripe, type AuditEntry } from '../audit/audit.service.ts';

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
 * New cases of one city in ONE statement: the cases, their `submit` events, dispatch clocks, the
 * dispatchers' outbox rows, and the audit records chained on one stripe by civicgrid_append_audit()
 * (drizzle/0010). One round trip whatever the number of cases, and atomic without a transaction.
 */
export async function insertNewCases(database: Database, executor: Executor, rows: NewCaseRow[], stripe = randomStripe()): Promise<Array<{ eventId: number; at: string }>> {
  const cityId = rows[0].cityId;
  if (rows.some((r) => r.cityId !== cityId)) throw new Error('insertNewCases: one city per statement');
  const caseValues = rows.map(
    (r) => sql`(${r.id}, ${r.cityId}, ${r.number}, ${r.trackingToken}, ${r.channel}, ${r.triageColor}, ${r.categoryId}, ${r.title}, ${r.description}, ${r.regionPath},
      ${r.gridId}, ${r.buildingId}, ${r.lng}, ${r.lat}, ${r.address}, ${r.reporterName}, ${r.reporterPhone}, ${r.reporterConsent}, ${r.createdBy})`,
  );
  const eventValues = rows.map(
    (r) => sql`(${r.cityId}::bigint, ${r.id}::bigint, 'submit', 'submitted', ${r.createdBy}::bigint, ${r.actorLabel}::text, ${JSON.stringify(r.eventDetails)}::jsonb, true)`,
  );
  const clockValues = rows.map((r) => sql`(${r.cityId}::bigint, ${r.id}::bigint, 'dispatch', ${r.dispatchDueAt.toISOString()}::timestamptz)`);
  const noticeValues = rows.map((r) => sql`(${r.id}::bigint, ${`{${r.ancestorNodeIds.join(',')}}`}::bigint[], ${JSON.stringify(r.notificationPayload)}::jsonb)`);
  const written = await database.rows<{ id: number; case_id: number; at: string; audited: number }>(sql`
    WITH new_cases AS (
      INSERT INTO cases (id, city_id, number, tracking_token, channel, triage_color, category_id, title, description, region_path, grid_id, building_id,
        lng, lat, address, reporter_name, reporter_phone, reporter_consent, created_by)
      VALUES ${sql.join(caseValues, sql`, `)}),
    new_events AS (
      INSERT INTO case_events (city_id, case_id, action, to_status, actor_user_id, actor_label, details, is_public)
      VALUES ${sql.join(eventValues, sql`, `)} RETURNING id, case_id, city_id, at),
    new_clocks AS (INSERT INTO sla_timers (city_id, case_id, kind, due_at) VALUES ${sql.join(clockValues, sql`, `)}),
    notices (case_id, node_ids, payload) AS (VALUES ${sql.join(noticeValues, sql`, `)}),
    new_outbox AS (
      INSERT INTO outbox (city_id, event_key, channel, recipient, recipient_user_id, template, payload)
      SELECT DISTINCT e.city_id, 'case_event:' || e.id, 'in_app', 'user:' || ra.user_id, ra.user_id, 'case.new', n.payload
      FROM new_events e JOIN notices n ON n.case_id = e.case_id
      JOIN role_assignments ra ON ra.region_node_id = ANY (n.node_ids) AND ra.role = 'dispatcher'
      JOIN users u ON u.id = ra.user_id AND u.city_id = e.city_id AND u.status = 'active'),
    audited AS (SELECT civicgrid_append_audit(${cityId}::bigint, ${stripe}::smallint, ${auditRecordsJson(rows.map((r) => r.audit))}::jsonb) AS n)
    SELECT e.id, e.case_id, e.at, a.n AS audited FROM new_events e CROSS JOIN audited a`, executor);
  // The function raises without a chain head; a short answer means something was not written whole.
  if (written.length !== rows.length || written.some((w) => Number(w.audited) !== rows.length)) throw new Error('new cases were not written whole');
  const byCase = new Map(written.map((w) => [Number(w.case_id), { eventId: Number(w.id), at: new Date(w.at).toISOString() }]));
  return rows.map((r) => byCase.get(r.id)!);
}

export async function insertNewCase(database: Database, executor: Executor, row: NewCaseRow): Promise<{ eventId: number; at: string }> {
  const [written] = await insertNewCases(database, executor, [row]);
  return written;
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
