import { InvalidTransitionError, OrderNotFoundError } from './errors.ts';
import { OrderStatus } from './order.ts';
import { OrderEventType } from './order-history.ts';
import { encodeOrderMessage } from './order-message.ts';
import type { Clock, FailedOrderRepository, Logger, MessageSender, OrderRepository } from './ports.ts';
import { markQueued } from './store-order.ts';

export type RedriveResult = { ok: true; orderId: string } | { ok: false; orderId: string; error: Error };

/** How long a redrive's claim on an order holds before another redrive may finish its work. */
export const REDRIVE_CLAIM_TIMEOUT_MS = 60_000;

/**
 * Sends FAILED orders back to the order queue with status PENDING and a fresh attempt budget, and removes
 * their failed_orders record.
 *
 * Each redrive of an order is one atomic claim: the conditional write FAILED → PENDING (which also marks
 * the order as not yet queued). Of concurrent redrives exactly one wins it, and only the winner sends the
 * message, clears the mark and deletes the record; the others are refused like any redrive of an order
 * that is not FAILED. A winner whose send fails gives the order back (PENDING → FAILED) so a retry can
 * claim it again. One that died before its send leaves the order PENDING, unqueued, with its record: once
 * its claim is older than `claimTimeoutMs`, a redrive claims it again (a compare-and-set on the order's
 * `updated_at`, again one winner) and finishes the job; the local host's start-up reconciliation re-queues
 * it too.
 */
export function createRedriveOrders(deps: {
  orders: OrderRepository;
  failedOrders: FailedOrderRepository;
  queue: MessageSender;
  clock: Clock;
  logger: Logger;
  claimTimeoutMs?: number;
}) {
  const claimTimeoutMs = deps.claimTimeoutMs ?? REDRIVE_CLAIM_TIMEOUT_MS;
  const iso = (ms: number) => new Date(ms).toISOString();

  async function redriveOne(orderId: string): Promise<RedriveResult> {
    const log = deps.logger.child({ order_id: orderId });
    const order = await deps.orders.get(orderId);
    if (!order) {
      if (await deps.failedOrders.get(orderId)) {
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
    const now = deps.clock.now();
    const updated_at = iso(now);
    let claimed = false;
    if (order.status === OrderStatus.FAILED) {
      claimed = await deps.orders.transition(orderId, OrderStatus.FAILED, {
        status: OrderStatus.PENDING,
        resetAttempts: true,
        countRedrive: true,
        last_error: null,
        queued: false,
        updated_at,
        event: { type: OrderEventType.REDRIVEN, at: updated_at },
      });
    } else if (order.status === OrderStatus.PENDING && order.queued === false && order.attempts === 0) {
      // PENDING, never queued, with its failed_orders record still there: a redrive that stopped between its
      // claim and its send, or one still running. Only an expired claim may be taken over.
      if (await deps.failedOrders.get(orderId)) {
        claimed = await deps.orders.transition(
          orderId,
          {
            status: OrderStatus.PENDING,
            attempts: 0,
            unqueued: true,
            updatedBefore: iso(now - claimTimeoutMs),
          },
          { updated_at, event: { type: OrderEventType.REDRIVE_RESUMED, at: updated_at } },
        );
        if (claimed) log.warn('finishing a redrive that was interrupted before its send');
      }
    } else if (
      order.status === OrderStatus.PENDING &&
      order.attempts === 0 &&
      (await deps.failedOrders.get(orderId))
    ) {
      // Redriven and queued (by a redrive that stopped before its last step, or by the local host's start-up
      // reconciliation), not yet attempted: the record is stale. Nothing is sent; this call redrove nothing.
      await deps.failedOrders.delete(orderId);
      log.info('stale failed_orders record of a queued order removed');
    } else if (order.status === OrderStatus.FULFILLED && (await deps.failedOrders.get(orderId))) {
      // A failed_orders record beside a fulfilled order is what an interrupted redrive leaves once the order
      // was fulfilled anyway: nothing to send, the record goes (deleting twice is harmless).
      await deps.failedOrders.delete(orderId);
      log.info('stale failed_orders record of a fulfilled order removed');
      return { ok: true, orderId };
    }
    if (!claimed) {
      const current = (await deps.orders.get(orderId))?.status ?? order.status;
      return {
        ok: false,
        orderId,
        error: new InvalidTransitionError(
          `order ${orderId} is ${current}${current === OrderStatus.PENDING ? ' (being redriven or queued)' : ''}; only FAILED orders can be redriven`,
        ),
      };
    }
    try {
      await deps.queue.send(encodeOrderMessage(orderId));
    } catch (error) {
      // Give the claim back, so a retry redrives it again at once; if that fails too, the claim expires.
      const at = iso(deps.clock.now());
      await deps.orders
        .transition(
          orderId,
          { status: OrderStatus.PENDING, unqueued: true, updated_at },
          {
            status: OrderStatus.FAILED,
            queued: true,
            updated_at: at,
            event: {
              type: OrderEventType.REDRIVE_REVERTED,
              at,
              detail: `the redrive could not send the order's message: ${(error as Error).message}`,
            },
          },
        )
        .catch(() => undefined);
      throw error;
    }
    // Sent: clear the mark (if this write fails, a later submission sends a harmless second message).
    await markQueued(deps.orders, orderId, deps.clock.now()).catch(() => undefined);
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
      const limit = Math.min(100, max - results.length);
      const page = await deps.failedOrders.list(cursor === undefined ? { limit } : { limit, cursor });
      for (const record of page.items) results.push(await redriveOne(record.order_id));
      cursor = page.cursor;
    } while (cursor !== undefined && results.length < max);
    return results;
  }

  return { redriveOne, redriveAll };
}
