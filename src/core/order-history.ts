import type { Order, OrderStatus } from './order.ts';

/**
 * What can happen to an order. Each event is written by the storage adapter in the same atomic write as the
 * transition it records (SQLite transaction, DynamoDB TransactWriteItems): no event without its transition,
 * no transition without its event.
 */
export const OrderEventType = {
  /** Validated and stored PENDING by StoreOrder's conditional put. */
  ACCEPTED: 'accepted',
  /** Its message was sent to order_queue (after acceptance, a redrive, or the local start-up recovery). */
  QUEUED: 'queued',
  /** A fulfilment attempt failed; `detail` is its error. The message is retried. */
  ATTEMPT_FAILED: 'attempt_failed',
  /** A fulfilment attempt succeeded: the order is FULFILLED. */
  FULFILLED: 'fulfilled',
  /** Its message exceeded maxReceiveCount and the DLQ handler moved it to FAILED; `detail` is the reason. */
  DEAD_LETTERED: 'dead_lettered',
  /** A redrive moved it FAILED → PENDING with a fresh attempt budget. */
  REDRIVEN: 'redriven',
  /** A redrive took over the claim of an earlier redrive that stopped before sending its message. */
  REDRIVE_RESUMED: 'redrive_resumed',
  /** A redrive's send failed, so the order went back to FAILED; `detail` is the error. */
  REDRIVE_REVERTED: 'redrive_reverted',
} as const;
export type OrderEventType = (typeof OrderEventType)[keyof typeof OrderEventType];
export const orderEventTypes = Object.values(OrderEventType);

/**
 * The most events kept per order. An order that is redriven again and again would otherwise grow without
 * bound; the oldest events are dropped and counted in `OrderHistory.truncated`. With the default three
 * attempts one failed cycle is six events (redriven, queued, three attempts, dead-lettered), so 100 keeps
 * the whole story of an order redriven fifteen times.
 */
export const MAX_ORDER_EVENTS = 100;

/** An event as a use case records it, with the transition it belongs to. */
export interface NewOrderEvent {
  type: OrderEventType;
  /** ISO-8601 time of the transition. */
  at: string;
  /** An attempt's error, a dead-lettering's reason, a failed redrive's send error. */
  detail?: string;
  /** Attempt events: when the attempt began (it ends at `at`). */
  started_at?: string;
}

/** An event as stored: numbered per order from 1, with the order's state right after it. */
export interface OrderEvent extends NewOrderEvent {
  /** 1, 2, 3… per order, never reused; events dropped by the bound leave the first kept `seq` above 1. */
  seq: number;
  status: OrderStatus;
  /** The order's `attempts` after the event: the attempt's number on attempt events. */
  attempt: number;
  /** The order's `redrives` after the event. */
  redrive: number;
}

/** The kept events of an order, oldest first, and how many older ones the bound dropped. */
export interface OrderHistory {
  events: OrderEvent[];
  truncated: number;
}

/** The event a create records: the order as StoreOrder stored it. */
export function acceptedEvent(order: Order, seq = 1): OrderEvent {
  return {
    seq,
    type: OrderEventType.ACCEPTED,
    at: order.created_at,
    status: order.status,
    attempt: order.attempts,
    redrive: order.redrives,
  };
}

/** The stored form of an event recorded with a transition, given the order as the transition left it. */
export function storedEvent(
  event: NewOrderEvent,
  seq: number,
  after: Pick<Order, 'status' | 'attempts' | 'redrives'>,
): OrderEvent {
  return {
    seq,
    type: event.type,
    at: event.at,
    status: after.status,
    attempt: after.attempts,
    redrive: after.redrives,
    ...(event.detail === undefined ? {} : { detail: event.detail }),
    ...(event.started_at === undefined ? {} : { started_at: event.started_at }),
  };
}

/** A history from the kept events (oldest first): seqs are contiguous, so what is missing is below the first. */
export function historyOf(events: OrderEvent[]): OrderHistory {
  return { events, truncated: Math.max(0, (events[0]?.seq ?? 1) - 1) };
}
