// 指挥中心 in the console: the street officer sees their own street's figures and nothing of the next
// street; a new case moves the figures within 5 s (live feed); the response rate opens exactly the cases
// it counts (the same as the API's list), and 导出 Excel downloads those cases as a spreadsheet.
import ExcelJS from 'exceljs';
import type { APIRequestContext } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, login, newUserContext, totpCode, useServerAndBrowser } from './helpers.ts';

const running = useServerAndBrowser();
const SHOTS = '/tmp/civicgrid-command';

interface RegionItem {
  id: number | string;
  code: string;
  name: string;
  level: string;
}
interface Rate {
  value: number | null;
  numerator: number;
  denominator: number;
  numeratorMeasures: string[];
  denominatorMeasure: string;
}
interface Figures {
  node: { ref: string; name: string };
  counters: Record<string, number>;
  rates: Record<'response' | 'resolution' | 'satisfaction', Rate>;
}
interface FigureCases {
  total: number;
  items: Array<{ id: number; number: string; title: string }>;
}

/** The month a case created now counts in (Asia/Shanghai), as the page picks it by default. */
const monthNow = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);

async function session(username: string, totp = false): Promise<APIRequestContext> {
  const context = await newUserContext(running.browser, running.server.baseUrl);
  const response = await context.request.post('/api/v1/auth/login', { data: { username, password: DEMO_PASSWORD, ...(totp ? { totpCode: totpCode() } : {}) } });
  expect(response.status(), `${username} login: ${await response.text()}`).toBe(200);
  return context.request;
}

async function json<T>(request: APIRequestContext, url: string): Promise<T> {
  const response = await request.get(url);
  expect(response.status(), `GET ${url}: ${await response.text()}`).toBe(200);
  return (await response.json()) as T;
}

async function children(request: APIRequestContext, id: number | string): Promise<RegionItem[]> {
  return (await json<{ items: RegionItem[] }>(request, `/api/v1/regions/${id}/children?pageSize=500`)).items;
}

/** The grids of a street, found through the region tree as the given user sees it. */
async function gridsOf(request: APIRequestContext, streetId: number | string): Promise<RegionItem[]> {
  const grids: RegionItem[] = [];
  for (const community of (await children(request, streetId)).filter((n) => n.level === 'community')) {
    grids.push(...(await children(request, community.id)).filter((n) => n.level === 'grid'));
  }
  return grids;
}

async function report(request: APIRequestContext, gridCode: string, description: string) {
  const response = await request.post('/api/v1/cases', { data: { channel: 'hotline', placeCode: gridCode, categoryCode: 'environment', description } });
  expect(response.status(), `report: ${await response.text()}`).toBe(201);
  const body = (await response.json()) as { id: number | string; number: string };
  return { id: Number(body.id), number: body.number };
}

