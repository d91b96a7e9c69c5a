import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureTestImages } from '../support/docker.js';
import { createHarness, fakeJob, phaseIs, waitForStatus, type Harness } from '../support/controller-harness.js';
import { launchChromium, watchProblems, type PageProblems } from './browser.js';
import { hostile, HOSTILE_MARKUP, SECRET_VALUE, serveDashboard, type DashboardServer } from './dashboard-server.js';

/** Polls a file until it contains a text (the driver log grows while the job runs). */
async function waitForText(path: string, text: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await readFile(path, 'utf8').catch(() => '')).includes(text)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${JSON.stringify(text)} in ${path}`);
}

describe('dashboard in headless chromium over a real controller run', () => {
  let h: Harness;
  let d: DashboardServer;
  let browser: Browser;
  let page: Page;
  let problems: PageProblems;

  beforeAll(async () => {
    await ensureTestImages();
    h = await createHarness();
    await h.write('ok.yaml', hostile(fakeJob('ok')));
    await h.write('bad.yaml', fakeJob('bad', '  sparkConf: {spark.fake.exitCode: "3"}\n'));
    await h.start();
    await waitForStatus(join(h.jobsDir, 'ok.yaml'), phaseIs('Succeeded'));
    await waitForStatus(join(h.jobsDir, 'bad.yaml'), phaseIs('Failed'));
    d = await serveDashboard(h);
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await d?.close();
    await h?.close();
  });
  beforeAllPage();
  afterEach(async () => {
    expect(problems.dialogs).toEqual([]);
    expect(problems.errors).toEqual([]);
    await page.close();
  });

  function beforeAllPage() {
    // A fresh page per test, watched for dialogs and console errors.
    beforeEach(async () => {
      page = await browser.newPage();
      problems = watchProblems(page);
    });
  }

  it('shows the jobs of the run with their phases, and the CSP header', async () => {
    const res = await page.goto(`${d.url}/`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(res?.headers()['x-content-type-options']).toBe('nosniff');
    await expect(page.locator('tr[data-name="ok"] .phase-text').textContent()).resolves.toBe('Succeeded');
    await expect(page.locator('tr[data-name="bad"] .phase-text').textContent()).resolves.toBe('Failed');
    expect(await page.locator('tr[data-name="ok"] .phase').getAttribute('class')).toContain('phase-succeeded');
    // The stylesheet applied (served from the package, allowed by the CSP): the badge has a colour.
    expect(
      await page
        .locator('tr[data-name="bad"] .phase')
        .evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color),
    ).toBe('rgb(164, 14, 38)');
    await page.selectOption('#f-phase', 'Failed');
    await page.click('button[type="submit"]');
    await page.waitForURL(/phase=Failed/);
    expect(await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')))).toEqual(['bad']);
  });

  it('renders manifest markup as text and runs nothing; secrets masked', async () => {
    await page.goto(`${d.url}/jobs/ok`);
    const annotations = page.locator('dt:text-is("Annotations") + dd');
    expect(await annotations.textContent()).toContain(HOSTILE_MARKUP);
    expect(await page.locator('main img').count()).toBe(0);
    const body = (await page.locator('body').textContent()) ?? '';
    expect(body).not.toContain(SECRET_VALUE);
    expect(body).toContain('TOKEN=******');
  });

  it('shows a job page with its driver log and events, reachable by keyboard from the list', async () => {
    await page.goto(`${d.url}/`);
    // Tab through the page until the job's link has focus, as a keyboard user would.
    for (let i = 0; i < 30 && !(await page.locator('tr[data-name="bad"] a').evaluate((el) => el === el.ownerDocument.activeElement)); i++)
      await page.keyboard.press('Tab');
    const link = page.locator('tr[data-name="bad"] a');
    expect(await link.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    // Focus is visible: the stylesheet's outline, not the browser's default.
    expect(
      await link.evaluate(
        (el) =>
          (globalThis as unknown as { getComputedStyle(e: unknown): { outlineStyle: string; outlineWidth: string } }).getComputedStyle(el)
            .outlineWidth,
      ),
    ).toBe('3px');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/jobs\/bad$/);
    expect(await page.locator('#log').textContent()).toContain('exit');
    const reasons = await page.locator('#events tbody tr td:nth-child(3)').allTextContents();
    expect(reasons).toEqual(expect.arrayContaining(['Added', 'Running']));
    expect(await page.locator('#job-phase .phase-text').textContent()).toBe('Failed');
  });

  it('updates a row live when a job changes phase while the list is open (no reload)', async () => {
    await h.write('slow.yaml', fakeJob('slow', '  sparkConf: {spark.fake.sleepSeconds: "5"}\n'));
    await waitForStatus(join(h.jobsDir, 'slow.yaml'), phaseIs('Running'));
    await page.goto(`${d.url}/`);
    // A marker on this document: a reload would lose it.
    await page.evaluate('window.sameDocument = true');
    const before = await page.locator('tr[data-name="slow"] .phase-text').textContent();
    expect(before).not.toBe('Succeeded');
    await page.locator('tr[data-name="slow"] .phase-text:text-is("Succeeded")').waitFor({ timeout: 30_000 });
    expect(await page.locator('tr[data-name="slow"] .phase').getAttribute('class')).toContain('phase-succeeded');
    expect(await page.evaluate('window.sameDocument')).toBe(true);
  });

  it('follows the driver log of a running job live', async () => {
    await h.write('tail.yaml', fakeJob('tail', '  sparkConf: {spark.fake.sleepSeconds: "5"}\n'));
    await waitForText(join(h.stateDir, 'jobs', 'tail', 'logs', 'attempt-1.log'), 'Submitting 1 missing tasks');
    await page.goto(`${d.url}/jobs/tail`);
    const log = page.locator('#log');
    expect(await log.getAttribute('data-follow')).toContain('/jobs/tail/log?attempt=1');
    expect(await log.textContent()).not.toContain('Pi is roughly');
    await page.locator('#log[data-following="done"]').waitFor({ timeout: 30_000 });
    expect(await log.textContent()).toContain('Pi is roughly');
    // The phase on the job page follows too.
    await page.locator('#job-phase .phase-text:text-is("Succeeded")').waitFor({ timeout: 30_000 });
  });
});
