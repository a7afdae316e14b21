// The grid worker app (/w/) on a phone with the network cut: actions queue on the phone, survive a
// reload, and sync once the network returns, with nothing lost or doubled. A response lost on the way
// back is retried with the same Idempotency-Key and does not double the event either.
import jpeg from 'jpeg-js';
import type { APIRequestContext, BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, useServerAndBrowser } from './helpers.ts';

const running = useServerAndBrowser();

interface CaseDetail {
  id: number;
  status: string;
  version: number;
  gridId: number | null;
  events: Array<{ action: string; note: string | null; attachments: unknown[] }>;
}

/** A small real JPEG, as a phone camera would hand it over. */
function photo(): Buffer {
  const width = 64;
  const height = 48;
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([(i * 7) % 256, (i * 3) % 256, 120, 255], i * 4);
  return jpeg.encode({ data, width, height }, 85).data;
}

describe('grid worker app offline', () => {
  let dispatcher: BrowserContext;
  let phone: BrowserContext;
  let page: Page;
  let gridCode: string;
  let gridId: number;

  afterAll(async () => {
    await phone?.close();
    await dispatcher?.close();
  });

  const api = (): APIRequestContext => dispatcher.request;
  const detail = async (id: number) => {
    const response = await api().get(`/api/v1/cases/${id}`);
    expect(response.status()).toBe(200);
    return (await response.json()) as CaseDetail;
  };
  const count = (events: CaseDetail['events'], action: string) => events.filter((e) => e.action === action).length;

  /** The dispatcher enters a hotline case in the grid worker's grid and dispatches it. */
  async function dispatchedCase(description: string): Promise<number> {
    const created = await api().post('/api/v1/cases', {
      data: { channel: 'hotline', placeCode: gridCode, categoryCode: 'roads_facilities', description, reporterName: '王芳', reporterPhone: '13987654321', consent: true },
    });
    expect(created.status(), await created.text()).toBe(201);
    const body = (await created.json()) as CaseDetail;
    expect(Number(body.gridId)).toBe(gridId);
    const dispatched = await api().post(`/api/v1/cases/${body.id}/actions`, { data: { action: 'dispatch' }, headers: { 'If-Match': `"${body.version}"` } });
    expect(dispatched.status(), await dispatched.text()).toBe(200);
    return Number(body.id);
  }

  const pending = () => page.getByTestId('worker-pending-count');
  const waitPending = (n: number, timeout = 30_000) =>
    page.waitForFunction((expected) => document.querySelector('[data-testid=worker-pending-count]')?.getAttribute('data-count') === String(expected), n, { timeout });
  const taskItem = (id: number) => page.locator(`[data-testid=worker-task][data-case-id="${id}"]`);

  it('logs the grid worker in on a phone and lists the dispatched case with its deadline; the shell is installable', async () => {
    const { baseUrl } = running.server;
    // The grid worker's grid, read through the API as the grid worker.
    const probe = await running.browser.newContext({ baseURL: baseUrl });
    expect((await probe.request.post('/api/v1/auth/login', { data: { username: 'gridworker', password: DEMO_PASSWORD } })).status()).toBe(200);
    const me = (await (await probe.request.get('/api/v1/auth/me')).json()) as { roles: Array<{ role: string; regionNodeId: number | string }> };
    gridId = Number(me.roles.find((r) => r.role === 'grid_worker')!.regionNodeId);
    gridCode = ((await (await probe.request.get(`/api/v1/regions/${gridId}`)).json()) as { code: string }).code;
    await probe.close();

    dispatcher = await running.browser.newContext({ baseURL: baseUrl });
    expect((await dispatcher.request.post('/api/v1/auth/login', { data: { username: 'dispatcher', password: DEMO_PASSWORD } })).status()).toBe(200);
    const caseId = await dispatchedCase('楼道灯坏了，晚上上下楼很危险');

    phone = await running.browser.newContext({ baseURL: baseUrl, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' });
    phone.setDefaultTimeout(15_000);
    page = await phone.newPage();
    await page.goto('/w/');
    await page.getByTestId('worker-login-username').fill('gridworker');
    await page.getByTestId('worker-login-password').fill(DEMO_PASSWORD);
    await page.getByTestId('worker-login-submit').click();
    await taskItem(caseId).waitFor({ state: 'visible' });
    expect(await pending().getAttribute('data-count')).toBe('0');
    expect(await page.getByTestId('worker-online-state').getAttribute('data-online')).toBe('true');
    // A running contact clock (30 minutes from dispatch) counts down.
    const deadline = taskItem(caseId).getByTestId('worker-task-deadline');
    const due = Date.parse((await deadline.getAttribute('data-deadline'))!);
    expect(due).toBeGreaterThan(Date.now());
    expect(await deadline.textContent()).toMatch(/剩余/);
    expect(await taskItem(caseId).textContent()).not.toContain('13987654321');

    // Installable: a manifest with the app's name, start URL and icons; the service worker controls /w/.
    const manifestHref = await page.locator('link[rel=manifest]').getAttribute('href');
    const manifest = (await (await page.request.get(manifestHref!)).json()) as { name: string; start_url: string; display: string; icons: Array<{ src: string; sizes: string }> };
    expect(manifest).toMatchObject({ name: '网格通·网格员', start_url: '/w/', display: 'standalone' });
    for (const icon of manifest.icons) expect((await page.request.get(icon.src)).status(), icon.src).toBe(200);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
    expect(await page.evaluate(async () => (await navigator.serviceWorker.ready).scope)).toBe(`${baseUrl}/w/`);

    // English on request.
    await page.getByTestId('worker-lang').click();
    await expect.poll(() => page.getByTestId('worker-online-state').textContent()).toBe('Online');
    await page.getByTestId('worker-lang').click();
    await expect.poll(() => page.getByTestId('worker-online-state').textContent()).toBe('在线');
  });

  it('queues contact and reply with the network cut, keeps them (and the draft) across an offline reload, and syncs each exactly once', async () => {
    const caseId = await dispatchedCase('小区东门路沿石破损，老人容易绊倒');
    await page.getByTestId('worker-refresh').click();
    await taskItem(caseId).waitFor({ state: 'visible' });

    await phone.setOffline(true);
    await expect.poll(() => page.getByTestId('worker-online-state').getAttribute('data-online')).toBe('false');
    // Really offline: the page and the service worker both fail to reach the server.
    expect(await page.evaluate(() => fetch('/api/health').then(() => 'reached', () => 'failed'))).toBe('failed');
    const [serviceWorker] = phone.serviceWorkers();
    expect(serviceWorker, 'the service worker is running').toBeTruthy();
    expect(await serviceWorker.evaluate(() => fetch('/api/health').then(() => 'reached', () => 'failed'))).toBe('failed');

    await taskItem(caseId).click();
    // The phone never stored the reporter's number: offline, the call button can only say so.
    await page.getByTestId('worker-call').click();
    await expect.poll(() => page.getByTestId('worker-toast').textContent()).toMatch(/离线/);
    await page.getByTestId('worker-contact').click();
    await waitPending(1);
    // The reply form appears at once (the server planned contact → reply); the note is kept as typed.
    await page.getByTestId('worker-reply-note').fill('已更换路沿石，现场已清理');

    // Reload with no network: the shell comes from the service worker; queue and draft survive.
    const reloaded = await page.reload();
    expect(reloaded?.fromServiceWorker(), 'the page came from the service worker').toBe(true);
    await page.getByTestId('worker-task-page').waitFor({ state: 'visible' });
    await waitPending(1);
    await expect.poll(() => page.getByTestId('worker-reply-note').inputValue()).toBe('已更换路沿石，现场已清理');
    // A photo of the result rides in the queue as a blob on the phone.
    await page.getByTestId('worker-reply-photo').setInputFiles({ name: 'kerb.jpg', mimeType: 'image/jpeg', buffer: photo() });
    await page.locator('.thumbs img').waitFor({ state: 'visible' });
    await page.getByTestId('worker-reply-submit').click();
    await waitPending(2);
    expect(await page.getByTestId('worker-pending-item').count()).toBe(2);
    // Applied optimistically: the case shows as replied while the queue waits.
    expect(await page.getByTestId('worker-task-page').getAttribute('data-status')).toBe('replied');

    // Once more from scratch, offline, to the list: the cached list and the queue are still there.
    await page.goto('/w/');
    await taskItem(caseId).waitFor({ state: 'visible' });
    await waitPending(2);
    expect(await taskItem(caseId).getAttribute('data-status')).toBe('replied');
    expect((await detail(caseId)).status).toBe('dispatched'); // nothing reached the server
    await page.screenshot({ path: '/tmp/civicgrid-worker-offline.png' });

    await phone.setOffline(false);
    await waitPending(0);
    const after = await detail(caseId);
    expect(after.status).toBe('replied');
    expect(count(after.events, 'record_contact')).toBe(1);
    expect(count(after.events, 'reply')).toBe(1);
    const reply = after.events.find((e) => e.action === 'reply')!;
    expect(reply.note).toBe('已更换路沿石，现场已清理');
    expect(reply.attachments, 'the queued photo was uploaded once and attached to the reply').toHaveLength(1);
    expect(await page.getByTestId('worker-conflict').count()).toBe(0);
  });

  it('retries a request whose response was lost with the same Idempotency-Key, without doubling the event', async () => {
    const caseId = await dispatchedCase('垃圾桶满了没人清运');
    await page.getByTestId('worker-refresh').click();
    await taskItem(caseId).waitFor({ state: 'visible' });

    const attempts: Array<{ key: string | undefined; ifMatch: string | undefined; reachedServer: number | null }> = [];
    // On the context: with a service worker in control, page-level routes do not see the page's requests.
    await phone.route(`**/api/v1/cases/${caseId}/actions`, async (route: Route) => {
      const headers = route.request().headers();
      if (attempts.length === 0) {
        // The request reaches the server, which applies it; the phone only sees the connection drop.
        const response = await route.fetch();
        attempts.push({ key: headers['idempotency-key'], ifMatch: headers['if-match'], reachedServer: response.status() });
        await route.abort('connectionreset');
        return;
      }
      attempts.push({ key: headers['idempotency-key'], ifMatch: headers['if-match'], reachedServer: null });
      await route.continue();
    });

    await taskItem(caseId).click();
    await page.getByTestId('worker-contact').click();
    // The phone saw a dropped connection, so the action stays queued and is retried.
    await expect.poll(() => attempts.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await waitPending(0);
    expect(attempts[0].reachedServer).toBe(200);
    expect(attempts[0].key).toMatch(/^[0-9a-f-]{36}$/);
    for (const attempt of attempts) expect(attempt).toMatchObject({ key: attempts[0].key, ifMatch: attempts[0].ifMatch });
    const after = await detail(caseId);
    expect(after.status).toBe('in_progress');
    expect(count(after.events, 'record_contact')).toBe(1);
    expect(await page.getByTestId('worker-conflict').count()).toBe(0);
    await phone.unroute(`**/api/v1/cases/${caseId}/actions`);
  });

  it('shows a conflict with the server message when the case changed meanwhile, reloads it, then escalates with a reason', async () => {
    const caseId = await dispatchedCase('井盖松动，车辆经过有响声');
    await page.goto('/w/');
    await taskItem(caseId).waitFor({ state: 'visible' });

    await phone.setOffline(true);
    await expect.poll(() => page.getByTestId('worker-online-state').getAttribute('data-online')).toBe('false');
    await taskItem(caseId).click();
    await page.getByTestId('worker-contact').click();
    await waitPending(1);
    await page.screenshot({ path: '/tmp/civicgrid-worker-task.png', fullPage: true });
    // Meanwhile the dispatcher records the contact from the console.
    const version = (await detail(caseId)).version;
    const meanwhile = await api().post(`/api/v1/cases/${caseId}/actions`, { data: { action: 'record_contact' }, headers: { 'If-Match': `"${version}"` } });
    expect(meanwhile.status()).toBe(200);

    await phone.setOffline(false);
    const conflict = page.getByTestId('worker-conflict');
    await conflict.waitFor({ state: 'visible', timeout: 30_000 });
    expect(await conflict.textContent()).toMatch(/changed since you read it|Cannot record contact/);
    expect(await pending().getAttribute('data-count')).toBe('0');
    expect(count((await detail(caseId)).events, 'record_contact')).toBe(1);

    await page.getByTestId('worker-conflict-reload').click();
    await conflict.waitFor({ state: 'detached' });
    // The fresh state from the server: contacted, so the reply form is offered.
    await expect.poll(() => page.getByTestId('worker-task-page').getAttribute('data-status')).toBe('in_progress');
    await page.getByTestId('worker-reply-note').waitFor({ state: 'visible' });

    // Beyond the grid's authority: escalate with a reason; the case leaves the grid worker's list.
    await page.getByTestId('worker-escalate').click();
    await page.getByTestId('worker-escalate-note').fill('井盖属市政管网，需社区协调水务');
    await page.getByTestId('worker-escalate-submit').click();
    await waitPending(0);
    await expect.poll(async () => (await detail(caseId)).events.filter((e) => e.action === 'escalate').map((e) => e.note)).toEqual(['井盖属市政管网，需社区协调水务']);
    await page.getByTestId('worker-task-gone').waitFor({ state: 'visible' });
    await page.getByTestId('worker-back').click();
    await page.getByTestId('worker-task').first().waitFor({ state: 'visible' });
    expect(await taskItem(caseId).count()).toBe(0);
  });

  // Last: headless Chromium stops delivering synthetic input to a page once it has handed a tel: link to
  // the (absent) dialer, so nothing may follow this walk in the same page.
  it('calls the reporter: the masked number stays masked until the call button fetches it (audited) and opens the dialer', async () => {
    const caseId = await dispatchedCase('楼上漏水，天花板在滴水');
    await page.goto('/w/');
    await taskItem(caseId).waitFor({ state: 'visible' });
    const revealed = page.waitForResponse((r) => r.url().endsWith(`/api/v1/my/tasks/${caseId}/call`));
    const dialer = page.waitForRequest((r) => r.url().startsWith('tel:'));
    await taskItem(caseId).getByTestId('worker-call').click();
    expect((await revealed).status()).toBe(200);
    expect((await dialer).url()).toBe('tel:13987654321');
    expect(await taskItem(caseId).getByTestId('worker-call-link').getAttribute('href')).toBe('tel:13987654321');
  });
});
