import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { AUDIT_STRIPES, ensureAuditHead, sealableAudit } from '../audit/audit.service.ts';
import { insertNewCase, type NewCaseRow } from './intake.repository.ts';

interface Pending {
  row: NewCaseRow;
  resolve(value: { eventId: number; at: string }): void;
  reject(error: unknown): void;
}

/** Reports written together at most (bind parameters stay far below PostgreSQL's 65,535). */
const MAX_BATCH = 100;

/**
 * Group commit for intake. A report that arrives while earlier ones are being written waits for the
 * next batch (as does one parsed in the same turn of the event loop), and the batch is written in ONE
 * statement whatever its size: every case with its event, clock, outbox rows and chained audit record.
 * An idle server writes each report at once (a batch of one), so batching adds no delay; under load
 * the per-report cost of round trips, commits and WAL flushes is shared.
 * If a batch fails, its reports are written one by one, so one bad report cannot sink the others.
 */
export class IntakeBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;
  private stripe = 0;
  /** For tests and benchmarks: how the reports were grouped. */
  readonly stats = { batches: 0, largestBatch: 0, fallbacks: 0 };

  constructor(private readonly database: Database, private readonly maxInFlight = database.engine === 'pglite' ? 1 : 12) {}

  private scheduled = false;

  submit(row: NewCaseRow): Promise<{ eventId: number; at: string }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      // Start writing after the current turn of the event loop, so reports parsed in the same turn go together.
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump() {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      // A batch holds one city's reports (one audit chain head per batch).
      const cityId = this.queue[0].row.cityId;
      const batch: Pending[] = [];
      this.queue = this.queue.filter((p) => (p.row.cityId === cityId && batch.length < MAX_BATCH ? (batch.push(p), false) : true));
      this.inFlight++;
      void this.write(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async write(batch: Pending[]) {
    this.stats.batches++;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    if (batch.length > 1) {
      try {
        const events = await this.writeBatch(batch.map((p) => p.row));
        batch.forEach((p, i) => p.resolve(events[i]));
        return;
      } catch {
        // Fall through: one by one, each with its own answer.
        this.stats.fallbacks++;
      }
    }
    for (const pending of batch) {
      try {
        await ensureAuditHead(this.database, pending.row.cityId);
        pending.resolve(await insertNewCase(this.database, this.database.db, pending.row));
      } catch (error) {
        pending.reject(error);
      }
    }
  }

  /**
   * One statement for the whole batch (one city): cases, events, clocks, outbox rows, and the audit
   * records chained by civicgrid_append_audit() on one stripe (drizzle/0010). Atomic without a
   * transaction, one round trip whatever the batch size.
   */
  private async writeBatch(rows: NewCaseRow[]): Promise<Array<{ eventId: number; at: string }>> {
    const cityId = rows[0].cityId;
    await ensureAuditHead(this.database, cityId);
    // Concurrent batches take different stripes.
    const stripe = (this.stripe = (this.stripe + 1) % AUDIT_STRIPES);
    const audits = rows.map((r) => {
      const { fields, prefix, suffix } = sealableAudit(r.audit);
      return { ...fields, prefix, suffix };
    });
    const caseValues = rows.map(
      (r) => sql`(${r.id}, ${r.cityId}, ${r.number}, ${r.trackingToken}, ${r.channel}, ${r.triageColor}, ${r.categoryId}, ${r.title}, ${r.description}, ${r.regionPath},
        ${r.gridId}, ${r.buildingId}, ${r.lng}, ${r.lat}, ${r.address}, ${r.reporterName}, ${r.reporterPhone}, ${r.reporterConsent}, ${r.createdBy})`,
    );
    const eventValues = rows.map(
      (r) => sql`(${r.cityId}::bigint, ${r.id}::bigint, 'submit', 'submitted', ${r.createdBy}::bigint, ${r.actorLabel}::text, ${JSON.stringify(r.eventDetails)}::jsonb, true)`,
    );
    const clockValues = rows.map((r) => sql`(${r.cityId}::bigint, ${r.id}::bigint, 'dispatch', ${r.dispatchDueAt.toISOString()}::timestamptz)`);
    const noticeValues = rows.map((r) => sql`(${r.id}::bigint, ${`{${r.ancestorNodeIds.join(',')}}`}::bigint[], ${JSON.stringify(r.notificationPayload)}::jsonb)`);
    const written = await this.database.rows<{ id: number; case_id: number; at: string; audited: number }>(sql`
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
      audited AS (SELECT civicgrid_append_audit(${cityId}::bigint, ${stripe}::smallint, ${JSON.stringify(audits)}::jsonb) AS n)
      SELECT e.id, e.case_id, e.at, a.n AS audited FROM new_events e CROSS JOIN audited a`);
    if (written.length !== rows.length || written.some((w) => Number(w.audited) !== rows.length)) throw new Error('intake batch was not written whole');
    const byCase = new Map(written.map((w) => [Number(w.case_id), { eventId: Number(w.id), at: new Date(w.at).toISOString() }]));
    return rows.map((r) => byCase.get(r.id)!);
  }
}
