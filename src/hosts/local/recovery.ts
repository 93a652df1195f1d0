import { encodeOrderMessage } from '../../core/order-message.ts';
import type { Clock, Logger, MessageSender, OrderRepository } from '../../core/ports.ts';
import { markQueued } from '../../core/store-order.ts';

/**
 * Start-up recovery of the local host: what a previous process left unfinished, before any consumer runs.
 * Journaled (STANDARD) executions cut short are run again (their steps are idempotent), and PENDING orders
 * that no message and no execution would move are queued again and marked queued, so that a resubmission or
 * a redrive does not send them a second time.
 */
export async function recoverUnfinishedWork(deps: {
  workflow: { resumeUnfinished(): Promise<number> };
  findStranded: () => Promise<string[]>;
  queue: MessageSender;
  orders: OrderRepository;
  clock: Clock;
  logger: Logger;
}): Promise<{ resumed: number; requeued: number }> {
  const resumed = await deps.workflow.resumeUnfinished();
  const stranded = await deps.findStranded();
  for (const orderId of stranded) {
    await deps.queue.send(encodeOrderMessage(orderId));
    await markQueued(deps.orders, orderId, deps.clock.now());
  }
  if (resumed || stranded.length)
    deps.logger.info('recovered unfinished work', { resumed, requeued: stranded.length });
  return { resumed, requeued: stranded.length };
}
