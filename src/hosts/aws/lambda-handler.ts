import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { powertoolsLogger } from '../../adapters/powertools/powertools-logger.ts';
import { powertoolsMetrics } from '../../adapters/powertools/powertools-metrics.ts';
import type { Logger as LoggerPort, OrderMetrics } from '../../core/ports.ts';

/**
 * The one wrapper of all five functions: Powertools Logger and Metrics for `service`, the handler built once
 * at cold start from them, and per invocation the Lambda context on every log line, a ColdStart metric on
 * the first, and the stored metrics published after each (also when the handler throws: a Task's typed error
 * must reach Step Functions unchanged, so it is rethrown as it is). Written by hand rather than with middy:
 * it is these three calls, and each bundle stays one dependency smaller.
 */
export function lambdaHandler<Event, Result>(
  service: string,
  build: (deps: { logger: LoggerPort; metrics: OrderMetrics }) => (event: Event) => Promise<Result>,
) {
  const logger = new Logger({ serviceName: service });
  const metrics = new Metrics({ namespace: 'DOFS', serviceName: service });
  const handle = build({ logger: powertoolsLogger(logger), metrics: powertoolsMetrics(metrics) });
  return async (event: Event, context?: Context): Promise<Result> => {
    if (context) {
      logger.addContext(context);
      metrics.captureColdStartMetric(context.functionName);
    }
    try {
      return await handle(event);
    } finally {
      // Not when empty: Powertools would log a warning on every Task invocation that records none.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}
