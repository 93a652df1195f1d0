import { type Order, type OrderStatus, orderStatuses } from '../../core/order.ts';
import type {
  ListOrdersQuery,
  OrderChange,
  OrderCondition,
  OrderRepository,
  Page,
} from '../../core/ports.ts';
import { decodeCursor, encodeCursor } from '../storage/cursor.ts';

const newestFirst = (a: Order, b: Order) =>
  a.created_at === b.created_at ? (a.order_id < b.order_id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1;

/** In-memory orders for tests and quick experiments; same contract as the SQLite and DynamoDB adapters. */
export class MemoryOrderRepository implements OrderRepository {
  readonly #orders = new Map<string, Order>();

  async create(order: Order) {
    const existing = this.#orders.get(order.order_id);
    if (existing) return { created: false as const, existing: structuredClone(existing) };
    this.#orders.set(order.order_id, structuredClone(order));
    return { created: true as const };
  }

  async get(orderId: string) {
    const order = this.#orders.get(orderId);
    return order ? structuredClone(order) : undefined;
  }

  async transition(
    orderId: string,
    expected: OrderStatus | OrderCondition,
    change: OrderChange,
  ): Promise<boolean> {
    const order = this.#orders.get(orderId);
    const condition = typeof expected === 'string' ? { status: expected } : expected;
    if (
      !order ||
      order.status !== condition.status ||
      (condition.attempts !== undefined && order.attempts !== condition.attempts) ||
      (condition.unqueued && order.queued !== false) ||
      (condition.updated_at !== undefined && order.updated_at !== condition.updated_at) ||
      (condition.updatedBefore !== undefined && !(order.updated_at < condition.updatedBefore))
    ) {
      return false;
    }
    if (change.status !== undefined) order.status = change.status;
    if (change.resetAttempts) order.attempts = 0;
    if (change.countAttempt) order.attempts += 1;
    if (change.countRedrive) order.redrives += 1;
    if (change.last_error !== undefined) order.last_error = change.last_error;
    if (change.queued === false) order.queued = false;
    else if (change.queued === true) delete order.queued;
    if (change.updated_at !== undefined) order.updated_at = change.updated_at;
    return true;
  }

  async list(query: ListOrdersQuery): Promise<Page<Order>> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const matching = [...this.#orders.values()]
      .filter((o) => query.status === undefined || o.status === query.status)
      .filter(
        (o) => !after || o.created_at < after[0] || (o.created_at === after[0] && o.order_id < after[1]),
      )
      .sort(newestFirst);
    const items = matching.slice(0, query.limit).map((o) => structuredClone(o));
    const last = items.at(-1);
    return matching.length > query.limit && last
      ? { items, cursor: encodeCursor([last.created_at, last.order_id]) }
      : { items };
  }

  async countByStatus() {
    const counts = Object.fromEntries(orderStatuses.map((s) => [s, 0])) as Record<OrderStatus, number>;
    for (const order of this.#orders.values()) counts[order.status] += 1;
    return counts;
  }
}
