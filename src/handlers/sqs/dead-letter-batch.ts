import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DeadLetteredMessage, DeadLetterResult } from '../../core/dead-letter-order.ts';

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
  // As in the fulfilment handler: a processor per batch in flight, kept for reuse (creating one reads
  // Powertools' environment variables).
  const idle: BatchProcessor[] = [];
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const processor = idle.pop() ?? new BatchProcessor(EventType.SQS);
    try {
      return await processPartialResponse(event, handleRecord, processor, { throwOnFullBatchFailure: false });
    } finally {
      idle.push(processor);
    }
  };
}
