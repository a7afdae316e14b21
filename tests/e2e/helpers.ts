// Shared pieces of the browser walks: Debian Chromium through playwright-core, and login through the login page.
import { existsSync } from 'node:fs';
import { Secret, TOTP } from 'otpauth';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET, startE2EServer, type E2EServer } from '../support/e2e-server.ts';

export { DEMO_PASSWORD };

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launches the system Chromium (never downloads a browser). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium not found at ${chromiumPath}: run \`sudo apt-get install -y chromium fonts-noto-cjk\` or set CHROMIUM_PATH (npm test installs it when run as root)`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh context (own cookies) per user; relative URLs (page.goto, page.request) resolve against the server. */
export async function newUserContext(browser: Browser, baseUrl: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  context.setDefaultTimeout(15_000);
  return context;
}

export function totpCode(secret = DEMO_TOTP_SECRET): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate();
}

/** The demo administrators' code at a given time (ms since the epoch). */
export function totpCodeAt(timestamp: number, secret = DEMO_TOTP_SECRET): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp });
}

/**
 * Logs in through the login page (a second TOTP step when `totp`), then waits until the console has left /login.
 * Starts from `path` (default /login): a protected path redirects to /login?next=… and back after login.
 */
export async function login(page: Page, username: string, options: { totp?: boolean; path?: string; password?: string } = {}) {
  await page.goto(options.path ?? '/login');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(options.password ?? DEMO_PASSWORD);
  await page.getByTestId('login-submit').click();
  if (options.totp) {
    const totp = page.getByTestId('login-totp');
    await totp.waitFor({ state: 'visible' });
    // A code about to expire may be rejected by the time it arrives: wait for the next period then.
    const secondsLeft = 30 - (Math.floor(Date.now() / 1000) % 30);
    if (secondsLeft < 3) await page.waitForTimeout(secondsLeft * 1000 + 200);
    await totp.fill(totpCode());
    await page.getByTestId('login-submit').click();
  }
  await page.waitForURL((url) => url.pathname !== '/login', { timeout: 15_000 });
  await page.getByTestId('user-display-name').waitFor({ state: 'visible' });
}

/** Text content of every element a locator matches, trimmed. */
export async function texts(page: Page, selector: string): Promise<string[]> {
  return (await page.locator(selector).allTextContents()).map((s) => s.trim());
}

/**
 * One demo server and one browser for a test file, started before its tests and stopped after.
 * Returns a holder whose fields are set once `beforeAll` has run.
 */
export function useServerAndBrowser(): { server: E2EServer; browser: Browser } {
  const holder = {} as { server: E2EServer; browser: Browser };
  beforeAll(async () => {
    holder.server = await startE2EServer();
    holder.browser = await launchBrowser();
  });
  afterAll(async () => {
    await holder.browser?.close();
    await holder.server?.stop();
  });
  return holder;
}
