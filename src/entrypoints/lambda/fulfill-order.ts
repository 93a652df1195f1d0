import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { powertoolsLogger } from '../../adapters/powertools/powertools-logger.ts';
import { powertoolsMetrics } from '../../adapters/powertools/powertools-metrics.ts';
import { buildFulfillOrder } from '../../composition/aws.ts';
import { loadLambdaConfig } from '../../config.ts';
import { createFulfillmentBatchHandler } from '../sqs/fulfillment-batch.ts';

const logger = new Logger({ serviceName: 'dofs-fulfill' });
const metrics = new Metrics({ namespace: 'DOFS', serviceName: 'dofs-fulfill' });
const handleBatch = createFulfillmentBatchHandler(
  buildFulfillOrder(loadLambdaConfig('fulfill-order'), {
    logger: powertoolsLogger(logger),
    metrics: powertoolsMetrics(metrics),
  }),
);

/** order_queue event source mapping with ReportBatchItemFailures: failed attempts come back, the rest are deleted. */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  try {
    return await handleBatch(event);
  } finally {
    metrics.publishStoredMetrics();
  }
};
