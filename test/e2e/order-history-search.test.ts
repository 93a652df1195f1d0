import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anOrderBody } from '../support/builders.ts';
import { eventually } from '../support/eventually.ts';
import { call, type Json, serverPerSuite } from '../support/server-process.ts';

// Every attempt fails and an order is dead-lettered after two: each order's history has a whole failure
// in it within a fraction of a second, and a redrive adds another.
describe('order history and search over HTTP (server process)', () => {
  const suite = serverPerSuite({
    FULFILLMENT_SUCCESS_RATE: '0',
    MAX_RECEIVE_COUNT: '2',
    VISIBILITY_TIMEOUT_SECONDS: '0.05',
  });
  const url = (path: string) => `${suite.server.url}${path}`;
  const statusOf = async (id: string) => (await call(url(`/orders/${id}`))).body.status;
  const types = (history: Json) => history.events.map((e: Json) => e.type);

  it("answers an order's whole history, kept across a redrive, with times, attempts and the reasons", async () => {
    assert.equal((await call(url('/order'), { body: anOrderBody({ order_id: 'h-1' }) })).status, 202);
    await eventually(async () => (await statusOf('h-1')) === 'FAILED', 10_000, 25);
    assert.equal((await call(url('/failed-orders/h-1/redrive'), { method: 'POST' })).status, 202);
    await eventually(
      async () => (await call(url('/orders/h-1/history'))).body.events.at(-1).type === 'dead_lettered',
      10_000,
      25,
    );
    const { status, body } = await call(url('/orders/h-1/history'));
    assert.equal(status, 200);
    assert.deepEqual([body.order_id, body.truncated, body.max_events], ['h-1', 0, 100]);
    // `queued` is written when the sender confirms its send; the first attempt may begin before that.
    const firstCycle = types(body).slice(0, 5);
    assert.deepEqual(firstCycle.slice(0, 1), ['accepted']);
    assert.deepEqual(
      [...firstCycle].sort(),
      ['accepted', 'attempt_failed', 'attempt_failed', 'dead_lettered', 'queued'].sort(),
    );
    assert.equal(firstCycle[4], 'dead_lettered');
    assert.deepEqual(types(body).slice(5, 6), ['redriven']);
    assert.equal(types(body).at(-1), 'dead_lettered');
    assert.equal(
      body.events.length,
      10,
      'two cycles of accepted-or-redriven, queued, two attempts, dead-lettered',
    );
    const events: Json[] = body.events;
    assert.deepEqual(
      events.map((e) => e.seq),
      events.map((_, i) => i + 1),
    );
    const attempts = events.filter((e) => e.type === 'attempt_failed');
    assert.deepEqual(
      attempts.map((e) => [e.attempt, e.redrive, e.detail]),
      [
        [1, 0, 'fulfilment attempt 1 failed (simulated)'],
        [2, 0, 'fulfilment attempt 2 failed (simulated)'],
        [1, 1, 'fulfilment attempt 1 failed (simulated)'],
        [2, 1, 'fulfilment attempt 2 failed (simulated)'],
      ],
    );
    assert.ok(attempts.every((e) => e.started_at <= e.at));
    const deadLettered = events.filter((e) => e.type === 'dead_lettered');
    assert.deepEqual(
      deadLettered.map((e) => [e.status, e.detail]),
      [
        ['FAILED', 'fulfilment attempt 2 failed (simulated)'],
        ['FAILED', 'fulfilment attempt 2 failed (simulated)'],
      ],
    );
    const times = events.map((e) => Date.parse(e.at));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      'oldest first',
    );
  });

  it('searches orders by customer and by a created-at range, paging with the cursor', async () => {
    const created: Record<string, string> = {};
    for (const [id, customer] of [
      ['s-1', 'cust-a'],
      ['s-2', 'cust-b'],
      ['s-3', 'cust-a'],
      ['s-4', 'cust-a'],
    ]) {
      const response = await call(url('/order'), {
        body: anOrderBody({ order_id: id, customer_id: customer }),
      });
      created[id as string] = response.body.created_at;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const ids = async (query: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Json = await call(url(`/orders?${query}&limit=1${cursor ? `&cursor=${cursor}` : ''}`));
        assert.equal(page.status, 200, JSON.stringify(page.body));
        seen.push(...page.body.items.map((o: Json) => o.order_id));
        cursor = page.body.cursor;
      } while (cursor);
      return seen;
    };
    assert.deepEqual(await ids('customer_id=cust-a'), ['s-4', 's-3', 's-1']);
    assert.deepEqual(await ids(`customer_id=cust-a&created_after=${created['s-3']}`), ['s-4', 's-3']);
    assert.deepEqual(
      await ids(`created_after=${created['s-2']}&created_before=${created['s-4']}`),
      ['s-3', 's-2'],
      'created_after inclusive, created_before exclusive, every customer',
    );
    assert.deepEqual(await ids('customer_id=cust-a&status=FULFILLED'), []);
    assert.deepEqual(await ids('customer_id=nobody'), []);
    // An offset time is the same instant: 2 hours ahead of UTC, written as such.
    const shifted = new Date(Date.parse(created['s-3'] ?? '') + 2 * 3600_000)
      .toISOString()
      .replace('Z', '+02:00');
    assert.deepEqual(await ids(`customer_id=cust-a&created_before=${encodeURIComponent(shifted)}`), ['s-1']);
  });

  it('lists failed orders with their total and their reasons, and filters by reason', async () => {
    for (const id of ['f-1', 'f-2']) await call(url('/order'), { body: anOrderBody({ order_id: id }) });
    await eventually(
      async () => (await statusOf('f-2')) === 'FAILED' && (await statusOf('f-1')) === 'FAILED',
      10_000,
      25,
    );
    // Every order of this suite ends FAILED: wait until all of them have their record.
    await eventually(
      async () =>
        (await call(url('/failed-orders'))).body.total === (await call(url('/health'))).body.orders.FAILED,
      10_000,
      25,
    );
    const all = await call(url('/failed-orders?limit=1'));
    assert.equal(all.status, 200);
    assert.equal(all.body.items.length, 1);
    assert.equal(typeof all.body.cursor, 'string');
    const reason = 'fulfilment attempt 2 failed (simulated)';
    assert.deepEqual(all.body.by_reason, [{ reason, count: all.body.total }]);
    const filtered = await call(url(`/failed-orders?reason=${encodeURIComponent(reason)}`));
    assert.equal(filtered.body.total, all.body.total);
    assert.ok(filtered.body.items.every((r: Json) => r.reason === reason));
    const none = await call(url('/failed-orders?reason=out%20of%20stock'));
    assert.deepEqual(
      [none.body.items, none.body.total, none.body.by_reason],
      [[], 0, all.body.by_reason],
      'by_reason groups all failed orders, whatever the filter',
    );
  });
});
