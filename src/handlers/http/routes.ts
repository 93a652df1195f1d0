import { MAX_ORDER_EVENTS } from '../../core/order-history.ts';
import { failedOrderSearchSchema, orderSearchSchema } from '../../core/order-search.ts';
import { queryParameters } from './query-parameters.ts';

/**
 * The DOFS HTTP API as one table: each route's method, path and OpenAPI operation. The app dispatches on it
 * (http-app.ts, one handler per operationId, checked by the compiler), the OpenAPI document's paths are
 * derived from it (openapi.ts), and so are API Gateway's resources and methods
 * (terraform/modules/api_gateway/routes.json, scripts/generate-api-model.ts).
 */
export interface RouteSpec {
  /** Also the route's key in Terraform. */
  operationId: string;
  method: 'GET' | 'POST';
  /** An OpenAPI path template: `{name}` is one path segment. */
  path: string;
  summary: string;
  description?: string;
  /** Whether API Gateway checks the body against the order request model. */
  orderBody?: boolean;
  /** Answered without the API key (probes, the document itself). */
  public?: boolean;
  parameters?: readonly unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
}

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const error = (description: string) => json(ref('Error'), description);
const orderIdParam = { name: 'order_id', in: 'path', required: true, schema: { type: 'string' } };
const orderBody = { required: true, content: { 'application/json': { schema: ref('OrderRequest') } } };

export const API_ROUTES = [
  {
    operationId: 'post_order',
    method: 'POST',
    path: '/order',
    summary: 'Submit an order (idempotent on order_id)',
    orderBody: true,
    requestBody: orderBody,
    responses: {
      '202': json(ref('Order'), 'Accepted: stored durably and queued for fulfilment.'),
      '200': json(ref('Order'), 'Replay: same order_id and payload; the current order, not processed again.'),
      '400': error('Invalid order: every failing field is listed.'),
      '409': error('The order_id exists with a different payload.'),
      '413': error('Body over 64 KiB.'),
      '415': error('Content type is not JSON.'),
      '503': error('Storage unavailable; retry after Retry-After seconds with the same order_id.'),
    },
  },
  {
    operationId: 'post_orders',
    method: 'POST',
    path: '/orders',
    summary: 'Alias of POST /order',
    orderBody: true,
    requestBody: orderBody,
    responses: {
      '202': json(ref('Order'), 'Accepted.'),
      '200': json(ref('Order'), 'Replay.'),
      '400': error('Invalid order.'),
      '409': error('Conflict.'),
    },
  },
  {
    operationId: 'list_orders',
    method: 'GET',
    path: '/orders',
    summary: 'Search orders, newest first',
    description:
      'Every filter is optional and they combine. An empty parameter is the same as none; an unknown parameter or a bad value is a 400 naming it.',
    parameters: queryParameters(orderSearchSchema),
    responses: {
      '200': json(ref('OrderPage'), 'A page of orders.'),
      '400': error('Unknown query parameter or bad value; every one is listed in fields.'),
    },
  },
  {
    operationId: 'get_order',
    method: 'GET',
    path: '/orders/{order_id}',
    summary: 'Read one order',
    parameters: [orderIdParam],
    responses: { '200': json(ref('Order'), 'The order.'), '404': error('No such order.') },
  },
  {
    operationId: 'get_history',
    method: 'GET',
    path: '/orders/{order_id}/history',
    summary: "An order's history, oldest event first",
    description: `Every transition of the order with its time, status and attempt, kept across redrives: the last ${MAX_ORDER_EVENTS} events (max_events); truncated counts the older ones dropped.`,
    parameters: [orderIdParam],
    responses: {
      '200': json(ref('OrderHistory'), 'The history.'),
      '400': error('A query parameter was given; this route takes none.'),
      '404': error('No such order.'),
    },
  },
  {
    operationId: 'list_failed',
    method: 'GET',
    path: '/failed-orders',
    summary: 'List dead-lettered orders, newest first, with their total and reasons',
    parameters: queryParameters(failedOrderSearchSchema),
    responses: {
      '200': json(ref('FailedOrderPage'), 'A page of failed orders.'),
      '400': error('Unknown query parameter or bad value; every one is listed in fields.'),
    },
  },
  {
    operationId: 'redrive_one',
    method: 'POST',
    path: '/failed-orders/{order_id}/redrive',
    summary: 'Send one FAILED order back to the queue',
    parameters: [orderIdParam],
    responses: {
      '202': json(ref('RedriveAccepted'), 'Back to PENDING and queued.'),
      '404': error('No such order.'),
      '409': error('The order is not FAILED.'),
    },
  },
  {
    operationId: 'redrive_all',
    method: 'POST',
    path: '/failed-orders/redrive',
    summary: 'Redrive all failed orders, or the given ids',
    requestBody: {
      required: false,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: { order_ids: { type: 'array', items: { type: 'string' }, maxItems: 1000 } },
          },
        },
      },
    },
    responses: { '200': json(ref('RedriveSummary'), 'What was redriven.'), '400': error('Bad body.') },
  },
  {
    operationId: 'health',
    method: 'GET',
    path: '/health',
    summary: 'Liveness with counts and queue depths',
    public: true,
    responses: { '200': json(ref('Health'), 'Healthy.') },
  },
  {
    operationId: 'openapi_document',
    method: 'GET',
    path: '/openapi.json',
    summary: 'This document',
    public: true,
    responses: { '200': { description: 'The OpenAPI 3.1 document of the API.' } },
  },
] as const satisfies readonly RouteSpec[];

export type OperationId = (typeof API_ROUTES)[number]['operationId'];

/** A path template (`/orders/{order_id}`) as a regular expression, one group per `{name}` segment. */
export function pathPattern(template: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, name) => {
    names.push(name);
    return '([^/]+)';
  });
  return { pattern: new RegExp(`^${source}$`), names };
}

/** A compiled route table: finds the route of a method and path, with its path parameters. */
export function routeMatcher<R extends RouteSpec>(routes: readonly R[]) {
  const compiled = routes.map((route) => ({ route, ...pathPattern(route.path) }));
  return function match(
    method: string,
    path: string,
  ): { route: R; params: Record<string, string> } | { allowed: string[] } | undefined {
    const allowed: string[] = [];
    for (const { route, names, pattern } of compiled) {
      const found = pattern.exec(path);
      if (!found) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      names.forEach((name, i) => {
        params[name] = found[i + 1] ?? '';
      });
      return { route, params };
    }
    return allowed.length > 0 ? { allowed } : undefined;
  };
}
