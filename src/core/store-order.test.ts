import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anEvent, ManualClock } from '../../test/support/builders.ts';
import { MemoryOrderRepository } from '../adapters/memory/memory-order-repository.ts';
import { createStoreOrder } from './store-order.ts';

const order = { order_id: 'o-1', customer_id: 'c-1', items: [{ product_id: 'p', quantity: 1 }] };

describe('storeOrder', () => {
  it('stores a new order as PENDING with no attempts', async () => {
    const orders = new MemoryOrderRepository();
    const storeOrder = createStoreOrder({ orders, clock: new ManualClock() });
    const result = await storeOrder({ submission_id: 's-1', order });
    const stored = await orders.get('o-1');
    assert.deepEqual(result, { outcome: 'CREATED', status: 'PENDING', order: stored });
    assert.deepEqual([stored?.status, stored?.attempts, stored?.submission_id], ['PENDING', 0, 's-1']);
  });

  it('answers CREATED again for a re-run of the same submission, so the order is still enqueued', async () => {
    const storeOrder = createStoreOrder({ orders: new MemoryOrderRepository(), clock: new ManualClock() });
    await storeOrder({ submission_id: 's-1', order });
    const again = await storeOrder({ submission_id: 's-1', order });
    assert.deepEqual([again.outcome, again.status, again.order.submission_id], ['CREATED', 'PENDING', 's-1']);
  });

  it('stores a new order marked as not yet queued', async () => {
    const orders = new MemoryOrderRepository();
    await createStoreOrder({ orders, clock: new ManualClock() })({ submission_id: 's-1', order });
    assert.equal((await orders.get('o-1'))?.queued, false);
  });

  it('answers EXISTS for another submission of the same payload once the order is queued', async () => {
    const orders = new MemoryOrderRepository();
    const storeOrder = createStoreOrder({ orders, clock: new ManualClock() });
    await storeOrder({ submission_id: 's-1', order });
    // What submitOrder does once the first submission's SendToQueue succeeded.
    await orders.transition('o-1', { status: 'PENDING', unqueued: true }, { queued: true, event: anEvent() });
    const other = await storeOrder({ submission_id: 's-2', order });
    // The order found is the first submission's, unchanged.
    assert.deepEqual([other.outcome, other.status, other.order.submission_id], ['EXISTS', 'PENDING', 's-1']);
  });

  it('answers CREATED for another submission while the order is PENDING and was never queued', async () => {
    // The first submission stored the order, then its SendToQueue failed (503) or its process died: the
    // resubmission must enqueue it, or an order it answers 2xx for would sit PENDING with no message.
    const storeOrder = createStoreOrder({ orders: new MemoryOrderRepository(), clock: new ManualClock() });
    await storeOrder({ submission_id: 's-1', order });
    const resubmitted = await storeOrder({ submission_id: 's-2', order });
    assert.deepEqual(
      [resubmitted.outcome, resubmitted.status, resubmitted.order.submission_id],
      ['CREATED', 'PENDING', 's-1'],
    );
  });

  it('answers EXISTS for a never-queued order that is no longer PENDING (nothing left to move)', async () => {
    const orders = new MemoryOrderRepository();
    const storeOrder = createStoreOrder({ orders, clock: new ManualClock() });
    await storeOrder({ submission_id: 's-1', order });
    await orders.transition('o-1', 'PENDING', {
      status: 'FULFILLED',
      updated_at: 'y',
      event: anEvent('fulfilled'),
    });
    assert.equal((await storeOrder({ submission_id: 's-2', order })).outcome, 'EXISTS');
  });

  it('throws OrderConflict for the same id with another payload', async () => {
    const storeOrder = createStoreOrder({ orders: new MemoryOrderRepository(), clock: new ManualClock() });
    await storeOrder({ submission_id: 's-1', order });
    await assert.rejects(storeOrder({ submission_id: 's-2', order: { ...order, customer_id: 'c-2' } }), {
      name: 'OrderConflict',
    });
  });
});
