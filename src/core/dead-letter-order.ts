import { OrderStatus } from './order.ts';
import { OrderEventType } from './order-history.ts';
import { decodeOrderMessage } from './order-message.ts';
import {
  type Clock,
  type FailedOrderRepository,
  type Logger,
  noMetrics,
  type OrderMetrics,
  type OrderRepository,
} from './ports.ts';

export interface DeadLetteredMessage {
  messageId: string;
  body: string;
  receiveCount: number;
}

export type DeadLetterResult = { recorded: true; orderId: string } | { recorded: false; reason: string };

/**
 * Handles a message that reached the DLQ: records it in failed_orders, then moves the order
 * PENDING -> FAILED. Both writes are idempotent, so a redelivered DLQ message changes nothing.
 * A message that is not a readable order is recorded under `message-<id>` so it is visible, never lost.
 */
export function createDeadLetterOrder(deps: {
  orders: OrderRepository;
  failedOrders: FailedOrderRepository;
  clock: Clock;
  logger: Logger;
  metrics?: OrderMetrics;
}) {
  const metrics = deps.metrics ?? noMetrics;
  return async function deadLetterOrder(message: DeadLetteredMessage): Promise<DeadLetterResult> {
    const now = deps.clock.now();
    const failed_at = new Date(now).toISOString();
    const orderId = decodeOrderMessage(message.body)?.order_id;
    if (orderId === undefined) {
      const id = `message-${message.messageId}`;
      await deps.failedOrders.put({
        order_id: id,
        reason: 'malformed message: body is not an order reference',
        attempts: message.receiveCount,
        message_id: message.messageId,
        body: message.body,
        failed_at,
      });
      deps.logger.error('poison message dead-lettered', { order_id: id, message_id: message.messageId });
      return { recorded: true, orderId: id };
    }
    const log = deps.logger.child({ order_id: orderId });
    const order = await deps.orders.get(orderId);
    if (order?.status === OrderStatus.FULFILLED) {
      log.warn('dead-lettered message for an order already fulfilled; ignored');
      return { recorded: false, reason: 'already fulfilled' };
    }
    const reason = order
      ? (order.last_error ?? 'exceeded the maximum number of receives')
      : 'order does not exist';
    await deps.failedOrders.put({
      order_id: orderId,
      reason,
      attempts: order?.attempts ?? message.receiveCount,
      message_id: message.messageId,
      body: message.body,
      failed_at,
    });
    if (order?.status === OrderStatus.PENDING) {
      const moved = await deps.orders.transition(orderId, OrderStatus.PENDING, {
        status: OrderStatus.FAILED,
        updated_at: failed_at,
        event: { type: OrderEventType.DEAD_LETTERED, at: failed_at, detail: reason },
      });
      if (moved) metrics.completed('FAILED', now - Date.parse(order.created_at));
    }
    log.error('order failed and was dead-lettered', { attempts: order?.attempts, reason: order?.last_error });
    return { recorded: true, orderId };
  };
}
