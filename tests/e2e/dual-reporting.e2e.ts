// 双报到 end to end: the dispatcher publishes a post in the console; the reported party member claims it (reports in)
// and logs 2.5 hours of service; the dispatcher opens the ledger, exports it, and the downloaded workbook shows the
// member with the post and the 2.5 hours.
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, login, useServerAndBrowser } from './helpers.ts';

const running = useServerAndBrowser();

describe('dual reporting walk', () => {
  it('publishes a post, the party member claims it and logs 2.5 hours, the exported ledger shows them', async () => {
    const { browser, server } = running;
    const title = `楼道安全巡查岗 ${Date.now() % 100000}`;
    const context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1400, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
    context.setDefaultTimeout(15_000);
    try {
      // The member's hours this quarter before the walk (the demo leaves this member without service: 0).
      const api = await browser.newContext({ baseURL: server.baseUrl });
      expect((await api.request.post('/api/v1/auth/login', { data: { username: 'partymember', password: DEMO_PASSWORD } })).status()).toBe(200);
      const me = (await (await api.request.get('/api/v1/auth/me')).json()) as { partyMemberId: number | string };
      const before = (await (await api.request.get('/api/v1/dual-reporting/ledger?kind=member&pageSize=200')).json()) as { items: Array<{ partyMemberId: number; hours: number }> };
      const hoursBefore = before.items.find((r) => r.partyMemberId === Number(me.partyMemberId))?.hours ?? 0;
      await api.close();

      // 1. The dispatcher publishes the post (their community is preselected).
      const page = await context.newPage();
      await login(page, 'dispatcher', { path: '/community/dual-reporting' });
      await page.getByTestId('dr-new-post').click();
      await page.locator('#dr-post_title').fill(title);
      await page.locator('#dr-post_slots').fill('3');
      await page.getByTestId('dr-post-submit').click();
      await page.getByTestId('dr-post-title').filter({ hasText: title }).waitFor({ state: 'visible' });

      // 2. The party member claims it ("reports in") and logs 2.5 hours.
      await page.context().clearCookies();
      await login(page, 'partymember', { path: '/community/dual-reporting' });
      const row = page.locator('tr', { has: page.getByTestId('dr-post-title').filter({ hasText: title }) });
      await row.locator('[data-testid^=dr-claim-]').click();
      await row.locator('[data-testid^=dr-claimed-]').waitFor({ state: 'visible' });
      await page.getByRole('tab', { name: '认领与服务' }).click();
      const claimRow = page.locator('tr', { hasText: title });
      await claimRow.locator('[data-testid^=dr-log-]').click();
      await page.locator('#dr-hours_hours').fill('2.5');
      await page.getByTestId('dr-hours-submit').click();
      await claimRow.getByTestId('dr-claim-hours').filter({ hasText: '2.5' }).waitFor({ state: 'visible' });

      // 3. The dispatcher opens the ledger and exports it.
      await page.context().clearCookies();
      await login(page, 'dispatcher', { path: '/community/dual-reporting' });
      await page.getByRole('tab', { name: '服务台账' }).click();
      const ledgerRow = page.locator('tr', { has: page.getByTestId('dr-ledger-posts').filter({ hasText: title }) });
      await ledgerRow.waitFor({ state: 'visible' });
      expect(Number(await ledgerRow.getByTestId('dr-ledger-hours').textContent())).toBe(hoursBefore + 2.5);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('dr-ledger-export').click()]);
      expect(new URL(download.url()).pathname).toBe('/api/v1/dual-reporting/ledger.xlsx');
      const file = await download.path();
      expect(file, `download failed: ${await download.failure()}`).toBeTruthy();
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(file!);
      const sheet = workbook.worksheets[0];
      const headers = (sheet.getRow(1).values as unknown[]).map((v) => String(v ?? ''));
      const [nameAt, postsAt, hoursAt] = ['党员/单位', '认领岗位', '服务时长(小时)'].map((h) => headers.indexOf(h));
      expect(Math.min(nameAt, postsAt, hoursAt), `headers: ${headers.join(',')}`).toBeGreaterThan(0);
      const rows: Array<{ name: string; posts: string; hours: number }> = [];
      sheet.eachRow((r, index) => {
        if (index > 1) rows.push({ name: String(r.getCell(nameAt).value), posts: String(r.getCell(postsAt).value ?? ''), hours: Number(r.getCell(hoursAt).value) });
      });
      const member = rows.filter((r) => r.posts.includes(title));
      expect(member).toHaveLength(1);
      expect(member[0].hours).toBe(hoursBefore + 2.5);
      expect(member[0].name).toMatch(/^.\*+$/); // the member's name, masked
      expect(await ledgerRow.getByTestId('dr-ledger-name').textContent()).toBe(member[0].name);
    } finally {
      await context.close();
    }
  }, 120_000);
});
