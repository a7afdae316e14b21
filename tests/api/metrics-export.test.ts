import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { routeModules } from '../../src/http/routes.ts';
import { insertDefaultCategories } from '../../src/modules/cases/case-categories.repository.ts';
import { metricsExportRoutes } from '../../src/modules/metrics/metrics-export.routes.ts';
import { caseLedgerHeaders, EXPORT_BATCH_SIZE } from '../../src/modules/metrics/metrics-export.service.ts';
import { measures } from '../../src/modules/metrics/metric-measures.ts';
import { measureLabel } from '../../src/modules/metrics/metrics-export.labels.ts';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Until the lead lists the export routes in src/http/routes.ts, this test adds them for its own app.
if (!routeModules.includes(metricsExportRoutes)) routeModules.push(metricsExportRoutes);

type City = Awaited<ReturnType<typeof buildScopedCity>>;

/** 'YYYY-MM-DD HH:mm:ss' of an instant in China Standard Time. */
const chinaText = (iso: string | null) => (iso === null ? null : new Date(new Date(iso).getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' '));
/** A date cell as written: the wall-clock time in UTC fields. */
const cellTime = (value: unknown) => (value instanceof Date ? value.toISOString().slice(0, 19).replace('T', ' ') : value === null || value === undefined ? null : String(value));

async function readWorkbook(buffer: Buffer) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as never);
  return workbook;
}

/** The rows of a sheet as arrays of cell values, 0-based, empty cells null (as wide as the sheet). */
function sheetRows(sheet: ExcelJS.Worksheet): unknown[][] {
  const rows: unknown[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const values = row.values as unknown[];
    rows.push(Array.from({ length: sheet.columnCount }, (_, i) => values[i + 1] ?? null));
  });
  return rows;
}

