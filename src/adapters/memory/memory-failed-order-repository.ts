import type { FailedOrder, FailedOrderRepository, Page } from '../../core/ports.ts';
import { decodeCursor, encodeCursor } from '../storage/cursor.ts';

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

  async list(query: { limit: number; cursor?: string }): Promise<Page<FailedOrder>> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const matching = [...this.#records.values()]
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

  async count() {
    return this.#records.size;
  }
}
