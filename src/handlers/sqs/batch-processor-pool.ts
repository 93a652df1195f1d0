import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * Runs `handleRecord` over a batch with Powertools' partial batch response. A processor holds one batch's state,
 * so batches in flight at once (the local pollers) never share one; creating one per batch read Powertools'
 * environment variables each time, so finished ones are kept for reuse.
 */
export function partialBatchHandler(handleRecord: (record: SQSRecord) => Promise<void>) {
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
