import type { SqliteDatabase } from './database.ts';

/**
 * PENDING orders that no message and no running execution will ever move: left behind by a crash between
 * two steps that are separate writes (StoreOrder and SendToQueue of an EXPRESS execution, or a redrive's
 * status change and its send). Used once at start-up. The queued order ids are read in one scan of the
 * messages (not one scan per order), so a deep backlog costs one pass; `$.order_id` is the field of
 * src/core/order-message.ts.
 */
export function findStrandedPendingOrders(store: SqliteDatabase): Promise<string[]> {
  return store.run(() => {
    const rows = store.db
      .prepare(
        `WITH queued(order_id) AS (
           SELECT json_extract(body, '$.order_id') FROM messages
           WHERE json_valid(body) AND json_type(body, '$.order_id') = 'text')
         SELECT o.order_id FROM orders o
         WHERE o.status = 'PENDING'
           AND o.order_id NOT IN (SELECT order_id FROM queued)
           AND NOT EXISTS (SELECT 1 FROM executions e WHERE e.name = o.order_id AND e.status = 'RUNNING')`,
      )
      .all();
    return rows.map((row) => row.order_id as string);
  });
}
