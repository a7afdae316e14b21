// The resident QR pages' server side: the place behind a printed code, and QR codes for staff, scoped.
import QRCode from 'qrcode';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;

/** Reads the dark modules back out of the SVG path (runs of `M x y h w v u h-w z`, quiet zone 4, unit 10). */
function modulesOf(svg: string): { size: number; dark: Set<string> } {
  const d = /<path d="([^"]+)"/.exec(svg)![1];
  const dark = new Set<string>();
  let max = 0;
  for (const [, x, y, w] of d.matchAll(/M(\d+) (\d+)h(\d+)v10h-\d+z/g)) {
    const row = Number(y) / 10 - 4;
    for (let col = Number(x) / 10 - 4; col < (Number(x) + Number(w)) / 10 - 4; col++) {
      dark.add(`${row},${col}`);
      max = Math.max(max, row, col);
    }
  }
  return { size: max + 1, dark };
}

function expectedModules(text: string) {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const dark = new Set<string>();
  for (let r = 0; r < qr.modules.size; r++) for (let c = 0; c < qr.modules.size; c++) if (qr.modules.get(r, c)) dark.add(`${r},${c}`);
  return { size: qr.modules.size, dark };
}

describe('resident pages (API)', () => {
  let t: TestApp;
  let city: City;
  const cookie: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    for (const name of ['gridworker', 'dispatcher', 'water', 'sysadmin']) cookie[name] = await t.login(name);
  });
  afterAll(async () => t?.close());

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

  it('tells a QR page which building or grid it belongs to, without login or personal data', async () => {
    const building = await get(`/api/v1/public/places/${city.a.building.code}`);
    expect(building.statusCode, building.body).toBe(200);
    expect(building.json()).toEqual({
      cityCode: '520300000000',
      cityName: '遵义市',
      level: 'building',
      placeName: 'A1栋',
      address: null,
      gridName: city.a.grid.name,
      communityName: 'A社区',
      lng: 106.905,
      lat: 27.605,
    });
    expect(building.body).not.toMatch(/1381234|1391234|张三/);
    const grid = await get(`/api/v1/public/places/${city.a.grid.code}`);
    expect(grid.json()).toMatchObject({ level: 'grid', placeName: city.a.grid.name, gridName: city.a.grid.name, communityName: 'A社区', lng: null, lat: null });
  });

  it('knows only current buildings and grids', async () => {
    expect((await get(`/api/v1/public/places/${city.a.community.code}`)).statusCode).toBe(404);
    expect((await get('/api/v1/public/places/no-such-place')).statusCode).toBe(404);
    expect((await get('/api/v1/public/places/bad%20code')).statusCode).toBe(400);
    expect((await get(`/api/v1/public/places/${city.a.building.code}?cityCode=520400000000`)).statusCode).toBe(404);
    const retired = await city.factory.node(city.cityId, city.a.grid, 'building', 'retired-building', '拆除楼');
    await t.context.database.db.execute(sql`UPDATE region_nodes SET valid_to = '2024-01-01' WHERE id = ${retired.id}`);
    expect((await get('/api/v1/public/places/retired-building')).statusCode).toBe(404);
    // The same code in two cities needs the city.
    await city.factory.node(city.other.cityId, city.other.node, 'grid', city.a.grid.code, '安顺网格');
    const ambiguous = await get(`/api/v1/public/places/${city.a.grid.code}`);
    expect(ambiguous.statusCode).toBe(400);
    expect((await get(`/api/v1/public/places/${city.a.grid.code}?cityCode=520400000000`)).json()).toMatchObject({ cityName: '安顺市', placeName: '安顺网格' });
  });

  it('draws a printable QR code of /r/<code> for a building or grid in scope', async () => {
    const response = await get(`/api/v1/regions/${city.a.building.id}/qr.svg`, { cookie: cookie.gridworker, host: 'grid.example.org:8443' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(String(response.headers['content-security-policy'])).toBe("default-src 'none'");
    expect(response.headers['content-disposition']).toBe(`inline; filename="qr-${city.a.building.code}.svg"`);
    const url = `http://grid.example.org:8443/r/${city.a.building.code}`;
    expect(response.body).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(response.body).toContain('A1栋');
    expect(response.body).toContain(url);
    // The drawn modules are exactly the QR code of that URL.
    const drawn = modulesOf(response.body);
    const expected = expectedModules(url);
    expect(drawn.size).toBe(expected.size);
    expect([...drawn.dark].sort()).toEqual([...expected.dark].sort());

    const grid = await get(`/api/v1/regions/${city.a.grid.id}/qr.svg`, { cookie: cookie.dispatcher });
    expect(grid.statusCode).toBe(200);
    expect(grid.body).toContain(`/r/${city.a.grid.code}`);
  });

  it('refuses QR codes outside the actor\'s area, for other levels, and without login', async () => {
    expect((await get(`/api/v1/regions/${city.b.building.id}/qr.svg`, { cookie: cookie.gridworker })).statusCode).toBe(403);
    expect((await get(`/api/v1/regions/${city.a.building.id}/qr.svg`, { cookie: cookie.water })).statusCode).toBe(403);
    expect((await get(`/api/v1/regions/${city.a.building.id}/qr.svg`, { cookie: cookie.sysadmin })).statusCode).toBe(403);
    expect((await get(`/api/v1/regions/${city.a.community.id}/qr.svg`, { cookie: cookie.dispatcher })).statusCode).toBe(400);
    expect((await get(`/api/v1/regions/${city.a.building.id}/qr.svg`)).statusCode).toBe(401);
    expect((await get('/api/v1/regions/999999/qr.svg', { cookie: cookie.dispatcher })).statusCode).toBe(404);
  });

  it('escapes whatever a place is called', async () => {
    const odd = await city.factory.node(city.cityId, city.a.grid, 'building', 'odd-building', '<script>"&\'</script>楼');
    const response = await get(`/api/v1/regions/${odd.id}/qr.svg`, { cookie: cookie.gridworker });
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain('<script>');
    expect(response.body).toContain('&lt;script&gt;&quot;&amp;&apos;&lt;/script&gt;楼');
  });
});
