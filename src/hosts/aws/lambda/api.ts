import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { loadLambdaConfig } from '../../../config.ts';
import type { HttpRequest } from '../../../handlers/http/http-types.ts';
import { buildApi } from '../aws-system.ts';
import { lambdaHandler } from '../lambda-handler.ts';

const config = loadLambdaConfig('api');

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

/** API Gateway (REST, proxy integration) → the shared HTTP app. */
export const handler = lambdaHandler('dofs-api', (deps) => {
  const app = buildApi(config, deps);
  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const response = await app(toHttpRequest(event));
    return { statusCode: response.status, headers: response.headers, body: response.body };
  };
});
