import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { SQSEvent } from 'aws-lambda';
import { openDatabase, type SqliteDatabase } from '../../src/adapters/sqlite/database.ts';
import { SqliteOrderRepository } from '../../src/adapters/sqlite/sqlite-order-repository.ts';
import { SqliteQueue } from '../../src/adapters/sqlite/sqlite-queue.ts';
import { OrderEventType } from '../../src/core/order-history.ts';
import { EventSourcePoller } from '../../src/hosts/local/event-source-poller.ts';
import { anOrder, ManualClock, recordingLogger } from '../support/builders.ts';
import { eventually } from '../support/eventually.ts';

const databases: SqliteDatabase[] = [];
after(() => {
  for (const db of databases) db.close();
});

function database(): SqliteDatabase {
  const db = openDatabase(':memory:');
  databases.push(db);
  return db;
}

describe('queue health (local host)', () => {
  it('reports the age of the oldest message, visible or in flight, and null for an empty queue', async () => {
    const clock = new ManualClock();
    const db = database();
    const dlq = new SqliteQueue(db, { name: 'order_dlq', visibilityTimeoutMs: 30_000, clock });
    const queue = new SqliteQueue(db, {
      name: 'order_queue',
      visibilityTimeoutMs: 30_000,
      clock,
      deadLetter: { queue: dlq, maxReceiveCount: 1 },
    });
    assert.deepEqual(await queue.health(), { visible: 0, inFlight: 0, oldestAgeMs: null });

    await queue.send('first');
    clock.advance(4_000);
    await queue.send('second');
    clock.advance(1_000);
    const [received] = await queue.receive(1);
    assert.equal(received?.body, 'first');
    assert.deepEqual(
      await queue.health(),
      { visible: 1, inFlight: 1, oldestAgeMs: 5_000 },
      'the oldest is the first message, though it is in flight',
    );

    await queue.delete([received?.receiptHandle ?? '']);
    assert.deepEqual(await queue.health(), { visible: 1, inFlight: 0, oldestAgeMs: 1_000 });
    assert.deepEqual(await dlq.health(), { visible: 0, inFlight: 0, oldestAgeMs: null });
  });

  it('keeps a dead-lettered message its age in the DLQ', async () => {
    const clock = new ManualClock();
    const db = database();
    const dlq = new SqliteQueue(db, { name: 'order_dlq', visibilityTimeoutMs: 1_000, clock });
    const queue = new SqliteQueue(db, {
      name: 'order_queue',
      visibilityTimeoutMs: 1_000,
      clock,
      deadLetter: { queue: dlq, maxReceiveCount: 1 },
    });
    await queue.send('poison');
    await queue.receive(1);
    clock.advance(2_000);
    await queue.receive(1); // exceeds maxReceiveCount: moved to order_dlq
    clock.advance(500);
    assert.deepEqual(await queue.health(), { visible: 0, inFlight: 0, oldestAgeMs: null });
    assert.deepEqual(await dlq.health(), { visible: 1, inFlight: 0, oldestAgeMs: 2_500 });
  });

  it('counts as retrying exactly the PENDING orders with a failed attempt', async () => {
    const orders = new SqliteOrderRepository(database());
    await orders.create(anOrder({ order_id: 'new' }));
    await orders.create(anOrder({ order_id: 'failed-once' }));
    await orders.create(anOrder({ order_id: 'failed-twice' }));
    await orders.create(anOrder({ order_id: 'fulfilled' }));
    await orders.create(anOrder({ order_id: 'dead-lettered' }));
    const at = new Date().toISOString();
    const fail = {
      countAttempt: true,
      last_error: 'attempt failed',
      updated_at: at,
      event: { type: OrderEventType.ATTEMPT_FAILED, at },
    };
    await orders.transition('failed-once', 'PENDING', fail);
    await orders.transition('failed-twice', 'PENDING', fail);
    await orders.transition('failed-twice', 'PENDING', fail);
    await orders.transition('fulfilled', 'PENDING', {
      ...fail,
      status: 'FULFILLED',
      last_error: null,
      event: { type: OrderEventType.FULFILLED, at },
    });
    await orders.transition('dead-lettered', 'PENDING', fail);
    await orders.transition('dead-lettered', 'PENDING', {
      status: 'FAILED',
      updated_at: at,
      event: { type: OrderEventType.DEAD_LETTERED, at },
    });
    assert.equal(await orders.countRetrying(), 2);

    // A redrive starts the order over (attempts 0): no longer retrying.
    await orders.transition('failed-once', 'PENDING', {
      resetAttempts: true,
      updated_at: at,
      event: { type: OrderEventType.REDRIVEN, at },
    });
    assert.equal(await orders.countRetrying(), 1);
  });

  it('counts the consumer batches, their records and failures, and the batches in progress', async () => {
    const clock = new ManualClock();
    const queue = new SqliteQueue(database(), { name: 'order_queue', visibilityTimeoutMs: 60_000, clock });
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const poller = new EventSourcePoller({
      queue,
      batchSize: 10,
      concurrency: 2,
      logger: recordingLogger(),
      clock,
      handler: async (event: SQSEvent) => {
        if (event.Records.some((r) => r.body === 'hold')) await held;
        return {
          batchItemFailures: event.Records.filter((r) => r.body === 'bad').map((r) => ({
            itemIdentifier: r.messageId,
          })),
        };
      },
    });
    assert.deepEqual(poller.stats(), {
      batches: 0,
      records: 0,
      failedRecords: 0,
      inFlightBatches: 0,
      concurrency: 2,
      lastBatchAt: null,
    });
    await queue.send('hold');
    poller.start();
    try {
      await eventually(() => poller.stats().inFlightBatches === 1);
      await queue.send('good');
      await queue.send('bad');
      await eventually(() => poller.stats().records === 3);
      release();
      await eventually(() => poller.stats().inFlightBatches === 0);
      const stats = poller.stats();
      assert.ok(stats.batches >= 2 && stats.batches <= 3, `batches: ${stats.batches}`);
      assert.equal(stats.failedRecords, 1);
      assert.equal(stats.lastBatchAt, clock.now(), "on the poller's clock");
    } finally {
      release();
      await poller.stop();
    }
  });
});
