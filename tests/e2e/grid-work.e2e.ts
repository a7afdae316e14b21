// 网格工作 and the command centre's 社区服务 panel in the browser, on the demo: the dispatcher sees the month's
// visits, starts mediating a dispute found by the grid worker, sees the overdue care visits highlighted, and the
// command centre shows the community's service figures (the same numbers as the API).
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, login, useServerAndBrowser } from './helpers.ts';

const running = useServerAndBrowser();
const SHOTS = '/tmp/civicgrid-grid-work';

describe('grid work walk', () => {
  it('visits, a dispute mediated, overdue care visits highlighted, and the community-service figures on the command centre', async () => {
    const { browser, server } = running;
    const context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    context.setDefaultTimeout(15_000);
    try {
      const api = await browser.newContext({ baseURL: server.baseUrl });
      expect((await api.request.post('/api/v1/auth/login', { data: { username: 'dispatcher', password: DEMO_PASSWORD } })).status()).toBe(200);
      const visits = (await (await api.request.get('/api/v1/grid-work/visits?pageSize=1')).json()) as { total: number };
      const overdue = (await (await api.request.get('/api/v1/grid-work/care-subjects?overdue=true')).json()) as { total: number };
      const found = (await (await api.request.get('/api/v1/grid-work/disputes?status=found')).json()) as { items: Array<{ id: number }> };
      expect(visits.total).toBeGreaterThan(0);
      expect(overdue.total).toBeGreaterThan(0);
      expect(found.items.length).toBeGreaterThan(0);

      const page = await context.newPage();
      await login(page, 'dispatcher', { path: '/community/grid-work' });
      await page.getByTestId('grid-work-page').waitFor({ state: 'visible' });
      page.on('console', (m) => m.type() === 'error' && console.log('console:', m.text()));
      page.on('response', (r) => r.status() >= 400 && console.log('http', r.status(), r.url()));
      await page.locator('.ant-table-row').first().waitFor({ state: 'visible' });
      await page.screenshot({ path: `${SHOTS}-visits.png` });

      await page.getByRole('tab', { name: '矛盾纠纷' }).click();
      await page.getByTestId('dispute-counts').waitFor({ state: 'visible' });
      const id = found.items[0].id;
      await page.getByTestId(`dispute-mediate-${id}`).click();
      await page.getByTestId('dispute-action-ok').click();
      await page.getByTestId(`dispute-resolve-${id}`).waitFor({ state: 'visible' });
      const after = (await (await api.request.get(`/api/v1/grid-work/disputes/${id}`)).json()) as { status: string; timeline: Array<{ action: string }> };
      expect(after.status).toBe('mediating');
      expect(after.timeline.map((e) => e.action)).toContain('mediate');
      await page.screenshot({ path: `${SHOTS}-disputes.png` });

      await page.getByRole('tab', { name: '关爱对象' }).click();
      await page.getByTestId('care-overdue').click();
      await page.locator('tr[data-overdue="true"]').first().waitFor({ state: 'visible' });
      expect(await page.locator('tr[data-overdue="true"]').count()).toBe(overdue.total);
      await page.screenshot({ path: `${SHOTS}-care.png` });

      const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
      const figures = (await (await api.request.get(`/api/v1/community-metrics?from=${month}`)).json()) as { node: { ref: string }; figures: { gridWork: { visits: number } } };
      await page.goto(`/command?node=${figures.node.ref}&from=${month}`);
      const visitsFigure = page.getByTestId('community-services').locator('[data-figure="gridWork.visits"] b');
      await visitsFigure.waitFor({ state: 'visible' });
      expect(await visitsFigure.textContent()).toBe(figures.figures.gridWork.visits.toLocaleString());
      await page.getByTestId('community-services').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SHOTS}-command.png`, fullPage: true });
      await api.close();
    } finally {
      await context.close();
    }
  }, 180_000);
});
