import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { powertoolsLogger } from '../../adapters/powertools/powertools-logger.ts';
import { powertoolsMetrics } from '../../adapters/powertools/powertools-metrics.ts';
import type { Logger as LoggerPort, OrderMetrics } from '../../core/ports.ts';

/**
 * An SQS-triggered Lambda handler: Powertools Logger and Metrics for `service`, the batch handler built once
 * at cold start, metrics published after every invocation.
 */
export function sqsLambda(
  service: string,
  build: (deps: {
    logger: LoggerPort;
    metrics: OrderMetrics;
  }) => (event: SQSEvent) => Promise<SQSBatchResponse>,
) {
  const logger = new Logger({ serviceName: service });
  const metrics = new Metrics({ namespace: 'DOFS', serviceName: service });
  const handleBatch = build({ logger: powertoolsLogger(logger), metrics: powertoolsMetrics(metrics) });
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    try {
      return await handleBatch(event);
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
