import type { Server } from 'node:http';
import { jsonLogger } from '../../adapters/node/json-logger.ts';
import { systemClock, systemIds } from '../../adapters/node/runtime.ts';
import { PrometheusMetrics } from '../../adapters/prometheus/prometheus-metrics.ts';
import { lockDataDir } from '../../adapters/sqlite/data-dir-lock.ts';
import { DATABASE_FILE } from '../../adapters/sqlite/database.ts';
import type { LocalConfig } from '../../config.ts';
import { OrderConflictError, OrderInvalidError } from '../../core/errors.ts';
import { createOrderQueries } from '../../core/order-queries.ts';
import type { Logger } from '../../core/ports.ts';
import { createRedriveOrders } from '../../core/redrive-orders.ts';
import { parseSubmission, type SubmitOrderResult } from '../../core/submit-order.ts';
import { json } from '../../handlers/http/error-response.ts';
import { createHttpApp } from '../../handlers/http/http-app.ts';
import { API_ROUTES } from '../../handlers/http/routes.ts';
import { sampleBacklog } from './backlog-sampler.ts';
import { DlqAlarm } from './dlq-alarm.ts';
import { allowedHosts, createGuards } from './http/guards.ts';
import { createHttpTelemetry } from './http/http-telemetry.ts';
import { limitListReads } from './http/list-read-limit.ts';
import { createLocalRoutes, dashboardFilePaths, LOCAL_API_ROUTES, LOCAL_PAGES } from './http/local-routes.ts';
import { createNodeServer } from './http/node-server.ts';
import { createMetricRecorder } from './metric-recorder.ts';
import { createReadiness } from './readiness.ts';
import { recoverUnfinishedWork } from './recovery.ts';
import { startStorageThread } from './storage-client.ts';

export { DATABASE_FILE };

/**
 * The local host, on two threads. This one: node:http in place of API Gateway, the validation of orders,
 * the dashboard, metrics and the alarm. The storage thread (./storage-thread.ts): the one SQLite connection
 * (orders, failed orders, the queues, the execution journal), order intake (the ASL run in-process, next to
 * the writes of its Task states) and the pollers that stand in for event source mappings. Its services are
 * used here through batched cross-thread calls: one round trip per order.
 */