describe('metrics ledgers as Excel (streamed)', () => {
  let t: TestApp;
  let city: City;
  let categories: number[];
  const cookie: Record<string, string> = {};
  const db = () => t.context.database;
  const get = (url: string, who = 'cityadmin') => t.app.inject({ method: 'GET', url, headers: cookie[who] ? { cookie: cookie[who] } : {} });

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    await insertDefaultCategories(t.context.database, t.context.database.db, city.cityId);
    categories = (await db().rows<{ id: number }>(sql`SELECT id FROM case_categories WHERE city_id = ${city.cityId} ORDER BY id`)).map((r) => Number(r.id));
    for (const name of ['gridworker', 'street', 'water', 'cityadmin', 'district']) cookie[name] = await t.login(name);

    // A varied history over three months: 1,000 cases on side A and B with every status, some rated, some summoned.
    const statuses = ['submitted', 'dispatched', 'in_progress', 'summoned', 'replied', 'called_back', 'rated', 'closed', 'declined', 'merged'];
    const paths = [city.a.grid.path, city.a.grid2.path, city.a.building.path, city.b.grid.path];
    const grids = [city.a.grid.id, city.a.grid2.id, city.a.grid.id, city.b.grid.id];
    await db().db.execute(sql`
      INSERT INTO cases (city_id, number, tracking_token, channel, status, category_id, triage_color, title, description, region_path, grid_id,
        reporter_name, reporter_phone, address, overdue, supervised, reopen_count, created_at, dispatched_at, contacted_at, contact_due_at, replied_at, closed_at, rating_resolved, rating_satisfaction)
      SELECT ${city.cityId}, 'X' || lpad(g::text, 6, '0'), 'export-' || g, (ARRAY['qr','h5','grid_worker','hotline','open311'])[1 + g % 5],
        (${`{${statuses.join(',')}}`}::text[])[1 + g % 10], CASE WHEN g % 11 = 0 THEN NULL ELSE (${`{${categories.join(',')}}`}::bigint[])[1 + g % ${categories.length}] END,
        (ARRAY['red','orange','yellow','green'])[1 + g % 4], '历史工单 ' || g, '描述', (${`{${paths.join(',')}}`}::text[])[1 + g % 4],
        (${`{${grids.join(',')}}`}::bigint[])[1 + g % 4], '王秘密', '13900009999', '秘密路 8 号', g % 7 = 0, g % 13 = 0, (g % 17 = 0)::int,
        created, CASE WHEN g % 10 > 0 THEN created + interval '20 minutes' END, CASE WHEN g % 10 > 1 THEN created + interval '40 minutes' END,
        CASE WHEN g % 10 > 0 THEN created + interval '50 minutes' END, CASE WHEN g % 10 BETWEEN 4 AND 7 THEN created + interval '2 days' END,
        CASE WHEN g % 10 = 7 THEN created + interval '3 days' END,
        CASE WHEN g % 10 IN (6, 7) THEN g % 3 > 0 END, CASE WHEN g % 10 IN (6, 7) THEN (ARRAY['satisfied','basically_satisfied','dissatisfied'])[1 + g % 3] END
      FROM generate_series(1, 1000) g, LATERAL (SELECT timestamptz '2026-01-01 00:00:00+08' + (g * interval '127 minutes') AS created) t`);
    await db().db.execute(sql`INSERT INTO case_summonses (city_id, case_id, department_id)
      SELECT city_id, id, ${city.department.id} FROM cases WHERE tracking_token LIKE 'export-%' AND status = 'summoned'`);
  });
  afterAll(async () => t?.close());

  /** Every page of the drill-down list. */
  async function drillDown(query: string, who = 'cityadmin') {
    const items: Array<Record<string, unknown>> = [];
    let total = 0;
    for (let page = 1; ; page++) {
      const response = await get(`/api/v1/metrics/cases?${query}&page=${page}&pageSize=200`, who);
      expect(response.statusCode, response.body).toBe(200);
      total = response.json().total;
      items.push(...response.json().items);
      if (items.length >= total || response.json().items.length === 0) break;
    }
    return { total, items };
  }

  async function exportCases(query: string, who = 'cityadmin') {
    const response = await get(`/api/v1/metrics/cases.xlsx?${query}`, who);
    expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
    expect(response.headers['content-type']).toContain('spreadsheetml');
    const workbook = await readWorkbook(response.rawPayload);
    const sheet = workbook.worksheets[0];
    const [header, ...rows] = sheetRows(sheet);
    return { response, header, rows, sheet };
  }

  it('the case ledger holds exactly the drill-down list, in its order, with Chinese headers and China times', async () => {
    const queries = [
      `node=region:${city.city.id}&from=2026-01&to=2026-03&measure=received`,
      `node=region:${city.a.street.id}&from=2026-02&measure=closed`,
      `node=region:${city.a.grid.id}&from=2026-01&to=2026-03&measure=rated&categoryId=${categories[1]}`,
      `node=department:${city.department.id}&from=2026-01&to=2026-03&measure=received`,
      `node=region:${city.city.id}&from=2026-01&to=2026-03&measure=dispatch_seconds`,
    ];
    for (const query of queries) {
      const list = await drillDown(query);
      const { header, rows, response } = await exportCases(query);
      expect(header).toEqual(caseLedgerHeaders);
      expect(rows.length, query).toBe(list.total);
      expect(Number(response.headers['x-export-rows'])).toBe(list.total);
      const col = (name: string) => caseLedgerHeaders.indexOf(name);
      rows.forEach((row, i) => {
        const item = list.items[i];
        expect(row[col('编号')]).toBe(item.number);
        expect(row[col('标题')]).toBe(item.title);
        expect(row[col('分类')]).toBe(item.category);
        expect(row[col('网格')]).toBe(item.grid);
        expect(cellTime(row[col('受理时间')])).toBe(chinaText(item.createdAt as string));
        expect(cellTime(row[col('联系时间')])).toBe(chinaText(item.contactedAt as string | null));
        expect(cellTime(row[col('答复时间')])).toBe(chinaText(item.repliedAt as string | null));
        expect(cellTime(row[col('办结时间')])).toBe(chinaText(item.closedAt as string | null));
        expect(row[col('满意度')]).toBe({ satisfied: '满意', basically_satisfied: '基本满意', dissatisfied: '不满意' }[item.ratingSatisfaction as string] ?? null);
        expect(row[col('是否解决')]).toBe(item.ratingResolved === null ? null : item.ratingResolved ? '是' : '否');
      });
    }
    const summoned = await exportCases(`node=department:${city.department.id}&from=2026-01&to=2026-03&measure=received`);
    expect(summoned.rows.length).toBeGreaterThan(0);
    for (const row of summoned.rows) {
      expect(row[caseLedgerHeaders.indexOf('状态')]).toBe('已吹哨');
      expect(row[caseLedgerHeaders.indexOf('承办部门')]).toBe('水务局');
    }
  });

  it('no personal data of the reporter leaves in the file', async () => {
    const response = await get(`/api/v1/metrics/cases.xlsx?node=region:${city.city.id}&from=2026-01&to=2026-03&measure=received`);
    const workbook = await readWorkbook(response.rawPayload);
    const text = JSON.stringify(sheetRows(workbook.worksheets[0]));
    expect(text).toContain('历史工单');
    for (const secret of ['王秘密', '13900009999', '秘密路']) expect(text).not.toContain(secret);
  });

  it('reads more than one keyset batch, with ties on the receiving time across batch boundaries', { timeout: 120_000 }, async () => {
    // 2.4 batches of cases in one grid in May 2026, seven at each moment (with microseconds, which a JavaScript Date would lose) so batch edges fall inside ties.
    const n = Math.floor(EXPORT_BATCH_SIZE * 2.4);
    await db().db.execute(sql`
      INSERT INTO cases (city_id, number, tracking_token, channel, status, triage_color, title, description, region_path, grid_id, created_at)
      SELECT ${city.cityId}, 'M' || lpad(g::text, 6, '0'), 'batch-' || g, 'hotline', 'submitted', 'yellow', '批量 ' || g, '描述', ${city.a.grid2.path}, ${city.a.grid2.id},
        timestamptz '2026-05-01 00:00:00+08' + ((g / 7) * interval '1.000123 second')
      FROM generate_series(1, ${n}::int) g`);
    const query = `node=region:${city.a.grid2.id}&from=2026-05&measure=received`;
    const { rows } = await exportCases(query);
    expect(rows.length).toBe(n);
    const numbers = rows.map((row) => row[0] as string);
    expect(new Set(numbers).size).toBe(n);
    const expected = await db().rows<{ number: string }>(
      sql`SELECT number FROM cases WHERE tracking_token LIKE 'batch-%' ORDER BY created_at DESC, id DESC`,
    );
    expect(numbers).toEqual(expected.map((r) => r.number));
    const list = await get(`/api/v1/metrics/cases?${query}&page=1&pageSize=200`);
    expect(list.json().total).toBe(n);
    expect(numbers.slice(0, 200)).toEqual(list.json().items.map((i: { number: string }) => i.number));
  });

  it('a client that leaves half-way stops the download without harm to the server', { timeout: 120_000 }, async () => {
    const address = new URL(await t.app.listen({ port: 0, host: '127.0.0.1' }));
    const firstChunk = await new Promise<number>((resolve, reject) => {
      const request = http.get(
        { host: address.hostname, port: address.port, path: `/api/v1/metrics/cases.xlsx?node=region:${city.a.grid2.id}&from=2026-05&measure=received`, headers: { cookie: cookie.cityadmin } },
        (response) => {
          expect(response.statusCode).toBe(200);
          response.once('data', (chunk: Buffer) => {
            resolve(chunk.length);
            // Gone, mid-file: the socket is closed under the server.
            request.destroy();
          });
        },
      );
      request.on('error', (error) => (error.message.includes('socket hang up') || (error as { code?: string }).code === 'ECONNRESET' ? undefined : reject(error)));
    });
    expect(firstChunk).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // The server goes on: the next download is whole.
    const { rows } = await exportCases(`node=region:${city.a.grid2.id}&from=2026-05&measure=received`);
    expect(rows.length).toBe(Math.floor(EXPORT_BATCH_SIZE * 2.4));
  });

  it('an empty figure is a valid workbook with the header row only; the filename is UTF-8 (RFC 5987)', async () => {
    const { rows, header, response } = await exportCases(`node=region:${city.city.id}&from=2024-01&measure=received`);
    expect(header).toEqual(caseLedgerHeaders);
    expect(rows).toEqual([]);
    const disposition = String(response.headers['content-disposition']);
    expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+\.xlsx"; filename\*=UTF-8''/);
    const encoded = /filename\*=UTF-8''(.+)$/.exec(disposition)![1];
    expect(decodeURIComponent(encoded)).toBe(`工单明细-遵义市-受理量-2024-01.xlsx`);
  });

  it('is scoped like the drill-down: other areas, other departments and grid workers are refused; no session is 401', async () => {
    const refused = [
      ['street', `node=region:${city.b.street.id}&from=2026-01&measure=received`],
      ['street', `node=region:${city.city.id}&from=2026-01&measure=received`],
      ['water', `node=department:${city.otherDepartment.id}&from=2026-01&measure=received`],
      ['gridworker', `from=2026-01&measure=received`],
    ];
    for (const [who, query] of refused) {
      for (const path of ['cases.xlsx', 'export.xlsx']) {
        const url = `/api/v1/metrics/${path}?${path === 'export.xlsx' ? query.replace('&measure=received', '') : query}`;
        const response = await get(url, who);
        expect(response.statusCode, `${who} ${url}`).toBe(403);
        expect(response.json().error.code).toBe('forbidden');
      }
    }
    const own = await exportCases(`from=2026-01&to=2026-03&measure=received`, 'street');
    const ownList = await drillDown(`from=2026-01&to=2026-03&measure=received`, 'street');
    expect(own.rows.length).toBe(ownList.total);
    expect(own.rows.length).toBeGreaterThan(0);
    const anonymous = await t.app.inject({ method: 'GET', url: `/api/v1/metrics/cases.xlsx?from=2026-01&measure=received` });
    expect(anonymous.statusCode).toBe(401);
  });

  it('answers bad input with 4xx and a JSON error', async () => {
    const bad = [
      '/api/v1/metrics/cases.xlsx?from=2026-01&measure=nonsense',
      '/api/v1/metrics/cases.xlsx?from=2026-13&measure=received',
      '/api/v1/metrics/cases.xlsx?from=2026-03&to=2026-01&measure=received',
      '/api/v1/metrics/cases.xlsx?from=2026-01',
      '/api/v1/metrics/cases.xlsx?from=2026-01&measure=received&page=2',
      '/api/v1/metrics/cases.xlsx?from=2026-01&measure=received&node=region:abc',
      '/api/v1/metrics/cases.xlsx?from=2026-01&measure=received&node=region:999999999',
      `/api/v1/metrics/cases.xlsx?from=2026-01&measure=received&node=region:${city.a.building.id}`,
      '/api/v1/metrics/cases.xlsx?from=2026-01&measure=received&categoryId=-1',
      '/api/v1/metrics/export.xlsx',
      '/api/v1/metrics/export.xlsx?from=2020-01&to=2026-01',
      '/api/v1/metrics/export.xlsx?from=2026-01&measure=received',
    ];
    for (const url of bad) {
      const response = await get(url);
      expect(response.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, url).toBeLessThan(500);
      expect(response.json().error.code, url).toBeTruthy();
    }
  });

  it('every download is audited with its query and row count', async () => {
    const [{ before }] = await db().rows<{ before: number }>(sql`SELECT coalesce(max(id), 0) AS before FROM audit_log`);
    const query = `node=region:${city.a.street.id}&from=2026-01&to=2026-03&measure=replied`;
    const { rows } = await exportCases(query);
    await get(`/api/v1/metrics/cases.xlsx?from=2026-01&measure=nonsense`);
    await get(`/api/v1/metrics/export.xlsx?node=region:${city.a.street.id}&from=2026-01`);
    const records = await db().rows<{ action: string; resource_id: string; actor_user_id: number; details: unknown }>(
      sql`SELECT action, resource_id, actor_user_id, details FROM audit_log WHERE id > ${before} AND action = 'metrics.export' ORDER BY id`,
    );
    expect(records.length).toBe(2);
    const details = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;
    expect(records[0].resource_id).toBe(`region:${city.a.street.id}`);
    expect(Number(records[0].actor_user_id)).toBe(city.users.city_admin.id);
    expect(details(records[0].details)).toMatchObject({
      ledger: 'cases',
      rows: rows.length,
      query: { node: `region:${city.a.street.id}`, from: '2026-01', to: '2026-03', measure: 'replied', categoryId: null },
    });
    expect(details(records[1].details)).toMatchObject({ ledger: 'metrics', query: { node: `region:${city.a.street.id}`, from: '2026-01', to: '2026-01' } });
  });

  it("the metrics ledger carries the node's figures, its children ranked, by category and by month, as the JSON figures", async () => {
    const period = `from=2026-01&to=2026-03`;
    const response = await get(`/api/v1/metrics/export.xlsx?node=region:${city.city.id}&${period}`);
    expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
    expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(String(response.headers['content-disposition']))![1])).toBe('指标台账-遵义市-2026-01至2026-03.xlsx');
    const workbook = await readWorkbook(response.rawPayload);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['指标概况', '区县排名', '部门排名', '按类别', '按月']);
    const figures = (await get(`/api/v1/metrics?node=region:${city.city.id}&${period}`)).json();

    const overview = new Map(sheetRows(workbook.getWorksheet('指标概况')!).map((row) => [row[0] as string, row[1]]));
    expect(overview.get('受理量')).toBe(figures.counters.received);
    expect(overview.get('受理量')).toBe(1000);
    for (const measure of measures) expect(overview.get(measureLabel(measure.name, measure.zh)), measure.name).toBe(figures.counters[measure.name]);
    expect(overview.get('已办结')).toBe(figures.counters.closed);
    expect(overview.get('渠道:热线')).toBe(figures.counters.channel_hotline);
    expect(overview.get('分级:红')).toBe(figures.counters.color_red);
    expect(overview.get('派单用时(秒)')).toBe(figures.counters.dispatch_seconds);
    expect(overview.get('响应率')).toBeCloseTo(figures.rates.response.value, 10);
    expect(overview.get('解决率')).toBeCloseTo(figures.rates.resolution.value, 10);
    expect(overview.get('满意率')).toBeCloseTo(figures.rates.satisfaction.value, 10);
    expect(overview.get('综合得分')).toBe(figures.rates.composite);
    expect(overview.get('平均派单用时(分钟)')).toBe(Math.round((figures.averages.dispatchSeconds / 60) * 10) / 10);

    const rankings = (await get(`/api/v1/metrics/rankings?node=region:${city.city.id}&${period}&level=district`)).json();
    const [rankHeader, ...ranked] = sheetRows(workbook.getWorksheet('区县排名')!);
    expect(rankHeader.slice(0, 3)).toEqual(['排名', '区县', '受理量']);
    expect(ranked.map((row) => [row[0], row[1], row[2]])).toEqual(rankings.items.map((i: { rank: number; node: { name: string }; counters: { received: number } }) => [i.rank, i.node.name, i.counters.received]));
    expect(ranked.reduce((sum, row) => sum + (row[2] as number), 0)).toBe(1000);

    const [, ...byCategory] = sheetRows(workbook.getWorksheet('按类别')!);
    expect(byCategory.map((row) => [row[0], row[1]])).toEqual(figures.byCategory.map((c: { name: string; counters: { received: number } }) => [c.name, c.counters.received]));
    const [monthHeader, ...byMonth] = sheetRows(workbook.getWorksheet('按月')!);
    expect(monthHeader[0]).toBe('月份');
    expect(byMonth.map((row) => [row[0], row[1]])).toEqual(figures.byMonth.map((m: { month: string; counters: { received: number } }) => [m.month, m.counters.received]));

    // A street ranks its communities; a grid has no children; a department ranks nothing below it.
    const street = await readWorkbook((await get(`/api/v1/metrics/export.xlsx?node=region:${city.a.street.id}&${period}`)).rawPayload);
    expect(street.worksheets.map((s) => s.name)).toEqual(['指标概况', '社区排名', '按类别', '按月']);
    const grid = await readWorkbook((await get(`/api/v1/metrics/export.xlsx?node=region:${city.a.grid.id}&from=2026-02`)).rawPayload);
    expect(grid.worksheets.map((s) => s.name)).toEqual(['指标概况', '下级排名', '按类别', '按月']);
    expect(sheetRows(grid.getWorksheet('按月')!).length).toBe(2);
    const department = await readWorkbook((await get(`/api/v1/metrics/export.xlsx?from=2026-01&to=2026-03`, 'water')).rawPayload);
    const deptOverview = new Map(sheetRows(department.getWorksheet('指标概况')!).map((row) => [row[0] as string, row[1]]));
    expect(deptOverview.get('节点')).toBe('水务局');
    expect(deptOverview.get('受理量')).toBe(100);
  });
});
