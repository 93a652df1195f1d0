import { OrderConflictError, OrderInvalidError, TransientError } from './errors.ts';
import {
  fingerprintOf,
  markValidated,
  type Order,
  OrderStatus,
  type OrderWorkflowInputOrder,
  parseOrderRequest,
} from './order.ts';
import { encodeOrderMessage } from './order-message.ts';
import type { Clock, IdGenerator, MessageSender, OrderRepository, OrderWorkflow } from './ports.ts';
import { markQueued } from './store-order.ts';

export type SubmitOrderResult =
  | { ok: true; order: Order; replayed: boolean }
  | { ok: false; error: OrderInvalidError | OrderConflictError };

/** A validated order submission: the workflow's input order (with its id) and its fingerprint. */
export interface Submission {
  order: OrderWorkflowInputOrder;
  fingerprint: string;
}

/**
 * The edge of order intake: validates the body with the one schema, normalises it and gives it its id (the
 * client's idempotency key, else a new one). The order is marked validated: the workflow's ValidateOrder
 * step takes it as it is.
 */
export function parseSubmission(
  body: unknown,
  ids: Pick<IdGenerator, 'orderId'>,
): { ok: true; submission: Submission } | { ok: false; error: OrderInvalidError } {
  const parsed = parseOrderRequest(body);
  if (!parsed.ok) return { ok: false, error: new OrderInvalidError(parsed.errors) };
  const { customer_id, items } = parsed.value;
  const order = markValidated({ order_id: parsed.value.order_id ?? ids.orderId(), customer_id, items });
  return { ok: true, submission: { order, fingerprint: fingerprintOf(order) } };
}

export interface SubmitOrderDeps {
  workflow: OrderWorkflow;
  orders: OrderRepository;
  ids: IdGenerator;
  clock: Clock;
  /** Where an order goes that an execution which cannot run again stored and never queued. */
  queue?: MessageSender;
}

/**
 * Accepts an order: validates the body, runs the intake workflow (execution name = order id) and returns
 * the stored order. Resolves only once the order is durably stored and queued. Same id with the same
 * payload returns the current order (`replayed`); same id with another payload is a conflict.
 */
export function createSubmitOrder(deps: SubmitOrderDeps) {
  const acceptOrder = createAcceptOrder(deps);
  return async function submitOrder(body: unknown): Promise<SubmitOrderResult> {
    const parsed = parseSubmission(body, deps.ids);
    return parsed.ok ? acceptOrder(parsed.submission) : parsed;
  };
}

/**
 * The part of submitOrder after the edge: runs the intake workflow for a validated submission and answers
 * from what is stored (see createSubmitOrder).
 */
export function createAcceptOrder(deps: SubmitOrderDeps) {
  return async function acceptOrder(submission: Submission): Promise<SubmitOrderResult> {
    const { order: input, fingerprint } = submission;
    const { order_id } = input;
    const submission_id = deps.ids.submissionId();
    const run = await deps.workflow.run({ submission_id, order: input }, fingerprint);
    if (run.status === 'FAILED') {
      if (run.error === 'OrderConflict') return { ok: false, error: new OrderConflictError(order_id) };
      if (run.error === 'OrderInvalid') {
        return { ok: false, error: new OrderInvalidError([{ field: 'body', message: run.cause }]) };
      }
      throw new TransientError(
        `order ${order_id} could not be accepted (${run.error}); retry with the same order_id`,
      );
    }
    // The answer comes from what is stored, never from which request happened to run: the workflow's output
    // carries the order StoreOrder wrote or found; a run that has none (an execution of that name already
    // ran, or this request waited for a concurrent one) reads it.
    const stored = run.status === 'SUCCEEDED' ? storedOf(run.output, order_id) : undefined;
    const order = stored?.order ?? (await deps.orders.get(order_id));
    if (!order) {
      if (run.status === 'ALREADY_RAN' && !run.sameInput) {
        return { ok: false, error: new OrderConflictError(order_id) };
      }
      throw new TransientError(`order ${order_id} is still being accepted; retry with the same order_id`);
    }
    if (order.fingerprint !== fingerprint) return { ok: false, error: new OrderConflictError(order_id) };
    const strandedEarlier =
      run.status === 'ALREADY_RAN' &&
      run.failedEarlier === true &&
      order.status === OrderStatus.PENDING &&
      order.queued === false;
    if (strandedEarlier && deps.queue) {
      // A STANDARD execution of this name stored the order and failed before queueing it; the name cannot
      // run again, so this submission sends the message SendToQueue would have sent.
      await deps.queue.send(encodeOrderMessage(order_id));
    }
    if (stored?.outcome === 'CREATED' || (strandedEarlier && deps.queue)) {
      // This submission sent the order's message: clear the mark that makes a later submission send it
      // again. If this write fails, the order is queued all the same; a later submission sends a second
      // message, which the idempotent consumer ignores.
      await markQueued(deps.orders, order_id, deps.clock.now()).catch(() => undefined);
      return { ok: true, order, replayed: false };
    }
    return { ok: true, order, replayed: order.submission_id !== submission_id };
  };
}

/** The `stored` result of a workflow output (see StoreOrderResult), if it is there and is this order's. */
function storedOf(output: unknown, orderId: string): { order: Order; outcome: unknown } | undefined {
  const stored = (output as { stored?: { order?: Partial<Order>; outcome?: unknown } } | null)?.stored;
  const order = stored?.order;
  return order && order.order_id === orderId && typeof order.fingerprint === 'string'
    ? { order: order as Order, outcome: stored.outcome }
    : undefined;
}
