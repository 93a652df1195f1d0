import type { FailedOrder, ReasonCount } from '../../core/ports.ts';

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

/** The order of `countByReason`: most frequent first, then by reason. */
export function byCountThenReason(a: ReasonCount, b: ReasonCount): number {
  return b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0);
}
