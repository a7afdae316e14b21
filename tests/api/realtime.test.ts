import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { insertDefaultCategories } from '../../src/modules/cases/case-categories.repository.ts';
import { caseEventBus } from '../../src/modules/realtime/case-event-bus.ts';
import { REPLAY_LIMIT, streamSettings } from '../../src/modules/realtime/case-stream.ts';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { usingPostgres } from '../support/test-database.ts';

/**
 * The live board's feed over a real HTTP connection: GET /api/v1/cases/stream (SSE) fed by the
 * case_events NOTIFY trigger through one LISTEN per process, scoped to what each user may read.
 */
type City = Awaited<ReturnType<typeof buildScopedCity>>;

interface SseMessage {
  event: string;
  id: string | null;
  data: string;
  receivedAt: number;
}

/** A minimal EventSource over node:http (its own socket, closed with the stream): collects messages and comments. */
async function openStream(baseUrl: string, cookie: string, headers: Record<string, string> = {}) {
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  let rawText = '';
  let ended = false;
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  const request = http.get(`${baseUrl}/api/v1/cases/stream`, { agent: false, headers: { cookie, accept: 'text/event-stream', ...headers } });
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => request.once('response', resolve).once('error', reject));
  let buffer = '';
  response.setEncoding('utf8');
  response.on('data', (text: string) => {
    rawText += text;
    buffer += text;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const message: SseMessage = { event: 'message', id: null, data: '', receivedAt: Date.now() };
      let isMessage = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) comments.push(line.slice(1).trim());
        else if (line.startsWith('event: ')) [message.event, isMessage] = [line.slice(7), true];
        else if (line.startsWith('id: ')) message.id = line.slice(4);
        else if (line.startsWith('data: ')) [message.data, isMessage] = [message.data + line.slice(6), true];
      }
      if (isMessage) messages.push(message);
    }
    notify();
  });
  const finish = () => {
    ended = true;
    notify();
  };
  response.on('end', finish).on('close', finish).on('error', finish);
  const waitFor = (predicate: () => boolean, timeoutMs: number) =>
    new Promise<boolean>((resolve) => {
      if (predicate()) return resolve(true);
      const check = () => {
        if (predicate()) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (value: boolean) => {
        clearTimeout(timer);
        waiters.delete(check);
        resolve(value);
      };
      waiters.add(check);
    });
  const caseEvents = () => messages.filter((m) => m.event === 'case').map((m) => ({ ...(JSON.parse(m.data) as { eventId: number; caseId: number; action: string; toStatus: string }), id: m.id, receivedAt: m.receivedAt }));
  const stream = {
    response,
    messages,
    comments,
    raw: () => rawText,
    ended: () => ended,
    caseEvents,
    waitFor,
    /** Resolves once the server says the listener is attached. */
    ready: () => waitFor(() => messages.some((m) => m.event === 'ready'), 5_000),
    close: () => request.destroy(),
  };
  return stream;
}

const until = (condition: () => boolean, timeoutMs: number) =>
  new Promise<boolean>((resolve) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (condition() || Date.now() - started > timeoutMs) {
        clearInterval(poll);
        resolve(condition());
      }
    }, 20);
  });

