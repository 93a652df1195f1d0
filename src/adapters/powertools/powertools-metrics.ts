import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { OrderMetrics } from '../../core/ports.ts';

/** The OrderMetrics port on Powertools Metrics (CloudWatch EMF, namespace DOFS); published per invocation. */
export function powertoolsMetrics(metrics: Metrics): OrderMetrics {
  return {
    accepted(acceptMs) {
      metrics.addMetric('OrdersAccepted', MetricUnit.Count, 1);
      metrics.addMetric('AcceptLatency', MetricUnit.Milliseconds, acceptMs);
    },
    attempted(succeeded) {
      metrics.addMetric(
        succeeded ? 'FulfilmentAttemptsSucceeded' : 'FulfilmentAttemptsFailed',
        MetricUnit.Count,
        1,
      );
    },
    completed(status, endToEndMs) {
      metrics.addMetric(
        status === 'FULFILLED' ? 'OrdersFulfilled' : 'OrdersDeadLettered',
        MetricUnit.Count,
        1,
      );
      metrics.addMetric(
        status === 'FULFILLED' ? 'EndToEndLatency' : 'TimeToDeadLetter',
        MetricUnit.Milliseconds,
        endToEndMs,
      );
    },
  };
}
