import type { OutgoingHttpHeaders } from 'node:http';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate, SESSION_COOKIE } from '../../http/request-context.ts';
import { requireAbility } from '../policy/authorize.ts';
import { caseEventBus, type CaseEventNotice } from './case-event-bus.ts';
import { formatCaseEvent, lastEventIdOf, replayEvents, scopeChecker, sessionStillValid, streamSettings, type CaseStreamEvent } from './case-stream.ts';

/**
 * Server-sent events fed by LISTEN/NOTIFY: `GET /api/v1/cases/stream` tells a board which cases changed,
 * limited to the cases the user may read. Not in the OpenAPI document (a stream, not a JSON resource).
 */
export function realtimeRoutes(app: App, context: AppContext) {
  const bus = caseEventBus(context.database);
  const openStreams = new Set<() => void>();
  // End open streams before the server waits for its connections to close, then stop the listener.
  app.addHook('preClose', async () => {
    for (const close of [...openStreams]) close();
  });
  app.addHook('onClose', async () => {
    await bus.stop();
  });

  app.get('/api/v1/cases/stream', { schema: { hide: true } }, async (request, reply) => {
    const actor = await authenticate(context, request);
    requireAbility(actor, 'case', 'read');
    const lastEventId = lastEventIdOf(request.headers['last-event-id']);
    const inScope = scopeChecker(context, actor);

    let closed = false;
    let replaying = true;
    const buffered: CaseEventNotice[] = [];
    /** Ids already sent by a replay, so the same event arriving live is not sent twice. */
    const replayed = new Set<number>();
    let highestSent = lastEventId ?? 0;
    // Scope checks may query the database: a chain keeps the events in their arrival order.
    let chain: Promise<void> = Promise.resolve();
    let heartbeat: NodeJS.Timeout | null = null;

    const raw = reply.raw;
    const close = () => {
      if (closed) return;
      closed = true;
      if (heartbeat) clearInterval(heartbeat);
      unsubscribe();
      openStreams.delete(close);
      if (!raw.writableEnded) raw.end();
    };
    const write = (text: string) => {
      if (closed) return;
      raw.write(text);
      // A reader that stopped reading is dropped; its browser reconnects and replays what it missed.
      if (raw.writableLength > streamSettings.maxBufferedBytes) close();
    };
    const send = (event: CaseStreamEvent) => {
      write(formatCaseEvent(event));
      highestSent = Math.max(highestSent, event.eventId);
    };
    const replayAfter = async (afterId: number) => {
      for (const event of await replayEvents(context, actor, afterId)) {
        if (closed) return;
        replayed.add(event.eventId);
        send(event);
      }
    };
    const deliver = (notice: CaseEventNotice) => {
      chain = chain
        .then(async () => {
          if (closed || replayed.has(notice.eventId) || !(await inScope(notice))) return;
          send({ eventId: notice.eventId, caseId: notice.caseId, action: notice.action, toStatus: notice.toStatus });
        })
        .catch((error) => request.log.error({ err: error }, 'case stream: delivering an event failed'));
    };

    // Subscribe before replaying so nothing committed in between is lost (duplicates are filtered).
    const unsubscribe = bus.subscribe({
      event: (notice) => (replaying ? buffered.push(notice) : deliver(notice)),
      // The listener reconnected: fetch what was announced while it was away.
      resync: () => {
        chain = chain.then(() => replayAfter(highestSent)).catch((error) => request.log.error({ err: error }, 'case stream: resync failed'));
      },
    });
    try {
      await bus.ready;
    } catch (error) {
      unsubscribe();
      throw error;
    }
    // Without Last-Event-ID the stream starts now: a reconnect of the listener replays from here.
    if (lastEventId === null) {
      const [{ last }] = await context.database.rows<{ last: number | null }>(sql`SELECT max(id) AS last FROM case_events WHERE city_id = ${actor.cityId}`);
      highestSent = Number(last ?? 0);
    }

    reply.hijack();
    if (request.raw.destroyed) {
      unsubscribe();
      return;
    }
    const headers: OutgoingHttpHeaders = {
      ...(reply.getHeaders() as OutgoingHttpHeaders),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    };
    raw.writeHead(200, headers);
    openStreams.add(close);
    request.raw.on('close', close);
    raw.on('close', close);
    raw.on('error', close);
    write(`retry: ${streamSettings.retryMs}\n\n`);

    try {
      if (lastEventId !== null) await replayAfter(lastEventId);
    } catch (error) {
      request.log.error({ err: error }, 'case stream: replay failed');
    }
    replaying = false;
    for (const notice of buffered.splice(0)) deliver(notice);
    // Tells the client the stream is live (EventSource's `open` fires before the listener is attached).
    chain = chain.then(() => write(`event: ready\ndata: ${JSON.stringify({ lastEventId: highestSent || null })}\n\n`));
    // Each heartbeat also re-checks the session: a logout, an idle timeout or a change of roles ends the
    // stream (the browser reconnects and is then refused or gets its new scope).
    const token = request.cookies[SESSION_COOKIE] ?? '';
    heartbeat = setInterval(() => {
      write(': heartbeat\n\n');
      sessionStillValid(context, token, actor)
        .then((valid) => {
          if (!valid) close();
        })
        .catch((error) => request.log.error({ err: error }, 'case stream: session check failed'));
    }, streamSettings.heartbeatMs);
    heartbeat.unref();
  });
}