/** A resident's QR report (no session), with the tracking token the resident rates with; found by its number. */
async function residentReport(staff: APIRequestContext, gridCode: string, description: string) {
  const response = await fetch(`${running.server.baseUrl}/api/v1/public/cases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ placeCode: gridCode, categoryCode: 'environment', description }),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  const { number, trackingToken } = (await response.json()) as { number: string; trackingToken: string };
  const list = await json<{ items: Array<{ id: number | string; number: string }> }>(staff, '/api/v1/cases?pageSize=100');
  const id = Number(list.items.find((c) => c.number === number)?.id);
  expect(id, `${number} on the staff list`).toBeGreaterThan(0);
  return { id, number, trackingToken };
}

async function act(request: APIRequestContext, caseId: number, body: object) {
  const response = await request.post(`/api/v1/cases/${caseId}/actions`, { data: body });
  expect(response.status(), `${JSON.stringify(body)} on ${caseId}: ${await response.text()}`).toBe(200);
}

describe('command centre', () => {
  it('shows the street officer their street only; figures follow a new case live; the response rate lists exactly its cases and exports them', async () => {
    const { server } = running;
    const month = monthNow();
    const street = await session('street');
    const district = await session('district', true);

    // ---- places: two grids of the officer's street, one grid of another street in the same district ----
    const streetMe = await json<{ roles: Array<{ role: string; regionNodeId: number | string; regionName: string }> }>(street, '/api/v1/auth/me');
    const streetRole = streetMe.roles.find((r) => r.role === 'street_officer')!;
    const streetId = Number(streetRole.regionNodeId);
    const ownGrids = await gridsOf(street, streetId);
    expect(ownGrids.length, 'the demo street has grids').toBeGreaterThan(1);
    const districtMe = await json<{ roles: Array<{ role: string; regionNodeId: number | string }> }>(district, '/api/v1/auth/me');
    const otherStreet = (await children(district, districtMe.roles[0].regionNodeId)).find((n) => n.level === 'street' && Number(n.id) !== streetId);
    expect(otherStreet, 'the demo district has a second street').toBeTruthy();
    const otherGrids = await gridsOf(district, otherStreet!.id);
    expect(otherGrids.length).toBeGreaterThan(0);

    // ---- cases: in the officer's street, one rated, one contacted, one only dispatched, one new ----
    const rated = await residentReport(street, ownGrids[0].code, '指挥中心验收：小区门口垃圾满溢，已多日无人清运');
    const contacted = await report(street, ownGrids[1].code, '指挥中心验收：楼道堆放杂物堵塞消防通道');
    const dispatched = await report(street, ownGrids[0].code, '指挥中心验收：广场路灯夜间不亮');
    const fresh = await report(street, ownGrids[1].code, '指挥中心验收：绿化带垃圾未清理');
    for (const c of [rated, contacted, dispatched]) await act(street, c.id, { action: 'dispatch' });
    for (const c of [rated, contacted]) await act(street, c.id, { action: 'record_contact' });
    await act(street, rated.id, { action: 'reply', note: '已清运' });
    const rating = await fetch(`${server.baseUrl}/api/v1/public/cases/${rated.trackingToken}/rating`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resolved: true, satisfaction: 'satisfied' }),
    });
    expect(rating.status, await rating.clone().text()).toBe(200);
    // … and in the other street (entered and dispatched by the district).
    const elsewhere = await report(district, otherGrids[0].code, '邻街验收：人行道井盖松动');
    await act(district, elsewhere.id, { action: 'dispatch' });
    const elsewhereToo = await report(district, otherGrids[0].code, '邻街验收：菜市场噪音');

    // ---- what the API says the officer's figures are ----
    const figures = await json<Figures>(street, `/api/v1/metrics?from=${month}`);
    expect(figures.node.ref, 'without ?node= the figures are the officer’s own street').toBe(`region:${streetId}`);
    const response = figures.rates.response;
    expect(response.numeratorMeasures).toEqual(['contacted_in_time']);
    const responseCases = await json<FigureCases>(street, `/api/v1/metrics/cases?from=${month}&measure=contacted_in_time&pageSize=200`);
    expect(responseCases.total).toBe(response.numerator);
    const responseIds = new Set(responseCases.items.map((c) => c.id));
    expect(responseIds.has(rated.id) && responseIds.has(contacted.id), 'contacted in time: the two phoned cases').toBe(true);
    expect(responseIds.has(dispatched.id) || responseIds.has(fresh.id), 'not phoned: not in the numerator').toBe(false);
    const received = await json<FigureCases>(street, `/api/v1/metrics/cases?from=${month}&measure=received&pageSize=200`);
    expect(received.items.some((c) => c.id === elsewhere.id || c.id === elsewhereToo.id), 'the other street’s cases are not the officer’s').toBe(false);
    expect((await street.get(`/api/v1/metrics?node=region:${otherStreet!.id}&from=${month}`)).status()).toBe(403);

    // ---- the page ----
    const context = await newUserContext(running.browser, server.baseUrl);
    const page = await context.newPage();
    try {
      await page.setViewportSize({ width: 1366, height: 768 });
      await login(page, 'street');
      await page.getByTestId('menu-command').click();
      await page.waitForURL((url) => url.pathname === '/command');
      const centre = page.getByTestId('command-page');
      await centre.waitFor({ state: 'visible' });
      expect(await centre.getAttribute('data-node')).toBe(`region:${streetId}`);
      expect(await centre.getAttribute('data-from')).toBe(month);
      expect(await page.getByTestId('command-node').getAttribute('data-ref')).toBe(`region:${streetId}`);
      expect(await page.getByTestId('command-node').textContent()).toContain(streetRole.regionName);
      expect(Number(await page.getByTestId('kpi-received').getAttribute('data-value'))).toBe(figures.counters.received);
      expect(Number(await page.getByTestId('kpi-response').getAttribute('data-numerator'))).toBe(response.numerator);
      expect(Number(await page.getByTestId('kpi-response').getAttribute('data-denominator'))).toBe(response.denominator);
      // The rankings list the officer's communities; nothing of the other street is anywhere on the page.
      await page.getByTestId('ranking-children-row').first().waitFor({ state: 'visible' });
      const communities = (await children(street, streetId)).filter((n) => n.level === 'community');
      expect(await page.getByTestId('ranking-children-row').count()).toBe(communities.length);
      await page.getByTestId('watch-overdue_open').and(page.locator('[data-total]')).waitFor({ state: 'attached' });
      const text = (await page.locator('body').textContent()) ?? '';
      expect(text).not.toContain(otherStreet!.name);
      expect(text).not.toContain('邻街验收');
      for (const g of otherGrids) expect(await page.locator(`[data-testid=command-grid][data-grid-id="${g.id}"]`).count()).toBe(0);
      await page.locator(`[data-testid=command-grid][data-grid-id="${ownGrids[0].id}"]`).waitFor({ state: 'attached' });
      await page.screenshot({ path: `${SHOTS}-1366.png` });

      // A new case in the street moves 受理量 within 5 s, without a reload (live feed, ~1 s debounce).
      await page.locator('[data-testid=command-page] [data-testid=board-live-indicator][data-state=live]').waitFor({ state: 'visible', timeout: 10_000 });
      await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'));
      const before = Number(await page.getByTestId('kpi-received').getAttribute('data-value'));
      const postedAt = Date.now();
      const late = await report(street, ownGrids[0].code, '指挥中心验收：实时刷新');
      await page.waitForFunction((n) => Number(document.querySelector('[data-testid=kpi-received]')?.getAttribute('data-value')) === n, before + 1, { timeout: 5_000 });
      const tookMs = Date.now() - postedAt;
      expect(tookMs, `figures refreshed ${tookMs} ms after the case`).toBeLessThan(5_000);
      expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same page');
      expect(late.id).toBeGreaterThan(0);

      // The other street's node is refused, not shown.
      await page.goto(`/command?node=region:${otherStreet!.id}&from=${month}`);
      await page.getByTestId('forbidden').waitFor({ state: 'visible' });
      await page.goto('/command');
      await page.getByTestId('kpi-response').waitFor({ state: 'visible' });

      // 响应率 → the list of exactly its numerator's cases.
      await page.getByTestId('kpi-response').click();
      await page.waitForURL((url) => url.pathname === '/command/cases');
      const url = new URL(page.url());
      expect(url.searchParams.get('measure')).toBe('contacted_in_time');
      expect(url.searchParams.get('node')).toBe(`region:${streetId}`);
      expect(url.searchParams.get('from')).toBe(month);
      const total = page.getByTestId('figure-total');
      await page.waitForFunction(() => document.querySelector('[data-testid=figure-total]')?.getAttribute('data-total'));
      const apiList = await json<FigureCases>(street, `/api/v1/metrics/cases?node=region:${streetId}&from=${month}&measure=contacted_in_time&pageSize=200`);
      expect(Number(await total.getAttribute('data-total'))).toBe(apiList.total);
      await page.locator('[data-testid=figure-page][data-shown="contacted_in_time:1"]').waitFor({ state: 'attached' });
      const shownIds = (await page.getByTestId('figure-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-case-id'))))).sort((a, b) => a - b);
      expect(shownIds).toEqual(apiList.items.map((c) => c.id).sort((a, b) => a - b));
      expect(shownIds).toContain(rated.id);
      expect(shownIds).not.toContain(dispatched.id);
      expect(await page.getByTestId('figure-node').textContent()).toContain(streetRole.regionName);
      await page.screenshot({ path: `${SHOTS}-cases.png` });


      // 导出 Excel: the same cases as a spreadsheet.
      const probe = await page.request.get(`/api/v1/metrics/cases.xlsx?node=region:${streetId}&from=${month}&measure=contacted_in_time`);
      expect(probe.status(), `GET /api/v1/metrics/cases.xlsx: ${probe.status()} ${probe.headers()['content-type']}`).toBe(200);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('figure-export').click()]);
      expect(new URL(download.url()).pathname).toBe('/api/v1/metrics/cases.xlsx');
      expect(Object.fromEntries(new URL(download.url()).searchParams)).toMatchObject({ node: `region:${streetId}`, from: month, measure: 'contacted_in_time' });
      const file = await download.path();
      expect(file, `download failed: ${await download.failure()}`).toBeTruthy();
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(file!);
      const sheet = workbook.worksheets[0];
      const headers = (sheet.getRow(1).values as unknown[]).map((v) => String(v ?? ''));
      const numberColumn = headers.indexOf('编号');
      const titleColumn = headers.indexOf('标题');
      expect(numberColumn, `headers: ${headers.join(',')}`).toBeGreaterThan(0);
      const rows: Array<{ number: string; title: string }> = [];
      sheet.eachRow((row, index) => {
        if (index > 1) rows.push({ number: String(row.getCell(numberColumn).value), title: String(row.getCell(titleColumn).value) });
      });
      expect(rows.length).toBe(apiList.total);
      const ratedRow = rows.find((r) => r.number === rated.number);
      expect(ratedRow, `${rated.number} in the spreadsheet`).toBeTruthy();
      expect(ratedRow!.title).toBe(apiList.items.find((c) => c.id === rated.id)!.title);
      expect(new Set(rows.map((r) => r.number))).toEqual(new Set(apiList.items.map((c) => c.number)));

      // The rate's denominator is offered from its numerator's list: the dispatched cases.
      expect(await page.getByTestId('figure-part').textContent()).toContain('响应率的分子');
      await page.getByTestId('figure-counterpart-response').click();
      await page.waitForURL((u) => u.pathname === '/command/cases' && u.searchParams.get('measure') === 'dispatched');
      await page.waitForFunction((n) => document.querySelector('[data-testid=figure-total]')?.getAttribute('data-total') === String(n), response.denominator);
      await page.locator('[data-testid=figure-page][data-shown="dispatched:1"]').waitFor({ state: 'attached' });
      expect(await page.getByTestId('figure-row').count()).toBe(response.denominator);
      const dispatchedIds = await page.getByTestId('figure-row').evaluateAll((els) => els.map((r) => Number(r.getAttribute('data-case-id'))));
      expect(dispatchedIds).toEqual(expect.arrayContaining([rated.id, contacted.id, dispatched.id]));
      expect(dispatchedIds).not.toContain(fresh.id);
    } finally {
      await context.close();
    }
  });

  it('lays the wall screen out on 1920×1080 and the monthly report on a printable sheet', async () => {
    const context = await newUserContext(running.browser, running.server.baseUrl);
    const page = await context.newPage();
    try {
      await page.setViewportSize({ width: 1920, height: 1080 });
      await login(page, 'street', { path: '/command?wall=1' });
      const wall = page.getByTestId('command-wall-screen');
      await wall.waitFor({ state: 'visible' });
      await page.getByTestId('kpi-composite').waitFor({ state: 'visible' });
      // Full screen: no menu, nothing scrolls out of the screen.
      const box = await wall.boundingBox();
      expect(box).toMatchObject({ x: 0, y: 0, width: 1920, height: 1080 });
      expect(await wall.evaluate((el) => el.scrollHeight <= el.clientHeight + 1)).toBe(true);
      await page.waitForTimeout(800);
      await page.screenshot({ path: `${SHOTS}-wall.png` });
      await page.getByTestId('command-wall-exit').click();
      await page.getByTestId('command-page').waitFor({ state: 'visible' });

      await page.getByTestId('command-report').click();
      await page.waitForURL((url) => url.pathname === '/command/report');
      const sheet = page.getByTestId('report-sheet');
      await sheet.waitFor({ state: 'visible' });
      const rate = page.getByTestId('report-rate-response');
      const figures = (await (await page.request.get(`/api/v1/metrics?from=${monthNow()}`)).json()) as Figures;
      expect(Number(await rate.getAttribute('data-numerator'))).toBe(figures.rates.response.numerator);
      expect(Number(await rate.getAttribute('data-denominator'))).toBe(figures.rates.response.denominator);
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('.ant-layout-sider').isVisible()).toBe(false);
      expect(await page.getByTestId('report-print').isVisible()).toBe(false);
      expect(await sheet.isVisible()).toBe(true);
      const pdf = await page.pdf({ preferCSSPageSize: true });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      await page.emulateMedia({ media: 'screen' });
    } finally {
      await context.close();
    }
  });
  it('lets the city administrator set the rate definitions and weights, and nobody else', async () => {
    const context = await newUserContext(running.browser, running.server.baseUrl);
    const page = await context.newPage();
    try {
      await login(page, 'street', { path: '/command' });
      await page.getByTestId('command-page').waitFor({ state: 'visible' });
      expect(await page.getByTestId('command-settings').count()).toBe(0);
      await context.clearCookies();

      await login(page, 'cityadmin', { totp: true, path: '/command' });
      await page.getByTestId('command-page').waitFor({ state: 'visible' });
      await page.getByTestId('command-settings').click();
      const basic = page.getByTestId('metric-include-basic');
      await basic.waitFor({ state: 'visible' });
      expect(await basic.getAttribute('aria-checked')).toBe('true');
      await basic.click();
      for (const [name, value] of [['response', '0'], ['resolution', '0'], ['satisfaction', '1']] as const) {
        await page.getByTestId(`metric-weight-${name}`).fill(value);
      }
      await page.getByRole('button', { name: /OK|确 ?定/ }).click();
      await page.getByTestId('metric-include-basic').waitFor({ state: 'detached' });
      const saved = (await (await page.request.get('/api/v1/metrics/settings')).json()) as { settings: { satisfactionIncludesBasic: boolean; weights: Record<string, number> } };
      expect(saved.settings).toEqual({ satisfactionIncludesBasic: false, weights: { response: 0, resolution: 0, satisfaction: 1 } });
      const figures = (await (await page.request.get(`/api/v1/metrics?from=${monthNow()}`)).json()) as Figures & { rates: { composite: number | null } };
      if (figures.rates.satisfaction.value !== null) expect(figures.rates.composite).toBeCloseTo(figures.rates.satisfaction.value * 100, 1);
      // Back to the defaults for whoever reads the figures next.
      const reset = await page.request.put('/api/v1/metrics/settings', { data: { satisfactionIncludesBasic: true, weights: { response: 0.2, resolution: 0.4, satisfaction: 0.4 } } });
      expect(reset.status()).toBe(200);
    } finally {
      await context.close();
    }
  });
});
