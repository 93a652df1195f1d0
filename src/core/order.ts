// zod/mini: the same validation as zod's chained API, tree-shakable, so a Lambda bundle carries ~20 KiB of
// it instead of ~440 KiB.
import * as z from 'zod/mini';

/** Order lifecycle. Every transition is a conditional write on the expected current status. */
export const OrderStatus = {
  PENDING: 'PENDING',
  FULFILLED: 'FULFILLED',
  FAILED: 'FAILED',
} as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];
export const orderStatuses = Object.values(OrderStatus);

const MAX_ID_LENGTH = 128;
const MAX_ITEMS = 100;
const MAX_QUANTITY = 1_000_000;
const MAX_PRICE = 1_000_000_000;

// Ids end up in URLs, DynamoDB keys and Step Functions execution names (80 chars, no spaces or wildcards),
// so they are restricted to a safe alphabet.
export const idField = (field: string) =>
  z
    .string({ error: `${field} must be a string` })
    .check(
      z.minLength(1, { error: `${field} must not be empty` }),
      z.maxLength(MAX_ID_LENGTH, { error: `${field} must be at most ${MAX_ID_LENGTH} characters` }),
      z.regex(/^[A-Za-z0-9._:-]*$/, { error: `${field} may contain only letters, digits and . _ : -` }),
    );

const orderIdField = z
  .string({ error: 'order_id must be a string' })
  .check(
    z.minLength(1, { error: 'order_id must not be empty' }),
    z.maxLength(80, { error: 'order_id must be at most 80 characters' }),
    z.regex(/^[A-Za-z0-9_-]*$/, { error: 'order_id may contain only letters, digits, _ and -' }),
  );

const quantityField = z
  .int({ error: 'quantity must be a positive integer' })
  .check(
    z.minimum(1, { error: 'quantity must be a positive integer' }),
    z.maximum(MAX_QUANTITY, { error: `quantity must be at most ${MAX_QUANTITY}` }),
  );

const priceField = z
  .number({ error: 'price must be a number ≥ 0' })
  .check(
    z.minimum(0, { error: 'price must be a number ≥ 0' }),
    z.maximum(MAX_PRICE, { error: `price must be at most ${MAX_PRICE}` }),
  );

/** One line of an order. */
export const orderItemSchema = z.strictObject(
  {
    product_id: idField('product_id'),
    quantity: quantityField,
    price: z.optional(priceField),
  },
  { error: 'each item must be an object with product_id and quantity' },
);

const itemsField = z
  .array(orderItemSchema, { error: 'items must be a non-empty array' })
  .check(
    z.minLength(1, { error: 'items must be a non-empty array' }),
    z.maxLength(MAX_ITEMS, { error: `items must have at most ${MAX_ITEMS} entries` }),
  );

/** The canonical request body. */
export const canonicalOrderSchema = z.strictObject({
  order_id: z.optional(orderIdField),
  customer_id: idField('customer_id'),
  items: itemsField,
});

/** Legacy single-item shape `{ order_id, product, quantity, price }`. */
export const productOrderSchema = z.strictObject({
  order_id: z.optional(orderIdField),
  product: idField('product'),
  quantity: quantityField,
  price: z.optional(priceField),
});

/** Legacy single-item shape `{ order_id, item, quantity }`. */
export const itemOrderSchema = z.strictObject({
  order_id: z.optional(orderIdField),
  item: idField('item'),
  quantity: quantityField,
});

/** The normalised order the workflow carries: order_id required, customer_id null for legacy shapes. */
export const workflowOrderSchema = z.strictObject({
  order_id: orderIdField,
  customer_id: z.nullable(idField('customer_id')),
  items: itemsField,
});

export type OrderItem = z.infer<typeof orderItemSchema>;

/** What a client asks for, normalised to the canonical form (order_id may still be absent). */
export interface OrderRequest {
  order_id?: string;
  customer_id: string | null;
  items: OrderItem[];
}

/** An order as the workflow carries it: normalised, with its id. */
export interface OrderWorkflowInputOrder {
  order_id: string;
  customer_id: string | null;
  items: OrderItem[];
}

/** A stored order. */
export interface Order {
  order_id: string;
  customer_id: string | null;
  items: OrderItem[];
  status: OrderStatus;
  attempts: number;
  last_error: string | null;
  /** Canonical JSON of customer and items: same id + same fingerprint is a replay, otherwise a conflict. */
  fingerprint: string;
  /** The submission that created the order; a re-run of that same submission may enqueue it again. */
  submission_id: string;
  redrives: number;
  /**
   * `false` while no message that would move this PENDING order is known to have been sent: set by StoreOrder
   * and by a redrive, cleared once their send succeeded. A later submission of the same payload finding it
   * `false` enqueues the order again. Absent means queued (and orders stored before this field existed).
   */
  queued?: false;
  created_at: string;
  updated_at: string;
}

