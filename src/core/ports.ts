import type { Order, OrderStatus, OrderWorkflowInputOrder } from './order.ts';
import type { NewOrderEvent, OrderHistory } from './order-history.ts';
import type { FailedOrderSearch, OrderSearch } from './order-search.ts';

/** Wall-clock time, injected so tests can move it. */
export interface Clock {
  now(): number;
}

/** A clock that also runs timers on its own time line, so a test moves time instead of waiting for it. */
export interface TimerClock extends Clock {
  /** Calls `callback` once `ms` have passed on this clock; the returned function cancels it. */
  setTimer(callback: () => void, ms: number): () => void;
}

/** A uniform number in [0, 1) for a key; a seeded source returns the same number for the same key. */
export type RandomSource = (key: string) => number;

/** Identifier generation, injected so tests can fix it. */
export interface IdGenerator {
  orderId(): string;
  submissionId(): string;
}

export type LogFields = Record<string, unknown>;

/** Structured logging; `child` binds fields (the order id) to every line it writes. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface Page<T> {
  items: T[];
  /** Opaque; pass back to get the next page. Absent on the last page. */
  cursor?: string;
}

export type ListOrdersQuery = OrderSearch;

/** A conditional change to an order; applied only while the order is in the expected status. */
export interface OrderChange {
  status?: OrderStatus;
  /** Adds one to `attempts`. */
  countAttempt?: boolean;
  resetAttempts?: boolean;
  /** Adds one to `redrives`. */
  countRedrive?: boolean;
  last_error?: string | null;
  /** `false`: the order still needs its message; `true`: its message was sent (clears `Order.queued`). */
  queued?: boolean;
  /** Left unchanged when absent. */
  updated_at?: string;
  /** What this change is, for the order's history: written in the same atomic write, or not at all. */
  event: NewOrderEvent;
}

/** What a conditional write expects of an order: its status, and optionally more (a compare-and-set). */
export interface OrderCondition {
  status: OrderStatus;
  attempts?: number;
  /** The order is marked as still needing its message (`Order.queued === false`). */
  unqueued?: true;
  /** The order was last changed at exactly this time. */
  updated_at?: string;
  /** The order was last changed before this time (ISO-8601, compared as text). */
  updatedBefore?: string;
}

/**
 * Stores orders and their history. Every write is conditional, so replays are no-ops, and every write that
 * changes an order also records its event (OrderChange.event), atomically with it.
 */
export interface OrderRepository {
  /** Puts the order, with its `accepted` event, unless its id exists; then returns the order already there. */
  create(order: Order): Promise<{ created: true } | { created: false; existing: Order }>;
  get(orderId: string): Promise<Order | undefined>;
  /**
   * Applies the change if the order is in the `expected` status (and meets the rest of the condition), in
   * one atomic conditional write: of concurrent callers expecting the same thing, at most one wins.
   */
  transition(orderId: string, expected: OrderStatus | OrderCondition, change: OrderChange): Promise<boolean>;
  /** Newest first, filtered by every field the query sets. */
  list(query: ListOrdersQuery): Promise<Page<Order>>;
  countByStatus(): Promise<Record<OrderStatus, number>>;
  /** The order's kept events, oldest first (see MAX_ORDER_EVENTS); undefined for an unknown order. */
  history(orderId: string): Promise<OrderHistory | undefined>;
}

/** A dead-lettered order, kept until it is redriven. */
export interface FailedOrder {
  order_id: string;
  reason: string;
  attempts: number;
  message_id: string;
  /** The raw message body, kept for messages that were not a readable order. */
  body: string;
  failed_at: string;
}

/** Stores the failed_orders records. */
export interface FailedOrderRepository {
  /** Upsert by order id: recording the same failure twice leaves one record. */
  put(record: FailedOrder): Promise<void>;
  get(orderId: string): Promise<FailedOrder | undefined>;
  /** Newest failure first; only `reason` when set. */
  list(query: FailedOrderSearch): Promise<Page<FailedOrder>>;
  delete(orderId: string): Promise<void>;
  /** All records, or those with exactly `reason`. */
  count(query?: { reason?: string }): Promise<number>;
  /** Records per reason, most frequent first (ties by reason), at most `limit` reasons. */
  countByReason(limit: number): Promise<ReasonCount[]>;
}

export interface ReasonCount {
  reason: string;
  count: number;
}

/** Sends a message to the order queue. */
export interface MessageSender {
  send(body: string): Promise<{ messageId: string }>;
}

/** A message as an SQS consumer sees it. */
export interface ReceivedMessage {
  messageId: string;
  body: string;
  receiptHandle: string;
  receiveCount: number;
  sentAt: number;
  firstReceivedAt: number;
}

export interface QueueDepth {
  /** Messages a receive could return now (SQS ApproximateNumberOfMessages(Visible)). */
  visible: number;
  /** Received and not yet deleted or visible again (ApproximateNumberOfMessagesNotVisible). */
  inFlight: number;
}

/**
 * A queue with SQS standard-queue semantics, the consumer side an event source mapping drives:
 * at-least-once delivery, visibility timeout, receive counts and a redrive policy to a DLQ.
 */
export interface PollableQueue extends MessageSender {
  readonly name: string;
  /** One atomic claim of up to `max` visible messages; first moves any whose next receive would exceed
   * the redrive policy's maxReceiveCount to the DLQ. */
  receive(max: number): Promise<ReceivedMessage[]>;
  /** Deletes by receipt handle; a stale handle (the message was received again since) deletes nothing. */
  delete(receiptHandles: string[]): Promise<void>;
  depth(): Promise<QueueDepth>;
  /** When the next in-flight message becomes visible again, if any. */
  nextVisibleAt(): Promise<number | undefined>;
  /** Called after a message is sent (or moved) to this queue; lets pollers wake without polling. */
  onMessage(listener: () => void): void;
}

/** The input of the order workflow (`workflow/order-workflow.asl.json`). */
export interface OrderWorkflowInput {
  submission_id: string;
  order: OrderWorkflowInputOrder;
}

export type WorkflowRun =
  | { status: 'SUCCEEDED'; output: unknown }
  | { status: 'FAILED'; error: string; cause: string }
  /**
   * An execution of that name already ran; `sameInput` says whether it was for the same payload.
   * `failedEarlier`: it failed for lack of infrastructure (not OrderInvalid/OrderConflict), so it may have
   * stored the order and stopped before queueing it, and it cannot run again under that name.
   */
  | { status: 'ALREADY_RAN'; sameInput: boolean; failedEarlier?: boolean };

/** Starts the order workflow and waits for its intake steps to finish. Execution name = order id. */
export interface OrderWorkflow {
  run(input: OrderWorkflowInput, fingerprint: string): Promise<WorkflowRun>;
}

/** Observes the pipeline for metrics (Prometheus locally, CloudWatch EMF on AWS). Cheap and synchronous. */
export interface OrderMetrics {
  /** An order was accepted (202) after `acceptMs` of request handling. */
  accepted(acceptMs: number): void;
  /** One fulfilment attempt finished. */
  attempted(succeeded: boolean): void;
  /** An order reached a final status `endToEndMs` after it was created. */
  completed(status: 'FULFILLED' | 'FAILED', endToEndMs: number): void;
}

export const noMetrics: OrderMetrics = { accepted() {}, attempted() {}, completed() {} };
