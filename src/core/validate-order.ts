import { type FieldError, type OrderWorkflowInputOrder, parseOrderRequest } from './order.ts';

export type ValidateOrderResult =
  | { valid: true; order: OrderWorkflowInputOrder }
  | { valid: false; errors: FieldError[] };

/**
 * The workflow's ValidateOrder step. The API already checked the body with the same schema; this step
 * guards executions started any other way (console, redrive tooling, another producer).
 */
export function createValidateOrder() {
  return function validateOrder(input: { order?: unknown }): ValidateOrderResult {
    const order = input.order;
    const parsed = parseOrderRequest(order);
    if (!parsed.ok) return { valid: false, errors: parsed.errors };
    const orderId = parsed.value.order_id;
    if (orderId === undefined) {
      return {
        valid: false,
        errors: [{ field: 'order_id', message: 'order_id is required in the workflow input' }],
      };
    }
    return {
      valid: true,
      order: { order_id: orderId, customer_id: parsed.value.customer_id, items: parsed.value.items },
    };
  };
}
