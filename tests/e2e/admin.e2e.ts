// Administrators: the security administrator's user list, the audit administrator's log and chain check (both with TOTP).
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, login, newUserContext, totpCodeAt, useServerAndBrowser } from './helpers.ts';

const running = useServerAndBrowser();

describe('administrators', () => {
  it('refuses a wrong password, then asks an administrator for a TOTP code: a stale one is refused, the current one accepted', async () => {
    const context = await newUserContext(running.browser, running.server.baseUrl);
    const page = await context.newPage();
    try {
      await page.goto('/login');
      await page.getByTestId('login-username').fill('sysadmin');
      await page.getByTestId('login-password').fill('definitely-not-the-password');
      await page.getByTestId('login-submit').click();
      await page.getByTestId('login-error').waitFor({ state: 'visible' });
      expect(await page.getByTestId('login-totp').count()).toBe(0);
      expect((await page.request.get('/api/v1/auth/me')).status()).toBe(401);

      // The right password asks for the second factor; a stale code is refused, the current one accepted.
      await page.getByTestId('login-password').fill(DEMO_PASSWORD);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('login-totp').waitFor({ state: 'visible' });
      const now = Date.now();
      const stale = [10, 11, 12].map((minutes) => totpCodeAt(now - minutes * 60_000)).find((code) => code !== totpCodeAt(now) && code !== totpCodeAt(now + 30_000));
      await page.getByTestId('login-totp').fill(stale!);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('login-error').waitFor({ state: 'visible' });
      expect((await page.request.get('/api/v1/auth/me')).status()).toBe(401);

      await page.getByTestId('login-totp').fill(totpCodeAt(Date.now()));
      await page.getByTestId('login-submit').click();
      await page.waitForURL((url) => url.pathname !== '/login');
      const me = (await (await page.request.get('/api/v1/auth/me')).json()) as { username: string; roles: Array<{ role: string }> };
      expect(me.username).toBe('sysadmin');
      expect(me.roles.map((r) => r.role)).toContain('system_admin');
    } finally {
      await context.close();
    }
  });

  it('lets the security administrator see the users with their roles', async () => {
    const context = await newUserContext(running.browser, running.server.baseUrl);
    const page = await context.newPage();
    try {
      await login(page, 'secadmin', { totp: true });
      await page.goto('/admin/users');
      await page.getByTestId('users-page').waitFor({ state: 'visible' });
      await page.getByTestId('user-row').first().waitFor({ state: 'visible' });

      // 33 demo users over two pages: search narrows the table to the two grid workers.
      const search = page.getByTestId('users-search').locator('input');
      await search.fill('gridworker');
      await search.press('Enter');
      const row = page.locator('[data-testid=user-row][data-username=gridworker]');
      await row.waitFor({ state: 'visible' });
      await page.locator('[data-testid=user-row][data-username=gridworker2]').waitFor({ state: 'visible' });
      for (const username of await page.getByTestId('user-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-username')))) {
        expect(username).toContain('gridworker');
      }
      const roleTags = (await row.getByTestId('role-tag').allTextContents()).map((s) => s.trim());
      expect(roleTags.length).toBe(1);
      expect(roleTags[0]).toMatch(/^网格员 · .*第1网格$/);
      expect((await row.getByTestId('user-status').textContent())?.trim()).toBeTruthy();

      // The security administrator may assign roles: the button is offered per user.
      expect(await row.getByTestId('assign-role').count()).toBe(1);
    } finally {
      await context.close();
    }
  });

  it('lets the audit administrator read the audit log and verify its chain', async () => {
    const context = await newUserContext(running.browser, running.server.baseUrl);
    const page = await context.newPage();
    try {
      await login(page, 'auditadmin', { totp: true });
      await page.goto('/admin/audit');
      await page.getByTestId('audit-page').waitFor({ state: 'visible' });
      const rows = page.getByTestId('audit-row');
      await rows.first().waitFor({ state: 'visible' });
      await rows.filter({ hasText: 'auth.login' }).first().waitFor({ state: 'visible' });

      // The filter by action narrows the list to logins.
      await page.getByTestId('audit-action').fill('auth.login');
      const filtered = page.waitForResponse((res) => new URL(res.url()).pathname === '/api/v1/audit' && new URL(res.url()).searchParams.get('action') === 'auth.login');
      await page.getByTestId('audit-action').press('Enter');
      expect((await filtered).status()).toBe(200);
      await rows.first().waitFor({ state: 'visible' });
      const actions = await rows.locator('code').allTextContents();
      expect(actions.length).toBeGreaterThan(0);
      for (const action of actions) expect(action).toContain('auth.login');

      await page.getByTestId('audit-verify').click();
      const result = page.getByTestId('audit-verify-result');
      await result.waitFor({ state: 'visible' });
      expect(await result.getAttribute('class')).toMatch(/ant-alert-success/);
      expect(await result.textContent()).toMatch(/审计链完整：已校验 \d+ 条记录/);
    } finally {
      await context.close();
    }
  });
});
