import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anOrder, ManualClock, recordingLogger } from '../../test/support/builders.ts';
import { MemoryFailedOrderRepository } from '../adapters/memory/memory-failed-order-repository.ts';
import { MemoryOrderRepository } from '../adapters/memory/memory-order-repository.ts';
import { createDeadLetterOrder } from './dead-letter-order.ts';

function setup() {
  const orders = new MemoryOrderRepository();
  const failedOrders = new MemoryFailedOrderRepository();
  const deadLetterOrder = createDeadLetterOrder({
    orders,
    failedOrders,
    clock: new ManualClock(),
    logger: recordingLogger(),
  });
  return { orders, failedOrders, deadLetterOrder };
}

describe('deadLetterOrder', () => {
  it('records the failure with its last error and marks the order FAILED', async () => {
    const { orders, failedOrders, deadLetterOrder } = setup();
    const order = anOrder({ attempts: 3, last_error: 'attempt 3 failed' });
    await orders.create(order);
    const body = JSON.stringify({ order_id: order.order_id });
    assert.deepEqual(await deadLetterOrder({ messageId: 'm-1', body, receiveCount: 1 }), {
      recorded: true,
      orderId: order.order_id,
    });
    assert.equal((await orders.get(order.order_id))?.status, 'FAILED');
    const record = await failedOrders.get(order.order_id);
    assert.deepEqual([record?.reason, record?.attempts, record?.message_id], ['attempt 3 failed', 3, 'm-1']);
  });

  it('is idempotent: the same DLQ message twice leaves one record and one FAILED order', async () => {
    const { orders, failedOrders, deadLetterOrder } = setup();
    const order = anOrder();
    await orders.create(order);
    const message = { messageId: 'm-1', body: JSON.stringify({ order_id: order.order_id }), receiveCount: 1 };
    await deadLetterOrder(message);
    await deadLetterOrder(message);
    assert.equal(await failedOrders.count(), 1);
    assert.equal((await orders.get(order.order_id))?.status, 'FAILED');
  });

  it('records a poison message under message-<id> with its body, never dropping it', async () => {
    const { failedOrders, deadLetterOrder } = setup();
    await deadLetterOrder({ messageId: 'm-9', body: 'not json{', receiveCount: 1 });
    const record = await failedOrders.get('message-m-9');
    assert.equal(record?.body, 'not json{');
    assert.match(record?.reason ?? '', /malformed message/);
  });

  it('leaves a FULFILLED order alone', async () => {
    const { orders, failedOrders, deadLetterOrder } = setup();
    const order = anOrder({ status: 'FULFILLED' });
    await orders.create(order);
    const result = await deadLetterOrder({
      messageId: 'm',
      body: JSON.stringify({ order_id: order.order_id }),
      receiveCount: 1,
    });
    assert.deepEqual(result, { recorded: false, reason: 'already fulfilled' });
    assert.equal(await failedOrders.count(), 0);
  });

  it("records the dead-lettering with its reason in the order's history, once", async () => {
    const { orders, deadLetterOrder } = setup();
    const order = anOrder({ attempts: 3, last_error: 'fulfilment attempt 3 failed (simulated)' });
    await orders.create(order);
    const message = { messageId: 'm-1', body: JSON.stringify({ order_id: order.order_id }), receiveCount: 3 };
    await deadLetterOrder(message);
    await deadLetterOrder(message);
    const history = await orders.history(order.order_id);
    assert.deepEqual(history?.events.slice(1), [
      {
        seq: 2,
        type: 'dead_lettered',
        at: new Date(new ManualClock().now()).toISOString(),
        detail: 'fulfilment attempt 3 failed (simulated)',
        status: 'FAILED',
        attempt: 3,
        redrive: 0,
      },
    ]);
  });
});
