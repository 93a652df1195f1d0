import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { orderIdOfMessage } from '../../core/dead-letter-order.ts';
import type { FulfillOrderResult } from '../../core/fulfill-order.ts';

/** A failed record: Powertools reports it in batchItemFailures, so SQS redelivers only this message. */
export class FulfillmentAttemptFailed extends Error {
  constructor(message: string) {
    super(message);
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
    const orderId = orderIdOfMessage(record.body);
    if (orderId === undefined)
      throw new FulfillmentAttemptFailed(`message ${record.messageId} is not an order reference`);
    const result = await fulfillOrder(orderId);
    if (!result.ok) throw new FulfillmentAttemptFailed(result.error);
  }
  return (event: SQSEvent): Promise<SQSBatchResponse> =>
    // A processor holds one batch's state: one per invocation, so concurrent local pollers never share one.
    processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), {
      throwOnFullBatchFailure: false,
    });
}
