import type { StatementSync } from 'node:sqlite';
import type { FailedOrderSearch } from '../../core/order-search.ts';
import type { FailedOrder, FailedOrderRepository, Page, ReasonCount } from '../../core/ports.ts';
import { decodeCursor, encodeCursor } from '../storage/cursor.ts';
import { toFailedOrder } from '../storage/failed-order-record.ts';
import { MAX_PAGE_BYTES, takePage, textBytes } from '../storage/page-budget.ts';
import type { SqliteDatabase } from './database.ts';

/** The failed_orders table, newest failure first. */
export class SqliteFailedOrderRepository implements FailedOrderRepository {
  readonly #store: SqliteDatabase;
  readonly #put: StatementSync;
  readonly #get: StatementSync;
  readonly #delete: StatementSync;
  readonly #count: StatementSync;
  readonly #countReason: StatementSync;
  readonly #byReason: StatementSync;
  readonly #maxPageBytes: number;

  constructor(store: SqliteDatabase, options: { maxPageBytes?: number } = {}) {
    this.#store = store;
    this.#maxPageBytes = options.maxPageBytes ?? MAX_PAGE_BYTES;
    const { db } = store;
    this.#put =
      db.prepare(`INSERT INTO failed_orders (order_id, reason, attempts, message_id, body, failed_at)
      VALUES (:order_id, :reason, :attempts, :message_id, :body, :failed_at)
      ON CONFLICT (order_id) DO UPDATE SET reason = excluded.reason, attempts = excluded.attempts,
        message_id = excluded.message_id, body = excluded.body, failed_at = excluded.failed_at`);
    this.#get = db.prepare('SELECT * FROM failed_orders WHERE order_id = ?');
    this.#delete = db.prepare('DELETE FROM failed_orders WHERE order_id = ?');
    this.#count = db.prepare('SELECT count(*) AS n FROM failed_orders');
    this.#countReason = db.prepare('SELECT count(*) AS n FROM failed_orders WHERE reason = ?');
    // One pass over the reason index (it covers the query).
    this.#byReason = db.prepare(`SELECT reason, count(*) AS n FROM failed_orders GROUP BY reason
      ORDER BY n DESC, reason LIMIT ?`);
  }

  put(record: FailedOrder): Promise<void> {
    return this.#store.run(() => {
      this.#put.run({ ...record });
    });
  }

  get(orderId: string): Promise<FailedOrder | undefined> {
    return this.#store.run(() => {
      const row = this.#get.get(orderId);
      return row ? toFailedOrder(row) : undefined;
    });
  }

  async list(query: FailedOrderSearch): Promise<Page<FailedOrder>> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const where: string[] = [];
    const params: string[] = [];
    if (query.reason !== undefined) {
      where.push('reason = ?');
      params.push(query.reason);
    }
    if (after) {
      where.push('(failed_at, order_id) < (?, ?)');
      params.push(...after);
    }
    const sql = `SELECT * FROM failed_orders ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY failed_at DESC, order_id DESC LIMIT ?`;
    return this.#store.run(() => {
      const rows = this.#store.db.prepare(sql).iterate(...params, query.limit + 1);
      const page = takePage(rows, query.limit, this.#maxPageBytes, textBytes);
      const items = page.rows.map(toFailedOrder);
      const last = items.at(-1);
      return page.more && last ? { items, cursor: encodeCursor([last.failed_at, last.order_id]) } : { items };
    });
  }

  delete(orderId: string): Promise<void> {
    return this.#store.run(() => {
      this.#delete.run(orderId);
    });
  }

  count(query: { reason?: string } = {}): Promise<number> {
    return this.#store.run(() =>
      Number((query.reason === undefined ? this.#count.get() : this.#countReason.get(query.reason))?.n ?? 0),
    );
  }

  countByReason(limit: number): Promise<ReasonCount[]> {
    return this.#store.run(() =>
      this.#byReason.all(limit).map((row) => ({ reason: row.reason as string, count: Number(row.n) })),
    );
  }
}
