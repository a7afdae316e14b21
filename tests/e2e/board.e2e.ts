// 受理台: the dispatcher's board shows a new QR report live (server-sent events, no reload), and the
// dispatcher opens it and dispatches it to the suggested grid worker.
import { describe, expect, it } from 'vitest';
import { login, newUserContext, useServerAndBrowser } from './helpers.ts';

const SCREENSHOT = '/tmp/civicgrid-board.png';

const running = useServerAndBrowser();

describe('dispatcher board', () => {
  it('shows a new QR report within 2 seconds without a reload; the dispatcher opens and dispatches it', async () => {
    const context = await newUserContext(running.browser, running.server.baseUrl);
    const page = await context.newPage();
    try {
      await login(page, 'dispatcher');
      await page.getByTestId('menu-board').click();
      await page.waitForURL((url) => url.pathname === '/board');
      await page.locator('[data-testid="board-live-indicator"][data-state="live"]').waitFor({ state: 'visible', timeout: 10_000 });

      // A building of the dispatcher's community, found through the dispatcher's own view of the region tree.
      const me = (await (await page.request.get('/api/v1/auth/me')).json()) as { roles: Array<{ role: string; regionNodeId: number | string }> };
      const communityId = me.roles.find((r) => r.role === 'dispatcher')!.regionNodeId;
      const grids = (await (await page.request.get(`/api/v1/regions/${communityId}/children?pageSize=500`)).json()) as { items: Array<{ id: number | string; level: string }> };
      const grid = grids.items.find((n) => n.level === 'grid');
      expect(grid, 'the community has a grid').toBeTruthy();
      const summary = (await (await page.request.get(`/api/v1/grids/${grid!.id}/summary`)).json()) as { buildings: Array<{ code: string; name: string }> };
      expect(summary.buildings.length).toBeGreaterThan(0);
      const building = summary.buildings[0];

      const rowsBefore = await page.getByTestId('board-row').count();
      // The resident's report, as the QR page sends it (no session).
      const postedAt = Date.now();
      const response = await fetch(`${running.server.baseUrl}/api/v1/public/cases`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ placeCode: building.code, categoryCode: 'public_safety', description: '楼道里电线裸露，存在安全隐患', reporterName: '王芳', reporterPhone: '13987654321', consent: true }),
      });
      expect(response.status, await response.clone().text()).toBe(201);
      const { number } = (await response.json()) as { number: string };

      const row = page.getByTestId('board-row').filter({ hasText: number });
      await row.waitFor({ state: 'visible', timeout: 2_000 });
      const seenAfter = Date.now() - postedAt;
      expect(seenAfter, `row visible ${seenAfter} ms after the report`).toBeLessThan(2_000);
      expect(await page.getByTestId('board-row').count()).toBe(rowsBefore + 1);
      expect(await row.getAttribute('data-status')).toBe('submitted');
      expect(await row.getAttribute('data-flash')).toBe('true');
      // The reporter stays masked; the dispatch clock counts down (red: 10 minutes around the clock, so seconds show at any hour).
      expect(await row.textContent()).toContain('139****4321');
      expect(await row.textContent()).not.toContain('13987654321');
      const clock = row.getByTestId('board-clock');
      expect(await clock.getAttribute('data-kind')).toBe('dispatch');
      const firstReading = await clock.textContent();
      await page.waitForTimeout(1_100);
      expect(await clock.textContent(), 'the clock ticks every second').not.toBe(firstReading);
      await page.screenshot({ path: SCREENSHOT });
      const caseId = await row.getAttribute('data-case-id');
      expect(Number(caseId)).toBeGreaterThan(0);

      // Open it and dispatch it to the suggested grid worker.
      await row.click();
      await page.waitForURL((url) => url.pathname === `/cases/${caseId}`);
      await page.locator('[data-testid="case-status"][data-status="submitted"]').waitFor({ state: 'visible' });
      await page.getByTestId('case-duplicates').waitFor({ state: 'visible' });
      await page.getByTestId('case-timeline').waitFor({ state: 'visible' });
      await page.getByTestId('case-action-dispatch').click();
      const worker = page.getByTestId('case-suggested-worker').first();
      await worker.waitFor({ state: 'visible' });
      await worker.click();
      const chosen = Number(await worker.getAttribute('data-user-id'));
      expect(chosen).toBeGreaterThan(0);
      await page.getByTestId('case-action-note').fill('请网格员30分钟内电话联系居民');
      await page.getByTestId('case-action-confirm').click();
      await page.locator('[data-testid="case-status"][data-status="dispatched"]').waitFor({ state: 'visible' });
      expect(await page.locator('[data-testid="case-timeline-item"][data-action="dispatch"]').count()).toBe(1);
      expect(await page.getByTestId('case-action-dispatch').count()).toBe(0);

      // The case is dispatched with the note; the board shows it so.
      const detail = (await (await page.request.get(`/api/v1/cases/${caseId}`)).json()) as { status: string; events: Array<{ action: string; note: string | null }> };
      expect(detail.status).toBe('dispatched');
      expect(detail.events.at(-1)).toMatchObject({ action: 'dispatch', note: '请网格员30分钟内电话联系居民' });
      await page.getByTestId('menu-board').click();
      await page.locator(`[data-testid="board-row"][data-case-id="${caseId}"][data-status="dispatched"]`).waitFor({ state: 'visible' });
    } finally {
      await context.close();
    }
  });
});
