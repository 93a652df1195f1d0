import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { anOrderBody } from '../support/builders.ts';
import { eventually } from '../support/eventually.ts';
import { type HostDriver, MAX_RECEIVE_COUNT } from '../support/host-driver.ts';
import type { Json } from '../support/server-process.ts';

/**
 * One behaviour, two hosts: every scenario here runs against the local host and against the AWS host (built
 * Lambda bundles on emulators), through the same HostDriver. A scenario that needs a success rate sets it.
 */
export interface HostScenario {
  name: string;
  run(host: HostDriver, id: (name: string) => string): Promise<void>;
}

const submit = (host: HostDriver, body: unknown) => host.request('POST', '/order', JSON.stringify(body));
const getOrder = async (host: HostDriver, orderId: string): Promise<Json> => {
  const response = await host.request('GET', `/orders/${encodeURIComponent(orderId)}`);
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body;
};
const statusBecomes = (host: HostDriver, orderId: string, status: string, ms = 15_000) =>
  eventually(async () => (await getOrder(host, orderId)).status === status, ms, 25);

export const hostScenarios: HostScenario[] = [
  {
    name: 'accepts a valid order with 202, then fulfils it',
    async run(host, id) {
      await host.setSuccessRate(1);
      const order_id = id('valid');
      const accepted = await submit(host, anOrderBody({ order_id }));
      assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
      assert.deepEqual([accepted.body.order_id, accepted.body.status], [order_id, 'PENDING']);
      assert.equal(accepted.headers.location, `/orders/${order_id}`);
      await statusBecomes(host, order_id, 'FULFILLED');
      const order = await getOrder(host, order_id);
      assert.deepEqual([order.attempts, order.last_error], [1, null]);
    },
  },
  {
    name: `fails an order after exactly ${MAX_RECEIVE_COUNT} attempts into failed_orders, then redrives it to FULFILLED`,
    async run(host, id) {
      await host.setSuccessRate(0);
      const order_id = id('doomed');
      assert.equal((await submit(host, anOrderBody({ order_id }))).status, 202);
      await statusBecomes(host, order_id, 'FAILED');
      const failed = await getOrder(host, order_id);
      assert.deepEqual(
        [failed.attempts, failed.last_error],
        [MAX_RECEIVE_COUNT, `fulfilment attempt ${MAX_RECEIVE_COUNT} failed (simulated)`],
      );
      const list = await host.request('GET', '/failed-orders?limit=100');
      const record = list.body.items.find((r: Json) => r.order_id === order_id);
      assert.ok(record, `no failed_orders record for ${order_id}: ${JSON.stringify(list.body)}`);
      assert.deepEqual(
        [record.attempts, record.reason],
        [MAX_RECEIVE_COUNT, `fulfilment attempt ${MAX_RECEIVE_COUNT} failed (simulated)`],
      );

      await host.setSuccessRate(1);
      const redriven = await host.request('POST', `/failed-orders/${order_id}/redrive`);
      assert.deepEqual([redriven.status, redriven.body], [202, { order_id, status: 'PENDING' }]);
      await statusBecomes(host, order_id, 'FULFILLED');
      const fulfilled = await getOrder(host, order_id);
      assert.deepEqual([fulfilled.attempts, fulfilled.redrives], [1, 1]);
      const after = await host.request('GET', '/failed-orders?limit=100');
      assert.equal(
        after.body.items.some((r: Json) => r.order_id === order_id),
        false,
        'the redriven order left failed_orders',
      );
      // Redriving an order that is no longer FAILED is refused.
      assert.equal((await host.request('POST', `/failed-orders/${order_id}/redrive`)).status, 409);

      // Its history kept the failure the redrive cleared from the order, event by event.
      const history = await host.request('GET', `/orders/${order_id}/history`);
      assert.equal(history.status, 200, JSON.stringify(history.body));
      const events: Json[] = history.body.events;
      assert.deepEqual(
        events.map((e) => e.seq),
        events.map((_, i) => i + 1),
      );
      // `queued` is written once the sender confirmed its send: an attempt may begin before it.
      const sorted = (types: string[]) => [...types].sort();
      const failures = Array.from({ length: MAX_RECEIVE_COUNT }, () => 'attempt_failed');
      const cycle = MAX_RECEIVE_COUNT + 3;
      assert.deepEqual(
        sorted(events.slice(0, cycle).map((e) => e.type)),
        sorted(['accepted', 'queued', ...failures, 'dead_lettered']),
        JSON.stringify(events),
      );
      // After the redrive's send, `queued` is recorded only while the order is still PENDING: a consumer that
      // fulfils it first (the local host's one-commit intake and consumer are that fast) leaves it out.
      const afterRedrive = events.slice(cycle).map((e) => e.type);
      assert.deepEqual(
        sorted(afterRedrive.filter((type) => type !== 'queued')),
        sorted(['redriven', 'fulfilled']),
        JSON.stringify(events),
      );
      assert.ok(afterRedrive.filter((type) => type === 'queued').length <= 1, JSON.stringify(events));
      assert.equal(events[cycle]?.type, 'redriven');
      assert.deepEqual(
        [events[0]?.type, events.at(-1)?.type, events.at(-1)?.attempt, events.at(-1)?.redrive],
        ['accepted', 'fulfilled', 1, 1],
      );
      const deadLettered = events.find((e) => e.type === 'dead_lettered');
      assert.deepEqual(
        [deadLettered?.status, deadLettered?.attempt, deadLettered?.detail],
        ['FAILED', MAX_RECEIVE_COUNT, `fulfilment attempt ${MAX_RECEIVE_COUNT} failed (simulated)`],
      );
      assert.equal((await host.request('GET', '/orders/no-such-order/history')).status, 404);
    },
  },
  {
    name: 'finds orders by customer and created-at range, and failed orders with their total by reason',
    async run(host, id) {
      await host.setSuccessRate(1);
      const customer_id = id('customer');
      const ids = [id('first'), id('second'), id('third')];
      const created: string[] = [];
      for (const order_id of ids) {
        const accepted = await submit(host, anOrderBody({ order_id, customer_id }));
        assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
        created.push(accepted.body.created_at);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const page = await host.request('GET', `/orders?customer_id=${customer_id}&limit=2`);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      const next = await host.request(
        'GET',
        `/orders?customer_id=${customer_id}&limit=2&cursor=${page.body.cursor}`,
      );
      assert.deepEqual(
        [...page.body.items, ...next.body.items].map((o: Json) => o.order_id),
        [...ids].reverse(),
      );
      assert.equal(next.body.cursor, null);
      const range = await host.request(
        'GET',
        `/orders?customer_id=${customer_id}&created_after=${created[1]}&created_before=${created[2]}`,
      );
      assert.deepEqual(
        range.body.items.map((o: Json) => o.order_id),
        [ids[1]],
      );
      const unknown = await host.request('GET', `/orders?customer=${customer_id}`);
      assert.equal(unknown.status, 400);
      const failed = await host.request('GET', '/failed-orders');
      assert.equal(failed.status, 200);
      assert.equal(
        failed.body.total,
        failed.body.by_reason.reduce((sum: number, group: Json) => sum + group.count, 0),
      );
    },
  },
  {
    name: 'answers an invalid body with 400 listing every failing field, and stores nothing',
    async run(host, id) {
      const order_id = id('invalid');
      const response = await submit(host, { order_id, customer_id: 7, items: [] });
      assert.equal(response.status, 400);
      assert.deepEqual(response.body, {
        error: {
          code: 'OrderInvalid',
          message: 'customer_id must be a string; items must be a non-empty array',
          fields: [
            { field: 'customer_id', message: 'customer_id must be a string' },
            { field: 'items', message: 'items must be a non-empty array' },
          ],
        },
      });
      const notJson = await host.request('POST', '/order', '{"customer_id":');
      assert.equal(notJson.status, 400);
      assert.equal(notJson.body.error.code, 'BadRequest');
      assert.equal((await host.request('GET', `/orders/${order_id}`)).status, 404);
    },
  },
  {
    name: 'answers the same order again with 200 and the current order, processed once',
    async run(host, id) {
      await host.setSuccessRate(1);
      const order_id = id('replay');
      const body = anOrderBody({ order_id });
      const first = await submit(host, body);
      assert.equal(first.status, 202);
      await statusBecomes(host, order_id, 'FULFILLED');
      const again = await submit(host, body);
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.deepEqual(
        [again.body.order_id, again.body.status, again.body.attempts],
        [order_id, 'FULFILLED', 1],
      );
      assert.equal(again.body.created_at, first.body.created_at);
    },
  },
  {
    name: 'answers the same order_id with another payload with 409 and keeps the first order',
    async run(host, id) {
      await host.setSuccessRate(1);
      const order_id = id('conflict');
      assert.equal((await submit(host, anOrderBody({ order_id }))).status, 202);
      const other = await submit(host, anOrderBody({ order_id, customer_id: 'someone-else' }));
      assert.equal(other.status, 409, JSON.stringify(other.body));
      assert.equal(other.body.error.code, 'OrderConflict');
      assert.equal((await getOrder(host, order_id)).customer_id, 'c-1');
    },
  },
];

/**
 * Runs every scenario, in order, against one host started by `start` and stopped after the last; `more`
 * adds checks only this host can make, on the same host, after the scenarios.
 */
export function describeHostScenarios<H extends HostDriver>(
  title: string,
  start: () => Promise<H>,
  more?: (host: () => H) => void,
) {
  describe(title, () => {
    let host: H | undefined;
    before(async () => {
      host = await start();
    });
    after(async () => {
      await host?.stop();
    });
    const current = () => {
      if (!host) throw new Error('the host did not start');
      return host;
    };
    for (const scenario of hostScenarios) {
      it(scenario.name, () => scenario.run(current(), uniqueId));
    }
    more?.(current);
  });
}

export const uniqueId = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}`;
