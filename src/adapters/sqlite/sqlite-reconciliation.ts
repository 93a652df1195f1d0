import type { SqliteDatabase } from './database.ts';

/**
 * PENDING orders that no message and no running execution will ever move: left behind by a crash between
 * two steps that are separate writes (a redrive's status change and its send). Used once at start-up.
 */
export function findStrandedPendingOrders(store: SqliteDatabase): Promise<string[]> {
  return store.run(() => {
    const rows = store.db
      .prepare(
        `SELECT o.order_id FROM orders o
       WHERE o.status = 'PENDING'
         AND NOT EXISTS (SELECT 1 FROM messages m
                         WHERE json_valid(m.body) AND json_extract(m.body, '$.order_id') = o.order_id)
         AND NOT EXISTS (SELECT 1 FROM executions e WHERE e.name = o.order_id AND e.status = 'RUNNING')`,
      )
      .all();
    return rows.map((row) => row.order_id as string);
  });
}
