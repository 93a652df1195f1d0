import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { seededRandom } from '../../src/core/random.ts';
import { eventually } from '../support/eventually.ts';
import { call, serverPerSuite } from '../support/server-process.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const SEED = 'dashboard-browser-test';
const RATE = 0.5;
const MAX_RECEIVE_COUNT = 3;
/** After the restart: failures then end at attempt 2, a second reason in the failed list. */
const MAX_RECEIVE_COUNT_AFTER_RESTART = 2;

// With a seed, outcomes are a pure function of (order, redrive, attempt): pick ids whose fate is known.
const succeeds = seededRandom(SEED);
const outcome = (id: string, redrive: number, attempt: number) =>
  succeeds(`${id}#${redrive}#${attempt}`) < RATE;
function findIds(prefix: string, count: number, wanted: (id: string) => boolean): string[] {
  const ids: string[] = [];
  for (let i = 0; i < 100_000 && ids.length < count; i++)
    if (wanted(`${prefix}-${i}`)) ids.push(`${prefix}-${i}`);
  if (ids.length < count) throw new Error(`not enough ${prefix} ids`);
  return ids;
}
/** Fails every attempt up to `attempts`, then succeeds on the first attempt after one redrive. */
const failsThenSucceeds = (attempts: number) => (id: string) =>
  Array.from({ length: attempts }, (_, a) => a + 1).every((a) => !outcome(id, 0, a)) && outcome(id, 1, 1);
const [okId = ''] = findIds('browser-ok', 1, (id) => outcome(id, 0, 1));
const [failThenOkId = ''] = findIds('browser-fail', 1, failsThenSucceeds(MAX_RECEIVE_COUNT));
const searchIds = findIds('browser-search', 2, (id) => outcome(id, 0, 1));
/** 22 dead-lettered orders: more than one page (20) of the failed list. */
const bulkIds = findIds('browser-bulk', 22, failsThenSucceeds(MAX_RECEIVE_COUNT));
const afterRestartIds = findIds('browser-later', 2, failsThenSucceeds(MAX_RECEIVE_COUNT_AFTER_RESTART));

