import { type Order, type OrderStatus, orderStatuses } from '../../core/order.ts';
import {
  acceptedEvent,
  historyOf,
  MAX_ORDER_EVENTS,
  type OrderEvent,
  type OrderHistory,
  storedEvent,
} from '../../core/order-history.ts';
import type {
  ListOrdersQuery,
  OrderChange,
  OrderCondition,
  OrderRepository,
  Page,
} from '../../core/ports.ts';
import { decodeCursor, encodeCursor } from '../storage/cursor.ts';
import { applyChange, matchesSearch, meetsCondition } from '../storage/order-change.ts';

const newestFirst = (a: Order, b: Order) =>
  a.created_at === b.created_at ? (a.order_id < b.order_id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1;

/** In-memory orders for tests and quick experiments; same contract as the SQLite and DynamoDB adapters. */
export class MemoryOrderRepository implements OrderRepository {
  readonly #orders = new Map<string, Order>();
  readonly #events = new Map<string, { seq: number; kept: OrderEvent[] }>();
  readonly #maxEvents: number;

  constructor(options: { maxEvents?: number } = {}) {
    this.#maxEvents = options.maxEvents ?? MAX_ORDER_EVENTS;
  }

  async create(order: Order) {
    const existing = this.#orders.get(order.order_id);
    if (existing) return { created: false as const, existing: structuredClone(existing) };
    this.#orders.set(order.order_id, structuredClone(order));
    this.#events.set(order.order_id, { seq: 1, kept: [acceptedEvent(order)] });
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
    if (!order || !meetsCondition(order, condition)) return false;
    const next = applyChange(order, change);
    this.#orders.set(orderId, next);
    const history = this.#events.get(orderId) ?? { seq: 0, kept: [] };
    history.seq += 1;
    history.kept.push(storedEvent(change.event, history.seq, next));
    if (history.kept.length > this.#maxEvents) history.kept.splice(0, history.kept.length - this.#maxEvents);
    this.#events.set(orderId, history);
    return true;
  }

  async list(query: ListOrdersQuery): Promise<Page<Order>> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const matching = [...this.#orders.values()]
      .filter((o) => matchesSearch(o, query))
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

  async history(orderId: string): Promise<OrderHistory | undefined> {
    if (!this.#orders.has(orderId)) return undefined;
    return historyOf(structuredClone(this.#events.get(orderId)?.kept ?? []));
  }
}
