// 登记诉求 and the notification bell: the community dispatcher enters a hotline case for a building of
// their community (a network error on the first submit is retried with the same Idempotency-Key, so the
// case exists once), lands on its page, and the bell shows the new-case notification; opening it from the
// bell marks it read. A second case is entered by clicking a point on the map.
import type { Page, Request } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { login, newUserContext, useServerAndBrowser } from './helpers.ts';

const SCREENSHOT_FORM = '/tmp/civicgrid-hotline.png';
const SCREENSHOT_BELL = '/tmp/civicgrid-bell.png';

const running = useServerAndBrowser();

async function getJson<T>(page: Page, url: string): Promise<T> {
  const response = await page.request.get(url);
  expect(response.status(), `${url}: ${await response.text()}`).toBe(200);
  return (await response.json()) as T;
}

/** A building (and its grid) of the dispatcher's community, through the dispatcher's own view of the region tree. */
async function buildingOfMyCommunity(page: Page) {
  const me = await getJson<{ roles: Array<{ role: string; regionNodeId: number | string }> }>(page, '/api/v1/auth/me');
  const communityId = me.roles.find((r) => r.role === 'dispatcher')!.regionNodeId;
  const children = await getJson<{ items: Array<{ id: number | string; level: string; name: string }> }>(page, `/api/v1/regions/${communityId}/children?pageSize=500`);
  const grid = children.items.find((n) => n.level === 'grid');
  expect(grid, 'the community has a grid').toBeTruthy();
  const summary = await getJson<{ buildings: Array<{ code: string; name: string }> }>(page, `/api/v1/grids/${grid!.id}/summary`);
  expect(summary.buildings.length).toBeGreaterThan(0);
  return { grid: grid!, building: summary.buildings[0] };
}

const unreadCount = async (page: Page) => Number(await page.getByTestId('notification-count').getAttribute('data-count'));

async function chooseCategory(page: Page, name: string) {
  await page.getByTestId('newcase-category').click();
  await page.locator('.ant-select-item-option').filter({ hasText: name }).first().click();
}

