import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
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
import { encodeOrderMessage } from '../../src/core/order-message.ts';
import type { PollableQueue } from '../../src/core/ports.ts';
import { createDeadLetterBatchHandler } from '../../src/handlers/sqs/dead-letter-batch.ts';
import { createFulfillmentBatchHandler } from '../../src/handlers/sqs/fulfillment-batch.ts';
import { EventSourcePoller } from '../../src/hosts/local/event-source-poller.ts';
import { anOrder, ManualClock, recordingLogger } from '../support/builders.ts';
import { eventually } from '../support/eventually.ts';

// Time is a ManualClock shared by the queues and the pollers: a poller sleeps on its timers, so nothing is
// redelivered until a test moves the clock, and a test that waits for the pollers to fall asleep knows
// that everything that could happen at this instant has happened.

const VISIBILITY_TIMEOUT_MS = 30_000;
const IDLE_WAIT_MS = 60_000;

const databases: SqliteDatabase[] = [];
after(() => {
  for (const db of databases) db.close();
});

function queues(clock: ManualClock, maxReceiveCount = 3) {
  const db = openDatabase(':memory:');
  databases.push(db);
  const visibilityTimeoutMs = VISIBILITY_TIMEOUT_MS;
  const dlq = new SqliteQueue(db, { name: 'order_dlq', visibilityTimeoutMs, clock });
  const queue = new SqliteQueue(db, {
    name: 'order_queue',
    visibilityTimeoutMs,
    clock,
    deadLetter: { queue: dlq, maxReceiveCount },
  });
  return { queue, dlq };
}

function poller(
  clock: ManualClock,
  queue: PollableQueue,
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>,
) {
  return new EventSourcePoller({
    queue,
    handler,
    batchSize: 10,
    concurrency: 1,
    logger: recordingLogger(),
    clock,
    idleWaitMs: IDLE_WAIT_MS,
  });
}

/** Resolves once `loops` poller loops sleep on the clock: until it moves or a send comes, nothing happens. */
const asleep = (clock: ManualClock, loops = 1) => eventually(() => clock.pendingTimers === loops, 5000, 1);

/** Past a failed message's visibility timeout (and the poller's batching window for redeliveries). */
const pastVisibilityTimeout = (clock: ManualClock) => clock.advance(VISIBILITY_TIMEOUT_MS + 1000);

const failAll = (event: SQSEvent): SQSBatchResponse => ({
  batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })),
});

