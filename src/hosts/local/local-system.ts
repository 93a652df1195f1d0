import type { Server } from 'node:http';
import { Worker } from 'node:worker_threads';
import { jsonLogger } from '../../adapters/node/json-logger.ts';
import { systemClock, systemIds } from '../../adapters/node/runtime.ts';
import { PrometheusMetrics } from '../../adapters/prometheus/prometheus-metrics.ts';
import { lockDataDir } from '../../adapters/sqlite/data-dir-lock.ts';
import { DATABASE_FILE } from '../../adapters/sqlite/database.ts';
import type { LocalConfig } from '../../config.ts';
import { createOrderQueries } from '../../core/order-queries.ts';
import type { FailedOrderRepository, Logger, OrderRepository, PollableQueue } from '../../core/ports.ts';
import { createRedriveOrders } from '../../core/redrive-orders.ts';
import { createStoreOrder, markQueued } from '../../core/store-order.ts';
import { createSubmitOrder } from '../../core/submit-order.ts';
import { createValidateOrder } from '../../core/validate-order.ts';
import { json } from '../../handlers/http/error-response.ts';
import { createHttpApp } from '../../handlers/http/http-app.ts';
import type { ExecutionJournal } from '../../workflow/execution-journal.ts';
import { LocalOrderWorkflow, sendToQueueTask } from '../../workflow/local-order-workflow.ts';
import { loadOrderWorkflowDefinition } from '../../workflow/order-workflow-definition.ts';
import { DlqAlarm } from './dlq-alarm.ts';
import { createGuards } from './http/guards.ts';
import { limitListReads } from './http/list-read-limit.ts';
import { createLocalRoutes } from './http/local-routes.ts';
import { createNodeServer } from './http/node-server.ts';
import type { StorageCommand, StorageEvent } from './storage-thread.ts';
import { RpcClient, type RpcMessage, remote } from './thread-rpc.ts';

export { DATABASE_FILE };

/** Whether an address to listen on is this machine only. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The Host header values the server answers to. Bound to loopback, only loopback names (and
 * DOFS_ALLOWED_HOSTS): a web page that rebinds its own name to 127.0.0.1 still sends that name, so it cannot
 * read the API. Bound to another address, DOFS_ALLOWED_HOSTS if set, else any (set DOFS_API_KEY there).
 */
function allowedHosts(config: LocalConfig): { allowedHosts?: string[] } {
  const listed = config.allowedHosts ?? [];
  if (listed.includes('*')) return {};
  const own = config.host.includes(':') && !config.host.startsWith('[') ? `[${config.host}]` : config.host;
  if (isLoopback(config.host)) return { allowedHosts: ['localhost', '127.0.0.1', '[::1]', own, ...listed] };
  return config.allowedHosts ? { allowedHosts: [own.toLowerCase(), ...listed] } : {};
}

