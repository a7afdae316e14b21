import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';
import type { AppContext } from '../../context.ts';
import { openDatabase, type Database } from '../../db/client.ts';
import { runMigrations } from '../../db/migrate.ts';
import { reserveIds } from '../../db/bulk.ts';
import { cities, households, regionNodes, type RegionLevel } from '../../db/schema/index.ts';
import { AppError } from '../../shared/errors.ts';
import { PersonalDataCipher, idNumberCheckDigit } from '../../shared/personal-data.ts';
import type { Actor } from '../policy/actor.ts';
import { childPath } from '../regions/region-path.ts';
import { getImport, listImports, previewTable, startImport, waitForImport, type StartImportInput } from './import.service.ts';
import { readTable } from './read-table.ts';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../tests/fixtures/imports');

let database: Database;
let context: AppContext;
let cityId: number;
const node: Record<string, { id: number; path: string }> = {};
let cityAdmin: Actor;
let districtAdmin: Actor;

async function addNode(level: RegionLevel, code: string, name: string, parent: string | null) {
  const [id] = await reserveIds(database, database.db, 'region_nodes', 1);
  const parentNode = parent ? node[parent] : null;
  const nodePath = childPath(parentNode?.path ?? null, id);
  await database.db.insert(regionNodes).values({ id, cityId, parentId: parentNode?.id ?? null, level, code, name, path: nodePath });
  node[code] = { id, path: nodePath };
}

const actorWith = (role: 'city_admin' | 'district_admin', code: string, level: RegionLevel, name: string): Actor => ({
  userId: 1,
  cityId,
  username: role,
  displayName: role,
  grants: [{ id: 1, source: 'assignment', role, regionNodeId: node[code].id, regionPath: node[code].path, regionLevel: level, regionName: name, unitId: null, unitName: null }],
  partyMemberId: null,
  ip: null,
  userAgent: null,
});

/** A valid ID number born on `birth` (YYYYMMDD) with sequence `seq`. */
const idFor = (birth: string, seq: number) => {
  const first17 = `520302${birth}${String(seq % 1000).padStart(3, '0')}`;
  return first17 + idNumberCheckDigit(first17);
};

async function runImport(input: Partial<StartImportInput> & { buffer: Buffer }, actor = cityAdmin) {
  const { id } = await startImport(context, actor, { kind: 'residents', fileName: 'residents.csv', ...input });
  await waitForImport(id);
  return getImport(context, actor, id);
}

