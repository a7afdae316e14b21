// The grid worker's walk: map → own grid → building → household (masked phone); another grid's worker is refused.
import { describe, expect, it } from 'vitest';
import { login, newUserContext, texts, useServerAndBrowser } from './helpers.ts';

const SCREENSHOT = '/tmp/civicgrid-map.png';

const running = useServerAndBrowser();

describe('grid worker', () => {
  let householdId: string;

  it('runs against the intended database', async () => {
    const health = (await (await fetch(`${running.server.baseUrl}/api/health`)).json()) as { ok: boolean; engine: string };
    expect(health).toEqual({ ok: true, engine: running.server.engine });
  });

  it('sees only their own grid on the map and drills down to a household with masked phones', async () => {
    const context = await newUserContext(running.browser, running.server.baseUrl);
    const page = await context.newPage();
    try {
      await login(page, 'gridworker');

      const meResponse = await page.request.get('/api/v1/auth/me');
      expect(meResponse.status()).toBe(200);
      const me = (await meResponse.json()) as { username: string; roles: Array<{ role: string; regionNodeId: number | string; regionName: string }> };
      expect(me.username).toBe('gridworker');
      expect(me.roles[0].role).toBe('grid_worker');
      const ownGridId = String(me.roles[0].regionNodeId);

      if (new URL(page.url()).pathname !== '/map') await page.goto('/map');
      await page.getByTestId('grid-map').waitFor({ state: 'visible' });
      const polygon = page.locator('path.cg-grid');
      await polygon.first().waitFor({ state: 'visible' });
      expect(await page.getByTestId('grid-count').getAttribute('data-count')).toBe('1');
      expect(await polygon.count()).toBe(1);
      expect(await polygon.getAttribute('data-grid-id')).toBe(ownGridId);

      // No tile server is configured: the polygon alone is the map. Let fitBounds settle, then keep a picture.
      await page.waitForTimeout(800);
      const box = await polygon.boundingBox();
      expect(box && box.width > 50 && box.height > 50, `grid polygon drawn at a visible size: ${JSON.stringify(box)}`).toBe(true);
      expect(await page.locator('.leaflet-tile-pane img').count()).toBe(0);
      await page.screenshot({ path: SCREENSHOT });

      await polygon.click();
      const panel = page.getByTestId('grid-panel');
      await panel.getByTestId('grid-name').waitFor({ state: 'visible' });
      expect((await panel.getByTestId('grid-name').textContent())?.trim()).toBe(me.roles[0].regionName);

      const buildings = panel.getByTestId('building-item');
      await buildings.first().waitFor({ state: 'visible' });
      await buildings.first().click();

      const households = panel.getByTestId('household-row');
      await households.first().waitFor({ state: 'visible' });
      const householdResponse = page.waitForResponse((res) => /\/api\/v1\/households\/[^/?]+$/.test(new URL(res.url()).pathname));
      await households.first().click();
      const response = await householdResponse;
      expect(response.status()).toBe(200);
      householdId = decodeURIComponent(new URL(response.url()).pathname.split('/').pop()!);

      const detail = page.getByTestId('household-detail');
      await detail.waitFor({ state: 'visible' });
      await detail.getByTestId('resident-row').first().waitFor({ state: 'visible' });
      const phones = (await detail.getByTestId('resident-phone').allTextContents()).map((s) => s.trim());
      const shown = phones.filter((p) => p !== '—');
      expect(shown.length, `residents with a phone in ${JSON.stringify(phones)}`).toBeGreaterThan(0);
      for (const phone of shown) expect(phone).toMatch(/^1\d{2}\*{4}\d{4}$/);
      for (const name of await texts(page, '[data-testid=household-detail] [data-testid=resident-name]')) expect(name).toMatch(/\*/);

      // The same household as a page of its own (the link in the modal's title).
      const body = (await response.json()) as { household: { id: number | string; buildingId: number | string; gridId: number | string } };
      expect(String(body.household.id)).toBe(householdId);
      expect(String(body.household.gridId)).toBe(ownGridId);
      const building = await page.request.get(`/api/v1/buildings/${body.household.buildingId}`);
      expect(building.status()).toBe(200);
      const buildingBody = (await building.json()) as { households: Array<{ id: number | string }> };
      expect(buildingBody.households.map((h) => String(h.id))).toContain(householdId);

      await page.goto(`/households/${householdId}`);
      await page.getByTestId('household-detail').waitFor({ state: 'visible' });
      expect(await page.getByTestId('forbidden').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it("refuses another grid's worker that household, in the console and in the API", async () => {
    expect(householdId, 'the first walk found a household').toBeTruthy();
    const context = await newUserContext(running.browser, running.server.baseUrl);
    const page = await context.newPage();
    try {
      // Straight to the household: the console sends us to the login page and back.
      await login(page, 'gridworker2', { path: `/households/${householdId}` });
      await page.waitForURL((url) => url.pathname === `/households/${householdId}`);
      await page.getByTestId('forbidden').waitFor({ state: 'visible' });
      expect(await page.getByTestId('household-detail').count()).toBe(0);
      expect(await page.getByTestId('resident-phone').count()).toBe(0);

      const response = await page.request.get(`/api/v1/households/${householdId}`);
      expect(response.status()).toBe(403);
      expect(response.headers()['content-type']).toMatch(/application\/json/);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body).toMatchObject({ error: { code: 'forbidden' } });

      // Their own map shows their own grid only.
      const me = (await (await page.request.get('/api/v1/auth/me')).json()) as { roles: Array<{ regionNodeId: number | string }> };
      await page.goto('/map');
      await page.locator('path.cg-grid').first().waitFor({ state: 'visible' });
      expect(await page.locator('path.cg-grid').count()).toBe(1);
      expect(await page.locator('path.cg-grid').getAttribute('data-grid-id')).toBe(String(me.roles[0].regionNodeId));
    } finally {
      await context.close();
    }
  });
});