/**
 * The local host, on two threads. This one: node:http in place of API Gateway, the ASL run in-process,
 * the dashboard, metrics and the alarm. The storage thread (./local-storage-thread.ts): the one SQLite
 * connection (orders, failed orders, the queues, the execution journal) and the pollers that stand in for
 * event source mappings. Repositories and queues are used here through batched cross-thread calls.
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
  const worker = new Worker(new URL('./storage-thread.ts', import.meta.url), {
    workerData: config,
  });
  const rpc = new RpcClient(worker);
  let ready: () => void = () => undefined;
  let failed: (error: unknown) => void = () => undefined;
  const started = new Promise<void>((resolve, reject) => {
    ready = resolve;
    failed = reject;
  });
  started.catch(() => undefined); // observed by start(); a failure before it is reported there
  let stopped: () => void = () => undefined;
  const workerStopped = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  worker.on('message', (message: RpcMessage) => {
    if (message.type === 'answers') rpc.receive(message.answers);
    else if (message.type === 'events') {
      for (const event of message.events as StorageEvent[]) {
        switch (event[0]) {
          case 'log':
            logger[event[1]](event[2], event[3]);
            break;
          case 'attempted':
            metrics.attempted(event[1]);
            break;
          case 'completed':
            metrics.completed(event[1], event[2]);
            break;
          case 'ready':
            ready();
            break;
          case 'stopped':
            stopped();
            break;
        }
      }
    }
  });
  worker.on('error', (error) => {
    logger.error('storage thread failed', { error: String(error) });
    rpc.close(new Error('the storage thread failed'));
    failed(error);
    stopped();
    options.onFatal?.(error);
  });
  const command = (message: StorageCommand) => worker.postMessage(message);

  const orders: OrderRepository = remote<OrderRepository>(rpc, 'orders', {
    create: true,
    get: true,
    transition: true,
    list: true,
    countByStatus: true,
  });
  const failedOrders: FailedOrderRepository = remote<FailedOrderRepository>(rpc, 'failedOrders', {
    put: true,
    get: true,
    list: true,
    delete: true,
    count: true,
  });
  // Consumers live in the storage thread, so nobody here listens for sends.
  const queueStandIn = (name: string): PollableQueue => ({
    ...remote<PollableQueue>(rpc, name, {
      send: true,
      receive: true,
      delete: true,
      depth: true,
      nextVisibleAt: true,
    }),
    name,
    onMessage() {},
  });
  const queue = queueStandIn('order_queue');
  const dlq = queueStandIn('order_dlq');
  const journal: ExecutionJournal = remote<ExecutionJournal>(rpc, 'journal', {
    begin: true,
    restart: true,
    finish: true,
    listRunning: true,
  });
  // Events of the storage thread are applied to it; they arrive only after this function has returned.
  const metrics = new PrometheusMetrics({ orders, queues: [queue, dlq] });

  const workflow = new LocalOrderWorkflow({
    definition: loadOrderWorkflowDefinition(),
    tasks: {
      ValidateOrder: createValidateOrder(),
      StoreOrder: createStoreOrder({ orders, clock }),
      SendToQueue: sendToQueueTask(queue),
    },
    ...(config.workflowType === 'STANDARD' ? { journal } : {}),
    clock,
    logger,
    engine: config.workflowEngine,
  });

  const alarm = new DlqAlarm({
    dlq,
    failedOrders,
    threshold: config.dlqAlarmThreshold,
    logger,
    ...(config.alertWebhookUrl ? { webhookUrl: config.alertWebhookUrl } : {}),
  });

  const redrive = createRedriveOrders({ orders, failedOrders, queue, clock, logger });
  const queries = createOrderQueries({ orders, failedOrders });

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
    ...allowedHosts(config),
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

    /**
     * Takes the port, then recovers what a previous process left unfinished and starts the consumers, then
     * serves. Taking the port first means a port clash stops the start before any recovery or consumer runs;
     * a request that comes in meanwhile gets 503 + Retry-After.
     */
    async start(): Promise<{ port: number }> {
      await started;
      let serving = false;
      const serve = limitListReads(app, config.maxListReads);
      server = createNodeServer(
        (request) =>
          serving
            ? serve(request)
            : Promise.resolve(
                json(
                  503,
                  { error: { code: 'Starting', message: 'DOFS is starting; retry shortly' } },
                  { 'retry-after': '1' },
                ),
              ),
        logger,
        guard,
        { maxConnections: config.maxConnections },
      );
      const listening = server;
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(config.port, config.host, () => resolve());
      });
      const resumed = await workflow.resumeUnfinished();
      const stranded = (await rpc.call('reconciliation', 'findStrandedPendingOrders', [])) as string[];
      for (const orderId of stranded) {
        await queue.send(JSON.stringify({ order_id: orderId }));
        // Queued now: a resubmission or a redrive must not send it again.
        await markQueued(orders, orderId);
      }
      if (resumed || stranded.length)
        logger.info('recovered unfinished work', { resumed, requeued: stranded.length });
      command({ type: 'start-consumers' });
      await alarm.evaluate();
      alarm.start();
      serving = true;
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
      await alarm.stop();
      command({ type: 'stop' });
      await workerStopped;
      rpc.close(new Error('DOFS is stopped'));
      await worker.terminate();
      lock.release();
      logger.info('DOFS stopped');
    },
  };
}

export type LocalSystem = ReturnType<typeof createLocalSystem>;
