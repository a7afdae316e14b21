import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { AUDIT_STRIPES, auditHash, ensureAuditHead, type HashedFields } from '../audit/audit.service.ts';
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
 * next batch (as does one parsed in the same turn of the event loop), and the batch is written in ONE transaction of five round trips whatever its size: the
 * audit chain heads, the audit ids, one statement for every case with its event, clock, outbox rows and
 * audit record, and the commit. An idle server writes each report at once (a batch of one), so batching
 * adds no delay; under load the per-report cost of round trips, commits and WAL flushes is shared.
 * If a batch fails, its reports are written one by one, so one bad report cannot sink the others.
 */
export class IntakeBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;
  private stripe = 0;
  /** For tests and benchmarks: how the reports were grouped. */
  readonly stats = { batches: 0, largestBatch: 0, fallbacks: 0 };

  constructor(private readonly database: Database, private readonly maxInFlight = database.engine === 'pglite' ? 1 : 4) {}

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
      const batch = this.queue.splice(0, MAX_BATCH);
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

  private async writeBatch(rows: NewCaseRow[]): Promise<Array<{ eventId: number; at: string }>> {
    const cities = [...new Set(rows.map((r) => r.cityId))].sort((a, b) => a - b);
    for (const cityId of cities) await ensureAuditHead(this.database, cityId);
    // Concurrent batches take different stripes; heads are locked in city order (no deadlock).
    const stripe = (this.stripe = (this.stripe + 1) % AUDIT_STRIPES);
    const database = this.database;
    return database.db.transaction(async (tx) => {
      const heads = await database.rows<{ city_id: number; last_hash: string }>(
        sql`SELECT city_id, last_hash FROM audit_chain_heads WHERE stripe = ${stripe} AND city_id IN (${sql.join(cities.map((c) => sql`${c}`), sql`, `)})
            ORDER BY city_id FOR UPDATE`,
        tx,
      );
      const lastHash = new Map(heads.map((h) => [Number(h.city_id), h.last_hash]));
      const auditIds = (await database.rows<{ id: number }>(sql`SELECT nextval('audit_log_id_seq') AS id FROM generate_series(1, ${rows.length})`, tx))
        .map((r) => Number(r.id))
        .sort((a, b) => a - b);
      // The chain is built here, in id order per city, exactly as verifyAuditChain recomputes it.
      const audits = rows.map((row, i) => {
        const entry = row.audit;
        const fields: HashedFields = {
          id: auditIds[i],
          cityId: entry.cityId,
          at: new Date().toISOString(),
          actorUserId: entry.actorUserId,
          actorName: entry.actorName,
          action: entry.action,
          resourceType: entry.resourceType,
          resourceId: entry.resourceId === null ? null : String(entry.resourceId),
          outcome: entry.outcome,
          ip: entry.ip,
          userAgent: entry.userAgent,
          details: entry.details ?? null,
        };
        const previous = lastHash.get(entry.cityId) as string;
        const hash = auditHash(previous, fields);
        lastHash.set(entry.cityId, hash);
        return { fields, previous, hash };
      });
      const caseValues = rows.map(
        (r) => sql`(${r.id}, ${r.cityId}, ${r.number}, ${r.trackingToken}, ${r.channel}, ${r.triageColor}, ${r.categoryId}, ${r.title}, ${r.description}, ${r.regionPath},
          ${r.gridId}, ${r.buildingId}, ${r.lng}, ${r.lat}, ${r.address}, ${r.reporterName}, ${r.reporterPhone}, ${r.reporterConsent}, ${r.createdBy})`,
      );
      const eventValues = rows.map(
        (r) => sql`(${r.cityId}::bigint, ${r.id}::bigint, 'submit', 'submitted', ${r.createdBy}::bigint, ${r.actorLabel}::text, ${JSON.stringify(r.eventDetails)}::jsonb, true)`,
      );
      const clockValues = rows.map((r) => sql`(${r.cityId}::bigint, ${r.id}::bigint, 'dispatch', ${r.dispatchDueAt.toISOString()}::timestamptz)`);
      const noticeValues = rows.map(
        (r) => sql`(${r.id}::bigint, ${`{${r.ancestorNodeIds.join(',')}}`}::bigint[], ${JSON.stringify(r.notificationPayload)}::jsonb)`,
      );
      const auditValues = audits.map(
        ({ fields: f, previous, hash }) => sql`(${f.id}::bigint, ${f.cityId}::bigint, ${f.at}::timestamptz, ${f.actorUserId}::bigint, ${f.actorName}::text, ${f.action}::text,
          ${f.resourceType}::text, ${f.resourceId}::text, ${f.outcome}::text, ${f.ip}::text, ${f.userAgent}::text,
          ${f.details === null ? null : JSON.stringify(f.details)}::jsonb, ${previous}::text, ${hash}::text, ${stripe}::smallint)`,
      );
      const newHeads = cities.map((cityId) => {
        const last = audits.filter((a) => a.fields.cityId === cityId).at(-1)!;
        return sql`(${cityId}::bigint, ${last.fields.id}::bigint, ${last.hash}::text)`;
      });
      const written = await database.rows<{ id: number; case_id: number; at: string }>(sql`
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
        new_audit AS (
          INSERT INTO audit_log (id, city_id, at, actor_user_id, actor_name, action, resource_type, resource_id, outcome, ip, user_agent, details, prev_hash, hash, stripe)
          VALUES ${sql.join(auditValues, sql`, `)}),
        heads (city_id, last_id, last_hash) AS (VALUES ${sql.join(newHeads, sql`, `)}),
        moved AS (UPDATE audit_chain_heads h SET last_id = heads.last_id, last_hash = heads.last_hash FROM heads WHERE h.city_id = heads.city_id AND h.stripe = ${stripe})
        SELECT id, case_id, at FROM new_events`, tx);
      const byCase = new Map(written.map((w) => [Number(w.case_id), { eventId: Number(w.id), at: new Date(w.at).toISOString() }]));
      return rows.map((r) => byCase.get(r.id)!);
    });
  }
}
