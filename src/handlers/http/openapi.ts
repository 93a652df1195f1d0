import * as z from 'zod/mini';
import {
  canonicalOrderSchema,
  itemOrderSchema,
  orderItemSchema,
  orderStatuses,
  productOrderSchema,
} from '../../core/order.ts';
import { orderEventTypes } from '../../core/order-history.ts';
import { MAX_REASON_GROUPS } from '../../core/order-search.ts';
import { API_ROUTES, type RouteSpec, ref } from './routes.ts';

/** JSON Schema (2020-12, as OpenAPI 3.1 uses) of a zod schema, without the per-schema `$schema` key. */
function schemaOf(schema: z.core.$ZodType): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

// Response shapes. Requests come from the one order schema in src/core/order.ts.
const count = z.int().check(z.minimum(0));
const orderResponse = z.strictObject({
  order_id: z.string(),
  customer_id: z.nullable(z.string()),
  items: z.array(orderItemSchema),
  status: z.enum(orderStatuses),
  attempts: count,
  last_error: z.nullable(z.string()),
  redrives: count,
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});
const failedOrderResponse = z.strictObject({
  order_id: z.string(),
  reason: z.string(),
  attempts: count,
  message_id: z.string(),
  body: z.string(),
  failed_at: z.iso.datetime(),
});
const orderEventResponse = z.strictObject({
  seq: z.int().check(z.minimum(1)),
  at: z.iso.datetime(),
  type: z.enum(orderEventTypes),
  status: z.enum(orderStatuses),
  attempt: count,
  redrive: count,
  detail: z.optional(z.string()),
  started_at: z.optional(z.iso.datetime()),
});
const orderHistoryResponse = z.strictObject({
  order_id: z.string(),
  events: z.array(orderEventResponse),
  truncated: count,
  max_events: z.int().check(z.minimum(1)),
});
const errorResponse = z.strictObject({
  error: z.strictObject({
    code: z.string(),
    message: z.string(),
    fields: z.optional(z.array(z.strictObject({ field: z.string(), message: z.string() }))),
  }),
});
const depth = z.strictObject({ visible: z.int(), inFlight: z.int() });
const alarmResponse = z.strictObject({
  name: z.string(),
  state: z.enum(['OK', 'ALARM']),
  value: count,
  threshold: z.int(),
  since: z.iso.datetime(),
});
const healthResponse = z.looseObject({
  // 200 either way: `alarm` when the host's dead-letter alarm is in ALARM (local host; AWS has CloudWatch's).
  status: z.enum(['ok', 'alarm']),
  alarm: z.optional(alarmResponse),
  orders: z.optional(z.strictObject({ PENDING: z.int(), FULFILLED: z.int(), FAILED: z.int() })),
  failed_orders: z.optional(z.int()),
  queues: z.optional(z.strictObject({ order_queue: depth, order_dlq: depth })),
});

/**
 * The OpenAPI 3.1 document of the DOFS HTTP API: schemas from zod, paths from the route table, plus the
 * routes a host adds (the local host's /ready).
 */
export function openApiDocument(serverUrl?: string, hostRoutes: readonly RouteSpec[] = []) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'DOFS — Distributed Order Fulfillment System',
      version: '1.0.0',
      description:
        'Orders are validated, stored, queued and fulfilled asynchronously with retries; failures are dead-lettered.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    components: {
      schemas: {
        OrderRequest: { oneOf: [ref('CanonicalOrder'), ref('ProductOrder'), ref('ItemOrder')] },
        CanonicalOrder: schemaOf(canonicalOrderSchema),
        ProductOrder: schemaOf(productOrderSchema),
        ItemOrder: schemaOf(itemOrderSchema),
        Order: schemaOf(orderResponse),
        FailedOrder: schemaOf(failedOrderResponse),
        Error: schemaOf(errorResponse),
        Health: schemaOf(healthResponse),
        Alarm: schemaOf(alarmResponse),
        OrderHistory: schemaOf(orderHistoryResponse),
        OrderPage: {
          type: 'object',
          required: ['items', 'cursor'],
          properties: { items: { type: 'array', items: ref('Order') }, cursor: { type: ['string', 'null'] } },
          additionalProperties: false,
        },
        FailedOrderPage: {
          type: 'object',
          required: ['items', 'cursor', 'total', 'by_reason'],
          properties: {
            items: { type: 'array', items: ref('FailedOrder') },
            cursor: { type: ['string', 'null'] },
            total: {
              type: 'integer',
              minimum: 0,
              description: 'Failed orders matching the query (all pages), reason filter included.',
            },
            by_reason: {
              type: 'array',
              description: `All failed orders grouped by reason (the reason filter does not apply), most frequent first, at most ${MAX_REASON_GROUPS} groups.`,
              items: {
                type: 'object',
                required: ['reason', 'count'],
                properties: { reason: { type: 'string' }, count: { type: 'integer', minimum: 1 } },
                additionalProperties: false,
              },
            },
          },
          additionalProperties: false,
        },
        RedriveAccepted: {
          type: 'object',
          required: ['order_id', 'status'],
          properties: { order_id: { type: 'string' }, status: { const: 'PENDING' } },
          additionalProperties: false,
        },
        RedriveSummary: {
          type: 'object',
          required: ['redriven', 'failed'],
          properties: {
            redriven: { type: 'integer', minimum: 0 },
            failed: {
              type: 'array',
              items: {
                type: 'object',
                required: ['order_id', 'error'],
                properties: { order_id: { type: 'string' }, error: { type: 'string' } },
              },
            },
          },
          additionalProperties: false,
        },
      },
    },
    paths: pathsOf([...API_ROUTES, ...hostRoutes]),
  };
}

/** The OpenAPI paths object of a route table: one operation per method under its path template. */
function pathsOf(routes: readonly RouteSpec[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const {
    method,
    path,
    operationId,
    summary,
    description,
    parameters,
    requestBody,
    responses,
  } of routes) {
    paths[path] = {
      ...paths[path],
      [method.toLowerCase()]: {
        operationId,
        summary,
        ...(description ? { description } : {}),
        ...(parameters ? { parameters } : {}),
        ...(requestBody ? { requestBody } : {}),
        responses,
      },
    };
  }
  return paths;
}
