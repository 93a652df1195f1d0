import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { powertoolsLogger } from '../../adapters/powertools/powertools-logger.ts';
import { powertoolsMetrics } from '../../adapters/powertools/powertools-metrics.ts';
import { buildDeadLetterOrder } from '../../composition/aws.ts';
import { loadLambdaConfig } from '../../config.ts';
import { createDeadLetterBatchHandler } from '../sqs/dead-letter-batch.ts';

const logger = new Logger({ serviceName: 'dofs-dead-letter' });
const metrics = new Metrics({ namespace: 'DOFS', serviceName: 'dofs-dead-letter' });
const handleBatch = createDeadLetterBatchHandler(
  buildDeadLetterOrder(loadLambdaConfig('dead-letter'), {
    logger: powertoolsLogger(logger),
    metrics: powertoolsMetrics(metrics),
  }),
);

/** order_dlq event source mapping: records failed_orders and marks orders FAILED; emits OrdersDeadLettered. */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  try {
    return await handleBatch(event);
  } finally {
    metrics.publishStoredMetrics();
  }
};
