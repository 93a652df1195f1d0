import type { StatementSync } from 'node:sqlite';
import { type Order, OrderStatus, orderStatuses } from '../../core/order.ts';
import {
  acceptedEvent,
  historyOf,
  MAX_ORDER_EVENTS,
  type NewOrderEvent,
  type OrderHistory,
} from '../../core/order-history.ts';
import type {
  ListOrdersQuery,
  OrderChange,
  OrderCondition,
  OrderRepository,
  Page,
} from '../../core/ports.ts';
import { decodeCursor, encodeCursor } from '../storage/cursor.ts';
import { toOrderEvent, toOrder as toStoredOrder } from '../storage/order-record.ts';
import { MAX_PAGE_BYTES, takePage, textBytes } from '../storage/page-budget.ts';
import type { SqliteStore } from './database.ts';

type Row = Record<string, unknown>;

const toOrder = (row: Row): Order => toStoredOrder(row, JSON.parse(row.items as string));

/**
 * Orders in the `orders` table, their history in `order_events`. A conditional write is one UPDATE … WHERE
 * status = ?; the event it records is inserted from the updated row in the same transaction (a savepoint:
 * both or neither), and events beyond the last `maxEvents` of the order are deleted with it.
 */
export class SqliteOrderRepository implements OrderRepository {
  readonly #store: SqliteStore;
  readonly #insert: StatementSync;
  readonly #get: StatementSync;
  readonly #transition: StatementSync;
  readonly #counts: StatementSync;
  readonly #insertEvent: StatementSync;
  readonly #recordEvent: StatementSync;
  readonly #dropEvents: StatementSync;
  readonly #exists: StatementSync;
  readonly #events: StatementSync;
  readonly #retrying: StatementSync;
  readonly #maxPageBytes: number;
  readonly #maxEvents: number;

  constructor(store: SqliteStore, options: { maxPageBytes?: number; maxEvents?: number } = {}) {
    this.#store = store;
    this.#maxPageBytes = options.maxPageBytes ?? MAX_PAGE_BYTES;
    this.#maxEvents = options.maxEvents ?? MAX_ORDER_EVENTS;
    const { db } = store;
    this.#insert = db.prepare(`INSERT INTO orders (order_id, customer_id, items, status, attempts, last_error,
      fingerprint, submission_id, redrives, queued, created_at, updated_at, events)
      VALUES (:order_id, :customer_id, :items, :status, :attempts, :last_error, :fingerprint, :submission_id,
      :redrives, :queued, :created_at, :updated_at, 1) ON CONFLICT (order_id) DO NOTHING`);
    this.#insertEvent = db.prepare(`INSERT INTO order_events
      (order_id, seq, at, type, status, attempt, redrive, detail, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    // The event of a transition, from the row the UPDATE just wrote: its seq and the order's state after it.
    this.#recordEvent = db.prepare(`INSERT INTO order_events
      (order_id, seq, at, type, status, attempt, redrive, detail, started_at)
      SELECT order_id, events, ?2, ?3, status, attempts, redrives, ?4, ?5 FROM orders WHERE order_id = ?1
      RETURNING seq`);
    this.#dropEvents = db.prepare('DELETE FROM order_events WHERE order_id = ? AND seq <= ?');
    this.#exists = db.prepare('SELECT 1 FROM orders WHERE order_id = ?');
    this.#events = db.prepare('SELECT * FROM order_events WHERE order_id = ? ORDER BY seq');
    this.#get = db.prepare('SELECT * FROM orders WHERE order_id = ?');
    // Positional parameters and no RETURNING: this runs once or twice per order, and binding by name plus
    // building the row object cost more than the update itself.
    this.#transition = db.prepare(`UPDATE orders SET
        status = coalesce(?1, status),
        attempts = CASE WHEN ?2 THEN 0 ELSE attempts END + ?3,
        redrives = redrives + ?4,
        last_error = CASE WHEN ?5 THEN ?6 ELSE last_error END,
        updated_at = coalesce(?7, updated_at),
        queued = CASE ?10 WHEN 0 THEN 0 WHEN 1 THEN NULL ELSE queued END,
        events = events + 1
      WHERE order_id = ?8 AND status = ?9
        AND (?11 IS NULL OR attempts = ?11)
        AND (?12 IS NULL OR queued = 0)
        AND (?13 IS NULL OR updated_at = ?13)
        AND (?14 IS NULL OR updated_at < ?14)`);
    // Kept by triggers (database.ts): three rows, not a count of every order.
    this.#counts = db.prepare('SELECT status, n FROM order_counts');
    // Named, or the planner prefers orders_by_status (status = ?) and reads every PENDING row.
    this.#retrying = db.prepare(`SELECT count(*) AS n FROM orders INDEXED BY orders_retrying
      WHERE status = 'PENDING' AND attempts > 0`);
  }

  create(order: Order): Promise<{ created: true } | { created: false; existing: Order }> {
    return this.#store.run(() => {
      const row = { ...order, items: JSON.stringify(order.items), queued: order.queued === false ? 0 : null };
      const created = this.#store.atomically(() => {
        if (this.#insert.run(row).changes !== 1) return false;
        const event = acceptedEvent(order);
        this.#insertEvent.run(
          order.order_id,
          event.seq,
          event.at,
          event.type,
          event.status,
          event.attempt,
          event.redrive,
          null,
          null,
        );
        return true;
      });
      if (created) return { created: true as const };
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
    return this.#store.run(() =>
      this.#store.atomically(() => {
        const changed =
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
          ).changes === 1;
        if (changed) this.#record(orderId, change.event);
        return changed;
      }),
    );
  }

  #record(orderId: string, event: NewOrderEvent): void {
    const row = this.#recordEvent.get(
      orderId,
      event.at,
      event.type,
      event.detail ?? null,
      event.started_at ?? null,
    );
    const seq = Number(row?.seq);
    if (seq > this.#maxEvents) this.#dropEvents.run(orderId, seq - this.#maxEvents);
  }

  async list(query: ListOrdersQuery): Promise<Page<Order>> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.status !== undefined) {
      where.push('status = ?');
      params.push(query.status);
    }
    if (query.customer_id !== undefined) {
      where.push('customer_id = ?');
      params.push(query.customer_id);
    }
    if (query.created_after !== undefined) {
      where.push('created_at >= ?');
      params.push(query.created_after);
    }
    if (query.created_before !== undefined) {
      where.push('created_at < ?');
      params.push(query.created_before);
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

  history(orderId: string): Promise<OrderHistory | undefined> {
    return this.#store.run(() => {
      if (!this.#exists.get(orderId)) return undefined;
      return historyOf(this.#events.all(orderId).map(toOrderEvent));
    });
  }

  /** PENDING orders with at least one failed attempt: retrying now (the local dashboard's queue health). */
  countRetrying(): Promise<number> {
    return this.#store.run(() => Number(this.#retrying.get()?.n ?? 0));
  }
}
