// 单位积分 and 共享资源 end to end with the demo accounts: the liaison sees its own unit's points, books the
// community hall from the resource drawer, and approves a booking of its own school's court in the queue;
// a double booking shows the clash; the dispatcher reads the honours list and the rules drawer.
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, login, useServerAndBrowser } from './helpers.ts';

const running = useServerAndBrowser();
const HOUR = 3600_000;

describe('unit points and shared resources walk', () => {
  it('points, booking, clash and approval on screen', async () => {
    const { browser, server } = running;
    const context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    context.setDefaultTimeout(15_000);
    try {
      const page = await context.newPage();
      // 1. The liaison's own unit only, in normal standing.
      await login(page, 'unitcontact', { path: '/community/unit-points' });
      await page.getByTestId('unit-points-page').waitFor({ state: 'visible' });
      await page.locator('[data-testid=points-balance]').first().waitFor({ state: 'visible' });
      expect(await page.locator('[data-testid=points-balance]').count()).toBe(1);
      const balance = Number(await page.locator('[data-testid=points-balance]').first().textContent());
      expect(balance).toBeGreaterThanOrEqual(60);
      expect(await page.locator('[data-testid=points-standing]').first().getAttribute('data-standing')).not.toBe('restricted');
      await page.getByTestId('points-ledger-open').click();
      await page.getByTestId('points-entries').locator('tbody tr').first().waitFor({ state: 'visible' });
      expect(await page.getByTestId('points-adjust-open').count()).toBe(0);

      // 2. Resources: the demo's five, the hall's week calendar.
      await page.goto('/community/resources');
      await page.getByTestId('resource-open').first().waitFor({ state: 'visible' });
      expect(await page.getByTestId('resource-open').count()).toBe(5);
      await page.getByTestId('resource-open').filter({ hasText: '党群服务中心多功能厅' }).click();
      await page.getByTestId('resource-calendar').waitFor({ state: 'visible' });
      await page.getByTestId('resource-my-unit').waitFor({ state: 'visible' });

      // 3. Book a free slot three days ahead (a quarter past a random hour, so reruns do not collide) through the API
      // of this session, then see it on the calendar of its week; the same slot again shows the clash in the form.
      const start = Math.ceil((Date.now() + 72 * HOUR) / HOUR) * HOUR + (Math.floor(Math.random() * 8) * HOUR);
      const slot = { from: new Date(start).toISOString(), to: new Date(start + HOUR).toISOString(), purpose: '浏览器测试活动' };
      const resources = (await (await page.request.get('/api/v1/shared-resources?q=' + encodeURIComponent('多功能厅'))).json()) as { items: Array<{ id: number }> };
      const hall = resources.items[0].id;
      const first = await page.request.post(`/api/v1/shared-resources/${hall}/bookings`, { data: slot });
      expect(first.status()).toBe(200);
      const again = await page.request.post(`/api/v1/shared-resources/${hall}/bookings`, { data: slot });
      expect(again.status()).toBe(409);
      expect(((await again.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe('period_taken');
      await page.getByTestId('calendar-next').click();
      await page.waitForTimeout(300);
      const clock = (t: number) => new Date(t + 8 * HOUR).toISOString().slice(11, 16);
      const onCalendar = async () => (await page.getByTestId('calendar-booking').allTextContents()).some((t) => t.includes(`${clock(start)}–${clock(start + HOUR)}`));
      // The slot is in this week or the next: look at both.
      const seen = (await onCalendar()) || (await (async () => {
        await page.getByTestId('calendar-this-week').click();
        await page.waitForTimeout(300);
        return onCalendar();
      })());
      expect(seen).toBe(true);
      await page.screenshot({ path: '/tmp/h5-resource-drawer.png' });
      await page.keyboard.press('Escape');

      // 4. The approvals queue: the hospital's booking of the school's court waits for this liaison.
      await page.getByTestId('resources-approvals-tab').click();
      const queue = page.getByTestId('approvals-table');
      await queue.locator('[data-testid=booking-approve]').first().waitFor({ state: 'visible' });
      const waiting = await queue.locator('[data-testid=booking-approve]').count();
      await queue.locator('[data-testid=booking-approve]').first().click();
      await page.getByTestId('booking-decision-ok').click();
      await expect.poll(async () => queue.locator('[data-testid=booking-approve]').count()).toBe(waiting - 1);
      await page.screenshot({ path: '/tmp/h5-approvals.png' });

      // 5. The dispatcher: honours list and the rules drawer.
      const staff = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
      staff.setDefaultTimeout(15_000);
      const desk = await staff.newPage();
      await login(desk, 'dispatcher', { path: '/community/unit-points' });
      await desk.getByTestId('points-table').locator('[data-testid=points-balance]').first().waitFor({ state: 'visible' });
      await desk.getByTestId('points-standing-filter').getByText('表彰名单').click();
      await expect.poll(async () => (await desk.locator('[data-testid=points-standing]').evaluateAll((els) => els.map((e) => e.getAttribute('data-standing')))).every((s) => s === 'honoured')).toBe(true);
      expect(await desk.locator('[data-testid=points-standing]').count()).toBeGreaterThan(0);
      await desk.getByTestId('points-settings-open').click();
      await desk.getByTestId('points-settings-minimum').waitFor({ state: 'visible' });
      await desk.screenshot({ path: '/tmp/h5-points-settings.png' });
      expect((await staff.request.post('/api/v1/auth/login', { data: { username: 'dispatcher', password: DEMO_PASSWORD } })).status()).toBe(200);
      await staff.close();
    } finally {
      await context.close();
    }
  }, 180_000);
});
