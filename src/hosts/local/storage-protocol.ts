// The thread protocol of the local host, written once: the HTTP thread is typed against it
// (storage-client.ts) and the storage thread serves exactly it (storage-thread.ts).
import type { LogRecordLevel } from '../../adapters/node/json-logger.ts';
import type { SqliteMetricSamples } from '../../adapters/sqlite/sqlite-metric-samples.ts';
import type { QueueHealth } from '../../adapters/sqlite/sqlite-queue.ts';
import type { FieldError, Order } from '../../core/order.ts';
import type { FailedOrderRepository, LogFields, OrderRepository, PollableQueue } from '../../core/ports.ts';
import type { Submission } from '../../core/submit-order.ts';
import type { ExecutionJournal } from '../../workflow/execution-journal.ts';
import type { ConsumerStats } from './event-source-poller.ts';

/** A queue as the other thread sees it: its calls, without the in-thread wake-up signal. */
export type StoredQueue = Omit<PollableQueue, 'name' | 'onMessage'>;

/** A queue's health and what its consumer (the poller standing in for an event source mapping) has done. */
export interface QueueReport extends QueueHealth {
  consumer: ConsumerStats;
}

/** Queue health for the dashboard, read where the queues and their consumers live. */
export interface QueueHealthReport {
  order_queue: QueueReport;
  order_dlq: QueueReport;
  /** PENDING orders with a failed attempt, waiting for (or in) another one. */
  retryingOrders: number;
}

/** What the storage thread serves, service by service; every async method is callable from the HTTP thread. */
export interface StorageServices {
  orders: OrderRepository;
  failedOrders: FailedOrderRepository;
  order_queue: StoredQueue;
  order_dlq: StoredQueue;
  journal: ExecutionJournal;
  /** Order intake: the ASL workflow runs here, next to the writes of its Task states (see intake.ts). */
  intake: {
    /** Accepts a submission the HTTP thread validated; answers once what it wrote is committed. */
    accept(submission: Submission): Promise<AcceptAnswer>;
    /** Re-runs the executions a previous process left unfinished (STANDARD); answers how many. */
    resumeUnfinished(): Promise<number>;
  };
  monitoring: {
    queueHealth(): Promise<QueueHealthReport>;
  };
  metricSamples: SqliteMetricSamples;
  reconciliation: {
    /** PENDING orders that no message and no running execution will move (see sqlite-reconciliation.ts). */
    findStrandedPendingOrders(): Promise<string[]>;
  };
  /** For GET /ready. */
  readiness: {
    /** Answers at once: the thread is alive and its event loop turns. */
    ping(): Promise<void>;
    /** Resolves once a write has committed (see sqlite-write-probe.ts). */
    probeWrite(): Promise<void>;
  };
}

/** An intake result as plain data: the 202/200 order, or what was wrong (the HTTP thread rebuilds the error). */
export type AcceptAnswer =
  | { ok: true; order: Order; replayed: boolean }
  | { ok: false; invalid: FieldError[] }
  | { ok: false; conflict: true };

/** What the storage thread sends besides call answers: log records and metric events. */
export type StorageEvent =
  | ['log', level: LogRecordLevel, message: string, fields: LogFields]
  | ['attempted', succeeded: boolean]
  | ['completed', status: 'FULFILLED' | 'FAILED', endToEndMs: number]
  | ['ready']
  | ['stopped'];

/** Messages the HTTP thread sends besides calls. */
export type StorageCommand = { type: 'start-consumers' } | { type: 'stop' };
