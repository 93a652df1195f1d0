import type { Order } from '../../core/order.ts';
import type { ListOrdersQuery, OrderChange, OrderCondition } from '../../core/ports.ts';

/**
 * Whether an order meets a conditional write's condition: what SQLite's WHERE and DynamoDB's
 * ConditionExpression check, for the adapters that check it in code (memory; DynamoDB before it retries).
 */
export function meetsCondition(order: Order, condition: OrderCondition): boolean {
  return (
    order.status === condition.status &&
    (condition.attempts === undefined || order.attempts === condition.attempts) &&
    (!condition.unqueued || order.queued === false) &&
    (condition.updated_at === undefined || order.updated_at === condition.updated_at) &&
    (condition.updatedBefore === undefined || order.updated_at < condition.updatedBefore)
  );
}

/** The order as a change leaves it (a copy). */
export function applyChange(order: Order, change: OrderChange): Order {
  const next = { ...order };
  if (change.status !== undefined) next.status = change.status;
  if (change.resetAttempts) next.attempts = 0;
  if (change.countAttempt) next.attempts += 1;
  if (change.countRedrive) next.redrives += 1;
  if (change.last_error !== undefined) next.last_error = change.last_error;
  if (change.queued === false) next.queued = false;
  else if (change.queued === true) delete next.queued;
  if (change.updated_at !== undefined) next.updated_at = change.updated_at;
  return next;
}

/** Whether an order is one a search's filters select (the cursor aside). */
export function matchesSearch(order: Order, query: ListOrdersQuery): boolean {
  return (
    (query.status === undefined || order.status === query.status) &&
    (query.customer_id === undefined || order.customer_id === query.customer_id) &&
    (query.created_after === undefined || order.created_at >= query.created_after) &&
    (query.created_before === undefined || order.created_at < query.created_before)
  );
}
