import { createValidateOrder } from '../../../core/validate-order.ts';

const validateOrder = createValidateOrder();

/** The workflow's ValidateOrder Task. */
export const handler = async (input: { order?: unknown }) => validateOrder(input);
