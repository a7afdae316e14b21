import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { idNumberCheckDigit } from '../../src/shared/personal-data.ts';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;

/** The factory's resident data (tests/support/factories.ts). */
const FACTORY_ID_NUMBER = '52030219800101001X';
const FACTORY_PHONE = '13912345678';
const FACTORY_HOUSEHOLD_PHONE = '13812341234';

describe('personal data: masking, encryption, audited reveal, keyed search', () => {
  let t: TestApp;
  let city: City;
  let gridworker: string;
  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    gridworker = await t.login('gridworker');
  });
  afterAll(async () => t?.close());

  const auditCount = async () => (await t.context.database.rows<{ count: number }>(sql`SELECT count(*)::int AS count FROM audit_log`))[0].count;

  it('household detail shows masked names, phones, ID numbers and address', async () => {
    const response = await t.app.inject({ method: 'GET', url: `/api/v1/households/${city.a.household.id}`, headers: { cookie: gridworker } });
    expect(response.statusCode).toBe(200);
    const { household, residents } = response.json();
    expect(household.phone).toBe('138****1234');
    expect(household.address).toBe('测试市测试路1号3栋****');
    expect(residents).toHaveLength(1);
    const [resident] = residents;
    expect(resident.name).toBe('张*');
    expect(resident.phone).toBe('139****5678');
    expect(resident.idNumber).toMatch(/^\d{2}\*+[\dX]{2}$/);
    expect(resident.idNumber).toBe('52**************1X');
    expect(resident.birthDate).toBe('1980-**-**');
    expect(resident.abilities).toEqual({ reveal: true });
    // Nothing in clear anywhere in the answer.
    // (doorNumber is returned as such for orientation inside the building; the address field itself hides the door.)
    for (const secret of [FACTORY_ID_NUMBER, FACTORY_PHONE, FACTORY_HOUSEHOLD_PHONE, '张三', '测试路1号3栋1单元', 'v1:']) expect(response.body).not.toContain(secret);
  });

  it('resident detail, resident list and building detail are masked too', async () => {
    const detail = await t.app.inject({ method: 'GET', url: `/api/v1/residents/${city.a.resident.id}`, headers: { cookie: gridworker } });
    expect(detail.statusCode).toBe(200);
    expect(detail.json()).toMatchObject({ name: '张*', phone: '139****5678', idNumber: '52**************1X' });
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/residents', headers: { cookie: gridworker } });
    expect(list.statusCode).toBe(200);
    expect(list.json().items[0]).toMatchObject({ name: '张*', phone: '139****5678', idNumber: '52**************1X' });
    const building = await t.app.inject({ method: 'GET', url: `/api/v1/buildings/${city.a.building.id}`, headers: { cookie: gridworker } });
    expect(building.statusCode).toBe(200);
    expect(building.json().households[0]).toMatchObject({ headName: '张*', phone: '138****1234' });
    for (const response of [detail, list, building]) {
      for (const secret of [FACTORY_ID_NUMBER, FACTORY_PHONE, FACTORY_HOUSEHOLD_PHONE, '张三']) expect(response.body).not.toContain(secret);
    }
  });

  it('the ID number is stored encrypted: no column of the row holds it in clear', async () => {
    const [row] = await t.context.database.rows<{ id_number_encrypted: string; id_number_hash: string; whole: string }>(
      sql`SELECT id_number_encrypted, id_number_hash, row_to_json(r)::text AS whole FROM residents r WHERE id = ${city.a.resident.id}`,
    );
    expect(row.id_number_encrypted).toMatch(/^v1:/);
    expect(row.id_number_encrypted).not.toContain(FACTORY_ID_NUMBER);
    expect(row.id_number_encrypted).not.toContain('520302');
    expect(row.whole).not.toContain(FACTORY_ID_NUMBER);
    expect(t.context.cipher.decrypt(row.id_number_encrypted)).toBe(FACTORY_ID_NUMBER);
    expect(row.id_number_hash).not.toContain(FACTORY_ID_NUMBER);
  });

  it('reveal returns the full phone and ID number and appends exactly one audit record', async () => {
    const before = await auditCount();
    const [{ max }] = await t.context.database.rows<{ max: number }>(sql`SELECT coalesce(max(id), 0) AS max FROM audit_log`);
    const response = await t.app.inject({ method: 'POST', url: `/api/v1/residents/${city.a.resident.id}/reveal`, headers: { cookie: gridworker }, payload: { fields: ['phone', 'idNumber'] } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ phone: FACTORY_PHONE, idNumber: FACTORY_ID_NUMBER });
    expect(await auditCount()).toBe(before + 1);
    const records = await t.context.database.rows<{ action: string; resource_type: string; resource_id: string; outcome: string; actor_user_id: number; details: unknown }>(
      sql`SELECT action, resource_type, resource_id, outcome, actor_user_id, details FROM audit_log WHERE id > ${Number(max)}`,
    );
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record).toMatchObject({ action: 'resident.reveal', resource_type: 'resident', resource_id: String(city.a.resident.id), outcome: 'success' });
    expect(Number(record.actor_user_id)).toBe(city.users.grid_worker.id);
    const details = typeof record.details === 'string' ? JSON.parse(record.details) : record.details;
    expect(details).toEqual({ fields: ['phone', 'idNumber'] });
    // The audit record names the fields, never their values.
    expect(JSON.stringify(details)).not.toContain(FACTORY_PHONE);
  });

  it('reveal of name and address returns exactly the requested fields', async () => {
    const response = await t.app.inject({ method: 'POST', url: `/api/v1/residents/${city.a.resident.id}/reveal`, headers: { cookie: gridworker }, payload: { fields: ['name', 'address', 'name'] } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ name: '张三', address: '测试市测试路1号3栋1单元101' });
  });

  it('a role that may read but not reveal (building head) gets 403 and no data', async () => {
    const cookie = await t.login('buildinghead');
    const detail = await t.app.inject({ method: 'GET', url: `/api/v1/residents/${city.a.resident.id}`, headers: { cookie } });
    expect(detail.statusCode).toBe(200);
    expect(detail.json().abilities).toEqual({ reveal: false });
    const before = await auditCount();
    const response = await t.app.inject({ method: 'POST', url: `/api/v1/residents/${city.a.resident.id}/reveal`, headers: { cookie }, payload: { fields: ['phone'] } });
    expect(response.statusCode).toBe(403);
    expect(response.body).not.toContain(FACTORY_PHONE);
    expect(await auditCount()).toBe(before + 1);
  });

  describe('search by full ID number through the keyed hash', () => {
    // An ID number ending in X, with a valid check digit, unique to this test.
    // (id_number_hash is unique per city: one person, one record.)
    let idNumber = '';
    let outsideIdNumber = '';
    let residentId = 0;
    let outsideId = 0;
    beforeAll(async () => {
      const endingInX: string[] = [];
      for (let n = 0; n < 1000 && endingInX.length < 2; n++) {
        const first17 = `5203021990050${String(n).padStart(4, '0')}`;
        if (idNumberCheckDigit(first17) === 'X') endingInX.push(first17 + 'X');
      }
      [idNumber, outsideIdNumber] = endingInX;
      expect(outsideIdNumber).toHaveLength(18);
      const { cipher, database } = t.context;
      const insert = async (household: { id: number; path: string }, name: string, idNumber: string) => {
        const [row] = await database.rows<{ id: number }>(sql`INSERT INTO residents (city_id, household_id, region_path, name, gender, birth_date, phone, id_number_encrypted, id_number_hash, is_head, relation_to_head)
          VALUES (${city.cityId}, ${household.id}, ${household.path}, ${name}, 'female', '1990-05-01', '13700009999', ${cipher.encrypt(idNumber)}, ${cipher.searchHash(idNumber)}, false, '配偶') RETURNING id`);
        return Number(row.id);
      };
      residentId = await insert(city.a.household, '王芳', idNumber);
      outsideId = await insert(city.b.household, '王芬', outsideIdNumber);
    });

    const search = (q: string, cookie = gridworker) => t.app.inject({ method: 'GET', url: `/api/v1/residents?q=${encodeURIComponent(q)}`, headers: { cookie } });

    it('finds the resident by the full ID number (and only inside the caller\'s area)', async () => {
      const response = await search(idNumber);
      expect(response.statusCode).toBe(200);
      expect(response.json().items.map((r: { id: number }) => r.id)).toEqual([residentId]);
      expect(response.json().items[0].idNumber).toBe(`${idNumber.slice(0, 2)}${'*'.repeat(14)}${idNumber.slice(-2)}`);
      expect(response.body).not.toContain(idNumber);
      // side b's resident: outside the grid worker's area, found by the city administrator
      expect((await search(outsideIdNumber)).json().items).toEqual([]);
      const cityadmin = await t.login('cityadmin');
      expect((await search(outsideIdNumber, cityadmin)).json().items.map((r: { id: number }) => r.id)).toEqual([outsideId]);
      expect((await search(idNumber, cityadmin)).json().items.map((r: { id: number }) => r.id)).toEqual([residentId]);
    });

    it('normalises a lower-case x', async () => {
      const response = await search(idNumber.toLowerCase());
      expect(response.json().items.map((r: { id: number }) => r.id)).toEqual([residentId]);
    });

    it('a different or partial ID number finds nothing (no substring search on the ciphertext)', async () => {
      const other = idNumber.slice(0, 16) + (idNumber[16] === '9' ? '8' : '9') + 'X';
      expect((await search(other)).json().items).toEqual([]);
      expect((await search(idNumber.slice(0, 10))).json().items).toEqual([]);
      expect((await search(idNumber.slice(-6))).json().items).toEqual([]);
    });

    it('name and phone search still work alongside', async () => {
      expect((await search('王芳')).json().items.map((r: { id: number }) => r.id)).toEqual([residentId]);
      expect((await search('13700009999')).json().items.map((r: { id: number }) => r.id)).toEqual([residentId]);
    });
  });
});
