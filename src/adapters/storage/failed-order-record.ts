import type { FailedOrder } from '../../core/ports.ts';

/** A failed_orders row or item (SQLite, DynamoDB) as the domain's FailedOrder; extra columns are ignored. */
export function toFailedOrder(row: Record<string, unknown>): FailedOrder {
  return {
    order_id: row.order_id as string,
    reason: row.reason as string,
    attempts: Number(row.attempts),
    message_id: row.message_id as string,
    body: row.body as string,
    failed_at: row.failed_at as string,
  };
}