export interface FieldError {
  field: string;
  message: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(body: unknown, path: PropertyKey[]): unknown {
  let value = body;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function toFieldErrors(error: z.core.$ZodError, body: unknown): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    let field = issue.path.map(String).join('.') || '(body)';
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const name = field === '(body)' ? key : `${field}.${key}`;
        pushUnique(errors, seen, { field: name, message: `${name} is not a known field` });
      }
      continue;
    }
    if (issue.code === 'invalid_type' && valueAt(body, issue.path) === undefined) {
      message = `${field} is required`;
    }
    if (field === '(body)') field = 'body';
    pushUnique(errors, seen, { field, message });
  }
  return errors;
}

function pushUnique(errors: FieldError[], seen: Set<string>, error: FieldError): void {
  const key = `${error.field}\u0000${error.message}`;
  if (seen.has(key)) return;
  seen.add(key);
  errors.push(error);
}

/**
 * Validates a parsed JSON body against the one order schema and normalises the two legacy single-item
 * shapes into the canonical form. Every failing field is reported, not just the first.
 */
export function parseOrderRequest(body: unknown): ParseResult<OrderRequest> {
  if (!isPlainObject(body)) {
    return { ok: false, errors: [{ field: 'body', message: 'body must be a JSON object' }] };
  }
  if (!('items' in body) && 'product' in body) {
    const parsed = productOrderSchema.safeParse(body);
    if (!parsed.success) return { ok: false, errors: toFieldErrors(parsed.error, body) };
    const { order_id, product, quantity, price } = parsed.data;
    const item: OrderItem =
      price === undefined ? { product_id: product, quantity } : { product_id: product, quantity, price };
    return { ok: true, value: withOrderId(order_id, { customer_id: null, items: [item] }) };
  }
  if (!('items' in body) && 'item' in body) {
    const parsed = itemOrderSchema.safeParse(body);
    if (!parsed.success) return { ok: false, errors: toFieldErrors(parsed.error, body) };
    const { order_id, item, quantity } = parsed.data;
    return {
      ok: true,
      value: withOrderId(order_id, { customer_id: null, items: [{ product_id: item, quantity }] }),
    };
  }
  const parsed = canonicalOrderSchema.safeParse(body);
  if (!parsed.success) return { ok: false, errors: toFieldErrors(parsed.error, body) };
  const { order_id, customer_id, items } = parsed.data;
  return { ok: true, value: withOrderId(order_id, { customer_id, items }) };
}

const validatedOrders = new WeakSet<object>();

/**
 * Records that this order object passed the schema: `parseWorkflowOrder` then takes it as it is instead of
 * parsing it again (validation once, at the edge). Only for an order built from `parseOrderRequest`'s
 * output, or one received from a thread of this process that did so; nothing may change it afterwards.
 */
export function markValidated<T extends OrderWorkflowInputOrder>(order: T): T {
  validatedOrders.add(order);
  return order;
}

/**
 * Validates the order in a workflow input (already normalised). An order the API validated (see
 * markValidated) is taken as it is: the workflow's ValidateOrder step guards executions started any other
 * way.
 */
export function parseWorkflowOrder(order: unknown): ParseResult<OrderWorkflowInputOrder> {
  if (typeof order === 'object' && order !== null && validatedOrders.has(order)) {
    return { ok: true, value: order as OrderWorkflowInputOrder };
  }
  const parsed = workflowOrderSchema.safeParse(order);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, errors: toFieldErrors(parsed.error, order) };
}

function withOrderId(order_id: string | undefined, rest: Omit<OrderRequest, 'order_id'>): OrderRequest {
  return order_id === undefined ? rest : { order_id, ...rest };
}

/** Canonical JSON of what identifies an order's content; key order is fixed so equal payloads compare equal. */
export function fingerprintOf(request: Pick<OrderRequest, 'customer_id' | 'items'>): string {
  return JSON.stringify({
    customer_id: request.customer_id,
    items: request.items.map((item) =>
      item.price === undefined
        ? { product_id: item.product_id, quantity: item.quantity }
        : { product_id: item.product_id, quantity: item.quantity, price: item.price },
    ),
  });
}

/** The public view of an order: internal bookkeeping fields stay inside. */
export function orderView(order: Order) {
  const { fingerprint: _fingerprint, submission_id: _submission, queued: _queued, ...view } = order;
  return view;
}
export type OrderView = ReturnType<typeof orderView>;
