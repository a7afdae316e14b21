// Photos: checked by content, re-encoded without EXIF, size- and rate-limited, stored outside the web root,
// served with safe headers to exactly the people who may see them; linkAttachments' ownership rules.
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertDefaultCategories } from '../../src/modules/cases/case-categories.repository.ts';
import { linkAttachments } from '../../src/modules/photos/attachments.repository.ts';
import { pruneUnattachedPhotos } from '../../src/modules/photos/photos.service.ts';
import { AppError } from '../../src/shared/errors.ts';
import { buildScopedCity } from '../support/factories.ts';
import { containsBytes, GPS_MARKER, hasApp1, jpegClaiming, jpegWithExif, plainJpeg, pngImage } from '../support/photos.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;

/** A multipart body with one file part (and optional text fields). */
function multipart(file: { name?: string; type?: string; content: Buffer | string; field?: string } | null, fields: Record<string, string> = {}) {
  const boundary = `----cg${crypto.randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  if (file) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? 'file'}"; filename="${file.name ?? 'photo.jpg'}"\r\nContent-Type: ${file.type ?? 'image/jpeg'}\r\n\r\n`));
    chunks.push(Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('photos', () => {
  let t: TestApp;
  let city: City;
  let dataDir: string;
  const cookie: Record<string, string> = {};
  let ipCounter = 0;
  /** Each test uploads from its own address, so only the rate-limit test meets the limit. */
  const freshIp = () => `10.20.0.${++ipCounter}`;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'civicgrid-photos-'));
    // Two reports per client and window → twelve photos per client and window.
    t = await createTestApp({ dataDir, intakeLimitPerClient: 2 });
    city = await buildScopedCity(t.context.database, t.context.cipher);
    await insertDefaultCategories(t.context.database, t.context.database.db, city.cityId);
    for (const name of ['gridworker', 'dispatcher', 'water', 'plain']) cookie[name] = await t.login(name);
    await t.context.database.db.execute(sql`INSERT INTO users (city_id, username, display_name, password_hash) SELECT city_id, 'gridworker_b', 'B', password_hash FROM users WHERE username = 'gridworker'`);
    await t.context.database.db.execute(sql`INSERT INTO role_assignments (city_id, user_id, role, region_node_id) SELECT ${city.cityId}, id, 'grid_worker', ${city.b.grid.id} FROM users WHERE username = 'gridworker_b'`);
    cookie.gridworker_b = await t.login('gridworker_b');
  });
  afterAll(async () => {
    await t?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const upload = (file: Parameters<typeof multipart>[0], ip = freshIp(), fields?: Record<string, string>) => {
    const body = multipart(file, fields);
    return t.app.inject({ method: 'POST', url: '/api/v1/public/photos', remoteAddress: ip, payload: body.payload, headers: body.headers });
  };
  const staffUpload = (who: string, content: Buffer) => {
    const body = multipart({ content });
    return t.app.inject({ method: 'POST', url: '/api/v1/photos', payload: body.payload, headers: { ...body.headers, cookie: cookie[who] } });
  };
  const get = (url: string, who?: string) => t.app.inject({ method: 'GET', url, headers: who ? { cookie: cookie[who] } : {} });
  const attachmentRow = async (token: string) =>
    (await t.context.database.rows<Record<string, unknown>>(sql`SELECT * FROM attachments WHERE upload_token = ${token}`))[0];
  const countAttachments = async () => Number((await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM attachments`))[0].n);
  async function storedFiles(): Promise<string[]> {
    const root = path.join(dataDir, 'uploads');
    const dirs = await fs.readdir(root).catch(() => [] as string[]);
    return (await Promise.all(dirs.map(async (d) => (await fs.readdir(path.join(root, d))).map((f) => path.join(root, d, f))))).flat();
  }

  async function report(ip: string, building = city.a.building) {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/public/cases',
      remoteAddress: ip,
      payload: { placeCode: building.code, categoryCode: 'roads_facilities', description: '楼下路灯不亮，晚上很黑' },
    });
    expect(response.statusCode, response.body).toBe(201);
    const { trackingToken } = response.json() as { trackingToken: string };
    const [row] = await t.context.database.rows<{ id: number; city_id: number }>(sql`SELECT id, city_id FROM cases WHERE tracking_token = ${trackingToken}`);
    return { id: Number(row.id), cityId: Number(row.city_id), trackingToken };
  }
  const link = (input: Omit<Parameters<typeof linkAttachments>[2], 'cityId'> & { cityId?: number }) =>
    t.context.database.db.transaction((tx) => linkAttachments(t.context, tx, { cityId: city.cityId, ...input }));
  async function refusal(run: () => Promise<unknown>) {
    try {
      await run();
    } catch (error) {
      if (error instanceof AppError) return { code: error.code, details: error.details };
      throw error;
    }
    return null;
  }

  it('re-encodes a JPEG with EXIF/GPS and a trailing payload into a clean JPEG, stored outside the web root', async () => {
    const input = jpegWithExif(64, 48, { tail: '<html><script>alert(1)</script></html>' });
    expect(containsBytes(input, GPS_MARKER) && hasApp1(input)).toBe(true);
    const ip = freshIp();
    const response = await upload({ content: input, name: 'IMG_0001.JPG' }, ip);
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json() as { token: string; url: string; width: number; height: number; bytes: number };
    expect(body).toMatchObject({ url: `/api/v1/photos/${body.token}`, width: 64, height: 48 });
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{32}$/);

    const served = await get(body.url);
    expect(served.statusCode).toBe(200);
    const bytes = served.rawPayload;
    expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect(bytes.length).toBe(body.bytes);
    expect(hasApp1(bytes)).toBe(false);
    expect(containsBytes(bytes, GPS_MARKER)).toBe(false);
    expect(containsBytes(bytes, '<script>')).toBe(false);

    const row = await attachmentRow(body.token);
    expect(row).toMatchObject({ content_type: 'image/jpeg', uploaded_from_ip: ip, case_id: null, city_id: null, uploaded_by_user_id: null });
    expect(row.sha256).toBe(crypto.createHash('sha256').update(bytes).digest('hex'));
    const file = path.join(dataDir, 'uploads', String(row.storage_key).slice(0, 2), `${row.storage_key}.jpg`);
    expect((await fs.readFile(file)).equals(bytes)).toBe(true);
    expect(String(row.storage_key)).not.toContain(body.token);
  });

  it('accepts a PNG and serves it as a JPEG with safe headers', async () => {
    const response = await upload({ content: pngImage(40, 30, 128), name: 'shot.png', type: 'image/png' });
    expect(response.statusCode, response.body).toBe(201);
    const served = await get(response.json().url);
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/jpeg');
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.headers['content-disposition']).toBe('inline; filename="photo.jpg"');
    expect(String(served.headers['content-security-policy'])).toMatch(/^default-src 'none'/);
    expect(served.headers['cache-control']).toMatch(/^private, max-age=\d+$/);
    expect([...served.rawPayload.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
  });

  it('refuses by content whatever the name and declared type says, and stores nothing', async () => {
    const before = { rows: await countAttachments(), files: (await storedFiles()).length };
    const cases = [
      { content: 'this is only text, renamed to look like a photo', name: 'photo.jpg', type: 'image/jpeg' },
      { content: '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>', name: 'photo.jpg', type: 'image/jpeg' },
      { content: Buffer.concat([Buffer.from('GIF89a\x01\x00\x01\x00\x80\x00\x00', 'latin1'), Buffer.from('/*<script>alert(1)</script>*/')]), name: 'photo.gif', type: 'image/gif' },
      { content: '<!doctype html><html><body><img src=x onerror=alert(1)></body></html>', name: 'photo.png', type: 'image/png' },
      { content: Buffer.concat([Buffer.from('%PDF-1.4\n'), plainJpeg()]), name: 'photo.jpg', type: 'image/jpeg' },
    ];
    for (const file of cases) {
      const response = await upload(file);
      expect(response.statusCode, `${file.name}: ${response.body}`).toBe(415);
      expect(response.json().error.code).toBe('unsupported_media_type');
    }
    expect(await countAttachments()).toBe(before.rows);
    expect((await storedFiles()).length).toBe(before.files);
  });

  it('answers 413 above 8 MB and for decompression bombs, 4xx for damaged pictures and malformed requests', async () => {
    const big = Buffer.concat([plainJpeg(), crypto.randomBytes(8 * 1024 * 1024 + 10)]);
    const oversize = await upload({ content: big });
    expect(oversize.statusCode, oversize.body).toBe(413);
    expect(oversize.json().error.code).toBe('payload_too_large');

    const bomb = await upload({ content: jpegClaiming(40000, 40000) });
    expect(bomb.statusCode, bomb.body).toBe(413);

    const full = plainJpeg(200, 150);
    const truncated = await upload({ content: full.subarray(0, Math.floor(full.length * 0.6)) });
    expect(truncated.statusCode, truncated.body).toBe(400);
    expect(truncated.json().error.code).toBe('validation_failed');

    const empty = await upload({ content: Buffer.alloc(0) });
    expect(empty.statusCode).toBe(400);
    const wrongField = await upload({ content: plainJpeg(), field: 'picture' });
    expect(wrongField.statusCode).toBe(400);
    const json = await t.app.inject({ method: 'POST', url: '/api/v1/public/photos', remoteAddress: freshIp(), payload: { file: 'x' } });
    expect(json.statusCode).toBe(415);
    for (const response of [oversize, bomb, truncated, empty, wrongField, json]) expect(response.statusCode).toBeLessThan(500);
  });

  it('rate-limits anonymous uploads per client address', async () => {
    const ip = freshIp();
    const small = plainJpeg(8, 8);
    const statuses: number[] = [];
    for (let i = 0; i < 13; i++) statuses.push((await upload({ content: small }, ip)).statusCode);
    expect(statuses).toEqual([...Array(12).fill(201), 429]);
    const refused = await upload({ content: small }, ip);
    expect(refused.json().error).toMatchObject({ code: 'rate_limited' });
    // Another client is not affected.
    expect((await upload({ content: small })).statusCode).toBe(201);
  });

  it('staff upload when signed in (audited); anonymous callers and users without a case role cannot use the staff route', async () => {
    const response = await staffUpload('gridworker', jpegWithExif(20, 20));
    expect(response.statusCode, response.body).toBe(201);
    const row = await attachmentRow(response.json().token);
    expect(Number(row.uploaded_by_user_id)).toBe(city.users.grid_worker.id);
    expect(Number(row.city_id)).toBe(city.cityId);
    expect(row.uploaded_from_ip).toBeNull();
    const [audit] = await t.context.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'attachment.upload' AND resource_id = ${String(row.id)}`);
    expect(Number(audit.n)).toBe(1);
    const body = multipart({ content: plainJpeg() });
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/photos', payload: body.payload, headers: body.headers })).statusCode).toBe(401);
    expect((await staffUpload('plain', plainJpeg())).statusCode).toBe(403);
  });

  it('serves an attached photo to its case\'s tracking token and to staff in scope only', async () => {
    const ip = freshIp();
    const mine = await report(ip);
    const other = await report(freshIp());
    const photo = (await upload({ content: plainJpeg() }, ip)).json() as { token: string; url: string };
    expect((await get(photo.url)).statusCode).toBe(200); // unattached: the uploader's token is enough
    await link({ caseId: mine.id, caseEventId: null, tokens: [photo.token], uploaderUserId: null, uploaderIp: ip });

    expect((await get(photo.url)).statusCode).toBe(404);
    expect((await get(`${photo.url}?t=${mine.trackingToken}`)).statusCode).toBe(200);
    expect((await get(`${photo.url}?t=${other.trackingToken}`)).statusCode).toBe(404);
    expect((await get(`${photo.url}?t=${'x'.repeat(24)}`)).statusCode).toBe(404);
    expect((await get(photo.url, 'gridworker')).statusCode).toBe(200);
    expect((await get(photo.url, 'dispatcher')).statusCode).toBe(200);
    expect((await get(photo.url, 'gridworker_b')).statusCode).toBe(403);
    expect((await get(photo.url, 'water')).statusCode).toBe(403); // a department not summoned to the case
    expect((await get(`/api/v1/photos/${'A'.repeat(32)}`)).statusCode).toBe(404);
    expect((await get(`${photo.url}?t=bad token`)).statusCode).toBe(400);

    // A photo on an internal (non-public) event is for staff only.
    const [event] = await t.context.database.rows<{ id: number }>(sql`INSERT INTO case_events (city_id, case_id, action, to_status, actor_label, is_public)
      VALUES (${city.cityId}, ${mine.id}, 'supervise', 'submitted', 'test', false) RETURNING id`);
    const internal = (await staffUpload('gridworker', plainJpeg())).json() as { token: string; url: string };
    await link({ caseId: mine.id, caseEventId: Number(event.id), tokens: [internal.token], uploaderUserId: city.users.grid_worker.id, uploaderIp: null });
    expect((await get(`${internal.url}?t=${mine.trackingToken}`)).statusCode).toBe(404);
    expect((await get(internal.url, 'dispatcher')).statusCode).toBe(200);
  });

  it('linkAttachments: own, unattached tokens only, at most six, and a repeat is harmless', async () => {
    const ip = freshIp();
    const c = await report(ip);
    const c2 = await report(freshIp());
    const tokens: string[] = [];
    for (let i = 0; i < 7; i++) tokens.push(((await upload({ content: plainJpeg(8, 8) }, ip)).json() as { token: string }).token);
    const strangerToken = ((await upload({ content: plainJpeg(8, 8) })).json() as { token: string }).token;
    const staffToken = ((await staffUpload('gridworker', plainJpeg(8, 8))).json() as { token: string }).token;
    const anon = { caseId: c.id, caseEventId: null, uploaderUserId: null, uploaderIp: ip };

    expect(await refusal(() => link({ ...anon, tokens }))).toMatchObject({ code: 'validation_failed' });
    expect(await refusal(() => link({ ...anon, tokens: [tokens[0], strangerToken] }))).toMatchObject({ code: 'validation_failed', details: [{ token: strangerToken, reason: 'unknown' }] });
    expect(await refusal(() => link({ ...anon, tokens: [staffToken] }))).toMatchObject({ code: 'validation_failed' });
    expect(await refusal(() => link({ ...anon, tokens: ['N0-such-token-here-at-all'] }))).toMatchObject({ code: 'validation_failed' });
    expect(await refusal(() => link({ ...anon, uploaderIp: null, tokens: [tokens[0]] }))).toMatchObject({ code: 'validation_failed' });
    // Staff may attach only their own uploads, not a resident's.
    expect(await refusal(() => link({ caseId: c.id, caseEventId: null, uploaderUserId: city.users.grid_worker.id, uploaderIp: null, tokens: [tokens[0]] }))).toMatchObject({ code: 'validation_failed' });
    expect(await refusal(() => link({ caseId: c.id, caseEventId: null, uploaderUserId: city.users.dispatcher.id, uploaderIp: null, tokens: [staffToken] }))).toMatchObject({ code: 'validation_failed' });
    // Refusals wrote nothing, not even for the good tokens of a refused set.
    expect((await attachmentRow(tokens[0])).case_id).toBeNull();

    const six = tokens.slice(0, 6);
    const linked = await link({ ...anon, tokens: six });
    expect(linked).toEqual(six.map((token) => ({ token, url: `/api/v1/photos/${token}` })));
    const row = await attachmentRow(six[0]);
    expect({ caseId: Number(row.case_id), cityId: Number(row.city_id), eventId: row.case_event_id }).toEqual({ caseId: c.id, cityId: city.cityId, eventId: null });
    // A retried request re-links the same set to the same case: fine, nothing changes.
    expect(await link({ ...anon, tokens: [...six].reverse() })).toHaveLength(6);
    // The same tokens cannot move to another case (or another event of this one).
    expect(await refusal(() => link({ ...anon, caseId: c2.id, tokens: [six[0]] }))).toMatchObject({ code: 'validation_failed', details: [{ token: six[0], reason: 'already_attached' }] });
    expect(Number((await attachmentRow(six[0])).case_id)).toBe(c.id);
    expect(await link({ ...anon, tokens: [] })).toEqual([]);
  });

  it('prunes photos never attached, rows and files, and keeps attached ones', async () => {
    const ip = freshIp();
    const c = await report(ip);
    const kept = (await upload({ content: plainJpeg(8, 8) }, ip)).json() as { token: string };
    const dropped = (await upload({ content: plainJpeg(8, 8) }, ip)).json() as { token: string };
    const onWish = (await upload({ content: plainJpeg(8, 8) }, ip)).json() as { token: string };
    await link({ caseId: c.id, caseEventId: null, tokens: [kept.token], uploaderUserId: null, uploaderIp: ip });
    // A micro-wish holds its photo by upload token, without a case.
    await t.context.database.db.execute(sql`INSERT INTO micro_wishes (city_id, number, tracking_token_hash, community_id, region_path, title, wisher_name, photo_key)
      VALUES (${city.cityId}, 'WX-photo-test', 'hash-photo-test', ${city.a.community.id}, ${city.a.community.path}, '一本字典', '王奶奶', ${onWish.token})`);
    const droppedRow = await attachmentRow(dropped.token);
    const droppedFile = path.join(dataDir, 'uploads', String(droppedRow.storage_key).slice(0, 2), `${droppedRow.storage_key}.jpg`);
    expect(await pruneUnattachedPhotos(t.context, new Date(Date.now() - 3600_000))).toBe(0);
    const pruned = await pruneUnattachedPhotos(t.context, new Date(Date.now() + 1000));
    expect(pruned).toBeGreaterThanOrEqual(1);
    expect(await attachmentRow(dropped.token)).toBeUndefined();
    await expect(fs.access(droppedFile)).rejects.toThrow();
    expect(await attachmentRow(kept.token)).toBeTruthy();
    expect(await attachmentRow(onWish.token)).toBeTruthy();
    expect((await get(`/api/v1/photos/${dropped.token}`)).statusCode).toBe(404);
  });
});
