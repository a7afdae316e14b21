import pg from 'pg';
import type { Database } from '../../db/client.ts';

/** The channel committed case events are announced on (case-event-announcer.ts), as JSON arrays. */
export const CASE_EVENTS_CHANNEL = 'civicgrid_case_events';

/** One committed case event, as the trigger announces it. */
export interface CaseEventNotice {
  eventId: number;
  caseId: number;
  cityId: number;
  action: string;
  toStatus: string;
  regionPath: string | null;
  at: string;
}

export interface CaseEventSubscriber {
  event(notice: CaseEventNotice): void;
  /** The PostgreSQL listener reconnected: notices may have been lost meanwhile, replay from the database. */
  resync?(): void;
}

export interface CaseEventBusOptions {
  /** First reconnect delay; doubled on each failure up to `maxBackoffMs`. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  onError?: (error: unknown) => void;
}

/** A payload is one notice or an array of them (the announcer batches). */
export function parseCaseEventNotices(payload: string): CaseEventNotice[] {
  try {
    const parsed = JSON.parse(payload) as unknown;
    const list = Array.isArray(parsed) ? parsed : [parsed];
    return list.map((item) => noticeOf(item as Record<string, unknown>)).filter((n): n is CaseEventNotice => n !== null);
  } catch {
    return [];
  }
}

export function parseCaseEventNotice(payload: string): CaseEventNotice | null {
  return parseCaseEventNotices(payload)[0] ?? null;
}

function noticeOf(raw: Record<string, unknown>): CaseEventNotice | null {
  try {
    const notice: CaseEventNotice = {
      eventId: Number(raw.eventId),
      caseId: Number(raw.caseId),
      cityId: Number(raw.cityId),
      action: String(raw.action),
      toStatus: String(raw.toStatus),
      regionPath: typeof raw.regionPath === 'string' ? raw.regionPath : null,
      at: String(raw.at),
    };
    return Number.isSafeInteger(notice.eventId) && Number.isSafeInteger(notice.caseId) && Number.isSafeInteger(notice.cityId) ? notice : null;
  } catch {
    return null;
  }
}

/**
 * ONE database listener per process (per database handle), fanned out to in-process subscribers.
 * It starts with the first subscriber and stops with `stop()` (the app's close): a dedicated pg.Client
 * doing LISTEN on PostgreSQL, reconnecting with backoff; PGlite's own listen() on the embedded database.
 */
export class CaseEventBus {
  private readonly subscribers = new Set<CaseEventSubscriber>();
  private client: pg.Client | null = null;
  private unlistenPglite: (() => Promise<void>) | null = null;
  private starting: Promise<void> | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private backoffMs: number;
  private stopped = true;
  private generation = 0;
  /** Resolves once the listener is attached (tests and the SSE route wait for it before replaying). */
  ready: Promise<void> = Promise.resolve();

  constructor(
    private readonly database: Database,
    private readonly options: CaseEventBusOptions = {},
  ) {
    this.backoffMs = options.minBackoffMs ?? 250;
  }

  get subscriberCount() {
    return this.subscribers.size;
  }

  get listening() {
    return !this.stopped && (this.client !== null || this.unlistenPglite !== null);
  }

  /** Adds a subscriber (starting the listener if needed); returns the unsubscribe function. */
  subscribe(subscriber: CaseEventSubscriber): () => void {
    this.subscribers.add(subscriber);
    if (this.stopped) {
      this.stopped = false;
      this.ready = this.start();
    }
    return () => {
      this.subscribers.delete(subscriber);
    };
  }

  private publish(payload: string | undefined) {
    for (const notice of payload ? parseCaseEventNotices(payload) : []) {
      for (const subscriber of [...this.subscribers]) {
        try {
          subscriber.event(notice);
        } catch (error) {
          this.options.onError?.(error);
        }
      }
    }
  }

  private resync() {
    for (const subscriber of [...this.subscribers]) {
      try {
        subscriber.resync?.();
      } catch (error) {
        this.options.onError?.(error);
      }
    }
  }

  private start(): Promise<void> {
    this.starting ??= (async () => {
      try {
        if (this.database.pglite) {
          const unlisten = await this.database.pglite.listen(CASE_EVENTS_CHANNEL, (payload) => this.publish(payload));
          if (this.stopped) await unlisten().catch(() => undefined);
          else this.unlistenPglite = unlisten;
        } else {
          await this.connect(false);
        }
      } finally {
        this.starting = null;
      }
    })();
    return this.starting;
  }

  /** Connects the dedicated LISTEN client; on failure or loss, tries again with exponential backoff. */
  private async connect(isReconnect: boolean): Promise<void> {
    if (this.stopped) return;
    if (!this.database.url) throw new Error('LISTEN needs the PostgreSQL connection string (Database.url)');
    const generation = ++this.generation;
    const client = new pg.Client({ connectionString: this.database.url });
    const lost = (error?: unknown) => {
      if (error) this.options.onError?.(error);
      if (this.client !== client) return;
      this.client = null;
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      if (message.channel === CASE_EVENTS_CHANNEL) this.publish(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CASE_EVENTS_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
      this.options.onError?.(error);
      if (generation === this.generation) this.scheduleReconnect();
      return;
    }
    if (this.stopped || generation !== this.generation) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.backoffMs = this.options.minBackoffMs ?? 250;
    if (isReconnect) this.resync();
  }

  private scheduleReconnect() {
    if (this.stopped || this.reconnectTimer) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 5_000);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect(true);
    }, delay);
    this.reconnectTimer.unref();
  }

  /** Test hook and operational tool: drop the PostgreSQL connection as if the network failed. */
  simulateConnectionLoss() {
    this.client?.emit('error', new Error('simulated connection loss'));
  }

  /** Stops listening and forgets every subscriber (the app is closing). Subscribing again restarts it. */
  async stop() {
    this.stopped = true;
    this.subscribers.clear();
    this.generation++;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    await this.starting?.catch(() => undefined);
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
    }
    const unlisten = this.unlistenPglite;
    this.unlistenPglite = null;
    if (unlisten) await unlisten().catch(() => undefined);
  }
}

const buses = new WeakMap<Database, CaseEventBus>();

/** The process's bus for a database handle: every subscriber of one server shares one listener. */
export function caseEventBus(database: Database): CaseEventBus {
  let bus = buses.get(database);
  if (!bus) {
    bus = new CaseEventBus(database);
    buses.set(database, bus);
  }
  return bus;
}
