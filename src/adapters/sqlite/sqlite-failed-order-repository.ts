import type { StatementSync } from 'node:sqlite';
import type { FailedOrder, FailedOrderRepository, Page } from '../../core/ports.ts';
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
  readonly #firstPage: StatementSync;
  readonly #nextPage: StatementSync;
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
    this.#firstPage = db.prepare(
      'SELECT * FROM failed_orders ORDER BY failed_at DESC, order_id DESC LIMIT ?',
    );
    this.#nextPage = db.prepare(`SELECT * FROM failed_orders WHERE (failed_at, order_id) < (?, ?)
      ORDER BY failed_at DESC, order_id DESC LIMIT ?`);
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

  async list(query: { limit: number; cursor?: string }): Promise<Page<FailedOrder>> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    return this.#store.run(() => {
      const rows = after
        ? this.#nextPage.iterate(...after, query.limit + 1)
        : this.#firstPage.iterate(query.limit + 1);
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

  count(): Promise<number> {
    return this.#store.run(() => Number(this.#count.get()?.n ?? 0));
  }
}
