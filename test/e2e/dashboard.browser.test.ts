import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { seededRandom } from '../../src/core/random.ts';
import { serverPerSuite } from '../support/server-process.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const SEED = 'dashboard-browser-test';
const RATE = 0.5;
const MAX_RECEIVE_COUNT = 3;

// With a seed, outcomes are a pure function of (order, redrive, attempt): pick ids whose fate is known.
const succeeds = seededRandom(SEED);
const outcome = (id: string, redrive: number, attempt: number) =>
  succeeds(`${id}#${redrive}#${attempt}`) < RATE;
function findId(prefix: string, wanted: (id: string) => boolean): string {
  for (let i = 0; i < 10_000; i++) if (wanted(`${prefix}-${i}`)) return `${prefix}-${i}`;
  throw new Error(`no ${prefix} id found`);
}
const okId = findId('browser-ok', (id) => outcome(id, 0, 1));
const failThenOkId = findId(
  'browser-fail',
  (id) => [1, 2, 3].every((a) => !outcome(id, 0, a)) && outcome(id, 1, 1),
);

const chromiumMissing = !existsSync(CHROMIUM);
if (chromiumMissing && process.env.CI === 'true') {
  throw new Error(
    `CI=true but ${CHROMIUM} is missing: .ci/run installs Debian's chromium; the browser tests must run in CI`,
  );
}

const skipReason = `chromium not installed at ${CHROMIUM} (apt-get install chromium)`;
// A skipped suite is not counted in the runner's "skipped" total: a skipped test stands for it there.
if (chromiumMissing)
  it('dashboard in a real browser (Debian chromium + playwright-core)', { skip: skipReason });

describe('dashboard in a real browser (Debian chromium + playwright-core)', {
  skip: chromiumMissing ? skipReason : false,
}, () => {
  const suite = serverPerSuite({
    FULFILLMENT_SUCCESS_RATE: String(RATE),
    DOFS_RANDOM_SEED: SEED,
    MAX_RECEIVE_COUNT: String(MAX_RECEIVE_COUNT),
    VISIBILITY_TIMEOUT_SECONDS: '0.05',
  });
  let browser: Browser;
  let page: Page;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(suite.server.url);
  });

  after(async () => {
    await browser?.close();
  });

  const row = (table: string, id: string) => page.locator(`#${table} tr[data-order-id="${id}"]`);

  it('submits an order through the form and shows it FULFILLED', async () => {
    await page.fill('input[name="order_id"]', okId);
    await page.fill('input[name="quantity"]', '3');
    await page.click('button[type="submit"]');
    await page.locator('#form-result', { hasText: `accepted: ${okId}` }).waitFor({ timeout: 10_000 });
    await row('orders-table', okId).locator('.badge', { hasText: 'FULFILLED' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.textContent('#count-FULFILLED'), '1');
    await page.screenshot({ path: new URL('dashboard-fulfilled.png', ARTIFACTS).pathname, fullPage: true });
  });

  it('shows a failed order with its reason and the alarm in ALARM', async () => {
    await page.fill('input[name="order_id"]', failThenOkId);
    await page.click('button[type="submit"]');
    const failedRow = row('failed-table', failThenOkId);
    await failedRow.waitFor({ timeout: 15_000 });
    assert.match((await failedRow.textContent()) ?? '', /fulfilment attempt 3 failed \(simulated\)/);
    await page.locator('#alarm[data-state="ALARM"]').waitFor({ timeout: 5_000 });
    await page.screenshot({ path: new URL('dashboard-failed.png', ARTIFACTS).pathname, fullPage: true });
  });

  it('redrives the failed order from the dashboard and sees it FULFILLED, the alarm back to OK', async () => {
    await row('failed-table', failThenOkId).getByRole('button', { name: 'Redrive' }).click();
    await row('orders-table', failThenOkId)
      .locator('.badge', { hasText: 'FULFILLED' })
      .waitFor({ timeout: 15_000 });
    await page.locator('#failed-empty').waitFor({ state: 'visible', timeout: 5_000 });
    await page.locator('#alarm[data-state="OK"]').waitFor({ timeout: 5_000 });
    assert.equal(await page.textContent('#count-FULFILLED'), '2');
    await page.screenshot({ path: new URL('dashboard-redriven.png', ARTIFACTS).pathname, fullPage: true });
  });

  it('shows the metrics the dashboard is built from', async () => {
    const metrics = await (await fetch(`${suite.server.url}/metrics`)).text();
    assert.match(metrics, /dofs_orders_completed_total\{status="FULFILLED"\} 2/);
    assert.match(metrics, /dofs_fulfilment_attempts_total\{outcome="failure"\} 3/);
    assert.match(metrics, /dofs_orders\{status="FULFILLED"\} 2/);
  });
});