describe('hotline entry and the notification bell', () => {
  it('the dispatcher enters a hotline case by building code, retried after a network error without a duplicate; the bell opens it', async () => {
    const context = await newUserContext(running.browser, running.server.baseUrl);
    const page = await context.newPage();
    try {
      await login(page, 'dispatcher');
      // Menu entries follow the server's abilities: board and hotline entry, not the street or department lists.
      await page.getByTestId('menu-board').waitFor({ state: 'visible' });
      expect(await page.getByTestId('menu-street').count()).toBe(0);
      expect(await page.getByTestId('menu-department').count()).toBe(0);
      const { building } = await buildingOfMyCommunity(page);
      const place = await getJson<{ cityCode: string }>(page, `/api/v1/public/places/${encodeURIComponent(building.code)}`);
      const categories = await getJson<{ items: Array<{ code: string; name: string }> }>(page, `/api/v1/public/cities/${place.cityCode}/case-categories`);
      const category = categories.items.find((c) => c.code === 'roads_facilities') ?? categories.items[0];

      await page.getByTestId('menu-cases-new').click();
      await page.waitForURL((url) => url.pathname === '/cases/new');
      await page.getByTestId('notification-bell').waitFor({ state: 'visible' });
      const before = await getJson<{ total: number }>(page, '/api/v1/notifications?unreadOnly=true&pageSize=1');
      await expect.poll(() => unreadCount(page), { timeout: 5_000 }).toBe(before.total);

      // An unknown code is refused at once; the building's code is shown back as its name.
      await page.getByTestId('newcase-place-code').fill('NO_SUCH_PLACE_9');
      await page.getByTestId('newcase-place-code').press('Enter');
      await page.locator('.ant-form-item-explain-error').filter({ hasText: 'NO_SUCH_PLACE_9' }).waitFor({ state: 'visible' });
      await page.getByTestId('newcase-place-code').fill(building.code);
      await page.getByTestId('newcase-place-code').press('Enter');
      const placeName = page.getByTestId('newcase-place-name');
      await placeName.waitFor({ state: 'visible' });
      expect(await placeName.textContent()).toContain(building.name);
      expect(await placeName.getAttribute('data-level')).toBe('building');

      await page.getByTestId('newcase-channel').getByText('热线电话').click();
      expect(await page.getByTestId('newcase-channel').locator('input[value="hotline"]').isChecked()).toBe(true);
      await chooseCategory(page, category.name);
      const title = `热线来电-井盖松动-${Date.now().toString(36)}`;
      await page.getByTestId('newcase-title').fill(title);
      await page.getByTestId('newcase-description').fill('居民来电：小区门口井盖松动，车辆经过有响声，担心有人踩空');
      await page.getByTestId('newcase-name').fill('李红');
      await page.getByTestId('newcase-phone').fill('13912345678');

      const posts: Request[] = [];
      page.on('request', (request) => {
        if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/v1/cases') posts.push(request);
      });
      // A name and phone without the reporter's consent: the form refuses before anything is sent.
      await page.getByTestId('newcase-submit').click();
      await page.locator('.ant-form-item-explain-error').filter({ hasText: '须经反映人同意' }).waitFor({ state: 'visible' });
      expect(posts.length).toBe(0);
      await page.getByTestId('newcase-consent').check();
      await page.screenshot({ path: SCREENSHOT_FORM, fullPage: true });

      // The first submission reaches the server, but its answer is lost on the way back.
      await page.route('**/api/v1/cases', async (route) => {
        if (route.request().method() !== 'POST') return route.continue();
        await route.fetch();
        await route.abort('connectionreset');
      }, { times: 1 });
      await page.getByTestId('newcase-submit').click();
      const error = page.getByTestId('newcase-error');
      await error.waitFor({ state: 'visible' });
      expect(await error.getAttribute('data-retry')).toBe('true');
      expect(page.url()).toContain('/cases/new');

      // Submitting again sends the same key: the server answers with the case it already made.
      await page.getByTestId('newcase-submit').click();
      await page.waitForURL((url) => /^\/cases\/\d+$/.test(url.pathname));
      expect(posts.length).toBe(2);
      const keys = await Promise.all(posts.map((p) => p.headerValue('idempotency-key')));
      expect(keys[0]).toBeTruthy();
      expect(keys[1]).toBe(keys[0]);
      const caseId = Number(new URL(page.url()).pathname.split('/').pop());
      await page.locator('[data-testid="case-status"][data-status="submitted"]').waitFor({ state: 'visible' });

      const detail = await getJson<{ id: number; title: string; channel: string; status: string; reporterPhone: string | null; buildingId: number | null }>(page, `/api/v1/cases/${caseId}`);
      expect(detail).toMatchObject({ id: caseId, title, channel: 'hotline', status: 'submitted' });
      expect(detail.buildingId).not.toBeNull();
      expect(detail.reporterPhone, 'masked').toBe('139****5678');
      const submitted = await getJson<{ items: Array<{ id: number; title: string }> }>(page, '/api/v1/cases?status=submitted&pageSize=200');
      expect(submitted.items.filter((c) => c.title === title).map((c) => c.id), 'entered once').toEqual([caseId]);

      // The delivery worker writes the dispatcher's new-case message; the bell shows it within seconds.
      await expect.poll(() => unreadCount(page), { timeout: 8_000, interval: 250 }).toBeGreaterThan(before.total);
      const unreadWithNew = await unreadCount(page);

      // Opened from elsewhere, the notification leads to the case and is read.
      await page.getByTestId('menu-board').click();
      await page.waitForURL((url) => url.pathname === '/board');
      await page.getByTestId('notification-bell').click();
      const item = page.locator(`[data-testid="notification-item"][data-case-id="${caseId}"]`);
      await item.waitFor({ state: 'visible' });
      expect(await item.getAttribute('data-read')).toBe('false');
      expect(await item.textContent()).toContain(title);
      await page.screenshot({ path: SCREENSHOT_BELL });
      await item.click();
      await page.waitForURL((url) => url.pathname === `/cases/${caseId}`);
      await expect.poll(() => unreadCount(page), { timeout: 3_000 }).toBe(unreadWithNew - 1);
      const inbox = await getJson<{ items: Array<{ caseId: number | null; read: boolean }>; unread: number }>(page, '/api/v1/notifications?pageSize=50');
      expect(inbox.items.find((n) => n.caseId === caseId)?.read).toBe(true);
      expect(inbox.unread).toBe(unreadWithNew - 1);

      // 全部已读 clears the rest.
      await page.getByTestId('notification-bell').click();
      const readAll = page.getByTestId('notification-read-all');
      await readAll.waitFor({ state: 'visible' });
      if (unreadWithNew - 1 > 0) {
        await readAll.click();
        await expect.poll(() => unreadCount(page), { timeout: 3_000 }).toBe(0);
      }
      expect((await getJson<{ total: number }>(page, '/api/v1/notifications?unreadOnly=true&pageSize=1')).total).toBe(0);
      expect(await page.locator('[data-testid="notification-item"][data-read="false"]').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('a grid worker visit is entered by clicking its place on the map', async () => {
    const context = await newUserContext(running.browser, running.server.baseUrl);
    const page = await context.newPage();
    try {
      await login(page, 'dispatcher', { path: '/cases/new' });
      await page.waitForURL((url) => url.pathname === '/cases/new');
      const { building } = await buildingOfMyCommunity(page);
      const place = await getJson<{ cityCode: string }>(page, `/api/v1/public/places/${encodeURIComponent(building.code)}`);
      const categories = await getJson<{ items: Array<{ code: string; name: string }> }>(page, `/api/v1/public/cities/${place.cityCode}/case-categories`);

      await page.getByTestId('newcase-channel').getByText('网格员走访').click();
      expect(await page.getByTestId('newcase-channel').locator('input[value="grid_worker"]').isChecked()).toBe(true);
      await page.getByTestId('newcase-place-mode').getByText('地图选点').click();
      // The map draws the dispatcher's grids; click the middle of the first one.
      const gridShape = page.getByTestId('newcase-map-grid').first();
      await gridShape.waitFor({ state: 'attached' });
      const box = (await gridShape.boundingBox())!;
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await page.getByTestId('newcase-point').waitFor({ state: 'visible' });
      const located = page.getByTestId('newcase-point-place');
      await located.waitFor({ state: 'visible' });
      expect(await located.textContent()).toContain('所属网格');
      const [lng, lat] = (await page.getByTestId('newcase-point').textContent())!.split(/[ ,]+/).map(Number);

      await chooseCategory(page, categories.items[0].name);
      const description = `走访发现：路口护栏倒伏 ${Date.now().toString(36)}`;
      await page.getByTestId('newcase-description').fill(description);
      await page.getByTestId('newcase-submit').click();
      await page.waitForURL((url) => /^\/cases\/\d+$/.test(url.pathname)).catch(async (err: unknown) => {
        const shown = await page.locator('[data-testid="newcase-error"], .ant-form-item-explain-error').allTextContents();
        const pending = await page.locator('[data-testid="newcase-submit"].ant-btn-loading').count();
        throw new Error(`not submitted: ${JSON.stringify(shown)}, request pending: ${pending > 0} (${String(err)})`);
      });
      await page.locator('[data-testid="case-status"][data-status="submitted"]').waitFor({ state: 'visible' });
      const caseId = Number(new URL(page.url()).pathname.split('/').pop());
      const detail = await getJson<{ channel: string; location: [number, number] | null; gridId: number | null; reporterName: string | null }>(page, `/api/v1/cases/${caseId}`);
      expect(detail.channel).toBe('grid_worker');
      expect(detail.gridId).not.toBeNull();
      expect(detail.reporterName).toBeNull();
      expect(detail.location![0]).toBeCloseTo(lng, 5);
      expect(detail.location![1]).toBeCloseTo(lat, 5);
    } finally {
      await context.close();
    }
  });
});