export function createLocalSystem(
  config: LocalConfig,
  options: { logger?: Logger; onFatal?: (error: unknown) => void } = {},
) {
  // First of all: one process per data directory. A second one stops here (DataDirLockedError) before it
  // opens the database, recovers anything, starts a consumer or listens; so start-up recovery only ever
  // re-queues work that no live process owns.
  const lock = lockDataDir(config.dataDir);
  const clock = systemClock;
  const logger = options.logger ?? jsonLogger({ level: config.logLevel });
  const storage = startStorageThread(config);
  const { orders, failedOrders, intake } = storage.services;
  const queue = storage.queue('order_queue');
  const dlq = storage.queue('order_dlq');
  // Events of the storage thread are applied to it; they arrive only after this function has returned.
  // The alarm gauges read the alarm's last evaluation (it evaluates every second), at scrape time only.
  const metrics = new PrometheusMetrics({ orders, queues: [queue, dlq], alarm: () => alarm.status });
  storage.connect({ logger, metrics, onFatal: (error) => options.onFatal?.(error) });

  // Validation once, here at the edge; the workflow runs in the storage thread (intake.ts).
  async function submitOrder(body: unknown): Promise<SubmitOrderResult> {
    const parsed = parseSubmission(body, systemIds);
    if (!parsed.ok) return parsed;
    const answer = await intake.accept(parsed.submission);
    if (answer.ok) return answer;
    return {
      ok: false,
      error:
        'invalid' in answer
          ? new OrderInvalidError(answer.invalid)
          : new OrderConflictError(parsed.submission.order.order_id),
    };
  }

  const alarm = new DlqAlarm({
    dlq,
    failedOrders,
    threshold: config.dlqAlarmThreshold,
    logger,
    ...(config.alertWebhookUrl ? { webhookUrl: config.alertWebhookUrl } : {}),
  });

  const redrive = createRedriveOrders({ orders, failedOrders, queue, clock, logger });
  const queries = createOrderQueries({ orders, failedOrders });
  const queueHealth = () => storage.services.monitoring.queueHealth();
  const recorder = createMetricRecorder({
    metrics,
    samples: storage.services.metricSamples,
    queueHealth,
    now: () => clock.now(),
    logger,
  });

  async function depths() {
    const [orderQueue, orderDlq] = await Promise.all([queue.depth(), dlq.depth()]);
    return { order_queue: orderQueue, order_dlq: orderDlq };
  }

  /** Liveness: always 200 while the process answers; `status` says `alarm` while the DLQ alarm is in ALARM. */
  async function health() {
    const [counts, queues, alarmStatus] = await Promise.all([queries.counts(), depths(), alarm.evaluate()]);
    return {
      status: alarmStatus.state === 'ALARM' ? 'alarm' : 'ok',
      orders: counts.byStatus,
      failed_orders: counts.failedOrders,
      queues,
      alarm: alarmStatus,
    };
  }

  // Set when the stop begins: /ready answers 503 from then on, so a load balancer stops sending work.
  let draining = false;
  const ready = createReadiness({
    ping: () => storage.services.readiness.ping(),
    probeWrite: () => storage.services.readiness.probeWrite(),
    draining: () => draining,
    alarm: () => alarm.status,
  });

  const app = createHttpApp({
    submitOrder,
    queries,
    redrive,
    health,
    logger,
    metrics,
    extraRoutes: createLocalRoutes({
      queries,
      queueHealth,
      alarm: () => alarm.evaluate(),
      recorder,
      metricsText: () => metrics.text(),
      ready,
    }),
    extraRouteSpecs: LOCAL_API_ROUTES,
  });
  const telemetry = createHttpTelemetry({
    logger,
    metrics,
    routes: [...[...API_ROUTES, ...LOCAL_API_ROUTES].map((route) => route.path), ...LOCAL_PAGES],
  });
  // The overload bound reads a cached backlog, refreshed a few times a second, never per request.
  const backlog = sampleBacklog(queue, 250);
  const guard = createGuards({
    ...(config.apiKey ? { apiKey: config.apiKey } : {}),
    ...allowedHosts(config.host, config.allowedHosts),
    ratePerSecond: config.rateLimitPerSecond,
    maxBacklog: config.maxBacklog,
    backlog: backlog.current,
    publicFiles: dashboardFilePaths(),
  });
  let server: Server | undefined;

  return {
    config,
    logger,
    app,
    queue,
    dlq,

    /**
     * Takes the port, then recovers what a previous process left unfinished and starts the consumers, then
     * serves. Taking the port first means a port clash stops the start before any recovery or consumer runs;
     * a request that comes in meanwhile gets 503 + Retry-After.
     */
    async start(): Promise<{ port: number }> {
      await storage.started;
      let serving = false;
      const serve = limitListReads(app, config.maxListReads);
      server = createNodeServer(
        (request) =>
          (serving
            ? serve(request)
            : Promise.resolve(
                json(
                  503,
                  { error: { code: 'Starting', message: 'DOFS is starting; retry shortly' } },
                  { 'retry-after': '1' },
                ),
              )
          ).then((response) =>
            // Once stopping, every answer closes its connection: server.close() ends only the connections idle
            // at that instant, and a keep-alive one busy then (a dashboard polling) was reused until the deadline.
            draining ? { ...response, headers: { ...response.headers, connection: 'close' } } : response,
          ),
        logger,
        guard,
        { maxConnections: config.maxConnections, onAnswer: telemetry },
      );
      const listening = server;
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(config.port, config.host, () => resolve());
      });
      await recoverUnfinishedWork({
        workflow: intake,
        findStranded: () => storage.services.reconciliation.findStrandedPendingOrders(),
        queue,
        orders,
        clock,
        logger,
      });
      storage.startConsumers();
      await alarm.evaluate();
      alarm.start();
      recorder.start();
      serving = true;
      const address = listening.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      logger.info('DOFS listening', { url: `http://${config.host}:${port}`, data_dir: config.dataDir });
      return { port };
    },

    /** Stops accepting, lets requests and batches in flight finish, then closes the database. */
    async stop(): Promise<void> {
      draining = true;
      if (server) {
        const closing = new Promise<void>((resolve) => server?.close(() => resolve()));
        server.closeIdleConnections();
        await closing;
      }
      backlog.stop();
      await alarm.stop();
      await recorder.stop();
      await storage.stop();
      lock.release();
      logger.info('DOFS stopped');
    },
  };
}

export type LocalSystem = ReturnType<typeof createLocalSystem>;
