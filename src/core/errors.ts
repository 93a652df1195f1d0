import type { FieldError } from './order.ts';

/**
 * Typed errors with stable names. Names that can reach the workflow are exactly the names its ASL
 * `Retry`/`Catch` fields match, so renaming one is a breaking change to `workflow/order-workflow.asl.json`.
 */
export class DofsError extends Error {
  constructor(name: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = name;
  }
}

/** The body is not an acceptable order; lists every failing field. */
export class OrderInvalidError extends DofsError {
  readonly errors: FieldError[];
  constructor(errors: FieldError[]) {
    super('OrderInvalid', errors.map((e) => e.message).join('; ') || 'order is invalid');
    this.errors = errors;
  }
}

/** The order id is already taken by an order with a different payload. */
export class OrderConflictError extends DofsError {
  constructor(orderId: string) {
    super('OrderConflict', `order ${orderId} already exists with a different payload`);
  }
}

export class OrderNotFoundError extends DofsError {
  constructor(orderId: string) {
    super('OrderNotFound', `order ${orderId} was not found`);
  }
}

/** A request that is malformed before it is an order (not JSON, a bad query or cursor). */
export class BadRequestError extends DofsError {
  /** Each failing part of the request (query parameters), when there are several to report. */
  readonly fields: FieldError[] | undefined;
  constructor(message: string, fields?: FieldError[]) {
    super('BadRequest', message);
    this.fields = fields;
  }
}

/** A dependency is briefly unavailable (database busy, throttled): safe to retry. */
export class TransientError extends DofsError {
  readonly retryAfterSeconds: number;
  constructor(message: string, options?: ErrorOptions & { retryAfterSeconds?: number }) {
    super('TransientError', message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds ?? 1;
  }
}

/** The operation is not allowed in the order's current status (e.g. redriving an order that is not FAILED). */
export class InvalidTransitionError extends DofsError {
  constructor(message: string) {
    super('InvalidTransition', message);
  }
}
