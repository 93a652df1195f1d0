// The storage thread of the local host (a worker_threads Worker started by ./storage-client.ts). It owns the one
// SQLite connection, so SQLite's single writer is one thread and never waits on a lock held by another,
// and it runs the consumers (the order_queue and order_dlq pollers), which live next to the data they
// claim. The HTTP thread reaches the repositories and queues through batched calls (thread-rpc.ts); this
// thread sends back log records and metric events, batched per turn.
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { levelLogger } from '../../adapters/node/json-logger.ts';
import { randomSource, systemClock } from '../../adapters/node/runtime.ts';
import { startCheckpointer } from '../../adapters/sqlite/checkpointer.ts';
import { DATABASE_FILE, openDatabase } from '../../adapters/sqlite/database.ts';
import { SqliteExecutionJournal } from '../../adapters/sqlite/sqlite-execution-journal.ts';
import { SqliteFailedOrderRepository } from '../../adapters/sqlite/sqlite-failed-order-repository.ts';
import { SqliteMetricSamples } from '../../adapters/sqlite/sqlite-metric-samples.ts';
import { SqliteOrderRepository } from '../../adapters/sqlite/sqlite-order-repository.ts';
import { SqliteQueue } from '../../adapters/sqlite/sqlite-queue.ts';
import { findStrandedPendingOrders } from '../../adapters/sqlite/sqlite-reconciliation.ts';
import { SqliteWriteProbe } from '../../adapters/sqlite/sqlite-write-probe.ts';
import type { LocalConfig } from '../../config.ts';
import { createDeadLetterOrder } from '../../core/dead-letter-order.ts';
import { createFulfillOrder } from '../../core/fulfill-order.ts';
import type { OrderMetrics } from '../../core/ports.ts';
import { createDeadLetterBatchHandler } from '../../handlers/sqs/dead-letter-batch.ts';
import { createFulfillmentBatchHandler } from '../../handlers/sqs/fulfillment-batch.ts';
import { EventSourcePoller } from './event-source-poller.ts';
import type { StorageCommand, StorageEvent, StorageServices } from './storage-protocol.ts';
import { Batcher, type RpcMessage, serveRpc } from './thread-rpc.ts';

const port = parentPort;
if (!port) throw new Error('storage-thread.ts runs as a worker thread');
const config = workerData as LocalConfig;
const events = new Batcher<StorageEvent>((batch) =>
  port.postMessage({ type: 'events', events: batch } satisfies RpcMessage<StorageEvent>),
);

const metrics: OrderMetrics = {
  accepted() {},
  attempted: (succeeded) => events.push(['attempted', succeeded]),
  completed: (status, endToEndMs) => events.push(['completed', status, endToEndMs]),
};

const clock = systemClock;
// Log records (with their own time) go to the HTTP thread's logger, filtered by level here.
const logger = levelLogger({
  level: config.logLevel,
  emit: (level, message, fields) => events.push(['log', level, message, fields]),
});
const path = join(config.dataDir, DATABASE_FILE);
const db = openDatabase(path, {
  synchronous: config.sqliteSync,
  commitDelayMs: config.commitDelayMs,
  busyTimeoutMs: config.busyTimeoutMs,
  autoCheckpoint: false,
});
const checkpointer = await startCheckpointer(path, logger);
const orders = new SqliteOrderRepository(db);
const failedOrders = new SqliteFailedOrderRepository(db);
const dlq = new SqliteQueue(db, {
  name: 'order_dlq',
  visibilityTimeoutMs: config.visibilityTimeoutMs,
  clock,
});
const queue = new SqliteQueue(db, {
  name: 'order_queue',
  visibilityTimeoutMs: config.visibilityTimeoutMs,
  clock,
  deadLetter: { queue: dlq, maxReceiveCount: config.maxReceiveCount },
});

const fulfilment = new EventSourcePoller({
  queue,
  handler: createFulfillmentBatchHandler(
    createFulfillOrder({
      orders,
      clock,
      random: randomSource(config.randomSeed),
      successRate: config.successRate,
      logger,
      metrics,
    }),
  ),
  batchSize: config.batchSize,
  concurrency: config.consumerConcurrency,
  logger,
  clock,
});
const deadLettering = new EventSourcePoller({
  queue: dlq,
  handler: createDeadLetterBatchHandler(
    createDeadLetterOrder({ orders, failedOrders, clock, logger, metrics }),
  ),
  batchSize: config.batchSize,
  concurrency: 1,
  logger,
  clock,
});
const pollers = [fulfilment, deadLettering];

const writeProbe = new SqliteWriteProbe(db);
const services: StorageServices = {
  orders,
  failedOrders,
  order_queue: queue,
  order_dlq: dlq,
  journal: new SqliteExecutionJournal(db),
  monitoring: {
    async queueHealth() {
      const [orderQueue, orderDlq, retryingOrders] = await Promise.all([
        queue.health(),
        dlq.health(),
        orders.countRetrying(),
      ]);
      return {
        order_queue: { ...orderQueue, consumer: fulfilment.stats() },
        order_dlq: { ...orderDlq, consumer: deadLettering.stats() },
        retryingOrders,
      };
    },
  },
  metricSamples: new SqliteMetricSamples(db),
  reconciliation: { findStrandedPendingOrders: () => findStrandedPendingOrders(db) },
  readiness: { ping: async () => undefined, probeWrite: () => writeProbe.probe() },
};
const serve = serveRpc(port, services);

port.on('message', (message: RpcMessage | StorageCommand) => {
  switch (message.type) {
    case 'calls':
      serve(message.calls);
      break;
    case 'start-consumers':
      for (const poller of pollers) poller.start();
      break;
    case 'stop':
      // Batches in flight finish and commit; then the connection is closed and the thread can end.
      Promise.all(pollers.map((p) => p.stop()))
        .then(() => checkpointer.stop())
        .then(() => {
          db.close();
          events.push(['stopped']);
          events.flush();
          port.close();
        });
      break;
  }
});
events.push(['ready']);