/** A locator's hasText for exactly this number (a plain string would also match "22" for 2). */
const exactly = (n: number) => new RegExp(`^${n}$`);

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
  // Every wait below has its own limit; this one is for anything that would still hang the suite.
  timeout: 10 * 60_000,
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

  /** Saves a full-page screenshot under test-artifacts/ and prints where. */
  async function screenshot(t: TestContext, name: string) {
    const path = new URL(`dashboard-${name}.png`, ARTIFACTS).pathname;
    await page.screenshot({ path, fullPage: true });
    t.diagnostic(`screenshot: ${path}`);
  }

  /**
   * Moves the mouse over a chart from its newest point leftwards until the tooltip matches `wanted`;
   * returns the tooltip's text (the last one seen if none matched).
   */
  async function hoverUntil(chart: string, wanted: RegExp): Promise<string> {
    const box = await page.locator(`#chart-${chart} .u-over`).boundingBox();
    assert.ok(box, `the ${chart} chart is drawn`);
    const tooltip = page.locator(`#chart-${chart} .chart-tooltip`);
    let text = '';
    // Pixel by pixel: a step wider than the points' spacing could step over the one point wanted.
    for (let x = Math.floor(box.width) - 1; x > 0; x -= 1) {
      await page.mouse.move(box.x + x, box.y + box.height / 2);
      text = (await tooltip.textContent({ timeout: 1_000 })) ?? '';
      if (wanted.test(text)) break;
    }
    return text;
  }

  const row = (table: string, id: string) => page.locator(`#${table} tr[data-order-id="${id}"]`);
  const submit = (orderId: string, customerId = 'c-api') =>
    call(`${suite.server.url}/order`, {
      body: { order_id: orderId, customer_id: customerId, items: [{ product_id: 'p-1', quantity: 1 }] },
    });
  const failedTotal = async () =>
    (await call(`${suite.server.url}/failed-orders?limit=1`)).body.total as number;

  it('submits an order through the form and shows it FULFILLED', async (t) => {
    await page.fill('#order-form input[name="order_id"]', okId);
    await page.fill('#order-form input[name="quantity"]', '3');
    await page.click('#order-form button[type="submit"]');
    await page.locator('#form-result', { hasText: `accepted: ${okId}` }).waitFor({ timeout: 10_000 });
    await row('orders-table', okId).locator('.badge', { hasText: 'FULFILLED' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.textContent('#count-FULFILLED'), '1');
    await screenshot(t, 'fulfilled');
  });

  it('shows a failed order with its reason and the alarm in ALARM', async (t) => {
    await page.fill('#order-form input[name="order_id"]', failThenOkId);
    await page.click('#order-form button[type="submit"]');
    const failedRow = row('failed-table', failThenOkId);
    await failedRow.waitFor({ timeout: 15_000 });
    assert.match((await failedRow.textContent()) ?? '', /fulfilment attempt 3 failed \(simulated\)/);
    await page.locator('#alarm[data-state="ALARM"]').waitFor({ timeout: 5_000 });
    await page.locator('#dead-lettered', { hasText: exactly(1) }).waitFor({ timeout: 5_000 });
    await screenshot(t, 'failed');
  });

  it('redrives the failed order from its row: the result on that row, then FULFILLED, the alarm back to OK', async (t) => {
    await row('failed-table', failThenOkId).getByRole('button', { name: 'Redrive' }).click();
    const result = row('failed-table', failThenOkId).locator('td.result');
    await result.filter({ hasText: 'redriven → PENDING' }).waitFor({ timeout: 5_000 });
    assert.equal(
      await page.textContent('#form-result'),
      `accepted: ${failThenOkId} (PENDING)`,
      'not in the submit card',
    );
    await result.locator('.badge', { hasText: 'FULFILLED' }).waitFor({ timeout: 15_000 });
    await row('orders-table', failThenOkId)
      .locator('.badge', { hasText: 'FULFILLED' })
      .waitFor({ timeout: 15_000 });
    await page.locator('#alarm[data-state="OK"]').waitFor({ timeout: 5_000 });
    assert.equal(await page.textContent('#count-FULFILLED'), '2');
    await screenshot(t, 'redriven');
  });

  it('shows the values under the cursor when a chart is hovered', async (t) => {
    const text = await hoverUntil('throughput', /accepted: (?!0\.00)\d/);
    const tooltip = page.locator('#chart-throughput .chart-tooltip');
    assert.ok(await tooltip.isVisible(), 'the tooltip shows');
    assert.match(text, /\d{1,2}:\d{2}:\d{2}/, 'with the time of the point');
    assert.match(text, /accepted: 0\.[1-9]\d*\/s|accepted: [1-9]/, `with a non-zero rate: ${text}`);
    assert.match(text, /completed: \d/);
    // uPlot draws its axes on the canvas: the screenshot shows them; here, that both exist.
    assert.equal(await page.locator('#chart-throughput .u-axis').count(), 2, 'a time axis and a value axis');
    await screenshot(t, 'chart-hover');
    await page.mouse.move(0, 0);
  });

  it('finds an order by its id and shows its timeline', async (t) => {
    await page.fill('#search-query', failThenOkId);
    await page.click('#search-form button[type="submit"]');
    const view = page.locator('#order-view');
    await view.waitFor({ state: 'visible', timeout: 5_000 });
    try {
      assert.equal(await page.textContent('#order-view-title'), `Order ${failThenOkId}`, 'titled at once');
      await view.locator('.badge', { hasText: 'FULFILLED' }).first().waitFor({ timeout: 5_000 });
      const types = await page
        .locator('#order-timeline li')
        .evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.type));
      // A `queued` event is recorded after the send only while the order is still PENDING: when the consumer
      // is faster than that write (under load), it is not in the history. Every other event always is.
      assert.deepEqual(
        types.filter((type) => type !== 'queued'),
        [
          'accepted',
          'attempt_failed',
          'attempt_failed',
          'attempt_failed',
          'dead_lettered',
          'redriven',
          'fulfilled',
        ],
        types.join(', '),
      );
      assert.match(
        (await page.locator('#order-timeline li[data-type="dead_lettered"]').textContent()) ?? '',
        /fulfilment attempt 3 failed \(simulated\)/,
      );
      await screenshot(t, 'order-view');
    } finally {
      // Closed even when an assertion failed, so that the modal does not block the tests after this one.
      await page.click('#order-view-close');
      await view.waitFor({ state: 'hidden' });
    }
  });

  it("finds a customer's orders, and only theirs", async (t) => {
    for (const id of searchIds) assert.equal((await submit(id, 'c-search')).status, 202);
    await page.fill('#search-query', 'c-search');
    await page.click('#search-form button[type="submit"]');
    await page.locator('#search-results').waitFor({ state: 'visible' });
    await eventually(async () => (await page.locator('#search-table tbody tr').count()) === 2, 5_000);
    const ids = await page
      .locator('#search-table tbody tr')
      .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.orderId));
    assert.deepEqual(ids.sort(), [...searchIds].sort());
    await screenshot(t, 'search');
    await page.click('#search-close');
  });

  it('pages the failed orders with their count and reason groups', async (t) => {
    for (const id of bulkIds) assert.equal((await submit(id, 'c-bulk')).status, 202);
    await eventually(async () => (await failedTotal()) === bulkIds.length, 20_000);
    await page.locator('#failed-total', { hasText: exactly(bulkIds.length) }).waitFor({ timeout: 5_000 });
    const listed = page.locator('#failed-table tbody tr:not(.kept)');
    assert.equal(await listed.count(), 20, 'a page is 20 rows (besides rows just redriven, kept in view)');
    assert.match((await page.textContent('#failed-page')) ?? '', /page 1 · 1–20 of 22/);
    const chips = page.locator('#failed-reasons .chip');
    assert.deepEqual(await chips.allInnerTexts(), [
      'all reasons\n22',
      'fulfilment attempt 3 failed (simulated)\n22',
    ]);
    await page.click('#failed-next');
    await page.locator('#failed-page', { hasText: 'page 2 · 21–22 of 22' }).waitFor({ timeout: 5_000 });
    assert.equal(await listed.count(), 2);
    await screenshot(t, 'failed-page-2');
    await page.click('#failed-prev');
    await page.locator('#failed-page', { hasText: 'page 1' }).waitFor({ timeout: 5_000 });
  });

  it('redrives the selected orders and shows each result on its row', async (t) => {
    const selected = await page
      .locator('#failed-table tbody tr:not(.kept)')
      .evaluateAll((rows) => rows.slice(0, 2).map((r) => (r as HTMLElement).dataset.orderId ?? ''));
    for (const id of selected) await row('failed-table', id).locator('input.select').check();
    await page.locator('#redrive-selected', { hasText: 'Redrive selected (2)' }).click();
    for (const id of selected) {
      await row('failed-table', id)
        .locator('td.result', { hasText: 'redriven → PENDING' })
        .waitFor({ timeout: 5_000 });
    }
    await page.locator('#failed-result', { hasText: '2 redriven' }).waitFor();
    await eventually(async () => (await failedTotal()) === bulkIds.length - 2, 10_000);
    await page.locator('#failed-total', { hasText: exactly(bulkIds.length - 2) }).waitFor({ timeout: 5_000 });
    await screenshot(t, 'redrive-selected');
  });

  it('turns loudly disconnected when the server stops, and back when it returns with its series', async (t) => {
    const seriesBefore = (await call(`${suite.server.url}/dashboard/data`)).body.series.points as {
      accepted_per_s: number;
    }[];
    const acceptedBefore = seriesBefore.reduce((n, p) => n + p.accepted_per_s * 5, 0);
    assert.ok(acceptedBefore >= 26, `the series counted the orders so far: ${acceptedBefore}`);
    const banner = page.locator('#disconnected');
    await suite.restart({ MAX_RECEIVE_COUNT: String(MAX_RECEIVE_COUNT_AFTER_RESTART) }, async () => {
      await banner.waitFor({ state: 'visible', timeout: 10_000 });
      assert.match((await banner.textContent()) ?? '', /Disconnected\.\s*DOFS is not answering since/);
      assert.equal(await page.getAttribute('body', 'data-connection'), 'lost');
      assert.equal(await page.textContent('#updated'), 'disconnected');
      assert.equal(
        await page.locator('main').evaluate((main) => getComputedStyle(main).filter),
        'grayscale(1)',
        'the stale figures are greyed out',
      );
      await screenshot(t, 'disconnected');
    });
    await banner.waitFor({ state: 'hidden', timeout: 10_000 });
    assert.equal(await page.getAttribute('body', 'data-connection'), 'live');
    const seriesAfter = (await call(`${suite.server.url}/dashboard/data`)).body.series.points as {
      accepted_per_s: number;
    }[];
    const acceptedAfter = seriesAfter.reduce((n, p) => n + p.accepted_per_s * 5, 0);
    assert.equal(acceptedAfter, acceptedBefore, 'the series survived the restart (read from the database)');
    assert.match(
      await hoverUntil('throughput', /accepted: (?!0\.00)\d/),
      /accepted: (?!0\.00)\d/,
      'and the chart draws them',
    );
    await screenshot(t, 'reconnected');
    await page.mouse.move(0, 0);
  });

  it('groups failed orders by reason and filters by one', async (t) => {
    for (const id of afterRestartIds) assert.equal((await submit(id, 'c-later')).status, 202);
    const total = bulkIds.length - 2 + afterRestartIds.length;
    await eventually(async () => (await failedTotal()) === total, 15_000);
    await page.locator('#failed-total', { hasText: exactly(total) }).waitFor({ timeout: 5_000 });
    const chips = page.locator('#failed-reasons .chip');
    assert.deepEqual(await chips.allInnerTexts(), [
      `all reasons\n${total}`,
      `fulfilment attempt 3 failed (simulated)\n${bulkIds.length - 2}`,
      `fulfilment attempt 2 failed (simulated)\n${afterRestartIds.length}`,
    ]);
    await chips.filter({ hasText: 'attempt 2' }).click();
    await page
      .locator('#failed-total', { hasText: exactly(afterRestartIds.length) })
      .waitFor({ timeout: 5_000 });
    const ids = await page
      .locator('#failed-table tbody tr')
      .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.orderId));
    assert.deepEqual(ids.sort(), [...afterRestartIds].sort());
    await screenshot(t, 'reason-filter');
    // "Redrive all" redrives every failed order, and says so, whatever the filter shown.
    await page.click('#redrive-all');
    assert.match(
      (await page.textContent('#confirm-title')) ?? '',
      new RegExp(`Redrive all ${total} failed orders\\?`),
    );
    assert.match((await page.textContent('#confirm-text')) ?? '', /not only the 2 with reason/);
    await page.click('#confirm-cancel');
    await page.locator('#confirm').waitFor({ state: 'hidden' });
    await chips.filter({ hasText: 'all reasons' }).click();
    await page.locator('#failed-total', { hasText: exactly(total) }).waitFor({ timeout: 5_000 });
  });

  it('asks before "Redrive all", does nothing on Cancel, and redrives everything on Confirm', async (t) => {
    const before = await failedTotal();
    await page.click('#redrive-all');
    const dialog = page.locator('#confirm');
    await dialog.waitFor({ state: 'visible' });
    assert.match(
      (await page.textContent('#confirm-title')) ?? '',
      new RegExp(`Redrive all ${before} failed orders\\?`),
    );
    await screenshot(t, 'redrive-all-confirm');
    await page.click('#confirm-cancel');
    await dialog.waitFor({ state: 'hidden' });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await failedTotal(), before, 'Cancel redrove nothing');

    const onPage = await page
      .locator('#failed-table tbody tr:not(.kept)')
      .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.orderId ?? ''));
    assert.equal(onPage.length, 20);
    await page.click('#redrive-all');
    await page.click('#confirm-ok');
    await page.locator('#failed-result', { hasText: `${before} redriven` }).waitFor({ timeout: 10_000 });
    for (const id of onPage) {
      assert.match(
        (await row('failed-table', id).locator('td.result').textContent()) ?? '',
        /^redriven → PENDING/,
        `the result on the row of ${id}`,
      );
    }
    await eventually(async () => (await failedTotal()) === 0, 15_000);
    await screenshot(t, 'redrive-all-done');
  });
});
