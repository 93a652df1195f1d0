import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type AwsHostOptions, startAwsHost } from './aws-host.ts';
import { call, type Json, startServer, tempDataDir } from './server-process.ts';

export interface HostResponse {
  status: number;
  body: Json;
  headers: Record<string, string>;
}

/**
 * What a scenario may do to a DOFS host: call its HTTP API, and change the fulfilment service's success
 * rate (each host the way an operator would: the local host is restarted on the same data directory, the
 * AWS host's fulfil function gets new execution environments). Both hosts are held to one behaviour by
 * running the same scenarios through this interface.
 */
export interface HostDriver {
  readonly name: string;
  request(method: 'GET' | 'POST', path: string, body?: string): Promise<HostResponse>;
  setSuccessRate(rate: number): Promise<void>;
  stop(): Promise<void>;
}

export const MAX_RECEIVE_COUNT = 3;

/** The local host (`src/hosts/local/main.ts`) as a child process over HTTP. */
export async function startLocalHostDriver(options: { successRate: number }): Promise<HostDriver> {
  const data = tempDataDir();
  const start = (rate: number) =>
    startServer({
      DOFS_DATA_DIR: data.dir,
      FULFILLMENT_SUCCESS_RATE: String(rate),
      MAX_RECEIVE_COUNT: String(MAX_RECEIVE_COUNT),
      VISIBILITY_TIMEOUT_SECONDS: '0.05',
    });
  let server = await start(options.successRate);
  let rate = options.successRate;
  return {
    name: 'local host',
    async request(method, path, body) {
      const response = await call(`${server.url}${path}`, {
        method,
        ...(body === undefined ? {} : { raw: body }),
      });
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name] = value;
      });
      return { status: response.status, body: response.body, headers };
    },
    async setSuccessRate(next) {
      if (next === rate) return;
      const code = await server.stop();
      if (code !== 0) throw new Error(`local host exited with ${code}`);
      server = await start(next);
      rate = next;
    },
    async stop() {
      try {
        const code = await server.stop();
        if (code !== 0) throw new Error(`local host exited with ${code}`);
      } finally {
        data.remove();
      }
    },
  };
}

/** A REST API (v1) proxy integration's event for one request, as API Gateway builds it. */
export function apiGatewayEvent(method: string, path: string, body?: string): APIGatewayProxyEvent {
  const [pathname = '/', search = ''] = path.split('?');
  const query = new URLSearchParams(search);
  const multi: Record<string, string[]> = {};
  for (const name of new Set(query.keys())) multi[name] = query.getAll(name);
  const single = Object.fromEntries(Object.entries(multi).map(([name, values]) => [name, values.at(-1)]));
  const headers: Record<string, string> = {
    Accept: 'application/json',
    Host: 'abc123.execute-api.local-1.amazonaws.com',
    'User-Agent': 'dofs-e2e',
    ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
  };
  const hasQuery = Object.keys(multi).length > 0;
  return {
    resource: '/{proxy+}',
    path: pathname,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([n, v]) => [n, [v]])),
    queryStringParameters: hasQuery ? (single as Record<string, string>) : null,
    multiValueQueryStringParameters: hasQuery ? multi : null,
    pathParameters: { proxy: pathname.slice(1) },
    stageVariables: null,
    body: body ?? null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'abc123',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      path: `/v1${pathname}`,
      stage: 'v1',
      requestId: crypto.randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'res123',
      resourcePath: '/{proxy+}',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '127.0.0.1',
        user: null,
        userAgent: 'dofs-e2e',
        userArn: null,
      },
    },
  };
}

/** The AWS host (built bundles, emulators), driven by API Gateway proxy events given to the api function. */
export async function startAwsHostDriver(
  options: Omit<AwsHostOptions, 'maxReceiveCount'>,
): Promise<HostDriver & { aws: Awaited<ReturnType<typeof startAwsHost>> }> {
  const aws = await startAwsHost({ ...options, maxReceiveCount: MAX_RECEIVE_COUNT });
  return {
    name: `AWS host (${options.workflowType})`,
    aws,
    async request(method, path, body) {
      const result = await aws.api(apiGatewayEvent(method, path, body));
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(result.headers ?? {}))
        headers[name.toLowerCase()] = String(value);
      return { status: result.statusCode, body: result.body ? JSON.parse(result.body) : undefined, headers };
    },
    setSuccessRate: (rate) => aws.setSuccessRate(rate),
    stop: () => aws.stop(),
  };
}
