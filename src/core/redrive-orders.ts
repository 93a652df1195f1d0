import { InvalidTransitionError, OrderNotFoundError } from './errors.ts';
import { OrderStatus } from './order.ts';
import type { Clock, FailedOrderRepository, Logger, MessageSender, OrderRepository } from './ports.ts';

export type RedriveResult = { ok: true; orderId: string } | { ok: false; orderId: string; error: Error };

/**
 * Sends FAILED orders back to the order queue with status PENDING and a fresh attempt budget, and removes
 * their failed_orders record. The order of writes makes a crash mid-redrive safe: the record is removed
 * last, so redriving again (or the local host's start-up reconciliation) finishes the job.
 */
export function createRedriveOrders(deps: {
  orders: OrderRepository;
  failedOrders: FailedOrderRepository;
  queue: MessageSender;
  clock: Clock;
  logger: Logger;
}) {
  async function redriveOne(orderId: string): Promise<RedriveResult> {
    const log = deps.logger.child({ order_id: orderId });
    const order = await deps.orders.get(orderId);
    const record = await deps.failedOrders.get(orderId);
    if (!order) {
      if (record) {
        return {
          ok: false,
          orderId,
          error: new InvalidTransitionError(
            `${orderId} is a dead-lettered message that is not an order; it cannot be redriven`,
          ),
        };
      }
      return { ok: false, orderId, error: new OrderNotFoundError(orderId) };
    }
    const moved = await deps.orders.transition(orderId, OrderStatus.FAILED, {
      status: OrderStatus.PENDING,
      resetAttempts: true,
      countRedrive: true,
      last_error: null,
      updated_at: new Date(deps.clock.now()).toISOString(),
    });
    // A failed_orders record beside an order that is no longer FAILED is what an interrupted redrive leaves
    // (its last step, deleting the record, did not happen): PENDING still needs its message, FULFILLED is done.
    if (!moved && record !== undefined && order.status === OrderStatus.FULFILLED) {
      await deps.failedOrders.delete(orderId);
      log.info('stale failed_orders record of a fulfilled order removed');
      return { ok: true, orderId };
    }
    const interruptedEarlier = !moved && order.status === OrderStatus.PENDING && record !== undefined;
    if (!moved && !interruptedEarlier) {
      return {
        ok: false,
        orderId,
        error: new InvalidTransitionError(
          `order ${orderId} is ${order.status}; only FAILED orders can be redriven`,
        ),
      };
    }
    await deps.queue.send(JSON.stringify({ order_id: orderId }));
    await deps.failedOrders.delete(orderId);
    log.info('order redriven');
    return { ok: true, orderId };
  }

  /** Redrives every failed order (up to `max`), page by page. */
  async function redriveAll(max = 10_000): Promise<RedriveResult[]> {
    const results: RedriveResult[] = [];
    let cursor: string | undefined;
    do {
      // Keyset cursors stay valid while the records behind them are deleted.
      const page = await deps.failedOrders.list({ limit: Math.min(100, max - results.length), cursor });
      for (const record of page.items) results.push(await redriveOne(record.order_id));
      cursor = page.cursor;
    } while (cursor !== undefined && results.length < max);
    return results;
  }

  return { redriveOne, redriveAll };
}
