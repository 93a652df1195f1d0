import type { SQSRecord } from 'aws-lambda';
import type { DeadLetteredMessage, DeadLetterResult } from '../../core/dead-letter-order.ts';
import { partialBatchHandler } from './batch-processor-pool.ts';

/**
 * The order_dlq consumer: records each message in failed_orders and marks its order FAILED. A record
 * whose write fails is reported in batchItemFailures and comes back; nothing in the DLQ is dropped.
 */
export function createDeadLetterBatchHandler(
  deadLetterOrder: (message: DeadLetteredMessage) => Promise<DeadLetterResult>,
) {
  async function handleRecord(record: SQSRecord): Promise<void> {
    await deadLetterOrder({
      messageId: record.messageId,
      body: record.body,
      receiveCount: Number(record.attributes.ApproximateReceiveCount),
    });
  }
  return partialBatchHandler(handleRecord);
}
