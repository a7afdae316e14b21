// 微心愿 end to end: a resident posts a wish from a building's QR page; the demo unit liaison claims it on the
// console's wall and marks it fulfilled; the resident confirms on the wish's own page; the wall shows it done, masked.
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, login, useServerAndBrowser } from './helpers.ts';

const running = useServerAndBrowser();

async function phone(browser: Browser, baseURL: string) {
  const context = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  context.setDefaultTimeout(15_000);
  return context;
}

describe('micro-wish walk', () => {
  it('posts, claims, fulfils, confirms, and the wall shows it come true with the name masked', async () => {
    const { browser, server } = running;
    // A building of the demo community: the grid worker's grid lies inside it.
    const staff = await browser.newContext({ baseURL: server.baseUrl });
    expect((await staff.request.post('/api/v1/auth/login', { data: { username: 'gridworker', password: DEMO_PASSWORD } })).status()).toBe(200);
    const me = (await (await staff.request.get('/api/v1/auth/me')).json()) as { roles: Array<{ regionNodeId: number | string }> };
    const summary = (await (await staff.request.get(`/api/v1/grids/${me.roles[0].regionNodeId}/summary`)).json()) as { buildings: Array<{ code: string }> };
    const code = summary.buildings[0].code;
    await staff.close();

    const title = `想要一把结实的雨伞 ${Date.now() % 100000}`;
    const resident = await phone(browser, server.baseUrl);
    const page = await resident.newPage();
    const consoleContext = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    consoleContext.setDefaultTimeout(15_000);
    try {
      // 1. The wall (the demo's wishes are on it) and the form.
      await page.goto(`/m/${code}`);
      await page.getByTestId('wish-wall').waitFor({ state: 'visible' });
      expect(await page.getByTestId('wish-card').count()).toBeGreaterThan(3);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await page.getByTestId('wish-open-form').click();
      await page.getByTestId('wish-submit').click();
      await page.getByTestId('wish-problem').waitFor({ state: 'visible' }); // empty form: a clear message, nothing sent
      await page.getByTestId('wish-title').fill(title);
      await page.getByTestId('wish-kind').selectOption('elderly');
      await page.getByTestId('wish-name').fill('黄小丽');
      await page.getByTestId('wish-phone').fill('13912340000');
      await page.getByTestId('wish-consent').check();
      await page.getByTestId('wish-submit').click();
      await page.waitForURL(/\/mt\/[A-Za-z0-9_-]+$/);
      const trackUrl = new URL(page.url()).pathname;
      await page.getByTestId('wish-status').waitFor({ state: 'visible' });
      expect(await page.getByTestId('wish-status').getAttribute('data-status')).toBe('posted');
      const number = (await page.getByTestId('wish-number').textContent())!.trim();
      expect(number).toMatch(/^WX\d{8}-\d{4}$/);
      await page.getByTestId('wish-save-link').waitFor({ state: 'visible' });

      // 2. The unit liaison claims it on the console wall and marks it fulfilled.
      const consolePage = await consoleContext.newPage();
      await login(consolePage, 'unitcontact', { path: '/community/wishes' });
      await consolePage.getByTestId('wish-wall-page').waitFor({ state: 'visible' });
      await consolePage.getByTestId('wish-search').locator('input').fill(title);
      await consolePage.getByTestId('wish-search').locator('input').press('Enter');
      const card = consolePage.locator(`[data-testid=wish-card][data-number="${number}"]`);
      await card.waitFor({ state: 'visible' });
      expect(await card.textContent()).not.toContain('小丽');
      await card.getByTestId('wish-claim').click();
      await card.getByTestId('wish-claimer').waitFor({ state: 'visible' });
      expect(await card.getByTestId('wish-status').getAttribute('data-status')).toBe('claimed');
      // The claimer may see the contact to arrange delivery (audited).
      await card.getByTestId('wish-reveal').click();
      await consolePage.getByTestId('wish-revealed').waitFor({ state: 'visible' });
      expect(await consolePage.getByTestId('wish-revealed').textContent()).toContain('13912340000');
      await consolePage.keyboard.press('Escape');
      await consolePage.getByTestId('wish-revealed').waitFor({ state: 'hidden' });
      await card.getByTestId('wish-fulfil').click();
      await consolePage.getByTestId('wish-action-note').fill('雨伞已送到家中');
      await consolePage.getByTestId('wish-action-ok').click();
      await consolePage.waitForFunction((n) => document.querySelector(`[data-testid=wish-card][data-number="${n}"] [data-testid=wish-status]`)?.getAttribute('data-status') === 'fulfilled', number);

      // 3. The resident confirms on the wish's page.
      await page.goto(trackUrl);
      await page.getByTestId('wish-fulfilment').waitFor({ state: 'visible' });
      expect(await page.getByTestId('wish-fulfilment').textContent()).toContain('雨伞已送到家中');
      expect(await page.getByTestId('wish-claimer').textContent()).toBeTruthy();
      await page.getByTestId('wish-thanks').fill('谢谢你们！');
      await page.getByTestId('wish-confirm').click();
      await page.waitForFunction(() => document.querySelector('[data-testid=wish-status]')?.getAttribute('data-status') === 'confirmed');
      expect(await page.getByTestId('wish-thanks-note').textContent()).toContain('谢谢你们');

      // 4. The public wall shows it come true, the name masked, no phone.
      await page.goto(`/m/${code}`);
      const done = page.locator(`[data-testid=wish-card][data-number="${number}"]`);
      await done.waitFor({ state: 'visible' });
      expect(await done.getAttribute('data-status')).toBe('confirmed');
      expect((await done.getByTestId('wish-wisher').textContent())!.trim()).toBe('黄**');
      const wallText = (await page.getByTestId('wish-wall').textContent()) ?? '';
      expect(wallText).not.toContain('小丽');
      expect(wallText).not.toContain('13912340000');
    } finally {
      await resident.close();
      await consoleContext.close();
    }
  });
});
