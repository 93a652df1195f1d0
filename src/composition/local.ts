import type { Server } from 'node:http';
import { join } from 'node:path';
import { DlqAlarm } from '../adapters/local/dlq-alarm.ts';
import { EventSourcePoller } from '../adapters/local/event-source-poller.ts';
import { PrometheusMetrics } from '../adapters/local/prometheus-metrics.ts';
import { openDatabase } from '../adapters/sqlite/database.ts';
import { SqliteExecutionJournal } from '../adapters/sqlite/sqlite-execution-journal.ts';
import { SqliteFailedOrderRepository } from '../adapters/sqlite/sqlite-failed-order-repository.ts';
import { SqliteOrderRepository } from '../adapters/sqlite/sqlite-order-repository.ts';
import { SqliteQueue } from '../adapters/sqlite/sqlite-queue.ts';
import { findStrandedPendingOrders } from '../adapters/sqlite/sqlite-reconciliation.ts';
import { LocalOrderWorkflow } from '../adapters/stepfunctions/local-order-workflow.ts';
import { loadOrderWorkflowDefinition } from '../adapters/stepfunctions/order-workflow-definition.ts';
import { jsonLogger, randomSource, systemClock, systemIds } from '../adapters/system/system.ts';
import type { LocalConfig } from '../config.ts';
import { createDeadLetterOrder } from '../core/dead-letter-order.ts';
import { createFulfillOrder } from '../core/fulfill-order.ts';
import { createOrderQueries } from '../core/order-queries.ts';
import type { Logger } from '../core/ports.ts';
import { createRedriveOrders } from '../core/redrive-orders.ts';
import { createStoreOrder } from '../core/store-order.ts';
import { createSubmitOrder } from '../core/submit-order.ts';
import { createValidateOrder } from '../core/validate-order.ts';
import { createGuards } from '../entrypoints/http/guards.ts';
import { createHttpApp } from '../entrypoints/http/http-app.ts';
import { createLocalRoutes } from '../entrypoints/http/local-routes.ts';
import { createNodeServer } from '../entrypoints/http/node-server.ts';
import { createDeadLetterBatchHandler } from '../entrypoints/sqs/dead-letter-batch.ts';
import { createFulfillmentBatchHandler } from '../entrypoints/sqs/fulfillment-batch.ts';

export const DATABASE_FILE = 'dofs.sqlite';

/**
 * The local host: SQLite for orders, failed orders, the queues and the execution journal; the ASL run
 * in-process; pollers in place of event source mappings; node:http in place of API Gateway.
 */
export function createLocalSystem(config: LocalConfig, options: { logger?: Logger } = {}) {
  const clock = systemClock;
  const logger = options.logger ?? jsonLogger({ level: config.logLevel });
  const db = openDatabase(join(config.dataDir, DATABASE_FILE), {
    synchronous: config.sqliteSync,
    commitDelayMs: config.commitDelayMs,
    busyTimeoutMs: config.busyTimeoutMs,
  });

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

  const workflow = new LocalOrderWorkflow({
    definition: loadOrderWorkflowDefinition(),
    tasks: {
      ValidateOrder: createValidateOrder(),
      StoreOrder: createStoreOrder({ orders, clock }),
      SendToQueue: async ({ MessageBody }) => ({
        MessageId: (
          await queue.send(typeof MessageBody === 'string' ? MessageBody : JSON.stringify(MessageBody))
        ).messageId,
      }),
    },
    journal: new SqliteExecutionJournal(db),
    clock,
    logger,
    engine: config.workflowEngine,
  });

  const metrics = new PrometheusMetrics({ orders, queues: [queue, dlq] });
  const alarm = new DlqAlarm({
    dlq,
    failedOrders,
    threshold: config.dlqAlarmThreshold,
    logger,
    ...(config.alertWebhookUrl ? { webhookUrl: config.alertWebhookUrl } : {}),
  });

  const fulfillOrder = createFulfillOrder({
    orders,
    clock,
    random: randomSource(config.randomSeed),
    successRate: config.successRate,
    logger,
    metrics,
  });
  const deadLetterOrder = createDeadLetterOrder({ orders, failedOrders, clock, logger, metrics });
  const redrive = createRedriveOrders({ orders, failedOrders, queue, clock, logger });
  const queries = createOrderQueries({ orders, failedOrders });

  const pollers = [
    new EventSourcePoller({
      queue,
      handler: createFulfillmentBatchHandler(fulfillOrder),
      batchSize: config.batchSize,
      concurrency: config.consumerConcurrency,
      logger,
    }),
    new EventSourcePoller({
      queue: dlq,
      handler: createDeadLetterBatchHandler(deadLetterOrder),
      batchSize: config.batchSize,
      concurrency: 1,
      logger,
    }),
  ];

  async function depths() {
    const [orderQueue, orderDlq] = await Promise.all([queue.depth(), dlq.depth()]);
    return { order_queue: orderQueue, order_dlq: orderDlq };
  }

  async function health() {
    const [counts, queues, alarmStatus] = await Promise.all([queries.counts(), depths(), alarm.evaluate()]);
    return { orders: counts.byStatus, failed_orders: counts.failedOrders, queues, alarm: alarmStatus };
  }

  const app = createHttpApp({
    submitOrder: createSubmitOrder({ workflow, orders, ids: systemIds }),
    queries,
    redrive,
    health,
    logger,
    metrics,
    extraRoutes: createLocalRoutes({
      queries,
      depths,
      alarm: () => alarm.evaluate(),
      series: () => metrics.series(),
      metricsText: () => metrics.text(),
    }),
  });
  // The overload bound reads a cached backlog, refreshed a few times a second, never per request.
  let backlog = 0;
  const backlogTimer = setInterval(() => {
    queue.depth().then(
      (depth) => {
        backlog = depth.visible;
      },
      () => undefined,
    );
  }, 250);
  backlogTimer.unref();
  const guard = createGuards({
    ...(config.apiKey ? { apiKey: config.apiKey } : {}),
    ratePerSecond: config.rateLimitPerSecond,
    maxBacklog: config.maxBacklog,
    backlog: () => backlog,
  });
  let server: Server | undefined;

  return {
    config,
    logger,
    app,
    queue,
    dlq,

    /** Recovers what a previous process left unfinished, starts the consumers, then listens. */
    async start(): Promise<{ port: number }> {
      const resumed = await workflow.resumeUnfinished();
      const stranded = await findStrandedPendingOrders(db);
      for (const orderId of stranded) await queue.send(JSON.stringify({ order_id: orderId }));
      if (resumed || stranded.length)
        logger.info('recovered unfinished work', { resumed, requeued: stranded.length });
      for (const poller of pollers) poller.start();
      await alarm.evaluate();
      alarm.start();
      server = createNodeServer(app, logger, guard);
      const listening = server;
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(config.port, config.host, () => resolve());
      });
      const address = listening.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      logger.info('DOFS listening', { url: `http://${config.host}:${port}`, data_dir: config.dataDir });
      return { port };
    },

    /** Stops accepting, lets requests and batches in flight finish, then closes the database. */
    async stop(): Promise<void> {
      if (server) {
        const closing = new Promise<void>((resolve) => server?.close(() => resolve()));
        server.closeIdleConnections();
        await closing;
      }
      await workflow.drain();
      clearInterval(backlogTimer);
      await Promise.all(pollers.map((p) => p.stop()));
      await alarm.stop();
      db.close();
      logger.info('DOFS stopped');
    },
  };
}

export type LocalSystem = ReturnType<typeof createLocalSystem>;
