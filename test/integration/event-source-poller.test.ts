import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { MemoryFailedOrderRepository } from '../../src/adapters/memory/memory-failed-order-repository.ts';
import { MemoryOrderRepository } from '../../src/adapters/memory/memory-order-repository.ts';
import { systemClock } from '../../src/adapters/node/runtime.ts';
import type { SqliteDatabase } from '../../src/adapters/sqlite/database.ts';
import { openDatabase } from '../../src/adapters/sqlite/database.ts';
import { SqliteQueue } from '../../src/adapters/sqlite/sqlite-queue.ts';
import { createDeadLetterOrder } from '../../src/core/dead-letter-order.ts';
import { createFulfillOrder } from '../../src/core/fulfill-order.ts';
import type { PollableQueue } from '../../src/core/ports.ts';
import { createDeadLetterBatchHandler } from '../../src/handlers/sqs/dead-letter-batch.ts';
import { createFulfillmentBatchHandler } from '../../src/handlers/sqs/fulfillment-batch.ts';
import { EventSourcePoller } from '../../src/hosts/local/event-source-poller.ts';
import { anOrder, recordingLogger } from '../support/builders.ts';

const databases: SqliteDatabase[] = [];
after(() => {
  for (const db of databases) db.close();
});

function queues(visibilityTimeoutMs: number, maxReceiveCount = 3) {
  const db = openDatabase(':memory:');
  databases.push(db);
  const dlq = new SqliteQueue(db, { name: 'order_dlq', visibilityTimeoutMs, clock: systemClock });
  const queue = new SqliteQueue(db, {
    name: 'order_queue',
    visibilityTimeoutMs,
    clock: systemClock,
    deadLetter: { queue: dlq, maxReceiveCount },
  });
  return { queue, dlq };
}

/** Resolves when `check` holds, polling every few ms; rejects after `ms` so a broken build fails instead of hanging. */
async function eventually(check: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function poller(
  queue: SqliteQueue,
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>,
  idleWaitMs = 60_000,
) {
  return new EventSourcePoller({
    queue,
    handler,
    batchSize: 10,
    concurrency: 1,
    logger: recordingLogger(),
    idleWaitMs,
  });
}

describe('EventSourcePoller (local event source mapping)', () => {
  it('deletes the records that succeeded and leaves only the reported failures in flight', async () => {
    const { queue } = queues(60_000);
    const seen: string[] = [];
    const p = poller(queue, async (event) => {
      seen.push(...event.Records.map((r) => r.body));
      return {
        batchItemFailures: event.Records.filter((r) => r.body === 'bad').map((r) => ({
          itemIdentifier: r.messageId,
        })),
      };
    });
    for (const body of ['a', 'bad', 'b']) await queue.send(body);
    p.start();
    await eventually(() => seen.length === 3);
    await p.stop();
    assert.deepEqual(await queue.depth(), { visible: 0, inFlight: 1 });
  });

  it('hands over SQS-shaped records with the receive count', async () => {
    const { queue } = queues(10);
    const counts: string[] = [];
    const p = poller(
      queue,
      async (event) => {
        counts.push(...event.Records.map((r) => r.attributes.ApproximateReceiveCount));
        return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
      },
      20,
    );
    await queue.send('x');
    p.start();
    await eventually(() => counts.length >= 3);
    await p.stop();
    assert.deepEqual(counts.slice(0, 3), ['1', '2', '3']);
  });

  it('retries the whole batch when the handler throws', async () => {
    const { queue } = queues(60_000);
    let calls = 0;
    const p = poller(queue, async () => {
      calls += 1;
      throw new Error('handler crashed');
    });
    await queue.send('a');
    await queue.send('b');
    p.start();
    await eventually(() => calls === 1);
    await p.stop();
    assert.deepEqual(await queue.depth(), { visible: 0, inFlight: 2 }, 'nothing deleted: both come back');
  });

  it('treats a failure naming a record outside the batch as a whole-batch failure, as Lambda does', async () => {
    const { queue } = queues(60_000);
    let calls = 0;
    const p = poller(queue, async () => {
      calls += 1;
      return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] };
    });
    await queue.send('a');
    p.start();
    await eventually(() => calls === 1);
    await p.stop();
    assert.deepEqual(await queue.depth(), { visible: 0, inFlight: 1 });
  });

  it('wakes on send instead of waiting out its idle timer', async () => {
    const { queue } = queues(60_000);
    let handled = 0;
    const p = poller(
      queue,
      async () => {
        handled += 1;
        return { batchItemFailures: [] };
      },
      60_000,
    );
    p.start();
    await new Promise((r) => setTimeout(r, 20));
    await queue.send('a');
    await eventually(() => handled === 1, 2000);
    await p.stop();
  });

  it('sends a poison message to the DLQ and failed_orders while good orders keep flowing', async () => {
    const { queue, dlq } = queues(20, 2);
    const orders = new MemoryOrderRepository();
    const failedOrders = new MemoryFailedOrderRepository();
    const logger = recordingLogger();
    const order = anOrder();
    await orders.create(order);
    const fulfil = createFulfillOrder({
      orders,
      clock: systemClock,
      random: () => 0,
      successRate: 1,
      logger,
    });
    const deadLetter = createDeadLetterOrder({ orders, failedOrders, clock: systemClock, logger });
    const pollers = [
      poller(queue, createFulfillmentBatchHandler(fulfil), 50),
      poller(dlq, createDeadLetterBatchHandler(deadLetter), 50),
    ];
    const { messageId } = await queue.send('{{{ not json');
    await queue.send(JSON.stringify({ order_id: order.order_id }));
    for (const p of pollers) p.start();
    await eventually(
      async () =>
        (await failedOrders.count()) === 1 && (await orders.get(order.order_id))?.status === 'FULFILLED',
    );
    for (const p of pollers) await p.stop();
    assert.equal((await failedOrders.get(`message-${messageId}`))?.body, '{{{ not json');
    assert.deepEqual(await queue.depth(), { visible: 0, inFlight: 0 });
    assert.deepEqual(await dlq.depth(), { visible: 0, inFlight: 0 });
  });
});

describe('EventSourcePoller wake-ups', () => {
  it('does not miss a send that arrives while it is deciding how long to sleep', async () => {
    const { queue } = queues(60_000);
    let handled = 0;
    // Delay nextVisibleAt so that the send lands inside that window every time.
    const slowQueue: PollableQueue = {
      name: queue.name,
      send: (body) => queue.send(body),
      receive: (max) => queue.receive(max),
      delete: (handles) => queue.delete(handles),
      depth: () => queue.depth(),
      onMessage: (listener) => queue.onMessage(listener),
      nextVisibleAt: async () => {
        await new Promise((r) => setTimeout(r, 30));
        return undefined;
      },
    };
    const p = new EventSourcePoller({
      queue: slowQueue,
      handler: async () => {
        handled += 1;
        return { batchItemFailures: [] };
      },
      batchSize: 10,
      concurrency: 1,
      logger: recordingLogger(),
      idleWaitMs: 60_000,
    });
    p.start();
    for (let i = 1; i <= 3; i++) {
      await new Promise((r) => setTimeout(r, 10));
      await queue.send(`m${i}`);
      await eventually(() => handled === i, 2000);
    }
    await p.stop();
  });
});
