import type { Order, OrderStatus } from '../../core/order.ts';
import type { OrderEvent, OrderEventType } from '../../core/order-history.ts';

type Record_ = Record<string, unknown>;

/**
 * An orders row or item (SQLite, DynamoDB) as the domain's Order. `items` comes parsed (a JSON column in
 * SQLite, a list attribute in DynamoDB); an absent column and NULL read alike. `queued` is false only where
 * it was written false (DynamoDB false, SQLite 0): absent, NULL or true is a queued order.
 */
export function toOrder(row: Record_, items: Order['items']): Order {
  const notQueued = row.queued === false || row.queued === 0 || row.queued === 0n;
  return {
    order_id: row.order_id as string,
    customer_id: (row.customer_id as string | null | undefined) ?? null,
    items,
    status: row.status as OrderStatus,
    attempts: Number(row.attempts),
    last_error: (row.last_error as string | null | undefined) ?? null,
    fingerprint: row.fingerprint as string,
    submission_id: row.submission_id as string,
    redrives: Number(row.redrives),
    ...(notQueued ? { queued: false as const } : {}),
    created_at: row.created_at as string,
    updated_at: row.updated_at as string,
  };
}

/** An order_events row or order_history item as the domain's OrderEvent; NULL and absent read alike. */
export function toOrderEvent(row: Record_): OrderEvent {
  return {
    seq: Number(row.seq),
    at: row.at as string,
    type: row.type as OrderEventType,
    status: row.status as OrderStatus,
    attempt: Number(row.attempt),
    redrive: Number(row.redrive),
    ...(typeof row.detail === 'string' ? { detail: row.detail } : {}),
    ...(typeof row.started_at === 'string' ? { started_at: row.started_at } : {}),
  };
}
