import { OrderConflictError } from './errors.ts';
import { fingerprintOf, type Order, OrderStatus, type OrderWorkflowInputOrder } from './order.ts';
import { OrderEventType } from './order-history.ts';
import type { Clock, OrderRepository } from './ports.ts';

export type StoreOrderResult = {
  /**
   * CREATED: the order is stored PENDING and this execution must enqueue it (it stored it, or it is a re-run
   * of the submission that did, or the order is still marked as never queued); EXISTS: it is queued already.
   */
  outcome: 'CREATED' | 'EXISTS';
  status: OrderStatus;
  /** The order as stored: this submission's, or the one found. The API answers with it, no second read. */
  order: Order;
};

/**
 * The workflow's StoreOrder step: a conditional put with status PENDING.
 *
 * A re-run of the same submission (a Task retry after a timeout, or an execution resumed after a crash)
 * finds its own order and answers CREATED again, so the order is still enqueued; the consumer is
 * idempotent, so a second message costs nothing. A different submission with the same payload answers
 * EXISTS (no re-enqueue), unless the order is still PENDING and marked as never queued (`queued: false`:
 * the submission that stored it failed or died before its send was confirmed): then it answers CREATED, so
 * this submission enqueues it. An order answered 2xx always has a message that will move it. With another
 * payload it throws OrderConflict, which the workflow catches.
 */
export function createStoreOrder(deps: { orders: OrderRepository; clock: Clock }) {
  return async function storeOrder(input: {
    submission_id: string;
    order: OrderWorkflowInputOrder;
  }): Promise<StoreOrderResult> {
    const now = new Date(deps.clock.now()).toISOString();
    const order: Order = {
      ...input.order,
      status: OrderStatus.PENDING,
      attempts: 0,
      last_error: null,
      fingerprint: fingerprintOf(input.order),
      submission_id: input.submission_id,
      redrives: 0,
      queued: false,
      created_at: now,
      updated_at: now,
    };
    const result = await deps.orders.create(order);
    if (result.created) return { outcome: 'CREATED', status: OrderStatus.PENDING, order };
    const existing = result.existing;
    if (existing.fingerprint !== order.fingerprint) throw new OrderConflictError(order.order_id);
    if (
      existing.status === OrderStatus.PENDING &&
      (existing.submission_id === input.submission_id || existing.queued === false)
    ) {
      return { outcome: 'CREATED', status: existing.status, order: existing };
    }
    return { outcome: 'EXISTS', status: existing.status, order: existing };
  };
}

/**
 * Clears the mark StoreOrder (or a redrive's claim) set, once the order's message was sent: a later
 * submission then finds it queued and sends nothing. Answers whether the mark was still there. This is the
 * `queued` event of the order's history; `sentAt` is when the send was confirmed.
 */
export function markQueued(orders: OrderRepository, orderId: string, sentAt: number): Promise<boolean> {
  return orders.transition(
    orderId,
    { status: OrderStatus.PENDING, unqueued: true },
    { queued: true, event: { type: OrderEventType.QUEUED, at: new Date(sentAt).toISOString() } },
  );
}
