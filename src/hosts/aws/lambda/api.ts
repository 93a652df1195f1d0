import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { powertoolsLogger } from '../../../adapters/powertools/powertools-logger.ts';
import { powertoolsMetrics } from '../../../adapters/powertools/powertools-metrics.ts';
import { loadLambdaConfig } from '../../../config.ts';
import type { HttpRequest } from '../../../handlers/http/http-types.ts';
import { buildApi } from '../aws-system.ts';

const logger = new Logger({ serviceName: 'dofs-api' });
const metrics = new Metrics({ namespace: 'DOFS', serviceName: 'dofs-api' });
const app = buildApi(loadLambdaConfig('api'), {
  logger: powertoolsLogger(logger),
  metrics: powertoolsMetrics(metrics),
});

/** API Gateway (REST, proxy integration) → the same HTTP app the local host serves. */
export function toHttpRequest(event: APIGatewayProxyEvent): HttpRequest {
  const query = new URLSearchParams();
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    for (const value of values ?? []) query.append(name, value);
  }
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  const body =
    event.body === null
      ? undefined
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body;
  return { method: event.httpMethod, path: event.path, query, headers, body };
}

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  try {
    const response = await app(toHttpRequest(event));
    return { statusCode: response.status, headers: response.headers, body: response.body };
  } finally {
    metrics.publishStoredMetrics();
  }
};