describe('EventSourcePoller (local event source mapping)', () => {
  it('deletes the records that succeeded and leaves only the reported failures in flight', async () => {
    const clock = new ManualClock();
    const { queue } = queues(clock);
    const seen: string[] = [];
    const p = poller(clock, queue, async (event) => {
      seen.push(...event.Records.map((r) => r.body));
      return {
        batchItemFailures: event.Records.filter((r) => r.body === 'bad').map((r) => ({
          itemIdentifier: r.messageId,
        })),
      };
    });
    for (const body of ['a', 'bad', 'b']) await queue.send(body);
    p.start();
    await asleep(clock);
    await p.stop();
    assert.deepEqual(seen, ['a', 'bad', 'b'], 'one batch, in the order sent');
    assert.deepEqual(await queue.depth(), { visible: 0, inFlight: 1 });
  });

  it('hands over SQS-shaped records, and a failed one again after its visibility timeout with the receive count', async () => {
    const clock = new ManualClock();
    const { queue } = queues(clock);
    const records: SQSEvent['Records'] = [];
    const p = poller(clock, queue, async (event) => {
      records.push(...event.Records);
      return failAll(event);
    });
    const sentAt = clock.now();
    await queue.send('x');
    p.start();
    await asleep(clock);
    clock.advance(VISIBILITY_TIMEOUT_MS - 1);
    await asleep(clock);
    assert.equal(records.length, 1, 'still invisible one millisecond before its visibility timeout');
    for (let receive = 2; receive <= 3; receive++) {
      pastVisibilityTimeout(clock);
      await asleep(clock);
      assert.equal(records.length, receive);
    }
    await p.stop();
    assert.deepEqual(
      records.map((r) => r.attributes.ApproximateReceiveCount),
      ['1', '2', '3'],
    );
    for (const record of records) {
      assert.equal(record.body, 'x');
      assert.equal(record.eventSource, 'aws:sqs');
      assert.equal(record.eventSourceARN, 'arn:aws:sqs:local-1:000000000000:order_queue');
      assert.equal(record.attributes.SentTimestamp, String(sentAt));
      assert.equal(record.attributes.ApproximateFirstReceiveTimestamp, String(sentAt));
    }
    assert.equal(new Set(records.map((r) => r.receiptHandle)).size, 3, 'a new receipt handle per receive');
  });

  it('retries the whole batch when the handler throws', async () => {
    const clock = new ManualClock();
    const { queue } = queues(clock);
    const batches: string[][] = [];
    const p = poller(clock, queue, async (event) => {
      batches.push(event.Records.map((r) => r.body));
      throw new Error('handler crashed');
    });
    await queue.send('a');
    await queue.send('b');
    p.start();
    await asleep(clock);
    assert.deepEqual(await queue.depth(), { visible: 0, inFlight: 2 }, 'nothing deleted');
    pastVisibilityTimeout(clock);
    await asleep(clock);
    await p.stop();
    assert.deepEqual(batches, [
      ['a', 'b'],
      ['a', 'b'],
    ]);
  });

  it('treats a failure naming a record outside the batch as a whole-batch failure, as Lambda does', async () => {
    const clock = new ManualClock();
    const { queue } = queues(clock);
    let calls = 0;
    const p = poller(clock, queue, async () => {
      calls += 1;
      return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] };
    });
    await queue.send('a');
    p.start();
    await asleep(clock);
    await p.stop();
    assert.equal(calls, 1);
    assert.deepEqual(await queue.depth(), { visible: 0, inFlight: 1 });
  });

  it('handles a message sent to an idle poller at once, without waiting out its idle timer', async () => {
    const clock = new ManualClock();
    const { queue } = queues(clock);
    const handled: string[] = [];
    const p = poller(clock, queue, async (event) => {
      handled.push(...event.Records.map((r) => r.body));
      return { batchItemFailures: [] };
    });
    p.start();
    await asleep(clock); // the queue is empty: it sleeps for its idle wait, which this clock never reaches
    await queue.send('a');
    await asleep(clock);
    await p.stop();
    assert.deepEqual(handled, ['a'], 'the send woke it: the clock never moved');
    assert.deepEqual(await queue.depth(), { visible: 0, inFlight: 0 });
  });

  it('sends a poison message to the DLQ and failed_orders while good orders keep flowing', async () => {
    const clock = new ManualClock();
    const { queue, dlq } = queues(clock, 2);
    const orders = new MemoryOrderRepository();
    const failedOrders = new MemoryFailedOrderRepository();
    const logger = recordingLogger();
    const order = anOrder();
    await orders.create(order);
    const fulfil = createFulfillOrder({ orders, clock, random: () => 0, successRate: 1, logger });
    const deadLetter = createDeadLetterOrder({ orders, failedOrders, clock, logger });
    const pollers = [
      poller(clock, queue, createFulfillmentBatchHandler(fulfil)),
      poller(clock, dlq, createDeadLetterBatchHandler(deadLetter)),
    ];
    const { messageId } = await queue.send('{{{ not json');
    await queue.send(encodeOrderMessage(order.order_id));
    for (const p of pollers) p.start();
    await asleep(clock, pollers.length);
    assert.equal((await orders.get(order.order_id))?.status, 'FULFILLED', 'the good order did not wait');
    assert.deepEqual(await queue.depth(), { visible: 0, inFlight: 1 }, 'the poison message, received once');
    pastVisibilityTimeout(clock); // the second receive, the last one maxReceiveCount allows
    await asleep(clock, pollers.length);
    assert.equal(await failedOrders.count(), 0);
    pastVisibilityTimeout(clock); // a third receive would exceed it: the message moves to the DLQ instead
    await asleep(clock, pollers.length);
    for (const p of pollers) await p.stop();
    assert.equal((await failedOrders.get(`message-${messageId}`))?.body, '{{{ not json');
    assert.deepEqual(await queue.depth(), { visible: 0, inFlight: 0 });
    assert.deepEqual(await dlq.depth(), { visible: 0, inFlight: 0 });
  });
});

