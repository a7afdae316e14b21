// 民情直通, the whole loop in Chromium with the demo accounts, every step through the screens:
// a resident reports from a building's QR code with a photo → the dispatcher's board (already open) shows
// it live → dispatch → the grid worker (phone app) contacts and escalates → the dispatcher escalates to the
// street → the street summons the water department → it reports in and replies → the street replies →
// the resident rates dissatisfied and reopens → dispatch again → the grid worker contacts and replies →
// the resident rates → the dispatcher closes. The API is used only to look up ids and to check the end.
import type { APIRequestContext, Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { jpegWithExif } from '../support/photos.ts';
import { DEMO_PASSWORD, login, newUserContext, totpCode, useServerAndBrowser } from './helpers.ts';

const running = useServerAndBrowser();
const shot = (name: string) => `/tmp/civicgrid-loop-${name}.png`;

/** A full-page picture from the top (a sticky header would otherwise be drawn where the page was scrolled to). */
async function fullShot(page: Page, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: shot(name), fullPage: true });
}

async function phone(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  context.setDefaultTimeout(15_000);
  return context;
}

interface Me {
  id: number | string;
  displayName: string;
  roles: Array<{ role: string; regionNodeId: number | string | null; unitId: number | string | null }>;
}
interface CaseDetail {
  id: number | string;
  number: string;
  status: string;
  holderLevel: string;
  reopenCount: number;
  rating: { resolved: boolean; satisfaction: string; comment: string | null } | null;
  summonses: Array<{ departmentId: number | string; reportedIn: boolean; replied: boolean; reply: string | null; current: boolean }>;
  events: Array<{ id: number | string; action: string; fromStatus: string | null; toStatus: string; actor: string | null; note: string | null; attachments: unknown[] }>;
}

const caseStatus = (page: Page, status: string) => page.locator(`[data-testid="case-status"][data-status="${status}"]`).waitFor({ state: 'visible' });

/** Opens an action's dialog on the case page, fills the note, confirms, and waits for the dialog to close. */
async function caseAction(page: Page, action: string, note: string | null, fill?: () => Promise<void>) {
  await page.getByTestId(`case-action-${action}`).click();
  const confirm = page.getByTestId('case-action-confirm');
  await confirm.waitFor({ state: 'visible' });
  if (fill) await fill();
  if (note !== null) await page.getByTestId('case-action-note').fill(note);
  const answered = page.waitForResponse((res) => res.request().method() === 'POST' && /\/api\/v1\/cases\/\d+\/actions$/.test(new URL(res.url()).pathname));
  await confirm.click();
  const response = await answered;
  expect(response.status(), `${action}: ${await response.text()}`).toBe(200);
  await confirm.waitFor({ state: 'detached' });
}

