import { type FieldError, type OrderWorkflowInputOrder, parseWorkflowOrder } from './order.ts';

export type ValidateOrderResult =
  | { valid: true; order: OrderWorkflowInputOrder }
  | { valid: false; errors: FieldError[] };

/**
 * The workflow's ValidateOrder step. The API already checked the body with the same schema; this step
 * guards executions started any other way (console, tooling, another producer).
 */
export function createValidateOrder() {
  return function validateOrder(input: { order?: unknown }): ValidateOrderResult {
    const parsed = parseWorkflowOrder(input.order);
    return parsed.ok ? { valid: true, order: parsed.value } : { valid: false, errors: parsed.errors };
  };
}