describe('EventSourcePoller wake-ups', () => {
  it('does not miss a send that arrives while it is deciding how long to sleep', async () => {
    const clock = new ManualClock();
    const { queue } = queues(clock);
    const handled: string[] = [];
    // nextVisibleAt answers only when the test says so, so that each send lands while the poller waits for
    // that answer, every time.
    const unanswered: (() => void)[] = [];
    const held: PollableQueue = {
      name: queue.name,
      send: (body) => queue.send(body),
      receive: (max) => queue.receive(max),
      delete: (handles) => queue.delete(handles),
      depth: () => queue.depth(),
      onMessage: (listener) => queue.onMessage(listener),
      nextVisibleAt: () => new Promise((resolve) => unanswered.push(() => resolve(undefined))),
    };
    const deciding = () => unanswered.length === 1;
    const p = poller(clock, held, async (event) => {
      handled.push(...event.Records.map((r) => r.body));
      return { batchItemFailures: [] };
    });
    p.start();
    const sent: string[] = [];
    for (let i = 1; i <= 3; i++) {
      await eventually(deciding, 5000, 1);
      sent.push(`m${i}`);
      await queue.send(`m${i}`);
      unanswered.shift()?.();
      // Back to deciding (it received and handled the message) or asleep (it missed the send).
      await eventually(() => deciding() || clock.pendingTimers === 1, 5000, 1);
      assert.deepEqual(handled, sent);
    }
    const stopped = p.stop();
    for (const answer of unanswered.splice(0)) answer();
    await stopped;
  });

  describe('with the early view (a batch in one transaction)', () => {
    function earlyQueues() {
      const db = openDatabase(':memory:');
      databases.push(db);
      const queue = new SqliteQueue(db.early, {
        name: 'order_queue',
        visibilityTimeoutMs: 60_000,
        clock: systemClock,
      });
      return {
        db,
        queue,
        plain: new SqliteQueue(db, { name: 'order_queue', visibilityTimeoutMs: 60_000, clock: systemClock }),
      };
    }

    it('receives, handles and deletes a batch in one transaction: the claim alone is never committed', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'dofs-poller-'));
      const db = openDatabase(join(dir, 'q.sqlite'));
      const queue = new SqliteQueue(db.early, {
        name: 'order_queue',
        visibilityTimeoutMs: 60_000,
        clock: systemClock,
      });
      const mark = db.mark;
      for (const body of ['a', 'b', 'c']) await queue.send(body);
      await db.whenCommitted(mark);
      const other = new DatabaseSync(join(dir, 'q.sqlite'), { readOnly: true });
      const committedReceives = () =>
        other
          .prepare('SELECT receive_count AS n FROM messages ORDER BY seq')
          .all()
          .map((r) => Number(r.n));
      const seenByOthers: number[][] = [];
      const batches: string[][] = [];
      const p = new EventSourcePoller({
        queue,
        transactions: db,
        clock: systemClock,
        handler: async (event) => {
          batches.push(event.Records.map((r) => r.body));
          seenByOthers.push(committedReceives());
          return { batchItemFailures: [] };
        },
        batchSize: 10,
        concurrency: 1,
        logger: recordingLogger(),
        idleWaitMs: 60_000,
      });
      p.start();
      await eventually(() => batches.length === 1 && committedReceives().length === 0);
      await p.stop();
      assert.deepEqual(batches, [['a', 'b', 'c']]);
      assert.deepEqual(seenByOthers, [[0, 0, 0]], 'while the batch is handled, its claim is not committed');
      other.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('puts a batch back as if never received when its commit fails', async () => {
      const { db, queue, plain } = earlyQueues();
      db.db.exec(`PRAGMA foreign_keys = ON;
        CREATE TABLE parent (id INTEGER PRIMARY KEY);
        CREATE TABLE child (parent_id INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)`);
      await plain.send('a');
      let calls = 0;
      const logger = recordingLogger();
      const p = new EventSourcePoller({
        queue,
        transactions: db,
        clock: systemClock,
        handler: async () => {
          calls += 1;
          // The first batch's transaction cannot commit (a deferred foreign key is checked at COMMIT).
          if (calls === 1) await db.early.run(() => db.db.prepare('INSERT INTO child VALUES (42)').run());
          return { batchItemFailures: [] };
        },
        batchSize: 10,
        concurrency: 1,
        logger,
        idleWaitMs: 20,
      });
      p.start();
      await eventually(async () => calls >= 2 && (await plain.depth()).inFlight === 0);
      await p.stop();
      assert.ok(
        logger.lines.some((l) => l.message === 'batch not committed; its messages will be redelivered'),
      );
      assert.deepEqual(await plain.depth(), { visible: 0, inFlight: 0 }, 'delivered again, then deleted');
      const row = db.db.prepare('SELECT count(*) AS n FROM messages').get();
      assert.equal(Number(row?.n), 0);
    });
  });
});