describe('realtime case stream (SSE over LISTEN/NOTIFY)', () => {
  let t: TestApp;
  let city: City;
  let baseUrl: string;
  const cookie: Record<string, string> = {};
  const streams: Array<{ close(): void }> = [];

  beforeAll(async () => {
    // Many anonymous reports from one client and building: the intake rate limit is not what is tested here.
    t = await createTestApp({ intakeLimitPerClient: 0, intakeLimitPerPlace: 0 });
    city = await buildScopedCity(t.context.database, t.context.cipher);
    await insertDefaultCategories(t.context.database, t.context.database.db, city.cityId);
    await t.context.database.db.execute(sql`INSERT INTO users (city_id, username, display_name, password_hash) SELECT city_id, 'gridworker_b', 'B', password_hash FROM users WHERE username = 'gridworker'`);
    await t.context.database.db.execute(sql`INSERT INTO role_assignments (city_id, user_id, role, region_node_id) SELECT ${city.cityId}, id, 'grid_worker', ${city.b.grid.id} FROM users WHERE username = 'gridworker_b'`);
    for (const name of ['dispatcher', 'gridworker', 'gridworker_b', 'street', 'water', 'sysadmin']) cookie[name] = await t.login(name);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  // A failed test must not leave its streams subscribed for the next one.
  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await t?.close();
  });

  const open = async (who: string, headers: Record<string, string> = {}) => {
    const stream = await openStream(baseUrl, cookie[who], headers);
    streams.push(stream);
    return stream;
  };

  async function report(side: 'a' | 'b', extra: object = {}) {
    const response = await fetch(`${baseUrl}/api/v1/public/cases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ placeCode: city[side].building.code, categoryCode: 'roads_facilities', description: '路灯不亮，晚上很黑', ...extra }),
    });
    expect(response.status, await response.clone().text()).toBe(201);
    const body = (await response.json()) as { trackingToken: string };
    const [row] = await t.context.database.rows<{ id: number }>(sql`SELECT id FROM cases WHERE tracking_token = ${body.trackingToken}`);
    return Number(row.id);
  }

  const act = (who: string, caseId: number, payload: object) => t.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/actions`, headers: { cookie: cookie[who] }, payload });

  it('needs a session and a role that reads cases; answers with JSON errors before streaming', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/v1/cases/stream' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('unauthenticated');
    const admin = await t.app.inject({ method: 'GET', url: '/api/v1/cases/stream', headers: { cookie: cookie.sysadmin } });
    expect(admin.statusCode).toBe(403);
    const document = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).not.toContain('/api/v1/cases/stream');
  });

  it('delivers a new QR report to the board within 1 second, only to users whose scope holds it', async () => {
    const dispatcher = await open('dispatcher');
    const sideB = await open('gridworker_b');
    expect(dispatcher.response.statusCode).toBe(200);
    expect(dispatcher.response.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(dispatcher.response.headers['cache-control']).toBe('no-store');
    expect(await dispatcher.ready()).toBe(true);
    expect(await sideB.ready()).toBe(true);
    expect(dispatcher.raw()).toContain('retry: 2000\n');

    const postedAt = Date.now();
    const caseA = await report('a');
    expect(await dispatcher.waitFor(() => dispatcher.caseEvents().some((e) => e.caseId === caseA), 1_000), 'side A event within 1 s').toBe(true);
    const event = dispatcher.caseEvents().find((e) => e.caseId === caseA)!;
    expect(event.receivedAt - postedAt).toBeLessThan(1_000);
    expect(event).toMatchObject({ action: 'submit', toStatus: 'submitted', id: String(event.eventId) });
    // Nothing personal travels on the stream.
    expect(Object.keys(JSON.parse(dispatcher.messages.find((m) => m.event === 'case')!.data)).sort()).toEqual(['action', 'caseId', 'eventId', 'toStatus']);

    // Side B's worker does not get A's event, but does get B's own.
    const caseB = await report('b');
    expect(await sideB.waitFor(() => sideB.caseEvents().some((e) => e.caseId === caseB), 1_000)).toBe(true);
    expect(sideB.caseEvents().map((e) => e.caseId)).toEqual([caseB]);
    // …and A's dispatcher never gets B's.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(dispatcher.caseEvents().map((e) => e.caseId)).not.toContain(caseB);
    dispatcher.close();
    sideB.close();
  });

  it('a department sees a case only once it is summoned, and lifecycle actions reach the board too', async () => {
    const water = await open('water');
    const dispatcher = await open('dispatcher');
    await Promise.all([water.ready(), dispatcher.ready()]);
    const caseId = await report('a');
    expect((await act('dispatcher', caseId, { action: 'dispatch' })).statusCode).toBe(200);
    expect((await act('gridworker', caseId, { action: 'record_contact' })).statusCode).toBe(200);
    expect((await act('gridworker', caseId, { action: 'escalate' })).statusCode).toBe(200);
    expect((await act('dispatcher', caseId, { action: 'escalate' })).statusCode).toBe(200);
    expect(await dispatcher.waitFor(() => dispatcher.caseEvents().filter((e) => e.caseId === caseId).length === 5, 2_000)).toBe(true);
    expect(water.caseEvents()).toEqual([]);
    expect((await act('street', caseId, { action: 'summon', departmentIds: [city.department.id] })).statusCode).toBe(200);
    expect(await water.waitFor(() => water.caseEvents().some((e) => e.caseId === caseId && e.action === 'summon'), 1_000)).toBe(true);
    expect(water.caseEvents().map((e) => e.action)).toEqual(['summon']);
    // Later events of the summoned case keep reaching the department.
    expect((await act('water', caseId, { action: 'report_in', departmentId: city.department.id })).statusCode).toBe(200);
    expect(await water.waitFor(() => water.caseEvents().some((e) => e.action === 'report_in'), 1_000)).toBe(true);
    expect(await dispatcher.waitFor(() => dispatcher.caseEvents().filter((e) => e.caseId === caseId).length === 7, 1_000)).toBe(true);
    expect(dispatcher.caseEvents().filter((e) => e.caseId === caseId).map((e) => e.action)).toEqual(['submit', 'dispatch', 'record_contact', 'escalate', 'escalate', 'summon', 'report_in']);
    water.close();
    dispatcher.close();
  });

  it('replays what a reconnecting board missed (Last-Event-ID), in scope and capped at 500', async () => {
    const [{ last }] = await t.context.database.rows<{ last: number }>(sql`SELECT coalesce(max(id), 0) AS last FROM case_events`);
    // Announcements go out in batches after commit; a watcher tells us when they have, so that the
    // fresh stream below cannot receive them live.
    const watcher = await open('dispatcher');
    expect(await watcher.ready()).toBe(true);
    const missedA = await report('a');
    const missedB = await report('b');
    expect(await watcher.waitFor(() => watcher.caseEvents().some((e) => e.caseId === missedA), 5_000)).toBe(true);
    watcher.close();
    const stream = await open('dispatcher', { 'last-event-id': String(last) });
    expect(await stream.ready()).toBe(true);
    const replayed = stream.caseEvents();
    expect(replayed.map((e) => e.caseId)).toEqual([missedA]);
    expect(replayed.map((e) => e.caseId)).not.toContain(missedB);
    // The ready message says up to where the client is now.
    expect(JSON.parse(stream.messages.find((m) => m.event === 'ready')!.data)).toEqual({ lastEventId: replayed[0].eventId });
    stream.close();

    // A malformed Last-Event-ID starts fresh instead of failing.
    const fresh = await open('dispatcher', { 'last-event-id': "1; DROP TABLE case_events" });
    expect(await fresh.ready()).toBe(true);
    expect(fresh.caseEvents()).toEqual([]);
    fresh.close();

    const [{ before }] = await t.context.database.rows<{ before: number }>(sql`SELECT max(id) AS before FROM case_events`);
    await t.context.database.db.execute(sql`INSERT INTO case_events (city_id, case_id, action, to_status, actor_label)
      SELECT ${city.cityId}, ${missedA}, 'remind', 'submitted', '系统' FROM generate_series(1, ${REPLAY_LIMIT + 20})`);
    const capped = await open('dispatcher', { 'last-event-id': String(before) });
    expect(await capped.ready()).toBe(true);
    const events = capped.caseEvents();
    expect(events).toHaveLength(REPLAY_LIMIT);
    expect(events.map((e) => e.eventId)).toEqual([...events.map((e) => e.eventId)].sort((x, y) => x - y));
    expect(events[0].eventId).toBeGreaterThan(Number(before));
    capped.close();
  });

  it('sends heartbeats and cleans up its subscription when the client goes away', async () => {
    const bus = caseEventBus(t.context.database);
    // Streams of earlier tests were aborted by their clients: the server lets go of them.
    expect(await until(() => bus.subscriberCount === 0, 2_000)).toBe(true);
    const subscribersBefore = bus.subscriberCount;
    const saved = streamSettings.heartbeatMs;
    streamSettings.heartbeatMs = 100;
    try {
      const stream = await open('gridworker');
      expect(await stream.ready()).toBe(true);
      expect(bus.subscriberCount).toBe(subscribersBefore + 1);
      expect(await stream.waitFor(() => stream.comments.filter((c) => c === 'heartbeat').length >= 2, 2_000)).toBe(true);
      stream.close();
      expect(await until(() => bus.subscriberCount === subscribersBefore, 2_000)).toBe(true);
    } finally {
      streamSettings.heartbeatMs = saved;
    }
  });

  it('ends the stream when the session is logged out or the user\'s roles change', async () => {
    const saved = streamSettings.heartbeatMs;
    streamSettings.heartbeatMs = 100;
    try {
      const session = await t.login('gridworker');
      const stream = await openStream(baseUrl, session);
      streams.push(stream);
      expect(await stream.ready()).toBe(true);
      expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie: session } })).statusCode).toBe(204);
      expect(await stream.waitFor(() => stream.ended(), 2_000)).toBe(true);
      // Reconnecting with the dead session is refused.
      const again = await t.app.inject({ method: 'GET', url: '/api/v1/cases/stream', headers: { cookie: session } });
      expect(again.statusCode).toBe(401);

      const street = await openStream(baseUrl, cookie.street);
      streams.push(street);
      expect(await street.ready()).toBe(true);
      await t.context.database.db.execute(sql`INSERT INTO role_assignments (city_id, user_id, role, region_node_id) VALUES (${city.cityId}, ${city.users.street_officer.id}, 'street_officer', ${city.b.street.id})`);
      expect(await street.waitFor(() => street.ended(), 2_000)).toBe(true);
    } finally {
      streamSettings.heartbeatMs = saved;
    }
  });

  it.runIf(usingPostgres())('reconnects the LISTEN connection after it is lost and replays what was announced meanwhile', async () => {
    const bus = caseEventBus(t.context.database);
    const stream = await open('dispatcher');
    expect(await stream.ready()).toBe(true);
    bus.simulateConnectionLoss();
    // Reported while the listener is down: the stream catches up on reconnect.
    const caseId = await report('a');
    expect(await stream.waitFor(() => stream.caseEvents().some((e) => e.caseId === caseId), 5_000)).toBe(true);
    expect(stream.caseEvents().filter((e) => e.caseId === caseId)).toHaveLength(1);
    // And new events flow live again.
    const next = await report('a');
    expect(await stream.waitFor(() => stream.caseEvents().some((e) => e.caseId === next), 1_000)).toBe(true);
    stream.close();
  });

  it('closing the app ends open streams and stops the listener', async () => {
    const stream = await open('dispatcher');
    expect(await stream.ready()).toBe(true);
    const bus = caseEventBus(t.context.database);
    expect(bus.listening).toBe(true);
    const started = Date.now();
    await t.app.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await stream.waitFor(() => stream.ended(), 2_000)).toBe(true);
    expect(bus.listening).toBe(false);
    expect(bus.subscriberCount).toBe(0);
  });
});
