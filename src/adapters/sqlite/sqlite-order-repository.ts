import type { StatementSync } from 'node:sqlite';
import { type Order, OrderStatus, orderStatuses } from '../../core/order.ts';
import type {
  ListOrdersQuery,
  OrderChange,
  OrderCondition,
  OrderRepository,
  Page,
} from '../../core/ports.ts';
import { decodeCursor, encodeCursor } from '../storage/cursor.ts';
import { MAX_PAGE_BYTES, takePage, textBytes } from '../storage/page-budget.ts';
import type { SqliteDatabase } from './database.ts';

type Row = Record<string, unknown>;

function toOrder(row: Row): Order {
  return {
    order_id: row.order_id as string,
    customer_id: (row.customer_id as string | null) ?? null,
    items: JSON.parse(row.items as string),
    status: row.status as OrderStatus,
    attempts: Number(row.attempts),
    last_error: (row.last_error as string | null) ?? null,
    fingerprint: row.fingerprint as string,
    submission_id: row.submission_id as string,
    redrives: Number(row.redrives),
    // NULL (or 1): queued; only 0 marks an order still waiting for its message.
    ...(row.queued === 0 || row.queued === 0n ? { queued: false as const } : {}),
    created_at: row.created_at as string,
    updated_at: row.updated_at as string,
  };
}

/** Orders in the `orders` table; conditional writes are single UPDATE … WHERE status = ? statements. */
export class SqliteOrderRepository implements OrderRepository {
  readonly #store: SqliteDatabase;
  readonly #insert: StatementSync;
  readonly #get: StatementSync;
  readonly #transition: StatementSync;
  readonly #counts: StatementSync;
  readonly #retrying: StatementSync;
  readonly #maxPageBytes: number;

  constructor(store: SqliteDatabase, options: { maxPageBytes?: number } = {}) {
    this.#store = store;
    this.#maxPageBytes = options.maxPageBytes ?? MAX_PAGE_BYTES;
    const { db } = store;
    this.#insert = db.prepare(`INSERT INTO orders (order_id, customer_id, items, status, attempts, last_error,
      fingerprint, submission_id, redrives, queued, created_at, updated_at)
      VALUES (:order_id, :customer_id, :items, :status, :attempts, :last_error, :fingerprint, :submission_id,
      :redrives, :queued, :created_at, :updated_at) ON CONFLICT (order_id) DO NOTHING`);
    this.#get = db.prepare('SELECT * FROM orders WHERE order_id = ?');
    // Positional parameters and no RETURNING: this runs once or twice per order, and binding by name plus
    // building the row object cost more than the update itself.
    this.#transition = db.prepare(`UPDATE orders SET
        status = coalesce(?1, status),
        attempts = CASE WHEN ?2 THEN 0 ELSE attempts END + ?3,
        redrives = redrives + ?4,
        last_error = CASE WHEN ?5 THEN ?6 ELSE last_error END,
        updated_at = coalesce(?7, updated_at),
        queued = CASE ?10 WHEN 0 THEN 0 WHEN 1 THEN NULL ELSE queued END
      WHERE order_id = ?8 AND status = ?9
        AND (?11 IS NULL OR attempts = ?11)
        AND (?12 IS NULL OR queued = 0)
        AND (?13 IS NULL OR updated_at = ?13)
        AND (?14 IS NULL OR updated_at < ?14)`);
    this.#counts = db.prepare('SELECT status, count(*) AS n FROM orders GROUP BY status');
    // Named, or the planner prefers orders_by_status (status = ?) and reads every PENDING row.
    this.#retrying = db.prepare(`SELECT count(*) AS n FROM orders INDEXED BY orders_retrying
      WHERE status = 'PENDING' AND attempts > 0`);
  }

  create(order: Order): Promise<{ created: true } | { created: false; existing: Order }> {
    return this.#store.run(() => {
      const row = { ...order, items: JSON.stringify(order.items), queued: order.queued === false ? 0 : null };
      if (this.#insert.run(row).changes === 1) return { created: true as const };
      const existing = this.#get.get(order.order_id);
      if (!existing) throw new Error(`order ${order.order_id} vanished during create`);
      return { created: false as const, existing: toOrder(existing) };
    });
  }

  get(orderId: string): Promise<Order | undefined> {
    return this.#store.run(() => {
      const row = this.#get.get(orderId);
      return row ? toOrder(row) : undefined;
    });
  }

  transition(orderId: string, expected: OrderStatus | OrderCondition, change: OrderChange): Promise<boolean> {
    const condition = typeof expected === 'string' ? { status: expected } : expected;
    return this.#store.run(
      () =>
        this.#transition.run(
          change.status ?? null,
          change.resetAttempts ? 1 : 0,
          change.countAttempt ? 1 : 0,
          change.countRedrive ? 1 : 0,
          change.last_error === undefined ? 0 : 1,
          change.last_error ?? null,
          change.updated_at ?? null,
          orderId,
          condition.status,
          change.queued === undefined ? null : change.queued ? 1 : 0,
          condition.attempts ?? null,
          condition.unqueued ? 1 : null,
          condition.updated_at ?? null,
          condition.updatedBefore ?? null,
        ).changes === 1,
    );
  }

  async list(query: ListOrdersQuery): Promise<Page<Order>> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.status !== undefined) {
      where.push('status = ?');
      params.push(query.status);
    }
    if (after) {
      where.push('(created_at, order_id) < (?, ?)');
      params.push(after[0], after[1]);
    }
    const sql = `SELECT * FROM orders ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, order_id DESC LIMIT ?`;
    return this.#store.run(() => {
      const page = takePage(
        this.#store.db.prepare(sql).iterate(...params, query.limit + 1),
        query.limit,
        this.#maxPageBytes,
        textBytes,
      );
      const items = page.rows.map(toOrder);
      const last = items.at(-1);
      return page.more && last
        ? { items, cursor: encodeCursor([last.created_at, last.order_id]) }
        : { items };
    });
  }

  countByStatus(): Promise<Record<OrderStatus, number>> {
    return this.#store.run(() => {
      const counts = Object.fromEntries(orderStatuses.map((s) => [s, 0])) as Record<OrderStatus, number>;
      for (const row of this.#counts.all()) {
        const status = row.status as string;
        if (status in OrderStatus) counts[status as OrderStatus] = Number(row.n);
      }
      return counts;
    });
  }

  /** PENDING orders with at least one failed attempt: retrying now (the local dashboard's queue health). */
  countRetrying(): Promise<number> {
    return this.#store.run(() => Number(this.#retrying.get()?.n ?? 0));
  }
}
