// 群众点单、社区派单、党员接单 end to end: a resident orders 助餐 from a building's QR page; the dispatcher
// dispatches it in the console to the demo party member; 'partymember' accepts and completes it; the resident
// confirms with five stars on the order's page; the console shows it confirmed with the rating.
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, login, useServerAndBrowser } from './helpers.ts';

const running = useServerAndBrowser();

async function phone(browser: Browser, baseURL: string) {
  const context = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  context.setDefaultTimeout(15_000);
  return context;
}

async function openOrderInConsole(page: Page, number: string) {
  const search = page.getByTestId('service-orders-search').locator('input');
  await search.fill(number);
  await search.press('Enter');
  const row = page.getByTestId(`service-order-row-${number}`);
  await row.waitFor({ state: 'visible' });
  await row.getByTestId('service-order-open').click();
  await page.getByTestId('service-order-drawer').waitFor({ state: 'visible' });
}

const statusIs = (page: Page, status: string) => page.locator(`[data-testid=service-order-status][data-status=${status}]`).waitFor({ state: 'visible' });

describe('service order walk', () => {
  it('orders, dispatches, accepts, completes, confirms with five stars, and the console shows the rating', async () => {
    const { browser, server } = running;
    // A building of the demo community (the grid worker's grid lies inside it), and the party member behind 'partymember'.
    const staff = await browser.newContext({ baseURL: server.baseUrl });
    expect((await staff.request.post('/api/v1/auth/login', { data: { username: 'gridworker', password: DEMO_PASSWORD } })).status()).toBe(200);
    const me = (await (await staff.request.get('/api/v1/auth/me')).json()) as { roles: Array<{ regionNodeId: number | string }> };
    const summary = (await (await staff.request.get(`/api/v1/grids/${me.roles[0].regionNodeId}/summary`)).json()) as { buildings: Array<{ code: string }> };
    const code = summary.buildings[0].code;
    expect((await staff.request.post('/api/v1/auth/login', { data: { username: 'partymember', password: DEMO_PASSWORD } })).status()).toBe(200);
    const member = (await (await staff.request.get('/api/v1/auth/me')).json()) as { partyMemberId: number | string };
    await staff.close();

    const resident = await phone(browser, server.baseUrl);
    const page = await resident.newPage();
    const dispatcherContext = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    const memberContext = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    dispatcherContext.setDefaultTimeout(15_000);
    memberContext.setDefaultTimeout(15_000);
    try {
      // 1. The resident orders 助餐 without an account.
      await page.goto(`/s/${code}`);
      await page.getByTestId('service-order-form').waitFor({ state: 'visible' });
      await page.getByTestId('service-category-meal_assistance').click();
      await page.locator('[data-testid^=service-offering-]').first().click();
      await page.getByTestId('service-name').fill('黄秀兰');
      await page.getByTestId('service-phone').fill('1391234');
      await page.getByTestId('service-submit').click();
      await page.getByTestId('service-error').waitFor({ state: 'visible' }); // a short phone: a clear message, nothing sent
      await page.getByTestId('service-phone').fill('13912345670');
      await page.getByTestId('service-description').fill('老伴住院，想订一周午餐');
      await page.getByTestId('service-time').fill('工作日中午');
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await page.getByTestId('service-submit').click();
      await page.waitForURL(/\/o\/[A-Za-z0-9_-]+$/);
      await statusIs(page, 'ordered');
      const number = (await page.getByTestId('service-order-number').textContent())!.trim();
      expect(number).toMatch(/^FW\d{8}-\d{4}$/);
      expect(await page.content()).not.toContain('13912345670');

      // 2. The dispatcher dispatches it to the demo party member, chosen among the reported members and volunteers.
      const dispatcher = await dispatcherContext.newPage();
      await login(dispatcher, 'dispatcher', { path: '/community/service-orders' });
      await dispatcher.getByTestId('service-orders-page').waitFor({ state: 'visible' });
      await openOrderInConsole(dispatcher, number);
      await statusIs(dispatcher, 'ordered');
      const orderId = (await (await dispatcherContext.request.get(`/api/v1/service-orders?q=${number}`)).json()).items[0].id;
      const candidates = (await (await dispatcherContext.request.get(`/api/v1/service-orders/${orderId}/candidates`)).json()).items as Array<{ kind: string; id: number; name: string }>;
      const assignee = candidates.find((c) => c.kind === 'party_member' && String(c.id) === String(member.partyMemberId))!;
      expect(assignee).toBeTruthy();
      await dispatcher.getByTestId('service-order-action-dispatch').click();
      await dispatcher.getByTestId('service-order-assignee').click();
      // Many members are reported to the demo community: search the picker by name.
      await dispatcher.getByTestId('service-order-assignee').locator('input').fill(assignee.name);
      await dispatcher.locator('.ant-select-item-option', { hasText: `${assignee.name}（党员` }).first().click();
      await dispatcher.getByTestId('service-order-action-ok').click();
      await statusIs(dispatcher, 'dispatched');

      // 3. The party member accepts and completes it from "my orders".
      const served = await memberContext.newPage();
      await login(served, 'partymember', { path: '/community/my-service-orders' });
      const mine = served.getByTestId(`my-service-order-${number}`);
      await mine.waitFor({ state: 'visible' });
      await mine.getByTestId('my-service-order-open').click();
      await statusIs(served, 'dispatched');
      await served.getByTestId('service-order-action-accept').click();
      await statusIs(served, 'accepted');
      await served.getByTestId('service-order-action-complete').click();
      await served.getByTestId('service-order-action-text').fill('午餐已送到家，老人身体不错');
      await served.getByTestId('service-order-action-ok').click();
      await statusIs(served, 'completed');
      expect(await served.getByTestId('service-order-actions').count()).toBe(0);

      // 4. The resident confirms with five stars.
      await page.reload();
      await statusIs(page, 'completed');
      await page.getByTestId('service-star-5').click();
      await page.getByTestId('service-comment').fill('饭菜热乎，谢谢党员同志');
      await page.getByTestId('service-confirm').click();
      await page.getByTestId('service-order-rated').waitFor({ state: 'visible' });
      await statusIs(page, 'confirmed');
      expect(await page.locator('[data-testid=service-order-rated] .star.on').count()).toBe(5);
      const progress = await page.locator('[data-testid=service-order-timeline] li').evaluateAll((items) => items.map((li) => li.getAttribute('data-action')));
      expect(progress).toEqual(['order', 'dispatch', 'accept', 'complete', 'confirm']);
      expect(await page.content()).not.toContain('dispatcher');

      // 5. The console shows it confirmed with the rating.
      await dispatcher.reload();
      await dispatcher.getByTestId('service-orders-page').waitFor({ state: 'visible' });
      await openOrderInConsole(dispatcher, number);
      await statusIs(dispatcher, 'confirmed');
      expect(await dispatcher.locator('[data-testid=service-order-rating] .ant-rate-star-full').count()).toBe(5);
      expect(await dispatcher.getByTestId('service-order-drawer').textContent()).toContain('饭菜热乎，谢谢党员同志');
    } finally {
      await resident.close();
      await dispatcherContext.close();
      await memberContext.close();
    }
  }, 180_000);
});
