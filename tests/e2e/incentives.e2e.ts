// 楼栋激励 and 联席会议 in the browser: the shop clerk verifies the demo's open code once (a second try is refused
// on screen); the building head redeems an offer and sees the one-time code; the dispatcher sees the red flags
// and the co-building items' set/done figures.
import { describe, expect, it } from 'vitest';
import { login, useServerAndBrowser } from './helpers.ts';

const running = useServerAndBrowser();

describe('incentives and joint meetings walk', () => {
  it('verifies a shop code once, shows a fresh code to the head, and the dispatcher’s boards', async () => {
    const { browser, server } = running;
    const context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    context.setDefaultTimeout(15_000);
    try {
      const page = await context.newPage();
      await login(page, 'shopclerk', { path: '/community/incentives' });
      await page.getByRole('tab', { name: '核销兑换码' }).click();
      const input = page.getByPlaceholder('8 位兑换码');
      await input.fill('52030088');
      await page.getByRole('button', { name: '核 销' }).or(page.getByRole('button', { name: '核销' })).click();
      await page.getByText('核销成功').waitFor({ state: 'visible' });
      await input.fill('52030088');
      await page.getByRole('button', { name: '核 销' }).or(page.getByRole('button', { name: '核销' })).click();
      await page.getByText('This code has already been used').waitFor({ state: 'visible' });

      await page.context().clearCookies();
      await login(page, 'buildinghead', { path: '/community/incentives' });
      await page.getByRole('tab', { name: '红城星店' }).click();
      const row = page.locator('tr', { hasText: '日用品九折' });
      await row.getByRole('button', { name: /兑\s?换/ }).click();
      const code = await page.locator('.ant-result-title span').textContent();
      expect(code).toMatch(/^\d{8}$/);

      await page.context().clearCookies();
      await login(page, 'dispatcher', { path: '/community/incentives' });
      await page.getByRole('tab', { name: '最美楼栋' }).click();
      await page.locator('.ant-tag', { hasText: '流动红旗' }).first().waitFor({ state: 'visible' });
      expect(await page.locator('.ant-tag', { hasText: '流动红旗' }).count()).toBeGreaterThanOrEqual(3);
      await page.goto('/community/joint-meetings');
      await page.getByText('第四季度联席会议').waitFor({ state: 'visible' });
      await page.getByRole('tab', { name: '共建事项' }).click();
      await page.getByText('消防通道划线与堵塞治理').waitFor({ state: 'visible' });
      await page.locator('.ant-statistic', { hasText: '完成' }).first().waitFor({ state: 'visible' });
    } finally {
      await context.close();
    }
  }, 120_000);
});
