// The knowledge-base steps in a real browser: headless Chromium (playwright-core, Debian's /usr/bin/chromium) against a
// listening backend on 127.0.0.1 and the Procore emulator on localhost, so the return from Procore is cross-site.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { DEMO_APP, demoSeed, startEmulator, type RunningEmulator } from '../../src/procore-emulator/index.js';
import { loadServerConfig } from '../../src/server/config.js';
import type { ServerDeps } from '../../src/server/deps.js';
import { buildDeps, startServer, type RunningServer } from '../../src/server/server.js';
import { freePort, REPO_ROOT } from '../support/processes.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
const available = existsSync(CHROMIUM);
// Under CI a missing browser is a failure, never a silent skip.
const required = process.env.CI === 'true';

interface BrowserWorld {
  portalUrl: string;
  deps: ServerDeps;
  statuses(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

async function startBrowserWorld(): Promise<BrowserWorld> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'ncs-portal-'));
  const port = await freePort();
  const portalUrl = `http://127.0.0.1:${port}`;
  const callback = `${portalUrl}/connectorweb/oauth/callback`;
  const emulator: RunningEmulator = await startEmulator({ host: '127.0.0.1', seed: demoSeed(), app: { ...DEMO_APP, redirectUris: [...DEMO_APP.redirectUris, callback] } });
  let server: RunningServer | undefined;
  try {
    const config = loadServerConfig(
      {
        NCS_DATA_DIR: path.join(tmp, 'data'),
        NCS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        NCS_PUBLIC_URL: portalUrl,
        // As the demo and production: Procore's sign-in is another site than the portal.
        PROCORE_LOGIN_URL: `http://localhost:${emulator.port}`,
        PROCORE_API_URL: emulator.url,
        PROCORE_CLIENT_ID: DEMO_APP.clientId,
        PROCORE_CLIENT_SECRET: DEMO_APP.clientSecret,
      },
      { demo: true },
    );
    mkdirSync(config.dataDir, { recursive: true });
    const deps = await buildDeps(config);
    server = await startServer(deps, { host: '127.0.0.1', port }, { logLevel: 'warn' });
    await seedDemo(deps, { emulatorUrl: emulator.url, redirectUri: DEMO_APP.redirectUris[0]! });
    const running = server;
    return {
      portalUrl,
      deps,
      async statuses() {
        const rows = await deps.db.selectFrom('projects').select(['number', 'status']).execute();
        return Object.fromEntries(rows.map((row) => [row.number, row.status]));
      },
      async close() {
        await running.close();
        await emulator.close();
        rmSync(tmp, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server?.close();
    await emulator.close();
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}

async function openBrowser(): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }> {
  const profile = mkdtempSync(path.join(tmpdir(), 'ncs-portal-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const width of [1280, 400]) {
    await page.setViewportSize({ width, height: 900 });
    // Readable at this width: nothing runs off the side of the page.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await page.screenshot({ path: path.join(ARTIFACTS, `portal-${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function signInAsJsmith(page: Page, portalUrl: string): Promise<void> {
  await page.goto(`${portalUrl}/connectorweb/Projects`);
  await page.getByLabel('Username').fill('DEMO\\jsmith');
  await page.getByLabel('Password').fill('demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => page.getByRole('alert').innerText()).toContain('use jsmith, not DEMO\\jsmith');
  await screenshots(page, 'sign-in-domain-explained');
  await page.getByLabel('Username').fill('jsmith');
  await page.getByLabel('Password').fill('demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Connected Projects' }).waitFor();
}

function rowOf(page: Page, number: string) {
  return page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${number} `) }) });
}

async function reconnectP1002As(page: Page, login: string): Promise<void> {
  await rowOf(page, 'P-1002').getByRole('link', { name: /^Edit P-1002/ }).click();
  await page.getByRole('heading', { name: 'How to fix it' }).waitFor();
  await screenshots(page, 'edit');
  await page.getByRole('button', { name: 'Reconnect' }).click();
  await page.waitForURL(/^http:\/\/localhost:\d+\//);
  await page.fill('#login', login);
  await page.fill('#password', 'demo');
  await Promise.all([page.waitForURL(/\/connectorweb\/Projects$/, { timeout: 30_000 }), page.click('button[name="decision"][value="allow"]')]);
}

describe.skipIf(!available && !required)('the Connected Projects portal in Chromium', { timeout: 180_000 }, () => {
  let world: BrowserWorld | undefined;
  beforeAll(async () => {
    if (available) world = await startBrowserWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('signed in to Procore as the intruder: the page says who signed in and who was expected, and nothing changes', async () => {
    if (!available) throw new Error(`Chromium is missing at ${CHROMIUM}; browser tests must run under CI=true (install Debian's chromium).`);
    const before = await world!.statuses();
    const browser = await openBrowser();
    try {
      const { page } = browser;
      await signInAsJsmith(page, world!.portalUrl);
      await reconnectP1002As(page, 'intruder@demo.example');
      const alert = await page.getByRole('alert').innerText();
      expect(alert).toContain('You signed in to Procore as intruder@demo.example');
      expect(alert).toContain('the expected account is jsmith@demo.example');
      expect(alert).toContain('Nothing was changed');
      await screenshots(page, 'wrong-account');
      expect(await world!.statuses()).toEqual(before);
      await expect.poll(() => rowOf(page, 'P-1002').getByRole('cell').nth(2).innerText()).toContain('Connection Lost');
    } finally {
      await browser.close();
    }
  });

  it('walks the knowledge-base steps: jsmith finds Connection Lost, reads the tooltip, reconnects, and sees Connected', async () => {
    if (!available) throw new Error(`Chromium is missing at ${CHROMIUM}; browser tests must run under CI=true (install Debian's chromium).`);
    const browser = await openBrowser();
    try {
      const { page } = browser;
      await signInAsJsmith(page, world!.portalUrl);
      const row = rowOf(page, 'P-1002');
      await expect.poll(() => row.innerText()).toContain('Connection Lost');

      // The error icon's details appear on hover…
      const icon = row.locator('.status-icon');
      const tooltipId = await icon.getAttribute('aria-describedby');
      const tooltip = page.locator(`[role="tooltip"][id="${tooltipId}"]`);
      expect(await tooltip.isVisible()).toBe(false);
      await icon.hover();
      await expect.poll(() => tooltip.isVisible()).toBe(true);
      expect(await tooltip.innerText()).toContain('jsmith@demo.example must reauthenticate');
      await screenshots(page, 'projects-tooltip');
      await page.mouse.move(0, 0);
      await expect.poll(() => tooltip.isVisible()).toBe(false);

      // …and on keyboard focus, reached with Tab.
      let focused = false;
      for (let presses = 0; presses < 40 && !focused; presses++) {
        await page.keyboard.press('Tab');
        focused = await icon.evaluate((element) => element === document.activeElement);
      }
      expect(focused).toBe(true);
      await expect.poll(() => tooltip.isVisible()).toBe(true);

      await reconnectP1002As(page, 'jsmith@demo.example');
      expect(await page.getByRole('status').innerText()).toMatch(/P-1002 is reconnected as jsmith@demo\.example[\s\S]*P-1003 Riverside Clinic/);
      for (const number of ['P-1002', 'P-1003']) {
        const status = await rowOf(page, number).getByRole('cell').nth(2).innerText();
        expect(status.trim()).toBe('Connected');
      }
      await screenshots(page, 'projects-connected');
      expect(await world!.statuses()).toMatchObject({ 'P-1002': 'connected', 'P-1003': 'connected' });
    } finally {
      await browser.close();
    }
  });
});
