import type { SQSRecord } from 'aws-lambda';
import type { FulfillOrderResult } from '../../core/fulfill-order.ts';
import { decodeOrderMessage } from '../../core/order-message.ts';
import { partialBatchHandler } from './batch-processor-pool.ts';

/**
 * A failed record: Powertools reports it in batchItemFailures, so SQS redelivers only this message. An
 * expected outcome (a third of simulated attempts), not a bug: it carries no stack trace, whose capture
 * was a visible share of the consumer's time.
 */
export class FulfillmentAttemptFailed extends Error {
  constructor(message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = 'FulfillmentAttemptFailed';
  }
}

/**
 * The order_queue consumer (Lambda with ReportBatchItemFailures, or the local poller): one fulfilment attempt
 * per record. A failed attempt or an unreadable (poison) body fails that record only, so SQS retries it and,
 * after maxReceiveCount receives, moves it to the DLQ. A failure is never swallowed.
 */
export function createFulfillmentBatchHandler(
  fulfillOrder: (orderId: string) => Promise<FulfillOrderResult>,
) {
  async function handleRecord(record: SQSRecord): Promise<void> {
    const orderId = decodeOrderMessage(record.body)?.order_id;
    if (orderId === undefined)
      throw new FulfillmentAttemptFailed(`message ${record.messageId} is not an order reference`);
    const result = await fulfillOrder(orderId);
    if (!result.ok) throw new FulfillmentAttemptFailed(result.error);
  }
  return partialBatchHandler(handleRecord);
}
