import { OrderStatus } from './order.ts';
import { OrderEventType } from './order-history.ts';
import {
  type Clock,
  type Logger,
  noMetrics,
  type OrderMetrics,
  type OrderRepository,
  type RandomSource,
} from './ports.ts';

export type FulfillOrderResult =
  | { ok: true; status: OrderStatus; skipped: boolean }
  | { ok: false; error: string };

/**
 * One fulfilment attempt. It succeeds with probability `successRate`; the outcome is drawn from the
 * injected random source keyed by order and attempt number. A failed attempt is recorded on the order and
 * returned as a failure so that the queue redelivers the message (and, after maxReceiveCount, dead-letters
 * it). An order that is no longer PENDING (already fulfilled, failed, or a replayed message) is a no-op.
 */
export function createFulfillOrder(deps: {
  orders: OrderRepository;
  clock: Clock;
  random: RandomSource;
  successRate: number;
  logger: Logger;
  metrics?: OrderMetrics;
}) {
  const metrics = deps.metrics ?? noMetrics;
  return async function fulfillOrder(orderId: string): Promise<FulfillOrderResult> {
    const started_at = new Date(deps.clock.now()).toISOString();
    // The order id on each line, without a child logger per message (this runs for every attempt).
    const { logger: log } = deps;
    const order = await deps.orders.get(orderId);
    if (!order) {
      log.warn('fulfilment message for an unknown order', { order_id: orderId });
      return { ok: false, error: `order ${orderId} does not exist` };
    }
    if (order.status !== OrderStatus.PENDING) {
      log.debug('order is not pending; message ignored', { order_id: orderId, status: order.status });
      return { ok: true, status: order.status, skipped: true };
    }
    const attempt = order.attempts + 1;
    const succeeded = deps.random(`${orderId}#${order.redrives}#${attempt}`) < deps.successRate;
    const now = deps.clock.now();
    const updated_at = new Date(now).toISOString();
    if (succeeded) {
      const fulfilled = await deps.orders.transition(orderId, OrderStatus.PENDING, {
        status: OrderStatus.FULFILLED,
        countAttempt: true,
        last_error: null,
        updated_at,
        event: { type: OrderEventType.FULFILLED, at: updated_at, started_at },
      });
      if (!fulfilled) return { ok: true, status: order.status, skipped: true };
      metrics.attempted(true);
      metrics.completed('FULFILLED', now - Date.parse(order.created_at));
      log.info('order fulfilled', { order_id: orderId, attempt });
      return { ok: true, status: OrderStatus.FULFILLED, skipped: false };
    }
    const error = `fulfilment attempt ${attempt} failed (simulated)`;
    await deps.orders.transition(orderId, OrderStatus.PENDING, {
      countAttempt: true,
      last_error: error,
      updated_at,
      event: { type: OrderEventType.ATTEMPT_FAILED, at: updated_at, started_at, detail: error },
    });
    metrics.attempted(false);
    log.info('fulfilment attempt failed', { order_id: orderId, attempt });
    return { ok: false, error };
  };
}
