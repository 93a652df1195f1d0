import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anEvent, anOrder, ManualClock, recordingLogger } from '../../test/support/builders.ts';
import { MemoryFailedOrderRepository } from '../adapters/memory/memory-failed-order-repository.ts';
import { MemoryOrderRepository } from '../adapters/memory/memory-order-repository.ts';
import type { MessageSender } from './ports.ts';
import { createRedriveOrders, REDRIVE_CLAIM_TIMEOUT_MS } from './redrive-orders.ts';

async function setup(failedCount = 1) {
  const orders = new MemoryOrderRepository();
  const failedOrders = new MemoryFailedOrderRepository();
  const sent: string[] = [];
  const queue: MessageSender = {
    send: async (body) => {
      sent.push(body);
      return { messageId: `m-${sent.length}` };
    },
  };
  const failed = [];
  for (let i = 0; i < failedCount; i++) {
    const order = anOrder({ status: 'FAILED', attempts: 3, last_error: 'boom' });
    await orders.create(order);
    await failedOrders.put({
      order_id: order.order_id,
      reason: 'boom',
      attempts: 3,
      message_id: 'm',
      body: '{}',
      failed_at: `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`,
    });
    failed.push(order);
  }
  const clock = new ManualClock();
  const redrive = createRedriveOrders({ orders, failedOrders, queue, clock, logger: recordingLogger() });
  return { orders, failedOrders, sent, failed, redrive, clock };
}

describe('redriveOrders', () => {
  it('moves a FAILED order back to PENDING with a fresh attempt budget, re-enqueues it and clears the record', async () => {
    const { orders, failedOrders, sent, failed, redrive } = await setup();
    const id = failed[0]?.order_id ?? '';
    assert.deepEqual(await redrive.redriveOne(id), { ok: true, orderId: id });
    const order = await orders.get(id);
    assert.deepEqual(
      [order?.status, order?.attempts, order?.redrives, order?.last_error],
      ['PENDING', 0, 1, null],
    );
    assert.deepEqual(sent, [JSON.stringify({ order_id: id })]);
    assert.equal(await failedOrders.get(id), undefined);
  });

  it('refuses an order that is not FAILED', async () => {
    const { orders, redrive, sent } = await setup(0);
    const order = anOrder({ status: 'FULFILLED' });
    await orders.create(order);
    const result = await redrive.redriveOne(order.order_id);
    assert.ok(!result.ok && result.error.name === 'InvalidTransition');
    assert.deepEqual(sent, []);
  });

  it('answers OrderNotFound for an unknown id', async () => {
    const { redrive } = await setup(0);
    const result = await redrive.redriveOne('ghost');
    assert.ok(!result.ok && result.error.name === 'OrderNotFound');
  });

  it('finishes a redrive that a crash interrupted after its claim, once the claim has expired', async () => {
    const { orders, failedOrders, sent, failed, redrive, clock } = await setup();
    const id = failed[0]?.order_id ?? '';
    // The crash: the claim (FAILED → PENDING, not yet queued) committed, the send never happened.
    await orders.transition(id, 'FAILED', {
      status: 'PENDING',
      resetAttempts: true,
      queued: false,
      updated_at: new Date(clock.now()).toISOString(),
      event: anEvent('redriven'),
    });
    const early = await redrive.redriveOne(id);
    assert.ok(!early.ok && early.error.name === 'InvalidTransition', 'a claim still held is not taken over');
    assert.deepEqual(sent, []);
    clock.advance(REDRIVE_CLAIM_TIMEOUT_MS + 1);
    assert.equal((await redrive.redriveOne(id)).ok, true);
    assert.equal(sent.length, 1);
    assert.equal(await failedOrders.count(), 0);
    assert.equal((await orders.get(id))?.queued, undefined, 'marked as queued');
    const again = await redrive.redriveOne(id);
    assert.ok(!again.ok, 'and only once');
    assert.equal(sent.length, 1);
  });

  it('removes the stale record of a redriven order that was queued since, without sending it again', async () => {
    const { orders, failedOrders, sent, failed, redrive } = await setup();
    const id = failed[0]?.order_id ?? '';
    // A redrive stopped after its claim; the local host's start-up reconciliation queued the order.
    await orders.transition(id, 'FAILED', {
      status: 'PENDING',
      resetAttempts: true,
      queued: false,
      event: anEvent('redriven'),
    });
    await orders.transition(
      id,
      { status: 'PENDING', unqueued: true },
      { queued: true, event: anEvent('queued') },
    );
    const result = await redrive.redriveOne(id);
    assert.ok(!result.ok && result.error.name === 'InvalidTransition', 'it redrove nothing');
    assert.deepEqual([sent.length, await failedOrders.count()], [0, 0]);
  });

  it('lets exactly one of many concurrent redrives of one order enqueue it', async () => {
    const { orders, failedOrders, sent, failed, redrive } = await setup();
    const id = failed[0]?.order_id ?? '';
    const results = await Promise.all(Array.from({ length: 20 }, () => redrive.redriveOne(id)));
    assert.equal(results.filter((r) => r.ok).length, 1);
    for (const r of results.filter((r) => !r.ok)) {
      assert.equal(!r.ok && r.error.name, 'InvalidTransition');
    }
    assert.deepEqual(sent, [JSON.stringify({ order_id: id })]);
    assert.deepEqual([(await orders.get(id))?.redrives, await failedOrders.count()], [1, 0]);
  });

  it('gives the order back when its send fails, so a retry redrives it', async () => {
    const { orders, failedOrders, failed, clock } = await setup();
    const id = failed[0]?.order_id ?? '';
    let fail = true;
    const sent: string[] = [];
    const redrive = createRedriveOrders({
      orders,
      failedOrders,
      queue: {
        send: async (body) => {
          if (fail) throw new Error('queue unavailable');
          sent.push(body);
          return { messageId: 'm' };
        },
      },
      clock,
      logger: recordingLogger(),
    });
    await assert.rejects(redrive.redriveOne(id), /queue unavailable/);
    assert.equal((await orders.get(id))?.status, 'FAILED');
    fail = false;
    assert.equal((await redrive.redriveOne(id)).ok, true);
    assert.deepEqual([sent.length, await failedOrders.count()], [1, 0]);
  });

  it('redrives every failed order across pages', async () => {
    const { failedOrders, sent, redrive } = await setup(205);
    const results = await redrive.redriveAll();
    assert.equal(results.filter((r) => r.ok).length, 205);
    assert.equal(sent.length, 205);
    assert.equal(await failedOrders.count(), 0);
  });
});

