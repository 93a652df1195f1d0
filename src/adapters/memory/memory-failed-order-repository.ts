import type { FailedOrderSearch } from '../../core/order-search.ts';
import type { FailedOrder, FailedOrderRepository, Page, ReasonCount } from '../../core/ports.ts';
import { decodeCursor, encodeCursor } from '../storage/cursor.ts';
import { byCountThenReason } from '../storage/failed-order-record.ts';

/** In-memory failed_orders, newest failure first. */
export class MemoryFailedOrderRepository implements FailedOrderRepository {
  readonly #records = new Map<string, FailedOrder>();

  async put(record: FailedOrder) {
    this.#records.set(record.order_id, { ...record });
  }

  async get(orderId: string) {
    const record = this.#records.get(orderId);
    return record ? { ...record } : undefined;
  }

  async list(query: FailedOrderSearch): Promise<Page<FailedOrder>> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const matching = [...this.#records.values()]
      .filter((r) => query.reason === undefined || r.reason === query.reason)
      .filter((r) => !after || r.failed_at < after[0] || (r.failed_at === after[0] && r.order_id < after[1]))
      .sort((a, b) =>
        a.failed_at === b.failed_at ? (a.order_id < b.order_id ? 1 : -1) : a.failed_at < b.failed_at ? 1 : -1,
      );
    const items = matching.slice(0, query.limit).map((r) => ({ ...r }));
    const last = items.at(-1);
    return matching.length > query.limit && last
      ? { items, cursor: encodeCursor([last.failed_at, last.order_id]) }
      : { items };
  }

  async delete(orderId: string) {
    this.#records.delete(orderId);
  }

  async count(query: { reason?: string } = {}) {
    if (query.reason === undefined) return this.#records.size;
    return [...this.#records.values()].filter((r) => r.reason === query.reason).length;
  }

  async countByReason(limit: number): Promise<ReasonCount[]> {
    const counts = new Map<string, number>();
    for (const { reason } of this.#records.values()) counts.set(reason, (counts.get(reason) ?? 0) + 1);
    return [...counts]
      .map(([reason, count]) => ({ reason, count }))
      .sort(byCountThenReason)
      .slice(0, limit);
  }
}
