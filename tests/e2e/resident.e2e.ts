// The resident's walk on a phone-sized screen: scan a building's QR code → report with photos → tracking
// page with the case number; staff reply through the API; the resident rates dissatisfied and reopens.
import { PNG } from 'pngjs';
import type { APIRequestContext, Browser, Page, Request } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { jpegWithExif } from '../support/photos.ts';
import { DEMO_PASSWORD, useServerAndBrowser } from './helpers.ts';

const running = useServerAndBrowser();

async function phone(browser: Browser, baseURL: string) {
  const context = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  context.setDefaultTimeout(15_000);
  return context;
}

async function staff(browser: Browser, baseURL: string, username: string): Promise<APIRequestContext> {
  const context = await browser.newContext({ baseURL });
  const response = await context.request.post('/api/v1/auth/login', { data: { username, password: DEMO_PASSWORD } });
  expect(response.status(), await response.text()).toBe(200);
  return context.request;
}

/** Noise does not compress: a PNG of several MB, which the page shrinks to a JPEG before sending. */
function bigNoisePng(width = 1600, height = 1200): Buffer {
  const png = new PNG({ width, height });
  let seed = 12345;
  for (let i = 0; i < png.data.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    png.data[i] = i % 4 === 3 ? 255 : seed >> 23;
  }
  return PNG.sync.write(png, { deflateLevel: 1 });
}

const noHorizontalScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describe('resident QR pages', () => {
  it('reports with photos from a phone, follows the case, rates it dissatisfied and reopens it', async () => {
    const { browser, server } = running;
    const health = (await (await fetch(`${server.baseUrl}/api/health`)).json()) as { engine: string };
    expect(health.engine).toBe(server.engine);
    // A building in the demo grid worker's grid (inside the demo dispatcher's community).
    const gridworker = await staff(browser, server.baseUrl, 'gridworker');
    const me = (await (await gridworker.get('/api/v1/auth/me')).json()) as { roles: Array<{ regionNodeId: number | string }> };
    const summary = (await (await gridworker.get(`/api/v1/grids/${me.roles[0].regionNodeId}/summary`)).json()) as { buildings: Array<{ code: string; name: string }> };
    const building = summary.buildings[0];
    expect(building, 'the demo grid has buildings').toBeTruthy();

    const context = await phone(browser, server.baseUrl);
    const page = await context.newPage();
    try {
      await page.goto(`/r/${building.code}`);
      await page.getByTestId('resident-place-name').waitFor({ state: 'visible' });
      expect(await page.getByTestId('resident-place-name').textContent()).toContain(building.name);
      expect(await noHorizontalScroll(page)).toBe(true);

      // Category list comes from the city; pick the roads and facilities one.
      const category = page.getByTestId('resident-category');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=resident-category] option').length > 1);
      await category.selectOption('roads_facilities');
      await page.getByTestId('resident-description').fill('3栋门口路沿石破损，老人容易绊倒');

      // Two photos: a small JPEG as it is, and a large PNG the page shrinks to a JPEG before sending.
      const uploads: Request[] = [];
      page.on('request', (request) => {
        if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/v1/public/photos') uploads.push(request);
      });
      const png = bigNoisePng();
      expect(png.length).toBeGreaterThan(3 * 1024 * 1024);
      await page.getByTestId('resident-photo-input').setInputFiles([
        { name: 'kerb.jpg', mimeType: 'image/jpeg', buffer: jpegWithExif(800, 600) },
        { name: 'screenshot.png', mimeType: 'image/png', buffer: png },
      ]);
      const thumbs = page.getByTestId('resident-photo-thumb');
      await page.waitForFunction(() => {
        const all = [...document.querySelectorAll('[data-testid=resident-photo-thumb]')];
        return all.length === 2 && all.every((el) => el.getAttribute('data-state') === 'done');
      }, undefined, { timeout: 60_000 });
      expect(await thumbs.count()).toBe(2);
      expect(uploads).toHaveLength(2);
      const sentBytes = await Promise.all(uploads.map(async (request) => (await request.sizes()).requestBodySize));
      expect(Math.max(...sentBytes), `bytes sent: ${sentBytes}`).toBeLessThan(png.length / 2);

      // Contact details need the consent box: the page says so before sending anything.
      await page.getByTestId('resident-name').fill('王芳');
      await page.getByTestId('resident-phone').fill('13987654321');
      await page.getByTestId('resident-submit').click();
      await page.getByTestId('resident-error').waitFor({ state: 'visible' });
      expect(await page.getByTestId('resident-error').textContent()).toContain('同意');
      await page.getByTestId('resident-consent').check();
      await page.screenshot({ path: '/tmp/civicgrid-resident-report.png', fullPage: true });
      await page.getByTestId('resident-submit').click();

      await page.waitForURL(/\/t\/[A-Za-z0-9_-]{16,64}$/);
      const trackingToken = new URL(page.url()).pathname.split('/').pop()!;
      await page.getByTestId('resident-case-number').waitFor({ state: 'visible' });
      const number = (await page.getByTestId('resident-case-number').textContent())!.trim();
      expect(number).toMatch(/^\d{8}-\d{6}$/);
      await page.getByTestId('resident-submitted').waitFor({ state: 'visible' });
      expect(await page.getByTestId('resident-status').getAttribute('data-status')).toBe('submitted');
      expect(await page.getByTestId('resident-timeline').locator('li').count()).toBe(1);
      expect(await noHorizontalScroll(page)).toBe(true);

      // Staff see the case with both photos attached to the report; the photos are no longer public.
      const dispatcher = await staff(browser, server.baseUrl, 'dispatcher');
      const list = (await (await dispatcher.get('/api/v1/cases?pageSize=50')).json()) as { items: Array<{ id: number | string; number: string }> };
      const caseId = list.items.find((c) => c.number === number)?.id;
      expect(caseId, `case ${number} on the dispatcher's list`).toBeTruthy();
      const detail = (await (await dispatcher.get(`/api/v1/cases/${caseId}`)).json()) as { reporterPhone: string; events: Array<{ action: string; attachments: Array<{ url: string }> }> };
      expect(detail.reporterPhone).toBe('139****4321');
      const photos = detail.events[0].attachments;
      expect(photos).toHaveLength(2);
      const photo = await dispatcher.get(photos[0].url);
      expect(photo.status()).toBe(200);
      expect(photo.headers()['content-type']).toBe('image/jpeg');
      expect((await page.request.get(photos[0].url)).status()).toBe(404);
      expect((await page.request.get(`${photos[0].url}?t=${trackingToken}`)).status()).toBe(200);

      // The dispatcher accepts, phones the resident and replies.
      for (const action of ['dispatch', 'record_contact', 'reply']) {
        const response = await dispatcher.post(`/api/v1/cases/${caseId}/actions`, { data: { action, note: action === 'reply' ? '路沿石已修复' : undefined } });
        expect(response.status(), `${action}: ${await response.text()}`).toBe(200);
      }

      // Back on the phone: the progress shows the reply and the rating form is there.
      await page.reload();
      await page.getByTestId('rating-form').waitFor({ state: 'visible' });
      expect(await page.getByTestId('resident-status').getAttribute('data-status')).toBe('replied');
      expect(await page.getByTestId('resident-timeline').locator('li').count()).toBe(4);
      await page.getByTestId('rating-submit').click();
      expect(await page.getByRole('alert').textContent()).toContain('请选择');
      await page.getByTestId('rating-resolved-no').click();
      await page.getByTestId('rating-dissatisfied').click();
      await page.getByTestId('rating-comment').fill('还是松动的');
      await page.getByTestId('rating-submit').click();
      await page.getByTestId('resident-reopen').waitFor({ state: 'visible' });
      expect(await page.getByTestId('resident-status').getAttribute('data-status')).toBe('rated');
      expect(await page.getByTestId('rating-form').count()).toBe(0);
      expect(await page.getByTestId('resident-rating').textContent()).toContain('不满意');

      await page.screenshot({ path: '/tmp/civicgrid-resident-tracking.png', fullPage: true });
      await page.getByTestId('resident-reopen').click();
      await page.waitForFunction(() => document.querySelector('[data-testid=resident-status]')?.getAttribute('data-status') === 'submitted');
      expect(await page.getByTestId('resident-reopen').count()).toBe(0);
      const steps = await page.getByTestId('resident-timeline').locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-action')));
      expect(steps).toEqual(['submit', 'dispatch', 'record_contact', 'reply', 'rate', 'reopen']);

      // English on request, and the page still fits a 360 px phone.
      await page.getByTestId('resident-lang').click();
      expect(await page.getByTestId('resident-status').textContent()).toBe('Submitted, waiting to be accepted');
      await page.setViewportSize({ width: 360, height: 740 });
      expect(await noHorizontalScroll(page)).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('says so when a code or a tracking link is unknown', async () => {
    const context = await phone(running.browser, running.server.baseUrl);
    const page = await context.newPage();
    try {
      await page.goto('/r/no-such-building');
      await page.getByTestId('resident-not-found').waitFor({ state: 'visible' });
      expect(await page.getByTestId('resident-not-found').textContent()).toContain('二维码');
      await page.goto(`/t/${'x'.repeat(24)}`);
      await page.getByTestId('resident-not-found').waitFor({ state: 'visible' });
      expect(await page.getByTestId('resident-not-found').textContent()).toContain('链接');
    } finally {
      await context.close();
    }
  });
});