describe('the whole request loop', () => {
  const contexts: BrowserContext[] = [];
  let resident: Page;
  let dispatcher: Page;
  let worker: Page;
  let street: Page;
  let water: Page;
  let gridworkerId = 0;
  let waterId = 0;
  let buildingCode = '';
  let token = '';
  let caseNumber = '';
  let caseId = 0;
  /** Steps done so far: a step whose predecessor failed stops at once instead of timing out. */
  let stage = 0;
  const walkStartedAt = new Date().toISOString();
  const step = (expected: number) => expect(stage, 'the previous step of the walk failed').toBe(expected);

  afterAll(async () => {
    for (const context of contexts.reverse()) await context.close().catch(() => undefined);
  });

  const detail = async (request: APIRequestContext = dispatcher.request): Promise<CaseDetail> => {
    const response = await request.get(`/api/v1/cases/${caseId}`);
    expect(response.status()).toBe(200);
    return (await response.json()) as CaseDetail;
  };
  const workerTask = () => worker.locator(`[data-testid=worker-task][data-case-id="${caseId}"]`);
  const workerSynced = () =>
    worker.waitForFunction(() => document.querySelector('[data-testid=worker-pending-count]')?.getAttribute('data-count') === '0', undefined, { timeout: 30_000 });
  const timeline = () => resident.getByTestId('resident-timeline').locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-action')));
  const trackingStatus = (status: string) =>
    resident.waitForFunction((s) => document.querySelector('[data-testid=resident-status]')?.getAttribute('data-status') === s, status);

  it('staff are at their screens: the dispatcher on a live board, the grid worker in the phone app', async () => {
    step(0);
    const { browser, server } = running;
    const health = (await (await fetch(`${server.baseUrl}/api/health`)).json()) as { engine: string };
    expect(health.engine).toBe(server.engine);

    // The dispatcher's board is open (and live) before anything is reported.
    const dispatcherContext = await newUserContext(browser, server.baseUrl);
    contexts.push(dispatcherContext);
    dispatcher = await dispatcherContext.newPage();
    await login(dispatcher, 'dispatcher');
    await dispatcher.getByTestId('menu-board').click();
    await dispatcher.waitForURL((url) => url.pathname === '/board');
    await dispatcher.locator('[data-testid="board-live-indicator"][data-state="live"]').waitFor({ state: 'visible', timeout: 10_000 });

    // The grid worker logs in to /w/ on a phone.
    const workerContext = await phone(browser, server.baseUrl);
    contexts.push(workerContext);
    worker = await workerContext.newPage();
    await worker.goto('/w/');
    await worker.getByTestId('worker-login-username').fill('gridworker');
    await worker.getByTestId('worker-login-password').fill(DEMO_PASSWORD);
    await worker.getByTestId('worker-login-submit').click();
    await worker.getByTestId('worker-refresh').waitFor({ state: 'visible' });
    await worker.locator('[data-testid=worker-online-state][data-online=true]').waitFor({ state: 'visible' });

    // Look-ups: who the grid worker is, and a building in their grid (inside the dispatcher's community).
    const me = (await (await worker.request.get('/api/v1/auth/me')).json()) as Me;
    gridworkerId = Number(me.id);
    const gridId = me.roles.find((r) => r.role === 'grid_worker')!.regionNodeId;
    const summary = (await (await worker.request.get(`/api/v1/grids/${gridId}/summary`)).json()) as { buildings: Array<{ code: string; name: string }> };
    expect(summary.buildings.length, 'the demo grid has buildings').toBeGreaterThan(0);
    buildingCode = summary.buildings[0].code;
    stage = 1;
  });

  it('a resident reports from the QR code with a photo; the open board shows it live; the dispatcher dispatches it', async () => {
    step(1);
    const { browser, server } = running;
    const residentContext = await phone(browser, server.baseUrl);
    contexts.push(residentContext);
    resident = await residentContext.newPage();
    await resident.goto(`/r/${buildingCode}`);
    await resident.getByTestId('resident-place-name').waitFor({ state: 'visible' });
    await resident.waitForFunction(() => document.querySelectorAll('[data-testid=resident-category] option').length > 1);
    await resident.getByTestId('resident-category').selectOption('water_supply');
    await resident.getByTestId('resident-description').fill('楼下水管破裂，路面一直在冒水，请尽快处理');
    await resident.getByTestId('resident-photo-input').setInputFiles({ name: 'pipe.jpg', mimeType: 'image/jpeg', buffer: jpegWithExif(800, 600) });
    await resident.locator('[data-testid=resident-photo-thumb][data-state=done]').waitFor({ state: 'visible', timeout: 30_000 });
    await resident.getByTestId('resident-name').fill('李华');
    await resident.getByTestId('resident-phone').fill('13912345678');
    await resident.getByTestId('resident-consent').check();
    await fullShot(resident, '1-report');

    // The board must not reload to show it: a marker on its window survives only without a navigation.
    await dispatcher.evaluate(() => ((window as unknown as { loopMarker: string }).loopMarker = 'still here'));
    const rowsBefore = await dispatcher.getByTestId('board-row').count();
    const submittedAt = Date.now();
    await resident.getByTestId('resident-submit').click();
    // Either the tracking page, or the report page's own message saying why not (a clearer failure than a timeout).
    const problem = resident.getByTestId('resident-error');
    await Promise.race([resident.waitForURL(/\/t\/[A-Za-z0-9_-]{16,64}$/), problem.waitFor({ state: 'visible' })]);
    if (await problem.count()) expect.fail(`the report was refused: ${await problem.textContent()}`);
    expect(new URL(resident.url()).pathname).toMatch(/^\/t\/[A-Za-z0-9_-]{16,64}$/);
    token = new URL(resident.url()).pathname.split('/').pop()!;
    await resident.getByTestId('resident-case-number').waitFor({ state: 'visible' });
    caseNumber = (await resident.getByTestId('resident-case-number').textContent())!.trim();
    expect(caseNumber).toMatch(/^\d{8}-\d{6}$/);
    expect(await resident.getByTestId('resident-status').getAttribute('data-status')).toBe('submitted');

    const row = dispatcher.getByTestId('board-row').filter({ hasText: caseNumber });
    await row.waitFor({ state: 'visible', timeout: 5_000 });
    const seenAfter = Date.now() - submittedAt;
    expect(seenAfter, `row visible ${seenAfter} ms after the resident pressed submit`).toBeLessThan(5_000);
    expect(await dispatcher.evaluate(() => (window as unknown as { loopMarker?: string }).loopMarker)).toBe('still here');
    expect(await dispatcher.getByTestId('board-row').count()).toBe(rowsBefore + 1);
    expect(await row.getAttribute('data-status')).toBe('submitted');
    expect(await row.textContent()).toContain('139****5678');
    expect(await row.textContent()).not.toContain('13912345678');
    caseId = Number(await row.getAttribute('data-case-id'));
    expect(caseId).toBeGreaterThan(0);
    await dispatcher.screenshot({ path: shot('2-board') });

    // Open it: the photo is on the case; dispatch to the suggested grid worker (the demo grid worker).
    await row.click();
    await dispatcher.waitForURL((url) => url.pathname === `/cases/${caseId}`);
    await caseStatus(dispatcher, 'submitted');
    const photo = dispatcher.getByTestId('case-attachments').getByTestId('case-photo');
    await photo.waitFor({ state: 'visible' });
    expect(await photo.count()).toBe(1);
    // The re-encoded photo really loads for staff.
    const src = await dispatcher.locator('[data-testid=case-attachments] img').getAttribute('src');
    expect(src, 'the case page links the photo by its upload token').toMatch(/^\/api\/v1\/photos\/[^/?#%]+$/);
    await dispatcher.waitForFunction(() => {
      const img = document.querySelector('[data-testid=case-attachments] img');
      return img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0;
    });
    await caseAction(dispatcher, 'dispatch', '请网格员尽快联系居民核实', async () => {
      const suggested = dispatcher.locator(`[data-testid=case-suggested-worker][data-user-id="${gridworkerId}"]`);
      await suggested.waitFor({ state: 'visible' });
      await suggested.click();
      expect(await suggested.getAttribute('data-checked')).toBe('true');
    });
    await caseStatus(dispatcher, 'dispatched');
    stage = 2;
  });

  it('the grid worker sees the task on the phone, records the contact and escalates; the dispatcher escalates to the street', async () => {
    step(2);
    await worker.getByTestId('worker-refresh').click();
    await workerTask().waitFor({ state: 'visible' });
    expect(await workerTask().getAttribute('data-status')).toBe('dispatched');
    await workerTask().click();
    await worker.locator(`[data-testid=worker-task-page][data-case-id="${caseId}"]`).waitFor({ state: 'visible' });
    await worker.getByTestId('worker-contact').click();
    await workerSynced();
    await worker.locator('[data-testid=worker-task-page][data-status=in_progress]').waitFor({ state: 'visible' });
    await worker.getByTestId('worker-escalate').click();
    await worker.getByTestId('worker-escalate-note').fill('水管属市政供水管网，网格无法处置，请求社区协调');
    await fullShot(worker, '3-worker');
    await worker.getByTestId('worker-escalate-submit').click();
    await workerSynced();
    // Escalated to the community: no longer the grid worker's task.
    await worker.getByTestId('worker-task-gone').waitFor({ state: 'visible' });

    // The dispatcher's case page follows live: held by the community now; escalate once more.
    await dispatcher.locator('[data-testid="case-holder"][data-holder="community"]').waitFor({ state: 'visible' });
    await caseStatus(dispatcher, 'in_progress');
    await caseAction(dispatcher, 'escalate', '涉及供水管网，需街道吹哨水务部门');
    await dispatcher.locator('[data-testid="case-holder"][data-holder="street"]').waitFor({ state: 'visible' });
    stage = 3;
  });

  it('the street summons the water department; it reports in and replies; the street replies to the resident', async () => {
    step(3);
    const { browser, server } = running;

    const streetContext = await newUserContext(browser, server.baseUrl);
    contexts.push(streetContext);
    street = await streetContext.newPage();
    await login(street, 'street');
    await street.getByTestId('menu-street').click();
    await street.waitForURL((url) => url.pathname === '/street');
    const escalated = street.locator(`[data-testid=street-row][data-case-id="${caseId}"]`);
    await escalated.waitFor({ state: 'visible' });
    await escalated.click();
    await street.waitForURL((url) => url.pathname === `/cases/${caseId}`);
    await caseStatus(street, 'in_progress');
    await caseAction(street, 'summon', '请水务局2小时内到现场处置', async () => {
      // The department picker lists the departments; the street ticks the water department.
      const choice = street.getByTestId('case-summon-department').filter({ hasText: '水务局' });
      await choice.waitFor({ state: 'visible' });
      expect(await choice.count(), 'one water department to pick').toBe(1);
      waterId = Number(await choice.getAttribute('data-department-id'));
      await choice.click();
      await street.locator('.ant-checkbox-wrapper-checked').filter({ hasText: '水务局' }).waitFor({ state: 'visible' });
      await street.waitForTimeout(300); // the tick's colour transition, for the picture only
      await street.screenshot({ path: shot('4-summon') });
    });
    await caseStatus(street, 'summoned');
    await street.locator(`[data-testid=case-summons][data-department-id="${waterId}"][data-state=to_report_in]`).waitFor({ state: 'visible' });

    // The water department reports in from its list, then replies on the case page.
    const waterContext = await newUserContext(browser, server.baseUrl);
    contexts.push(waterContext);
    water = await waterContext.newPage();
    await login(water, 'water');
    const waterMe = (await (await water.request.get('/api/v1/auth/me')).json()) as Me;
    expect(Number(waterMe.roles.find((r) => r.role === 'department_staff')!.unitId), 'the demo water account works for the summoned department').toBe(waterId);
    await water.getByTestId('menu-department').click();
    await water.waitForURL((url) => url.pathname === '/department');
    const toReportIn = water.locator(`[data-testid=department-row][data-case-id="${caseId}"][data-state=to_report_in]`);
    await toReportIn.waitFor({ state: 'visible' });
    await water.screenshot({ path: shot('5-department') });
    const reported = water.waitForResponse((res) => res.request().method() === 'POST' && new URL(res.url()).pathname === `/api/v1/cases/${caseId}/actions`);
    await toReportIn.getByTestId('department-report-in').click();
    expect((await reported).status()).toBe(200);
    await water.getByTestId('department-tab-to_reply').click();
    const toReply = water.locator(`[data-testid=department-row][data-case-id="${caseId}"][data-state=to_reply]`);
    await toReply.waitFor({ state: 'visible' });
    await toReply.getByTestId('department-reply').click();
    await water.waitForURL((url) => url.pathname === `/cases/${caseId}`);
    await caseStatus(water, 'summoned');
    await caseAction(water, 'department_reply', '已关阀抢修，更换破损管段，供水已恢复');
    await water.locator(`[data-testid=case-summons][data-department-id="${waterId}"][data-state=replied]`).waitFor({ state: 'visible' });

    // The street's case page follows live: every summoned department replied, so the street answers the resident.
    await street.locator(`[data-testid=case-summons][data-department-id="${waterId}"][data-state=replied]`).waitFor({ state: 'visible' });
    await street.getByTestId('case-action-reply').waitFor({ state: 'visible' });
    await caseAction(street, 'reply', '水务局已完成抢修，供水恢复，路面积水已清理');
    await caseStatus(street, 'replied');
    stage = 4;
  });

  it('the resident sees the reply, rates it dissatisfied and reopens it', async () => {
    step(4);
    await resident.reload();
    await resident.getByTestId('rating-form').waitFor({ state: 'visible' });
    expect(await resident.getByTestId('resident-status').getAttribute('data-status')).toBe('replied');
    // The public progress: internal steps (report-in, the department's answer) stay with the staff.
    expect(await timeline()).toEqual(['submit', 'dispatch', 'record_contact', 'escalate', 'escalate', 'summon', 'reply']);
    await resident.getByTestId('rating-resolved-no').click();
    await resident.getByTestId('rating-dissatisfied').click();
    await resident.getByTestId('rating-comment').fill('路面还有积水，管子还在渗');
    await fullShot(resident, '6-rating');
    await resident.getByTestId('rating-submit').click();
    await resident.getByTestId('resident-reopen').waitFor({ state: 'visible' });
    expect(await resident.getByTestId('resident-status').getAttribute('data-status')).toBe('rated');
    expect(await resident.getByTestId('resident-rating').textContent()).toContain('不满意');
    await resident.getByTestId('resident-reopen').click();
    await trackingStatus('submitted');
    expect(await resident.getByTestId('resident-reopen').count()).toBe(0);
    stage = 5;
  });

  it('back on the board: dispatched again, the grid worker contacts and replies, the resident rates, the dispatcher closes', async () => {
    step(5);
    // The dispatcher (still on the case page) goes back to the board: the reopened case waits there.
    await dispatcher.getByTestId('menu-board').click();
    await dispatcher.waitForURL((url) => url.pathname === '/board');
    const row = dispatcher.locator(`[data-testid=board-row][data-case-id="${caseId}"][data-status=submitted]`);
    await row.waitFor({ state: 'visible' });
    await row.click();
    await dispatcher.waitForURL((url) => url.pathname === `/cases/${caseId}`);
    await caseStatus(dispatcher, 'submitted');
    expect(await dispatcher.getByTestId('case-holder').getAttribute('data-holder')).toBe('grid');
    await caseAction(dispatcher, 'dispatch', '居民不满意，请再次上门核实', async () => {
      const suggested = dispatcher.locator(`[data-testid=case-suggested-worker][data-user-id="${gridworkerId}"]`);
      await suggested.waitFor({ state: 'visible' });
      await suggested.click();
    });
    await caseStatus(dispatcher, 'dispatched');

    // The grid worker gets it back, phones the resident and replies with the result.
    await worker.getByTestId('worker-back').click();
    await worker.getByTestId('worker-refresh').click();
    await workerTask().waitFor({ state: 'visible' });
    await workerTask().click();
    await worker.locator(`[data-testid=worker-task-page][data-case-id="${caseId}"][data-status=dispatched]`).waitFor({ state: 'visible' });
    await worker.getByTestId('worker-contact').click();
    await workerSynced();
    await worker.getByTestId('worker-reply-note').fill('已陪同水务局复查，渗漏点已补焊，积水已排干');
    await worker.getByTestId('worker-reply-submit').click();
    await workerSynced();
    await worker.locator('[data-testid=worker-task-page][data-status=replied]').waitFor({ state: 'visible' });
    expect(await worker.getByTestId('worker-conflict').count()).toBe(0);

    // The resident rates again; a case is reopened only once, so no reopen button this time.
    await resident.reload();
    await resident.getByTestId('rating-form').waitFor({ state: 'visible' });
    expect(await resident.getByTestId('resident-status').getAttribute('data-status')).toBe('replied');
    await resident.getByTestId('rating-resolved-yes').click();
    await resident.getByTestId('rating-satisfied').click();
    await resident.getByTestId('rating-submit').click();
    await trackingStatus('rated');
    expect(await resident.getByTestId('rating-form').count()).toBe(0);
    expect(await resident.getByTestId('resident-reopen').count()).toBe(0);

    // The dispatcher's case page follows live to `rated`; closing is the last step.
    await caseStatus(dispatcher, 'rated');
    await caseAction(dispatcher, 'close', '居民满意，办结');
    await caseStatus(dispatcher, 'closed');
    await fullShot(dispatcher, '7-closed');

    await resident.reload();
    await trackingStatus('closed');
    stage = 6;
  });

  it('the case holds exactly one event per step, in order, each audited; the audit chain verifies', async () => {
    step(6);
    const final = await detail();
    expect(final.number).toBe(caseNumber);
    expect(final.status).toBe('closed');
    expect(final.reopenCount).toBe(1);
    expect(final.rating).toMatchObject({ resolved: true, satisfaction: 'satisfied' });
    const actions = final.events.map((e) => e.action);
    expect(actions).toEqual([
      'submit',
      'dispatch',
      'record_contact',
      'escalate', // grid → community (the grid worker)
      'escalate', // community → street (the dispatcher)
      'summon',
      'report_in',
      'department_reply',
      'reply',
      'rate',
      'reopen',
      'dispatch',
      'record_contact',
      'reply',
      'rate',
      'close',
    ]);
    expect(final.events[0].attachments, 'the resident photo rides on the report').toHaveLength(1);
    const notes = final.events.map((e) => e.note);
    expect(notes).toContain('水管属市政供水管网，网格无法处置，请求社区协调');
    expect(notes).toContain('已关阀抢修，更换破损管段，供水已恢复');
    expect(notes).toContain('已陪同水务局复查，渗漏点已补焊，积水已排干');
    // Each step was taken by the account that did it on screen (the resident's steps carry no account).
    const nameOf = async (page: Page) => ((await (await page.request.get('/api/v1/auth/me')).json()) as { displayName: string }).displayName;
    const [d, g, st, w] = [await nameOf(dispatcher), await nameOf(worker), await nameOf(street), await nameOf(water)];
    const staffActors = final.events.filter((e) => !['submit', 'rate', 'reopen'].includes(e.action)).map((e) => `${e.action}:${e.actor}`);
    expect(staffActors).toEqual([
      `dispatch:${d}`,
      `record_contact:${g}`,
      `escalate:${g}`,
      `escalate:${d}`,
      `summon:${st}`,
      `report_in:${w}`,
      `department_reply:${w}`,
      `reply:${st}`,
      `dispatch:${d}`,
      `record_contact:${g}`,
      `reply:${g}`,
      `close:${d}`,
    ]);
    // Each event moved the case on from where the previous one left it.
    for (let i = 1; i < final.events.length; i++) expect(final.events[i].fromStatus, `event ${i} (${actions[i]})`).toBe(final.events[i - 1].toStatus);
    expect(final.events.at(-1)!.toStatus).toBe('closed');

    // The audit administrator (password + TOTP) sees exactly one successful audit record per event of this case,
    // in the same order (no refused attempt on the way), and the hash chain verifies.
    const auditContext = await running.browser.newContext({ baseURL: running.server.baseUrl });
    contexts.push(auditContext);
    const secondsLeft = 30 - (Math.floor(Date.now() / 1000) % 30);
    if (secondsLeft < 3) await new Promise((resolve) => setTimeout(resolve, secondsLeft * 1000 + 200));
    const loggedIn = await auditContext.request.post('/api/v1/auth/login', { data: { username: 'auditadmin', password: DEMO_PASSWORD, totpCode: totpCode() } });
    expect(loggedIn.status(), await loggedIn.text()).toBe(200);
    const audit = (await (await auditContext.request.get(`/api/v1/audit?pageSize=200&from=${encodeURIComponent(walkStartedAt)}`)).json()) as {
      items: Array<{ action: string; resourceType: string; resourceId: string | null; outcome: string }>;
    };
    const caseAudit = audit.items.filter((a) => a.resourceType === 'case' && a.resourceId === String(caseId)).reverse();
    expect(caseAudit.map((a) => `${a.action}:${a.outcome}`)).toEqual(actions.map((action) => `case.${action}:success`));
    const verified = await auditContext.request.post('/api/v1/audit/verify');
    expect(verified.status()).toBe(200);
    expect(await verified.json()).toMatchObject({ ok: true, firstBrokenId: null });
    stage = 7;
  });
});
