import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { CASE_EVENTS_CHANNEL, type CaseEventNotice } from './case-event-bus.ts';

/** NOTIFY payloads must stay under PostgreSQL's 8,000-byte limit. */
const MAX_PAYLOAD_BYTES = 7_500;
const FLUSH_DELAY_MS = 20;

/**
 * Announces committed case events on LISTEN/NOTIFY, batched: every NOTIFY takes PostgreSQL's global
 * notification lock at commit, so one per intake would serialise all writers. Each process gathers the
 * events it committed and sends them as JSON arrays from a small transaction of its own every 20 ms.
 * Listeners dedupe by event id and replay from case_events after a gap (Last-Event-ID), so a batch lost
 * in a crash only delays a screen; it loses no data.
 */
class CaseEventAnnouncer {
  private pending: CaseEventNotice[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly database: Database) {}

  announce(notices: CaseEventNotice[]) {
    if (notices.length === 0) return;
    this.pending.push(...notices);
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flushing = this.flushing.then(() => this.flush()).catch(() => undefined);
    }, FLUSH_DELAY_MS);
  }

  /** Sends everything pending now (tests; shutdown). */
  async flush() {
    const batch = this.pending;
    this.pending = [];
    for (const payload of chunk(batch)) {
      await this.database.db.execute(sql`SELECT pg_notify(${CASE_EVENTS_CHANNEL}, ${payload})`);
    }
  }
}

function chunk(notices: CaseEventNotice[]): string[] {
  const payloads: string[] = [];
  let current: string[] = [];
  let size = 2;
  for (const notice of notices) {
    const text = JSON.stringify(notice);
    if (current.length && size + text.length + 1 > MAX_PAYLOAD_BYTES) {
      payloads.push(`[${current.join(',')}]`);
      current = [];
      size = 2;
    }
    current.push(text);
    size += Buffer.byteLength(text) + 1;
  }
  if (current.length) payloads.push(`[${current.join(',')}]`);
  return payloads;
}

const announcers = new WeakMap<Database, CaseEventAnnouncer>();

const announcerOf = (database: Database) => {
  let announcer = announcers.get(database);
  if (!announcer) {
    announcer = new CaseEventAnnouncer(database);
    announcers.set(database, announcer);
  }
  return announcer;
};

/** Call after the transaction that wrote the events has committed. */
export function announceCaseEvents(database: Database, notices: CaseEventNotice[]) {
  announcerOf(database).announce(notices);
}

export function flushCaseEventAnnouncements(database: Database) {
  return announcerOf(database).flush();
}
