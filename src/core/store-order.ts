import { OrderConflictError } from './errors.ts';
import { fingerprintOf, type Order, OrderStatus, type OrderWorkflowInputOrder } from './order.ts';
import type { Clock, OrderRepository } from './ports.ts';

export type StoreOrderResult = {
  /** CREATED: this submission stored it and it must be enqueued; EXISTS: an earlier submission did. */
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
 * EXISTS (no re-enqueue); with another payload it throws OrderConflict, which the workflow catches.
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
      created_at: now,
      updated_at: now,
    };
    const result = await deps.orders.create(order);
    if (result.created) return { outcome: 'CREATED', status: OrderStatus.PENDING, order };
    const existing = result.existing;
    if (existing.fingerprint !== order.fingerprint) throw new OrderConflictError(order.order_id);
    if (existing.submission_id === input.submission_id && existing.status === OrderStatus.PENDING) {
      return { outcome: 'CREATED', status: existing.status, order: existing };
    }
    return { outcome: 'EXISTS', status: existing.status, order: existing };
  };
}