const countOf = async (table: string) => Number((await database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)}`))[0].n);
const csv = (lines: string[]) => Buffer.from(lines.join('\n') + '\n', 'utf8');

beforeAll(async () => {
  database = await openDatabase({ databaseUrl: null });
  await runMigrations(database);
  context = { config: loadConfig({} as NodeJS.ProcessEnv), database, cipher: new PersonalDataCipher('0'.repeat(64)) };
  const [city] = await database.db.insert(cities).values({ code: '520300000000', name: '遵义市' }).returning({ id: cities.id });
  cityId = Number(city.id);
  await addNode('city', '520300000000', '遵义市', null);
  await addNode('district', 'D1', '红花岗区', '520300000000');
  await addNode('district', 'D2', '汇川区', '520300000000');
  await addNode('street', 'S1', '老城街道', 'D1');
  await addNode('street', 'S2', '上海路街道', 'D2');
  await addNode('community', 'C1', '丁字口社区', 'S1');
  await addNode('community', 'C2', '珠海路社区', 'S2');
  await addNode('grid', 'G1', '第一网格', 'C1');
  await addNode('grid', 'G2', '第二网格', 'C2');
  await addNode('building', 'B1', '1栋', 'G1');
  await addNode('building', 'B2', '2栋', 'G2');
  const rows = [];
  for (let i = 1; i <= 1000; i++) rows.push({ cityId, buildingId: node.B1.id, regionPath: node.B1.path, code: `H-${String(i).padStart(4, '0')}`, doorNumber: `${i}` });
  rows.push({ cityId, buildingId: node.B2.id, regionPath: node.B2.path, code: 'H2-0001', doorNumber: '101' });
  await database.db.insert(households).values(rows);
  cityAdmin = actorWith('city_admin', '520300000000', 'city', '遵义市');
  districtAdmin = actorWith('district_admin', 'D1', 'district', '红花岗区');
}, 60_000);

afterAll(async () => {
  await database?.close();
});

describe('reading tables', () => {
  it('reads GB18030/GBK CSV and keeps line numbers', async () => {
    const table = await readTable(fs.readFileSync(path.join(fixtures, 'residents-gbk.csv')), 'residents-gbk.csv');
    expect(table.headers).toEqual(['户编码', '姓名', '性别', '出生日期', '标签']);
    expect(table.rows.map((r) => [r.line, r.cells[1]])).toEqual([
      [2, '张三'],
      [3, '李四'],
    ]);
  });

  it('previews the first rows', async () => {
    const preview = await previewTable(csv(['\ufeffa,b', '1,2', '', '3,4']), 'x.csv');
    expect(preview).toEqual({ headers: ['a', 'b'], sampleRows: [['1', '2'], ['3', '4']] });
  });

  it('refuses unknown kinds, wrong and empty files with 400s', async () => {
    const attempt = (input: Partial<StartImportInput>) =>
      startImport(context, cityAdmin, { kind: 'residents', fileName: 'r.csv', buffer: csv(['a']), ...input }).then(
        () => null,
        (error: AppError) => [error.status, error.code],
      );
    expect(await attempt({ kind: 'cats' })).toEqual([400, 'validation_failed']);
    expect(await attempt({ buffer: Buffer.alloc(0) })).toEqual([400, 'validation_failed']);
    expect(await attempt({ fileName: 'r.pdf' })).toEqual([400, 'validation_failed']);
    expect(await attempt({ kind: 'regions' })).toEqual([400, 'validation_failed']);
    expect(await attempt({ mapping: { nonsense: 'x' } })).toEqual([400, 'validation_failed']);
  });
});

describe('residents import', () => {
  it('imports a good CSV (BOM, Chinese headers, tags) with an audit record', async () => {
    const before = await countOf('residents');
    const job = await runImport({
      buffer: Buffer.from(
        '\ufeff' +
          [
            '户编码,姓名,性别,出生日期,手机号,身份证号,与户主关系,是否户主,标签',
            `H-0001,张三,男,1950-01-02,13812341234,${idFor('19500102', 1)},户主,是,独居老人、残疾人`,
            `H-0001,李四,女,1952-03-04,,${idFor('19520304', 2)},配偶,否,`,
            'H-0002,王五,male,1990/5/6,,,,,floating_population',
          ].join('\r\n'),
        'utf8',
      ),
    });
    expect(job.errors).toEqual([]);
    expect(job.status).toBe('succeeded');
    expect(job.summary).toMatchObject({ inserted: 3, tags: 3 });
    expect(job.total).toBe(3);
    expect(job.processed).toBe(3);
    expect(await countOf('residents')).toBe(before + 3);
    const [zhang] = await database.rows<{ region_path: string; id_number_encrypted: string; is_head: boolean }>(
      sql`SELECT region_path, id_number_encrypted, is_head FROM residents WHERE name = '张三'`,
    );
    expect(zhang.region_path).toBe(node.B1.path);
    expect(zhang.is_head).toBe(true);
    expect(context.cipher.decrypt(zhang.id_number_encrypted)).toBe(idFor('19500102', 1));
    const audits = await database.rows<{ action: string; outcome: string }>(sql`SELECT action, outcome FROM audit_log WHERE resource_id = ${String(job.id)}`);
    expect(audits).toEqual([{ action: 'import.residents', outcome: 'success' }]);
    const listed = await listImports(context, cityAdmin, 1, 10);
    expect(listed.items.some((item) => item.id === job.id)).toBe(true);
  });

  it('reports exactly the bad lines and writes nothing', async () => {
    const before = await countOf('residents');
    const good = idFor('19600101', 7);
    const wrongCheck = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const job = await runImport({
      mapping: { householdCode: 'hh', name: 'n', gender: 'g', birthDate: 'b', idNumber: 'id' },
      buffer: csv([
        'hh,n,g,b,id',
        `H-0003,赵一,男,1960-01-01,${good}`,
        `H-0003,钱二,男,1960-01-01,${wrongCheck}`,
        'H-0004,孙三,女,1970-02-02,',
        'NOPE-1,李四,女,1971-02-02,',
        'H-0005,,女,1972-02-02,',
      ]),
    });
    expect(job.status).toBe('failed');
    expect(job.errors.map((e) => e.line)).toEqual([3, 5, 6]);
    expect(job.errors[0]).toMatchObject({ column: 'id', reason: '身份证号校验位错误 / ID number check digit is wrong' });
    expect(job.errors[1]).toMatchObject({ column: 'hh' });
    expect(job.errors[2]).toMatchObject({ column: 'n' });
    expect(await countOf('residents')).toBe(before);
  });

  it('refuses ID numbers that repeat in the file or exist already', async () => {
    const existing = idFor('19500102', 1);
    const fresh = idFor('19800101', 9);
    const job = await runImport({
      buffer: csv(['householdCode,name,gender,birthDate,idNumber', `H-0006,甲,男,1950-01-02,${existing}`, `H-0006,乙,男,1980-01-01,${fresh}`, `H-0006,丙,男,1980-01-01,${fresh}`]),
    });
    expect(job.status).toBe('failed');
    expect(job.errors.map((e) => e.line)).toEqual([2, 4]);
  });

  it('reads XLSX (first worksheet, Excel dates)', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('居民');
    sheet.addRow(['户编码', '姓名', '性别', '出生日期', '手机号']);
    sheet.addRow(['H-0010', '周一', '男', new Date(Date.UTC(1985, 4, 6)), '13900001111']);
    sheet.addRow(['H-0010', '吴二', '女', '1987-07-08', 13900002222]);
    sheet.addRow(['H-0011', '郑三', '女', 32000, null]);
    workbook.addWorksheet('ignored').addRow(['x']);
    const buffer = Buffer.from(await workbook.xlsx.writeBuffer());
    const job = await runImport({ buffer, fileName: 'residents.xlsx' });
    expect(job.errors).toEqual([]);
    expect(job.status).toBe('succeeded');
    const rows = await database.rows<{ name: string; birth_date: string; phone: string | null }>(
      sql`SELECT name, birth_date, phone FROM residents WHERE name IN ('周一', '吴二', '郑三') ORDER BY name`,
    );
    expect(rows).toEqual([
      { name: '吴二', birth_date: '1987-07-08', phone: '13900002222' },
      { name: '周一', birth_date: '1985-05-06', phone: '13900001111' },
      { name: '郑三', birth_date: '1987-08-11', phone: null },
    ]);
  });

  it('a district administrator cannot import into another district', async () => {
    const before = await countOf('residents');
    const job = await runImport(
      { buffer: csv(['householdCode,name,gender,birthDate', 'H-0020,甲,男,1990-01-01', 'H2-0001,乙,女,1991-01-01']) },
      districtAdmin,
    );
    expect(job.status).toBe('failed');
    expect(job.errors).toEqual([{ line: 3, column: 'householdCode', reason: '不在您的管辖范围内 / Outside your area of responsibility' }]);
    expect(await countOf('residents')).toBe(before);
    const own = await runImport({ buffer: csv(['householdCode,name,gender,birthDate', 'H-0020,甲,男,1990-01-01']) }, districtAdmin);
    expect(own.status).toBe('succeeded');
  });
});

describe('regions import (GeoJSON)', () => {
  const square = (x: number, y: number, size: number) => [
    [
      [x, y],
      [x + size, y],
      [x + size, y + size],
      [x, y + size],
      [x, y],
    ],
  ];
  const feature = (properties: Record<string, unknown>, coordinates: unknown, type = 'Polygon') => ({ type: 'Feature', properties, geometry: { type, coordinates } });

  it('builds paths under the city and existing nodes, in any feature order', async () => {
    const collection = {
      type: 'FeatureCollection',
      features: [
        feature({ level: 'grid', code: 'G3', name: '新网格', parentCode: 'C3', crs: 'gcj02' }, square(106.9, 27.7, 0.01)),
        feature({ level: 'community', code: 'C3', name: '新社区', parentCode: 'S3' }, square(106.9, 27.7, 0.02)),
        feature({ level: 'street', code: 'S3', name: '新街道', parentCode: 'D3' }, [square(106.9, 27.7, 0.05)], 'MultiPolygon'),
        feature({ level: 'district', code: 'D3', name: '新区', parentCode: '520300000000' }, square(106.8, 27.6, 0.3)),
        feature({ level: 'community', code: 'C4', name: '老城新社区', parentCode: 'S1' }, square(106.7, 27.5, 0.02)),
      ],
    };
    const { id } = await startImport(context, cityAdmin, { kind: 'regions', fileName: 'regions.geojson', buffer: Buffer.from(JSON.stringify(collection)) });
    await waitForImport(id);
    const job = await getImport(context, cityAdmin, id);
    expect(job.errors).toEqual([]);
    expect(job.status).toBe('succeeded');
    expect(job.summary).toMatchObject({ inserted: 5 });
    const rows = await database.rows<{ id: number; code: string; path: string; parent_id: number; centroid_lng: number; min_lng: number; max_lng: number; geometry: { coordinates: number[][][] } }>(
      sql`SELECT id, code, path, parent_id, centroid_lng, min_lng, max_lng, geometry FROM region_nodes WHERE code IN ('D3','S3','C3','G3','C4')`,
    );
    const by = Object.fromEntries(rows.map((r) => [r.code, r]));
    expect(by.D3.path).toBe(`${node['520300000000'].path}${by.D3.id}/`);
    expect(by.S3.path).toBe(`${by.D3.path}${by.S3.id}/`);
    expect(by.C3.path).toBe(`${by.S3.path}${by.C3.id}/`);
    expect(by.G3.path).toBe(`${by.C3.path}${by.G3.id}/`);
    expect(by.C4.path).toBe(`${node.S1.path}${by.C4.id}/`);
    expect(by.G3.parent_id).toBe(by.C3.id);
    // GCJ-02 was converted to WGS-84 (a shift of a few hundred metres), the centroid lies inside the box.
    expect(Math.abs(by.G3.geometry.coordinates[0][0][0] - 106.9)).toBeGreaterThan(1e-4);
    expect(by.G3.centroid_lng).toBeGreaterThan(by.G3.min_lng);
    expect(by.G3.centroid_lng).toBeLessThan(by.G3.max_lng);
    expect(await countOf('region_geometry_history')).toBe(5);
  });

  it('refuses a district administrator creating outside their district', async () => {
    const collection = {
      type: 'FeatureCollection',
      features: [
        feature({ level: 'street', code: 'S9', name: '外区街道', parentCode: 'D2' }, square(106.9, 27.7, 0.01)),
        feature({ level: 'community', code: 'C9', name: '外区社区', parentCode: 'S9' }, square(106.9, 27.7, 0.01)),
        feature({ level: 'street', code: 'S8', name: '本区街道', parentCode: 'D1' }, square(106.9, 27.7, 0.01)),
        feature({ level: 'grid', code: 'G8', name: '坏网格', parentCode: 'S8' }, square(106.9, 27.7, 0.01)),
      ],
    };
    const { id } = await startImport(context, districtAdmin, { kind: 'regions', fileName: 'r.json', buffer: Buffer.from(JSON.stringify(collection)) });
    await waitForImport(id);
    const job = await getImport(context, districtAdmin, id);
    expect(job.status).toBe('failed');
    expect(job.errors.map((e) => e.line)).toEqual([1, 2, 4]);
  });
});

describe('other kinds', () => {
  it('imports buildings, households and staff', async () => {
    const buildings = await startImport(context, cityAdmin, {
      kind: 'buildings',
      fileName: 'b.csv',
      buffer: csv(['code,name,gridCode,lng,lat,address', 'B9,9栋,G1,106.93,27.69,老城街道9号']),
    });
    await waitForImport(buildings.id);
    expect((await getImport(context, cityAdmin, buildings.id)).status).toBe('succeeded');
    const houses = await startImport(context, cityAdmin, {
      kind: 'households',
      fileName: 'h.csv',
      buffer: csv(['code,buildingCode,doorNumber,phone', 'H9-1,B9,101,13811112222', 'H9-2,B9,102,']),
    });
    await waitForImport(houses.id);
    const housesJob = await getImport(context, cityAdmin, houses.id);
    expect(housesJob.errors).toEqual([]);
    const [b9] = await database.rows<{ path: string }>(sql`SELECT path FROM region_nodes WHERE code = 'B9'`);
    expect(b9.path.startsWith(node.G1.path)).toBe(true);
    const [h] = await database.rows<{ region_path: string }>(sql`SELECT region_path FROM households WHERE code = 'H9-1'`);
    expect(h.region_path).toBe(b9.path);
    const staff = await startImport(context, cityAdmin, {
      kind: 'staff',
      fileName: 's.csv',
      buffer: csv(['username,displayName,role,scopeCode,password', 'gw001,网格员甲,网格员,G1,Grid-Worker-2024', 'sa001,管理员,system_admin,520300000000,', 'gw002,网格员乙,grid_worker,C1,weak']),
    });
    await waitForImport(staff.id);
    const staffJob = await getImport(context, cityAdmin, staff.id);
    expect(staffJob.status).toBe('failed');
    expect(staffJob.errors.map((e) => e.line)).toEqual([3, 4, 4]);
  });
});

describe('performance', () => {
  it('imports 100,000 residents from CSV', async () => {
    const lines = ['householdCode,name,gender,birthDate,phone,idNumber,tags'];
    const base = Date.UTC(1930, 0, 1);
    for (let i = 0; i < 100_000; i++) {
      const birth = new Date(base + Math.floor(i / 1000) * 86_400_000).toISOString().slice(0, 10);
      const id = idFor(birth.replaceAll('-', ''), i);
      lines.push(`H-${String((i % 900) + 100).padStart(4, '0')},居民${i},${i % 2 ? '男' : '女'},${birth},139${String(i).padStart(8, '0')},${id},${i % 10 === 0 ? '独居老人' : ''}`);
    }
    const before = await countOf('residents');
    const started = Date.now();
    const job = await runImport({ buffer: csv(lines), fileName: 'big.csv' });
    const ms = Date.now() - started;
    console.log(`100,000 residents: ${ms} ms end to end (job ${String(job.summary?.durationMs)} ms)`);
    expect(job.errors.slice(0, 3)).toEqual([]);
    expect(job.status).toBe('succeeded');
    expect(await countOf('residents')).toBe(before + 100_000);
    expect(job.processed).toBe(100_000);
  }, 300_000);
});
