// The storage thread of the local host (a worker_threads Worker started by ./storage-client.ts). It owns the one
// SQLite connection, so SQLite's single writer is one thread and never waits on a lock held by another,
// and it runs what writes, next to the data: order intake (the ASL workflow, whose StoreOrder and SendToQueue
// are writes: one cross-thread round trip and one commit per order, see intake.ts) and the consumers (the
// order_queue and order_dlq pollers). The HTTP thread reaches the services through batched calls
// (thread-rpc.ts); this thread sends back log records and metric events, batched per turn.
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { levelLogger } from '../../adapters/node/json-logger.ts';
import { randomSource, systemClock, systemIds } from '../../adapters/node/runtime.ts';
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
import { createStoreOrder } from '../../core/store-order.ts';
import { createAcceptOrder } from '../../core/submit-order.ts';
import { createValidateOrder } from '../../core/validate-order.ts';
import { createDeadLetterBatchHandler } from '../../handlers/sqs/dead-letter-batch.ts';
import { createFulfillmentBatchHandler } from '../../handlers/sqs/fulfillment-batch.ts';
import { LocalOrderWorkflow, sendToQueueTask } from '../../workflow/local-order-workflow.ts';
import { loadOrderWorkflowDefinition } from '../../workflow/order-workflow-definition.ts';
import { sampleBacklog } from './backlog-sampler.ts';
import { EventSourcePoller } from './event-source-poller.ts';
import { Admission, createIntake } from './intake.ts';
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
const checkpointer = await startCheckpointer(path, logger, { writer: db });
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
// Intake and the order_queue consumer write through the database's early view: an order's StoreOrder,
// SendToQueue and queued mark share one commit, and so do a batch's receive, fulfilments and delete. Their
// answers and next batches wait for that commit (intake.ts, event-source-poller.ts).
const earlyOrders = new SqliteOrderRepository(db.early);
const earlyQueue = new SqliteQueue(db.early, {
  name: 'order_queue',
  visibilityTimeoutMs: config.visibilityTimeoutMs,
  clock,
  deadLetter: { queue: dlq, maxReceiveCount: config.maxReceiveCount },
});
// A send through the other view (a redrive from the HTTP thread) wakes the consumers too.
queue.onMessage(() => earlyQueue.notify());

const fulfilment = new EventSourcePoller({
  queue: earlyQueue,
  transactions: db,
  handler: createFulfillmentBatchHandler(
    createFulfillOrder({
      orders: earlyOrders,
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
const journal = new SqliteExecutionJournal(db);
const workflow = new LocalOrderWorkflow({
  definition: loadOrderWorkflowDefinition(),
  tasks: {
    ValidateOrder: createValidateOrder(),
    StoreOrder: createStoreOrder({ orders: earlyOrders, clock }),
    SendToQueue: sendToQueueTask(earlyQueue),
  },
  ...(config.workflowType === 'STANDARD' ? { journal: new SqliteExecutionJournal(db.early) } : {}),
  clock,
  logger,
  engine: config.workflowEngine,
});
// The visible backlog, sampled for admission: a burst of orders must not take the thread from the consumers.
const backlog = sampleBacklog(queue, 100);
const intake = createIntake({
  acceptOrder: createAcceptOrder({ workflow, orders: earlyOrders, ids: systemIds, clock }),
  store: db,
  admission: new Admission({
    perTurn: 64,
    backlogLimit: 1000,
    backlog: backlog.current,
    finished: () => earlyQueue.removed,
    maxWaitMs: 10_000,
  }),
});

const services: StorageServices = {
  orders,
  failedOrders,
  order_queue: queue,
  order_dlq: dlq,
  journal,
  intake: {
    accept: intake.accept,
    async resumeUnfinished() {
      const mark = db.mark;
      const resumed = await workflow.resumeUnfinished();
      await db.whenCommitted(mark);
      return resumed;
    },
  },
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
      // Executions and batches in flight finish and commit; then the connection is closed and the thread
      // can end.
      backlog.stop();
      Promise.all([workflow.drain(), ...pollers.map((p) => p.stop())])
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
