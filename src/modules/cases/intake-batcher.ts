import type { Database } from '../../db/client.ts';
import { AUDIT_STRIPES, ensureAuditHead } from '../audit/audit.service.ts';
import { insertNewCase, insertNewCases, type NewCaseRow } from './intake.repository.ts';

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

  private async writeBatch(rows: NewCaseRow[]): Promise<Array<{ eventId: number; at: string }>> {
    await ensureAuditHead(this.database, rows[0].cityId);
    // Concurrent batches take different stripes.
    this.stripe = (this.stripe + 1) % AUDIT_STRIPES;
    return insertNewCases(this.database, this.database.db, rows, this.stripe);
  }
}
