import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { insertDefaultCategories } from '../../src/modules/cases/case-categories.repository.ts';
import { waitForImport } from '../../src/modules/imports/import.service.ts';
import { compactMetricDeltas, findMetricNode, naiveCounters, rollupCounters, type Counters, type MetricNode, type MonthRange } from '../../src/modules/metrics/metrics.repository.ts';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

type City = Awaited<ReturnType<typeof buildScopedCity>>;

function multipart(cookie: string, fields: Record<string, string>, file?: { name: string; content: Buffer | string }) {
  const boundary = '----civicgrid-history';
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  if (file) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
    chunks.push(Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie } };
}

const csv = (rows: string[][]) => rows.map((row) => row.map((cell) => (/[",\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(',')).join('\r\n');
/** Beijing wall-clock text → the instant. */
const beijing = (text: string) => new Date(`${text.replace(' ', 'T')}+08:00`).toISOString();

interface Job {
  id: number;
  status: string;
  total: number;
  processed: number;
  errors: Array<{ line: number; column?: string; reason: string }>;
  summary: Record<string, unknown> | null;
}

const groups = (rows: Array<{ month: string; categoryId: number; counters: Counters }>) => {
  const map: Record<string, Counters> = {};
  for (const row of rows) if (Object.values(row.counters).some((v) => v !== 0)) map[`${row.month}|${row.categoryId}`] = row.counters;
  return map;
};

describe('history import (历史工单导入)', () => {
  let t: TestApp;
  let city: City;
  const cookie: Record<string, string> = {};
  const db = () => t.context.database;
  let roads: number;

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    await insertDefaultCategories(t.context.database, t.context.database.db, city.cityId);
    [{ id: roads }] = (await db().rows<{ id: number }>(sql`SELECT id FROM case_categories WHERE city_id = ${city.cityId} AND code = 'roads_facilities'`)).map((r) => ({ id: Number(r.id) }));
    await db().db.execute(sql`UPDATE region_nodes SET address = '遵义市测试路1号3栋' WHERE id = ${city.a.building.id}`);
    await db().db.execute(sql`UPDATE region_nodes SET address = '遵义市测试路9号1栋' WHERE id = ${city.b.building.id}`);
    for (const name of ['cityadmin', 'district', 'street']) cookie[name] = await t.login(name);
  });
  afterAll(async () => t?.close());

  async function start(who: string, file: { name: string; content: Buffer | string }, fields: Record<string, string> = {}) {
    return t.app.inject({ method: 'POST', url: '/api/v1/imports', ...multipart(cookie[who], { kind: 'case_history', ...fields }, file) });
  }
  async function run(who: string, file: { name: string; content: Buffer | string }, fields: Record<string, string> = {}): Promise<Job> {
    const response = await start(who, file, fields);
    expect(response.statusCode, response.body).toBe(202);
    const { id } = response.json() as { id: number };
    await waitForImport(id);
    const job = await t.app.inject({ method: 'GET', url: `/api/v1/imports/${id}`, headers: { cookie: cookie[who] } });
    expect(job.statusCode, job.body).toBe(200);
    return job.json() as Job;
  }
  const casesNumbered = (prefix: string) =>
    db().rows<Record<string, unknown>>(sql`SELECT * FROM cases WHERE city_id = ${city.cityId} AND number LIKE ${prefix + '%'} ORDER BY number`);
  const iso = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string).toISOString());

  async function nodes(): Promise<MetricNode[]> {
    const list: MetricNode[] = [];
    for (const id of [city.city.id, city.a.district.id, city.a.street.id, city.a.community.id, city.a.grid.id, city.a.grid2.id, city.b.grid.id]) list.push((await findMetricNode(db(), city.cityId, 'region', id))!);
    for (const unit of [city.department, city.otherDepartment]) list.push((await findMetricNode(db(), city.cityId, 'department', unit.id))!);
    return list;
  }
  /** Rollups (with pending deltas) equal the naive SQL over the raw cases for every node, before and after compaction. */
  async function expectRollupsExact(range: MonthRange) {
    for (let pass = 0; pass < 2; pass++) {
      for (const node of await nodes()) {
        expect(groups(await rollupCounters(db(), node, range)), `${node.kind}:${node.name}`).toEqual(groups(await naiveCounters(db(), node, range)));
      }
      while ((await compactMetricDeltas(db(), 1000)) > 0);
    }
  }

  const header = ['工单编号', '受理时间', '派单时间', '联系时间', '答复时间', '办结时间', '诉求类别', '承办单位', '地址', '经度', '纬度', '状态', '满意度', '是否解决', '标题', '诉求内容'];

  it('a CSV with the usual Chinese headers (no mapping given): placed by point, by building address and by region name; times, states and ratings honest; counted in every figure', async () => {
    const rows = [
      header,
      // line 2: a point in grid A1, the whole loop, one department.
      ['2025-0001', '2025-03-05 08:30', '2025-03-05 08:50', '2025-03-05 09:10', '2025-03-06 10:00', '2025-03-07 17:00', '道路设施', '水务局', '', '106.903', '27.603', '已办结', '满意', '是', '井盖松动', '小区门口井盖松动'],
      // line 3: a point by building A1 (within 50 m), other date spellings.
      ['2025-0002', '2025/3/6 9:05', '2025/3/6 9:20', '', '', '', 'roads_facilities', '', '', '106.9051', '27.6051', '办理中', '', '', '路灯不亮', ''],
      // line 4: the building's address written with spaces; contact but no dispatch recorded; two departments.
      ['2025-0003', '2025年3月7日 10时15分', '', '2025年3月7日 11时0分', '2025-03-08 09:00:00', '2025-03-09 12:00:00', '', '水务局、城管局', '遵义市 测试路1号 3栋', '', '', '已归档', '不满意', '否', '', '楼道积水'],
      // line 5: the community's name, declined, compact times.
      ['2025-0004', '20250331233000', '', '', '', '', '', '', 'A社区', '', '', '不予受理', '', '', '测试信息', '测试'],
      // line 6: no status column value: the times say replied.
      ['2025-0005', '2025-04-01 00:10', '2025-04-01 00:20', '2025-04-01 00:40', '2025-04-02 08:00', '', '道路设施', '', '', '106.915', '27.605', '', '基本满意', '是', '噪声', '夜间施工噪声'],
    ];
    const job = await run('cityadmin', { name: '历史工单.csv', content: `\uFEFF${csv(rows)}` });
    expect(job.errors).toEqual([]);
    expect(job.status).toBe('succeeded');
    expect(job).toMatchObject({ total: 5, processed: 5 });
    expect(job.summary).toMatchObject({ inserted: 5, cases: 5, summonses: 3 });

    const imported = await casesNumbered('LS-2025-');
    expect(imported.map((c) => c.number)).toEqual(['LS-2025-0001', 'LS-2025-0002', 'LS-2025-0003', 'LS-2025-0004', 'LS-2025-0005']);
    const [one, two, three, four, five] = imported;
    expect(one).toMatchObject({ region_path: city.a.grid.path, status: 'closed', channel: 'hotline', title: '井盖松动', rating_satisfaction: 'satisfied', reporter_name: null, reporter_phone: null });
    expect(Number(one.grid_id)).toBe(city.a.grid.id);
    expect(one.building_id).toBeNull();
    expect(Number(one.category_id)).toBe(roads);
    expect(one.triage_color).toBe('yellow');
    expect(Boolean(one.rating_resolved)).toBe(true);
    expect([iso(one.created_at), iso(one.dispatched_at), iso(one.contacted_at), iso(one.replied_at), iso(one.closed_at)]).toEqual(
      ['2025-03-05 08:30', '2025-03-05 08:50', '2025-03-05 09:10', '2025-03-06 10:00', '2025-03-07 17:00'].map(beijing),
    );
    // No contact clock was recorded by the old system: none is invented.
    expect(one.contact_due_at).toBeNull();
    expect(Number(one.lng)).toBeCloseTo(106.903, 9);

    expect(two).toMatchObject({ region_path: city.a.building.path, status: 'in_progress', contacted_at: null, closed_at: null });
    expect(Number(two.building_id)).toBe(city.a.building.id);
    expect(iso(two.created_at)).toBe(beijing('2025-03-06 09:05'));

    expect(three).toMatchObject({ region_path: city.a.building.path, status: 'closed', rating_satisfaction: 'dissatisfied', address: '遵义市 测试路1号 3栋' });
    expect(Boolean(three.rating_resolved)).toBe(false);
    // Contacted without a recorded dispatch: dispatched when received.
    expect(iso(three.dispatched_at)).toBe(iso(three.created_at));
    expect(iso(three.created_at)).toBe(beijing('2025-03-07 10:15'));
    expect(three.category_id).toBeNull();

    expect(four).toMatchObject({ region_path: city.a.community.path, grid_id: null, status: 'declined', dispatched_at: null });
    expect(iso(four.created_at)).toBe(beijing('2025-03-31 23:30'));
    expect(five).toMatchObject({ region_path: city.a.grid2.path, status: 'replied', rating_satisfaction: 'basically_satisfied' });

    const summonses = await db().rows<{ case_id: number; department_id: number }>(
      sql`SELECT case_id, department_id FROM case_summonses WHERE case_id IN (${Number(one.id)}, ${Number(three.id)}) ORDER BY case_id, department_id`,
    );
    expect(summonses.map((s) => [Number(s.case_id), Number(s.department_id)])).toEqual(
      [[Number(one.id), city.department.id], [Number(three.id), city.department.id], [Number(three.id), city.otherDepartment.id]].sort((a, b) => a[0] - b[0] || a[1] - b[1]),
    );
    const events = await db().rows<{ case_id: number; action: string; to_status: string; details: unknown }>(
      sql`SELECT case_id, action, to_status, details FROM case_events WHERE case_id IN (${sql.join(imported.map((c) => sql`${Number(c.id)}`), sql`, `)}) ORDER BY case_id`,
    );
    expect(events.map((e) => [e.action, e.to_status])).toEqual(imported.map((c) => ['imported', c.status]));
    const [audit] = await db().rows<{ outcome: string; details: unknown }>(sql`SELECT outcome, details FROM audit_log WHERE action = 'import.case_history' AND resource_id = ${String(job.id)}`);
    expect(audit.outcome).toBe('success');
    expect(typeof audit.details === 'string' ? JSON.parse(audit.details) : audit.details).toMatchObject({ inserted: 5, fileName: '历史工单.csv' });

    // They count in the figures like native cases, and the rollups stay exact.
    const figures = (await t.app.inject({ method: 'GET', url: `/api/v1/metrics?node=region:${city.city.id}&from=2025-03&to=2025-04`, headers: { cookie: cookie.cityadmin } })).json();
    expect(figures.counters).toMatchObject({ received: 5, closed: 2, declined: 1, backlog: 2, dispatched: 4, contacted: 3, replied: 3, rated: 3, satisfied: 1, dissatisfied: 1, basically_satisfied: 1, rated_resolved: 2 });
    // Only the cases whose contact clock is known can be in time: none here.
    expect(figures.counters.contacted_in_time).toBe(0);
    expect(figures.byMonth.map((m: { month: string; counters: Counters }) => [m.month, m.counters.received])).toEqual([['2025-03', 4], ['2025-04', 1]]);
    const water = (await t.app.inject({ method: 'GET', url: `/api/v1/metrics?node=department:${city.department.id}&from=2025-03`, headers: { cookie: cookie.cityadmin } })).json();
    expect(water.counters.received).toBe(2);
    const drill = (await t.app.inject({ method: 'GET', url: `/api/v1/metrics/cases?node=region:${city.a.street.id}&from=2025-03&measure=closed`, headers: { cookie: cookie.cityadmin } })).json();
    expect(drill.items.map((i: { number: string }) => i.number).sort()).toEqual(['LS-2025-0001', 'LS-2025-0003']);
    await expectRollupsExact({ from: '2025-03-01', to: '2025-05-01' });
  });

  it('an XLSX with date cells and its own headers, mapped explicitly, with a status table and prefix of the city', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('工单');
    sheet.addRow(['案件号', '来电日期', '完成日期', '问题类型', '发生地', 'X坐标', 'Y坐标', '处理结果', '回访评价', '期限', '来源']);
    // Date cells hold wall-clock times (Excel has no zones): 2025-05-02 14:05 is Beijing time.
    const wall = (text: string) => new Date(`${text.replace(' ', 'T')}Z`);
    sheet.addRow([900001, wall('2025-05-02 14:05'), wall('2025-05-03 09:00'), '道路设施', '', 106.912, 27.602, '结办', '满意', wall('2025-05-02 18:00'), '扫码']);
    sheet.addRow([900002, wall('2025-05-10 08:00'), null, '道路设施', 'A街道', null, null, '处理中', '', wall('2025-05-11 08:00'), '']);
    const buffer = Buffer.from(await workbook.xlsx.writeBuffer());
    const mapping = { number: '案件号', created: '来电日期', closed: '完成日期', category: '问题类型', address: '发生地', lng: 'X坐标', lat: 'Y坐标', status: '处理结果', satisfaction: '回访评价', due: '期限', channel: '来源' };
    const job = await run('cityadmin', { name: 'history.xlsx', content: buffer }, { mapping: JSON.stringify(mapping), options: JSON.stringify({ statusMap: { 结办: 'closed' }, numberPrefix: 'ZY-' }) });
    expect(job.errors).toEqual([]);
    expect(job.status).toBe('succeeded');
    const [first, second] = await casesNumbered('ZY-');
    expect(first).toMatchObject({ number: 'ZY-900001', status: 'closed', channel: 'qr', region_path: city.a.grid2.path, rating_satisfaction: 'satisfied' });
    expect(iso(first.created_at)).toBe(beijing('2025-05-02 14:05'));
    expect(iso(first.closed_at)).toBe(beijing('2025-05-03 09:00'));
    // Closed after its deadline: it went overdue. Nothing dispatched was recorded, so nothing is.
    expect(first.overdue).toBe(true);
    expect(first.dispatched_at).toBeNull();
    expect(second).toMatchObject({ number: 'ZY-900002', status: 'in_progress', region_path: city.a.street.path, grid_id: null, channel: 'hotline' });
    // Still open long after its deadline.
    expect(second.overdue).toBe(true);
    const figures = (await t.app.inject({ method: 'GET', url: `/api/v1/metrics?node=region:${city.a.street.id}&from=2025-05`, headers: { cookie: cookie.cityadmin } })).json();
    expect(figures.counters).toMatchObject({ received: 2, closed: 1, overdue: 2, overdue_open: 1, channel_qr: 1, channel_hotline: 1 });
    await expectRollupsExact({ from: '2025-05-01', to: '2025-06-01' });
  });

  it('bad rows fail the whole file with line numbers and reasons, and nothing is written', async () => {
    const before = await db().rows<{ cases: number; events: number; summonses: number }>(
      sql`SELECT (SELECT count(*) FROM cases)::int AS cases, (SELECT count(*) FROM case_events)::int AS events, (SELECT count(*) FROM case_summonses)::int AS summonses`,
    );
    const rows = [
      header,
      ['BAD-1', '2025-06-01 08:00', '', '', '', '', '道路设施', '', '', '106.903', '27.603', '已办结', '', '', '好行', ''],
      ['BAD-2', '2025-06-01 09:00', '', '', '', '', '不存在的类别', '', '', '106.903', '27.603', '已办结', '', '', '坏类别', ''],
      ['BAD-3', '2025-06-01 10:00', '2025-06-01 09:00', '', '', '', '', '', '', '120.5', '30.2', '已办结', '', '', '早派单且坐标在外', ''],
      ['BAD-4', '2025-06-01 11:00', '', '', '', '', '', '不存在的部门', '火星路 1 号', '', '', '神秘状态', '特别满意', '也许', '', ''],
      ['BAD-5', '2099-01-01 00:00', '', '', '', '2025-06-02 10:00', '', '', '', '106.903', '', '办理中', '', '', '未来与矛盾', ''],
      ['BAD-1', '2025-06-13 25:61', '', '', '', '', '', '', 'A社区', '', '', '', '', '', '', ''],
      ['BAD-7', '2025-06-01 12:00', '', '', '', '', '', '', 'A社区', '', '', '', '', '', '正常行', ''],
    ];
    const job = await run('cityadmin', { name: 'bad.csv', content: csv(rows) });
    expect(job.status).toBe('failed');
    expect(job.summary).toMatchObject({ inserted: 0 });
    const at = (line: number) => job.errors.filter((e) => e.line === line);
    expect(at(2)).toEqual([]);
    expect(at(3).map((e) => e.column)).toEqual(['诉求类别']);
    expect(at(3)[0].reason).toMatch(/未知的诉求类别/);
    expect(at(4).map((e) => e.column).sort()).toEqual(['派单时间', '经度'].sort());
    expect(at(4).find((e) => e.column === '派单时间')!.reason).toMatch(/早于受理时间/);
    expect(at(4).find((e) => e.column === '经度')!.reason).toMatch(/不在本市任何网格内/);
    expect(at(5).map((e) => e.column).sort()).toEqual(['地址', '承办单位', '是否解决', '满意度', '状态'].sort());
    expect(at(6).map((e) => e.column).sort()).toEqual(['办结时间', '受理时间', '纬度', '状态'].sort());
    expect(at(7).map((e) => e.column).sort()).toEqual(['受理时间', '工单编号'].sort());
    expect(at(7).find((e) => e.column === '工单编号')!.reason).toMatch(/第 2 行/);
    expect(at(8)).toEqual([]);
    const after = await db().rows<{ cases: number; events: number; summonses: number }>(
      sql`SELECT (SELECT count(*) FROM cases)::int AS cases, (SELECT count(*) FROM case_events)::int AS events, (SELECT count(*) FROM case_summonses)::int AS summonses`,
    );
    expect(after).toEqual(before);
    expect(await casesNumbered('LS-BAD')).toEqual([]);
    const [audit] = await db().rows<{ outcome: string }>(sql`SELECT outcome FROM audit_log WHERE action = 'import.case_history' AND resource_id = ${String(job.id)}`);
    expect(audit.outcome).toBe('failure');

    // A number already in the city is refused too.
    const again = await run('cityadmin', { name: 'again.csv', content: csv([header, ['2025-0001', '2025-06-01 08:00', '', '', '', '', '', '', 'A社区', '', '', '', '', '', '重复', '']]) });
    expect(again.status).toBe('failed');
    expect(again.errors).toEqual([expect.objectContaining({ line: 2, column: '工单编号', reason: expect.stringMatching(/LS-2025-0001 已存在/) })]);
    // The receiving time is required: a file without it fails at its header.
    const headless = await run('cityadmin', { name: 'no-time.csv', content: csv([['地址'], ['A社区']]) });
    expect(headless.status).toBe('failed');
    expect(headless.errors[0]).toMatchObject({ line: 1, column: 'created' });
  });

  it('refuses malformed requests with 4xx', async () => {
    const file = { name: 'ok.csv', content: csv([header, ['X-1', '2025-06-01 08:00', '', '', '', '', '', '', 'A社区', '', '', '', '', '', 'x', '']]) };
    const bad: Array<[Record<string, string>, { name: string; content: string }?]> = [
      [{ options: '{"statusMap":{"结办":"finished"}}' }],
      [{ options: '{"colour":"red"}' }],
      [{ options: '{"numberPrefix":"has space"}' }],
      [{ options: 'not json' }],
      [{ options: '["closed"]' }],
      [{ mapping: '{"nonsense":"受理时间"}' }],
      [{}, { name: 'cases.geojson', content: '{"type":"FeatureCollection","features":[]}' }],
      [{}, { name: 'empty.csv', content: '' }],
    ];
    for (const [fields, other] of bad) {
      const response = await start('cityadmin', other ?? file, fields);
      expect(response.statusCode, JSON.stringify(fields)).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, JSON.stringify(fields)).toBeLessThan(500);
      expect(response.json().error.code).toBeTruthy();
    }
    // Options belong to the history import only.
    const other = await t.app.inject({ method: 'POST', url: '/api/v1/imports', ...multipart(cookie.cityadmin, { kind: 'buildings', options: '{"numberPrefix":"X"}' }, file) });
    expect(other.statusCode).toBe(400);
  });

  it('is scoped: a district administrator imports within the district only; a street officer may not import at all', async () => {
    const inB = ['SC-1', '2025-07-01 08:00', '', '', '', '', '', '', '', '107.003', '27.603', '已办结', '', '', '在B区', ''];
    const inA = ['SC-2', '2025-07-01 09:00', '', '', '', '', '', '', '', '106.903', '27.603', '已办结', '', '', '在A区', ''];
    const refused = await run('district', { name: 'scope.csv', content: csv([header, inA, inB]) });
    expect(refused.status).toBe('failed');
    expect(refused.errors).toEqual([expect.objectContaining({ line: 3, column: '经度', reason: expect.stringMatching(/管辖范围/) })]);
    expect(await casesNumbered('LS-SC-')).toEqual([]);
    const accepted = await run('district', { name: 'scope.csv', content: csv([header, inA]) });
    expect(accepted.status).toBe('succeeded');
    expect((await casesNumbered('LS-SC-')).map((c) => c.region_path)).toEqual([city.a.grid.path]);
    const regionB = await start('district', { name: 'scope.csv', content: csv([header, inA]) }, { regionId: String(city.b.district.id) });
    expect(regionB.statusCode).toBe(403);
    // A region narrower than the file: rows outside it are refused.
    const narrow = await run('cityadmin', { name: 'narrow.csv', content: csv([header, ['SC-3', '2025-07-02 09:00', '', '', '', '', '', '', '', '106.915', '27.603', '', '', '', 'x', '']]) }, { regionId: String(city.a.grid.id) });
    expect(narrow.status).toBe('failed');
    const street = await start('street', { name: 'scope.csv', content: csv([header, inA]) });
    expect(street.statusCode).toBe(403);
    const kinds = await t.app.inject({ method: 'GET', url: '/api/v1/imports/kinds', headers: { cookie: cookie.street } });
    expect(kinds.statusCode).toBe(403);
    const adminKinds = (await t.app.inject({ method: 'GET', url: '/api/v1/imports/kinds', headers: { cookie: cookie.district } })).json() as Array<{ kind: string; fields: Array<{ name: string; aliases?: string[] }> }>;
    const history = adminKinds.find((k) => k.kind === 'case_history')!;
    expect(history.fields.find((f) => f.name === 'created')!.aliases).toContain('来电时间');
  });

  it('a few thousand rows: progress reaches the total, and the figures still equal the raw cases', async () => {
    const rows = [header];
    const statuses = ['已办结', '办理中', '已答复', '不予受理', '已派单'];
    for (let i = 0; i < 3000; i++) {
      const day = 1 + (i % 28);
      const created = `2025-08-${String(day).padStart(2, '0')} ${String(8 + (i % 10)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;
      const status = statuses[i % statuses.length];
      const closed = status === '已办结' ? `2025-09-${String(day).padStart(2, '0')} 10:00` : '';
      const replied = status === '已办结' || status === '已答复' ? `2025-08-${String(day).padStart(2, '0')} 20:00` : '';
      rows.push([`BIG-${i}`, created, i % 3 === 0 ? created : '', '', replied, closed, i % 4 === 0 ? '道路设施' : '', i % 9 === 0 ? '城管局' : '', i % 7 === 0 ? 'A社区' : '', i % 7 === 0 ? '' : String(106.9005 + (i % 19) * 0.001), i % 7 === 0 ? '' : '27.6035', status, replied ? ['满意', '基本满意', '不满意'][i % 3] : '', replied ? (i % 2 ? '是' : '否') : '', `第${i}件`, '']);
    }
    const job = await run('cityadmin', { name: 'big.csv', content: csv(rows) });
    expect(job.errors.slice(0, 3)).toEqual([]);
    expect(job).toMatchObject({ status: 'succeeded', total: 3000, processed: 3000 });
    expect((await casesNumbered('LS-BIG-')).length).toBe(3000);
    const figures = (await t.app.inject({ method: 'GET', url: `/api/v1/metrics?node=region:${city.city.id}&from=2025-08`, headers: { cookie: cookie.cityadmin } })).json();
    expect(figures.counters).toMatchObject({ received: 3000, closed: 600, declined: 600 });
    await expectRollupsExact({ from: '2025-08-01', to: '2025-10-01' });
  }, 120_000);
});
