import * as z from 'zod/mini';
import {
  canonicalOrderSchema,
  itemOrderSchema,
  orderItemSchema,
  orderStatuses,
  productOrderSchema,
} from '../../core/order.ts';

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
const errorResponse = z.strictObject({
  error: z.strictObject({
    code: z.string(),
    message: z.string(),
    fields: z.optional(z.array(z.strictObject({ field: z.string(), message: z.string() }))),
  }),
});
const depth = z.strictObject({ visible: z.int(), inFlight: z.int() });
const healthResponse = z.looseObject({
  status: z.literal('ok'),
  orders: z.optional(z.strictObject({ PENDING: z.int(), FULFILLED: z.int(), FAILED: z.int() })),
  failed_orders: z.optional(z.int()),
  queues: z.optional(z.strictObject({ order_queue: depth, order_dlq: depth })),
});

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const error = (description: string) => json(ref('Error'), description);
const pageParams = [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
  {
    name: 'cursor',
    in: 'query',
    schema: { type: 'string' },
    description: 'The cursor of the previous page.',
  },
];
const orderIdParam = { name: 'order_id', in: 'path', required: true, schema: { type: 'string' } };

/** The OpenAPI 3.1 document of the DOFS HTTP API, generated from the zod schemas. */
export function openApiDocument(serverUrl?: string) {
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
        OrderPage: {
          type: 'object',
          required: ['items', 'cursor'],
          properties: { items: { type: 'array', items: ref('Order') }, cursor: { type: ['string', 'null'] } },
          additionalProperties: false,
        },
        FailedOrderPage: {
          type: 'object',
          required: ['items', 'cursor'],
          properties: {
            items: { type: 'array', items: ref('FailedOrder') },
            cursor: { type: ['string', 'null'] },
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
    paths: {
      '/order': {
        post: {
          summary: 'Submit an order (idempotent on order_id)',
          requestBody: { required: true, content: { 'application/json': { schema: ref('OrderRequest') } } },
          responses: {
            '202': json(ref('Order'), 'Accepted: stored durably and queued for fulfilment.'),
            '200': json(
              ref('Order'),
              'Replay: same order_id and payload; the current order, not processed again.',
            ),
            '400': error('Invalid order: every failing field is listed.'),
            '409': error('The order_id exists with a different payload.'),
            '413': error('Body over 64 KiB.'),
            '415': error('Content type is not JSON.'),
            '503': error('Storage unavailable; retry after Retry-After seconds with the same order_id.'),
          },
        },
      },
      '/orders': {
        post: {
          summary: 'Alias of POST /order',
          requestBody: { required: true, content: { 'application/json': { schema: ref('OrderRequest') } } },
          responses: {
            '202': json(ref('Order'), 'Accepted.'),
            '200': json(ref('Order'), 'Replay.'),
            '400': error('Invalid order.'),
            '409': error('Conflict.'),
          },
        },
        get: {
          summary: 'List orders, newest first',
          parameters: [
            { name: 'status', in: 'query', schema: { type: 'string', enum: orderStatuses } },
            ...pageParams,
          ],
          responses: { '200': json(ref('OrderPage'), 'A page of orders.'), '400': error('Bad query.') },
        },
      },
      '/orders/{order_id}': {
        get: {
          summary: 'Read one order',
          parameters: [orderIdParam],
          responses: { '200': json(ref('Order'), 'The order.'), '404': error('No such order.') },
        },
      },
      '/failed-orders': {
        get: {
          summary: 'List dead-lettered orders, newest first',
          parameters: pageParams,
          responses: {
            '200': json(ref('FailedOrderPage'), 'A page of failed orders.'),
            '400': error('Bad query.'),
          },
        },
      },
      '/failed-orders/{order_id}/redrive': {
        post: {
          summary: 'Send one FAILED order back to the queue',
          parameters: [orderIdParam],
          responses: {
            '202': json(ref('RedriveAccepted'), 'Back to PENDING and queued.'),
            '404': error('No such order.'),
            '409': error('The order is not FAILED.'),
          },
        },
      },
      '/failed-orders/redrive': {
        post: {
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
      },
      '/health': {
        get: {
          summary: 'Liveness with counts and queue depths',
          responses: { '200': json(ref('Health'), 'Healthy.') },
        },
      },
    },
  };
}
