// The console as a community dispatcher: masked resident list and its search, language switch, logout.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { login, newUserContext, useServerAndBrowser } from './helpers.ts';

const running = useServerAndBrowser();

/** Names in the residents table (first column). */
const residentNames = async (page: Page) =>
  (await page.locator('[data-testid=list-row] td:first-child').allTextContents()).map((s) => s.trim());

/** Runs a search in the list and waits for its answer. */
async function search(page: Page, q: string) {
  const input = page.getByTestId('list-search').locator('input');
  const answered = page.waitForResponse((res) => new URL(res.url()).pathname === '/api/v1/residents' && (new URL(res.url()).searchParams.get('q') ?? '') === q);
  await input.fill(q);
  await input.press('Enter');
  const response = await answered;
  expect(response.status()).toBe(200);
  const body = (await response.json()) as { total: number; items: Array<{ name: string }> };
  // Let the table render this answer (same rows, same first name).
  await page.waitForFunction(
    ({ count, first }) => {
      const rows = document.querySelectorAll('[data-testid=list-row]');
      return rows.length === count && (count === 0 || rows[0].querySelector('td')?.textContent?.trim() === first);
    },
    { count: body.items.length, first: body.items[0]?.name ?? null },
  );
  return body;
}

describe('console as a dispatcher', () => {
  it('lists residents masked, searches them, switches language and logs out', async () => {
    const context = await newUserContext(running.browser, running.server.baseUrl);
    const page = await context.newPage();
    try {
      await login(page, 'dispatcher');

      await page.getByTestId('menu-residents').click();
      await page.waitForURL((url) => url.pathname === '/residents');
      await page.getByTestId('residents-page').waitFor({ state: 'visible' });
      const rows = page.getByTestId('list-row');
      await rows.first().waitFor({ state: 'visible' });
      const names = await residentNames(page);
      expect(names.length).toBeGreaterThan(1);
      for (const name of names) expect(name).toMatch(/\*/);

      // Search by the first resident's surname (the only unmasked character): every answer has it.
      const surname = Array.from(names[0])[0];
      const found = await search(page, surname);
      expect(found.total).toBeGreaterThan(0);
      const foundNames = await residentNames(page);
      expect(foundNames.length).toBeGreaterThan(0);
      for (const name of foundNames) {
        expect(name).toMatch(/\*/);
        expect(name.includes(surname)).toBe(true);
      }

      const none = await search(page, '不存在的居民名字');
      expect(none.total).toBe(0);
      expect(await rows.count()).toBe(0);

      // Clearing the search brings the whole list back.
      const all = await search(page, '');
      expect(all.total).toBeGreaterThan(found.total);

      // Language: the menu follows.
      expect((await page.getByTestId('menu-residents').textContent())?.trim()).toBe('居民');
      await page.getByTestId('lang-switch').getByText('EN', { exact: true }).click();
      await page.waitForFunction(() => document.querySelector('[data-testid=menu-residents]')?.textContent?.trim() === 'Residents');
      expect((await page.getByTestId('menu-map').textContent())?.trim()).toBe('Map');
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
      await page.getByTestId('lang-switch').getByText('中文', { exact: true }).click();
      await page.waitForFunction(() => document.querySelector('[data-testid=menu-residents]')?.textContent?.trim() === '居民');

      // Logout: back on the login page, and the session is gone on the server too.
      expect((await page.request.get('/api/v1/auth/me')).status()).toBe(200);
      await page.getByTestId('logout-button').click();
      await page.waitForURL((url) => url.pathname === '/login');
      await page.getByTestId('login-username').waitFor({ state: 'visible' });
      const me = await page.request.get('/api/v1/auth/me');
      expect(me.status()).toBe(401);
      expect(((await me.json()) as { error: { code: string } }).error.code).toBeTruthy();

      // A protected page now sends us to the login page.
      await page.goto('/residents');
      await page.waitForURL((url) => url.pathname === '/login');
      await page.getByTestId('login-username').waitFor({ state: 'visible' });
    } finally {
      await context.close();
    }
  });
});
