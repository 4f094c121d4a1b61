// One real browser: headless Chromium (playwright-core, /usr/bin/chromium) is the opener of the built `ncs reconnect`;
// it signs in on the emulator's page and lands on the CLI's loopback page, which must show the verdict.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/processes.js';
import { expectNoProcoreTokenLeaked, startWorld, type IntegrationWorld } from './support/world.js';

const CHROMIUM = '/usr/bin/chromium';
const SCRIPT = path.join(REPO_ROOT, 'test/integration/fixtures/chromium-person.mjs');
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
const available = existsSync(CHROMIUM);
// Under CI a missing browser is a failure, never a silent skip (SPEC 9.1).
const required = process.env.CI === 'true';

describe.skipIf(!available && !required)('ncs reconnect in a real browser', { timeout: 180_000 }, () => {
  let world: IntegrationWorld | undefined;
  afterEach(async () => {
    if (!world) return;
    try {
      await expectNoProcoreTokenLeaked(world);
    } finally {
      await world.close();
    }
  });

  it('Chromium signs in as jsmith on Procore\'s page and lands on the loopback page showing the restored projects', async () => {
    if (!available) throw new Error(`Chromium is missing at ${CHROMIUM}; browser tests must run under CI=true (install Debian's chromium).`);
    world = await startWorld();
    mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = path.join(ARTIFACTS, 'reconnect-loopback-page.png');
    const reportDir = mkdtempSync(path.join(tmpdir(), 'ncs-chromium-report-'));
    const reportFile = path.join(reportDir, 'report.json');
    rmSync(screenshot, { force: true });

    await world.login('jsmith');
    const result = await world.ncsDone(['reconnect', 'P-1002'], {
      browserCommand: `"${process.execPath}" "${SCRIPT}"`,
      env: { NCS_TEST_CHROMIUM: JSON.stringify({ reportFile, screenshot, login: 'jsmith@demo.example', executablePath: CHROMIUM }) },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/P-1003\s+Riverside Clinic\s+Connected/);

    type Report = { done?: boolean; error?: string; landedOn?: string; title?: string; text?: string };
    const finished = (): Report | undefined => {
      const report = existsSync(reportFile) ? (JSON.parse(readFileSync(reportFile, 'utf8')) as Report) : undefined;
      return report?.done || report?.error ? report : undefined;
    };
    await expect.poll(finished, { timeout: 60_000 }).toBeTruthy();
    const report = finished()!;
    expect(report.error).toBeUndefined();
    expect(report.landedOn).toBe(world.redirectUris[0]);
    expect(report.title).toContain('Procore connection restored');
    expect(report.text).toContain('P-1002 Civic Library is connected to Procore again, through the account jsmith@demo.example.');
    expect(report.text).toContain('Also restored: P-1003 Riverside Clinic.');
    expect(statSync(screenshot).size).toBeGreaterThan(1000);
    rmSync(reportDir, { recursive: true, force: true });
  });
});
