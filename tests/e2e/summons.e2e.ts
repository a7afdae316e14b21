// 街道吹哨、部门报到 in the console: a demo case driven through the API to `summoned` with the water
// department; the water department's staff reports in from /department and the street sees it on /street.
import { describe, expect, it } from 'vitest';
import type { APIRequestContext, Page } from 'playwright-core';
import { DEMO_PASSWORD, login, newUserContext, useServerAndBrowser } from './helpers.ts';

const running = useServerAndBrowser();

describe('street summons, department reports in', () => {
  let caseId = 0;
  let waterId = 0;

  /** An API session of a demo user (own cookie jar). */
  async function session(username: string): Promise<APIRequestContext> {
    const context = await newUserContext(running.browser, running.server.baseUrl);
    const response = await context.request.post('/api/v1/auth/login', { data: { username, password: DEMO_PASSWORD } });
    expect(response.status(), `${username} login: ${await response.text()}`).toBe(200);
    return context.request;
  }

  async function act(request: APIRequestContext, body: object) {
    const response = await request.post(`/api/v1/cases/${caseId}/actions`, { data: body });
    expect(response.status(), `${JSON.stringify(body)}: ${await response.text()}`).toBe(200);
    return (await response.json()) as { status: string; holderLevel: string };
  }

  it('drives a demo case through the API until the street summons the water department', async () => {
    const [gridworker, dispatcher, street] = [await session('gridworker'), await session('dispatcher'), await session('street')];
    const me = (await (await gridworker.get('/api/v1/auth/me')).json()) as { roles: Array<{ regionNodeId: number | string }> };
    const summary = (await (await gridworker.get(`/api/v1/grids/${me.roles[0].regionNodeId}/summary`)).json()) as { grid: { code: string } };
    const created = await gridworker.post('/api/v1/cases', {
      data: { channel: 'grid_worker', placeCode: summary.grid.code, categoryCode: 'water_supply', description: '小区门口爆管，路面积水，需要水务部门处理' },
    });
    expect(created.status(), await created.text()).toBe(201);
    caseId = Number(((await created.json()) as { id: number | string }).id);

    await act(dispatcher, { action: 'dispatch' });
    await act(gridworker, { action: 'record_contact' });
    await act(gridworker, { action: 'escalate' });
    expect((await act(dispatcher, { action: 'escalate' })).holderLevel).toBe('street');

    // The street finds the water department among the departments it may summon.
    const units = (await (await street.get('/api/v1/units?kind=department&pageSize=200')).json()) as { items: Array<{ id: number | string; name: string }> };
    const water = units.items.find((u) => u.name.endsWith('水务局'));
    expect(water, JSON.stringify(units.items.map((u) => u.name))).toBeTruthy();
    waterId = Number(water!.id);
    expect((await act(street, { action: 'summon', departmentIds: [waterId] })).status).toBe('summoned');
  });

  it('shows the case to the water department under 待报到; 报到 moves it to 待答复', async () => {
    expect(caseId, 'the first walk made a case').toBeGreaterThan(0);
    const context = await newUserContext(running.browser, running.server.baseUrl);
    const page = await context.newPage();
    try {
      await login(page, 'water');
      // Department staff get the department view in the menu, not the street view.
      await page.getByTestId('menu-department').waitFor({ state: 'visible' });
      expect(await page.getByTestId('menu-street').count()).toBe(0);
      await page.getByTestId('menu-department').click();
      await page.waitForURL((url) => url.pathname === '/department');

      const waiting = row(page, caseId, 'to_report_in');
      await waiting.waitFor({ state: 'visible' });
      await waiting.getByTestId('inbox-deadline').waitFor({ state: 'visible' });
      expect(await waiting.getByTestId('inbox-color').getAttribute('data-color')).toBe('red');
      const before = Number(await page.getByTestId('department-tab-to_report_in').getAttribute('data-count'));
      await page.screenshot({ path: '/tmp/civicgrid-department.png' });
      expect(before).toBeGreaterThanOrEqual(1);

      const sent = page.waitForRequest((req) => req.method() === 'POST' && new URL(req.url()).pathname === `/api/v1/cases/${caseId}/actions`);
      const answered = page.waitForResponse((res) => res.request().method() === 'POST' && new URL(res.url()).pathname === `/api/v1/cases/${caseId}/actions`);
      await waiting.getByTestId('department-report-in').click();
      const request = await sent;
      expect(request.headers()['if-match']).toMatch(/^"\d+"$/);
      expect(request.headers()['idempotency-key']).toBeTruthy();
      expect(request.postDataJSON()).toEqual({ action: 'report_in', departmentId: waterId });
      expect((await answered).status()).toBe(200);

      // Gone from 待报到 (the list reloads) …
      await page.waitForFunction(
        (id) => !document.querySelector(`[data-testid=department-row][data-case-id="${id}"][data-state=to_report_in]`),
        String(caseId),
      );
      await page.waitForFunction(
        (n) => Number(document.querySelector('[data-testid=department-tab-to_report_in]')?.getAttribute('data-count')) === n,
        before - 1,
      );
      // … and waiting for the reply under 待答复, with 答复 leading to the case page.
      await page.getByTestId('department-tab-to_reply').click();
      const replying = row(page, caseId, 'to_reply');
      await replying.waitFor({ state: 'visible' });
      expect(await replying.getByTestId('department-report-in').count()).toBe(0);
      await replying.getByTestId('department-reply').waitFor({ state: 'visible' });

      const detail = (await (await page.request.get(`/api/v1/cases/${caseId}`)).json()) as { summonses: Array<{ departmentId: number | string; reportedIn: boolean; replied: boolean }> };
      expect(detail.summonses.find((s) => Number(s.departmentId) === waterId)).toMatchObject({ reportedIn: true, replied: false });

      await replying.getByTestId('department-reply').click();
      await page.waitForURL((url) => url.pathname === `/cases/${caseId}`);
    } finally {
      await context.close();
    }
  });

  it('shows the street the summoned case with the water department reported in', async () => {
    expect(caseId).toBeGreaterThan(0);
    const context = await newUserContext(running.browser, running.server.baseUrl);
    const page = await context.newPage();
    try {
      await login(page, 'street');
      await page.goto('/street?tab=summoned');
      const summoned = page.locator(`[data-testid=street-row][data-case-id="${caseId}"]`);
      await summoned.waitFor({ state: 'visible' });
      const chip = summoned.locator(`[data-testid=street-department-state][data-department-id="${waterId}"]`);
      expect(await chip.getAttribute('data-state')).toBe('reported_in');
      await page.screenshot({ path: '/tmp/civicgrid-street.png' });
      expect(Number(await page.getByTestId('street-tab-summoned').getAttribute('data-count'))).toBeGreaterThanOrEqual(1);
      await page.getByTestId('street-tab-escalated').click();
      await page.waitForURL((url) => url.search === '?tab=escalated');
      await page.waitForFunction((id) => !document.querySelector(`[data-testid=street-row][data-case-id="${id}"]`), String(caseId));
    } finally {
      await context.close();
    }
  });
});

/** The department-view row of a case in the given state. */
function row(page: Page, caseId: number, state: string) {
  return page.locator(`[data-testid=department-row][data-case-id="${caseId}"][data-state=${state}]`);
}