describe('redriveOrders after an interrupted redrive', () => {
  it('removes the leftover record of an order that was re-queued and fulfilled meanwhile', async () => {
    const { orders, failedOrders, sent, failed, redrive } = await setup();
    const id = failed[0]?.order_id ?? '';
    await orders.transition(id, 'FAILED', { status: 'PENDING', updated_at: 'x', event: anEvent('redriven') });
    await orders.transition(id, 'PENDING', {
      status: 'FULFILLED',
      updated_at: 'y',
      event: anEvent('fulfilled'),
    });
    assert.deepEqual(await redrive.redriveOne(id), { ok: true, orderId: id });
    assert.equal(await failedOrders.count(), 0);
    assert.deepEqual(sent, [], 'nothing is sent again for a fulfilled order');
  });
});

describe("redriveOrders and the order's history", () => {
  it('records the redrive and the send, and keeps the failure that the redrive clears from the order', async () => {
    const { orders, failedOrders, redrive, clock } = await setup(0);
    const order = anOrder({ attempts: 0 });
    await orders.create(order);
    const id = order.order_id;
    await orders.transition(id, 'PENDING', {
      countAttempt: true,
      last_error: 'no stock',
      event: { ...anEvent('attempt_failed'), detail: 'no stock' },
    });
    await orders.transition(id, 'PENDING', {
      status: 'FAILED',
      event: { ...anEvent('dead_lettered'), detail: 'no stock' },
    });
    await failedOrders.put({
      order_id: id,
      reason: 'no stock',
      attempts: 1,
      message_id: 'm',
      body: '{}',
      failed_at: 'x',
    });
    clock.advance(1000);
    assert.equal((await redrive.redriveOne(id)).ok, true);
    const redriven = await orders.get(id);
    assert.deepEqual([redriven?.last_error, await failedOrders.get(id)], [null, undefined]);
    const at = new Date(clock.now()).toISOString();
    assert.deepEqual(
      (await orders.history(id))?.events.map((e) => [e.type, e.status, e.attempt, e.redrive, e.detail, e.at]),
      [
        ['accepted', 'PENDING', 0, 0, undefined, order.created_at],
        ['attempt_failed', 'PENDING', 1, 0, 'no stock', '2026-01-01T00:00:00.000Z'],
        ['dead_lettered', 'FAILED', 1, 0, 'no stock', '2026-01-01T00:00:00.000Z'],
        ['redriven', 'PENDING', 0, 1, undefined, at],
        ['queued', 'PENDING', 0, 1, undefined, at],
      ],
    );
  });

  it('records a redrive whose send failed, and the order going back to FAILED with the error', async () => {
    const orders = new MemoryOrderRepository();
    const failedOrders = new MemoryFailedOrderRepository();
    const order = anOrder({ status: 'FAILED', attempts: 3 });
    await orders.create(order);
    const redrive = createRedriveOrders({
      orders,
      failedOrders,
      queue: {
        send: async () => {
          throw new Error('queue unavailable');
        },
      },
      clock: new ManualClock(),
      logger: recordingLogger(),
    });
    await assert.rejects(redrive.redriveOne(order.order_id), /queue unavailable/);
    assert.deepEqual(
      (await orders.history(order.order_id))?.events.slice(1).map((e) => [e.type, e.status, e.detail]),
      [
        ['redriven', 'PENDING', undefined],
        ['redrive_reverted', 'FAILED', "the redrive could not send the order's message: queue unavailable"],
      ],
    );
  });

  it('records the takeover of an interrupted redrive', async () => {
    const { orders, failed, redrive, clock } = await setup();
    const id = failed[0]?.order_id ?? '';
    await orders.transition(id, 'FAILED', {
      status: 'PENDING',
      resetAttempts: true,
      queued: false,
      updated_at: new Date(clock.now()).toISOString(),
      event: anEvent('redriven'),
    });
    clock.advance(REDRIVE_CLAIM_TIMEOUT_MS + 1);
    assert.equal((await redrive.redriveOne(id)).ok, true);
    assert.deepEqual(
      (await orders.history(id))?.events.map((e) => e.type),
      ['accepted', 'redriven', 'redrive_resumed', 'queued'],
    );
  });
});
