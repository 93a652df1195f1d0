import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anOrder, ManualClock, recordingLogger } from '../../test/support/builders.ts';
import { MemoryOrderRepository } from '../adapters/memory/memory-order-repository.ts';
import { createFulfillOrder } from './fulfill-order.ts';
import type { RandomSource } from './ports.ts';

async function setup(random: RandomSource, successRate = 0.7) {
  const orders = new MemoryOrderRepository();
  const order = anOrder();
  await orders.create(order);
  const logger = recordingLogger();
  const fulfillOrder = createFulfillOrder({ orders, clock: new ManualClock(), random, successRate, logger });
  return { orders, order, fulfillOrder, logger };
}

describe('fulfillOrder', () => {
  it('marks the order FULFILLED when the attempt succeeds', async () => {
    const { orders, order, fulfillOrder } = await setup(() => 0.1);
    assert.deepEqual(await fulfillOrder(order.order_id), { ok: true, status: 'FULFILLED', skipped: false });
    const stored = await orders.get(order.order_id);
    assert.deepEqual([stored?.status, stored?.attempts], ['FULFILLED', 1]);
  });

  it('records a failed attempt and reports it as a failure so the queue retries', async () => {
    const { orders, order, fulfillOrder } = await setup(() => 0.9);
    const result = await fulfillOrder(order.order_id);
    assert.equal(result.ok, false);
    const stored = await orders.get(order.order_id);
    assert.deepEqual(
      [stored?.status, stored?.attempts, stored?.last_error],
      ['PENDING', 1, 'fulfilment attempt 1 failed (simulated)'],
    );
  });

  it('treats the success rate as the probability of success per attempt', async () => {
    const always = await setup(() => 0.999999, 1);
    assert.equal((await always.fulfillOrder(always.order.order_id)).ok, true);
    const never = await setup(() => 0, 0);
    assert.equal((await never.fulfillOrder(never.order.order_id)).ok, false);
  });

  it('is a no-op for an order that is already FULFILLED (a replayed message)', async () => {
    const { orders, order, fulfillOrder } = await setup(() => 0.1);
    await fulfillOrder(order.order_id);
    assert.deepEqual(await fulfillOrder(order.order_id), { ok: true, status: 'FULFILLED', skipped: true });
    assert.equal((await orders.get(order.order_id))?.attempts, 1, 'not fulfilled twice');
  });

  it('draws each attempt from the random source keyed by order, redrive and attempt', async () => {
    const keys: string[] = [];
    const { order, fulfillOrder } = await setup((key) => {
      keys.push(key);
      return 0.9;
    });
    await fulfillOrder(order.order_id);
    await fulfillOrder(order.order_id);
    assert.deepEqual(keys, [`${order.order_id}#0#1`, `${order.order_id}#0#2`]);
  });

  it('fails the message of an unknown order so it ends in the DLQ', async () => {
    const { fulfillOrder, logger } = await setup(() => 0.1);
    assert.deepEqual(await fulfillOrder('ghost'), { ok: false, error: 'order ghost does not exist' });
    assert.equal(logger.lines[0]?.order_id, 'ghost');
  });

  it("records each attempt in the order's history with when it started and how it ended", async () => {
    const clock = new ManualClock();
    const orders = new MemoryOrderRepository();
    const order = anOrder();
    await orders.create(order);
    let draw = 0.9;
    const fulfillOrder = createFulfillOrder({
      orders,
      clock,
      // The attempt takes 250 ms: the outcome is drawn between its start and its end.
      random: () => {
        clock.advance(250);
        return draw;
      },
      successRate: 0.5,
      logger: recordingLogger(),
    });
    const start = clock.now();
    const iso = (ms: number) => new Date(start + ms).toISOString();
    await fulfillOrder(order.order_id);
    draw = 0.1;
    await fulfillOrder(order.order_id);
    await fulfillOrder(order.order_id); // a replayed message: no attempt, no event
    const history = await orders.history(order.order_id);
    assert.deepEqual(history?.events.slice(1), [
      {
        seq: 2,
        type: 'attempt_failed',
        started_at: iso(0),
        at: iso(250),
        detail: 'fulfilment attempt 1 failed (simulated)',
        status: 'PENDING',
        attempt: 1,
        redrive: 0,
      },
      {
        seq: 3,
        type: 'fulfilled',
        started_at: iso(250),
        at: iso(500),
        status: 'FULFILLED',
        attempt: 2,
        redrive: 0,
      },
    ]);
  });
});
