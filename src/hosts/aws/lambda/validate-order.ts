import { createValidateOrder } from '../../../core/validate-order.ts';
import { lambdaHandler } from '../lambda-handler.ts';

/** The workflow's ValidateOrder Task. */
export const handler = lambdaHandler('dofs-validate-order', () => {
  const validateOrder = createValidateOrder();
  return async (input: { order?: unknown }) => validateOrder(input);
});
